/**
 * Types of ./inform.js, the simulator's Inform (docs/moengage-api.md#inform), and of the messages
 * it records for tests to read. The module stays plain JavaScript so that scripts run it without
 * compiling; this file only describes it.
 */
import type {
	Answer,
	AppliedFaultKind,
	FaultKind,
	JsonObject,
	SimulatorConfig,
	SimulatorRequest,
} from './simulator';
import type { RateWindow } from './writes';

export type InformChannel = 'SMS' | 'EMAIL' | 'PUSH';

/** An alert of the workspace: its live ID, its test ID and reference name, its channels and the attachment keys its email takes via API. */
export type InformAlert = {
	/** The live alert's ID (24 hex characters): what a live request's alert_id names. */
	id: string;
	/** What alert_reference_name names, on either host. */
	referenceName: string;
	/** The test alert's ID: what a test alert's alert_id names ("use the test alert id"). */
	testId: string;
	/** The channels it was made for; a payload for another is refused (400). */
	channels: InformChannel[];
	/** The keys personalized_attachments may use ("the attachment key specified during alert creation"). */
	attachmentKeys: string[];
};

/** One channel's payload, as sent. */
export type InformChannelPayload = {
	recipient: string;
	personalized_attributes?: JsonObject;
	/** inform.yaml: a list of attribute names; the test-alert guide: an object of attribute → value. Both are taken. */
	sender_attributes?: string[] | Record<string, string | number | boolean>;
	/** EMAIL only: attachment key → base64 content. */
	personalized_attachments?: Record<string, string>;
	/** PUSH only: an iOS Live Activity. */
	live_activity_attributes?: {
		la_type?: 'start' | 'update' | 'end';
		attribute_info?: JsonObject;
		content_state?: JsonObject;
	};
	/** The test-alert guide's "required locale version"; not in inform.yaml. */
	locale?: string;
};

/** A message MoEngage accepted (a 200), as sent. */
export type InformMessage = {
	transactionId: string;
	/** The ID of the alert it sent: the live ID, or for a test alert the test ID, whichever way the request named it. */
	alertId: string;
	alertReferenceName: string;
	/** The user_id, when one was sent. */
	userId: string | undefined;
	payloads: Partial<Record<InformChannel, InformChannelPayload>>;
	/** The request_id of its 200 (also when that answer was lost under an applied-* fault). */
	requestId: string;
	/** The simulator clock when it was accepted: its transaction_id answers 409 until informDuplicateWindowMs later. */
	acceptedAt: number;
	/** The path without the sandbox prefix: '/v1.0/alerts/send' or '/v1/send'. */
	path: string;
};

export interface Inform {
	/** Accepted live messages, in arrival order. */
	messages: InformMessage[];
	/** Accepted test alerts (the sandbox host), in arrival order. */
	testAlerts: InformMessage[];
	/** Whether a request is for Inform (and on which host); undefined when it is not. */
	route(request: { method: string; url: URL }): { sandbox: boolean; path: string } | undefined;
	answer(request: SimulatorRequest, route: { sandbox: boolean; path: string }): Answer;
	/** Forgets the messages, the transaction_id windows and the rate window. */
	reset(): void;
}

export function createInform(context: {
	config: SimulatorConfig;
	clockNow(): number;
	createWindow(limitOf: () => number): RateWindow;
	pickFault(request: SimulatorRequest): FaultKind | AppliedFaultKind | undefined;
	faultAnswer(kind: FaultKind | AppliedFaultKind, validBody: unknown): Answer;
	lostAnswer(kind: AppliedFaultKind, earned: Answer): Answer;
	intercepted(request: SimulatorRequest): Answer | undefined;
	withRateLimitHeaders(answer: Answer, now: number, window: RateWindow): Answer;
}): Inform;

/**
 * The default alerts, in this order: order_shipped (SMS, EMAIL, PUSH; attachment key "invoice"),
 * Demo_ID (the yaml's example alert 636b77e6e2cf83277195fb60; SMS, EMAIL, PUSH), "Live Activity
 * Only Test" (the yaml's 696737255def18872642f9d2; PUSH) and login_otp (SMS).
 */
export const DEFAULT_ALERTS: InformAlert[];
/** The live paths: '/v1.0/alerts/send' (current docs) and '/v1/send' (older host, MoEngage's Python client). */
export const INFORM_PATHS: string[];
/** '/sandbox': test alerts go to the same paths under it. */
export const SANDBOX_PREFIX: string;
export const INFORM_CHANNELS: InformChannel[];
/** transaction_id: at most 50 characters. */
export const TRANSACTION_ID_MAX: number;
/** personalized_attachments: at most 5 files. */
export const MAX_ATTACHMENTS: number;
/** Attachments together decode to fewer than this many bytes (4,000,000: "less than 4 MB"). */
export const MAX_ATTACHMENT_BYTES: number;
/** 300,000 ms: a transaction_id answers 409 for 5 minutes after it was accepted. */
export const DUPLICATE_WINDOW_MS: number;
/** 10,000 requests a minute. */
export const INFORM_PER_MINUTE: number;
/** The status_code of the simulator's own 400s (MoEngage documents only 120002, "Invalid Alert ID"): 120003. */
export const INVALID_PAYLOAD_CODE: number;
