/**
 * Two queue-mode workers tracking events on one workspace through Bulk Import: each learns its share
 * of the 60,000-events limit from MoEngage's 429s as Get Users' workers do, with batches that weigh
 * hundreds of events. The real dispatcher and budget against the simulator, on a virtual clock.
 */
import { WorkspaceBudget } from '../../nodes/MoEngage/shared/budget';
import { dispatch } from '../../nodes/MoEngage/shared/dispatcher';
import {
	classifyResponse,
	readAccepted,
	type Accepted,
	type Exchange,
} from '../../nodes/MoEngage/shared/transport';
import { createSimulator } from '../support/in-memory-moengage';
import { VirtualClock } from '../support/virtual-clock';

/** Bulk Import's 60,000 events a minute. */
const LIMIT = 60_000;
const BATCH = 300;

interface Event {
	customer: string;
	n: number;
}

async function shareEvents(workers: number, eventsPerWorker: number, latencyMs = 80) {
	const clock = new VirtualClock();
	const simulator = createSimulator({ users: 10, limits: { bulkEvents: LIMIT }, now: clock.now });
	const { workspaceId, apiKey } = simulator.config;
	const basic = Buffer.from(`${workspaceId}:${apiKey}`).toString('base64');
	const send = async (batch: readonly Event[]): Promise<Exchange<Accepted>> => {
		await clock.sleep(latencyMs / 2);
		const elements = batch.map((event) => ({
			type: 'event',
			customer_id: event.customer,
			actions: [{ action: `Step ${event.n}` }],
		}));
		const result = simulator.handle({
			method: 'POST',
			url: new URL(`http://simulator/v1/transition/${workspaceId}`),
			headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
			raw: Buffer.from(JSON.stringify({ type: 'transition', elements })),
		});
		await clock.sleep(latencyMs / 2);
		return classifyResponse(
			result.status,
			result.body,
			result.headers ?? {},
			[apiKey],
			clock.now(),
			readAccepted,
		);
	};
	const lines: string[][] = Array.from({ length: workers }, () => []);
	const runs = Array.from({ length: workers }, async (_, worker) => {
		const events = Array.from({ length: eventsPerWorker }, (__, n) => ({
			customer: `w${worker}-c${n % 500}`,
			n,
		}));
		const batches = Array.from({ length: eventsPerWorker / BATCH }, (__, index) =>
			events.slice(index * BATCH, (index + 1) * BATCH),
		);
		return await dispatch(
			batches,
			{
				unitsPerMinute: LIMIT,
				maxRetries: 5,
				concurrency: 4,
				stopOnFailure: false,
				unit: 'events',
			},
			{
				send,
				settle: (batch) => batch.map(() => 'accepted'),
				weight: (batch) => batch.length,
				budget: new WorkspaceBudget(undefined, `worker ${worker + 1}`, 'events'),
				clock,
				log: (line) => lines[worker].push(line),
				random: () => 0.5,
			},
		);
	});
	const outcomes = await clock.run(Promise.all(runs));
	const requests = simulator.log.filter(
		(entry: { endpoint?: string }) => entry.endpoint === 'bulk',
	);
	return {
		outcomes,
		lines,
		simulator,
		requests: requests.length,
		refused: requests.filter((entry: { status: number }) => entry.status === 429).length,
		seconds: clock.now() / 1000,
	};
}

describe('two workers tracking events on one workspace (Bulk Import, in virtual time)', () => {
	it('240,000 events: every one accepted once, under 5% of requests refused, each worker told it shares the workspace, close to the limit-bound time', async () => {
		const shared = await shareEvents(2, 120_000);
		for (const { results } of shared.outcomes) {
			expect([...results.values()].filter((result) => result.kind !== 'settled')).toEqual([]);
		}
		expect(shared.simulator.events).toHaveLength(240_000);
		expect(
			new Set(
				shared.simulator.events.map(
					(event: { customer_id: string; action: string }) =>
						`${event.customer_id} ${event.action}`,
				),
			).size,
		).toBe(240_000);
		// measured: 816 requests, 16 refused (2.0%), 243.9 s
		expect(shared.refused / shared.requests).toBeLessThanOrEqual(0.05);
		for (const lines of shared.lines) {
			expect(lines).toContainEqual(
				expect.stringMatching(
					/^MoEngage: 429 from worker \d after this n8n process sent \d+ events in the last minute \(another process or app shares the workspace\): budget lowered from 60000 to 30000 events per minute/,
				),
			);
		}
		// 240,000 events at 60,000 a rolling minute: the last of four windows' worth starts at 180 s;
		// AIMD's saw-tooth between two busy workers costs about a third of it, as for Get Users.
		expect(shared.seconds).toBeLessThanOrEqual(1.4 * 180);
	});

	it('a worker alone keeps the whole limit: 120,000 events in two windows, nothing refused', async () => {
		const shared = await shareEvents(1, 120_000);
		expect(shared.refused).toBe(0);
		expect(shared.simulator.events).toHaveLength(120_000);
		// two windows' worth: the second starts 60.5 s in, then its 200 requests, 4 at a time, 80 ms each
		expect(shared.seconds).toBeLessThan(60.5 + 5.5);
	});
});
