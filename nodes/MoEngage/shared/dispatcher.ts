/**
 * Sends the batches and decides, for each answer, what happens next: settle it, retry after a wait,
 * split the batch, or give up on it. It knows no operation: what a batch is on the wire, what an
 * answer means for each unit of it (an identifier, a user, an event) and what a batch weighs in the
 * endpoint's budget come in `io`. The transport, the clock and the budget are passed in too, so the
 * whole policy runs under tests with a fake clock and an in-memory MoEngage.
 */
import { pause, WaitCancelled, type Clock, type Reservation, type WorkspaceBudget } from './budget';
import {
	BACKOFF_CAP_MS,
	BACKOFF_START_MS,
	LOGGED_WAIT_MS,
	MAX_RATE_LIMIT_WAIT_MS,
	MAX_RATE_LIMITED_TRIES,
} from './limits';
import type { Failure } from './results';
import type { Exchange, Refusal } from './transport';

/**
 * A unit's end: MoEngage's verdict, or a failure. `maybeRecorded`: a request that carried it was
 * sent and its answer lost, so MoEngage may hold it although it failed here.
 */
export type UnitResult<O> =
	{ kind: 'settled'; outcome: O } | { kind: 'failed'; failure: Failure; maybeRecorded?: boolean };

/**
 * What a 400 says about its batch: a fault of some unit in it ('units': halve the batch to find
 * it), of every request alike ('request': stop), or either ('unknown': the first split tells).
 */
export type Blame400 = 'units' | 'request' | 'unknown';

export interface DispatchPolicy {
	unitsPerMinute: number;
	maxRetries: number;
	concurrency: number;
	/** Requests in flight at once to the endpoint, where its unit is not users (Delete: one user a request). */
	requestsInFlight?: number;
	/** Send nothing more after the first failure: the node will stop on it anyway. */
	stopOnFailure: boolean;
	/** What the budget counts, for log lines: "users", "events", "requests". */
	unit: string;
}

export interface DispatchIo<U, A, O> {
	/** `signal` ends when the execution is cancelled or the run will fail anyway. */
	send(batch: readonly U[], signal: AbortSignal): Promise<Exchange<A>>;
	/** MoEngage's answer as one outcome per unit of the batch, in the batch's order. */
	settle(batch: readonly U[], answer: A): O[];
	/** What the batch counts in the endpoint's budget (users, events or requests). */
	weight(batch: readonly U[]): number;
	/** The default: a 400 naming no attribute is 'unknown', one naming another is 'request'. */
	blame400?(exchange: Refusal): Blame400;
	/**
	 * A refusal that is MoEngage's verdict on a one-unit batch, e.g. Delete's 400 "Not Found".
	 * `unanswered`: copies of the unit sent earlier in this run whose fate MoEngage never told (an
	 * answer lost or cut off, a 5xx), so one of them may be what MoEngage holds: Inform's 409
	 * "Duplicate Transaction ID" then means the node's own message went through.
	 */
	verdict?(batch: readonly U[], exchange: Refusal, unanswered: number): O | undefined;
	/**
	 * For writes MoEngage de-duplicates for a while only (Inform's transaction_id, 5 minutes): a
	 * unit is sent again only within this long of its first copy whose fate is unknown, while
	 * MoEngage's check still catches a repeat; after that it fails, saying MoEngage may have it.
	 */
	resendWithinMs?: number;
	/**
	 * Writes only: how often a batch may be sent again after an answer was lost (a timeout, a reset,
	 * a cut-off 200: MoEngage may have recorded it). Infinity (as often as Max Retries allows) for
	 * what is harmless to repeat; 0 or 1 for events and array additions, so nothing is recorded more
	 * than twice. A refusal that proves nothing arrived (no connection, a 429, a 5xx in MoEngage's
	 * words) is retried as always. A write's failure after a lost answer says MoEngage may have it.
	 */
	resendsAfterLostAnswer?(batch: readonly U[]): number;
	/**
	 * Asked about each refusal before anything else: a cause (for the stats) means "send the same
	 * batch again in another form", e.g. another spelling of a parameter MoEngage documents two ways.
	 */
	anotherForm?(batch: readonly U[], exchange: Refusal): string | undefined;
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

export interface DispatchOutcome<U, O> {
	results: Map<U, UnitResult<O>>;
	stats: DispatchStats;
	/** With stopOnFailure: the failure that stopped the run and the batch MoEngage refused with it. */
	stoppedBy?: { failure: Failure; batch: readonly U[] };
}

/** A copy whose fate MoEngage never told: it may have been taken although no 200 came back. */
const fateUnknown = (
	exchange: Exchange<unknown>,
): exchange is Exclude<Exchange<unknown>, { kind: 'answer' }> =>
	exchange.kind === 'lost' ||
	exchange.kind === 'malformed' ||
	(exchange.kind === 'refused' && (exchange.status >= 500 || exchange.status === 408));

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

/** A send whose answer never came back may have been recorded: only these count against resendsAfterLostAnswer. */
const mayHaveArrived = (exchange: Exchange<unknown>): boolean =>
	exchange.kind === 'lost' ||
	exchange.kind === 'malformed' ||
	(exchange.kind === 'refused' && exchange.mayHaveArrived === true);

/** The failure of a write whose answer was lost `lost` times and that may not be sent again. */
function lostFailure(failure: Failure, lost: number): Failure {
	const times =
		lost === 1
			? 'MoEngage may have recorded it; not sent again, since sending it twice could record it twice'
			: `MoEngage may have recorded it up to ${lost} times; not sent again`;
	return {
		...failure,
		message: `${failure.message}. ${times}`,
		description:
			`${failure.description ?? ''} Before sending these items again, check in MoEngage whether they were recorded.`.trim(),
	};
}

const halves = <T>(batch: readonly T[]): [T[], T[]] => {
	const middle = Math.ceil(batch.length / 2);
	return [batch.slice(0, middle), batch.slice(middle)];
};

/**
 * How long to wait after a 429: never less than the backoff (a Retry-After of 0, or a date our
 * clock already passed, must not turn into a burst of resends), longer when MoEngage asks for it
 * (Retry-After, else the x-ratelimit-reset of a 429), and never more than MAX_RATE_LIMIT_WAIT_MS.
 */
export function rateLimitWaitMs(
	exchange: Refusal,
	rateLimited: number,
	random: () => number,
): { ms: number; why: string; cappedFromMs?: number } {
	const floor = backoffMs(rateLimited, random);
	const asked = exchange.retryAfterMs ?? exchange.rateLimit?.resetMs;
	const why =
		asked === undefined || asked <= floor
			? 'backing off'
			: exchange.retryAfterMs !== undefined
				? 'as its Retry-After asks'
				: 'until its rate window resets (x-ratelimit-reset)';
	const ms = Math.max(floor, asked ?? 0);
	return ms > MAX_RATE_LIMIT_WAIT_MS
		? { ms: MAX_RATE_LIMIT_WAIT_MS, why, cappedFromMs: ms }
		: { ms, why };
}

const defaultBlame400 = (exchange: Refusal): Blame400 =>
	exchange.blames === undefined ? 'unknown' : 'request';

export async function dispatch<U, A, O>(
	batches: readonly U[][],
	policy: DispatchPolicy,
	io: DispatchIo<U, A, O>,
): Promise<DispatchOutcome<U, O>> {
	const results = new Map<U, UnitResult<O>>();
	const blame400 = io.blame400 ?? defaultBlame400;
	const stats: DispatchStats = { requests: 0, retries: {} };
	/** Set once nothing more is to be sent; what is still unsent then fails with it. */
	let halt: Failure | undefined;
	let stoppedBy: DispatchOutcome<U, O>['stoppedBy'];
	// Ends every wait and request in flight once the run is halted, or when n8n cancels the execution.
	const stop = new AbortController();
	const cancelled = () => stop.abort();
	io.signal?.addEventListener('abort', cancelled, { once: true });
	if (io.signal?.aborted) stop.abort();

	const haltWith = (failure: Failure): undefined => {
		halt ??= failure;
		stop.abort();
		return undefined;
	};
	/** MoEngage (or the network) failed these units. */
	const fail = (batch: readonly U[], failure: Failure, maybeRecorded = false): undefined => {
		for (const unit of batch)
			results.set(unit, { kind: 'failed', failure, ...(maybeRecorded ? { maybeRecorded } : {}) });
		if (policy.stopOnFailure && stoppedBy === undefined) {
			stoppedBy = { failure, batch };
			// What was never sent did not fail for this reason: it gets a failure of its own, so the
			// error names only the units MoEngage refused.
			haltWith({ message: `Not sent: the run stopped at an earlier failure (${failure.message})` });
		}
		return undefined;
	};
	/**
	 * A write's failure after one of its copies was sent and its answer lost: MoEngage may have
	 * applied that copy, whatever the later answers say, so the failure says so.
	 */
	const failAfter = (
		batch: readonly U[],
		failure: Failure,
		lost: number,
		tries?: number,
	): undefined => {
		// Where MoEngage de-duplicates (resendWithinMs), a 5xx copy too may be the one it holds: its
		// 409 speaks of requests "in progress".
		const applied =
			(lost > 0 && io.resendsAfterLostAnswer !== undefined) ||
			(io.resendWithinMs !== undefined && batch.some((unit) => unanswered.has(unit)));
		const said = applied
			? { ...failure, message: `${failure.message}. MoEngage may have applied it` }
			: failure;
		return fail(batch, tries === undefined ? said : withTries(said, tries), applied);
	};
	/** Never sent: the run was halted. */
	const skip = (batch: readonly U[]): undefined => {
		for (const unit of batch)
			if (!results.has(unit)) results.set(unit, { kind: 'failed', failure: halt as Failure });
		return undefined;
	};
	/** Sent, but the halt cut its answer off: MoEngage may have recorded it. */
	const abandon = (batch: readonly U[]): undefined => {
		const cause = stoppedBy?.failure ?? (halt as Failure);
		const failure = {
			message: `The run stopped (${cause.message}) while this request was on its way: MoEngage may have recorded it`,
		};
		for (const unit of batch)
			if (!results.has(unit)) results.set(unit, { kind: 'failed', failure, maybeRecorded: true });
		return undefined;
	};
	/** What is left of a batch when the run halts: unsent, unless an earlier copy of it may have arrived. */
	const leave = (batch: readonly U[], lost: number): undefined =>
		lost > 0 ? abandon(batch) : skip(batch);
	const retrying = (cause: string) => {
		stats.retries[cause] = (stats.retries[cause] ?? 0) + 1;
	};
	const wait = async (ms: number, why: string) => {
		if (ms >= LOGGED_WAIT_MS) io.log(`MoEngage: waiting ${seconds(ms)} ${why}`);
		if (!(await pause(io.clock.now() + ms, io.clock, stop.signal)))
			throw new WaitCancelled('to retry MoEngage');
	};
	/** A wait that ended because the run was halted (not because n8n cancelled it) settles the batch. */
	const haltedDuring = (error: unknown) =>
		error instanceof WaitCancelled && halt !== undefined && !io.signal?.aborted;

	/** Per unit: its copies sent without a verdict, and when the first of them left. */
	const unanswered = new Map<U, { copies: number; firstSentAt: number; failure: Failure }>();
	const noteUnanswered = (batch: readonly U[], sentAt: number, failure: Failure) => {
		for (const unit of batch) {
			const known = unanswered.get(unit);
			if (known === undefined) unanswered.set(unit, { copies: 1, firstSentAt: sentAt, failure });
			else known.copies++;
		}
	};
	/** The failure of a unit whose resend would come after MoEngage stopped de-duplicating it. */
	const pastResendWindow = (batch: readonly U[]): Failure | undefined => {
		if (io.resendWithinMs === undefined) return undefined;
		const firstSentAt = Math.min(
			...batch.map((unit) => unanswered.get(unit)?.firstSentAt ?? Infinity),
		);
		if (io.clock.now() - firstSentAt < io.resendWithinMs) return undefined;
		const earliest = batch
			.map((unit) => unanswered.get(unit))
			.find((known) => known?.firstSentAt === firstSentAt)!;
		return {
			...earliest.failure,
			message: `${earliest.failure.message}. MoEngage may have taken it; not sent again, since ${seconds(io.clock.now() - firstSentAt)} have passed since the first copy, and MoEngage may no longer see a copy sent now as a repeat`,
			description:
				`${earliest.failure.description ?? ''} Before sending these items again, check in MoEngage whether they were sent.`.trim(),
		};
	};

	// The first request of a run goes alone: a problem every request shares (a wrong key, a Fields
	// value MoEngage refuses) then costs one request, or three for a 400 that names no attribute,
	// instead of one per request in flight.
	let release: () => void = () => {};
	const firstAnswered = new Promise<void>((resolve) => (release = resolve));

	/**
	 * Sends `batch` until it is answered, fails for good, or is split. With `suspect` (the message of
	 * a 400 naming no attribute that the batch it came from got): the same 400 again is returned as
	 * 'same', unsettled, for the caller to tell a request-wide fault from a bad unit.
	 */
	async function deliver(
		batch: readonly U[],
		suspect?: string,
		lostBefore = 0,
	): Promise<'same' | undefined> {
		let failures = 0;
		let rateLimited = 0;
		// Carried into the halves of a split batch: each half was inside every copy that may have arrived.
		let lost = lostBefore;
		const weight = io.weight(batch);
		try {
			for (;;) {
				if (halt) return leave(batch, lost);
				const done = await io.budget.acquire(
					policy.unitsPerMinute,
					stop.signal,
					policy.requestsInFlight,
				);
				let exchange: Exchange<A>;
				let sentAt = io.clock.now();
				let reservation: Reservation;
				try {
					reservation = await io.budget.spend(weight, policy.unitsPerMinute, io.clock, {
						signal: stop.signal,
						longWaitMs: LOGGED_WAIT_MS,
						log: io.log,
						onLongWait: (ms, limit, held) =>
							io.log(
								held === undefined
									? `MoEngage: waiting ${seconds(ms)} for the workspace budget of ${limit} ${policy.unit} per minute before sending ${weight} more`
									: `MoEngage: waiting ${seconds(ms)} before sending ${weight} more ${policy.unit}: the workspace is held ${held}`,
							),
					});
					// Checked at the last moment: the waits for a slot and for the budget (a 429's hold, a
					// budget cut to a trickle) can carry a resend past MoEngage's de-duplication window.
					const tooLate = pastResendWindow(batch);
					if (tooLate !== undefined) return fail(batch, tooLate, true);
					stats.requests++;
					sentAt = io.clock.now();
					exchange = await io.send(batch, stop.signal);
				} finally {
					done();
				}
				if (halt && exchange.kind !== 'answer') {
					// This copy or an earlier one may have arrived: the batch is not "unsent" then.
					if (mayHaveArrived(exchange)) lost++;
					return leave(batch, lost);
				}
				const blame =
					exchange.kind === 'refused' && exchange.status === 400 ? blame400(exchange) : undefined;
				const verdict =
					exchange.kind === 'refused' && batch.length === 1
						? io.verdict?.(batch, exchange, unanswered.get(batch[0])?.copies ?? 0)
						: undefined;
				if (fateUnknown(exchange)) noteUnanswered(batch, sentAt, exchange.failure);
				if (blame !== 'unknown' || verdict !== undefined) release();
				noteRateLimit(exchange, reservation);
				if (exchange.kind === 'answer') {
					io.settle(batch, exchange.answer).forEach((outcome, index) =>
						results.set(batch[index], { kind: 'settled', outcome }),
					);
					return;
				}
				if (verdict !== undefined) {
					results.set(batch[0], { kind: 'settled', outcome: verdict });
					return;
				}
				let cause: string;
				if (exchange.kind === 'refused') {
					const { status, failure } = exchange;
					const form = io.anotherForm?.(batch, exchange);
					if (form !== undefined) {
						retrying(form);
						continue;
					}
					if (FATAL_STATUSES.has(status)) {
						failAfter(batch, failure, lost);
						return haltWith(failure);
					}
					if (blame === 'unknown') {
						if (suspect === failure.message) return 'same';
						return await isolate(batch, failure, true, lost);
					}
					// MoEngage refuses a whole request for one bad unit: halving isolates it in about
					// 2·log2(n) requests, and the units beside it are still answered.
					const splittable = status === 413 || blame === 'units';
					if (splittable && batch.length > 1) {
						retrying(`split after ${status}`);
						const [first, second] = halves(batch);
						await deliver(first, undefined, lost);
						await deliver(second, undefined, lost);
						return;
					}
					if (status === 400 && !splittable) {
						// A fault in the request itself (the fields, app_id): every batch would fail alike.
						failAfter(batch, failure, lost);
						return haltWith(failure);
					}
					if (splittable) return failAfter(batch, failure, lost);
					if (status === 429) {
						rateLimited++;
						if (rateLimited >= MAX_RATE_LIMITED_TRIES)
							return failAfter(batch, failure, lost, rateLimited);
						retrying('429');
						const delay = rateLimitWaitMs(exchange, rateLimited, io.random);
						if (delay.cappedFromMs !== undefined) {
							io.log(
								`MoEngage: its 429 asked for a wait of ${seconds(delay.cappedFromMs)}; waiting ${seconds(delay.ms)} at most`,
							);
						}
						// The whole workspace waits: the next batches would only hit the same wall.
						io.budget.hold(io.clock.now() + delay.ms, "after MoEngage's rate limit (429)");
						await wait(
							delay.ms,
							`after MoEngage's rate limit (429), ${delay.why}, before sending ${weight} ${policy.unit} again`,
						);
						continue;
					}
					if (status < 500 && status !== 408) return failAfter(batch, failure, lost);
					cause = String(status);
				} else {
					cause = exchange.kind === 'malformed' ? 'malformed answer' : 'network';
				}
				if (mayHaveArrived(exchange)) {
					lost++;
					if (lost > (io.resendsAfterLostAnswer?.(batch) ?? Infinity))
						return fail(batch, lostFailure(exchange.failure, lost), true);
				}
				failures++;
				// A write that may have arrived says so; a lookup changes nothing either way.
				if (failures > policy.maxRetries) return failAfter(batch, exchange.failure, lost, failures);
				retrying(cause);
				await wait(
					backoffMs(failures, io.random),
					`before retry ${failures} of ${policy.maxRetries} after ${exchange.failure.message}`,
				);
			}
		} finally {
			// A wait the halt ended, or an answer it cut off: what is left of the batch is unsent, or may have arrived.
			if (halt) leave(batch, lost);
		}
	}

	/**
	 * `batch` got a 400 that names no attribute: a bad unit in it, or a fault of every request.
	 * Its halves are sent only while that tells something: when both fail alike at the first split,
	 * the fault is the request's and the rest of the run fails with it; otherwise the half that
	 * fails is known to hold the bad unit and is split without being sent whole again.
	 */
	async function isolate(
		batch: readonly U[],
		failure: Failure,
		first: boolean,
		lost: number,
	): Promise<undefined> {
		if (batch.length === 1) return failAfter(batch, failure, lost);
		retrying('split after 400');
		const [a, b] = halves(batch);
		const aFails = (await deliver(a, failure.message, lost)) === 'same';
		if (halt) return leave(batch, lost);
		if (!aFails) return await isolate(b, failure, false, lost);
		const bFails = (await deliver(b, failure.message, lost)) === 'same';
		if (halt) return leave(batch, lost);
		if (bFails && first) {
			failAfter(batch, failure, lost);
			return haltWith(failure);
		}
		await isolate(a, failure, false, lost);
		if (bFails) await isolate(b, failure, false, lost);
	}

	/**
	 * What the answer says about MoEngage's window: a 429 cuts this process's share; any other answer
	 * counts its request as let through, and x-ratelimit-remaining tells the room left (used at once
	 * where it counts the endpoint's unit) or that none is (nothing more until the window resets).
	 */
	function noteRateLimit(exchange: Exchange<A>, reservation: Reservation) {
		if (exchange.kind === 'refused' && exchange.status === 429) {
			io.budget.rateLimited(policy.unitsPerMinute, io.clock.now(), io.log, reservation);
			return;
		}
		if (exchange.kind === 'answer' || exchange.kind === 'refused') {
			io.budget.answered(reservation);
			const { limit, remaining, resetMs } = exchange.rateLimit ?? {};
			// Headers in the endpoint's own unit say how much of MoEngage's window is left, for everyone.
			if (limit === policy.unitsPerMinute && remaining !== undefined && remaining > 0)
				io.budget.roomLeft(remaining, policy.unitsPerMinute, reservation, io.clock.now());
			if (remaining === 0 && resetMs !== undefined && resetMs > 0) {
				const ms = Math.min(resetMs, MAX_RATE_LIMIT_WAIT_MS);
				io.budget.hold(
					io.clock.now() + ms,
					'until its rate window resets (MoEngage answered x-ratelimit-remaining: 0)',
				);
			}
		}
	}

	let next = 0;
	const worker = async (index: number) => {
		if (index > 0) await firstAnswered;
		while (next < batches.length) {
			const batch = batches[next++];
			// A wait that the halt ended leaves the batch (and any half of it) unsettled: it was not sent.
			await deliver(batch).then(
				() => undefined,
				(error: unknown) => (haltedDuring(error) ? skip(batch) : Promise.reject(error)),
			);
			release();
		}
	};
	try {
		await Promise.all(
			Array.from({ length: Math.min(policy.concurrency, batches.length) }, (_, index) =>
				worker(index),
			),
		);
	} finally {
		release();
		io.signal?.removeEventListener('abort', cancelled);
	}
	if (io.signal?.aborted) throw new WaitCancelled('for MoEngage');
	return { results, stats, ...(stoppedBy ? { stoppedBy } : {}) };
}
