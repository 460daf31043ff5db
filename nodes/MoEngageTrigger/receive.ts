import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { matchesFor } from './events';
import {
	checkBasicAuth,
	checkHeaderAuth,
	checkSignature,
	type BasicAuth,
	type HeaderAuth,
	type Refusal,
} from './incoming-auth';
import { DEFAULT_REMEMBER_AT_MOST, DEFAULT_REMEMBER_MINUTES, memoryFor } from './seen-events';
import { eventId, eventItem, passes, readBatch } from './streams';

type Headers = Record<string, string | string[] | undefined>;

/** n8n keeps the bytes of every non-multipart body it parsed (n8n's webhook body parser). */
type WebhookRequest = ReturnType<IWebhookFunctions['getRequestObject']> & { rawBody?: Buffer };

/** An answer n8n sends as it is, with no execution: a refusal or a body that is not MoEngage's. */
function answer(context: IWebhookFunctions, status: number, body: IDataObject, challenge = false) {
	const response = context.getResponseObject();
	if (challenge) response.setHeader('WWW-Authenticate', 'Basic realm="MoEngage Trigger"');
	response.status(status).json(body);
	return { noWebhookResponse: true };
}

const refuse = (context: IWebhookFunctions, refusal: Refusal) =>
	answer(context, refusal.status, { message: refusal.message }, refusal.challenge);

/** What the Authentication parameter's check found, for Streams and connector campaigns. */
interface Authenticated {
	refusal?: Refusal;
	/** The header that carried the secret: it stays out of the item, as it stays out of logs. */
	secretHeader?: string;
}

async function authenticate(context: IWebhookFunctions): Promise<Authenticated> {
	const authentication = context.getNodeParameter('authentication', 'none') as string;
	const headers = context.getHeaderData() as Headers;
	if (authentication === 'basicAuth') {
		const expected = (await context.getCredentials(
			'moEngageWebhookBasicAuthApi',
		)) as unknown as BasicAuth;
		return {
			refusal: checkBasicAuth(headers.authorization as string | undefined, expected),
			secretHeader: 'authorization',
		};
	}
	if (authentication === 'headerAuth') {
		const expected = (await context.getCredentials(
			'moEngageWebhookHeaderAuthApi',
		)) as unknown as HeaderAuth;
		return {
			refusal: checkHeaderAuth(headers, expected),
			secretHeader: expected.name.trim().toLowerCase(),
		};
	}
	return {};
}

/** The bytes of the body, as text. */
const rawText = (context: IWebhookFunctions) =>
	(context.getRequestObject() as WebhookRequest).rawBody?.toString('utf8') ?? '';

/**
 * The body as JSON: n8n parses application/json; JSON it did not parse (sent as text, or `{}`,
 * which n8n's empty body cannot be told from) is parsed here. Not JSON: its text; none: undefined.
 */
function jsonBody(context: IWebhookFunctions): unknown {
	const body = context.getBodyData() as unknown;
	if (typeof body === 'object' && body !== null && Object.keys(body).length > 0) return body;
	const raw = rawText(context);
	if (raw.trim() === '') return undefined;
	try {
		return JSON.parse(raw) as unknown;
	} catch {
		return raw;
	}
}

function listOf(value: unknown): string[] {
	if (Array.isArray(value)) return value.map(String);
	if (typeof value !== 'string') return [];
	return value
		.split(',')
		.map((part) => part.trim())
		.filter(Boolean);
}

/**
 * Streams: the batch is read, its new events become items and the 200 goes out; a batch with no new
 * event starts nothing. The answer's counts are for whoever reads MoEngage's delivery logs.
 */
async function receiveStreams(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const batch = readBatch(jsonBody(context));
	if (!batch.ok) return answer(context, 400, { message: batch.problem });

	const filter = {
		types: listOf(context.getNodeParameter('eventTypes', [])),
		namesOrCodes: [
			...listOf(context.getNodeParameter('campaignEvents', [])).flatMap(matchesFor),
			...listOf(context.getNodeParameter('otherEvents', '')),
		],
	};
	const options = context.getNodeParameter('options', {}) as {
		rememberMinutes?: number;
		rememberAtMost?: number;
	};
	const wanted = batch.value.events.filter(passes(filter));
	const workflow = context.getWorkflow();
	const node = context.getNode();
	const memory = memoryFor(`${workflow.id}/${node.id ?? node.name}/${context.getMode()}`, {
		windowMs: (options.rememberMinutes ?? DEFAULT_REMEMBER_MINUTES) * 60_000,
		capacity: options.rememberAtMost ?? DEFAULT_REMEMBER_AT_MOST,
	});
	const ids = wanted.map(eventId);
	const sorted = memory.sort(
		ids.filter((id): id is string => id !== undefined),
		Date.now(),
	);
	if (sorted.forgottenEarly > 0) {
		context.logger.warn(
			`MoEngage Trigger forgot ${sorted.forgottenEarly} event IDs before their time was up: it remembers at most ${memory.size}. Raise "Remember at Most" if MoEngage resends batches in this workflow.`,
		);
	}
	// An ID twice in one batch starts the workflow once: the first occurrence takes it.
	const fresh = wanted.filter((_event, index) => {
		const id = ids[index];
		if (id === undefined) return true;
		if (!sorted.fresh.has(id)) return false;
		sorted.fresh.delete(id);
		return true;
	});
	const counts = {
		events: batch.value.events.length,
		new: fresh.length,
		repeated: wanted.length - fresh.length,
		filteredOut: batch.value.events.length - wanted.length,
	};
	if (fresh.length === 0) return { webhookResponse: counts };
	return {
		webhookResponse: counts,
		workflowData: [
			context.helpers.returnJsonArray(fresh.map((event) => eventItem(batch.value, event))),
		],
	};
}

/** The call's headers, but those that carry a secret: the trigger's own, cookies, any Authorization. */
function headersWithoutSecrets(context: IWebhookFunctions, secretHeader: string | undefined) {
	const secret = new Set(['authorization', 'cookie', ...(secretHeader ? [secretHeader] : [])]);
	return Object.fromEntries(
		Object.entries(context.getHeaderData() as Headers).filter(([name]) => !secret.has(name)),
	) as IDataObject;
}

/**
 * A connector call's body as the marketer wrote it: JSON (arrays too) and form bodies as objects,
 * anything else as its text, and no body as `{}`.
 */
function connectorBody(context: IWebhookFunctions): unknown {
	const body = jsonBody(context);
	if (body === undefined) return {};
	if (Array.isArray(body)) return body;
	// n8n parses a form into an object without a prototype
	if (typeof body === 'object' && body !== null) return { ...(body as IDataObject) };
	return rawText(context);
}

/**
 * A connector campaign's call: whatever the marketer wrote, as one item. MoEngage counts it
 * delivered only on a 200 within 5 seconds (docs/moengage-api.md#connector-campaigns).
 */
async function receiveConnector(
	context: IWebhookFunctions,
	secretHeader: string | undefined,
): Promise<IWebhookResponseData> {
	const request = context.getRequestObject() as WebhookRequest;
	const item: IDataObject = {
		method: request.method,
		query: { ...(context.getQueryData() as IDataObject) },
		body: connectorBody(context) as IDataObject,
		headers: headersWithoutSecrets(context, secretHeader),
	};
	return {
		webhookResponse: { received: true },
		workflowData: [context.helpers.returnJsonArray([item])],
	};
}

/** An alert webhook: its signature is checked on the bytes MoEngage signed, then its JSON is the item. */
async function receiveAlert(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const request = context.getRequestObject() as WebhookRequest;
	const rawBody = request.rawBody ?? Buffer.alloc(0);
	const { apiKey } = (await context.getCredentials('moEngageCampaignReportApi')) as {
		apiKey: string;
	};
	const refusal = checkSignature(context.getHeaderData().signature, String(apiKey).trim(), rawBody);
	if (refusal) return refuse(context, refusal);
	const alert = jsonBody(context);
	if (typeof alert !== 'object' || alert === null || Array.isArray(alert)) {
		return answer(context, 400, {
			message:
				'Expected a MoEngage alert: a JSON object with "alert_id", "alert_name", "alert_type", … (MoEngage alert webhooks).',
		});
	}
	return {
		webhookResponse: { received: true },
		workflowData: [context.helpers.returnJsonArray([alert as IDataObject])],
	};
}

/** The MoEngage Trigger's webhook: one call from MoEngage, answered, and its items if any. */
export async function receive(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const source = this.getNodeParameter('source', 'streams') as string;
	if (source === 'alert') return await receiveAlert(this);
	const { refusal, secretHeader } = await authenticate(this);
	if (refusal) return refuse(this, refusal);
	if (source === 'connector') return await receiveConnector(this, secretHeader);
	return await receiveStreams(this);
}
