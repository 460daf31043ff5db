/**
 * One call to the MoEngage Trigger's webhook(), as n8n makes it: the node's parameters (with the
 * description's defaults for those not given), its credentials, and a request with n8n's parsed
 * body and the raw bytes n8n keeps beside it. What comes back is what MoEngage would see (status,
 * headers, body) and what the workflow would get (items, or no execution).
 */
import type { IDataObject, INodeProperties, IWebhookFunctions } from 'n8n-workflow';

import { MoEngageTrigger } from '../../nodes/MoEngageTrigger/MoEngageTrigger.node';

export interface Call {
	parameters?: IDataObject;
	credentials?: Record<string, IDataObject>;
	method?: string;
	headers?: Record<string, string>;
	query?: IDataObject;
	/** What n8n's body parser made of the body; by default JSON.parse of `raw` when it is JSON. */
	body?: unknown;
	/** The bytes on the wire. */
	raw?: string | Buffer;
	/** Names the memory a trigger keeps: a new workflow ID is a trigger that has seen nothing. */
	workflowId?: string;
	mode?: 'webhook' | 'manual';
}

export interface Outcome {
	/** The status MoEngage gets: n8n's responseCode (200) unless the node answered itself. */
	status: number;
	headers: Record<string, string>;
	body: unknown;
	/** The items the execution starts with; undefined: no execution. */
	items?: IDataObject[];
	warnings: string[];
}

const trigger = new MoEngageTrigger();

function defaults(properties: INodeProperties[]) {
	return Object.fromEntries(properties.map((property) => [property.name, property.default]));
}

export async function callTrigger(call: Call): Promise<Outcome> {
	const parameters = { ...defaults(trigger.description.properties), ...call.parameters };
	const raw = Buffer.isBuffer(call.raw) ? call.raw : Buffer.from(call.raw ?? '', 'utf8');
	const headers = Object.fromEntries(
		Object.entries(call.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
	);
	let body = call.body;
	if (body === undefined && /json/.test(headers['content-type'] ?? 'application/json')) {
		try {
			body = JSON.parse(raw.toString('utf8'));
		} catch {
			body = {};
		}
	}
	const answered: { status?: number; headers: Record<string, string>; body?: unknown } = {
		headers: {},
	};
	const response = {
		setHeader(name: string, value: string) {
			answered.headers[name.toLowerCase()] = value;
			return response;
		},
		status(status: number) {
			answered.status = status;
			return response;
		},
		json(value: unknown) {
			answered.body = value;
			return response;
		},
	};
	const warnings: string[] = [];
	const context = {
		getNodeParameter: (name: string, fallback?: unknown) => parameters[name] ?? fallback,
		getCredentials: async (type: string) => {
			const credential = call.credentials?.[type];
			if (!credential) throw new Error(`Node does not have credentials of type ${type}`);
			return credential;
		},
		getHeaderData: () => headers,
		getQueryData: () => call.query ?? {},
		getBodyData: () => body ?? {},
		getRequestObject: () => ({ method: call.method ?? 'POST', rawBody: raw }),
		getResponseObject: () => response,
		getWorkflow: () => ({ id: call.workflowId ?? 'workflow-1' }),
		getNode: () => ({ id: 'trigger-node-1', name: 'MoEngage Trigger' }),
		getMode: () => call.mode ?? 'webhook',
		logger: { warn: (message: string) => warnings.push(message) },
		helpers: {
			returnJsonArray: (items: IDataObject[]) => items.map((json) => ({ json })),
		},
	} as unknown as IWebhookFunctions;

	const result = await trigger.webhook.call(context);
	const items = result.workflowData?.[0]?.map((item) => item.json);
	if (result.noWebhookResponse) {
		return {
			status: answered.status!,
			headers: answered.headers,
			body: answered.body,
			items,
			warnings,
		};
	}
	// The description's responseCode (200), with the node's webhookResponse as the body.
	return { status: 200, headers: {}, body: result.webhookResponse, items, warnings };
}

/** A Streams batch as MoEngage's documentation shows it (api/data/moengage-streams.mdx). */
export function streamsBatch(events: IDataObject[], requestId = 'req-1') {
	return { app_name: 'App Name', source: 'MOENGAGE', moe_request_id: requestId, events };
}

/** The JSON of a batch, as the raw bytes of a request. */
export const asJson = (value: unknown) => ({
	raw: JSON.stringify(value),
	headers: { 'content-type': 'application/json' },
});

/** The trigger's node name in the workflows tests and benchmarks import into real n8n. */
export const TRIGGER = 'MoEngage Trigger';

/**
 * A workflow of one MoEngage Trigger, to import into real n8n: `number` makes its node and webhook
 * IDs; its production URL is /webhook/<webhookId>/moengage (productionPath).
 */
export function triggerWorkflow(
	id: string,
	number: number,
	parameters: Record<string, unknown>,
	credentials?: object,
) {
	const suffix = String(number).padStart(12, '0');
	return {
		id,
		name: id,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: `7e000000-0000-4000-8000-${suffix}`,
				name: TRIGGER,
				type: 'n8n-nodes-moengage.moEngageTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: `7e0000aa-0000-4000-8000-${suffix}`,
				parameters,
				...(credentials ? { credentials } : {}),
			},
		],
		connections: {},
		pinData: {},
	};
}

export const productionPath = (workflow: ReturnType<typeof triggerWorkflow>) =>
	`/webhook/${workflow.nodes[0].webhookId}/moengage`;
