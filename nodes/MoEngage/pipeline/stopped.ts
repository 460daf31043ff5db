/**
 * What a run that MoEngage stopped tells the user: the refusal, the items of the refused request,
 * and for a write which items MoEngage had accepted, which it may have recorded, which were never
 * sent, and what running the workflow again does.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { UnitResult } from '../shared/dispatcher';
import { toNodeApiError } from '../shared/transport';
import type { Sent, Unit } from './operation';

/**
 * The error of a run that MoEngage stopped: its failure, naming the items of the batch it refused,
 * and for a write (`repeating`) what MoEngage already holds.
 */
export function stoppedError<U extends Unit, O>(
	context: Pick<IExecuteFunctions, 'getNode'>,
	items: readonly INodeExecutionData[],
	unitOf: ReadonlyMap<number, U>,
	results: Sent<U, O>['results'],
	{ failure, batch }: NonNullable<Sent<U, O>['stoppedBy']>,
	repeating: string | undefined,
) {
	const written =
		repeating === undefined ? '' : writtenBeforeStop(items, unitOf, results, batch, repeating);
	const itemIndex = Math.min(...batch.map((unit) => unit.itemIndexes[0]));
	const description = [failure.description, written].filter(Boolean).join(' ');
	return toNodeApiError(
		context.getNode(),
		{ ...failure, description },
		itemIndex,
		describeUnits(batch),
	);
}

function describeUnits(units: readonly Unit[]): string {
	const first = units[0];
	const count = units.reduce((sum, unit) => sum + unit.itemIndexes.length, 0);
	const more = count > 1 ? ` and ${count - 1} more item${count > 2 ? 's' : ''}` : '';
	return `item ${first.itemIndexes[0]} (${first.type} "${first.identifier}")${more}`;
}

/** Item numbers as ranges: "items 0–4, 7 and 9–11". */
function itemRanges(indexes: readonly number[]): string {
	const sorted = [...indexes].sort((a, b) => a - b);
	const ranges: string[] = [];
	for (let start = 0; start < sorted.length;) {
		let end = start;
		while (end + 1 < sorted.length && sorted[end + 1] === sorted[end] + 1) end++;
		ranges.push(end === start ? String(sorted[start]) : `${sorted[start]}–${sorted[end]}`);
		start = end + 1;
	}
	const list =
		ranges.length > 1
			? `${ranges.slice(0, -1).join(', ')} and ${ranges[ranges.length - 1]}`
			: ranges[0];
	return `item${sorted.length > 1 ? 's' : ''} ${list}`;
}

const capitalised = (text: string) => `${text[0].toUpperCase()}${text.slice(1)}`;

/**
 * What MoEngage holds of a run that stopped: the items it accepted, those whose answer was lost,
 * those never sent, what sending them again does (`repeating`), and the On Error setting that keeps
 * a run going past one refused item.
 */
function writtenBeforeStop<U extends Unit, O>(
	items: readonly INodeExecutionData[],
	unitOf: ReadonlyMap<number, U>,
	results: ReadonlyMap<U, UnitResult<O>>,
	stoppedBy: readonly U[],
	repeating: string,
): string {
	const accepted: number[] = [];
	const uncertain: number[] = [];
	const unsent: number[] = [];
	for (const [itemIndex, unit] of unitOf) {
		const result = results.get(unit);
		if (result?.kind === 'settled') accepted.push(itemIndex);
		else if (result?.maybeRecorded) uncertain.push(itemIndex);
		else if (!stoppedBy.includes(unit)) unsent.push(itemIndex);
	}
	const said = [
		accepted.length === 0
			? 'MoEngage had accepted none of the items before this failure.'
			: `Before this failure MoEngage had accepted ${accepted.length} of ${items.length} items (${itemRanges(accepted)}).`,
	];
	if (uncertain.length > 0)
		said.push(`MoEngage may have recorded ${itemRanges(uncertain)}: the answer was lost.`);
	if (unsent.length > 0)
		said.push(`${capitalised(itemRanges(unsent))} ${unsent.length > 1 ? 'were' : 'was'} not sent.`);
	if (accepted.length + uncertain.length > 0)
		said.push(`Running the workflow again sends them again: ${repeating}.`);
	said.push(
		'To let the other items go on when one fails, set the node\'s On Error to "Continue (using error output)".',
	);
	return said.join(' ');
}
