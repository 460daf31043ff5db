/**
 * Every endpoint's documented limits, per workspace, from MoEngage's rate-limits page and its
 * OpenAPI spec (docs/moengage-api.md#limits-at-a-glance). Workspaces with a raised limit set their own
 * in the operation's per-minute option.
 */

/** Get User: MoEngage rejects a request with more identifiers than this (400 LimitBreached). */
export const MAX_IDENTIFIERS_PER_REQUEST = 20;

/** Get User: 1,000 users a minute. */
export const DEFAULT_USERS_PER_MINUTE = 1000;

/**
 * Bulk Import (`/v1/transition`): 60,000 users and 60,000 events a minute, counted apart, across
 * all requests; Create or Update and Track Event go through it.
 */
export const BULK_USERS_PER_MINUTE = 60_000;
export const BULK_EVENTS_PER_MINUTE = 60_000;

/**
 * Bulk Import's documented body limit is "100 KB"; read as 100,000 bytes, the smaller reading.
 * Requests are packed to this, envelope included.
 */
export const BULK_MAX_BYTES = 100_000;

/** Delete User: one user a request, 5,000 requests a minute. */
export const DELETE_REQUESTS_PER_MINUTE = 5000;

/**
 * With one unit a request (Delete: a user; Inform: a message), an endpoint needs more requests in
 * flight than the others to use its limit: 5,000 a minute is 83 a second, which 8 in flight reach
 * at about 100 ms an answer. One more per 600 requests a minute, from 2 to 8.
 */
export const oneUnitRequestsInFlight = (requestsPerMinute: number) =>
	Math.min(8, Math.max(MIN_REQUESTS_IN_FLIGHT, Math.round(requestsPerMinute / 600)));

/** Merge Users: 1,000 user updates a minute, "50 users per call", 128 KB a request. */
export const MERGE_USER_UPDATES_PER_MINUTE = 1000;

/**
 * A merge pair names two users, and MoEngage's "50 users per call" and "1,000 user updates" do not
 * say whether a pair counts once or twice: the node counts it twice (two users updated) and sends
 * 25 pairs a call by default, which keeps both readings; Pairs per Request goes up to 50.
 */
export const MERGE_UPDATES_PER_PAIR = 2;
export const DEFAULT_PAIRS_PER_REQUEST = 25;
export const MAX_PAIRS_PER_REQUEST = 50;

/** Cohort Sync: 300 requests a minute, each one segment and one action (docs/moengage-api.md#cohort-sync). */
export const COHORT_REQUESTS_PER_MINUTE = 300;

/** Inform: 10,000 requests a minute per workspace, one message (one transaction) a request. */
export const INFORM_REQUESTS_PER_MINUTE = 10_000;

/** Inform: "The maximum length allowed for this field is 50 characters" (transaction_id). */
export const MAX_TRANSACTION_ID_LENGTH = 50;

/**
 * Inform answers 409 "Duplicate Transaction ID" to a transaction_id it took within the last
 * 5 minutes: the only window in which a resend is safe.
 */
export const INFORM_DUPLICATE_WINDOW_MS = 5 * 60_000;

/**
 * A resend leaves at most this long after the first copy whose answer was lost: the margin covers
 * the time between our clock reading and MoEngage receiving either copy.
 */
export const INFORM_RESEND_WITHIN_MS = INFORM_DUPLICATE_WINDOW_MS - 30_000;

/** Inform on a 500: "You can retry the request up to 3 times with exponential backoff". */
export const INFORM_MAX_RETRIES = 3;

/** Inform email attachments: "You can attach up to 5 files", "less than 4 MB" in all (read as 4,000,000 bytes). */
export const MAX_ATTACHMENTS = 5;
export const MAX_ATTACHMENT_BYTES = 4_000_000;

/** Campaign stats: 100 requests a minute per workspace. */
export const STATS_REQUESTS_PER_MINUTE = 100;

/** Campaign stats: at most 10 campaign_ids a request, and at most 10 campaigns a page (limit). */
export const MAX_CAMPAIGNS_PER_REQUEST = 10;

/** Campaign stats: "The days between the start and end dates should not exceed 30 days". */
export const MAX_STATS_DAYS = 30;

/**
 * Track User, Get User, Merge and Cohort Sync: "The maximum limit for the request body is 128 KB",
 * read as 128,000 bytes, the smaller reading.
 */
export const MAX_REQUEST_BYTES = 128_000;

/** The rate limit is counted over a rolling minute. */
export const RATE_WINDOW_MS = 60_000;

/**
 * We count a request when we send it, MoEngage when it arrives. Keeping each identifier in our
 * window this much longer absorbs that gap, so MoEngage never sees more than the limit in its own.
 */
export const RATE_WINDOW_MARGIN_MS = 500;

/**
 * Requests in flight at once to one workspace from one n8n process, whatever the number of
 * executions. At MoEngage's standard 1,000 users per minute (50 requests) two in flight send a
 * minute's budget in seconds, and when another worker fills the window first only those two are
 * refused; a raised limit gets more, to keep up. After a 429 only one request (a probe) is in
 * flight until MoEngage answers one without 429.
 */
export const MIN_REQUESTS_IN_FLIGHT = 2;
/** One more request in flight per this many units a minute of the endpoint's limit. */
export const UNITS_PER_MINUTE_PER_SLOT = 500;
/** …and at most this many, which is also the most one execution keeps in flight. */
export const MAX_REQUESTS_IN_FLIGHT = 4;
/**
 * …and, where a request carries many units (Bulk Import's hundreds of users or events), at most
 * one per this many requests a minute: Get User's 50 requests a minute keep their 2, while Bulk
 * Import at 2,000 events a minute (a few requests) keeps one in flight, so that when workers share
 * the window each loses one request to a 429, not its whole minute.
 */
export const REQUESTS_PER_MINUTE_PER_SLOT = 25;

/** A wait (for the budget, a Retry-After or a backoff) at least this long is logged with its cause and length. */
export const LOGGED_WAIT_MS = 3_000;

/** A cancelled execution stops waiting within this long. */
export const CANCEL_CHECK_MS = 250;

/** Retries of a request that failed in a way that may pass (5xx, network, a garbled answer). */
export const DEFAULT_MAX_RETRIES = 5;

export const DEFAULT_TIMEOUT_MS = 30_000;

/** Backoff without a Retry-After: about 1 s, doubling, capped; jittered so workers do not retry in step. */
export const BACKOFF_START_MS = 1_000;
export const BACKOFF_CAP_MS = 30_000;

/**
 * A 429 is MoEngage asking us to wait, not a failure, so it does not use up maxRetries; this bound
 * only guarantees that a workspace rate-limited for good still ends the run.
 */
export const MAX_RATE_LIMITED_TRIES = 30;

/**
 * The longest a 429's Retry-After (or x-ratelimit-reset) is obeyed: a server that asks for an hour
 * is more likely wrong than right, and a run should not hang unattended for it. The cap is logged.
 */
export const MAX_RATE_LIMIT_WAIT_MS = 15 * 60_000;

/**
 * Sharing a workspace between n8n processes (queue-mode workers) that cannot talk to each other:
 * on a 429 a process cuts its own budget to what MoEngage let through in the window, but never
 * below this share of what it was (a quarter: three or four busy workers cut to their part at once,
 * and one that joins a busy workspace is not starved)…
 */
export const SHARE_CUT = 0.25;

/** …and after each clean minute raises it by this share of the per-minute limit (additive increase). */
export const SHARE_STEP = 0.1;

/**
 * A cut never leaves a process fewer units a minute than this, and a raise is never smaller. It is
 * a floor in the endpoint's own unit (users, events, requests, user updates), not a request size:
 * 20 is one full Get User request, a few Delete or Merge requests, a trickle of Bulk Import.
 */
export const MIN_SHARE_PER_MINUTE = 20;
