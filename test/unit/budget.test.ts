import { WaitCancelled, WorkspaceBudget } from '../../nodes/MoEngage/shared/budget';
import { CANCEL_CHECK_MS } from '../../nodes/MoEngage/shared/limits';
import { FakeClock } from '../support/fake-clock';

const WINDOW = 60_000;

/** The most identifiers sent in any window (t - WINDOW, t]. */
function busiestWindow(sends: Array<{ at: number; users: number }>): number {
	return Math.max(
		...sends.map(({ at }) => sends.filter((send) => send.at > at - WINDOW && send.at <= at).reduce((sum, send) => sum + send.users, 0)),
	);
}

describe('WorkspaceBudget', () => {
	it('lets a full minute of users out at once, then waits for the window to roll', () => {
		const budget = new WorkspaceBudget(WINDOW);
		const times = Array.from({ length: 60 }, () => budget.reserve(20, 1000, 0).at);
		expect(times.slice(0, 50)).toEqual(Array(50).fill(0));
		expect(times.slice(50)).toEqual(Array(10).fill(WINDOW));
	});

	it('never exceeds the limit in any rolling window, whatever the batch sizes and arrival times', () => {
		const budget = new WorkspaceBudget(WINDOW);
		const sends: Array<{ at: number; users: number }> = [];
		let now = 0;
		for (let n = 0; n < 500; n++) {
			const users = 1 + ((n * 7) % 20);
			now += (n * 131) % 900;
			sends.push({ at: budget.reserve(users, 300, now).at, users });
		}
		expect(busiestWindow(sends)).toBeLessThanOrEqual(300);
		// and it does not idle: 500 sends of ~10.5 users at 300 per minute need about 17.5 minutes
		const total = sends.reduce((sum, send) => sum + send.users, 0);
		expect(sends[sends.length - 1].at).toBeLessThan(((total / 300) + 1) * WINDOW);
	});

	it('serves callers in the order they asked', () => {
		const budget = new WorkspaceBudget(WINDOW);
		budget.reserve(15, 20, 0);
		const big = budget.reserve(10, 20, 1);
		const small = budget.reserve(1, 20, 2);
		expect(big.at).toBe(WINDOW);
		expect(small.at).toBeGreaterThanOrEqual(big.at);
	});

	it('gives a released reservation back to later callers', () => {
		const budget = new WorkspaceBudget(WINDOW);
		budget.reserve(20, 20, 0);
		const cancelled = budget.reserve(20, 20, 0);
		budget.release(cancelled);
		budget.release(budget.reserve(20, 20, 0));
		expect(budget.reserve(20, 20, 1).at).toBe(WINDOW);
	});

	it('refuses a batch larger than the whole budget instead of waiting forever', () => {
		expect(() => new WorkspaceBudget(WINDOW).reserve(21, 20, 0)).toThrow(RangeError);
	});
});

describe('WorkspaceBudget.spend', () => {
	it('waits out the window in short sleeps and reports the long wait once', async () => {
		const clock = new FakeClock();
		const budget = new WorkspaceBudget(WINDOW);
		const waits: number[] = [];
		await budget.spend(1000, 1000, clock, { onLongWait: (ms) => waits.push(ms), longWaitMs: 3000 });
		expect(clock.time).toBe(0);
		clock.time = 10_000;
		await budget.spend(20, 1000, clock, { onLongWait: (ms) => waits.push(ms), longWaitMs: 3000 });
		expect(clock.time).toBe(WINDOW);
		expect(waits).toEqual([50_000]);
		expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(CANCEL_CHECK_MS);
	});

	it('stops waiting within one check when the execution is cancelled, and frees its place', async () => {
		const clock = new FakeClock();
		const budget = new WorkspaceBudget(WINDOW);
		await budget.spend(20, 20, clock);
		const controller = new AbortController();
		clock.onSleep = () => {
			if (clock.time >= 5_000) controller.abort();
		};
		await expect(budget.spend(20, 20, clock, { signal: controller.signal })).rejects.toBeInstanceOf(WaitCancelled);
		expect(clock.time).toBeLessThan(5_000 + CANCEL_CHECK_MS + 1);
		expect(budget.reserve(5, 20, clock.time).at).toBe(WINDOW);
	});
});

describe('WorkspaceBudget.hold', () => {
	it('makes every later caller on the workspace wait until the hold ends', () => {
		const budget = new WorkspaceBudget(WINDOW);
		budget.hold(5_000);
		expect(budget.reserve(1, 1000, 0).at).toBe(5_000);
		budget.hold(1_000);
		expect(budget.reserve(1, 1000, 2_000).at).toBe(5_000);
		expect(budget.reserve(1, 1000, 6_000).at).toBe(6_000);
	});
});
