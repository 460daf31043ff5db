/**
 * Property of Message → Send (Inform), as writes.property.test.ts has it for the writes: whatever
 * the items (rows that repeat an order with the same message, rows that give another message an
 * order ID already used, blank and whitespace order IDs, order IDs as numbers, blank recipients,
 * or no Transaction ID at all, so that the node makes one per item), whether the workflow already
 * ran on the first rows a moment before, and whatever MoEngage does (a random seeded schedule of
 * 429s, 5xx, resets, hangs, garbled answers, and answers lost after MoEngage took the message),
 * with continue-on-fail on and Max Retries 3–20:
 *
 * (a) every input item ends in exactly one place, Sent or an error item, linked to its input by
 *     pairedItem; an invalid item is an error item naming the item and its problem, an item that
 *     gives another message an order ID already used names the item that has it; the items of one
 *     message share one fate; a valid item fails only as the faults (or an earlier run) explain;
 * (b) an item on Sent was sent: exactly one message with its transaction_id was taken in this run,
 *     carrying the item's recipients and attributes, and its request_id is that message's — or, on
 *     Sent with accepted_earlier, none was taken in this run and the earlier run's is the one;
 * (c) a message reported unsent was not sent: an error item that does not say MoEngage "may have"
 *     taken it has no message with its transaction_id taken in this run — unless that ID is another
 *     message's of the run (the item was refused for reusing it, or is invalid), and then what was
 *     taken is that other message; a "duplicate … not sent" error only for an order ID the earlier
 *     run got accepted;
 * (d) never two messages with one transaction_id: none taken twice in one run, none within
 *     MoEngage's 5-minute window of another, and no copy sent later than INFORM_RESEND_WITHIN_MS
 *     after the first copy of its message whose fate was unknown (an answer lost or cut off, a
 *     5xx), read from the simulator's log timestamps;
 * (e) neither the Inform key nor the Data key appears in any output item or log line.
 *
 * Each run is Send whole (execute), on a fake n8n context and a simulated clock: backoffs, 429
 * waits and 30-second hangs cost no real time. The clock is VirtualClock, not FakeClock: FakeClock
 * adds up the sleeps of the requests in flight at once, so another request's backoff could fall
 * between the node's resend check and the copy it lets go, and (d)'s timestamps would not be the
 * time that passed; VirtualClock moves time on only once every request waits, as real time does.
 * The simulator's clock is the same one, so its log and its 5-minute window follow it, and a hang
 * costs the node's Timeout on it. fake-n8n.ts knows the Data credential only: the context is
 * wrapped here to hand the node the Inform credential (Basic auth with the Inform key, through the
 * fake's credential override), and the execution, instance and workflow IDs the node's generated
 * transaction IDs are made of. The node's backoff jitter is seeded with the fault schedule, so a
 * counterexample replays. A run's broken claims are collected and asserted at once.
 */
import { isDeepStrictEqual } from 'node:util';

import fc from 'fast-check';
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeParameters,
} from 'n8n-workflow';

import { generatedPrefix, sendMessage } from '../nodes/MoEngage/resources/message/send';
import { INFORM_RESEND_WITHIN_MS } from '../nodes/MoEngage/shared/limits';
import {
	APPLIED_FAULT_KINDS,
	createSimulator,
	FAULT_KINDS,
	randomFrom,
	type AppliedFaultKind,
	type FaultKind,
	type InformMessage,
	type LogEntry,
	type Simulator,
} from '../simulator/simulator';
import { VirtualClock } from './support/virtual-clock';
import { fakeExecuteFunctions, freshWorkspace } from './support/fake-n8n';
import { leakedFragments } from './support/secrets';

const NUM_RUNS = 500;

type FaultPlan = { rate: number; seed: number; kinds: Array<FaultKind | AppliedFaultKind> };

/** Any fault, those after which MoEngage had taken the message included; now and then none. */
const faults: fc.Arbitrary<FaultPlan> = fc.record({
	rate: fc.oneof(
		{ weight: 1, arbitrary: fc.constant(0) },
		{ weight: 3, arbitrary: fc.double({ min: 0.05, max: 0.45, noNaN: true }) },
		// A bad spell: most copies meet a fault, and hangs and backoffs run past the resend window.
		{ weight: 2, arbitrary: fc.double({ min: 0.5, max: 0.9, noNaN: true }) },
	),
	seed: fc.nat(),
	kinds: fc.subarray<FaultKind | AppliedFaultKind>([...FAULT_KINDS, ...APPLIED_FAULT_KINDS], {
		minLength: 1,
	}),
});

/** Inform's own default is 3: a schedule often outlasts it, and the item then says so. */
const maxRetries = fc.integer({ min: 3, max: 20 });

/** An item's JSON as a sheet gives it. */
type Row = Record<string, unknown>;

/** An order ID as a sheet gives it: text, text with spaces around, a number, or blank. */
const orderId = fc.oneof(
	{ weight: 4, arbitrary: fc.nat(4).map((n): unknown => `ORD-${n}`) },
	{ weight: 1, arbitrary: fc.nat(4).map((n): unknown => `  ORD-${n} `) },
	{ weight: 1, arbitrary: fc.constantFrom<unknown>(1001, 1002) },
	{ weight: 1, arbitrary: fc.constantFrom<unknown>('1001', '1002') },
	{ weight: 1, arbitrary: fc.constantFrom<unknown>('', '   ') },
);

const row: fc.Arbitrary<Row> = fc.record(
	{
		order_id: orderId,
		phone: fc.oneof(
			{ weight: 4, arbitrary: fc.nat(2).map((n): unknown => `+4915112345${n}`) },
			{ weight: 1, arbitrary: fc.constant<unknown>(4915112345009) },
			{ weight: 1, arbitrary: fc.constantFrom<unknown>('', '  ') },
		),
		email: fc.oneof(
			{ weight: 4, arbitrary: fc.nat(2).map((n): unknown => `buyer${n}@example.com`) },
			{ weight: 1, arbitrary: fc.constantFrom<unknown>('', ' ') },
		),
		first_name: fc.constantFrom('Ada', 'Bo'),
		customer_id: fc.constantFrom<unknown>('cust-1', 'cust-2', 7),
	},
	{ requiredKeys: ['order_id', 'phone', 'email', 'first_name'] },
);

/** A pool of rows, then items drawn from it: repeats are the rule, as in real sheets. */
const rows = fc
	.array(row, { minLength: 1, maxLength: 12, size: 'max' })
	.chain((pool) =>
		fc
			.array(fc.nat(pool.length - 1), { minLength: 1, maxLength: 40, size: 'max' })
			.map((picks) => picks.map((pick) => pool[pick])),
	);

type Channel = 'SMS' | 'EMAIL';

const CHANNEL = {
	SMS: { name: 'SMS', recipient: 'mobile number', field: 'phone' },
	EMAIL: { name: 'Email', recipient: 'email address', field: 'email' },
} as const;

interface Settings {
	channels: Channel[];
	/** The Transaction ID left empty: the node makes one per item. */
	generated: boolean;
	withUserId: boolean;
}

const parametersOf = (settings: Settings, retries: number): INodeParameters => ({
	alertBy: 'referenceName',
	alertReferenceName: 'order_shipped',
	...(settings.withUserId ? { userId: '={{ $json.customer_id }}' } : {}),
	...(settings.generated ? {} : { transactionId: '={{ $json.order_id }}' }),
	channels: settings.channels,
	attributesFrom: 'pairs',
	smsRecipient: '={{ $json.phone }}',
	smsAttributes: {
		attribute: [
			{ name: 'first_name', value: '={{ $json.first_name }}' },
			{ name: 'order_id', value: '={{ $json.order_id }}' },
		],
	},
	emailRecipient: '={{ $json.email }}',
	emailAttributes: { attribute: [{ name: 'order_id', value: '={{ $json.order_id }}' }] },
	options: { maxRetries: retries },
});

/** An identifier as the node reads it: trimmed text, a number as text; or what is wrong with it. */
function identifier(value: unknown): { id: string } | { problem: string } {
	if (typeof value === 'number') return { id: String(value) };
	if (typeof value !== 'string') return { problem: 'is not a text or number' };
	if (value.trim() !== '') return { id: value.trim() };
	return { problem: value === '' ? 'is empty' : 'is only whitespace' };
}

/** What an item should come to, from its row alone. */
type Expected =
	| { kind: 'invalid'; mentions: string; id?: string }
	/** Valid, but its ID is item `leader`'s, with another message. */
	| { kind: 'reused'; id: string; leader: number }
	/** One item of the message of item `leader` (itself, or a repeat of it). */
	| { kind: 'message'; id: string; leader: number; userId?: string; payloads: IDataObject };

/** The message of each item, as the node builds it: transaction ID, user ID, payloads by channel. */
function expectations(items: readonly Row[], settings: Settings, prefix: string): Expected[] {
	const firstOf = new Map<string, { index: number; content: string }>();
	return items.map((json, index): Expected => {
		let id: string;
		if (settings.generated) id = `${prefix}-${index}`;
		else {
			const read = identifier(json.order_id);
			if ('problem' in read)
				return { kind: 'invalid', mentions: `the Transaction ID ${read.problem}` };
			id = read.id;
		}
		let userId: string | undefined;
		if (settings.withUserId && json.customer_id !== undefined) {
			const read = identifier(json.customer_id);
			if ('problem' in read)
				return { kind: 'invalid', mentions: `the User ID ${read.problem}`, id };
			userId = read.id;
		}
		const payloads: IDataObject = {};
		for (const channel of (['SMS', 'EMAIL'] as const).filter((c) =>
			settings.channels.includes(c),
		)) {
			const { name, recipient, field } = CHANNEL[channel];
			const read = identifier(json[field]);
			if ('problem' in read)
				return {
					kind: 'invalid',
					mentions: `the ${name} Recipient (${recipient}) ${read.problem}`,
					id,
				};
			payloads[channel] = {
				recipient: read.id,
				personalized_attributes:
					channel === 'SMS'
						? { first_name: json.first_name, order_id: json.order_id }
						: { order_id: json.order_id },
			} as IDataObject;
		}
		const content = JSON.stringify({ userId: userId ?? null, payloads });
		const first = firstOf.get(id);
		if (first === undefined) firstOf.set(id, { index, content });
		else if (first.content !== content) return { kind: 'reused', id, leader: first.index };
		return { kind: 'message', id, leader: first?.index ?? index, userId, payloads };
	});
}

/** Whether MoEngage took `message` as the item's own: its recipients, attributes and user. */
const carries = (message: InformMessage, expected: Expected): boolean =>
	expected.kind === 'message' &&
	message.alertReferenceName === 'order_shipped' &&
	message.userId === expected.userId &&
	isDeepStrictEqual(message.payloads, expected.payloads);

const MAYBE = /MoEngage may have (taken|applied|recorded) it/;
const DUPLICATE = /as a duplicate \(409 Duplicate Transaction ID\).*so this one was not sent/;
/** Why a valid item may still fail without "may have": the schedule outlasted Max Retries. */
const OUTLASTED = /gave up after \d+ tries/;

/** The claims a run broke, in words: asserted once, at the end of the run. */
class Claims {
	readonly broken: string[] = [];

	that(holds: boolean, claim: string): void {
		if (!holds) this.broken.push(claim);
	}
}

/**
 * fake-n8n's context with the Inform credential in place of the Data credential (its data, with
 * the Inform key, stands in for it), and the IDs n8n gives an execution.
 */
function informContext(
	simulator: Simulator,
	items: Row[],
	parameters: INodeParameters,
	clock: VirtualClock,
	executionId: string,
) {
	const fake = fakeExecuteFunctions({
		simulator,
		items,
		parameters,
		properties: sendMessage.properties,
		continueOnFail: true,
		clock,
		credentials: {
			baseUrl: 'http://simulator',
			sandboxUrl: 'http://simulator/sandbox',
			endpoint: 'current',
			apiKey: simulator.config.informKey,
		},
	});
	const inner = fake.context;
	const asData = (type: string) => {
		if (type !== 'moEngageInformApi')
			throw new Error(`Message → Send asked for the credential "${type}"`);
		return 'moEngageApi';
	};
	const context = {
		...inner,
		getCredentials: async (type: string) => await inner.getCredentials(asData(type)),
		getExecutionId: () => executionId,
		getInstanceId: () => 'fake-instance',
		getWorkflow: () => ({ id: 'workflow-1', name: 'Orders', active: false }),
		helpers: {
			...inner.helpers,
			httpRequestWithAuthentication: async (type: string, request: IHttpRequestOptions) =>
				await inner.helpers.httpRequestWithAuthentication.call(inner, asData(type), request),
		},
	} as unknown as IExecuteFunctions;
	return { context, logs: fake.logs };
}

let executions = 0;

type Placed = {
	json: IDataObject;
	error?: { message: string; identifier?: string };
	moengage?: IDataObject;
};

/** (a) Each input item exactly once on the one output, by pairedItem; then, by item index, where it went. */
function placements(outputs: INodeExecutionData[][], count: number): Placed[] {
	expect(outputs).toHaveLength(1);
	const placed: Array<[number, Placed]> = outputs[0].map((item): [number, Placed] => [
		(item.pairedItem as { item: number }).item,
		{
			json: item.json,
			error: item.json.error as Placed['error'],
			moengage: item.json.moengage as IDataObject | undefined,
		},
	]);
	expect(placed.map(([index]) => index).sort((a, b) => a - b)).toEqual(
		Array.from({ length: count }, (_, index) => index),
	);
	const byIndex: Placed[] = [];
	for (const [index, place] of placed) byIndex[index] = place;
	return byIndex;
}

/** A copy whose fate the node cannot know: no answer, a cut-off or garbled 200, a 5xx. */
const fateUnknown = (entry: LogEntry) =>
	entry.status === 0 || entry.status >= 500 || (entry.status === 200 && entry.fault !== undefined);

describe('Message → Send: every item ends in one place, and each message is sent at most once', () => {
	it('Sent means MoEngage took it once; unsent means it did not; no copy after the resend window', async () => {
		await fc.assert(
			fc.asyncProperty(
				rows,
				fc.record({
					channels: fc.constantFrom<Channel[]>(['SMS'], ['EMAIL'], ['SMS', 'EMAIL']),
					generated: fc.boolean(),
					withUserId: fc.boolean(),
				}),
				faults,
				maxRetries,
				// The workflow ran on the first rows a moment before (the same execution, for Retry On Fail).
				fc.option(
					fc.record({
						rows: fc.integer({ min: 1, max: 40 }),
						gapMs: fc.integer({ min: 0, max: 240_000 }),
						sameExecution: fc.boolean(),
					}),
					{ nil: undefined, freq: 2 },
				),
				async (items, settings, faultPlan, retries, earlier) => {
					const clock = new VirtualClock();
					clock.time = Date.now();
					const { workspaceId } = freshWorkspace();
					// Keys of letters only: no run of their characters is a number an output happens to hold.
					const letters = workspaceId.toLowerCase().replace(/\d/g, (digit) => 'qrstuvwxyz'[+digit]);
					const simulator = createSimulator({
						workspaceId,
						apiKey: `data-secret-${letters}`,
						informKey: `inform-secret-${letters}`,
						users: 1,
						faults: faultPlan,
						now: clock.now,
					});
					const parameters = parametersOf(settings, retries);
					// The node's backoff jitter, seeded: a counterexample replays.
					const random = randomFrom(faultPlan.seed + 1);
					const mainExecution = `exec-${++executions}`;

					// The earlier run: the first rows, without faults.
					const logs: string[] = [];
					const earlierOutputs: INodeExecutionData[][] = [];
					if (earlier !== undefined) {
						const execution = earlier.sameExecution ? mainExecution : `exec-${++executions}`;
						const first = informContext(
							simulator,
							items.slice(0, earlier.rows),
							parameters,
							clock,
							execution,
						);
						simulator.config.faults.rate = 0;
						earlierOutputs.push(
							...(await clock.run(sendMessage.execute(first.context, { clock, random }))),
						);
						simulator.config.faults.rate = faultPlan.rate;
						logs.push(...first.logs);
						clock.time += earlier.gapMs;
					}
					const heldBefore = simulator.informMessages.length;
					const loggedBefore = simulator.log.length;
					const earlierIds = new Set(
						simulator.informMessages.map((message) => message.transactionId),
					);

					const main = informContext(simulator, items, parameters, clock, mainExecution);
					const outputs = await clock.run(
						sendMessage.execute(main.context, {
							clock,
							random,
						}),
					);
					logs.push(...main.logs);
					const expected = expectations(items, settings, generatedPrefix(main.context));
					const claims = new Claims();
					const placed = placements(outputs, items.length);
					const taken = simulator.informMessages.slice(heldBefore);
					const takenWith = (id: string) => taken.filter((message) => message.transactionId === id);
					const earlierWith = (id: string) =>
						simulator.informMessages
							.slice(0, heldBefore)
							.filter((message) => message.transactionId === id);
					// The message whose ID an item has: the leader of that ID among the valid items.
					const messageOf = new Map<string, number>();
					expected.forEach((item, index) => {
						if (item.kind === 'message' && !messageOf.has(item.id)) messageOf.set(item.id, index);
					});

					items.forEach((json, index) => {
						const item = expected[index];
						const { error, moengage } = placed[index];
						const message = error?.message ?? '';
						// (a) Invalid and reused items are error items that name them.
						if (item.kind === 'invalid') {
							claims.that(
								message.startsWith(`Item ${index}: `) && message.includes(item.mentions),
								`item ${index}'s error names it and says "${item.mentions}": ${message}`,
							);
						} else if (item.kind === 'reused') {
							claims.that(
								message.startsWith(`Item ${index}: `) &&
									message.includes(`"${item.id}" is item ${item.leader}'s too`),
								`item ${index}'s error says its Transaction ID "${item.id}" is item ${item.leader}'s: ${message}`,
							);
						} else {
							// (a) The items of one message share its fate.
							const leader = placed[item.leader];
							claims.that(
								isDeepStrictEqual(error, leader.error) &&
									isDeepStrictEqual(moengage, leader.moengage),
								`item ${index} shares the fate of item ${item.leader}, whose message it repeats`,
							);
						}

						if (error === undefined) {
							// (b) On Sent: as it came, with what MoEngage said; the message taken once, in this run.
							const { moengage: _, ...passed } = placed[index].json;
							claims.that(
								item.kind === 'message' && isDeepStrictEqual(passed, json),
								`item ${index} (Sent) is valid and passed on as it came`,
							);
							if (item.kind !== 'message') return;
							claims.that(
								moengage?.transaction_id === item.id,
								`item ${index} (Sent) carries transaction_id "${item.id}": ${JSON.stringify(moengage)}`,
							);
							const mine = takenWith(item.id);
							const before = earlierWith(item.id);
							if (moengage?.accepted_earlier === true) {
								claims.that(
									mine.length === 1 || (mine.length === 0 && before.length === 1),
									`item ${index} (Sent, accepted earlier): ${mine.length} messages "${item.id}" taken in this run, ${before.length} in the earlier`,
								);
								claims.that(
									moengage.request_id === undefined,
									`item ${index} (accepted earlier) has no request_id of its own`,
								);
							} else {
								claims.that(
									mine.length === 1 && mine[0].requestId === moengage?.request_id,
									`item ${index} (Sent) has request_id ${String(moengage?.request_id)}, of exactly one message "${item.id}" taken in this run: ${JSON.stringify(mine.map((m) => m.requestId))}`,
								);
							}
							for (const held of [...mine, ...before])
								claims.that(
									carries(held, item),
									`item ${index} (Sent): MoEngage holds "${item.id}" with its content: ${JSON.stringify(held)}`,
								);
							return;
						}

						// An error item on the one output, naming what it is about.
						if (item.kind === 'message') {
							claims.that(
								error.identifier === item.id,
								`item ${index}'s error names transaction_id "${item.id}": ${String(error.identifier)}`,
							);
							claims.that(
								OUTLASTED.test(message) || MAYBE.test(message) || DUPLICATE.test(message),
								`item ${index} (valid) failed only as the faults or an earlier run explain: ${message}`,
							);
						}
						if (DUPLICATE.test(message)) {
							claims.that(
								item.kind === 'message' &&
									!settings.generated &&
									earlierIds.has(item.id) &&
									takenWith(item.id).length === 0,
								`item ${index} is a duplicate only of a message the earlier run got accepted, none taken now: ${message}`,
							);
						}
						// (c) Not "may have": nothing of this item was taken in this run.
						if (MAYBE.test(message) || item.id === undefined) return;
						const held = takenWith(item.id);
						if (item.kind === 'message') {
							claims.that(
								held.length === 0,
								`item ${index} failed without "may have", yet ${held.length} messages "${item.id}" were taken: ${message}`,
							);
						} else {
							// Its ID is another message's (or none's): only that one may have been taken.
							const owner = messageOf.get(item.id);
							claims.that(
								held.every((taken) => owner !== undefined && carries(taken, expected[owner])),
								`item ${index} (refused) was not sent: the messages "${item.id}" taken are item ${String(owner)}'s`,
							);
						}
					});

					// (d) Never two messages with one transaction_id: once per run, and never within 5 minutes.
					const byId = new Map<string, InformMessage[]>();
					for (const message of simulator.informMessages)
						byId.set(message.transactionId, [...(byId.get(message.transactionId) ?? []), message]);
					for (const [id, messages] of byId) {
						claims.that(
							messages.filter((message) => taken.includes(message)).length <= 1,
							`"${id}" was taken more than once in this run`,
						);
						for (let n = 1; n < messages.length; n++)
							claims.that(
								messages[n].acceptedAt - messages[n - 1].acceptedAt >=
									simulator.config.informDuplicateWindowMs,
								`"${id}" was taken twice within ${simulator.config.informDuplicateWindowMs} ms`,
							);
					}
					// (d) No copy left later than INFORM_RESEND_WITHIN_MS after its message's first copy of unknown fate.
					const copies = new Map<string, LogEntry[]>();
					for (const entry of simulator.log.slice(loggedBefore)) {
						if (entry.endpoint !== 'inform') continue;
						const id = (entry.body as { transaction_id?: string } | undefined)?.transaction_id;
						claims.that(id !== undefined, `an Inform request carried no transaction_id`);
						if (id !== undefined) copies.set(id, [...(copies.get(id) ?? []), entry]);
					}
					for (const [id, entries] of copies) {
						const first = entries.findIndex(fateUnknown);
						if (first < 0) continue;
						for (const entry of entries.slice(first + 1))
							claims.that(
								entry.at - entries[first].at <= INFORM_RESEND_WITHIN_MS,
								`a copy of "${id}" left ${entry.at - entries[first].at} ms after its first copy of unknown fate (${entries[first].fault ?? entries[first].status})`,
							);
					}

					// (e) Neither key in what the user sees.
					const secrets = [simulator.config.informKey, simulator.config.apiKey];
					const seen = JSON.stringify([earlierOutputs, outputs, logs]);
					claims.that(
						leakedFragments(seen, secrets).length === 0,
						`an API key shows in the outputs or the log: ${leakedFragments(seen, secrets).join(', ')}`,
					);
					expect(claims.broken).toEqual([]);
				},
			),
			{ numRuns: NUM_RUNS, interruptAfterTimeLimit: 25_000 },
		);
	});
});
