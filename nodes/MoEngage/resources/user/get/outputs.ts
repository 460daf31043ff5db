/** Routes every input item to exactly one output item: Found, Not Found, or an error item. */
import { deepCopy, type IDataObject, type INodeExecutionData } from 'n8n-workflow';

import type { IdentifierType } from '../../../shared/identifiers';
import { errorItemJson, type Failure } from '../../../shared/results';
import { pickFields, type Attributes } from './lookups';

export type OutputFormat = 'attributes' | 'enrich';

export type ItemResult =
	| { kind: 'found'; attributes: Attributes }
	| { kind: 'notFound'; type: IdentifierType; identifier: string }
	| { kind: 'failed'; failure: Failure; type?: string; identifier?: string };

export interface OutputShape {
	outputFormat: OutputFormat;
	userField: string;
	fields: string[] | undefined;
}

export const FOUND = 0;
export const NOT_FOUND = 1;

export function routeItems(
	items: readonly INodeExecutionData[],
	results: readonly ItemResult[],
	shape: OutputShape,
): [INodeExecutionData[], INodeExecutionData[]] {
	const found: INodeExecutionData[] = [];
	const notFound: INodeExecutionData[] = [];
	const enrich = shape.outputFormat === 'enrich';
	results.forEach((result, itemIndex) => {
		const input = items[itemIndex];
		const pairedItem = { item: itemIndex };
		const carried = enrich && input.binary ? { binary: input.binary } : {};
		if (result.kind === 'found') {
			const user = deepCopy(pickFields(result.attributes, shape.fields)) as IDataObject;
			const json = enrich ? { ...deepCopy(input.json), [shape.userField]: user } : user;
			found.push({ json, pairedItem, ...carried });
		} else if (result.kind === 'notFound') {
			const json = enrich
				? deepCopy(input.json)
				: { identifier_type: result.type, identifier: result.identifier };
			notFound.push({ json, pairedItem, ...carried });
		} else {
			notFound.push({ json: errorItemJson(result), pairedItem });
		}
	});
	return [found, notFound];
}
