import type { Clock } from '../../nodes/MoEngage/shared/budget';

/**
 * A discrete-event clock for several concurrent tasks: a sleep resolves when time reaches its end,
 * and time jumps to the next sleep's end only once every task is waiting. Minutes of rate limiting
 * between several n8n processes pass in milliseconds, in the order real time would give them.
 */
export class VirtualClock implements Clock {
	time = 0;
	private timers: Array<{ at: number; order: number; resolve: () => void }> = [];
	private order = 0;

	now = () => this.time;

	sleep = async (ms: number) =>
		await new Promise<void>((resolve) => {
			this.timers.push({ at: this.time + Math.max(0, ms), order: this.order++, resolve });
		});

	/** Runs `work` to its end, moving time on whenever nothing else can run. */
	async run<T>(work: Promise<T>): Promise<T> {
		let settled = false;
		const watched = work.finally(() => {
			settled = true;
		});
		while (!settled) {
			await new Promise((resolve) => setImmediate(resolve));
			if (settled) break;
			if (this.timers.length === 0) throw new Error('every task is waiting, and not for the clock');
			this.timers.sort((a, b) => a.at - b.at || a.order - b.order);
			const next = this.timers.shift() as (typeof this.timers)[number];
			this.time = Math.max(this.time, next.at);
			next.resolve();
		}
		return await watched;
	}
}
