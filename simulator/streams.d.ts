/**
 * Types of ./streams.js, MoEngage's sending side: Streams (api/data/moengage-streams.mdx),
 * connector campaign calls (user-guide/campaigns-and-channels/connectors/) and alert webhooks
 * (partner-guide/data-and-analytics/workflow-automation/webhook.mdx), all in
 * moengage/moengage-documentation. The module stays plain JavaScript so that scripts run it without
 * compiling; this file only describes it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { StreamEvent } from './events';

export type { StreamEvent, StreamEventsOptions, EventKind } from './events';
export { streamEvents } from './events';

/** An answer as it came back: the status, the headers (lower-case names) and the body's text. */
export type Answer = { status: number; headers: IncomingHttpHeaders; body: string };

/** Basic auth towards the receiver. */
export type BasicAuth = { user: string; password: string };

/** One Streams request body. */
export type StreamsBatch = {
	app_name: string;
	source: 'MOENGAGE';
	/** Derived from the app and the batch's event_uuids: the same batch, the same ID. */
	moe_request_id: string;
	events: StreamEvent[];
};

/** One POST of a batch: its status, or the error when no answer came. */
export type Attempt = {
	/** 1 for the first, up to 4 (three retries). */
	attempt: number;
	status?: number;
	/** A network error's code, or "no answer within N ms". */
	error?: string;
	/** How long the attempt took. */
	ms: number;
	/** When it began, in ms since the send began. */
	at: number;
};

/** What onAttempt is told after each attempt. */
export type AttemptEvent = Attempt & {
	/** 1-based. */
	batch: number;
	batches: number;
	moe_request_id: string;
	events: number;
	/** The body the receiver answered with, when it answered. */
	answer?: string;
	/** The documented delay before the next attempt (30 000, 60 000, 120 000); absent when none follows. */
	retryInMs?: number;
	/** retryInMs × timeScale: how long the sender really waits. */
	waitMs?: number;
};

export type BatchReport = {
	moe_request_id: string;
	events: number;
	/** The exact body sent, every attempt: sendBatch(body) sends it again byte for byte. */
	body: string;
	attempts: Attempt[];
	/** Answered 2xx by one of the attempts; false: dropped after the last retry. */
	delivered: boolean;
};

export type StreamsReport = {
	batches: BatchReport[];
	/** Batches delivered and dropped. */
	delivered: number;
	dropped: number;
	events: { total: number; delivered: number; dropped: number };
	ms: number;
};

export type StreamsSenderOptions = {
	/** The endpoint URL (http or https). */
	to: string;
	/** Basic auth. */
	auth?: BasicAuth;
	/** Fixed headers (an API key, a static bearer token); they replace a header of the same name. */
	headers?: Record<string, string>;
	/** app_name of every body (default "Example App"). */
	appName?: string;
	/** Events per request (default 100). */
	batchSize?: number;
	/** Waits before each retry (default [30 000, 60 000, 120 000]): one retry for each. */
	retryDelaysMs?: number[];
	/** Multiplies the retry waits, so a test runs fast (e.g. 0.001); the timeout is not scaled. */
	timeScale?: number;
	/** An attempt with no whole answer by then fails and is retried (default 5 000). */
	timeoutMs?: number;
	/** Batches in flight at once (default 1: one after another, in order). */
	concurrency?: number;
	onAttempt?: (attempt: AttemptEvent) => void;
};

export interface StreamsSender {
	/** The headers every request carries (without Content-Length). */
	headers: Record<string, string>;
	/** The bodies send(events) would send. */
	batches(events: StreamEvent[]): StreamsBatch[];
	/** Splits the events into batches and delivers them, each with the retry schedule. */
	send(events: StreamEvent[]): Promise<StreamsReport>;
	/** Delivers the given batches (bodies or their exact text) with the retry schedule. */
	deliver(batches: Array<StreamsBatch | string>): Promise<StreamsReport>;
	/** One POST of one batch, no retry; a string is sent as it is. Rejects on a network error or timeout. */
	sendBatch(batch: StreamsBatch | string): Promise<Answer>;
}

export function createStreamsSender(options: StreamsSenderOptions): StreamsSender;

/** The request bodies of a Streams send. */
export function streamsBatches(
	events: StreamEvent[],
	options?: { appName?: string; batchSize?: number },
): StreamsBatch[];

export type ConnectorCallOptions = {
	/** The Webhook URL; its own query parameters stay. */
	to: string;
	/** Default POST. */
	method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
	/** Default json. form: application/x-www-form-urlencoded; raw: text/plain unless headers say otherwise. */
	bodyType?: 'json' | 'form' | 'raw';
	/** A form's pairs, JSON's object or text, raw's text. None with GET. */
	body?: unknown;
	/** URL parameters added after the URL's own: "a=1&b=2", pairs or an object. */
	query?: string | Array<[string, string]> | Record<string, string | number>;
	headers?: Record<string, string>;
	/** Written as an Authorization: Basic header. */
	auth?: BasicAuth;
	/** Default 5 000, MoEngage's documented wait. */
	timeoutMs?: number;
};

/** One connector campaign call; `sent` is MoEngage's verdict: only a 200 counts as Sent. */
export function sendConnectorCall(
	options: ConnectorCallOptions,
): Promise<Answer & { sent: boolean }>;

export type AlertType =
	| 'CAMPAIGN_STATS'
	| 'FLOW_STATS'
	| 'CAMPAIGN_EXPIRY'
	| 'APNS_TOKEN_EXPIRY'
	| 'FACEBOOK_TOKEN_EXPIRY';

/** pipe: sha256(key + "|" + body), the doc's steps; concat: sha256(key + body), its prose. */
export type Signing = 'pipe' | 'concat' | 'none' | 'wrong';

export type AlertEntity = {
	campaign_name: string;
	campaign_id: string;
	flow_name?: string;
	flow_id?: string;
	version_name?: string;
	channel: string;
	delivery_type: string;
	current_value?: number;
	moving_avg_value?: number;
	expiry_in_days?: number;
};

export type AlertPayload = {
	alert_id: string;
	alert_name: string;
	alert_type: AlertType;
	db_name: string;
	alert_evaluation_frequency: { value: number; unit: string };
	alert_triggered_at: string;
	alert_evaluation_criteria: {
		name: string;
		operator: string;
		threshold: number;
		unit: string;
		moving_avg_range?: { value: number; unit: string };
		range_start: string;
		range_end: string;
	};
	/** Absent for the token expiry alerts. */
	entity_data?: { count: number; content: AlertEntity[] };
};

/** The doc's sample of an alert_type, placeholders filled from the seed; relative: the moving-average CAMPAIGN_STATS. */
export function alertPayload(
	alertType?: AlertType,
	seed?: number,
	options?: { relative?: boolean },
): AlertPayload;

/** The Signature header's value, or undefined for 'none'. */
export function alertSignature(signing: Signing, key: string, rawBody: string): string | undefined;

export type AlertOptions = {
	to: string;
	/** The Campaign Report API key; needed unless signing is 'none'. */
	key?: string;
	/** The sample sent when no payload is given (default CAMPAIGN_STATS). */
	type?: AlertType;
	/** An object is sent as compact JSON; a string as it is. */
	payload?: AlertPayload | Record<string, unknown> | string;
	/** Default 'pipe'. */
	signing?: Signing;
	headers?: Record<string, string>;
	/** Default 5 000. */
	timeoutMs?: number;
};

/** One alert webhook, one attempt. */
export function sendAlert(options: AlertOptions): Promise<Answer>;

/** 100. */
export const STREAMS_BATCH_SIZE: number;
/** [30 000, 60 000, 120 000]. */
export const STREAMS_RETRY_DELAYS_MS: number[];
/** 5 000: the connector docs' "up to 5 seconds", the one wait MoEngage documents. */
export const MOENGAGE_TIMEOUT_MS: number;
export const ALERT_TYPES: AlertType[];
