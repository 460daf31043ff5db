/**
 * Queue-mode workers tracking events on one workspace through Bulk Import (60,000 events a
 * minute): each learns its share from MoEngage's 429s and, where MoEngage sends them, its
 * x-ratelimit-* headers, with batches of 300 events. In virtual time (test/support/sharing.ts).
 * Each suite prints its figures; speed targets come from issue 23 (≤ 1.15 × the limit-bound ideal).
 */
import {
	EVENTS_LIMIT,
	figures,
	idealSeconds,
	shareEvents,
	type SharingOptions,
	type SharingRun,
} from '../support/sharing';

type Shared = Awaited<ReturnType<typeof shareEvents>>;

/** Every event accepted and recorded once. */
function expectEveryEventOnce(shared: Shared, events: number) {
	for (const { results } of shared.outcomes) {
		expect([...results.values()].filter((result) => result.kind !== 'settled')).toEqual([]);
	}
	const recorded = shared.simulator.events.map(
		(event: { customer_id: string; action: string }) => `${event.customer_id} ${event.action}`,
	);
	expect(recorded).toHaveLength(events);
	expect(new Set(recorded).size).toBe(events);
}

const runsOf = (workers: number, events: number): SharingRun[] =>
	Array.from({ length: workers }, (_, process) => ({ process, from: 0, count: events / workers }));

const TIMINGS = [10, 80, 300].flatMap((latencyMs) =>
	[1, 2, 3].map((seed) => ({ latencyMs, seed })),
);
const printed: string[] = [];
afterAll(() =>
	console.log(`Bulk Import events shared by workers (virtual time):\n${printed.join('\n')}`),
);

describe.each<[string, SharingOptions['rateLimitHeaders']]>([
	['without rate-limit headers', undefined],
	['with x-ratelimit-* headers', 'delta'],
])('Track Event on one workspace, %s', (label, rateLimitHeaders) => {
	it.each(
		TIMINGS.flatMap((timing) => [
			{ ...timing, workers: 2, events: 230_400 },
			{ ...timing, workers: 3, events: 225_000 },
		]),
	)(
		'$workers workers, $events events: every one accepted once, within 1.15 × the ideal, at most 5% refused ($latencyMs ms, seed $seed)',
		async ({ latencyMs, seed, workers, events }) => {
			const shared = await shareEvents(workers, runsOf(workers, events), {
				latencyMs,
				seed,
				rateLimitHeaders,
			});
			const ideal = idealSeconds(events, EVENTS_LIMIT);
			printed.push(
				figures(
					`  ${label}, ${workers} workers, ${events}, ${latencyMs} ms, seed ${seed}`,
					shared,
					ideal,
				),
			);
			expectEveryEventOnce(shared, events);
			expect(shared.seconds).toBeLessThanOrEqual(1.15 * ideal);
			expect(shared.refused / shared.requests).toBeLessThanOrEqual(0.05);
			for (const lines of shared.lines) {
				expect(lines).toContainEqual(
					expect.stringMatching(
						/^MoEngage: 429 from worker \d after this n8n process sent \d+ events in the last minute \(another process or app shares the workspace\): budget lowered from 60000 to \d+ events per minute/,
					),
				);
			}
		},
	);

	it('240,000 events, exactly four minutes’ worth, on two and three workers: every one accepted once, at most 5% refused (figures printed)', async () => {
		for (const workers of [2, 3]) {
			for (const { latencyMs, seed } of TIMINGS) {
				const shared = await shareEvents(workers, runsOf(workers, 240_000), {
					latencyMs,
					seed,
					rateLimitHeaders,
				});
				printed.push(
					figures(
						`  ${label}, ${workers} workers, 240000 (whole minutes), ${latencyMs} ms, seed ${seed}`,
						shared,
						idealSeconds(240_000, EVENTS_LIMIT),
					),
				);
				expectEveryEventOnce(shared, 240_000);
				expect(shared.refused / shared.requests).toBeLessThanOrEqual(0.05);
			}
		}
	});

	it('a worker alone keeps the whole limit: 120,000 events in two windows, nothing refused', async () => {
		const shared = await shareEvents(1, runsOf(1, 120_000), { latencyMs: 80, rateLimitHeaders });
		printed.push(
			figures(`  ${label}, alone, 120,000`, shared, idealSeconds(120_000, EVENTS_LIMIT)),
		);
		expect(shared.refused).toBe(0);
		expectEveryEventOnce(shared, 120_000);
		// two windows' worth: the second starts 60.5 s in, then its 200 requests, 4 at a time, 80 ms each
		expect(shared.seconds).toBeLessThan(60.5 + 5.5);
	});
});
