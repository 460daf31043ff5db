/**
 * Several n8n processes (queue-mode workers) spending one workspace, each with a budget of its own
 * that cannot see the others. The real dispatcher and budget against the strict simulator, on a
 * virtual clock, so that minutes pass in milliseconds: Get User (1,000 users a minute) and Bulk
 * Import's events (60,000 a minute), with or without MoEngage's x-ratelimit-* headers.
 */
import { WorkspaceBudget } from '../../nodes/MoEngage/shared/budget';
import { dispatch, type DispatchOutcome } from '../../nodes/MoEngage/shared/dispatcher';
import { blame400, planLookups } from '../../nodes/MoEngage/resources/user/get';
import {
	matchAnswer,
	type ExportAnswer,
	type Lookup,
} from '../../nodes/MoEngage/resources/user/get/answers';
import { packBatches } from '../../nodes/MoEngage/shared/packing';
import {
	classifyResponse,
	readAccepted,
	type Accepted,
	type Exchange,
} from '../../nodes/MoEngage/shared/transport';
import { createSimulator, inMemorySend, type Simulator } from './in-memory-moengage';
import { VirtualClock } from './virtual-clock';

/** Get User's 1,000 users a minute and Bulk Import's 60,000 events a minute. */
export const USERS_LIMIT = 1000;
export const EVENTS_LIMIT = 60_000;
const EVENTS_PER_BATCH = 300;

export interface SharingOptions {
	/** Answers take this long, ±50%. */
	latencyMs?: number;
	seed?: number;
	/** MoEngage's x-ratelimit-* headers on every answer (the reset as seconds until the window frees). */
	rateLimitHeaders?: 'delta';
}

/** One run (an execution) on one process: its units, and when it starts. */
export interface SharingRun {
	process: number;
	/** The run's units: customer IDs for Get, a count of events for Bulk. */
	from: number;
	count: number;
	startsAt?: number;
}

export interface Shared<U> {
	outcomes: Array<DispatchOutcome<U, unknown> & { units: U[]; finishedAt: number }>;
	/** Each process's log lines. */
	lines: string[][];
	simulator: Simulator;
	requests: number;
	refused: number;
	seconds: number;
}

function seeded(seed: number) {
	let state = seed >>> 0;
	return () => {
		state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
		return state / 4294967296;
	};
}

const customerIds = (from: number, count: number) =>
	Array.from({ length: count }, (_, index) => `cust-${String(from + index + 1).padStart(5, '0')}`);

/** The limit-bound time: N units at L per rolling minute, the last window's burst starting at floor((N − 1) / L) minutes. */
export const idealSeconds = (units: number, perMinute: number) =>
	Math.floor((units - 1) / perMinute) * 60;

async function shareWorkspace<U>(
	processes: number,
	runs: SharingRun[],
	unit: 'users' | 'events',
	options: SharingOptions,
	simulatorOf: (clock: VirtualClock) => Simulator,
	plan: (run: SharingRun) => { units: U[]; batches: U[][] },
	sendOf: (
		simulator: Simulator,
		clock: VirtualClock,
	) => (batch: readonly U[]) => Promise<Exchange<unknown>>,
	settle: (batch: readonly U[], answer: unknown) => unknown[],
	endpoint: string,
): Promise<Shared<U>> {
	const { latencyMs = 60, seed = 1 } = options;
	const clock = new VirtualClock();
	const simulator = simulatorOf(clock);
	const random = seeded(seed);
	const answer = sendOf(simulator, clock);
	const send = async (batch: readonly U[]) => {
		await clock.sleep((latencyMs / 2) * (0.5 + random()));
		const exchange = await answer(batch);
		await clock.sleep((latencyMs / 2) * (0.5 + random()));
		return exchange;
	};
	const limit = unit === 'users' ? USERS_LIMIT : EVENTS_LIMIT;
	const budgets = Array.from(
		{ length: processes },
		(_, index) => new WorkspaceBudget(undefined, `worker ${index + 1}`, unit),
	);
	const lines: string[][] = budgets.map(() => []);
	const outcomes = await clock.run(
		Promise.all(
			runs.map(async (run) => {
				if (run.startsAt) await clock.sleep(run.startsAt);
				const { units, batches } = plan(run);
				const outcome = await dispatch(
					batches,
					{ unitsPerMinute: limit, maxRetries: 5, concurrency: 4, stopOnFailure: false, unit },
					{
						send,
						settle,
						weight: (batch) => batch.length,
						...(unit === 'users' ? { blame400 } : {}),
						budget: budgets[run.process],
						clock,
						log: (line) => lines[run.process].push(line),
						random,
					},
				);
				return { ...outcome, units, finishedAt: clock.now() };
			}),
		),
	);
	const requests = simulator.log.filter((entry: { endpoint?: string; identifiers?: unknown }) =>
		endpoint === 'export' ? entry.identifiers !== undefined : entry.endpoint === endpoint,
	);
	return {
		outcomes,
		lines,
		simulator,
		requests: requests.length,
		refused: requests.filter((entry: { status: number }) => entry.status === 429).length,
		seconds: Math.max(...outcomes.map((outcome) => outcome.finishedAt)) / 1000,
	};
}

/** Get User: each run looks up `count` customers from `from`, 20 a request, 4 requests at a time. */
export const shareUsers = (processes: number, runs: SharingRun[], options: SharingOptions = {}) =>
	shareWorkspace<Lookup>(
		processes,
		runs,
		'users',
		options,
		(clock) =>
			createSimulator({
				users: 12_000,
				usersPerWindow: USERS_LIMIT,
				now: clock.now,
				rateLimitHeaders: options.rateLimitHeaders,
			}),
		(run) => {
			const { units } = planLookups(
				customerIds(run.from, run.count).map((identifier) => ({
					ok: true,
					part: { type: 'customer_id', identifier },
				})),
			);
			return { units, batches: packBatches(units, 20) };
		},
		(simulator, clock) => {
			const send = inMemorySend(simulator, undefined, clock.now);
			return async (batch) => await send(batch);
		},
		(batch, answer) => matchAnswer(batch, answer as ExportAnswer),
		'export',
	);

interface Event {
	customer: string;
	n: number;
}

/** Bulk Import: each run tracks `count` events (customers w<process>-c<n % 500>), 300 a request. */
export const shareEvents = (processes: number, runs: SharingRun[], options: SharingOptions = {}) =>
	shareWorkspace<Event>(
		processes,
		runs,
		'events',
		options,
		(clock) =>
			createSimulator({
				users: 10,
				limits: { bulkEvents: EVENTS_LIMIT },
				now: clock.now,
				rateLimitHeaders: options.rateLimitHeaders,
			}),
		(run) => {
			const units = Array.from({ length: run.count }, (_, index) => ({
				customer: `w${run.process}-c${(run.from + index) % 500}`,
				n: run.from + index,
			}));
			const batches = Array.from({ length: Math.ceil(run.count / EVENTS_PER_BATCH) }, (_, index) =>
				units.slice(index * EVENTS_PER_BATCH, (index + 1) * EVENTS_PER_BATCH),
			);
			return { units, batches };
		},
		(simulator, clock) => {
			const { workspaceId, apiKey } = simulator.config;
			const basic = Buffer.from(`${workspaceId}:${apiKey}`).toString('base64');
			return async (batch: readonly Event[]): Promise<Exchange<Accepted>> => {
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
				const headers = Object.fromEntries(
					Object.entries(result.headers ?? {}).map(([key, value]) => [key.toLowerCase(), value]),
				);
				return classifyResponse(
					result.status,
					result.body,
					headers,
					[apiKey],
					clock.now(),
					readAccepted,
				);
			};
		},
		(batch) => batch.map(() => 'accepted'),
		'bulk',
	);

/** One line of figures for a scenario, printed by the suites (speed is judged by figures, not timed tests). */
export function figures(label: string, shared: Shared<unknown>, ideal: number): string {
	return (
		`${label}: ${shared.seconds.toFixed(1)} s = ${(shared.seconds / ideal).toFixed(3)} × the ideal ${ideal} s; ` +
		`${shared.refused} of ${shared.requests} requests answered 429 (${((100 * shared.refused) / shared.requests).toFixed(1)}%)`
	);
}
