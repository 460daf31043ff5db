/**
 * The per-workspace rate budget: never more than the endpoint's limit of units (the users, events,
 * requests or user updates it counts) sent in any rolling window, and never more than
 * MAX_REQUESTS_IN_FLIGHT requests at once. One budget per workspace (base URL +
 * Workspace ID) lives in module state, so every execution in the same n8n process — two schedules
 * on one workspace — draws from the same budget.
 *
 * Processes that share a workspace (queue-mode workers) cannot see each other's budgets, so each
 * learns its share from MoEngage's answers:
 * - The first 429 in a window means MoEngage's window is full, and what this process got through
 *   in it was its part: the budget is cut to that (never below SHARE_CUT of what it was, so a
 *   process that joins a busy workspace is not starved). The shares of busy processes then add up
 *   to the limit, not to half of it.
 * - Every minute without a 429 raises the budget by SHARE_STEP of the per-minute limit, back to the
 *   full limit; a raise that meets a 429 makes the next one wait twice as long (up to
 *   MAX_RAISE_EVERY minutes), so processes sharing evenly knock on the limit less often.
 * - Where MoEngage's answers carry x-ratelimit-remaining in the endpoint's own unit, the room they
 *   tell is used at once, beyond the share: a process sees what another left unused.
 * A process alone on its workspace is never refused, so it keeps the full limit.
 */
import {
	CANCEL_CHECK_MS,
	MAX_REQUESTS_IN_FLIGHT,
	MIN_REQUESTS_IN_FLIGHT,
	MIN_SHARE_PER_MINUTE,
	RATE_WINDOW_MARGIN_MS,
	RATE_WINDOW_MS,
	REQUESTS_PER_MINUTE_PER_SLOT,
	SHARE_CUT,
	SHARE_STEP,
	UNITS_PER_MINUTE_PER_SLOT,
} from './limits';

/** The most minutes without a 429 a raise can wait for (see WorkspaceBudget.raiseEvery). */
const MAX_RAISE_EVERY = 4;

/** Idle budgets are looked for at most this often: a sweep reads every budget the process keeps. */
const SWEEP_EVERY_MS = 10_000;

export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

export interface Reservation {
	/** When it may be sent; MoEngage's x-ratelimit-remaining can bring it forward (WorkspaceBudget.roomLeft). */
	readonly at: number;
	readonly units: number;
	/** Why the workspace was held when this reservation was made to wait for the hold's end. */
	readonly heldBecause?: string;
}

/** A reservation as the budget keeps it. */
type Booked = { -readonly [K in keyof Reservation]: Reservation[K] };

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
	until: number | (() => number),
	clock: Clock,
	signal: AbortSignal | undefined,
): Promise<boolean> {
	const end = typeof until === 'number' ? () => until : until;
	for (let left = end() - clock.now(); left > 0; left = end() - clock.now()) {
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

/**
 * Requests in flight for batches that weigh `unitsPerRequest` on average: as requestsInFlight, and
 * at most one per REQUESTS_PER_MINUTE_PER_SLOT requests the limit allows a minute (at least one).
 */
export const requestsInFlightFor = (unitsPerMinute: number, unitsPerRequest: number) =>
	Math.min(
		requestsInFlight(unitsPerMinute),
		Math.max(
			1,
			Math.round(unitsPerMinute / Math.max(1, unitsPerRequest) / REQUESTS_PER_MINUTE_PER_SLOT),
		),
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

	/**
	 * Minutes without a 429 that earn a raise: 1, doubled (up to MAX_RAISE_EVERY) each time a raise
	 * meets a 429 within two windows, back to 1 when a raise holds. Processes that share a workspace
	 * evenly then knock on its limit every few minutes rather than every other one.
	 */
	private raiseEvery = 1;
	private raisedAt = -Infinity;

	/** After a 429, one request (a probe) at a time until MoEngage answers one without 429. */
	private probing = false;

	/** Reservations MoEngage answered with anything but a 429: its window counted them. */
	private readonly gotThrough = new WeakSet<Reservation>();

	/** Reservations MoEngage answered with a 429: its window did not count them. */
	private readonly refused = new WeakSet<Reservation>();

	/**
	 * Room MoEngage's window had, as its x-ratelimit-remaining said, that this process may use
	 * beyond its share at once; and when it last did, so that only answers to later requests
	 * (which count that use) tell the room again.
	 */
	private room = 0;
	/** All the room the answer told, of which `room` is this process's part. */
	private wholeRoom = 0;
	private roomUsedAt = -Infinity;

	/** The last cut: when, from which share, and the units that had got through in its window. */
	private cut: { at: number; before: number; through: number } | undefined;

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
		const every = this.raiseEvery * this.windowMs;
		if (
			this.share !== undefined &&
			this.cleanSince !== undefined &&
			now - this.cleanSince >= every
		) {
			const raises = Math.floor((now - this.cleanSince) / every);
			const minutes = raises * this.raiseEvery;
			const before = this.share;
			this.share = before + raises * stepOf(unitsPerMinute);
			this.cleanSince += raises * every;
			this.raisedAt = now;
			const after = this.share >= unitsPerMinute ? unitsPerMinute : this.share;
			if (after === unitsPerMinute) {
				this.share = undefined;
				this.raiseEvery = 1;
			}
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
		if (
			at > now &&
			at > this.heldUntil &&
			(last?.at ?? now) <= now &&
			(units <= this.room || (units <= this.wholeRoom && this.inFlight <= 1))
		) {
			// Beyond this process's share, but MoEngage said its window has room (another process
			// left it unused), and no earlier caller waits: served in order still. With nothing else
			// in flight, no answer would tell the room again, so one request may take all of it.
			at = Math.max(now, this.heldUntil);
			this.room = Math.max(0, this.room - units);
			this.wholeRoom -= units;
			this.roomUsedAt = at;
		}
		const reservation =
			at === this.heldUntil && at > now
				? { at, units, heldBecause: this.heldBecause }
				: { at, units };
		this.reservations.push(reservation);
		if (this.share !== undefined) this.cleanSince ??= at;
		return reservation;
	}

	/**
	 * MoEngage's answer to `reservation` said `remaining` units are left in its window, counted in
	 * the endpoint's own unit: this process may use them now even beyond its share (the share
	 * guesses what other processes leave; the header says it).
	 */
	roomLeft(remaining: number, unitsPerMinute: number, reservation: Reservation, now: number): void {
		if (reservation.at < this.roomUsedAt) return;
		// Not counted in that answer, as far as this process can tell: what it sent after that
		// request, and what it sent before that is still unanswered (it may have arrived later).
		const uncounted = this.reservations
			.filter(
				(entry) =>
					entry !== reservation &&
					!this.refused.has(entry) &&
					entry.at > now - this.windowMs &&
					entry.at <= now &&
					(entry.at >= reservation.at || !this.gotThrough.has(entry)),
			)
			.reduce((sum, entry) => sum + entry.units, 0);
		const whole = Math.max(0, remaining - uncounted);
		// Other processes read the same room: each takes its share's part of it, and an answer after
		// that tells what is left.
		const part = (this.share ?? unitsPerMinute) / unitsPerMinute;
		let room = Math.floor(whole * Math.min(1, part));
		let first = true;
		let pulled = 0;
		// Requests already waiting for this process's share go now, oldest first, as far as the room
		// goes; the first may take the whole room, so that a room smaller than one's part of it is
		// not left unused.
		for (const entry of this.reservations as Booked[]) {
			if (entry.at <= now) continue;
			if (entry.at <= this.heldUntil || entry.units > (first ? Math.max(room, whole) : room)) break;
			entry.at = now;
			pulled += entry.units;
			room = Math.max(0, room - entry.units);
			first = false;
			this.roomUsedAt = now;
		}
		this.room = room;
		this.wholeRoom = Math.max(room, whole - pulled);
	}

	/** Gives back a reservation that was never used (its execution was cancelled while waiting). */
	release(reservation: Reservation): void {
		const index = this.reservations.indexOf(reservation);
		if (index >= 0) this.reservations.splice(index, 1);
	}

	/**
	 * MoEngage answered `refused` with 429. Its units stay counted: MoEngage's window is full, and
	 * sending them again at once would only be refused again. The first 429 in a window cuts this
	 * process's budget to what got through in the window (at least SHARE_CUT of it) and takes
	 * MoEngage's window to be full of traffic like this process's own: the rest of the cut budget,
	 * up to as much as this process sent, waits for a window to pass. So a process that already
	 * sent its share does not knock again and again on a full window.
	 */
	rateLimited(unitsPerMinute: number, now: number, log?: Log, refused?: Reservation): void {
		if (refused) this.refused.add(refused);
		this.probing = true;
		this.cleanSince = undefined;
		if (now < this.cutQuietUntil) return;
		const before = this.limit(unitsPerMinute, now);
		const inWindow = this.reservations.filter(
			(entry) => entry.at > now - this.windowMs && entry.at <= now,
		);
		const sent = inWindow.reduce((sum, entry) => sum + entry.units, 0);
		const through = inWindow
			.filter((entry) => this.gotThrough.has(entry))
			.reduce((sum, entry) => sum + entry.units, 0);
		const after = Math.min(
			before,
			Math.max(MIN_SHARE_PER_MINUTE, through, Math.floor(before * SHARE_CUT)),
		);
		const unused = Math.min(after - sent, sent);
		if (unused > 0) {
			const index = this.reservations.findIndex((entry) => entry.at > now);
			this.reservations.splice(index < 0 ? this.reservations.length : index, 0, {
				at: now,
				units: unused,
			});
		}
		this.raiseEvery =
			now - this.raisedAt < 2 * this.windowMs ? Math.min(2 * this.raiseEvery, MAX_RAISE_EVERY) : 1;
		this.share = after;
		this.cut = { at: now, before, through };
		this.cutQuietUntil = now + this.windowMs;
		log?.(
			`MoEngage: 429 from ${this.name} after this n8n process sent ${sent} ${this.unit} in the last minute ` +
				(after < before
					? `(another process or app shares the workspace): budget lowered from ${before} to ${after} ${this.unit} per minute; `
					: `: budget stays at ${after} ${this.unit} per minute; `) +
				`it rises by ${stepOf(unitsPerMinute)} after each ${this.raiseEvery === 1 ? 'minute' : `${this.raiseEvery} minutes`} without a 429`,
		);
	}

	/** MoEngage answered, not with a 429: the probe after a 429 went through, so requests go out in parallel again. */
	answered(reservation?: Reservation): void {
		if (reservation) this.gotThrough.add(reservation);
		const { cut } = this;
		if (
			reservation !== undefined &&
			cut !== undefined &&
			this.share !== undefined &&
			reservation.at <= cut.at &&
			reservation.at > cut.at - this.windowMs
		) {
			// In flight at the cut and let through: MoEngage's window held it too, so it is part of the share.
			cut.through += reservation.units;
			this.share = Math.max(this.share, Math.min(cut.before, cut.through));
		}
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
		if (!(await pause(() => reservation.at, clock, options.signal))) {
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
