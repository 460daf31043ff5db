/** What every operation hands back for an item it could not do: a failure, as an error item. */
import type { IDataObject } from 'n8n-workflow';

export interface Failure {
	message: string;
	description?: string;
	httpCode?: number;
	/** MoEngage's error.type, e.g. "LimitBreached". */
	type?: string;
	requestId?: string;
}

/** A failed item, with the identifier it was about when it had one. */
export interface ItemFailure {
	failure: Failure;
	type?: string;
	identifier?: string;
}

/**
 * The shape n8n moves to a node's error output under "On Error: Continue (using error output)":
 * the JSON holds only `error`. Under "Continue (regular output)" it stays on the operation's last output.
 */
export function errorItemJson(result: ItemFailure): IDataObject {
	const { failure, type, identifier } = result;
	const error: IDataObject = { message: failure.message };
	if (failure.description !== undefined) error.description = failure.description;
	if (identifier !== undefined) error.identifier = identifier;
	if (type !== undefined) error.identifierType = type;
	if (failure.httpCode !== undefined) error.httpCode = failure.httpCode;
	if (failure.type !== undefined) error.type = failure.type;
	if (failure.requestId !== undefined) error.requestId = failure.requestId;
	return { error };
}
