/**
 * Property of the write pipeline, as resilience.property.test.ts has it for Get: whatever the items
 * (repeats of the same customer, blank and whitespace IDs, numbers as text, values MoEngage refuses)
 * and whatever MoEngage does (a random seeded schedule of 429s, 5xx, resets, hangs, garbled answers,
 * and answers lost after MoEngage recorded the write), with continue-on-fail on:
 *
 * (a) every input item ends on exactly one output, linked to its input by pairedItem; an invalid
 *     item is an error item naming the item, a valid one ends where MoEngage's answer puts it, or is
 *     an error item only because the fault schedule outlasted Max Retries or the resend rules;
 * (b) what ended on Accepted (Deleted, Not Found) was carried by exactly one request MoEngage
 *     answered, and an error item was in no request MoEngage answered 200, nor in one it recorded
 *     before the answer was lost, unless the error says MoEngage may have recorded it;
 * (c) what MoEngage holds matches the outputs: Accepted items are recorded, items that failed
 *     without saying "may have" are not, and a second copy only where a lost answer allows it
 *     (events and array changes: at most once more, and not at all with Resend After a Lost Answer off).
 *
 * Each operation runs whole (executeOperation), on a fake n8n context and a fake clock: 429 waits,
 * backoffs, timeouts and low per-minute limits cost no real time. Items carry a marker (an attribute
 * holding their index) so that each can be found in the requests and in what MoEngage recorded.
 * A run's broken claims are collected and asserted at once: one expect per item and claim would
 * cost more than the node's own run.
 */
import { isDeepStrictEqual } from 'node:util';

import fc from 'fast-check';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { OperationModule } from '../nodes/MoEngage/pipeline/execute';
import { operation as track } from '../nodes/MoEngage/resources/event/track';
import { addOrRemoveUsers } from '../nodes/MoEngage/resources/segment/members';
import { operation as del } from '../nodes/MoEngage/resources/user/delete';
import { operation as merge } from '../nodes/MoEngage/resources/user/merge';
import { operation as upsert } from '../nodes/MoEngage/resources/user/upsert';
import {
	APPLIED_FAULT_KINDS,
	createSimulator,
	FAULT_KINDS,
	makeUsers,
	type AppliedFaultKind,
	type FaultKind,
	type LogEntry,
	type Simulator,
} from '../simulator/simulator';
import { FakeClock } from './support/fake-clock';
import { fakeExecuteFunctions, freshWorkspace } from './support/fake-n8n';

const USERS = makeUsers(40, 5);
const KNOWN = USERS.slice(0, 14).map((user) => user.customer_id);
/** Customer IDs that a spreadsheet gives as numbers: "100007" comes as 100007. */
const NUMERIC = KNOWN.filter((id) => /^\d+$/.test(id));
const NUM_RUNS = 300;

type FaultPlan = { rate: number; seed: number; kinds: Array<FaultKind | AppliedFaultKind> };

/** Any fault, those after which MoEngage had recorded the write included; now and then none. */
const faults: fc.Arbitrary<FaultPlan> = fc.record({
	rate: fc.oneof(
		{ weight: 1, arbitrary: fc.constant(0) },
		{ weight: 4, arbitrary: fc.double({ min: 0.05, max: 0.45, noNaN: true }) },
	),
	seed: fc.nat(),
	kinds: fc.subarray<FaultKind | AppliedFaultKind>([...FAULT_KINDS, ...APPLIED_FAULT_KINDS], {
		minLength: 1,
	}),
});

/** High enough that a random schedule almost never outlasts it; when it does, the item says so. */
const maxRetries = fc.integer({ min: 12, max: 20 });

/** A per-minute limit low enough to split a run into many requests (its waits cost no real time), or the default. */
const perMinute = (min: number) =>
	fc.option(fc.integer({ min, max: 12 }), { nil: undefined, freq: 2 });

const pairsPerRequest = fc.integer({ min: 1, max: 25 });

/** An item's JSON as a sheet or an API gives it: any values. */
type Row = Record<string, unknown>;

/** What an item should come to: sent (and what it is about), or refused before sending, naming the problem. */
type Expected = { valid: true; key: string } | { valid: false; mentions: string };

type Candidate = { json: Row; expected: Expected };

/** A pool of candidates, then items drawn from it: repeats are the rule, as in real sheets. */
const itemsFrom = <C extends Candidate>(candidate: fc.Arbitrary<C>) =>
	fc
		.array(candidate, { minLength: 1, maxLength: 20, size: 'max' })
		.chain((pool) =>
			fc
				.array(fc.nat(pool.length - 1), { minLength: 1, maxLength: 60, size: 'max' })
				.map((picks) => picks.map((pick) => pool[pick])),
		);

/** A valid customer ID as items carry it (a number, with spaces around), and as MoEngage gets it. */
const customer: fc.Arbitrary<{ raw: unknown; id: string }> = fc.oneof(
	fc.constantFrom(...KNOWN).map((id) => ({ raw: id, id })),
	fc.constantFrom(...NUMERIC).map((id) => ({ raw: Number(id), id })),
	fc.constantFrom(...KNOWN).map((id) => ({ raw: `  ${id} `, id })),
	fc.nat(5).map((n) => ({ raw: `new-${n}`, id: `new-${n}` })),
);

/** Customer IDs the node must refuse before sending, and what its message says. */
const badCustomer = fc.constantFrom<{ raw: unknown; mentions: string }>(
	{ raw: '', mentions: 'the Customer ID is empty' },
	{ raw: '   ', mentions: 'the Customer ID is only whitespace' },
	{ raw: null, mentions: 'the Customer ID is null' },
	{ raw: 'Guest', mentions: 'a placeholder value MoEngage refuses' },
	{ raw: 'x', mentions: 'longer than one character' },
	{ raw: 1, mentions: 'longer than one character' },
);

/** Items of a customer ID and what else they carry: valid ones, and ones refused for their ID or for `bad`. */
function customerItems(
	valid: fc.Arbitrary<Row>,
	bad: fc.Arbitrary<{ json: Row; mentions: string }>,
): fc.Arbitrary<Candidate> {
	return fc.oneof(
		{
			weight: 8,
			arbitrary: fc.tuple(customer, valid).map(([c, json]): Candidate => ({
				json: { customer_id: c.raw, ...json },
				expected: { valid: true, key: c.id },
			})),
		},
		{
			weight: 1,
			arbitrary: fc.tuple(badCustomer, valid).map(([c, json]): Candidate => ({
				json: { customer_id: c.raw, ...json },
				expected: { valid: false, mentions: c.mentions },
			})),
		},
		{
			weight: 1,
			arbitrary: fc.tuple(customer, bad).map(([c, refused]): Candidate => ({
				json: { customer_id: c.raw, ...refused.json },
				expected: { valid: false, mentions: refused.mentions },
			})),
		},
	);
}

const MAYBE = /MoEngage may have (recorded|applied)/;
/** Why a valid item may still fail: the schedule outlasted Max Retries, or the resend rules stopped it. */
const OUTLASTED = /gave up after \d+ tries|not sent again/;

/** The claims a run broke, in words: asserted once, at the end of the run. */
class Claims {
	readonly broken: string[] = [];

	that(holds: boolean, claim: string): void {
		if (!holds) this.broken.push(claim);
	}
}

interface Run {
	outputs: INodeExecutionData[][];
	simulator: Simulator;
}

async function run(
	module: OperationModule,
	items: Row[],
	parameters: INodeParameters,
	faultPlan: FaultPlan,
): Promise<Run> {
	const clock = new FakeClock();
	// MoEngage drops events dated after its own clock: the simulator's runs from today.
	clock.time = Date.now();
	const simulator = createSimulator({
		...freshWorkspace(),
		userList: USERS,
		faults: faultPlan,
		now: clock.now,
	});
	const { context } = fakeExecuteFunctions({
		simulator,
		items,
		parameters,
		properties: module.properties,
		continueOnFail: true,
		clock,
	});
	const outputs = await module.execute(context, { clock, random: Math.random });
	return { outputs, simulator };
}

type Placed = {
	output: number;
	json: IDataObject;
	error?: { message: string; identifier?: string };
};

/** (a) Each input item exactly once across the outputs, by pairedItem; then, by item index, where it went. */
function placements(outputs: INodeExecutionData[][], count: number): Placed[] {
	const placed: Array<[number, Placed]> = outputs.flatMap((items, output) =>
		items.map((item): [number, Placed] => [
			(item.pairedItem as { item: number }).item,
			{ output, json: item.json, error: item.json.error as Placed['error'] },
		]),
	);
	expect(placed.map(([index]) => index).sort((a, b) => a - b)).toEqual(
		Array.from({ length: count }, (_, index) => index),
	);
	const byIndex: Placed[] = [];
	for (const [index, place] of placed) byIndex[index] = place;
	return byIndex;
}

/**
 * (a) An invalid item is an error item naming it; a valid one fails only as a fault schedule
 * explains: it outlasted Max Retries or the resend rules, or `garbled` says its answer was unreadable.
 * A failed valid item names what it is about.
 */
function checkPlaces(
	claims: Claims,
	items: readonly Candidate[],
	placed: readonly Placed[],
	lastOutput: number,
	garbled: (index: number, message: string) => boolean = () => false,
): void {
	items.forEach(({ expected }, index) => {
		const { output, error } = placed[index];
		if (!expected.valid) {
			claims.that(
				output === lastOutput && error !== undefined,
				`item ${index} (invalid) is an error item`,
			);
			const message = error?.message ?? '';
			claims.that(
				message.startsWith(`Item ${index}: `) && message.includes(expected.mentions),
				`item ${index}'s error names it and says "${expected.mentions}": ${message}`,
			);
		} else if (error !== undefined) {
			claims.that(output === lastOutput, `item ${index}'s error is on the last output`);
			claims.that(
				OUTLASTED.test(error.message) || garbled(index, error.message),
				`item ${index} (valid) failed only as the faults explain: ${error.message}`,
			);
		}
	});
}

/** One output (Accepted): every item placed by checkPlaces, and each accepted item passed on as it came in. */
function acceptedAsTheyCame(
	claims: Claims,
	outputs: INodeExecutionData[][],
	items: readonly Candidate[],
	rows: readonly object[],
): Placed[] {
	expect(outputs).toHaveLength(1);
	const placed = placements(outputs, items.length);
	checkPlaces(claims, items, placed, 0);
	placed.forEach(({ json, error }, index) => {
		if (error === undefined)
			claims.that(isDeepStrictEqual(json, rows[index]), `item ${index} is passed on as it came`);
	});
	return placed;
}

/** The write requests to `endpoint`: answered 200 as they are, or recorded by MoEngage before their answer was lost. */
function requestsOf(simulator: Simulator, endpoint: LogEntry['endpoint']) {
	const entries = simulator.log.filter((entry) => entry.endpoint === endpoint);
	return {
		answered: entries.filter((entry) => entry.status === 200 && entry.fault === undefined),
		recordedThenLost: entries.filter((entry) => entry.fault?.startsWith('applied-')),
		all: entries,
	};
}

/**
 * (b) for items found in requests by `carries`: an item on a success output went in exactly one
 * request MoEngage answered 200; an error item in none, and in none MoEngage recorded before the
 * answer was lost, unless its error says MoEngage may have recorded it. Returns, per item, how many
 * requests MoEngage recorded it in (answered or lost), for (c).
 */
function checkRequests(
	claims: Claims,
	placed: readonly Placed[],
	requests: ReturnType<typeof requestsOf>,
	carries: (entry: LogEntry, index: number) => boolean,
): number[] {
	return placed.map(({ error }, index) => {
		const answered = requests.answered.filter((entry) => carries(entry, index)).length;
		const lost = requests.recordedThenLost.filter((entry) => carries(entry, index)).length;
		if (error === undefined) {
			claims.that(
				answered === 1,
				`item ${index} (Accepted) went in exactly one request answered 200, not ${answered}`,
			);
		} else {
			claims.that(
				answered === 0,
				`item ${index} (an error) went in no request answered 200, not ${answered}: ${error.message}`,
			);
			claims.that(
				lost === 0 || MAYBE.test(error.message),
				`item ${index}'s error says MoEngage may have recorded it (${lost} lost answers): ${error.message}`,
			);
		}
		return answered + lost;
	});
}

type Element = {
	type: string;
	customer_id: string;
	attributes?: IDataObject;
	actions?: IDataObject[];
};
const elementsOf = (entry: LogEntry) =>
	(entry.body as { elements?: Element[] } | undefined)?.elements ?? [];
const changesArrays = (attributes: IDataObject) =>
	'addValueToArrayField' in attributes || 'removeValueFromArrayField' in attributes;
const listIn = (value: unknown): unknown[] =>
	((value as IDataObject | undefined)?.tags as unknown[] | undefined) ?? [];

describe('every write item ends in exactly one place, and MoEngage holds what the outputs say', () => {
	it('Create or Update: profiles, a later value wins, array changes at most once more after a lost answer', async () => {
		const change = fc.oneof(
			fc.constant({}),
			fc.constantFrom('gold', 'silver', '').map((plan) => ({ plan })),
			fc.constant({ score: '42' }),
			fc.constantFrom('a', 'b', 'c').map((value) => ({ addValueToArrayField: { tags: [value] } })),
			fc.constantFrom('a', 'b').map((value) => ({ removeValueFromArrayField: { tags: [value] } })),
			fc.constantFrom(['x'], ['a', 'x']).map((tags) => ({ tags })),
			fc
				.constantFrom('gold', 'silver')
				.map((plan) => ({ plan, addValueToArrayField: { tags: ['c'] } })),
		);
		const badChange = fc.constantFrom<{ json: Row; mentions: string }>(
			{ json: { id: 'abc' }, mentions: 'the attribute name "id" is blocked' },
			{ json: { moe_secret: 'x' }, mentions: 'moe_ prefix' },
			{
				json: { addValueToArrayField: { tags: ['a'] }, removeValueFromArrayField: { tags: ['b'] } },
				mentions: 'adds to and removes from "tags"',
			},
		);

		await fc.assert(
			fc.asyncProperty(
				itemsFrom(customerItems(change, badChange)),
				faults,
				maxRetries,
				fc.boolean(),
				perMinute(1),
				async (items, faultPlan, retries, resend, usersPerMinute) => {
					// The marker m<index>: each item's own attribute, to find it in the elements and the profiles.
					const rows = items.map((item, index) => ({ ...item.json, [`m${index}`]: 1 }));
					const { outputs, simulator } = await run(
						upsert,
						rows,
						{
							customerId: '={{ $json.customer_id }}',
							attributesFrom: 'item',
							options: {
								maxRetries: retries,
								resendAfterLostAnswer: resend,
								...(usersPerMinute ? { usersPerMinute } : {}),
							},
						},
						faultPlan,
					);
					const resends = resend ? 1 : 0;
					const claims = new Claims();
					const placed = acceptedAsTheyCame(claims, outputs, items, rows);
					placed.forEach(({ error }, index) => {
						const { expected } = items[index];
						if (error !== undefined && expected.valid)
							claims.that(
								error.identifier === expected.key,
								`item ${index}'s error names customer_id "${expected.key}"`,
							);
					});

					// (b) Found by its marker in the elements of the Bulk requests.
					const requests = requestsOf(simulator, 'bulk');
					const elementOf = (entry: LogEntry, index: number) =>
						elementsOf(entry).find(
							(element) =>
								element.type === 'customer' && element.attributes?.[`m${index}`] !== undefined,
						);
					const copies = checkRequests(
						claims,
						placed,
						requests,
						(entry, index) => elementOf(entry, index) !== undefined,
					);
					items.forEach(({ expected }, index) => {
						const elements = requests.all
							.map((entry) => elementOf(entry, index))
							.filter((element) => element !== undefined);
						claims.that(
							expected.valid || elements.length === 0,
							`item ${index} (invalid) was never sent`,
						);
						claims.that(
							elements.every((element) => expected.valid && element.customer_id === expected.key),
							`item ${index} went as customer_id "${(expected as { key?: string }).key}"`,
						);
						// An array change is recorded at most once more after a lost answer, and never with resending off.
						claims.that(
							!elements.some((element) => changesArrays(element.attributes ?? {})) ||
								copies[index] <= 1 + resends,
							`item ${index}'s array change was recorded ${copies[index]} times (resend ${resend ? 'on' : 'off'})`,
						);
					});

					// (c) The profiles: each Accepted item's marker is there, a failed one's only where its error says "may have".
					const customers = new Set(
						items.flatMap(({ expected }) => (expected.valid ? [expected.key] : [])),
					);
					for (const customerId of customers) {
						const profile = simulator.userByCustomerId(customerId);
						const mine = items.flatMap(({ expected }, index) =>
							expected.valid && expected.key === customerId ? [index] : [],
						);
						for (const index of mine) {
							const { error } = placed[index];
							if (error === undefined)
								claims.that(
									profile?.[`m${index}`] === 1,
									`item ${index} (Accepted) is in the profile of "${customerId}"`,
								);
							else if (!MAYBE.test(error.message))
								claims.that(
									profile?.[`m${index}`] === undefined,
									`item ${index} (failed) is not in the profile of "${customerId}"`,
								);
						}
						if (mine.some((index) => placed[index].error !== undefined)) continue;
						// Every item of the customer Accepted: the profile is its items applied in order, a later
						// value winning, each array change applied once, or as often as MoEngage recorded its element.
						let plan: unknown = USERS.find((user) => user.customer_id === customerId)?.plan;
						let score: unknown = undefined;
						let tags: unknown[] = [];
						for (const index of mine) {
							const json = rows[index];
							if (json.plan !== undefined && json.plan !== '') plan = json.plan;
							if (json.score !== undefined) score = json.score;
							if (Array.isArray(json.tags)) tags = [...(json.tags as unknown[])];
							for (let copy = 0; copy < copies[index]; copy++)
								tags.push(...listIn(json.addValueToArrayField));
							const removed = listIn(json.removeValueFromArrayField);
							tags = tags.filter((tag) => !removed.includes(tag));
						}
						const held = {
							plan: profile?.plan,
							score: profile?.score,
							tags: [...((profile?.tags as unknown[] | undefined) ?? [])].sort(),
						};
						const wanted = { plan, score, tags: tags.sort() };
						claims.that(
							isDeepStrictEqual(held, wanted),
							`the profile of "${customerId}" holds ${JSON.stringify(held)}, its items say ${JSON.stringify(wanted)}`,
						);
					}
					// The node checked every element first: MoEngage dropped none of what it accepted.
					claims.that(
						simulator.dropped.length === 0,
						`MoEngage dropped ${JSON.stringify(simulator.dropped)}`,
					);
					expect(claims.broken).toEqual([]);
				},
			),
			{ numRuns: NUM_RUNS },
		);
	});

	it('Track: one event per item, at most once more after a lost answer, never with resending off', async () => {
		const event = fc.oneof(
			fc
				.constantFrom<unknown>('Order Placed', ' Signed Up ', 42)
				.map((name): Row => ({ event: name })),
			fc
				.constantFrom('Order Placed', 'Viewed')
				.map((name): Row => ({ event: name, amount: '12.50' })),
			fc.constant<Row>({ event: 'Order Placed', at: '2026-05-31T16:33:35Z' }),
		);
		const badEvent = fc.constantFrom<{ json: Row; mentions: string }>(
			{ json: { event: '' }, mentions: 'the event name is empty' },
			{ json: { event: '   ' }, mentions: 'the event name is empty' },
			{ json: { event: 'moe_open' }, mentions: 'the event name "moe_open" uses the moe_ prefix' },
			{ json: { event: 'Viewed', moe_flag: 'x' }, mentions: 'the event attribute "moe_flag"' },
			{ json: { event: 'Viewed', at: 'yesterday' }, mentions: 'the event time is "yesterday"' },
		);

		await fc.assert(
			fc.asyncProperty(
				itemsFrom(customerItems(event, badEvent)),
				faults,
				maxRetries,
				fc.boolean(),
				perMinute(1),
				async (items, faultPlan, retries, resend, eventsPerMinute) => {
					// The marker: each item's index as an event attribute, "row".
					const rows = items.map((item, index) => ({ ...item.json, row: index }));
					const { outputs, simulator } = await run(
						track,
						rows,
						{
							customerId: '={{ $json.customer_id }}',
							eventName: '={{ $json.event }}',
							eventTime: '={{ $json.at }}',
							attributesFrom: 'item',
							options: {
								maxRetries: retries,
								resendAfterLostAnswer: resend,
								...(eventsPerMinute ? { eventsPerMinute } : {}),
							},
						},
						faultPlan,
					);
					const resends = resend ? 1 : 0;
					const claims = new Claims();
					const placed = acceptedAsTheyCame(claims, outputs, items, rows);

					// (b) Found by "row" among the actions of the Bulk requests' event elements.
					const requests = requestsOf(simulator, 'bulk');
					const carries = (entry: LogEntry, index: number) =>
						elementsOf(entry).some(
							(element) =>
								element.type === 'event' &&
								(element.actions ?? []).some(
									(action) => (action.attributes as IDataObject | undefined)?.row === index,
								),
						);
					const copies = checkRequests(claims, placed, requests, carries);

					// (c) The events MoEngage recorded: an Accepted item's once, or once more after a lost
					// answer with resending on; a failed one's never, unless its error says "may have".
					const byRow = new Map<unknown, typeof simulator.events>();
					for (const recorded of simulator.events)
						byRow.set(recorded.attributes?.row, [
							...(byRow.get(recorded.attributes?.row) ?? []),
							recorded,
						]);
					items.forEach(({ expected, json }, index) => {
						const events = byRow.get(index) ?? [];
						const { error } = placed[index];
						claims.that(
							events.length === copies[index],
							`item ${index}: ${events.length} events recorded, ${copies[index]} requests recorded it`,
						);
						claims.that(
							events.length <= 1 + resends,
							`item ${index}'s event was recorded ${events.length} times (resend ${resend ? 'on' : 'off'})`,
						);
						if (error === undefined)
							claims.that(events.length >= 1, `item ${index} (Accepted) was recorded`);
						else if (!MAYBE.test(error.message))
							claims.that(events.length === 0, `item ${index} (failed) was not recorded`);
						claims.that(
							expected.valid || events.length === 0,
							`item ${index} (invalid) was not recorded`,
						);
						const attributes =
							json.amount === undefined ? { row: index } : { row: index, amount: json.amount };
						for (const recorded of events) {
							claims.that(
								recorded.customer_id === (expected as { key?: string }).key &&
									recorded.action === String(json.event).trim() &&
									isDeepStrictEqual(recorded.attributes, attributes) &&
									(json.at === undefined || recorded.utc_time === json.at),
								`item ${index}'s event is recorded as it came: ${JSON.stringify(recorded)}`,
							);
						}
					});
					claims.that(
						simulator.dropped.length === 0,
						`MoEngage dropped ${JSON.stringify(simulator.dropped)}`,
					);
					expect(claims.broken).toEqual([]);
				},
			),
			{ numRuns: NUM_RUNS },
		);
	});

	it('Delete: each distinct user once, Deleted or Not Found as MoEngage answered', async () => {
		type DeleteCandidate = Candidate & { known?: boolean };
		const user = fc.constantFrom(...USERS.slice(0, 14));
		const sent = (
			type: string,
			identifier: unknown,
			key: string,
			known: boolean,
		): DeleteCandidate => ({
			json: { type, identifier },
			expected: { valid: true, key },
			known,
		});
		const refused = (type: string, identifier: unknown, mentions: string): DeleteCandidate => ({
			json: { type, identifier },
			expected: { valid: false, mentions },
		});
		const candidate: fc.Arbitrary<DeleteCandidate> = fc.oneof(
			user.map((u) => sent('customer_id', u.customer_id, `customer_id:${u.customer_id}`, true)),
			fc
				.constantFrom(...NUMERIC)
				.map((id) => sent('customer_id', Number(id), `customer_id:${id}`, true)),
			user.map((u) =>
				sent('customer_id', ` ${u.customer_id}  `, `customer_id:${u.customer_id}`, true),
			),
			user.map((u) => sent('moengage_id', u.id, `moengage_id:${u.id}`, true)),
			fc.nat(10).map((n) => sent('customer_id', `nobody-${n}`, `customer_id:nobody-${n}`, false)),
			fc.nat(10).map((n) => sent('moengage_id', `ffff${n}`, `moengage_id:ffff${n}`, false)),
			fc
				.constantFrom<unknown>('', '   ', null, true)
				.map((bad) => refused('customer_id', bad, 'the identifier is')),
			fc.constant(refused('email', 'a@b.c', 'the identifier type is "email"')),
		);

		await fc.assert(
			fc.asyncProperty(
				itemsFrom(candidate),
				faults,
				maxRetries,
				perMinute(1),
				async (items, faultPlan, retries, requestsPerMinute) => {
					const { outputs, simulator } = await run(
						del,
						items.map((item) => item.json),
						{
							identifierType: '={{ $json.type }}',
							identifier: '={{ $json.identifier }}',
							options: { maxRetries: retries, ...(requestsPerMinute ? { requestsPerMinute } : {}) },
						},
						faultPlan,
					);
					const claims = new Claims();
					expect(outputs).toHaveLength(2);
					const placed = placements(outputs, items.length);
					const keyOf = (entry: LogEntry) => {
						const body = entry.body as
							{ identity_type?: string; identity_value?: string } | undefined;
						return `${body?.identity_type}:${body?.identity_value}`;
					};
					const requests = requestsOf(simulator, 'delete').all;
					const keyOfItem = (index: number) => (items[index].expected as { key?: string }).key;
					// MoEngage's 400 "Not Found" with its body cut off (applied-truncated) is a refusal the node
					// cannot read: the item fails with MoEngage's words as far as they came, instead of Not Found.
					const garbled = (index: number, message: string) =>
						items[index].known === false &&
						message.startsWith('MoEngage rejected the request (400): ') &&
						requests.some(
							(entry) =>
								keyOf(entry) === keyOfItem(index) &&
								entry.fault === 'applied-truncated' &&
								entry.status === 400,
						);
					checkPlaces(claims, items, placed, 1, garbled);

					// (b) Deleted: exactly one request answered 200; Not Found: exactly one answered 400 "Not Found";
					// a failed item: none answered 200.
					// (c) MoEngage's deletions: a Deleted user's request is there (again only where an answer
					// was lost: harmless, still within the 24 hours); nothing for Not Found, nor for a failed
					// item unless its error says "may have".
					items.forEach((item, index) => {
						const { output, error, json } = placed[index];
						const mine = requests.filter((entry) => keyOf(entry) === keyOfItem(index));
						const answered = mine.filter(
							(entry) => entry.status === 200 && entry.fault === undefined,
						).length;
						const notFound = mine.filter(
							(entry) => entry.status === 400 && entry.fault === undefined,
						).length;
						const recordable = mine.filter(
							(entry) =>
								(entry.status === 200 && entry.fault === undefined) ||
								entry.fault?.startsWith('applied-'),
						).length;
						const deletions = simulator.deletions.filter(
							(entry) => `${entry.identity_type}:${entry.identity_value}` === keyOfItem(index),
						).length;
						claims.that(
							item.expected.valid || mine.length === 0,
							`item ${index} (invalid) was never sent`,
						);
						if (error === undefined) {
							// A user MoEngage has is Deleted, one it does not is Not Found: the item as it came in.
							claims.that(
								output === (item.known ? 0 : 1),
								`item ${index} is on ${item.known ? 'Deleted' : 'Not Found'}`,
							);
							claims.that(
								isDeepStrictEqual(json, item.json),
								`item ${index} is passed on as it came`,
							);
						}
						if (error === undefined && output === 0) {
							claims.that(
								answered === 1 && notFound === 0,
								`item ${index} (Deleted): ${answered} answered 200, ${notFound} answered Not Found`,
							);
							claims.that(
								deletions >= 1 && deletions <= recordable,
								`item ${index} (Deleted): ${deletions} deletions recorded, ${recordable} requests may have`,
							);
						} else if (error === undefined) {
							claims.that(
								answered === 0 && notFound === 1,
								`item ${index} (Not Found): ${answered} answered 200, ${notFound} answered Not Found`,
							);
							claims.that(
								deletions === 0,
								`item ${index} (Not Found): ${deletions} deletions recorded`,
							);
						} else {
							claims.that(
								answered === 0,
								`item ${index} (an error) went in no request answered 200: ${error.message}`,
							);
							claims.that(
								deletions === 0 || MAYBE.test(error.message),
								`item ${index}'s error says MoEngage may have deleted it: ${error.message}`,
							);
						}
					});
					expect(claims.broken).toEqual([]);
				},
			),
			{ numRuns: NUM_RUNS },
		);
	});

	it('Merge: each distinct pair once; a pair the run cannot apply is refused by item, the others all sent', async () => {
		const ids = [...KNOWN.slice(0, 6), 'new-0', 'new-1'];
		const id = fc.oneof(
			fc.constantFrom(...ids).map((value) => ({ raw: value as unknown, id: value })),
			fc.constantFrom(...NUMERIC).map((value) => ({ raw: Number(value) as unknown, id: value })),
		);
		const candidate: fc.Arbitrary<Candidate> = fc.oneof(
			{
				weight: 8,
				arbitrary: fc.tuple(id, id).map(([merged, retained]): Candidate => ({
					json: { merged: merged.raw, retained: retained.raw },
					expected:
						merged.id === retained.id
							? { valid: false, mentions: 'a user cannot be merged into itself' }
							: { valid: true, key: `${merged.id} → ${retained.id}` },
				})),
			},
			{
				weight: 1,
				arbitrary: fc.tuple(badCustomer, id).map(([bad, retained]): Candidate => ({
					json: { merged: bad.raw, retained: retained.raw },
					expected: {
						valid: false,
						mentions: bad.mentions.replace('the Customer ID', 'the Merged Customer ID'),
					},
				})),
			},
			{
				weight: 1,
				arbitrary: fc.tuple(id, badCustomer).map(([merged, bad]): Candidate => ({
					json: { merged: merged.raw, retained: bad.raw },
					expected: {
						valid: false,
						mentions: bad.mentions.replace('the Customer ID', 'the Retained Customer ID'),
					},
				})),
			},
		);

		await fc.assert(
			fc.asyncProperty(
				itemsFrom(candidate),
				faults,
				maxRetries,
				pairsPerRequest,
				perMinute(2),
				async (generated, faultPlan, retries, pairs, userUpdatesPerMinute) => {
					// Merges are not transitive: a pair that meets an earlier one (a user merged away, or kept,
					// by an earlier item) is refused, naming that item. The rule, in item order:
					const mergedBy = new Map<string, { index: number; into: string }>();
					const retainedBy = new Map<string, number>();
					const items = generated.map((item, index): Candidate => {
						if (!item.expected.valid) return item;
						const [merged, retained] = item.expected.key.split(' → ');
						const earlier = mergedBy.get(merged);
						if (earlier !== undefined && earlier.into === retained) return item;
						const refused = (mentions: string): Candidate => ({
							...item,
							expected: { valid: false, mentions },
						});
						if (earlier !== undefined)
							return refused(
								`"${merged}" is merged into "${earlier.into}" by item ${earlier.index}`,
							);
						const kept = retainedBy.get(merged);
						if (kept !== undefined)
							return refused(`"${merged}" is the retained user of item ${kept}`);
						const gone = mergedBy.get(retained);
						if (gone !== undefined)
							return refused(`"${retained}" is merged into "${gone.into}" by item ${gone.index}`);
						mergedBy.set(merged, { index, into: retained });
						if (!retainedBy.has(retained)) retainedBy.set(retained, index);
						return item;
					});
					const { outputs, simulator } = await run(
						merge,
						items.map((item) => item.json),
						{
							mergedCustomerId: '={{ $json.merged }}',
							retainedCustomerId: '={{ $json.retained }}',
							options: {
								maxRetries: retries,
								pairsPerRequest: pairs,
								...(userUpdatesPerMinute ? { userUpdatesPerMinute } : {}),
							},
						},
						faultPlan,
					);
					const claims = new Claims();
					expect(outputs).toHaveLength(1);
					const placed = placements(outputs, items.length);
					checkPlaces(claims, items, placed, 0);

					// (b) Found by its pair in merge_data.
					const requests = requestsOf(simulator, 'merge');
					const pairOf = (index: number) => (items[index].expected as { key?: string }).key;
					const pairsIn = (entry: LogEntry) =>
						(entry.body as { merge_data: Array<{ merged_user: string; retained_user: string }> })
							.merge_data;
					checkRequests(claims, placed, requests, (entry, index) =>
						pairsIn(entry).some(
							(pair) => `${pair.merged_user} → ${pair.retained_user}` === pairOf(index),
						),
					);
					// Within Pairs per Request, and within the per-minute limit: a pair counts 2 user updates.
					const most = Math.min(pairs, Math.floor((userUpdatesPerMinute ?? Infinity) / 2));
					for (const entry of requests.all)
						claims.that(
							pairsIn(entry).length <= most,
							`a request carried ${pairsIn(entry).length} pairs, at most ${most}`,
						);

					// (c) What MoEngage did with each pair: an Accepted pair of two users it has is merged
					// (again only after a lost answer: harmless), one naming a user it does not have is skipped,
					// as MoEngage does without a word; a failed pair neither, unless its error says "may have".
					const known = new Set(USERS.map((user) => user.customer_id));
					items.forEach((item, index) => {
						const pair = pairOf(index);
						const merges = simulator.merges.filter(
							(entry) => `${entry.merged_user} → ${entry.retained_user}` === pair,
						).length;
						const skipped = simulator.dropped.filter(
							(entry) =>
								entry.endpoint === 'merge' &&
								`${entry.merged_user} → ${entry.retained_user}` === pair,
						).length;
						const { error } = placed[index];
						if (!item.expected.valid)
							claims.that(merges + skipped === 0, `item ${index} (refused) reached MoEngage`);
						else if (error !== undefined) {
							claims.that(
								merges + skipped === 0 || MAYBE.test(error.message),
								`item ${index}'s error says MoEngage may have merged it: ${error.message}`,
							);
						} else {
							const [merged, retained] = (pair as string).split(' → ');
							const both = known.has(merged) && known.has(retained);
							claims.that(
								both ? merges >= 1 && skipped === 0 : merges === 0 && skipped >= 1,
								`item ${index} (Accepted, ${both ? 'both users known' : 'a user unknown'}): ${merges} merges, ${skipped} skipped`,
							);
						}
					});
					expect(claims.broken).toEqual([]);
				},
			),
			{ numRuns: NUM_RUNS },
		);
	});
	it('Segment: each change of a customer in a segment once, in item order; the segment holds what the outputs say', async () => {
		const SEGMENTS = ['Leads', 'Buyers', 'VIP 2026'];
		const valid = fc.record({
			segment: fc.constantFrom(...SEGMENTS),
			action: fc.constantFrom('add', 'remove', 'Remove', ' add '),
		});
		const bad = fc.constantFrom<{ json: Row; mentions: string }>(
			{
				json: { segment: '.hidden', action: 'add' },
				mentions: 'MoEngage refuses a name that starts with "."',
			},
			{ json: { segment: 'a|b', action: 'add' }, mentions: 'MoEngage refuses a name with "|"' },
			{ json: { segment: '', action: 'remove' }, mentions: 'the Segment Name is empty' },
			{ json: { segment: 'Leads', action: 'subscribe' }, mentions: 'the Action is "subscribe"' },
		);
		const actionOf = (row: Row) =>
			String(row.action).trim().toLowerCase() === 'add' ? 'add_members' : 'remove_members';

		await fc.assert(
			fc.asyncProperty(
				itemsFrom(customerItems(valid, bad)),
				faults,
				maxRetries,
				perMinute(1),
				async (items, faultPlan, retries, requestsPerMinute) => {
					const rows = items.map((item) => item.json);
					const { outputs, simulator } = await run(
						addOrRemoveUsers,
						rows,
						{
							memberAction: '={{ $json.action }}',
							customerId: '={{ $json.customer_id }}',
							segmentName: '={{ $json.segment }}',
							options: { maxRetries: retries, ...(requestsPerMinute ? { requestsPerMinute } : {}) },
						},
						faultPlan,
					);
					const claims = new Claims();
					const placed = acceptedAsTheyCame(claims, outputs, items, rows);

					// The runs of each customer in each segment: consecutive items of the same action are one
					// change, sent once; a change of action is another, sent after the one before.
					type Change = { action: string; indexes: number[] };
					const changes = new Map<string, Change[]>();
					items.forEach((item, index) => {
						if (!item.expected.valid) return;
						const key = `${String(rows[index].segment)}\u0000${item.expected.key}`;
						const list = changes.get(key) ?? [];
						if (list.length === 0) changes.set(key, list);
						const last = list[list.length - 1];
						if (last?.action === actionOf(rows[index])) last.indexes.push(index);
						else list.push({ action: actionOf(rows[index]), indexes: [index] });
					});

					const requests = requestsOf(simulator, 'cohortSync');
					const carrying = (entries: LogEntry[], segment: string, uid: string) =>
						entries
							.map((entry) => entry.body as { action: string; parameters: IDataObject })
							.filter(
								(body) =>
									body.parameters.cohort_id === segment &&
									(body.parameters.members as Array<{ uid: string }>).some(
										(member) => member.uid === uid,
									),
							)
							.map((body) => body.action);
					const known = new Set(USERS.map((user) => user.customer_id));
					for (const [key, list] of changes) {
						const [segment, uid] = key.split('\u0000');
						// A change is one unit: its items share one fate.
						const fates = list.map(({ indexes }) => {
							const failed = indexes.filter((index) => placed[index].error !== undefined);
							claims.that(
								failed.length === 0 || failed.length === indexes.length,
								`items ${indexes.join(', ')} (one change of ${uid} in ${segment}) share one fate`,
							);
							return failed.length === 0;
						});
						// (b) MoEngage answered 200 to exactly the accepted changes, in item order.
						const accepted = list.filter((_, n) => fates[n]).map(({ action }) => action);
						const answered = carrying(requests.answered, segment, uid);
						claims.that(
							isDeepStrictEqual(answered, accepted),
							`${uid} in ${segment}: answered ${answered.join(' → ')}, accepted ${accepted.join(' → ')}`,
						);
						// A change MoEngage recorded before its answer was lost, and never answered for: its
						// items say that MoEngage may have applied it.
						const lost = carrying(requests.recordedThenLost, segment, uid);
						list.forEach(({ action, indexes }, n) => {
							if (fates[n] || !lost.includes(action) || accepted.includes(action)) return;
							for (const index of indexes)
								claims.that(
									MAYBE.test(placed[index].error?.message ?? ''),
									`item ${index}'s error says MoEngage may have applied it: ${placed[index].error?.message}`,
								);
						});
						// (c) With every change accepted, the segment holds the customer as the last one says,
						// and only a user MoEngage has ("does not create new users").
						if (fates.every(Boolean)) {
							const member = simulator.segmentMembers(segment)?.includes(uid) ?? false;
							const expected = known.has(uid) && list[list.length - 1].action === 'add_members';
							claims.that(
								member === expected,
								`${uid} is ${member ? '' : 'not '}a member of ${segment} after ${list.map(({ action }) => action).join(' → ')}`,
							);
						}
					}
					// Nothing refused before sending reached MoEngage.
					for (const entry of requests.all) {
						const body = entry.body as { parameters: { cohort_name: string } };
						claims.that(
							SEGMENTS.includes(body.parameters.cohort_name),
							`a request named the segment ${body.parameters.cohort_name}`,
						);
					}
					expect(claims.broken).toEqual([]);
				},
			),
			{ numRuns: NUM_RUNS },
		);
	});
});
