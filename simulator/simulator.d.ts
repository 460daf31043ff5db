/**
 * Types of ./simulator.js, the local stand-in for MoEngage's Data API that the tests, the
 * benchmarks, `npm start`, `npm run demo` and `npm run simulator` run against. The simulator stays
 * plain JavaScript so that scripts run it without compiling; this file only describes it, and
 * must change with it.
 */
import type { IncomingHttpHeaders } from 'node:http';

import type { CohortSyncEntry, Segment } from './cohort';
import type { InformAlert, InformMessage } from './inform';
import type {
	Campaign,
	CampaignStatsRequest,
	CampaignStatsResponse,
	StatsRequestEntry,
} from './stats';
import type {
	DeletionEntry,
	DroppedEntry,
	IgnoredEntry,
	MergeEntry,
	RecordedEvent,
	WriteEndpoint,
	WriteLimits,
} from './writes';

export type { CohortAction, CohortIgnoredEntry, CohortSyncEntry, Segment } from './cohort';
export type { InformAlert, InformChannel, InformChannelPayload, InformMessage } from './inform';
export type {
	AttributionType,
	Campaign,
	CampaignStatsDetails,
	CampaignStatsRequest,
	CampaignStatsResponse,
	ControlGroupDetails,
	MetricType,
	StatsRequestEntry,
	VariationDetails,
} from './stats';
export type {
	BulkDrop,
	DeletionEntry,
	DroppedEntry,
	IgnoredEntry,
	MergeDrop,
	MergeEntry,
	RecordedEvent,
	WriteEndpoint,
	WriteLimits,
} from './writes';

/** A value JSON.parse can give: what a request body, and every value in it, is. */
export type JsonValue =
	string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A seeded user, as makeUsers makes them: every seventh has a numeric customer ID ("100007"). */
export type SeededUser = {
	customer_id: string;
	/** The MoEngage ID: 24 hex characters. */
	id: string;
	name: string;
	first_name: string;
	last_name: string;
	email: string;
	city: string;
	lifetime_value: number;
	plan: 'premium' | 'free';
};

/**
 * A profile: the two identifiers, then any attributes. The live profiles Get User reads and the
 * writes change are such; so must be every user of a `userList`.
 */
export type Profile = {
	customer_id: string;
	id: string;
	[attribute: string]: JsonValue | undefined;
};

/** Every way MoEngage, or a proxy in front of it, has been seen to misbehave; none applies the request. */
export type FaultKind =
	| '429'
	| '429-retry-after'
	| '429-title'
	| '500'
	| '502'
	| '503'
	| 'html'
	| 'reset'
	| 'hang'
	| 'truncated'
	| 'not-json';
/** Answers lost after a write took effect (Get User, which changes nothing, just meets the twin without `applied-`). */
export type AppliedFaultKind = 'applied-reset' | 'applied-hang' | 'applied-truncated';

/**
 * Which endpoint a request was for: Get User, Test Connection, a write (Cohort Sync's included),
 * Inform (live or sandbox: see LogEntry.sandbox) or campaign stats; undefined for one no endpoint
 * takes (404).
 */
export type Endpoint = 'export' | 'testConnection' | WriteEndpoint | 'inform' | 'campaignStats';

/** Faults scripted per endpoint, met in order; null lets one request through. */
export type ScriptedFaults = Partial<
	Record<Endpoint, ReadonlyArray<FaultKind | AppliedFaultKind | null>>
>;

/** One identifier of a Get User request, as sent. */
export type Identifier = { identifier_type: string; identifier: string };

/** The options of createSimulator; every one has a default. */
export interface SimulatorOptions<U extends Profile = SeededUser> {
	/** Default "SIMWORKSPACE01". */
	workspaceId?: string;
	/** The Data API key. Default "sim-data-api-key-0123456789". */
	apiKey?: string;
	/** How many users makeUsers seeds (default 1000), unless `userList` gives them. */
	users?: number;
	/** The user base itself, instead of seeded users. */
	userList?: U[];
	/** Seeds the users, the new MoEngage IDs and the order Get User answers in. Default 1. */
	seed?: number;
	/** Get User's identifiers per window. Default 1000. */
	usersPerWindow?: number;
	/** Every rate window's length. Default 60 000. */
	windowMs?: number;
	/** Get User's 429 body: {status, error: {type: RateLimitError}} ('error', default) or {title, description} ('title'). */
	rateLimitShape?: 'error' | 'title';
	/** A delay before every answer. Default 0. */
	latencyMs?: number;
	/** The workspace is blocked: 403. */
	blocked?: boolean;
	/** The workspace has no Data API key set: 409. */
	keyNotSet?: boolean;
	/** Identifiers that make a whole Get User request 400. */
	poison?: Iterable<string>;
	/** The `attribute` of that 400 (default "identifiers"); null for none. */
	poisonAttribute?: string | null;
	/** The identifier_type Get User takes for a MoEngage ID. Default 'id'. */
	idSpelling?: 'id' | 'moengage_id' | 'both';
	/** Export the attributes under other names, e.g. {customer_id: 'uid', id: '_id'}. */
	answerKeys?: Record<string, string>;
	/** Send x-ratelimit-limit / -remaining / -reset on every answer, the reset as seconds until the window frees ('delta') or a UTC epoch second ('epoch'). */
	rateLimitHeaders?: 'delta' | 'epoch';
	/** The clock the rate windows, the writes and the log follow. Default Date.now. */
	now?: () => number;
	/** A workspace MoEngage has not enabled Get User for answers 401 or 403. Default 'enabled'. */
	getUser?: 'enabled' | 'refused-401' | 'refused-403';
	/** What Test Connection answers as app_name. Default "Simulated workspace". */
	workspaceName?: string;
	/** Test Connection answers 200 {"status": "error", "message": <it>} to a request it would accept. */
	testConnectionError?: string;
	/** A seeded share (`rate`, default 0) of requests answered with a fault drawn from `kinds` (default FAULT_KINDS); 'hang' lasts hangMs (default 2000). */
	faults?: {
		rate?: number;
		seed?: number;
		kinds?: ReadonlyArray<FaultKind | AppliedFaultKind>;
		hangMs?: number;
	};
	/** Each write endpoint's allowance per window (Cohort Sync's: cohortRequests, default 300); give only the ones to change. */
	limits?: Partial<WriteLimits>;
	/** Merge's "50 users per call": a pair is 2 users ('users', default) or 1 ('pairs'). */
	mergeReading?: 'users' | 'pairs';
	/** Which moe_ user attribute names Track User and Bulk take: none ('blocked') or the standard ones ('standard', default). */
	moeAttributes?: 'blocked' | 'standard';
	/** The user's offset from UTC in seconds for an event sent without user_timezone_offset. Default 0. */
	timezoneOffset?: number;
	/**
	 * Cohort Sync's answer to a request without MOE-APPKEY: 400 MissingAttributeError (attribute
	 * "MOE-APPKEY"; the yaml's 400 names a missing "APP KEY") or 401 "Authentication Header
	 * Required" (as Test Connection here answers it). Default '400'.
	 */
	missingAppKey?: '400' | '401';
	/** How long after its 200 an accepted Cohort Sync is processed, in arrival order. Default 0. */
	cohortProcessingMs?: number;
	/** Names of segments made on the dashboard or with the File Segment API: a Cohort Sync naming one is accepted and changes nothing. */
	dashboardSegments?: string[];
	/**
	 * The next requests to an endpoint that reach the point where a fault may strike meet these
	 * kinds, in order, instead of the seeded `faults` draw; e.g. {inform: ['applied-reset']}.
	 * reset() restores the script.
	 */
	scriptedFaults?: ScriptedFaults;
	/** Inform's key (the password of its Basic auth). Default "sim-inform-api-key-0123456789". */
	informKey?: string;
	/** The workspace's Inform alerts. Default DEFAULT_ALERTS. */
	alerts?: InformAlert[];
	/** Inform requests per window. Default 10 000. */
	informPerMinute?: number;
	/** How long an accepted transaction_id answers 409, from its acceptance. Default 300 000 (5 minutes). */
	informDuplicateWindowMs?: number;
	/** Inform's 200 carries a {message, err_code, status_code} block per channel sent (MoEngage's CSM enables it). Default false. */
	informChannelDetails?: boolean;
	/** The Campaign report key (the password of campaign stats' Basic auth). Default "sim-campaign-report-key-0123456789". */
	reportKey?: string;
	/** Campaign stats requests per window. Default 100. */
	statsPerMinute?: number;
	/** false: the workspace has no access to campaign stats (403). Default true. */
	statsEnabled?: boolean;
	/** How many campaigns makeCampaigns seeds (default 25), or the campaigns themselves. */
	campaigns?: number | Campaign[];
}

/** The options with their defaults filled in. A test may change them on a running simulator. */
export interface SimulatorConfig {
	workspaceId: string;
	apiKey: string;
	seed: number;
	usersPerWindow: number;
	windowMs: number;
	rateLimitShape: 'error' | 'title';
	latencyMs: number;
	blocked: boolean;
	keyNotSet: boolean;
	poison: Set<string>;
	poisonAttribute: string | null;
	idSpelling: 'id' | 'moengage_id' | 'both';
	answerKeys: Record<string, string>;
	rateLimitHeaders: 'delta' | 'epoch' | undefined;
	faults: {
		rate: number;
		seed: number;
		kinds: ReadonlyArray<FaultKind | AppliedFaultKind>;
		hangMs?: number;
	};
	limits: WriteLimits;
	mergeReading: 'users' | 'pairs';
	moeAttributes: 'blocked' | 'standard';
	timezoneOffset: number;
	getUser: 'enabled' | 'refused-401' | 'refused-403';
	workspaceName: string;
	testConnectionError: string | undefined;
	missingAppKey: '400' | '401';
	cohortProcessingMs: number;
	dashboardSegments: string[];
	scriptedFaults: ScriptedFaults;
	informKey: string;
	alerts: InformAlert[];
	informPerMinute: number;
	informDuplicateWindowMs: number;
	informChannelDetails: boolean;
	reportKey: string;
	statsPerMinute: number;
	statsEnabled: boolean;
}

/** A request as handle() takes it: the API without HTTP. Header names in lower case, as Node gives them. */
export interface HandledRequest {
	method: string;
	url: URL;
	headers: IncomingHttpHeaders;
	raw: Buffer;
}

/** A request while it is answered, as a fault hook (intercept) sees it. */
export interface SimulatorRequest extends HandledRequest {
	/** Set once the request is routed. */
	endpoint?: Endpoint;
	/** A write's app_id, from its path or its query; Cohort Sync's, Inform's and campaign stats' MOE-APPKEY header (null when not sent). */
	appId?: string | null;
	/** Inform: whether it came to the sandbox host (test alerts). */
	sandbox?: boolean;
	/** Get User: the identifiers it asks for, once its body was read that far. */
	identifiers?: Identifier[];
	/** Test Connection, the writes, Inform and campaign stats: the body, once parsed. */
	body?: JsonValue;
	/** The seeded fault this request met, if any. */
	fault?: FaultKind | AppliedFaultKind;
}

/**
 * An answer: what handle() returns and what a fault hook may return instead of the simulator's
 * own. A string body is sent as it is (text/html unless contentType says otherwise), anything else
 * as JSON.
 */
export interface Answer {
	/** 0 when the connection is dropped without an answer. */
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
	contentType?: string;
	/** The connection is dropped (after delayMs, if any) instead of answered. */
	destroy?: boolean;
	/** Answer after this long instead of after latencyMs. */
	delayMs?: number;
}

/** A fault hook: an answer to give instead, or undefined to let the request through. */
export type InterceptHook = (request: SimulatorRequest) => Answer | undefined;

/** Every request, answered or refused, in the order they arrived. */
export interface LogEntry {
	endpoint: Endpoint | undefined;
	/** The simulator clock when it was answered. */
	at: number;
	/** The path with its query, as requested. */
	path: string;
	/** 0 for a dropped connection. */
	status: number;
	fault: FaultKind | AppliedFaultKind | undefined;
	/** The app_id the request names; for Cohort Sync, Inform and campaign stats, which name none, their MOE-APPKEY header. */
	appId: string | null;
	/** Cohort Sync, Inform and campaign stats: the MOE-APPKEY header sent, undefined when none was. */
	appKey?: string;
	/** Inform: true for a test alert (the sandbox host), false for a live one. */
	sandbox?: boolean;
	forwardedFor: string | string[] | undefined;
	authorization: string | undefined;
	/** Get User (and a request no endpoint took): the identifiers it asked for, when its body was read that far. */
	identifiers?: Identifier[];
	/** Get User: the user_fields_to_export it asked for. */
	fields?: string[];
	/** Test Connection, the writes, Inform and campaign stats: the parsed body, undefined when it is not JSON. */
	body?: JsonValue;
}

export interface Simulator<U extends Profile = SeededUser> {
	config: SimulatorConfig;
	/** The seeded base (or the userList given) that reset() restores; the live profiles are copies. */
	users: U[];
	log: LogEntry[];
	/** The most requests it was answering at once since the last reset (HTTP only). */
	stats: { maxInFlight: number };
	/** How many of each fault were injected since the last reset. */
	faultCounts: Partial<Record<FaultKind | AppliedFaultKind, number>>;
	/** What the write endpoints did, since the last reset. */
	events: RecordedEvent[];
	dropped: DroppedEntry[];
	merges: MergeEntry[];
	deletions: DeletionEntry[];
	ignored: IgnoredEntry[];
	/** Every accepted Cohort Sync, in arrival order (reading it processes the ones due). */
	readonly cohortSyncs: CohortSyncEntry[];
	/** A Cohort Sync segment, by cohort_id, as it stands now; undefined for none. */
	segment(cohortId: string): Segment | undefined;
	/** The customer IDs in a Cohort Sync segment now, in the order they joined; undefined for no such segment. */
	segmentMembers(cohortId: string): string[] | undefined;
	/** Every live Inform message accepted since the last reset, in arrival order. */
	informMessages: InformMessage[];
	/** Every test alert (Inform's sandbox host) accepted since the last reset, in arrival order. */
	testAlerts: InformMessage[];
	/** The campaigns campaign stats answers for. */
	campaigns: Campaign[];
	/** Every campaign stats request answered with figures since the last reset. */
	statsRequests: StatsRequestEntry[];
	/** The address it listens on: set by start(). */
	url: string;
	/** The live profile of a customer ID, as Get User would find it now, or undefined. */
	userByCustomerId(customerId: string | number): Profile | undefined;
	/** The live profile of a MoEngage ID, or undefined. */
	userById(id: string): Profile | undefined;
	/** The API without HTTP (logged like a request over HTTP). */
	handle(request: HandledRequest): Answer;
	/** Adds faults to one endpoint's script (see scriptedFaults), until the next reset. */
	scriptFaults(endpoint: Endpoint, kinds: ReadonlyArray<FaultKind | AppliedFaultKind | null>): void;
	/** Adds a fault hook; returns a function that removes it. */
	intercept(hook: InterceptHook): () => void;
	/** Identifiers Get User was asked for more than once since the last reset, as "type:identifier". */
	duplicateIdentifiers(): string[];
	/**
	 * Forgets every request, write (Cohort Syncs and segments included), Inform message and
	 * transaction_id window, stats request, fault count and hook; restores the scripted faults and
	 * the seeded users.
	 */
	reset(): void;
	/** Listens on `port` (default 0: a free one) and `host` (default 127.0.0.1); resolves to its URL. */
	start(port?: number, host?: string): Promise<string>;
	stop(): Promise<void>;
}

export function createSimulator<U extends Profile = SeededUser>(
	options?: SimulatorOptions<U>,
): Simulator<U>;

/** `count` users, the same for the same seed. */
export function makeUsers(count: number, seed: number): SeededUser[];

/** A small deterministic PRNG (mulberry32): numbers in [0, 1), the same for the same seed. */
export function randomFrom(seed: number): () => number;

/** `count` (default 25) campaigns, the same for the same seed (the simulator seeds them with seed + 3). */
export function makeCampaigns(count?: number, seed?: number): Campaign[];
/** The 200 body campaign stats answers a checked request with, from these campaigns. */
export function campaignStatsAnswer(
	campaigns: Campaign[],
	request: CampaignStatsRequest,
): CampaignStatsResponse;
/** Inform's default alerts: order_shipped, Demo_ID, Live Activity Only Test, login_otp (see ./inform.d.ts). */
export const DEFAULT_ALERTS: InformAlert[];

export const FAULT_KINDS: FaultKind[];
export const APPLIED_FAULT_KINDS: AppliedFaultKind[];
/** Get User's identifiers per request: 20. */
export const MAX_IDENTIFIERS: number;
/** Get User's body limit: 128 KB. */
export const MAX_PAYLOAD_BYTES: number;
