/**
 * User → Merge: each item names a merged and a retained customer ID; distinct pairs go up to Pairs
 * per Request a call. MoEngage skips a pair it cannot merge without saying so, so the node refuses
 * what it can tell is wrong (the same user twice, an ID MoEngage refuses) before sending
 * (docs/moengage-api.md#merge-users).
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { defineOperation } from '../../pipeline/execute';
import { groupUnits, itemProblem } from '../../pipeline/items';
import { passOn, type Unit } from '../../pipeline/operation';
import {
	needParameter,
	readSending,
	sendingOptions,
	type PerMinute,
	type Sending,
} from '../../pipeline/options';
import { checkCustomerId, checkWholeNumber, customerIdProperty } from '../../shared/identifiers';
import {
	DEFAULT_PAIRS_PER_REQUEST,
	MAX_PAIRS_PER_REQUEST,
	MAX_REQUEST_BYTES,
	MERGE_UPDATES_PER_PAIR,
	MERGE_USER_UPDATES_PER_MINUTE,
} from '../../shared/limits';
import { jsonBytes, packBySize } from '../../shared/packing';
import { readAccepted, type Hints } from '../../shared/transport';

const PER_MINUTE: PerMinute = {
	name: 'userUpdatesPerMinute',
	displayName: 'User Updates per Minute',
	default: MERGE_USER_UPDATES_PER_MINUTE,
	min: MERGE_UPDATES_PER_PAIR,
	description:
		'The Merge limit to stay under: MoEngage allows 1,000 user updates a minute per workspace; each pair counts as 2 (both users). Shared by every execution on this workspace in this n8n process.',
};

const HINTS: Hints = {
	400: {
		what: 'MoEngage rejected the request',
		todo: "Check this item's Merged and Retained Customer IDs.",
	},
	413: {
		what: 'The request was larger than MoEngage accepts (128 KB)',
		todo: 'Some customer IDs are unusually long: lower Pairs per Request.',
	},
};

interface Pair extends Unit {
	merged: string;
	retained: string;
}

const FIX =
	'Set "Merged Customer ID" and "Retained Customer ID" to the two customer IDs of each item, e.g. {{ $json.duplicate_id }}.';

const CHAIN_FIX =
	'Merges are not transitive and MoEngage skips what it cannot merge without saying so: run a chain (A into B, then B into C) as separate executions, one link each, and merge every duplicate straight into the user that remains.';

const ENVELOPE_BYTES = jsonBytes({ merge_data: [] });

/**
 * Pairs that MoEngage could not apply in one run, told apart in item order: a user already merged
 * away by an earlier pair (merged again, or kept as the retained user), and a user kept by an earlier
 * pair now merged away. The same pair twice is one merge, not a conflict.
 */
function mergeConflicts() {
	const mergedBy = new Map<string, { itemIndex: number; into: string }>();
	const retainedBy = new Map<string, number>();
	return {
		check(itemIndex: number, merged: string, retained: string): string | undefined {
			const earlier = mergedBy.get(merged);
			if (earlier !== undefined && earlier.into === retained) return undefined;
			if (earlier !== undefined)
				return `"${merged}" is merged into "${earlier.into}" by item ${earlier.itemIndex}; it cannot be merged again in the same run`;
			const kept = retainedBy.get(merged);
			if (kept !== undefined)
				return `"${merged}" is the retained user of item ${kept}; it cannot be merged away in the same run`;
			const gone = mergedBy.get(retained);
			if (gone !== undefined)
				return `"${retained}" is merged into "${gone.into}" by item ${gone.itemIndex}; it cannot be the retained user in the same run`;
			mergedBy.set(merged, { itemIndex, into: retained });
			if (!retainedBy.has(retained)) retainedBy.set(retained, itemIndex);
			return undefined;
		},
	};
}

interface Settings {
	sending: Sending;
	pairsPerRequest: number;
}

function settings(context: IExecuteFunctions): Settings {
	const sending = readSending(context, PER_MINUTE);
	if (sending.perMinute < MERGE_UPDATES_PER_PAIR) {
		needParameter(context, PER_MINUTE.displayName, {
			ok: false,
			problem: `is ${sending.perMinute}; a pair counts as ${MERGE_UPDATES_PER_PAIR}`,
		});
	}
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const pairsPerRequest = needParameter(
		context,
		'Pairs per Request',
		checkWholeNumber(
			options.pairsPerRequest ?? DEFAULT_PAIRS_PER_REQUEST,
			1,
			MAX_PAIRS_PER_REQUEST,
		),
	);
	return { sending, pairsPerRequest };
}

const entryOf = (pair: Pair) => ({ merged_user: pair.merged, retained_user: pair.retained });

export const operation = defineOperation<
	Settings,
	{ merged: string; retained: string },
	Pair,
	'accepted'
>({
	value: 'merge',
	name: 'Merge',
	action: 'Merge users',
	description: 'Merge a duplicate user into the user that remains, one pair per item',
	outputs: ['Accepted'],
	properties: [
		{
			displayName:
				'Merging is irreversible. The merged user keeps only its MoEngage ID, its last 30 days of events move to the retained user, and it is deleted after 30 days without activity. Merges are not transitive, and Merge does not work with Identity Resolution.',
			name: 'mergeNotice',
			type: 'notice',
			default: '',
		},
		customerIdProperty('The customer ID of the user merged away (the duplicate)', {
			name: 'mergedCustomerId',
			displayName: 'Merged Customer ID',
			placeholder: 'e.g. {{ $json.duplicate_id }}',
		}),
		customerIdProperty('The customer ID of the user that remains', {
			name: 'retainedCustomerId',
			displayName: 'Retained Customer ID',
		}),
		sendingOptions(PER_MINUTE, {
			forwardedFor: false,
			extra: [
				{
					displayName: 'Pairs per Request',
					name: 'pairsPerRequest',
					type: 'number',
					typeOptions: { minValue: 1, maxValue: MAX_PAIRS_PER_REQUEST },
					default: DEFAULT_PAIRS_PER_REQUEST,
					description:
						'Merge pairs per request. MoEngage documents "50 users per call": 25 pairs (50 users) fits either reading; 50 only if MoEngage counts pairs.',
				},
			],
		}),
	],
	fix: FIX,
	settings,

	plan(run) {
		const conflicts = mergeConflicts();
		return (itemIndex) => {
			const merged = checkCustomerId(run.read('mergedCustomerId', itemIndex, undefined));
			if (!merged.ok)
				return itemProblem(itemIndex, `the Merged Customer ID ${merged.problem}`, FIX);
			const retained = checkCustomerId(run.read('retainedCustomerId', itemIndex, undefined));
			if (!retained.ok)
				return itemProblem(itemIndex, `the Retained Customer ID ${retained.problem}`, FIX);
			if (merged.value === retained.value) {
				return itemProblem(
					itemIndex,
					`the Merged and Retained Customer IDs are both "${merged.value}"; a user cannot be merged into itself`,
					FIX,
				);
			}
			const conflict = conflicts.check(itemIndex, merged.value, retained.value);
			if (conflict !== undefined) return itemProblem(itemIndex, conflict, CHAIN_FIX);
			return { ok: true, part: { merged: merged.value, retained: retained.value } };
		};
	},

	group: (_, planned) =>
		groupUnits(
			planned,
			({ merged, retained }) => `${merged}\u0000${retained}`,
			({ merged, retained }): Pair => ({
				itemIndexes: [],
				type: 'merge',
				identifier: `${merged} → ${retained}`,
				merged,
				retained,
			}),
		),

	async send(run, pairs) {
		const { sending, pairsPerRequest } = run.settings;
		const maxPairs = Math.min(
			pairsPerRequest,
			Math.floor(sending.perMinute / MERGE_UPDATES_PER_PAIR),
		);
		const batches = packBySize(
			pairs,
			maxPairs,
			MAX_REQUEST_BYTES - ENVELOPE_BYTES,
			(pair) => jsonBytes(entryOf(pair)) + 1,
		);
		return await run.send(batches, {
			budget: 'merge',
			unit: 'user updates',
			io: {
				send: async (batch, signal) =>
					await run.request(
						{
							path: '/v1/customer/merge',
							qs: { app_id: run.workspace.appId },
							body: { merge_data: batch.map(entryOf) },
						},
						readAccepted,
						HINTS,
						signal,
					),
				settle: (batch) => batch.map(() => 'accepted' as const),
				weight: (batch) => batch.length * MERGE_UPDATES_PER_PAIR,
				// Merging again is harmless (MoEngage skips a pair already merged): resent after a lost answer as often as Max Retries allows.
				resendsAfterLostAnswer: () => Infinity,
				blame400: (exchange) =>
					exchange.blames === undefined || exchange.failure.type === 'LimitBreached'
						? 'unknown'
						: 'units',
			},
		});
	},

	place: (_, __, item) => passOn(0, item),
	repeating: 'harmless, MoEngage skips a pair it has merged already',
});
