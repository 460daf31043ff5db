/** The one place that talks to MoEngage: one request function, and what its answers mean to a user. */
import {
	NodeApiError,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type JsonObject,
} from 'n8n-workflow';

import type { Checked } from './checked';
import type { Failure } from './results';

/** A MoEngage credential type (one per MoEngage key), as n8n and the node's messages name it. */
export interface CredentialKind {
	type: string;
	displayName: string;
	/** The key's label in the credential, e.g. "Data API key". */
	keyName: string;
}

export const DATA_CREDENTIAL: CredentialKind = {
	type: 'moEngageApi',
	displayName: 'MoEngage API',
	keyName: 'Data API key',
};

/**
 * Where a credential leads: a data center's host (`hostOf`), or the credential's Custom URL field
 * `customUrlField`; `pathPrefix` goes after either (Inform's "/v1.0/alerts" or "/v1").
 */
export interface Place {
	hostOf(dataCenter: string): string;
	customUrlField: string;
	/** The Custom URL field's label, for its error. */
	customUrlName: string;
	pathPrefix: string;
}

const DATA_API: Place = {
	hostOf: (dataCenter) => `https://api-${dataCenter}.moengage.com`,
	customUrlField: 'baseUrl',
	customUrlName: 'Base URL',
	pathPrefix: '',
};

export interface Workspace {
	/** The credential type n8n authenticates the requests with. */
	credentialType: string;
	baseUrl: string;
	/** The base URL as messages show it: without any user:password@. */
	shownUrl: string;
	appId: string;
	/** Identifies the workspace's rate budget: the same App ID behind another URL is another budget. */
	key: string;
	/** Values that must never reach an output, an error or a log line. */
	secrets: string[];
}

/** Shorter values would turn ordinary words into "[redacted]"; they are no secret worth the name. */
const MIN_SECRET_LENGTH = 3;

/**
 * Every form in which the key can reach a text: as typed and trimmed, inside the Basic header n8n
 * builds (base64 of appId:key, from the typed or the trimmed values), JSON-escaped and URL-encoded,
 * and the user:password of a Custom URL.
 */
export function secretFormsOf(appId: string, apiKey: string, userInfo: string[] = []): string[] {
	const forms = new Set<string>();
	const appIds = new Set([appId, appId.trim()]);
	for (const key of new Set([apiKey, apiKey.trim(), ...userInfo])) {
		forms.add(key);
		forms.add(JSON.stringify(key).slice(1, -1));
		forms.add(encodeURIComponent(key));
		for (const id of appIds) forms.add(Buffer.from(`${id}:${key}`).toString('base64'));
	}
	// Longest first: a secret inside another is redacted as part of the longer one.
	return [...forms]
		.filter((form) => form.length >= MIN_SECRET_LENGTH)
		.sort((a, b) => b.length - a.length);
}

export function workspaceOf(
	credentials: ICredentialDataDecryptedObject,
	kind: CredentialKind = DATA_CREDENTIAL,
	place: Place = DATA_API,
): Checked<Workspace> {
	const typedAppId = String(credentials.appId ?? '');
	const typedKey = String(credentials.apiKey ?? '');
	const appId = typedAppId.trim();
	const apiKey = typedKey.trim();
	if (appId === '' || apiKey === '') {
		return {
			ok: false,
			problem: `the ${kind.displayName} credential needs a Workspace ID and a ${kind.keyName}`,
		};
	}
	let baseUrl: string;
	let userInfo: string[] = [];
	let shownUrl: string;
	if (credentials.dataCenter === 'custom') {
		baseUrl = String(credentials[place.customUrlField] ?? '')
			.trim()
			.replace(/\/+$/, '');
		// user:password@ is taken apart even in a URL that is refused below, so neither is shown.
		const withUser = /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^@/?#\s]*)@/i.exec(baseUrl);
		if (withUser) {
			const [user, password = ''] = withUser[1].split(':');
			userInfo = [withUser[1], user, password, safeDecode(user), safeDecode(password)];
		}
		shownUrl = withUser ? baseUrl.replace(`${withUser[1]}@`, '') : baseUrl;
		if (!/^https?:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/i.test(shownUrl)) {
			return {
				ok: false,
				problem: `the credential's ${place.customUrlName} "${redact(shownUrl, secretFormsOf(typedAppId, typedKey, userInfo))}" is not an http(s) URL such as http://127.0.0.1:4010 (field "${place.customUrlName}")`,
			};
		}
	} else {
		baseUrl = place.hostOf(String(credentials.dataCenter ?? '01'));
		shownUrl = baseUrl;
	}
	return {
		ok: true,
		value: {
			credentialType: kind.type,
			baseUrl: `${baseUrl}${place.pathPrefix}`,
			shownUrl: `${shownUrl}${place.pathPrefix}`,
			appId,
			key: `${baseUrl}${place.pathPrefix} ${appId}`,
			secrets: secretFormsOf(typedAppId, typedKey, userInfo),
		},
	};
}

function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

/** Secrets out of a text: call it on the whole text, before anything cuts it. */
export function redact(text: string, secrets: readonly string[]): string {
	return secrets.reduce(
		(safe, secret) => (secret ? safe.split(secret).join('[redacted]') : safe),
		text,
	);
}

/** A response body with every secret it echoes replaced, whatever its shape. */
function redactBody(body: unknown, secrets: readonly string[]): unknown {
	if (typeof body === 'string') return redact(body, secrets);
	if (typeof body !== 'object' || body === null) return body;
	const text = JSON.stringify(body);
	const safe = redact(text, secrets);
	if (safe === text) return body;
	try {
		return JSON.parse(safe) as unknown;
	} catch {
		return safe;
	}
}

export interface MoEngageRequest {
	/** Under the base URL, e.g. "/v1/customers/export". */
	path: string;
	qs?: IDataObject;
	/** Headers an endpoint requires besides Content-Type, e.g. Cohort Sync's MOE-APPKEY. */
	headers?: IDataObject;
	body: IDataObject;
	forwardedFor: string | undefined;
	timeoutMs: number;
	signal: AbortSignal | undefined;
}

/** Reads an endpoint's 200 body; anything but its documented shape is a problem, not an empty result. */
export type ReadAnswer<A> = (body: unknown) => Checked<A>;

/**
 * MoEngage's x-ratelimit-* headers, where it sends them. Their unit is documented as "requests"
 * while the Data API counts users or events, so "none left" and "when the window resets" are always
 * used, and the room left only where x-ratelimit-limit shows they count the endpoint's own unit.
 */
export interface RateLimitHeaders {
	/** x-ratelimit-limit: where it equals the endpoint's per-minute limit, the headers count its unit. */
	limit?: number;
	remaining?: number;
	/** Until the window resets, from x-ratelimit-reset in either documented form. */
	resetMs?: number;
}

/** The write endpoints' 200: accepted, to be processed later; request_id where MoEngage sends one. */
export interface Accepted {
	requestId?: string;
}

/** `{"status":"success", …}` and nothing else is an acceptance: a proxy's 200 page is not. */
export const readAccepted: ReadAnswer<Accepted> = (body) => {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		const shown = typeof body === 'string' ? `"${body.slice(0, 80)}"` : String(body);
		return { ok: false, problem: `the body is not JSON: ${shown}` };
	}
	const record = body as Record<string, unknown>;
	if (record.status !== 'success')
		return { ok: false, problem: `status is "${String(record.status)}", not "success"` };
	return {
		ok: true,
		value: typeof record.request_id === 'string' ? { requestId: record.request_id } : {},
	};
};

/**
 * Network failures that happen before a byte of the request leaves: nothing can have arrived.
 * Every other failure (a timeout, a reset, a hang-up) may come after MoEngage received the request.
 */
const NOT_SENT_CODES = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'ENETUNREACH',
	'EHOSTUNREACH',
	'EAI_NONAME',
	'ERR_INVALID_URL',
	'CERT_HAS_EXPIRED',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const NOT_SENT_WORDS = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH)\b/;

/** What one request came to, before any decision to retry, split or give up. */
export type Exchange<A> =
	| { kind: 'answer'; answer: A; rateLimit?: RateLimitHeaders }
	/** A 200 whose body is not the documented JSON: a proxy's page, a cut-off body. MoEngage may have taken the request. */
	| { kind: 'malformed'; failure: Failure }
	| {
			kind: 'refused';
			status: number;
			failure: Failure;
			blames?: string;
			retryAfterMs?: number;
			rateLimit?: RateLimitHeaders;
			/**
			 * A 5xx that is not in MoEngage's words (a proxy's 502 or 504 page): the proxy may have
			 * passed the request on before it failed, so it may have arrived.
			 */
			mayHaveArrived?: boolean;
	  }
	/** Nothing was sent: the connection was never made. */
	| { kind: 'unreachable'; failure: Failure }
	/** Sent, and no answer came back (a timeout, a reset, a hang-up): MoEngage may have recorded it. */
	| { kind: 'lost'; failure: Failure };

export type Refusal = Extract<Exchange<unknown>, { kind: 'refused' }>;

/**
 * What to tell a user about a refusal: MoEngage's words come first, then this. An operation
 * overrides the statuses whose advice differs for it (what to check in a 400, what a 403 means),
 * or one error type of a status ("401 Authentication Mismatch") whose advice differs from the rest.
 */
export type Hints = Partial<Record<number | `${number} ${string}`, { what: string; todo: string }>>;

export async function requestMoEngage<A>(
	context: IExecuteFunctions,
	workspace: Workspace,
	request: MoEngageRequest,
	read: ReadAnswer<A>,
	hints: Hints = {},
): Promise<Exchange<A>> {
	const headers: IDataObject = { 'Content-Type': 'application/json', ...request.headers };
	if (request.forwardedFor !== undefined) headers['X-Forwarded-For'] = request.forwardedFor;
	let response: { statusCode: number; body: unknown; headers?: Record<string, unknown> };
	try {
		response = await context.helpers.httpRequestWithAuthentication.call(
			context,
			workspace.credentialType,
			{
				method: 'POST',
				url: `${workspace.baseUrl}${request.path}`,
				...(request.qs ? { qs: request.qs } : {}),
				headers,
				body: request.body,
				json: true,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: request.timeoutMs,
				abortSignal: request.signal,
			},
		);
	} catch (error) {
		// The raw error carries the request config, Authorization header included: keep only its words.
		// n8n rewords network errors ("The service refused the connection"); `messages` keeps the original.
		const {
			message,
			messages = [],
			httpCode,
			code,
		} = error as { message?: string; messages?: string[]; httpCode?: string; code?: string };
		const original = [...messages, String(message ?? error)];
		const reason = redact(original[0], workspace.secrets);
		const errorCode = String(httpCode ?? code ?? '');
		const reach = "the credential's data center or Custom URL, and that this n8n can reach it";
		if (NOT_SENT_CODES.has(errorCode) || NOT_SENT_WORDS.test(reason)) {
			return {
				kind: 'unreachable',
				failure: {
					// A network error code in the message would make NodeApiError swap it for a generic text.
					message: `Could not reach MoEngage at ${workspace.shownUrl}`,
					description: `${reason}. Check ${reach}.`,
				},
			};
		}
		return {
			kind: 'lost',
			failure: {
				message: `No answer from MoEngage at ${workspace.shownUrl}${/timeout/i.test(reason) ? ` within ${request.timeoutMs} ms` : ''}: the request was sent and its answer lost`,
				description: `${reason}. A slow MoEngage may need a longer Timeout; otherwise check ${reach}.`,
			},
		};
	}
	return classifyResponse(
		response.statusCode,
		response.body,
		response.headers ?? {},
		workspace.secrets,
		Date.now(),
		read,
		hints,
	);
}

/** A header that holds a plain non-negative number, e.g. seconds; anything else is no number. */
function headerNumber(value: unknown): number | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const text = String(value).trim();
	return /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
}

/** Retry-After is either a number of seconds or an HTTP date; a date already past is 0. */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const seconds = headerNumber(value);
	if (seconds !== undefined) return Math.round(seconds * 1000);
	const date = Date.parse(String(value).trim());
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Above this, x-ratelimit-reset is a UTC epoch in seconds; below, seconds until the reset. */
const EPOCH_SECONDS_FROM = 1_000_000_000;

/**
 * MoEngage documents x-ratelimit-reset once as seconds until the window resets (under 60) and once
 * as the UTC epoch second it resets at: a small value is read as the first, a large one as the second.
 */
export function parseRateLimit(
	headers: Record<string, unknown>,
	now: number,
): RateLimitHeaders | undefined {
	const limit = headerNumber(headers['x-ratelimit-limit']);
	const remaining = headerNumber(headers['x-ratelimit-remaining']);
	const reset = headerNumber(headers['x-ratelimit-reset']);
	if (remaining === undefined && reset === undefined) return undefined;
	const rateLimit: RateLimitHeaders = {};
	if (limit !== undefined) rateLimit.limit = limit;
	if (remaining !== undefined) rateLimit.remaining = remaining;
	if (reset !== undefined) {
		rateLimit.resetMs =
			reset >= EPOCH_SECONDS_FROM
				? Math.max(0, Math.round(reset * 1000 - now))
				: Math.round(reset * 1000);
	}
	return rateLimit;
}

export function classifyResponse<A>(
	status: number,
	rawBody: unknown,
	headers: Record<string, unknown>,
	secrets: readonly string[],
	now: number,
	read: ReadAnswer<A>,
	hints: Hints = {},
): Exchange<A> {
	// Before any of it is cut for a message: a secret cut in two would escape redaction.
	const body = redactBody(rawBody, secrets);
	const rateLimit = parseRateLimit(headers, now);
	const withRateLimit = rateLimit === undefined ? {} : { rateLimit };
	if (status === 200) {
		const answer = read(body);
		if (answer.ok) return { kind: 'answer', answer: answer.value, ...withRateLimit };
		return {
			kind: 'malformed',
			failure: {
				message: `MoEngage answered 200 but not with the documented JSON: ${answer.problem}`,
				description:
					'A cut-off answer, or a proxy in front of MoEngage that answered instead: check the Custom URL.',
				httpCode: 200,
			},
		};
	}
	const retryAfterMs = parseRetryAfter(headers['retry-after'], now);
	const said = readErrorBody(body);
	return {
		kind: 'refused',
		status,
		failure: describeFailure(status, body, secrets, hints),
		blames: said.attribute,
		...(status >= 500 && !said.inMoEngageWords ? { mayHaveArrived: true } : {}),
		...(retryAfterMs === undefined ? {} : { retryAfterMs }),
		...withRateLimit,
	};
}

/** MoEngage's three error shapes (Data API, Inform, campaign stats), or whatever a proxy in front of it sent. */
function readErrorBody(body: unknown): {
	message?: string;
	type?: string;
	requestId?: string;
	attribute?: string;
	/** One of MoEngage's error shapes: MoEngage itself answered, not a proxy. */
	inMoEngageWords?: boolean;
} {
	if (typeof body === 'object' && body !== null) {
		const record = body as Record<string, unknown>;
		const error = record.error as Record<string, unknown> | undefined;
		if (typeof error === 'object' && error !== null) {
			const text = (value: unknown) =>
				value === undefined || value === null ? undefined : String(value);
			return {
				message: text(error.message),
				type: text(error.type),
				requestId: text(error.request_id),
				attribute: text(error.attribute),
				inMoEngageWords: true,
			};
		}
		// Inform's shape: err_code is its word for the error, status_code an internal number.
		if (record.message !== undefined && record.err_code !== undefined) {
			return {
				message: String(record.message),
				type: String(record.err_code),
				inMoEngageWords: true,
			};
		}
		if (record.title !== undefined || record.description !== undefined) {
			return {
				type: record.title === undefined ? undefined : String(record.title),
				message: record.description === undefined ? undefined : String(record.description),
				inMoEngageWords: true,
			};
		}
		return { message: JSON.stringify(body).slice(0, 200) };
	}
	// The tags and line breaks of a proxy's page go; nothing in between is a secret any more (redactBody).
	const text =
		typeof body === 'string'
			? body
					.replace(/<[^>]*>/g, ' ')
					.replace(/\s+/g, ' ')
					.trim()
			: '';
	return { message: text === '' ? 'an empty body' : text.slice(0, 200) };
}

const HINTS: Record<number, { what: string; todo: string }> = {
	400: {
		what: 'MoEngage rejected the request',
		todo: 'Check the values of these items that MoEngage names.',
	},
	401: {
		what: 'MoEngage rejected the credentials',
		todo: 'Check the Workspace ID and Data API key, and that the data center matches your dashboard URL (dashboard-02 → DC 02).',
	},
	403: {
		what: 'MoEngage refused this workspace',
		todo: 'The workspace is blocked or suspended, or this API is not enabled for it: ask MoEngage support to enable it.',
	},
	409: {
		what: 'MoEngage rejected the key for this workspace',
		todo: 'Generate and save the Data API key on the dashboard (Settings → Account → APIs), and check that the Workspace ID belongs to it.',
	},
	413: {
		what: 'The request was larger than MoEngage accepts (128 KB)',
		todo: 'Some values of these items are unusually long: check them, or lower Batch Size.',
	},
	415: {
		what: 'MoEngage did not accept the request content type',
		todo: 'A proxy between n8n and MoEngage may be rewriting Content-Type; otherwise please report this as a bug of the node.',
	},
	429: {
		what: "MoEngage's rate limit was exceeded",
		todo: 'Another workflow or app is spending the same workspace limit: lower the per-minute option, or schedule the workflows apart.',
	},
};

export function describeFailure(
	status: number,
	body: unknown,
	secrets: readonly string[],
	hints: Hints = {},
): Failure {
	const said = readErrorBody(body);
	const hint =
		(said.type === undefined ? undefined : hints[`${status} ${said.type}`]) ??
		hints[status] ??
		HINTS[status] ??
		(status >= 500
			? { what: 'MoEngage failed to answer', todo: "This is on MoEngage's side: try again later." }
			: {
					what: 'MoEngage answered with an unexpected status',
					todo: "Check the credential's data center or Custom URL.",
				});
	const label = [status, said.type].filter(Boolean).join(' ');
	const at = said.attribute ? ` (attribute "${said.attribute}")` : '';
	return {
		message: redact(
			`${hint.what} (${label})${said.message ? `: ${said.message}` : ''}${at}`,
			secrets,
		),
		description: redact(hint.todo, secrets),
		httpCode: status,
		type: said.type,
		requestId: said.requestId,
	};
}

export function toNodeApiError(
	node: INode,
	failure: Failure,
	itemIndex: number,
	items: string,
): NodeApiError {
	const response: JsonObject = { message: failure.message };
	if (failure.type !== undefined) response.type = failure.type;
	if (failure.requestId !== undefined) response.request_id = failure.requestId;
	const error = new NodeApiError(node, response, {
		message: `${failure.message} — ${items}`,
		description: [
			failure.description,
			failure.requestId && `MoEngage request_id: ${failure.requestId}`,
		]
			.filter(Boolean)
			.join(' '),
		httpCode: failure.httpCode === undefined ? undefined : String(failure.httpCode),
		itemIndex,
	});
	return error;
}
