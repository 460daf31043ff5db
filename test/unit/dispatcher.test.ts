import { WaitCancelled, WorkspaceBudget } from '../../nodes/MoEngage/shared/budget';
import { backoffMs, dispatch, type DispatchPolicy } from '../../nodes/MoEngage/shared/dispatcher';
import { blame400, planLookups } from '../../nodes/MoEngage/resources/user/get';
import {
	matchAnswer,
	type ExportAnswer,
	type Lookup,
	type Outcome,
} from '../../nodes/MoEngage/resources/user/get/answers';
import { packBatches } from '../../nodes/MoEngage/shared/packing';
import type { UnitResult } from '../../nodes/MoEngage/shared/dispatcher';
import type { Exchange as AnyExchange } from '../../nodes/MoEngage/shared/transport';

type Exchange = AnyExchange<ExportAnswer>;

/** found / notFound / missing for a settled lookup, failed for a failed one. */
const kindOf = (result: UnitResult<Outcome> | undefined) =>
	result?.kind === 'settled' ? result.outcome.kind : result?.kind;
import { FakeClock } from '../support/fake-clock';
import { createSimulator, inMemorySend } from '../support/in-memory-moengage';

const policy: DispatchPolicy = {
	unitsPerMinute: 1_000_000,
	maxRetries: 5,
	concurrency: 4,
	stopOnFailure: false,
	unit: 'users',
};

const lookupsOf = (identifiers: string[]): Lookup[] =>
	planLookups(
		identifiers.map((identifier) => ({ ok: true, part: { type: 'customer_id', identifier } })),
	).units;

function setUp(options: { users?: number; poison?: string[] } = {}) {
	const simulator = createSimulator({
		users: options.users ?? 100,
		usersPerWindow: 1e9,
		poison: options.poison,
	});
	const clock = new FakeClock();
	const lines: string[] = [];
	// Get Users' io: the dispatcher's policy is shown on its lookups.
	const io = {
		send: inMemorySend(simulator),
		settle: matchAnswer,
		weight: (batch: readonly Lookup[]) => batch.length,
		blame400,
		budget: new WorkspaceBudget(),
		clock,
		log: (line: string) => lines.push(line),
		random: () => 0.5,
	};
	return { simulator, clock, lines, io };
}

/** Answers the first calls with the given exchanges, then lets the simulator answer. */
function scripted(io: ReturnType<typeof setUp>['io'], ...first: Exchange[]) {
	const real = io.send;
	const sent: number[] = [];
	io.send = async (batch) => {
		sent.push(batch.length);
		return first.shift() ?? (await real(batch));
	};
	return sent;
}

const refused = (
	status: number,
	extra: Partial<Extract<Exchange, { kind: 'refused' }>> = {},
): Exchange => ({
	kind: 'refused',
	status,
	failure: { message: `MoEngage said ${status}`, httpCode: status },
	...extra,
});

/** A request sent whose answer never came back. */
const lost: Exchange = {
	kind: 'lost',
	failure: { message: 'No answer from MoEngage: the request was sent and its answer lost' },
};

describe('backoffMs', () => {
	it('starts near one second, doubles, stays under the cap, and is jittered', () => {
		expect(backoffMs(1, () => 0)).toBe(500);
		expect(backoffMs(1, () => 1)).toBe(1000);
		expect(backoffMs(3, () => 1)).toBe(4000);
		expect(backoffMs(20, () => 1)).toBe(30_000);
	});
});

describe('dispatch', () => {
	it('waits as long as Retry-After says, holding the whole workspace, then sends the batch again', async () => {
		const { io, clock, lines, simulator } = setUp();
		const sent = scripted(io, refused(429, { retryAfterMs: 7000 }));
		const lookups = lookupsOf(
			simulator.users.slice(0, 30).map((user: { customer_id: string }) => user.customer_id),
		);
		const { results, stats } = await dispatch(
			packBatches(lookups, 20),
			{ ...policy, concurrency: 1 },
			io,
		);
		expect(sent).toEqual([20, 20, 10]);
		expect([...results.values()].every((result) => kindOf(result) === 'found')).toBe(true);
		expect(stats.retries).toEqual({ 429: 1 });
		expect(clock.time).toBeGreaterThanOrEqual(7000);
		expect(io.budget.reserve(1, 1000, 6000).at).toBeGreaterThanOrEqual(7000);
		expect(lines).toEqual([
			'MoEngage: 429 from the workspace after this n8n process sent 20 users in the last minute (another process or app shares the workspace): budget lowered from 1000000 to 250000 users per minute; it rises by 100000 after each minute without a 429',
			"MoEngage: waiting 7.0 s after MoEngage's rate limit (429), as its Retry-After asks, before sending 20 users again",
		]);
	});

	it('backs off on a 429 without Retry-After, and does not count it against maxRetries', async () => {
		const { io, clock } = setUp();
		scripted(io, ...Array.from({ length: 8 }, () => refused(429)));
		const { results, stats } = await dispatch(
			[lookupsOf(['cust-00001'])],
			{ ...policy, maxRetries: 1 },
			io,
		);
		expect(kindOf([...results.values()][0])).toBe('found');
		expect(stats.retries).toEqual({ 429: 8 });
		expect(clock.time).toBeGreaterThan(30_000);
	});

	it('retries 5xx, network errors and garbled answers up to maxRetries, then names the last cause and the tries', async () => {
		const { io } = setUp();
		const sent = scripted(
			io,
			refused(503),
			{ kind: 'unreachable', failure: { message: 'Could not reach MoEngage' } },
			{
				kind: 'malformed',
				failure: { message: 'MoEngage answered 200 but not with the documented JSON' },
			},
			refused(500),
		);
		const { results, stats } = await dispatch(
			[lookupsOf(['cust-00001'])],
			{ ...policy, maxRetries: 3 },
			io,
		);
		expect(sent).toHaveLength(4);
		expect([...results.values()][0]).toEqual({
			kind: 'failed',
			failure: { message: 'MoEngage said 500 (gave up after 4 tries)', httpCode: 500 },
		});
		expect(stats.retries).toEqual({ 503: 1, network: 1, 'malformed answer': 1 });
	});

	it.each([401, 403, 409, 415])(
		'never retries a %i and sends nothing more to the workspace',
		async (status) => {
			const { io, simulator } = setUp();
			const sent = scripted(io, refused(status));
			const lookups = lookupsOf(
				simulator.users.slice(0, 60).map((user: { customer_id: string }) => user.customer_id),
			);
			const { results } = await dispatch(
				packBatches(lookups, 20),
				{ ...policy, concurrency: 1 },
				io,
			);
			expect(sent).toEqual([20]);
			expect(
				new Set(
					[...results.values()].map(
						(result) => result.kind === 'failed' && result.failure.httpCode,
					),
				),
			).toEqual(new Set([status]));
			expect(results.size).toBe(60);
		},
	);

	it('isolates one poison identifier in 20 with at most 2·⌈log2(20)⌉ = 10 extra requests; the other 19 are answered', async () => {
		for (let position = 0; position < 20; position++) {
			const { io, simulator } = setUp({ poison: ['bad-one'] });
			const identifiers = simulator.users
				.slice(0, 19)
				.map((user: { customer_id: string }) => user.customer_id);
			identifiers.splice(position, 0, 'bad-one');
			const lookups = lookupsOf(identifiers);
			const { results, stats } = await dispatch([lookups], policy, io);
			expect(stats.requests - 1).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(20)));
			const poisoned = results.get(lookups[position]);
			expect(poisoned).toEqual({
				kind: 'failed',
				failure: expect.objectContaining({
					message:
						'MoEngage rejected the request (400 InvalidParams): identifier "bad-one" is not valid (attribute "identifiers")',
				}),
			});
			expect(lookups.filter((lookup) => kindOf(results.get(lookup)) === 'found')).toHaveLength(19);
		}
	});

	it('splits a batch MoEngage finds too large (413) and sends the halves', async () => {
		const { io, simulator } = setUp();
		const sent = scripted(io, refused(413), refused(413));
		const lookups = lookupsOf(
			simulator.users.slice(0, 20).map((user: { customer_id: string }) => user.customer_id),
		);
		const { results } = await dispatch([lookups], { ...policy, concurrency: 1 }, io);
		expect(sent).toEqual([20, 10, 5, 5, 10]);
		expect([...results.values()].every((result) => kindOf(result) === 'found')).toBe(true);
	});

	it('does not split a 400 that blames the request rather than the identifiers, and stops there', async () => {
		const { io, simulator } = setUp();
		const sent = scripted(io, refused(400, { blames: 'user_fields_to_export' }));
		const lookups = lookupsOf(
			simulator.users.slice(0, 40).map((user: { customer_id: string }) => user.customer_id),
		);
		const { results } = await dispatch(packBatches(lookups, 20), { ...policy, concurrency: 1 }, io);
		expect(sent).toEqual([20]);
		expect([...results.values()].every((result) => result.kind === 'failed')).toBe(true);
	});

	it('with stopOnFailure, sends no further batch after the first failure', async () => {
		const { io, simulator } = setUp({ poison: ['cust-00001'] });
		const sent = scripted(io);
		const lookups = lookupsOf(
			simulator.users.slice(0, 100).map((user: { customer_id: string }) => user.customer_id),
		);
		await dispatch(
			packBatches(lookups, 20),
			{ ...policy, concurrency: 1, stopOnFailure: true },
			io,
		);
		expect(sent.length).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(20)));
	});

	it('stops a backoff within one check when the execution is cancelled', async () => {
		const { io, clock } = setUp();
		scripted(io, ...Array.from({ length: 10 }, () => refused(503)));
		const controller = new AbortController();
		clock.onSleep = () => {
			if (clock.time >= 3_000) controller.abort();
		};
		await expect(
			dispatch([lookupsOf(['cust-00001'])], policy, { ...io, signal: controller.signal }),
		).rejects.toBeInstanceOf(WaitCancelled);
		expect(clock.time).toBeLessThan(3_000 + 250 + 1);
	});
});

describe('dispatch after a 429', () => {
	it('never resends at once: a Retry-After of 0 (or a date already past) still waits the backoff', async () => {
		const { io, clock, simulator } = setUp();
		const times: number[] = [];
		const real = io.send;
		let refusals = 3;
		io.send = async (batch) => {
			times.push(clock.time);
			return refusals-- > 0 ? refused(429, { retryAfterMs: 0 }) : await real(batch);
		};
		const lookups = lookupsOf([simulator.users[0].customer_id]);
		const { results } = await dispatch(
			[lookups],
			{ ...policy, concurrency: 1 },
			{ ...io, random: () => 0 },
		);
		expect(kindOf([...results.values()][0])).toBe('found');
		// backoff floor with the lowest jitter: 0.5 s, 1 s, 2 s
		expect(times).toEqual([0, 500, 1500, 3500]);
	});

	it('waits as long as a long Retry-After asks, but 15 minutes at most, and says so', async () => {
		const { io, clock, lines, simulator } = setUp();
		scripted(io, refused(429, { retryAfterMs: 3_600_000 }));
		await dispatch([lookupsOf([simulator.users[0].customer_id])], policy, io);
		expect(clock.time).toBe(15 * 60_000);
		expect(lines).toContain(
			'MoEngage: its 429 asked for a wait of 3600.0 s; waiting 900.0 s at most',
		);
	});

	it('waits for x-ratelimit-reset when a 429 has no Retry-After', async () => {
		const { io, clock, lines, simulator } = setUp();
		scripted(io, refused(429, { rateLimit: { remaining: 0, resetMs: 20_000 } }));
		await dispatch([lookupsOf([simulator.users[0].customer_id])], policy, io);
		expect(clock.time).toBe(20_000);
		expect(lines).toContain(
			"MoEngage: waiting 20.0 s after MoEngage's rate limit (429), until its rate window resets (x-ratelimit-reset), before sending 1 users again",
		);
	});

	it('holds the workspace until the reset when an answer says none are left (x-ratelimit-remaining: 0)', async () => {
		const { io, clock, lines, simulator } = setUp();
		const times: number[] = [];
		const real = io.send;
		io.send = async (batch) => {
			times.push(clock.time);
			const exchange = await real(batch);
			return times.length === 1 && exchange.kind === 'answer'
				? { ...exchange, rateLimit: { remaining: 0, resetMs: 30_000 } }
				: exchange;
		};
		const lookups = lookupsOf(
			simulator.users.slice(0, 40).map((user: { customer_id: string }) => user.customer_id),
		);
		await dispatch(packBatches(lookups, 20), { ...policy, concurrency: 1 }, io);
		expect(times).toEqual([0, 30_000]);
		expect(lines).toEqual([
			'MoEngage: waiting 30.0 s before sending 20 more users: the workspace is held until its rate window resets (MoEngage answered x-ratelimit-remaining: 0)',
		]);
	});
});

describe('dispatch with stopOnFailure', () => {
	it('ends the waits of batches still waiting for budget at once and sends nothing more after the failure', async () => {
		const { io, clock, simulator } = setUp({ poison: ['bad-id'] });
		const sent = scripted(io);
		const identifiers = [
			simulator.users[0].customer_id,
			'bad-id',
			simulator.users[1].customer_id,
			simulator.users[2].customer_id,
		];
		const lookups = lookupsOf(identifiers);
		const { results, stoppedBy } = await dispatch(
			packBatches(lookups, 1),
			{ ...policy, unitsPerMinute: 2, stopOnFailure: true },
			io,
		);
		expect(sent).toEqual([1, 1]);
		// the third batch was waiting for the budget's next minute: that wait ended at the failure
		expect(clock.time).toBeLessThan(60_000);
		expect(stoppedBy?.batch).toEqual([lookups[1]]);
		expect(stoppedBy?.failure.httpCode).toBe(400);
		expect(results.get(lookups[2])).toEqual({
			kind: 'failed',
			failure: {
				message: expect.stringMatching(
					/^Not sent: the run stopped at an earlier failure \(MoEngage rejected the request \(400 InvalidParams\)/,
				),
			},
		});
	});

	it('names what MoEngage refused, not an identifier that was waiting to be retried when the run stopped', async () => {
		const { io, simulator } = setUp({ poison: ['bad-id'] });
		scripted(io, refused(503));
		const lookups = lookupsOf([
			simulator.users[0].customer_id,
			'bad-id',
			simulator.users[1].customer_id,
		]);
		const { stoppedBy } = await dispatch(
			packBatches(lookups, 1),
			{ ...policy, stopOnFailure: true },
			io,
		);
		expect(stoppedBy?.batch).toEqual([lookups[1]]);
		expect(stoppedBy?.failure.message).toContain('identifier "bad-id" is not valid');
	});
});

describe('dispatch after a 400 that names no attribute', () => {
	const plain400 = (message = 'Bad Request'): Exchange =>
		refused(400, {
			failure: { message: `MoEngage rejected the request (400): ${message}`, httpCode: 400 },
		});

	it('costs at most 3 requests in all when every request gets it, and fails every item with it', async () => {
		const { io, simulator } = setUp();
		const sent = scripted(io, ...Array.from({ length: 200 }, () => plain400()));
		const lookups = lookupsOf(
			simulator.users.slice(0, 100).map((user: { customer_id: string }) => user.customer_id),
		);
		const { results, stats } = await dispatch(packBatches(lookups, 20), policy, io);
		expect(stats.requests).toBeLessThanOrEqual(3);
		expect(sent).toEqual([20, 10, 10]);
		expect(results.size).toBe(100);
		expect(
			new Set(
				[...results.values()].map((result) => result.kind === 'failed' && result.failure.message),
			),
		).toEqual(new Set(['MoEngage rejected the request (400): Bad Request']));
	});

	it('still isolates one bad identifier in 20 with at most 2·⌈log2(20)⌉ = 10 extra requests', async () => {
		for (let position = 0; position < 20; position++) {
			const { io, simulator } = setUp({ poison: ['bad-one'] });
			simulator.config.poisonAttribute = null;
			const identifiers = simulator.users
				.slice(0, 19)
				.map((user: { customer_id: string }) => user.customer_id);
			identifiers.splice(position, 0, 'bad-one');
			const lookups = lookupsOf(identifiers);
			const { results, stats } = await dispatch([lookups], policy, io);
			expect(stats.requests - 1).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(20)));
			expect(results.get(lookups[position])).toEqual({
				kind: 'failed',
				failure: expect.objectContaining({
					message:
						'MoEngage rejected the request (400 InvalidParams): identifier "bad-one" is not valid',
				}),
			});
			expect(lookups.filter((lookup) => kindOf(results.get(lookup)) === 'found')).toHaveLength(19);
		}
	});
});

describe('dispatch of writes after a lost answer (no idempotency key: the request may have been recorded)', () => {
	it('resends at most as often as resendsAfterLostAnswer allows, then fails the batch as maybe recorded', async () => {
		const { io, simulator } = setUp();
		const sent = scripted(io, lost, lost, lost);
		const lookups = lookupsOf([simulator.users[0].customer_id]);
		const { results } = await dispatch(
			[lookups],
			{ ...policy, maxRetries: 5 },
			{ ...io, resendsAfterLostAnswer: () => 1 },
		);
		expect(sent).toEqual([1, 1]);
		expect(results.get(lookups[0])).toEqual({
			kind: 'failed',
			failure: expect.objectContaining({
				message: expect.stringMatching(
					/answer lost\. MoEngage may have recorded it up to 2 times; not sent again$/,
				),
			}),
			maybeRecorded: true,
		});
	});

	it.each([
		[
			'refused 429 every time after it, until the node gives up',
			Array.from({ length: 30 }, () => refused(429)),
			/said 429\. MoEngage may have applied it \(gave up after 30 tries\)$/,
		],
		[
			'refused for good after it (a 401)',
			[refused(401)],
			/said 401\. MoEngage may have applied it$/,
		],
		[
			'refused after it for the one unit it carries (a 400 naming it)',
			[refused(400, { blames: 'customer_id' })],
			/said 400\. MoEngage may have applied it$/,
		],
	])(
		'fails a write whose answer was lost and that was then %s as maybe recorded, not as never taken',
		async (_, after, message) => {
			const { io, simulator } = setUp();
			const sent = scripted(io, lost, ...after);
			const lookups = lookupsOf([simulator.users[0].customer_id]);
			const { results } = await dispatch([lookups], policy, {
				...io,
				blame400: () => 'units',
				resendsAfterLostAnswer: () => 1,
			});
			expect(sent).toHaveLength(1 + after.length);
			expect(results.get(lookups[0])).toEqual({
				kind: 'failed',
				failure: expect.objectContaining({ message: expect.stringMatching(message) }),
				maybeRecorded: true,
			});
		},
	);

	it("retries what proves nothing arrived (no connection, a 5xx in MoEngage's words) without spending the lost-answer allowance", async () => {
		const { io, simulator } = setUp();
		const sent = scripted(
			io,
			{ kind: 'unreachable', failure: { message: 'Could not reach MoEngage' } },
			refused(500),
			lost,
		);
		const lookups = lookupsOf([simulator.users[0].customer_id]);
		const { results } = await dispatch([lookups], policy, {
			...io,
			resendsAfterLostAnswer: () => 1,
		});
		expect(sent).toEqual([1, 1, 1, 1]);
		expect(kindOf(results.get(lookups[0]))).toBe('found');
	});

	it("counts a proxy's 5xx page as a lost answer: with no resend allowed it is sent once", async () => {
		const { io, simulator } = setUp();
		const sent = scripted(io, refused(504, { mayHaveArrived: true }));
		const lookups = lookupsOf([simulator.users[0].customer_id]);
		const { results } = await dispatch([lookups], policy, {
			...io,
			resendsAfterLostAnswer: () => 0,
		});
		expect(sent).toEqual([1]);
		expect(results.get(lookups[0])).toMatchObject({ kind: 'failed', maybeRecorded: true });
	});

	it('carries a lost answer into the halves of a batch split after it: no half is resent after a second lost answer', async () => {
		const { io, simulator } = setUp();
		const sent = scripted(io, lost, refused(413), lost, lost);
		const lookups = lookupsOf(
			simulator.users.slice(0, 4).map((user: { customer_id: string }) => user.customer_id),
		);
		const { results } = await dispatch(
			[lookups],
			{ ...policy, concurrency: 1 },
			{ ...io, resendsAfterLostAnswer: () => 1 },
		);
		expect(sent).toEqual([4, 4, 2, 2]);
		expect(
			[...results.values()].map((result) => result.kind === 'failed' && result.maybeRecorded),
		).toEqual([true, true, true, true]);
	});

	it('with stopOnFailure, a request on its way when the run stops is "may have recorded", never "not sent"', async () => {
		const { io, simulator } = setUp({ poison: ['bad-id'] });
		const lookups = lookupsOf([
			simulator.users[0].customer_id,
			'bad-id',
			simulator.users[1].customer_id,
		]);
		const send = io.send;
		let release: () => void = () => {};
		const slowFirst = async (batch: readonly Lookup[], signal: AbortSignal): Promise<Exchange> => {
			if (batch[0] !== lookups[0]) return await send(batch);
			// Still on its way when MoEngage refuses bad-id beside it: the halt aborts it.
			await new Promise<void>((resolve) => {
				release = resolve;
				signal.addEventListener('abort', () => resolve());
			});
			return lost;
		};
		const { results } = await dispatch(
			[[lookups[2]], [lookups[0]], [lookups[1]]],
			{ ...policy, concurrency: 2, stopOnFailure: true },
			{ ...io, send: slowFirst, resendsAfterLostAnswer: () => 1 },
		);
		release();
		expect(results.get(lookups[0])).toEqual({
			kind: 'failed',
			failure: {
				message: expect.stringMatching(
					/^The run stopped \(MoEngage rejected the request .*\) while this request was on its way: MoEngage may have recorded it$/,
				),
			},
			maybeRecorded: true,
		});
	});
});

describe('dispatch of writes when the run halts during a resend', () => {
	it('a batch whose first answer was lost stays "may have recorded" even when its resend, cut off by the halt, was refused', async () => {
		const { io, simulator } = setUp({ poison: ['bad-id'] });
		const lookups = lookupsOf([
			simulator.users[0].customer_id,
			simulator.users[1].customer_id,
			'bad-id',
		]);
		const send = io.send;
		let calls = 0;
		let resendStarted: () => void = () => {};
		const resending = new Promise<void>((resolve) => (resendStarted = resolve));
		const script = async (batch: readonly Lookup[], signal: AbortSignal): Promise<Exchange> => {
			if (batch[0] === lookups[2]) await resending;
			if (batch[0] !== lookups[1]) return await send(batch);
			if (++calls === 1)
				return {
					kind: 'lost',
					failure: { message: 'No answer from MoEngage: the request was sent and its answer lost' },
				};
			resendStarted();
			// The halt aborts the resend; what comes back proves only that this copy was not recorded.
			await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
			return refused(500);
		};
		const { results } = await dispatch(
			[[lookups[0]], [lookups[1]], [lookups[2]]],
			{ ...policy, concurrency: 2, stopOnFailure: true },
			{ ...io, send: script, resendsAfterLostAnswer: () => 1 },
		);
		expect(calls).toBe(2);
		expect(results.get(lookups[1])).toEqual({
			kind: 'failed',
			failure: {
				message: expect.stringMatching(
					/while this request was on its way: MoEngage may have recorded it$/,
				),
			},
			maybeRecorded: true,
		});
	});
});

describe('dispatch of writes MoEngage de-duplicates for a while (Inform: a transaction_id for 5 minutes)', () => {
	/** Inform's verdict: a 409 to a unit sent before without an answer is the node's own message. */
	const verdict = (_: readonly Lookup[], exchange: { status: number }, unanswered: number) =>
		exchange.status === 409
			? ({ kind: unanswered > 0 ? 'found' : 'notFound' } as unknown as Outcome)
			: undefined;

	it('tells the verdict how many copies went without an answer: none on a first send, one after a lost answer', async () => {
		const seen: number[] = [];
		for (const before of [[], [lost]]) {
			const { io, simulator } = setUp();
			scripted(io, ...before, refused(409));
			const lookups = lookupsOf([simulator.users[0].customer_id]);
			const { results } = await dispatch([lookups], policy, {
				...io,
				verdict: (batch, exchange, unanswered) => {
					seen.push(unanswered);
					return verdict(batch, exchange, unanswered);
				},
				resendsAfterLostAnswer: () => Infinity,
			});
			expect(results.get(lookups[0])?.kind).toBe('settled');
		}
		expect(seen).toEqual([0, 1]);
	});

	it("counts a 5xx as a copy without an answer: MoEngage's 500 may come while the message is in progress", async () => {
		const { io, simulator } = setUp();
		scripted(io, refused(500), refused(409));
		const lookups = lookupsOf([simulator.users[0].customer_id]);
		const { results } = await dispatch([lookups], policy, { ...io, verdict });
		expect(kindOf(results.get(lookups[0]))).toBe('found');
	});

	it("checks the window after the budget's wait too: a resend held past it by another request's 429 is not sent", async () => {
		const { io, simulator, clock } = setUp();
		const sent = scripted(io, lost);
		// During the backoff after the lost answer, another request's 429 holds the workspace for 200 s.
		clock.onSleep = () => {
			clock.onSleep = undefined;
			io.budget.hold(clock.time + 200_000, "after MoEngage's rate limit (429)");
		};
		const lookups = lookupsOf([simulator.users[0].customer_id]);
		const { results } = await dispatch([lookups], policy, {
			...io,
			verdict,
			resendsAfterLostAnswer: () => Infinity,
			resendWithinMs: 150_000,
		});
		expect(sent).toEqual([1]);
		expect(results.get(lookups[0])).toEqual({
			kind: 'failed',
			failure: expect.objectContaining({
				message: expect.stringContaining('MoEngage may have taken it; not sent again'),
			}),
			maybeRecorded: true,
		});
	});

	it('fails a unit whose every copy got a 5xx as maybe taken, not as unsent: MoEngage may have it in progress', async () => {
		const { io, simulator } = setUp();
		scripted(io, refused(500), refused(500), refused(500));
		const lookups = lookupsOf([simulator.users[0].customer_id]);
		const { results } = await dispatch(
			[lookups],
			{ ...policy, maxRetries: 2 },
			{
				...io,
				verdict,
				resendWithinMs: 150_000,
			},
		);
		expect(results.get(lookups[0])).toEqual({
			kind: 'failed',
			failure: expect.objectContaining({
				message: 'MoEngage said 500. MoEngage may have applied it (gave up after 3 tries)',
			}),
			maybeRecorded: true,
		});
	});

	it('resends after a lost answer only within resendWithinMs of the first copy, then fails it as maybe taken', async () => {
		const { io, simulator, clock } = setUp();
		// Each lost copy costs the timeout: 100 s here, so the third copy would leave 200 s after the first.
		const sent = scripted(io, lost, lost, lost, lost);
		io.send = ((send) => async (batch: readonly Lookup[]) => {
			const answer = await send(batch);
			await clock.sleep(100_000);
			return answer;
		})(io.send);
		const lookups = lookupsOf([simulator.users[0].customer_id]);
		const { results } = await dispatch([lookups], policy, {
			...io,
			verdict,
			resendsAfterLostAnswer: () => Infinity,
			resendWithinMs: 150_000,
		});
		expect(sent).toEqual([1, 1]);
		expect(results.get(lookups[0])).toEqual({
			kind: 'failed',
			failure: expect.objectContaining({
				message: expect.stringMatching(
					/answer lost\. MoEngage may have taken it; not sent again, since \d+\.\d s have passed since the first copy/,
				),
			}),
			maybeRecorded: true,
		});
	});
});
