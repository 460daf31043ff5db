/**
 * Units into requests: by count, by bytes on the wire, and events that share their customer's
 * element. Pure functions; each endpoint passes its own limits.
 */

/** Bytes of a value as JSON on the wire. */
export const jsonBytes = (value: unknown): number =>
	Buffer.byteLength(JSON.stringify(value), 'utf8');

/** Consecutive units into batches of at most `batchSize`. */
export function packBatches<T>(units: readonly T[], batchSize: number): T[][] {
	const batches: T[][] = [];
	for (let start = 0; start < units.length; start += batchSize) {
		batches.push(units.slice(start, start + batchSize));
	}
	return batches;
}

/**
 * Consecutive units into batches of at most `maxUnits` whose requests stay within `maxBytes`;
 * `bytesOf` gives a unit's share of the request (its element and a comma).
 */
export function packBySize<U>(
	units: readonly U[],
	maxUnits: number,
	maxBytes: number,
	bytesOf: (unit: U) => number,
): U[][] {
	const batches: U[][] = [];
	let batch: U[] = [];
	let bytes = 0;
	for (const unit of units) {
		const size = bytesOf(unit);
		if (batch.length > 0 && (batch.length >= maxUnits || bytes + size > maxBytes)) {
			batches.push(batch);
			batch = [];
			bytes = 0;
		}
		batch.push(unit);
		bytes += size;
	}
	if (batch.length > 0) batches.push(batch);
	return batches;
}

/** An event as packEvents weighs it: its owner, its whole element alone, and its action alone. */
export interface PackedEvent {
	identifier: string;
	/** The event's element as sent alone, e.g. {type, customer_id, actions: [it]}. */
	bytes: number;
	/** The event's action alone, what it adds to an element its owner already has in the request. */
	actionBytes: number;
}

/**
 * Events into requests of at most `maxEvents` within `maxBytes`. An owner's first event in a
 * request costs its whole element; each further one only its action, since they share the
 * element's `actions[]`.
 */
export function packEvents<E extends PackedEvent>(
	events: readonly E[],
	maxEvents: number,
	maxBytes: number,
): E[][] {
	const batches: E[][] = [];
	let batch: E[] = [];
	let owners = new Set<string>();
	let bytes = 0;
	for (const event of events) {
		let size = (owners.has(event.identifier) ? event.actionBytes : event.bytes) + 1;
		if (batch.length > 0 && (batch.length >= maxEvents || bytes + size > maxBytes)) {
			batches.push(batch);
			batch = [];
			owners = new Set();
			bytes = 0;
			size = event.bytes + 1;
		}
		batch.push(event);
		owners.add(event.identifier);
		bytes += size;
	}
	if (batch.length > 0) batches.push(batch);
	return batches;
}
