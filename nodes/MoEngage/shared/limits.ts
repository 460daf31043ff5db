/** MoEngage rejects a Get User request with more identifiers than this (400 LimitBreached). */
export const MAX_IDENTIFIERS_PER_REQUEST = 20;

/** MoEngage's documented per-workspace limit; workspaces with a raised limit set their own. */
export const DEFAULT_USERS_PER_MINUTE = 1000;

/** The rate limit is counted over a rolling minute. */
export const RATE_WINDOW_MS = 60_000;

/**
 * We count a request when we send it, MoEngage when it arrives. Keeping each identifier in our
 * window this much longer absorbs that gap, so MoEngage never sees more than the limit in its own.
 */
export const RATE_WINDOW_MARGIN_MS = 500;

/** Requests in flight at once for one execution: enough to hide round trips, small enough to be polite. */
export const MAX_REQUESTS_IN_FLIGHT = 4;

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
