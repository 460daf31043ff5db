/** The one place that talks to MoEngage: the export request, and what its failures mean to a user. */
import {
	NodeApiError,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type JsonObject,
} from 'n8n-workflow';

import type { Checked, IdentifierType } from './identifiers';
import { readAnswer, type ExportAnswer } from './lookups';
import type { Failure } from './outputs';

export const CREDENTIAL_TYPE = 'moEngageApi';

export interface Workspace {
	baseUrl: string;
	appId: string;
	/** Identifies the workspace's rate budget: the same App ID behind another URL is another budget. */
	key: string;
	/** Values that must never reach an output, an error or a log line. */
	secrets: string[];
}

export function workspaceOf(credentials: ICredentialDataDecryptedObject): Checked<Workspace> {
	const appId = String(credentials.appId ?? '').trim();
	const apiKey = String(credentials.apiKey ?? '');
	if (appId === '' || apiKey === '') {
		return { ok: false, problem: 'the MoEngage API credential needs a Workspace ID and a Data API key' };
	}
	let baseUrl: string;
	if (credentials.dataCenter === 'custom') {
		baseUrl = String(credentials.baseUrl ?? '').trim().replace(/\/+$/, '');
		if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/i.test(baseUrl)) {
			return {
				ok: false,
				problem: `the credential's Base URL "${baseUrl}" is not an http(s) URL such as http://127.0.0.1:4010`,
			};
		}
	} else {
		baseUrl = `https://api-${String(credentials.dataCenter ?? '01')}.moengage.com`;
	}
	const basic = Buffer.from(`${appId}:${apiKey}`).toString('base64');
	return {
		ok: true,
		value: { baseUrl, appId, key: `${baseUrl} ${appId}`, secrets: [apiKey, basic] },
	};
}

export function redact(text: string, secrets: readonly string[]): string {
	return secrets.reduce((safe, secret) => (secret ? safe.split(secret).join('[redacted]') : safe), text);
}

export interface ExportRequest {
	identifiers: Array<{ identifier_type: IdentifierType; identifier: string }>;
	fields: string[] | undefined;
	forwardedFor: string | undefined;
	timeoutMs: number;
	signal: AbortSignal | undefined;
}

/** What one request came to, before any decision to retry, split or give up. */
export type Exchange =
	| { kind: 'answer'; answer: ExportAnswer }
	/** A 200 whose body is not the documented JSON: a proxy's page, a cut-off body. */
	| { kind: 'malformed'; failure: Failure }
	| { kind: 'refused'; status: number; failure: Failure; blames?: string; retryAfterMs?: number }
	| { kind: 'unreachable'; failure: Failure };

export async function requestExport(
	context: IExecuteFunctions,
	workspace: Workspace,
	request: ExportRequest,
): Promise<Exchange> {
	const data: IDataObject = { identifiers: request.identifiers };
	if (request.fields !== undefined) data.user_fields_to_export = request.fields;
	const headers: IDataObject = { 'Content-Type': 'application/json' };
	if (request.forwardedFor !== undefined) headers['X-Forwarded-For'] = request.forwardedFor;
	let response: { statusCode: number; body: unknown; headers?: Record<string, unknown> };
	try {
		response = await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, {
			method: 'POST',
			url: `${workspace.baseUrl}/v1/customers/export`,
			qs: { app_id: workspace.appId },
			headers,
			body: { data },
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: request.timeoutMs,
			abortSignal: request.signal,
		});
	} catch (error) {
		// The raw error carries the request config, Authorization header included: keep only its words.
		// n8n rewords network errors ("The service refused the connection"); `messages` keeps the original.
		const { message, messages = [] } = error as { message?: string; messages?: string[] };
		const original = [...messages, String(message ?? error)];
		const reason = redact(original[0], workspace.secrets);
		return {
			kind: 'unreachable',
			failure: {
				// A network error code in the message would make NodeApiError swap it for a generic text.
				message: `Could not reach MoEngage at ${workspace.baseUrl}`,
				description: `${reason}. Check the credential's data center or Custom URL, and that this n8n can reach it.`,
			},
		};
	}
	return classifyResponse(response.statusCode, response.body, response.headers ?? {}, workspace.secrets, Date.now());
}

/** Retry-After is either a number of seconds or an HTTP date. */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const text = String(value).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function classifyResponse(
	status: number,
	body: unknown,
	headers: Record<string, unknown>,
	secrets: readonly string[],
	now: number,
): Exchange {
	if (status === 200) {
		const answer = readAnswer(body);
		if (answer.ok) return { kind: 'answer', answer: answer.value };
		return {
			kind: 'malformed',
			failure: {
				message: redact(`MoEngage answered 200 but not with the documented JSON: ${answer.problem}`, secrets),
				description: 'A proxy in front of MoEngage may have answered instead: check the Custom URL.',
				httpCode: 200,
			},
		};
	}
	const retryAfterMs = parseRetryAfter(headers['retry-after'], now);
	return {
		kind: 'refused',
		status,
		failure: describeFailure(status, body, secrets),
		blames: readErrorBody(body).attribute,
		...(retryAfterMs === undefined ? {} : { retryAfterMs }),
	};
}

/** Both of MoEngage's error shapes, or whatever a proxy in front of it sent. */
function readErrorBody(body: unknown): { message?: string; type?: string; requestId?: string; attribute?: string } {
	if (typeof body === 'object' && body !== null) {
		const record = body as Record<string, unknown>;
		const error = record.error as Record<string, unknown> | undefined;
		if (typeof error === 'object' && error !== null) {
			const text = (value: unknown) => (value === undefined || value === null ? undefined : String(value));
			return {
				message: text(error.message),
				type: text(error.type),
				requestId: text(error.request_id),
				attribute: text(error.attribute),
			};
		}
		if (record.title !== undefined || record.description !== undefined) {
			return {
				type: record.title === undefined ? undefined : String(record.title),
				message: record.description === undefined ? undefined : String(record.description),
			};
		}
		return { message: JSON.stringify(body).slice(0, 200) };
	}
	const text = typeof body === 'string' ? body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim() : '';
	return { message: text === '' ? 'an empty body' : text.slice(0, 200) };
}

const HINTS: Record<number, { what: string; todo: string }> = {
	400: {
		what: 'MoEngage rejected the request',
		todo: 'Check the identifiers of these items and the Fields parameter.',
	},
	401: {
		what: 'MoEngage rejected the credentials',
		todo: 'Check the Workspace ID and Data API key, and that the data center matches your dashboard URL (dashboard-02 → DC 02).',
	},
	403: {
		what: 'MoEngage refused this workspace',
		todo: 'The workspace is blocked or suspended, or the Get User API is not enabled for it: ask MoEngage support to enable it.',
	},
	409: {
		what: 'MoEngage rejected the key for this workspace',
		todo: 'Generate and save the Data API key on the dashboard (Settings → Account → APIs), and check that the Workspace ID belongs to it.',
	},
	413: {
		what: 'The request was larger than MoEngage accepts (128 KB)',
		todo: 'Some identifiers or field names are unusually long: lower Batch Size, or check the Identifier parameter.',
	},
	415: {
		what: 'MoEngage did not accept the request content type',
		todo: 'A proxy between n8n and MoEngage may be rewriting Content-Type; otherwise please report this as a bug of the node.',
	},
	429: {
		what: "MoEngage's rate limit was exceeded",
		todo: 'Another workflow or app is spending the same workspace limit: lower Users per Minute, or schedule the workflows apart.',
	},
};

export function describeFailure(status: number, body: unknown, secrets: readonly string[]): Failure {
	const said = readErrorBody(body);
	const hint =
		HINTS[status] ??
		(status >= 500
			? { what: 'MoEngage failed to answer', todo: 'This is on MoEngage\'s side: try again later.' }
			: { what: 'MoEngage answered with an unexpected status', todo: 'Check the credential\'s data center or Custom URL.' });
	const label = [status, said.type].filter(Boolean).join(' ');
	const at = said.attribute ? ` (attribute "${said.attribute}")` : '';
	return {
		message: redact(`${hint.what} (${label})${said.message ? `: ${said.message}` : ''}${at}`, secrets),
		description: redact(hint.todo, secrets),
		httpCode: status,
		type: said.type,
		requestId: said.requestId,
	};
}

export function toNodeApiError(node: INode, failure: Failure, itemIndex: number, items: string): NodeApiError {
	const response: JsonObject = { message: failure.message };
	if (failure.type !== undefined) response.type = failure.type;
	if (failure.requestId !== undefined) response.request_id = failure.requestId;
	const error = new NodeApiError(node, response, {
		message: `${failure.message} — ${items}`,
		description: [failure.description, failure.requestId && `MoEngage request_id: ${failure.requestId}`]
			.filter(Boolean)
			.join(' '),
		httpCode: failure.httpCode === undefined ? undefined : String(failure.httpCode),
		itemIndex,
	});
	return error;
}
