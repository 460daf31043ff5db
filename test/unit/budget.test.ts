import {
	budgetFor,
	budgetsKept,
	requestsInFlight,
	WaitCancelled,
	WorkspaceBudget,
} from '../../nodes/MoEngage/shared/budget';
import { CANCEL_CHECK_MS } from '../../nodes/MoEngage/shared/limits';
import { FakeClock } from '../support/fake-clock';

const WINDOW = 60_000;

/** The most identifiers sent in any window (t - WINDOW, t]. */
function busiestWindow(sends: Array<{ at: number; users: number }>): number {
	return Math.max(
		...sends.map(({ at }) =>
			sends
				.filter((send) => send.at > at - WINDOW && send.at <= at)
				.reduce((sum, send) => sum + send.users, 0),
		),
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
		expect(sends[sends.length - 1].at).toBeLessThan((total / 300 + 1) * WINDOW);
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
		await expect(budget.spend(20, 20, clock, { signal: controller.signal })).rejects.toBeInstanceOf(
			WaitCancelled,
		);
		expect(clock.time).toBeLessThan(5_000 + CANCEL_CHECK_MS + 1);
		expect(budget.reserve(5, 20, clock.time).at).toBe(WINDOW);
	});
});

describe('WorkspaceBudget.hold', () => {
	it('makes every later caller on the workspace wait until the hold ends', () => {
		const budget = new WorkspaceBudget(WINDOW);
		budget.hold(5_000, "after MoEngage's rate limit (429)");
		expect(budget.reserve(1, 1000, 0)).toEqual({
			at: 5_000,
			units: 1,
			heldBecause: "after MoEngage's rate limit (429)",
		});
		budget.hold(1_000, 'a shorter hold');
		expect(budget.reserve(1, 1000, 2_000).at).toBe(5_000);
		expect(budget.reserve(1, 1000, 6_000)).toEqual({ at: 6_000, units: 1 });
	});

	it('tells an execution that starts during a hold the hold\'s cause, not "the workspace budget"', async () => {
		const budget = new WorkspaceBudget(WINDOW);
		const clock = new FakeClock();
		// an execution heard a 429 with Retry-After: 60 and was cancelled; the hold outlives it
		budget.hold(60_000, "after MoEngage's rate limit (429)");
		const waits: Array<[number, string | undefined]> = [];
		await budget.spend(20, 1000, clock, {
			longWaitMs: 3_000,
			onLongWait: (ms, _limit, held) => waits.push([ms, held]),
		});
		expect(waits).toEqual([[60_000, "after MoEngage's rate limit (429)"]]);
	});
});

describe('WorkspaceBudget sharing a workspace with other processes (AIMD)', () => {
	it('with nothing of its own let through, cuts itself to a quarter on the first 429 in a window, and not again for the 429s of that window', () => {
		const budget = new WorkspaceBudget(WINDOW, 'workspace W');
		const lines: string[] = [];
		for (let n = 0; n < 30; n++) budget.reserve(20, 1000, 0); // 600 sent, none answered yet
		budget.rateLimited(1000, 10, (line) => lines.push(line));
		budget.rateLimited(1000, 20, (line) => lines.push(line));
		expect(budget.limit(1000, 30)).toBe(250);
		expect(lines).toEqual([
			'MoEngage: 429 from workspace W after this n8n process sent 600 users in the last minute (another process or app shares the workspace): budget lowered from 1000 to 250 users per minute; it rises by 100 after each minute without a 429',
		]);
		// a window later, another 429 is a new signal
		budget.rateLimited(1000, WINDOW + 10, (line) => lines.push(line));
		expect(budget.limit(1000, WINDOW + 20)).toBe(62);
	});

	it('takes the window to be full after a 429: what it has not sent of its new share waits, up to as much as it sent', () => {
		const budget = new WorkspaceBudget(WINDOW);
		for (let n = 0; n < 15; n++) budget.reserve(20, 1000, 0); // 300 sent, new share 500
		budget.rateLimited(1000, 100);
		// 300 sent + 200 held back = 500: the next request waits for the first sends to leave the window
		expect(budget.reserve(20, 1000, 200).at).toBe(WINDOW);
	});

	it('a 429 before it sent much (someone else filled the window) leaves room to probe again soon', () => {
		const budget = new WorkspaceBudget(WINDOW);
		budget.reserve(20, 1000, 0);
		budget.rateLimited(1000, 100);
		expect(budget.reserve(20, 1000, 1_000).at).toBe(1_000);
	});

	it('raises its share by a tenth of the limit per minute without a 429, says so, and restores the full limit', () => {
		const budget = new WorkspaceBudget(WINDOW, 'workspace W');
		const lines: string[] = [];
		for (let n = 0; n < 25; n++) budget.answered(budget.reserve(20, 1000, 0)); // 500 let through
		budget.rateLimited(1000, 0);
		budget.reserve(20, 1000, WINDOW); // the first send at the new share starts the clean minute
		expect(budget.limit(1000, 2 * WINDOW - 1, (line) => lines.push(line))).toBe(500);
		expect(budget.limit(1000, 2 * WINDOW, (line) => lines.push(line))).toBe(600);
		expect(budget.limit(1000, 6 * WINDOW, (line) => lines.push(line))).toBe(1000);
		expect(lines).toEqual([
			'MoEngage: no 429 from workspace W for a minute: budget raised from 500 to 600 of 1000 users per minute',
			'MoEngage: no 429 from workspace W for 4 minutes: budget restored from 600 to the full 1000 users per minute',
		]);
	});

	it('after a raise that meets a 429 within two minutes, waits two minutes without a 429 for the next raise, and says so', () => {
		const budget = new WorkspaceBudget(WINDOW, 'workspace W');
		const lines: string[] = [];
		for (let n = 0; n < 25; n++) budget.answered(budget.reserve(20, 1000, 0)); // 500 let through
		budget.rateLimited(1000, 0);
		budget.reserve(20, 1000, WINDOW);
		expect(budget.limit(1000, 2 * WINDOW)).toBe(600); // raised
		for (let n = 0; n < 25; n++) budget.answered(budget.reserve(20, 1000, 2 * WINDOW + 1));
		budget.rateLimited(1000, 2 * WINDOW + 10, (line) => lines.push(line)); // the raise overshot
		expect(lines[0]).toMatch(
			/lowered from 600 to 500 users per minute; it rises by 100 after each 2 minutes without a 429$/,
		);
		budget.reserve(20, 1000, 3 * WINDOW + 20);
		expect(budget.limit(1000, 4 * WINDOW + 19)).toBe(500); // one clean minute is not enough now
		expect(budget.limit(1000, 5 * WINDOW + 20)).toBe(600);
	});

	it('cuts to what MoEngage let through in the window when that is more than a quarter: the window was full, and that part of it was this process’s', () => {
		const budget = new WorkspaceBudget(WINDOW, 'workspace W');
		const lines: string[] = [];
		const sent = Array.from({ length: 40 }, () => budget.reserve(20, 1000, 0)); // 800 sent
		for (const reservation of sent.slice(0, 35)) budget.answered(reservation); // 700 answered
		budget.rateLimited(1000, 10, (line) => lines.push(line), sent[35]);
		expect(budget.limit(1000, 20)).toBe(700);
		expect(lines[0]).toMatch(/sent 800 users in the last minute .*lowered from 1000 to 700 users/);
		// a request that was in flight at the 429 and got through was in MoEngage's window too
		budget.answered(sent[36]);
		expect(budget.limit(1000, 30)).toBe(720);
	});

	it('a process that got little through keeps a quarter, so one that joins a busy workspace is not starved', () => {
		const budget = new WorkspaceBudget(WINDOW);
		const sent = [budget.reserve(20, 1000, 0), budget.reserve(20, 1000, 0)];
		budget.answered(sent[0]);
		budget.rateLimited(1000, 10, undefined, sent[1]);
		expect(budget.limit(1000, 20)).toBe(250);
	});

	it('never cuts below one full request', () => {
		const budget = new WorkspaceBudget(WINDOW);
		for (let minute = 0; minute < 10; minute++) budget.rateLimited(1000, minute * (WINDOW + 1));
		expect(budget.limit(1000, 10 * (WINDOW + 1))).toBe(20);
	});
});

describe("WorkspaceBudget reading MoEngage's x-ratelimit-remaining", () => {
	it('sends a waiting request at once when MoEngage says its window has room another process left', () => {
		const budget = new WorkspaceBudget(WINDOW);
		const sent = Array.from({ length: 25 }, (_, ms) => budget.reserve(20, 1000, ms));
		for (const reservation of sent) budget.answered(reservation);
		budget.rateLimited(1000, 100, undefined, budget.reserve(20, 1000, 100)); // share 500
		const waiting = budget.reserve(20, 1000, 200);
		expect(waiting.at).toBeGreaterThanOrEqual(WINDOW);
		// the answer to its last request said 300 users of room were left (the other process is done)
		budget.roomLeft(300, 1000, sent[24], 300);
		expect(waiting.at).toBe(300);
	});

	it('counts what it has in flight against the room: a process alone is never sent over the limit by it', () => {
		const budget = new WorkspaceBudget(WINDOW);
		const sent = Array.from({ length: 50 }, () => budget.reserve(20, 1000, 0)); // the whole limit
		const waiting = budget.reserve(20, 1000, 0);
		// the first answer saw only itself: 980 left, but the other 49 are in flight
		budget.answered(sent[0]);
		budget.roomLeft(980, 1000, sent[0], 50);
		expect(waiting.at).toBe(WINDOW);
	});
});

describe('WorkspaceBudget request slots', () => {
	it('keeps 2 requests in flight at 1,000 users per minute, more for a raised limit, at most 4', () => {
		expect([500, 1000, 1500, 2000, 1e9].map(requestsInFlight)).toEqual([2, 2, 3, 4, 4]);
	});

	it('after a 429 lets one probe out at a time, and all slots again once MoEngage answers', async () => {
		const budget = new WorkspaceBudget(WINDOW);
		const first = await budget.acquire(1000);
		const second = await budget.acquire(1000);
		let third = false;
		const waiting = budget.acquire(1000).then((done) => {
			third = true;
			return done;
		});
		await Promise.resolve();
		expect(third).toBe(false);
		budget.rateLimited(1000, 0);
		first();
		second();
		const probe = await waiting;
		let fourth = false;
		const next = budget.acquire(1000).then((done) => {
			fourth = true;
			return done;
		});
		await new Promise((resolve) => setImmediate(resolve));
		expect(fourth).toBe(false); // one probe only
		budget.answered();
		probe();
		(await next)();
		expect(fourth).toBe(true);
	});

	it('stops waiting for a slot when the execution is cancelled, and the slot goes to the next caller', async () => {
		const budget = new WorkspaceBudget(WINDOW);
		const held = [await budget.acquire(1000), await budget.acquire(1000)];
		const controller = new AbortController();
		const cancelled = budget.acquire(1000, controller.signal);
		const after = budget.acquire(1000);
		controller.abort();
		await expect(cancelled).rejects.toBeInstanceOf(WaitCancelled);
		held[0]();
		await expect(after).resolves.toBeInstanceOf(Function);
	});
});

describe('budgetFor', () => {
	it('forgets a workspace with nothing in its window, no hold and nothing in flight, and keeps a busy one', async () => {
		const before = budgetsKept();
		const start = 1e12;
		for (let n = 0; n < 2_000; n++)
			budgetFor(`http://x workspace-${n}`, undefined, start).reserve(20, 1000, start);
		const busy = budgetFor('http://x busy', undefined, start);
		busy.hold(start + 10 * 60_000, 'after a 429');
		expect(budgetsKept()).toBeGreaterThanOrEqual(before + 2_001);
		budgetFor('http://x later', undefined, start + 2 * 60_000);
		expect(budgetsKept()).toBeLessThanOrEqual(before + 2);
		expect(budgetFor('http://x busy', undefined, start + 2 * 60_000)).toBe(busy);
	});
});
