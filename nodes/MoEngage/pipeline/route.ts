/**
 * Every input item to exactly one output: placed by its operation when its unit settled, an error
 * item on the last output when it failed (before sending or at MoEngage). A run that MoEngage
 * stopped, without continue-on-fail, fails here instead, saying what MoEngage already has.
 */
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import type { UnitResult } from '../shared/dispatcher';
import { errorItemJson, type Failure, type ItemFailure } from '../shared/results';
import type { Placed, Planned, Sent, Unit } from './operation';
import { stoppedError } from './stopped';

export interface Routing<U extends Unit, O> {
	outputs: number;
	place: (outcome: O, item: INodeExecutionData, unit: U) => Placed;
	/** Writes: what running the items again does; a read has none. */
	repeating?: string;
}

export function routeItems<U extends Unit, O>(
	context: IExecuteFunctions,
	items: readonly INodeExecutionData[],
	planned: ReadonlyArray<Planned<unknown>>,
	unitOf: ReadonlyMap<number, U>,
	sent: Sent<U, O>,
	{ outputs, place, repeating }: Routing<U, O>,
): INodeExecutionData[][] {
	const continueOnFail = context.continueOnFail();
	const { results, stoppedBy } = sent;
	if (stoppedBy && !continueOnFail) {
		throw stoppedError(context, items, unitOf, results, stoppedBy, repeating);
	}
	const routed: INodeExecutionData[][] = Array.from({ length: outputs }, () => []);
	items.forEach((item, itemIndex) => {
		const pairedItem = { item: itemIndex };
		const plan = planned[itemIndex];
		const unit = unitOf.get(itemIndex);
		const result = unit === undefined ? undefined : results.get(unit);
		const placed =
			plan.ok && result?.kind === 'settled' && unit ? place(result.outcome, item, unit) : undefined;
		if (placed !== undefined && 'rows' in placed) {
			for (const json of placed.rows) routed[placed.output].push({ json, pairedItem });
			return;
		}
		if (placed !== undefined && !('failure' in placed)) {
			routed[placed.output].push({
				json: placed.json,
				pairedItem,
				...(placed.binary ? { binary: placed.binary } : {}),
			});
			return;
		}
		const failure: ItemFailure = !plan.ok
			? plan.failure
			: {
					failure: failureOf(itemIndex, result, placed),
					type: unit?.type,
					identifier: unit?.identifier,
				};
		if (!continueOnFail) {
			throw new NodeOperationError(context.getNode(), failure.failure.message, {
				itemIndex,
				description: failure.failure.description,
			});
		}
		routed[outputs - 1].push({ json: errorItemJson(failure), pairedItem });
	});
	return routed;
}

function failureOf(
	itemIndex: number,
	result: UnitResult<unknown> | undefined,
	placed: Placed | undefined,
): Failure {
	if (placed !== undefined && 'failure' in placed) return placed.failure;
	if (result?.kind === 'failed') return result.failure;
	return { message: `Item ${itemIndex} was not sent: the run ended before it` };
}
