/**
 * From items to units: each item checked on its own (an item the operation cannot send fails alone,
 * or stops the node before anything is sent), then the items that go together grouped.
 */
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import type { Grouped, Planned, Refused, Unit } from './operation';
import { parameterThatFailed } from './parameters';

/** An item that cannot be sent: the problem with its item number, what to do, and what it is about. */
export function itemProblem(
	itemIndex: number,
	problem: string,
	fix: string,
	about?: { type?: string; identifier?: string },
): Refused {
	return {
		ok: false,
		failure: { failure: { message: `Item ${itemIndex}: ${problem}`, description: fix }, ...about },
	};
}

/** The error that stops the node at a bad item when the user did not choose to continue on errors. */
export const itemError = (
	context: Pick<IExecuteFunctions, 'getNode'>,
	itemIndex: number,
	refused: Refused,
) =>
	new NodeOperationError(context.getNode(), refused.failure.failure.message, {
		itemIndex,
		description: [refused.failure.failure.description, 'Nothing was sent to MoEngage.']
			.filter(Boolean)
			.join(' '),
	});

/**
 * Plans each item with `plan`; an expression that throws, or a value that fails its check, fails
 * that item. Without continue-on-fail the first bad item stops the node before anything is sent.
 */
export function planItems<P>(
	context: Pick<IExecuteFunctions, 'getNode'>,
	items: readonly INodeExecutionData[],
	continueOnFail: boolean,
	fix: string,
	plan: (itemIndex: number, item: INodeExecutionData) => Planned<P>,
): Array<Planned<P>> {
	return items.map((item, itemIndex) => {
		let planned: Planned<P>;
		try {
			planned = plan(itemIndex, item);
		} catch (error) {
			// Without continue-on-fail n8n shows its own expression error, which points at the expression.
			if (!continueOnFail)
				throw new NodeOperationError(context.getNode(), error as Error, { itemIndex });
			const parameter = parameterThatFailed(error);
			const message = (error as Error).message;
			planned = parameter
				? itemProblem(
						itemIndex,
						`the expression of "${parameter}" failed: ${message}`,
						`Fix the expression of "${parameter}" for this item. ${fix}`,
					)
				: itemProblem(itemIndex, message, fix);
		}
		if (!planned.ok && !continueOnFail) throw itemError(context, itemIndex, planned);
		return planned;
	});
}

/**
 * The items that passed their checks as units: items whose parts share a key (the same user, the
 * same pair) become one unit, made by `unitFor` from the first, that carries them all.
 */
export function groupUnits<P, U extends Unit>(
	planned: ReadonlyArray<Planned<P>>,
	keyOf: (part: P, itemIndex: number) => string,
	unitFor: (part: P) => U,
): Grouped<U> {
	const byKey = new Map<string, U>();
	const unitOf = new Map<number, U>();
	planned.forEach((plan, itemIndex) => {
		if (!plan.ok) return;
		const key = keyOf(plan.part, itemIndex);
		let unit = byKey.get(key);
		if (unit === undefined) {
			unit = unitFor(plan.part);
			byKey.set(key, unit);
		}
		unit.itemIndexes.push(itemIndex);
		unitOf.set(itemIndex, unit);
	});
	return { units: [...byKey.values()], unitOf };
}
