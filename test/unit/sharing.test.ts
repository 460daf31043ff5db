/**
 * Several n8n processes (queue-mode workers) spending one workspace, each with a budget of its own
 * that cannot see the others: they learn their shares from MoEngage's 429s. The real dispatcher and
 * budget against the strict simulator, on a virtual clock, so that minutes pass in milliseconds.
 */
import { WorkspaceBudget } from '../../nodes/MoEngage/shared/budget';
import { dispatch } from '../../nodes/MoEngage/shared/dispatcher';
import { blame400, planLookups } from '../../nodes/MoEngage/resources/user/get';
import {
	matchAnswer,
	type ExportAnswer,
	type Lookup,
} from '../../nodes/MoEngage/resources/user/get/answers';
import { packBatches } from '../../nodes/MoEngage/shared/packing';
import type { Exchange } from '../../nodes/MoEngage/shared/transport';
import { createSimulator, inMemorySend } from '../support/in-memory-moengage';
import { VirtualClock } from '../support/virtual-clock';

const LIMIT = 1000;

function seeded(seed: number) {
	let state = seed >>> 0;
	return () => {
		state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
		return state / 4294967296;
	};
}

interface Run {
	process: number;
	identifiers: string[];
	startsAt?: number;
}

/** Runs every run on its process's budget against one workspace; answers take `latencyMs` ±50%. */
export async function shareWorkspace(
	processes: number,
	runs: Run[],
	{ latencyMs = 60, seed = 1 } = {},
) {
	const clock = new VirtualClock();
	const simulator = createSimulator({ users: 6000, usersPerWindow: LIMIT, now: clock.now });
	const random = seeded(seed);
	const answer = inMemorySend(simulator);
	const send = async (batch: readonly Lookup[]): Promise<Exchange<ExportAnswer>> => {
		await clock.sleep((latencyMs / 2) * (0.5 + random()));
		const exchange = await answer(batch);
		await clock.sleep((latencyMs / 2) * (0.5 + random()));
		return exchange;
	};
	const budgets = Array.from(
		{ length: processes },
		(_, index) => new WorkspaceBudget(undefined, `worker ${index + 1}`),
	);
	const lines: string[][] = budgets.map(() => []);
	const outcomes = await clock.run(
		Promise.all(
			runs.map(async (run) => {
				if (run.startsAt) await clock.sleep(run.startsAt);
				const { units: lookups } = planLookups(
					run.identifiers.map((identifier) => ({
						ok: true,
						part: { type: 'customer_id', identifier },
					})),
				);
				const { results, stats } = await dispatch(
					packBatches(lookups, 20),
					{
						unitsPerMinute: LIMIT,
						maxRetries: 5,
						concurrency: 4,
						stopOnFailure: false,
						unit: 'users',
					},
					{
						send,
						settle: matchAnswer,
						weight: (batch) => batch.length,
						blame400,
						budget: budgets[run.process],
						clock,
						log: (line) => lines[run.process].push(line),
						random,
					},
				);
				return { lookups, results, stats, finishedAt: clock.now() };
			}),
		),
	);
	const requests = simulator.log.filter(
		(entry: { identifiers?: unknown }) => entry.identifiers !== undefined,
	);
	const refused = requests.filter((entry: { status: number }) => entry.status === 429).length;
	return {
		outcomes,
		lines,
		simulator,
		requests: requests.length,
		refused,
		seconds: Math.max(...outcomes.map((outcome) => outcome.finishedAt)) / 1000,
	};
}

const customerIds = (from: number, count: number) =>
	Array.from({ length: count }, (_, index) => `cust-${String(from + index + 1).padStart(5, '0')}`);

/** Each identifier has one answer, found or not found, and none is answered twice. */
function expectEveryUserAnsweredOnce(shared: Awaited<ReturnType<typeof shareWorkspace>>) {
	for (const { lookups, results } of shared.outcomes) {
		expect(
			lookups.filter((lookup) =>
				((result) => result?.kind !== 'settled' || result.outcome.kind === 'missing')(
					results.get(lookup),
				),
			),
		).toEqual([]);
	}
	const answered = shared.simulator.log
		.filter((entry) => entry.status === 200 && entry.identifiers)
		.flatMap((entry) => entry.identifiers?.map(({ identifier }) => identifier) ?? []);
	const sent = shared.outcomes.reduce((sum, outcome) => sum + outcome.lookups.length, 0);
	expect(answered).toHaveLength(sent);
}

/** 2,400 users at 1,000 per rolling minute: 1,000 at once, 1,000 a minute later, 400 two minutes later. */
const IDEAL_SECONDS = 120;

describe('two workers sharing one workspace (the queue-mode test, in virtual time)', () => {
	// 6 runs of 400 users, 3 on each worker, as n8n's queue hands them out; answers of 10–300 ms.
	const cases = [10, 60, 300].flatMap((latencyMs) =>
		[1, 2, 3].map((seed) => ({ latencyMs, seed })),
	);

	it.each(cases)(
		'finish within 1.15 × the ideal, with at most 5% of requests refused ($latencyMs ms, seed $seed)',
		async ({ latencyMs, seed }) => {
			const runs = Array.from({ length: 6 }, (_, index) => ({
				process: index % 2,
				identifiers: customerIds(index * 400, 400),
				startsAt: (index * seed * 37) % 300,
			}));
			const shared = await shareWorkspace(2, runs, { latencyMs, seed });
			expectEveryUserAnsweredOnce(shared);
			expect(shared.seconds).toBeLessThanOrEqual(1.15 * IDEAL_SECONDS);
			expect(shared.refused / shared.requests).toBeLessThanOrEqual(0.05);
			// each worker learned it shares the workspace, and said so with the figures
			for (const lines of shared.lines) {
				expect(lines).toContainEqual(
					expect.stringMatching(
						/^MoEngage: 429 from worker \d after this n8n process sent \d+ users in the last minute \(another process or app shares the workspace\): budget lowered from 1000 to 500 users per minute; it rises by 100 after each minute without a 429$/,
					),
				);
			}
		},
	);

	it('a worker alone keeps the full limit: 3,000 users in two minutes, nothing refused, nothing logged', async () => {
		const shared = await shareWorkspace(1, [{ process: 0, identifiers: customerIds(0, 3000) }]);
		expectEveryUserAnsweredOnce(shared);
		expect(shared.refused).toBe(0);
		expect(shared.seconds).toBeLessThan(IDEAL_SECONDS + 3);
		expect(shared.lines[0].filter((line) => !line.includes('waiting'))).toEqual([]);
	});
});

describe('workers that come and go', () => {
	it('three workers at once share the limit: everyone answered, few refusals, the workspace kept busy', async () => {
		const shared = await shareWorkspace(
			3,
			[0, 1, 2].map((process) => ({ process, identifiers: customerIds(process * 3000, 3000) })),
		);
		expectEveryUserAnsweredOnce(shared);
		expect(shared.refused / shared.requests).toBeLessThanOrEqual(0.05);
		// 9,000 users need 8 full minutes at the limit; AIMD's saw-tooth costs some of it
		expect(shared.seconds).toBeLessThanOrEqual(1.35 * 480);
	});

	it('a worker that joins a busy workspace gets its users answered, and its budget back once the other leaves', async () => {
		const shared = await shareWorkspace(2, [
			{ process: 0, identifiers: customerIds(0, 3000) },
			{ process: 1, identifiers: customerIds(3000, 3000), startsAt: 90_000 },
		]);
		expectEveryUserAnsweredOnce(shared);
		const late = shared.lines[1].filter((line) => !line.includes('waiting'));
		expect(late[0]).toMatch(/budget lowered from 1000 to 500/);
		expect(late.some((line) => /budget (raised|restored) from/.test(line))).toBe(true);
	});
});
