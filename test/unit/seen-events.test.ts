/**
 * The Streams trigger's memory of event IDs: MoEngage resends a batch after 30, 60 and 120 s when
 * its answer was not 2xx (docs/moengage-api.md#streams), so an ID must be remembered at least that
 * long, and memory must stay bounded however many events come.
 */
import fc from 'fast-check';

import { SeenEvents } from '../../nodes/MoEngageTrigger/seen-events';

const MINUTE = 60_000;
const ids = (from: number, count: number) =>
	Array.from({ length: count }, (_, index) => `event-${from + index}`);

describe('SeenEvents', () => {
	it('says which IDs are new, and counts the repeated ones', () => {
		const memory = new SeenEvents({ windowMs: 15 * MINUTE, capacity: 1000 });
		memory.sort(ids(0, 100), 0);

		const sorted = memory.sort(ids(50, 100), 1000);

		expect([...sorted.fresh]).toEqual(ids(100, 50));
		expect(sorted.repeated).toBe(50);
	});

	it('recognises a batch resent at MoEngage’s last retry, 30 + 60 + 120 s after the first attempt', () => {
		const memory = new SeenEvents({ windowMs: 15 * MINUTE, capacity: 1000 });
		memory.sort(ids(0, 100), 0);

		expect(memory.sort(ids(0, 100), 210_000).fresh.size).toBe(0);
	});

	it('forgets an ID once its window has passed since it was first seen, not since it was last resent', () => {
		const memory = new SeenEvents({ windowMs: 5 * MINUTE, capacity: 1000 });
		memory.sort(['a'], 0);
		memory.sort(['a'], 4 * MINUTE);

		expect([...memory.sort(['a'], 5 * MINUTE).fresh]).toEqual(['a']);
	});

	it('holds at most its capacity, forgetting the oldest first, and says how many it forgot early', () => {
		const memory = new SeenEvents({ windowMs: 15 * MINUTE, capacity: 1000 });
		memory.sort(ids(0, 1000), 0);

		const sorted = memory.sort(ids(1000, 10), 1);

		expect(memory.size).toBe(1000);
		expect(sorted.forgottenEarly).toBe(10);
		expect(memory.sort(ids(0, 10), 2).fresh.size).toBe(10);
		expect(memory.sort(ids(20, 10), 3).fresh.size).toBe(0);
	});

	it('takes a smaller capacity from the next batch on', () => {
		const memory = new SeenEvents({ windowMs: 15 * MINUTE, capacity: 1000 });
		memory.sort(ids(0, 1000), 0);
		memory.retune({ windowMs: 15 * MINUTE, capacity: 100 });

		memory.sort([], 1);

		expect(memory.size).toBe(100);
		expect(memory.sort(ids(900, 100), 2).fresh.size).toBe(0);
	});

	it('property: within the window and the capacity, every ID is new exactly once, however batches repeat and overlap', () => {
		fc.assert(
			fc.property(
				fc.array(
					fc.record({
						ids: fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 100 }),
						afterMs: fc.integer({ min: 0, max: 60_000 }),
					}),
					{ maxLength: 30 },
				),
				(batches) => {
					const memory = new SeenEvents({ windowMs: 1_000 * MINUTE, capacity: 10_000 });
					const started: string[] = [];
					let now = 0;
					for (const batch of batches) {
						now += batch.afterMs;
						started.push(...memory.sort(batch.ids.map(String), now).fresh);
					}
					const sent = new Set(batches.flatMap((batch) => batch.ids.map(String)));
					expect(started.sort()).toEqual([...sent].sort());
				},
			),
			{ numRuns: 300 },
		);
	});
});
