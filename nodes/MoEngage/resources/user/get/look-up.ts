/**
 * Get Users from items to one result per item: check each identifier, ask MoEngage once per
 * distinct one, and give every item its found, not-found or failed result. No n8n in here.
 */
import { dispatch, type DispatchIo, type DispatchPolicy, type DispatchStats, type UnitResult } from '../../../shared/dispatcher';
import { checkIdentifierType, normaliseIdentifier, type IdentifierType } from '../../../shared/identifiers';
import type { Failure } from '../../../shared/results';
import { matchAnswer, packBatches, planLookups, type ExportAnswer, type Lookup, type Outcome } from './lookups';
import type { ItemResult } from './outputs';

/** The dispatcher's io for Get User: everything but what an answer means and what a batch weighs. */
export type LookUpIo = Omit<DispatchIo<Lookup, ExportAnswer, Outcome>, 'settle' | 'weight'>;

export interface RawItem {
	type: unknown;
	identifier: unknown;
	/** The parameter whose expression failed for this item, and n8n's message. */
	unreadable?: { parameter: string; message: string };
}

export interface LookUpPlan extends Omit<DispatchPolicy, 'unit'> {
	batchSize: number;
}

export interface LookUpResult {
	/** One per item; when bad input stopped the run, only the bad item has one. */
	results: Array<ItemResult | undefined>;
	/** The distinct identifiers, with the items that carry each. */
	lookups: Lookup[];
	stats: DispatchStats;
	/** With stopOnFailure: what MoEngage refused that stopped the run, and the lookups it refused. */
	stoppedBy?: { failure: Failure; lookups: readonly Lookup[] };
}

const IDENTIFIER_HINT =
	'Set "Identifier" to an expression that gives each item\'s ID, e.g. {{ $json.customer_id }}, or filter out items without one before this node.';

function itemResult(lookup: Lookup, result: UnitResult<Outcome> | undefined): ItemResult {
	const about = { type: lookup.type, identifier: lookup.identifier };
	if (result?.kind === 'failed') return { kind: 'failed', failure: result.failure, ...about };
	const outcome = result?.outcome;
	if (outcome?.kind === 'found') return { kind: 'found', attributes: outcome.attributes };
	if (outcome?.kind === 'notFound') return { kind: 'notFound', ...about };
	return {
		kind: 'failed',
		...about,
		failure: {
			message: `MoEngage's answer named ${lookup.type} "${lookup.identifier}" neither among the users found nor among those not found`,
			description: 'The node does not guess: run it again for this item, and report this to MoEngage support if it persists.',
		},
	};
}

/** Get User counts users, one per identifier; a 400 about `identifiers` is about one of them. */
export const blame400: DispatchIo<Lookup, ExportAnswer, Outcome>['blame400'] = (exchange) =>
	exchange.blames === undefined ? 'unknown' : exchange.blames === 'identifiers' ? 'units' : 'request';

export async function lookUpItems(raw: readonly RawItem[], plan: LookUpPlan, io: LookUpIo): Promise<LookUpResult> {
	const results: Array<ItemResult | undefined> = new Array(raw.length);
	const requests: Array<{ itemIndex: number; type: IdentifierType; identifier: string }> = [];
	for (const [itemIndex, item] of raw.entries()) {
		const type = checkIdentifierType(item.type);
		const identifier = normaliseIdentifier(item.identifier);
		if (type.ok && identifier.ok && !item.unreadable) {
			requests.push({ itemIndex, type: type.value, identifier: identifier.value });
			continue;
		}
		const { unreadable } = item;
		const message = unreadable
			? `Item ${itemIndex}: the expression of "${unreadable.parameter}" failed: ${unreadable.message}`
			: !type.ok
				? `Item ${itemIndex}: the identifier type ${type.problem}`
				: `Item ${itemIndex}: the identifier ${(identifier as { problem: string }).problem}`;
		results[itemIndex] = {
			kind: 'failed',
			failure: {
				message,
				description: unreadable ? `Fix the expression of "${unreadable.parameter}" for this item. ${IDENTIFIER_HINT}` : IDENTIFIER_HINT,
			},
			type: typeof item.type === 'string' ? item.type : undefined,
			identifier: typeof item.identifier === 'string' ? item.identifier : undefined,
		};
		// Bad input stops the node before it spends any of the workspace's budget.
		if (plan.stopOnFailure) return { results, lookups: [], stats: { requests: 0, retries: {} } };
	}

	const lookups = planLookups(requests);
	const batches = packBatches(lookups, Math.min(plan.batchSize, plan.usersPerMinute));
	const { results: answered, stats, stoppedBy } = await dispatch(
		batches,
		{ ...plan, unit: 'users' },
		{ blame400, ...io, settle: matchAnswer, weight: (batch) => batch.length },
	);
	for (const lookup of lookups) {
		const result = itemResult(lookup, answered.get(lookup));
		for (const itemIndex of lookup.itemIndexes) results[itemIndex] = result;
	}
	return { results, lookups, stats, ...(stoppedBy ? { stoppedBy: { failure: stoppedBy.failure, lookups: stoppedBy.batch } } : {}) };
}
