/**
 * Types of ./cohort.js, the simulator's Cohort Sync (docs/moengage-api.md#cohort-sync), and of
 * what it leaves behind for tests to read. The module stays plain JavaScript so that scripts run it
 * without compiling; this file only describes it.
 */
import type { Answer, SimulatorConfig } from './simulator';
import type { IgnoredEntry, ProfileStore, RateWindow, WriteEndpointHandler } from './writes';

export type CohortAction = 'add_members' | 'remove_members';

/** A Cohort Sync request MoEngage accepted (a 200), as sent, and when it was processed. */
export type CohortSyncEntry = {
	action: CohortAction;
	partner: string;
	cohort_id: string;
	cohort_name: string;
	/** The cohort_description, when it was sent. */
	description?: string;
	/** The members' uids, in the order sent. */
	uids: string[];
	/** The simulator clock when it was accepted. */
	acceptedAt: number;
	/** acceptedAt + config.cohortProcessingMs, once it was processed; absent while it waits. */
	processedAt?: number;
};

/** A custom segment Cohort Sync made, keyed by the caller's cohort_id, with the latest name, partner and description it was sent. */
export type Segment = {
	cohort_id: string;
	cohort_name: string;
	partner: string;
	description?: string;
	/** The members' customer IDs, in the order they joined; users deleted since are no longer in it. */
	members: string[];
};

/**
 * What a processed sync left out: a uid that names no user (Cohort Sync creates none), or, without
 * a uid, the whole sync because its cohort_name is one of config.dashboardSegments.
 */
export type CohortIgnoredEntry = {
	endpoint: 'cohortSync';
	cohort_id: string;
	cohort_name: string;
	uid?: string;
	reason: string;
	/** When the sync was processed. */
	at: number;
};

export interface CohortSync {
	endpoint: WriteEndpointHandler;
	/** Every accepted sync, in arrival order. */
	syncs: CohortSyncEntry[];
	/** Processes, in arrival order, the accepted syncs due by `now`. */
	process(now: number): void;
	/** A segment as it stands, or undefined for none. */
	segment(cohortId: string): Segment | undefined;
	reset(): void;
}

export function createCohortSync(context: {
	config: SimulatorConfig;
	store: ProfileStore;
	failBody(status: number, type: string, message: string, attribute?: string | null): Answer;
	window: RateWindow;
	ignored: IgnoredEntry[];
}): CohortSync;

/** POST /v1/integrations/cohortsync. */
export const COHORT_SYNC_PATH: string;
/** 128 KB a request, read as 131,072 bytes. */
export const COHORT_MAX_BYTES: number;
