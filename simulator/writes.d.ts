/**
 * Types of ./writes.js, the write side of the MoEngage simulator (Track User, Track Event, Bulk
 * Import, Delete User, Merge Users, and Cohort Sync: ./cohort.d.ts), and of what those endpoints leave behind for tests to read.
 * The module stays plain JavaScript so that scripts run it without compiling; this file only
 * describes it.
 */
import type { CohortIgnoredEntry, CohortSync } from './cohort';
import type { Answer, JsonObject, JsonValue, Profile, SimulatorConfig } from './simulator';

/** Each write endpoint's allowance per window, in the unit that endpoint counts. */
export interface WriteLimits {
	/** Track User: users. */
	trackUser: number;
	/** Track Event: events (actions). */
	trackEvent: number;
	/** Bulk Import: customer elements, across all Bulk requests. */
	bulkUsers: number;
	/** Bulk Import: actions, across all Bulk requests. */
	bulkEvents: number;
	/** Delete User: requests (one user each). */
	deleteRequests: number;
	/** Merge Users: user updates. */
	mergeUsers: number;
	/** Cohort Sync: requests. */
	cohortRequests: number;
}

/** The write endpoints, as a log entry's `endpoint` names them. */
export type WriteEndpoint = 'trackUser' | 'trackEvent' | 'bulk' | 'delete' | 'merge' | 'cohortSync';

/**
 * An event Track Event or Bulk Import recorded: the action's fields as sent, and its times as
 * MoEngage reads them — utc_time (ISO 8601 in UTC, "2025-05-31T16:33:35Z") and local_time (the
 * user's wall clock, ISO 8601 without a zone, "2025-05-31T22:03:35").
 */
export type RecordedEvent = {
	endpoint: 'trackEvent' | 'bulk';
	customer_id: string;
	action: string;
	attributes: JsonObject | undefined;
	platform: string | undefined;
	app_version: JsonValue | undefined;
	user_time: string | number | undefined;
	current_time: string | number | undefined;
	user_timezone_offset: number | undefined;
	utc_time: string;
	local_time: string;
	/** The simulator clock when the request arrived. */
	receivedAt: number;
};

/** A Bulk Import element (or one action of it) accepted with a 200 and not applied. */
export type BulkDrop = {
	endpoint: 'bulk';
	/** Its index in the request's elements. */
	element: number;
	/** For a dropped action: its index in the element's actions, and its name. */
	action?: number;
	name?: string;
	/** As sent: a refused customer_id need not be a string. */
	customer_id: JsonValue;
	reason: string;
	at: number;
};

/** A Merge Users pair skipped ("a failed pair is skipped and the rest continue"). */
export type MergeDrop = {
	endpoint: 'merge';
	/** Its index in the request's merge_data. */
	pair: number;
	merged_user: string;
	retained_user: string;
	reason: string;
	at: number;
};

/** What MoEngage accepts with a 200 but does not apply. */
export type DroppedEntry = BulkDrop | MergeDrop;

/** A pair Merge Users accepted (MoEngage merges asynchronously: the store is left as it is). */
export type MergeEntry = { merged_user: string; retained_user: string; at: number };

/** A Delete User request accepted: the user stays until `deleteAt`, the end of the 24-hour buffer. */
export type DeletionEntry = {
	identity_type: 'customer_id' | 'moengage_id';
	identity_value: string;
	customer_id: string;
	id: string;
	at: number;
	deleteAt: number;
};

/**
 * What was accepted and not applied: an update_existing_only user that did not exist, so nothing
 * was written; or what a processed Cohort Sync left out.
 */
export type IgnoredEntry =
	{ endpoint: 'trackUser' | 'bulk'; customer_id: string; at: number } | CohortIgnoredEntry;

/** A rolling window of spent units (users, events, requests: whatever its endpoint counts). */
export interface RateWindow {
	limit(): number;
	used(now: number): number;
	fits(now: number, count: number): boolean;
	spend(now: number, count: number): void;
	remaining(now: number): number;
	/** When the oldest spending leaves the window (now if nothing is spent). */
	freesAt(now: number): number;
	clear(): void;
}

/** The live profiles, as simulator.js shares them with the write endpoints. */
export interface ProfileStore {
	find(type: 'customer_id' | 'id', value: string | number): Profile | undefined;
	add(profile: Profile): Profile;
	remove(profile: Profile): void;
	/** A fresh MoEngage ID, never one in use. */
	newId(): string;
	restore(): void;
}

/** Where route() sends a request: the write endpoint it is for, and the app_id it names. */
export interface WriteRoute {
	endpoint: WriteEndpointHandler;
	/** The app_id the request names, in its path or its query. */
	appId: string | null;
}

/** One write endpoint: how it checks a body, what it costs, what it changes and how it words its refusals. */
export interface WriteEndpointHandler {
	name: WriteEndpoint;
	maxBytes: number;
	blocked(): Answer;
	tooLarge(): Answer;
	unsupported(): Answer;
	rateLimited(): Answer;
	serverError?(): Answer;
	missingContentType?(): Answer;
	check(
		payload: JsonObject,
		now: number,
	): { refusal: Answer; plan?: undefined } | { refusal?: undefined; plan: unknown };
	cost(plan: unknown): Array<[RateWindow, number]>;
	headerWindow(now: number): RateWindow;
	/** Applies a checked plan; an answer when it is refused after all (Delete's unknown user). */
	apply(plan: unknown, now: number): Answer | undefined;
	accepted(): JsonObject;
}

export interface Writes {
	events: RecordedEvent[];
	dropped: DroppedEntry[];
	merges: MergeEntry[];
	deletions: DeletionEntry[];
	ignored: IgnoredEntry[];
	/** Cohort Sync: its endpoint (not given by route(): it names no app_id), its syncs and segments. */
	cohort: CohortSync;
	/** The write endpoint a request is for, and the app_id it names, or undefined. */
	route(request: { method: string; url: URL }): WriteRoute | undefined;
	/** Processes the Cohort Syncs due, then hard-deletes the users whose 24 h buffer is over. */
	purge(now: number): void;
	reset(): void;
}

export function createWrites(context: {
	config: SimulatorConfig;
	store: ProfileStore;
	failBody(status: number, type: string, message: string, attribute?: string | null): Answer;
	/** MoEngage's other error shape: `{"status": "fail", title, description}`. */
	titleBody(status: number, title: string, description: string): Answer;
	/** The title-shaped 429 of Get User and Delete User. */
	rateLimitedByTitle(): Answer;
	createWindow(limitOf: () => number): RateWindow;
}): Writes;

/** Each endpoint's documented limit per window (see WriteLimits for the units). */
export const WRITE_LIMITS: WriteLimits;
/** Track User, Track Event, Delete and Merge: 128 KB a request (Cohort Sync's: COHORT_MAX_BYTES). */
export const TRACK_MAX_BYTES: number;
/** Bulk Import: 100 KB a request. */
export const BULK_MAX_BYTES: number;
/** Delete User's buffer before the hard delete: 24 hours. */
export const DELETION_BUFFER_MS: number;
/** Values MoEngage refuses as a customer_id (besides any of one character or less), lower case. */
export const DISALLOWED_CUSTOMER_IDS: Set<string>;
