/**
 * The per-workspace rate budget: never more than the endpoint's limit of units (the users, events,
 * requests or user updates it counts) sent in any rolling window, and never more than
 * MAX_REQUESTS_IN_FLIGHT requests at once. One budget per workspace (base URL +
 * Workspace ID) lives in module state, so every execution in the same n8n process — two schedules
 * on one workspace — draws from the same budget.
 *
 * Processes that share a workspace (queue-mode workers) cannot see each other's budgets, so each
 * learns its share from MoEngage's 429s: the first 429 in a window cuts the process's budget to
 * SHARE_CUT of it, and every minute without a 429 raises it by SHARE_STEP of the per-minute limit, back
 * to the full limit (additive increase, multiplicative decrease). A process alone on its workspace
 * is never refused, so it keeps the full limit.
 */
import {
	CANCEL_CHECK_MS,
	MAX_REQUESTS_IN_FLIGHT,
	MIN_REQUESTS_IN_FLIGHT,
	MIN_SHARE_PER_MINUTE,
	RATE_WINDOW_MARGIN_MS,
	RATE_WINDOW_MS,
	SHARE_CUT,
	SHARE_STEP,
	UNITS_PER_MINUTE_PER_SLOT,
} from './limits';

/** Idle budgets are looked for at most this often: a sweep reads every budget the process keeps. */
const SWEEP_EVERY_MS = 10_000;

export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

export interface Reservation {
	readonly at: number;
	readonly units: number;
	/** Why the workspace was held when this reservation was made to wait for the hold's end. */
	readonly heldBecause?: string;
}

export type Log = (line: string) => void;

export class WaitCancelled extends Error {
	constructor(what: string) {
		super(`The execution was cancelled while waiting ${what}`);
	}
}

/**
 * Waits until `until` in short sleeps, so that a cancelled execution stops waiting within
 * CANCEL_CHECK_MS. Returns false when the execution was cancelled.
 */
export async function pause(
	until: number,
	clock: Clock,
	signal: AbortSignal | undefined,
): Promise<boolean> {
	for (let left = until - clock.now(); left > 0; left = until - clock.now()) {
		if (signal?.aborted) return false;
		await clock.sleep(Math.min(left, CANCEL_CHECK_MS));
	}
	return true;
}

/**
 * Requests in flight at once to a workspace from this process: one per UNITS_PER_MINUTE_PER_SLOT
 * of its per-minute limit, between MIN_ and MAX_REQUESTS_IN_FLIGHT.
 */
export const requestsInFlight = (unitsPerMinute: number) =>
	Math.min(
		MAX_REQUESTS_IN_FLIGHT,
		Math.max(MIN_REQUESTS_IN_FLIGHT, Math.round(unitsPerMinute / UNITS_PER_MINUTE_PER_SLOT)),
	);

const stepOf = (unitsPerMinute: number) =>
	Math.max(MIN_SHARE_PER_MINUTE, Math.ceil(unitsPerMinute * SHARE_STEP));

export class WorkspaceBudget {
	/** Sent or reserved identifiers, in time order; reservations are handed out in order. */
	private reservations: Reservation[] = [];

	/** After a 429, nothing is sent to the workspace before this time… */
	private heldUntil = 0;

	/** …for this reason, told to every execution that waits for it. */
	private heldBecause = '';

	/** The units per window this process has learned it may send; undefined while it may send the full limit. */
	private share: number | undefined;

	/** The 429s within one window of a cut are one signal: they do not cut again. */
	private cutQuietUntil = -Infinity;

	/** Start of the stretch without a 429 at the current share; undefined until the first send after one. */
	private cleanSince: number | undefined;

	/** After a 429, one request (a probe) at a time until MoEngage answers one without 429. */
	private probing = false;

	private inFlight = 0;
	private slotsWhenClear = MAX_REQUESTS_IN_FLIGHT;
	private waiting: Array<() => void> = [];

	constructor(
		private readonly windowMs = RATE_WINDOW_MS + RATE_WINDOW_MARGIN_MS,
		private readonly name = 'the workspace',
		/** What the endpoint counts, for log lines: users, events, requests, user updates. */
		private readonly unit = 'users',
	) {}

	/** MoEngage said "too many": every execution on this workspace waits with the one that heard it. */
	hold(until: number, because: string): void {
		if (until <= this.heldUntil) return;
		this.heldUntil = until;
		this.heldBecause = because;
	}

	/** Nothing sent in the window, no hold, nothing in flight or waiting: the budget can be forgotten. */
	isIdle(now: number): boolean {
		const last = this.reservations[this.reservations.length - 1];
		return (
			(last === undefined || last.at <= now - this.windowMs) &&
			this.heldUntil <= now &&
			this.inFlight === 0 &&
			this.waiting.length === 0
		);
	}

	/** The units this process may send per window now, after any raises that minutes without a 429 have earned. */
	limit(unitsPerMinute: number, now: number, log?: Log): number {
		if (
			this.share !== undefined &&
			this.cleanSince !== undefined &&
			now - this.cleanSince >= this.windowMs
		) {
			const minutes = Math.floor((now - this.cleanSince) / this.windowMs);
			const before = this.share;
			this.share = before + minutes * stepOf(unitsPerMinute);
			this.cleanSince += minutes * this.windowMs;
			const after = this.share >= unitsPerMinute ? unitsPerMinute : this.share;
			if (after === unitsPerMinute) this.share = undefined;
			log?.(
				`MoEngage: no 429 from ${this.name} for ${minutes === 1 ? 'a minute' : `${minutes} minutes`}: ` +
					(after === unitsPerMinute
						? `budget restored from ${before} to the full ${unitsPerMinute} ${this.unit} per minute`
						: `budget raised from ${before} to ${after} of ${unitsPerMinute} ${this.unit} per minute`),
			);
		}
		return Math.min(this.share ?? unitsPerMinute, unitsPerMinute);
	}

	/** The earliest time `units` fit, reserved at once so that callers are served in order. */
	reserve(units: number, unitsPerMinute: number, now: number, log?: Log): Reservation {
		if (units > unitsPerMinute) {
			throw new RangeError(
				`${units} ${this.unit} can never fit a budget of ${unitsPerMinute} per minute`,
			);
		}
		const limit = this.limit(unitsPerMinute, now, log);
		const window = this.windowMs;
		while (this.reservations.length > 0 && this.reservations[0].at <= now - window) {
			this.reservations.shift();
		}
		const last = this.reservations[this.reservations.length - 1];
		let at = Math.max(now, last?.at ?? now, this.heldUntil);
		const total = this.reservations.reduce((sum, reservation) => sum + reservation.units, 0);
		let leftWindow = 0;
		for (const reservation of this.reservations) {
			if (reservation.at <= at - window) {
				leftWindow += reservation.units;
				continue;
			}
			if (total - leftWindow + units <= limit) break;
			at = reservation.at + window;
			leftWindow += reservation.units;
		}
		const reservation =
			at === this.heldUntil && at > now
				? { at, units, heldBecause: this.heldBecause }
				: { at, units };
		this.reservations.push(reservation);
		if (this.share !== undefined) this.cleanSince ??= at;
		return reservation;
	}

	/** Gives back a reservation that was never used (its execution was cancelled while waiting). */
	release(reservation: Reservation): void {
		const index = this.reservations.indexOf(reservation);
		if (index >= 0) this.reservations.splice(index, 1);
	}

	/**
	 * MoEngage answered a request with 429. Its units stay counted: MoEngage's window is full, and
	 * sending them again at once would only be refused again. The first 429 in a
	 * window cuts this process's budget and takes MoEngage's window to be full of traffic like this
	 * process's own: the rest of the cut budget, up to as much as this process sent, waits for a
	 * window to pass. So a process that already sent half its share does not knock again and again
	 * on a full window.
	 */
	rateLimited(unitsPerMinute: number, now: number, log?: Log): void {
		this.probing = true;
		this.cleanSince = undefined;
		if (now < this.cutQuietUntil) return;
		const before = this.limit(unitsPerMinute, now);
		const after = Math.min(before, Math.max(MIN_SHARE_PER_MINUTE, Math.floor(before * SHARE_CUT)));
		const sent = this.reservations
			.filter((entry) => entry.at > now - this.windowMs && entry.at <= now)
			.reduce((sum, entry) => sum + entry.units, 0);
		const unused = Math.min(after - sent, sent);
		if (unused > 0) {
			const index = this.reservations.findIndex((entry) => entry.at > now);
			this.reservations.splice(index < 0 ? this.reservations.length : index, 0, {
				at: now,
				units: unused,
			});
		}
		this.share = after;
		this.cutQuietUntil = now + this.windowMs;
		log?.(
			`MoEngage: 429 from ${this.name} after this n8n process sent ${sent} ${this.unit} in the last minute ` +
				(after < before
					? `(another process or app shares the workspace): budget lowered from ${before} to ${after} ${this.unit} per minute; `
					: `: budget stays at ${after} ${this.unit} per minute; `) +
				`it rises by ${stepOf(unitsPerMinute)} after each minute without a 429`,
		);
	}

	/** MoEngage answered, not with a 429: the probe after a 429 went through, so requests go out in parallel again. */
	answered(): void {
		if (!this.probing) return;
		this.probing = false;
		this.pump();
	}

	/**
	 * Waits for one of the workspace's request slots; call the returned function once the request is
	 * answered. `slots`: the endpoint's own number of requests in flight, where it is not the default.
	 */
	async acquire(unitsPerMinute: number, signal?: AbortSignal, slots?: number): Promise<() => void> {
		if (signal?.aborted) throw new WaitCancelled('to send to MoEngage');
		this.slotsWhenClear = slots ?? requestsInFlight(unitsPerMinute);
		if (this.waiting.length > 0 || this.inFlight >= this.slots()) {
			await new Promise<void>((resolve, reject) => {
				const granted = () => {
					signal?.removeEventListener('abort', cancelled);
					resolve();
				};
				const cancelled = () => {
					const index = this.waiting.indexOf(granted);
					if (index >= 0) this.waiting.splice(index, 1);
					reject(new WaitCancelled('to send to MoEngage'));
				};
				this.waiting.push(granted);
				signal?.addEventListener('abort', cancelled, { once: true });
			});
		} else {
			this.inFlight++;
		}
		let done = false;
		return () => {
			if (done) return;
			done = true;
			this.inFlight--;
			this.pump();
		};
	}

	private slots(): number {
		return this.probing ? 1 : this.slotsWhenClear;
	}

	/** Hands free slots to the callers waiting for them, oldest first. */
	private pump(): void {
		while (this.waiting.length > 0 && this.inFlight < this.slots()) {
			this.inFlight++;
			this.waiting.shift()?.();
		}
	}

	/** Waits until `units` may be sent, and counts them as sent from then. */
	async spend(
		units: number,
		unitsPerMinute: number,
		clock: Clock,
		options: {
			signal?: AbortSignal;
			/** `heldBecause`: the wait is a hold's (a 429 heard by any execution), not the budget's. */
			onLongWait?: (waitMs: number, limit: number, heldBecause: string | undefined) => void;
			longWaitMs?: number;
			log?: Log;
		} = {},
	): Promise<Reservation> {
		const reservation = this.reserve(units, unitsPerMinute, clock.now(), options.log);
		const wait = reservation.at - clock.now();
		if (wait > 0 && wait >= (options.longWaitMs ?? 0)) {
			options.onLongWait?.(wait, this.limit(unitsPerMinute, clock.now()), reservation.heldBecause);
		}
		if (!(await pause(reservation.at, clock, options.signal))) {
			this.release(reservation);
			throw new WaitCancelled('for the MoEngage rate budget');
		}
		return reservation;
	}
}

const budgets = new Map<string, WorkspaceBudget>();
let sweptAt = -Infinity;

/**
 * The one budget of this process for a workspace; `name` labels its log lines. Budgets that have
 * gone idle are dropped on the way, so a process that meets many workspaces keeps only the busy ones.
 */
export function budgetFor(
	workspace: string,
	name: string | undefined,
	now: number,
	unit?: string,
): WorkspaceBudget {
	if (now - sweptAt >= SWEEP_EVERY_MS) {
		sweptAt = now;
		for (const [key, idle] of budgets) {
			if (key !== workspace && idle.isIdle(now)) budgets.delete(key);
		}
	}
	let budget = budgets.get(workspace);
	if (!budget) {
		budget = new WorkspaceBudget(undefined, name, unit);
		budgets.set(workspace, budget);
	}
	return budget;
}

/** How many workspaces' budgets this process keeps. */
export const budgetsKept = (): number => budgets.size;
