/**
 * MoEngage Streams resends a whole batch after 30, 60 and 120 seconds when an answer is not 2xx,
 * and its events carry an `event_uuid` "for de-duplication" (docs/moengage-api.md#streams). A
 * batch answered 200 whose answer MoEngage never got (a timeout, a dropped connection) comes back
 * with the same events: each trigger remembers the IDs it started a workflow for, for a time and
 * up to a count, so that memory stays bounded however many events arrive.
 */

/** At least MoEngage's retry window (30 + 60 + 120 s, each attempt's wait for an answer on top). */
export const DEFAULT_REMEMBER_MINUTES = 15;
export const MIN_REMEMBER_MINUTES = 5;
/** 12.4 MiB at the bound, 130 bytes an ID (BENCHMARKS.md, scenario 12). */
export const DEFAULT_REMEMBER_AT_MOST = 100_000;

export interface Remembering {
	windowMs: number;
	capacity: number;
}

/** What a batch's IDs were: new ones start a workflow, repeated ones do not. */
export interface Sorted {
	fresh: Set<string>;
	repeated: number;
	/** IDs forgotten because the memory was full before their time was up. */
	forgottenEarly: number;
}

export class SeenEvents {
	/** ID → when it was first seen. A Map keeps insertion order, so the oldest is always first. */
	private readonly firstSeen = new Map<string, number>();

	constructor(private limits: Remembering) {}

	get size() {
		return this.firstSeen.size;
	}

	/** Takes new limits; a smaller capacity forgets the oldest IDs at the next batch. */
	retune(limits: Remembering) {
		this.limits = limits;
	}

	/**
	 * Records a batch's IDs and says which were not seen within the window. An ID twice in one batch
	 * counts once. A resent ID is not seen again for a fresh window: the window runs from its first
	 * sight, which is when MoEngage's retries began.
	 */
	sort(ids: readonly string[], now: number): Sorted {
		this.forget(now);
		const fresh = new Set<string>();
		let repeated = 0;
		let forgottenEarly = 0;
		for (const id of ids) {
			if (this.firstSeen.has(id)) {
				repeated++;
				continue;
			}
			if (this.firstSeen.size >= this.limits.capacity) {
				const oldest = this.firstSeen.keys().next();
				if (!oldest.done) this.firstSeen.delete(oldest.value);
				forgottenEarly++;
			}
			this.firstSeen.set(id, now);
			fresh.add(id);
		}
		return { fresh, repeated, forgottenEarly };
	}

	private forget(now: number) {
		const { windowMs, capacity } = this.limits;
		for (const [id, seen] of this.firstSeen) {
			if (now - seen < windowMs && this.firstSeen.size <= capacity) break;
			this.firstSeen.delete(id);
		}
	}
}

/**
 * One memory per trigger and per kind of call (test or production), kept for the life of the n8n
 * process: n8n creates a node's context anew for every call, so this module is where memory lives.
 */
const memories = new Map<string, SeenEvents>();

export function memoryFor(key: string, limits: Remembering) {
	let memory = memories.get(key);
	if (memory) memory.retune(limits);
	else {
		memory = new SeenEvents(limits);
		memories.set(key, memory);
	}
	return memory;
}
