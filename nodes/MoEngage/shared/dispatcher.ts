/**
 * Sends the batches and decides, for each answer, what happens next: match it, retry after a wait,
 * split the batch, or give up on it. The transport, the clock and the budget are passed in, so the
 * whole policy runs under tests with a fake clock and an in-memory MoEngage.
 */
import { pause, WaitCancelled, type Clock, type WorkspaceBudget } from './budget';
import {
	BACKOFF_CAP_MS,
	BACKOFF_START_MS,
	LOGGED_WAIT_MS,
	MAX_RATE_LIMITED_TRIES,
} from './limits';
import { matchAnswer, type Lookup, type Outcome } from './lookups';
import type { Failure } from './outputs';
import type { Exchange } from './transport';

export type LookupResult = Outcome | { kind: 'failed'; failure: Failure };

export interface DispatchPolicy {
	usersPerMinute: number;
	maxRetries: number;
	concurrency: number;
	/** Send nothing more after the first failure: the node will stop on it anyway. */
	stopOnFailure: boolean;
}

export interface DispatchIo {
	send(batch: readonly Lookup[]): Promise<Exchange>;
	budget: WorkspaceBudget;
	clock: Clock;
	signal?: AbortSignal;
	log(message: string): void;
	random(): number;
}

export interface DispatchStats {
	requests: number;
	/** Requests sent again, by cause: "429", "503", "network", "malformed answer", "split after 400"… */
	retries: Record<string, number>;
}

/** These fail every request of the run alike: sending more only spends the budget. */
const FATAL_STATUSES = new Set([401, 403, 409, 415]);

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function backoffMs(failures: number, random: () => number): number {
	const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_START_MS * 2 ** (failures - 1));
	return ceiling / 2 + (random() * ceiling) / 2;
}

const withTries = (failure: Failure, tries: number): Failure => ({
	...failure,
	message: `${failure.message} (gave up after ${tries} tries)`,
});

export async function dispatch(
	batches: readonly Lookup[][],
	policy: DispatchPolicy,
	io: DispatchIo,
): Promise<{ results: Map<Lookup, LookupResult>; stats: DispatchStats }> {
	const results = new Map<Lookup, LookupResult>();
	const stats: DispatchStats = { requests: 0, retries: {} };
	let halt: Failure | undefined;

	const settle = (batch: readonly Lookup[], failure: Failure) => {
		for (const lookup of batch) results.set(lookup, { kind: 'failed', failure });
		// What was never sent did not fail for this reason: it gets a failure of its own, so the
		// error names only the identifiers MoEngage refused.
		if (policy.stopOnFailure) halt ??= { message: `Not sent: the run stopped at an earlier failure (${failure.message})` };
	};
	const retrying = (cause: string) => {
		stats.retries[cause] = (stats.retries[cause] ?? 0) + 1;
	};
	const wait = async (ms: number, why: string) => {
		if (ms >= LOGGED_WAIT_MS) io.log(`MoEngage: waiting ${seconds(ms)} ${why}`);
		if (!(await pause(io.clock.now() + ms, io.clock, io.signal))) throw new WaitCancelled('to retry MoEngage');
	};

	async function deliver(batch: readonly Lookup[]): Promise<void> {
		let failures = 0;
		let rateLimited = 0;
		for (;;) {
			if (halt) return settle(batch, halt);
			const done = await io.budget.acquire(policy.usersPerMinute, io.signal);
			let exchange: Exchange;
			try {
				await io.budget.spend(batch.length, policy.usersPerMinute, io.clock, {
					signal: io.signal,
					longWaitMs: LOGGED_WAIT_MS,
					log: io.log,
					onLongWait: (ms, limit) =>
						io.log(
							`MoEngage: waiting ${seconds(ms)} for the workspace budget of ${limit} users per minute before sending ${batch.length} more`,
						),
				});
				stats.requests++;
				exchange = await io.send(batch);
			} finally {
				done();
			}
			if (exchange.kind === 'refused' && exchange.status === 429) {
				io.budget.rateLimited(policy.usersPerMinute, io.clock.now(), io.log);
			} else if (exchange.kind === 'answer' || exchange.kind === 'refused') {
				io.budget.answered();
			}
			if (exchange.kind === 'answer') {
				matchAnswer(batch, exchange.answer).forEach((outcome, index) => results.set(batch[index], outcome));
				return;
			}
			let cause: string;
			if (exchange.kind === 'refused') {
				const { status, failure } = exchange;
				if (FATAL_STATUSES.has(status)) {
					halt ??= failure;
					return settle(batch, failure);
				}
				// MoEngage refuses a whole request for one bad identifier: halving isolates it in about
				// 2·log2(n) requests, and the identifiers beside it are still answered.
				const splittable = status === 413 || (status === 400 && (exchange.blames ?? 'identifiers') === 'identifiers');
				if (splittable && batch.length > 1) {
					retrying(`split after ${status}`);
					const middle = Math.ceil(batch.length / 2);
					await deliver(batch.slice(0, middle));
					await deliver(batch.slice(middle));
					return;
				}
				if (status === 400 && !splittable) {
					// A fault in the request itself (the fields, app_id): every batch would fail alike.
					halt ??= failure;
					return settle(batch, failure);
				}
				if (splittable) return settle(batch, failure);
				if (status === 429) {
					rateLimited++;
					if (rateLimited >= MAX_RATE_LIMITED_TRIES) return settle(batch, withTries(failure, rateLimited));
					retrying('429');
					const delay = exchange.retryAfterMs ?? backoffMs(rateLimited, io.random);
					// The whole workspace waits: the next batches would only hit the same wall.
					io.budget.hold(io.clock.now() + delay);
					const why = exchange.retryAfterMs === undefined ? 'backing off' : 'as its Retry-After asks';
					await wait(delay, `after MoEngage's rate limit (429), ${why}, before sending ${batch.length} identifiers again`);
					continue;
				}
				if (status < 500 && status !== 408) return settle(batch, failure);
				cause = String(status);
			} else {
				cause = exchange.kind === 'malformed' ? 'malformed answer' : 'network';
			}
			failures++;
			if (failures > policy.maxRetries) return settle(batch, withTries(exchange.failure, failures));
			retrying(cause);
			await wait(
				backoffMs(failures, io.random),
				`before retry ${failures} of ${policy.maxRetries} after ${exchange.failure.message}`,
			);
		}
	}

	let next = 0;
	const worker = async () => {
		while (next < batches.length) await deliver(batches[next++]);
	};
	await Promise.all(Array.from({ length: Math.min(policy.concurrency, batches.length) }, worker));
	return { results, stats };
}
