/**
 * A minimal stand-in for n8n's IExecuteFunctions, to run an operation module's
 * `execute(context, environment)` without n8n's engine and without HTTP: items, parameters (plain
 * values and `{{ $json.field }}` expressions only), continue-on-fail, a Custom URL credential, and
 * httpRequestWithAuthentication answered by a simulator's `handle`. A dropped connection or a hang
 * is thrown as n8n throws it (a NodeApiError over the network error), so the node's transport
 * classifies it as it would in n8n.
 *
 * Budgets and learned spellings are process-wide and keyed by workspace: give every run a fresh one
 * (freshWorkspace), and create its simulator with it.
 */
import {
	NodeApiError,
	NodeHelpers,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeProperties,
	type JsonObject,
} from 'n8n-workflow';

import type { Clock } from '../../nodes/MoEngage/shared/budget';
import type { Answer, HandledRequest } from '../../simulator/simulator';

/** What the fake needs of a simulator: its API without HTTP, and the workspace it takes. */
export interface HandlesRequests {
	config: { workspaceId: string; apiKey: string };
	handle(request: HandledRequest): Answer;
}

export interface FakeN8nOptions {
	simulator: HandlesRequests;
	/** The input items' JSON, one object an item. */
	items: readonly object[];
	/** The node's parameters as a saved workflow holds them; `properties` fill in the defaults. */
	parameters: INodeParameters;
	/** The operation's parameters (its module's `properties`): their defaults, where shown, as n8n fills them in. */
	properties?: readonly INodeProperties[];
	continueOnFail?: boolean;
	/** A hang costs the request's timeout on this clock (a FakeClock moves on at once). */
	clock?: Clock;
	/** Fields of the credential to override. */
	credentials?: IDataObject;
}

export interface FakeN8n {
	context: IExecuteFunctions;
	/** Every line the node logged, as "level: message". */
	logs: string[];
	/** The requests the node made, as httpRequestWithAuthentication got them. */
	requests: IHttpRequestOptions[];
}

let workspaces = 0;

/** A workspace no other run of this process used: its own rate budget, its own learned spelling. */
export function freshWorkspace(): { workspaceId: string; apiKey: string } {
	workspaces++;
	const suffix =
		`${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}${workspaces}`.toUpperCase();
	return { workspaceId: `FAKE${suffix}`, apiKey: `fake-data-api-key-${suffix.toLowerCase()}` };
}

/** `={{ $json.field }}` or `={{ $json["field"] }}`: the only expressions the fake evaluates. */
const PLAIN_FIELD = /^=\{\{\s*\$json(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"])([^'"\\]*)\2\s*\])\s*\}\}$/;

function evaluate(value: unknown, json: IDataObject, name: string): unknown {
	if (typeof value === 'string' && value.startsWith('=')) {
		const field = PLAIN_FIELD.exec(value);
		if (field) return json[field[1] ?? field[3]];
		// n8n reads "=text" without {{ }} as the text itself.
		if (!value.includes('{{')) return value.slice(1);
		throw new Error(
			`fake-n8n evaluates only plain values and {{ $json.field }} expressions; parameter "${name}" is ${JSON.stringify(value)}`,
		);
	}
	if (Array.isArray(value)) return value.map((entry) => evaluate(entry, json, name));
	if (typeof value === 'object' && value !== null) {
		return Object.fromEntries(
			Object.entries(value).map(([key, entry]) => [key, evaluate(entry, json, name)]),
		);
	}
	return value;
}

/** A network error as axios gives it, wrapped as n8n's httpRequestWithAuthentication throws it. */
function networkError(node: INode, message: string, code: string): NodeApiError {
	const error = Object.assign(new Error(message), { code, isAxiosError: true });
	return new NodeApiError(node, error as unknown as JsonObject);
}

export function fakeExecuteFunctions(options: FakeN8nOptions): FakeN8n {
	const { simulator, parameters: saved, properties = [], continueOnFail = false, clock } = options;
	const items: INodeExecutionData[] = options.items.map((json) => ({ json: json as IDataObject }));
	// The parameters n8n hands a node: those saved, and the defaults of the others it shows.
	const parameters = NodeHelpers.getNodeParameters(
		[...properties],
		saved,
		true,
		false,
		null,
		null,
	) as INodeParameters;
	const node: INode = {
		id: 'fake-moengage',
		name: 'MoEngage',
		type: 'n8n-nodes-moengage.moEngage',
		typeVersion: 1,
		position: [0, 0],
		parameters,
	};
	const credentials: ICredentialDataDecryptedObject = {
		dataCenter: 'custom',
		baseUrl: 'http://simulator',
		region: '01',
		appId: simulator.config.workspaceId,
		apiKey: simulator.config.apiKey,
		...(options.credentials ?? {}),
	};
	const logs: string[] = [];
	const requests: IHttpRequestOptions[] = [];
	const cancel = new AbortController();

	function getNodeParameter(name: string, itemIndex: number, fallback?: unknown): unknown {
		// A path such as "options.maxRetries", as n8n's lodash get reads it.
		let value: unknown = parameters;
		for (const key of name.split('.'))
			value = typeof value === 'object' && value !== null ? (value as IDataObject)[key] : undefined;
		if (value === undefined) value = fallback;
		if (value === undefined) throw new Error(`Could not get parameter "${name}"`);
		return evaluate(value, items[itemIndex]?.json ?? {}, name);
	}

	async function httpRequestWithAuthentication(
		credentialType: string,
		request: IHttpRequestOptions,
	): Promise<{
		statusCode: number;
		statusMessage: string;
		body: unknown;
		headers: Record<string, string>;
	}> {
		if (credentialType !== 'moEngageApi')
			throw new Error(`fake-n8n has no credential of type "${credentialType}"`);
		requests.push(request);
		const url = new URL(request.url);
		for (const [key, value] of Object.entries(request.qs ?? {}))
			url.searchParams.set(key, String(value));
		const headers: Record<string, string> = {};
		for (const [key, value] of Object.entries(request.headers ?? {}))
			headers[key.toLowerCase()] = String(value);
		// The credential's authenticate: Basic with the trimmed Workspace ID and key.
		const basic = Buffer.from(
			`${String(credentials.appId).trim()}:${String(credentials.apiKey).trim()}`,
		).toString('base64');
		headers.authorization = `Basic ${basic}`;
		const raw = Buffer.from(
			request.body === undefined
				? ''
				: typeof request.body === 'string'
					? request.body
					: JSON.stringify(request.body),
		);
		// n8n replaces the request's abortSignal with the execution's cancel signal: so does the fake.
		if (cancel.signal.aborted) throw networkError(node, 'canceled', 'ERR_CANCELED');
		const answer = simulator.handle({ method: request.method ?? 'GET', url, headers, raw });
		if (answer.destroy) {
			// A hang outlasts the request's timeout (n8n's default: none; the node always sets one).
			if (answer.delayMs !== undefined) {
				const timeout = request.timeout ?? 300_000;
				await clock?.sleep(timeout);
				throw networkError(node, `timeout of ${timeout}ms exceeded`, 'ECONNABORTED');
			}
			throw networkError(node, 'socket hang up', 'ECONNRESET');
		}
		let body = answer.body;
		if (typeof body === 'string' && request.json) {
			try {
				body = JSON.parse(body) as unknown;
			} catch {
				// Not JSON (a proxy's page, a cut-off body): axios hands the text over as it came.
			}
		}
		const answerHeaders: Record<string, string> = {
			'content-type':
				answer.contentType ?? (typeof answer.body === 'string' ? 'text/html' : 'application/json'),
		};
		for (const [key, value] of Object.entries(answer.headers ?? {}))
			answerHeaders[key.toLowerCase()] = value;
		if (answer.status >= 400 && !request.ignoreHttpStatusErrors) {
			const error = Object.assign(new Error(`Request failed with status code ${answer.status}`), {
				response: { status: answer.status, data: body, headers: answerHeaders },
				isAxiosError: true,
			});
			throw new NodeApiError(node, error as unknown as JsonObject);
		}
		const full = { statusCode: answer.status, statusMessage: '', body, headers: answerHeaders };
		return request.returnFullResponse ? full : (body as never);
	}

	const log = (level: string) => (message: string) => {
		logs.push(`${level}: ${message}`);
	};

	const context = {
		getInputData: () => items,
		getNode: () => node,
		getNodeParameter,
		continueOnFail: () => continueOnFail,
		getCredentials: async (type: string) => {
			if (type !== 'moEngageApi') throw new Error(`fake-n8n has no credential of type "${type}"`);
			return credentials;
		},
		getExecutionCancelSignal: () => cancel.signal,
		logger: { info: log('info'), debug: log('debug'), warn: log('warn'), error: log('error') },
		helpers: { httpRequestWithAuthentication },
	};
	return { context: context as unknown as IExecuteFunctions, logs, requests };
}
