import type { Clock } from '../../nodes/MoEngage/shared/budget';

/** A clock whose sleep advances time at once: minutes of budget and backoff pass in microseconds. */
export class FakeClock implements Clock {
	time = 0;
	sleeps: number[] = [];
	onSleep?: () => void;
	now = () => this.time;
	sleep = async (ms: number) => {
		this.sleeps.push(ms);
		this.time += ms;
		this.onSleep?.();
	};
}
