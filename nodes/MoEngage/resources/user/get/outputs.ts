/** What Get makes of an item whose user MoEngage answered: a Found or a Not Found item. */
import { deepCopy, type IDataObject, type INodeExecutionData } from 'n8n-workflow';

import type { Placed } from '../../../pipeline/operation';
import { pickFields, type Lookup, type Outcome } from './answers';

export type OutputFormat = 'attributes' | 'enrich';

export interface OutputShape {
	outputFormat: OutputFormat;
	userField: string;
	fields: string[] | undefined;
}

export const FOUND = 0;
export const NOT_FOUND = 1;

/**
 * A found user as its attributes (only the Fields asked for), or the input item with them under
 * User Field; a user not found as {identifier_type, identifier}, or the input item unchanged. An
 * answer that named the user in neither list is a failure: the node does not guess.
 */
export function placeLookup(
	outcome: Outcome,
	item: INodeExecutionData,
	lookup: Lookup,
	shape: OutputShape,
): Placed {
	const enrich = shape.outputFormat === 'enrich';
	const carried = enrich && item.binary ? { binary: item.binary } : {};
	if (outcome.kind === 'found') {
		const user = deepCopy(pickFields(outcome.attributes, shape.fields)) as IDataObject;
		return {
			output: FOUND,
			json: enrich ? { ...deepCopy(item.json), [shape.userField]: user } : user,
			...carried,
		};
	}
	if (outcome.kind === 'notFound') {
		const json = enrich
			? deepCopy(item.json)
			: { identifier_type: lookup.type, identifier: lookup.identifier };
		return { output: NOT_FOUND, json, ...carried };
	}
	return {
		failure: {
			message: `MoEngage's answer named ${lookup.type} "${lookup.identifier}" neither among the users found nor among those not found`,
			description:
				'The node does not guess: run it again for this item, and report this to MoEngage support if it persists.',
		},
	};
}
