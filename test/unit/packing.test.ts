/** Units into requests: by count, by bytes, and events of one customer sharing an element. */
import {
	jsonBytes,
	packBatches,
	packBySize,
	packEvents,
} from '../../nodes/MoEngage/shared/packing';

describe('packBatches', () => {
	it('sends 45 unique identifiers in 3 requests of 20, 20 and 5', () => {
		const batches = packBatches(
			Array.from({ length: 45 }, (_, n) => n),
			20,
		);
		expect(batches.map((batch) => batch.length)).toEqual([20, 20, 5]);
		expect(batches.flat()).toEqual(Array.from({ length: 45 }, (_, n) => n));
	});

	it.each([
		[1, 1],
		[20, 1],
		[21, 2],
		[4000, 200],
	])('packs %i identifiers into %i requests of at most 20', (count, requests) => {
		const batches = packBatches(
			Array.from({ length: count }, (_, n) => n),
			20,
		);
		expect(batches).toHaveLength(requests);
		expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(20);
	});
});

describe('packBySize', () => {
	it('fills each batch up to the byte limit and the unit limit, in order', () => {
		const sizes = [40, 40, 40, 90, 10, 10, 10];
		expect(packBySize(sizes, 10, 100, (size) => size)).toEqual([
			[40, 40],
			[40],
			[90, 10],
			[10, 10],
		]);
		expect(packBySize(sizes, 2, 1000, (size) => size)).toEqual([
			[40, 40],
			[40, 90],
			[10, 10],
			[10],
		]);
	});

	it('sends a unit larger than the limit alone rather than never', () => {
		expect(packBySize([5, 500, 5], 10, 100, (size) => size)).toEqual([[5], [500], [5]]);
	});
});

describe('packEvents', () => {
	const event = (identifier: string, bytes: number, actionBytes: number) => ({
		identifier,
		bytes,
		actionBytes,
	});

	it("counts a customer's first event in a request at its element's size and each further one at its action's", () => {
		// a: 50 + 1, then a's second event adds only 20 + 1: both fit 80 bytes; b's element does not.
		const events = [event('a', 50, 20), event('a', 50, 20), event('b', 50, 20)];
		expect(packEvents(events, 10, 80)).toEqual([[events[0], events[1]], [events[2]]]);
	});

	it('starts a new request at the event limit, where a customer then costs its whole element again', () => {
		const events = [event('a', 50, 20), event('a', 50, 20), event('a', 50, 20)];
		expect(packEvents(events, 2, 1000)).toEqual([[events[0], events[1]], [events[2]]]);
		expect(packEvents(events, 10, 90)).toEqual([[events[0], events[1]], [events[2]]]);
	});

	it('sends an event larger than the limit alone rather than never', () => {
		const events = [event('a', 10, 5), event('b', 500, 400), event('c', 10, 5)];
		expect(packEvents(events, 10, 100)).toEqual([[events[0]], [events[1]], [events[2]]]);
	});
});

describe('jsonBytes', () => {
	it('counts bytes as sent, not characters', () => {
		expect(jsonBytes({ a: 'é' })).toBe(Buffer.byteLength('{"a":"é"}'));
		expect(jsonBytes({ a: 'é' })).toBe(10);
	});
});
