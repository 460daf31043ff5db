/**
 * The per-workspace rate budget: never more than `usersPerMinute` identifiers sent in any rolling
 * window. One budget per workspace (base URL + Workspace ID) lives in module state, so every
 * execution in the same n8n process — two schedules on one workspace — draws from the same budget.
 */
import { CANCEL_CHECK_MS, RATE_WINDOW_MARGIN_MS, RATE_WINDOW_MS } from './limits';

export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

export interface Reservation {
	readonly at: number;
	readonly users: number;
}

export class WaitCancelled extends Error {
	constructor(what: string) {
		super(`The execution was cancelled while waiting ${what}`);
	}
}

/**
 * Waits until `until` in short sleeps, so that a cancelled execution stops waiting within
 * CANCEL_CHECK_MS. Returns false when the execution was cancelled.
 */
export async function pause(until: number, clock: Clock, signal: AbortSignal | undefined): Promise<boolean> {
	for (let left = until - clock.now(); left > 0; left = until - clock.now()) {
		if (signal?.aborted) return false;
		await clock.sleep(Math.min(left, CANCEL_CHECK_MS));
	}
	return true;
}

export class WorkspaceBudget {
	/** Sent or reserved identifiers, oldest first; reservations are handed out in order. */
	private reservations: Reservation[] = [];

	/** After a 429, nothing is sent to the workspace before this time. */
	private heldUntil = 0;

	constructor(private readonly windowMs = RATE_WINDOW_MS + RATE_WINDOW_MARGIN_MS) {}

	/** MoEngage said "too many": every execution on this workspace waits with the one that heard it. */
	hold(until: number): void {
		this.heldUntil = Math.max(this.heldUntil, until);
	}

	/** The earliest time `users` identifiers fit, reserved at once so that callers are served in order. */
	reserve(users: number, usersPerMinute: number, now: number): Reservation {
		if (users > usersPerMinute) {
			throw new RangeError(`${users} identifiers can never fit a budget of ${usersPerMinute} per minute`);
		}
		const window = this.windowMs;
		while (this.reservations.length > 0 && this.reservations[0].at <= now - window) {
			this.reservations.shift();
		}
		const last = this.reservations[this.reservations.length - 1];
		let at = Math.max(now, last?.at ?? now, this.heldUntil);
		const total = this.reservations.reduce((sum, reservation) => sum + reservation.users, 0);
		let leftWindow = 0;
		for (const reservation of this.reservations) {
			if (reservation.at <= at - window) {
				leftWindow += reservation.users;
				continue;
			}
			if (total - leftWindow + users <= usersPerMinute) break;
			at = reservation.at + window;
			leftWindow += reservation.users;
		}
		const reservation = { at, users };
		this.reservations.push(reservation);
		return reservation;
	}

	/** Gives back a reservation that was never used (its execution was cancelled while waiting). */
	release(reservation: Reservation): void {
		const index = this.reservations.indexOf(reservation);
		if (index >= 0) this.reservations.splice(index, 1);
	}

	/** Waits until `users` identifiers may be sent, and counts them as sent from then. */
	async spend(
		users: number,
		usersPerMinute: number,
		clock: Clock,
		options: { signal?: AbortSignal; onLongWait?: (waitMs: number) => void; longWaitMs?: number } = {},
	): Promise<void> {
		const reservation = this.reserve(users, usersPerMinute, clock.now());
		const wait = reservation.at - clock.now();
		if (wait > 0 && wait >= (options.longWaitMs ?? 0)) options.onLongWait?.(wait);
		if (!(await pause(reservation.at, clock, options.signal))) {
			this.release(reservation);
			throw new WaitCancelled('for the MoEngage rate budget');
		}
	}
}

const budgets = new Map<string, WorkspaceBudget>();

export function budgetFor(workspace: string): WorkspaceBudget {
	let budget = budgets.get(workspace);
	if (!budget) {
		budget = new WorkspaceBudget();
		budgets.set(workspace, budget);
	}
	return budget;
}
