'use strict';
/**
 * MoEngage's sending side, for testing what receives it: Streams (MoEngage POSTs batches of events
 * to one endpoint and retries a failed batch), connector campaigns (MoEngage makes one HTTP call a
 * user, as the marketer configured it) and alert webhooks (MoEngage POSTs a signed alert). Sources,
 * in moengage/moengage-documentation: `api/data/moengage-streams.mdx` ("the Streams doc");
 * `user-guide/campaigns-and-channels/connectors/create/create-a-connector-campaign.mdx`,
 * `.../connectors/connector-error-reference.mdx` and `.../connectors/analyze/connector-analytics-and-info.mdx`
 * ("the connector docs"); `partner-guide/data-and-analytics/workflow-automation/webhook.mdx` ("the
 * alert doc"). The events themselves are made in ./events.js; the types are in ./streams.d.ts.
 *
 * Only Node's own http, https and crypto: the requests carry exactly the headers written here
 * (fetch would add Accept, User-Agent, Sec-Fetch-Mode and more that MoEngage is not known to send).
 */
const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');
const { streamEvents, uuidFrom, DEFAULT_APP_NAME } = require('./events');

/** "The default batch size (number of events for each API request) is 100." */
const STREAMS_BATCH_SIZE = 100;
/** "In total, three retry attempts are made with intervals of 30, 60, and 120 seconds." */
const STREAMS_RETRY_DELAYS_MS = [30_000, 60_000, 120_000];
/**
 * How long MoEngage waits for an answer. The connector docs give it for connector calls ("MoEngage
 * waits up to 5 seconds for a Connector endpoint to respond"); the Streams doc and the alert doc
 * give none, so the one figure MoEngage documents for its outgoing calls is the default for all
 * three: a receiver that answers within it passes whichever MoEngage really uses, if it is longer.
 */
const MOENGAGE_TIMEOUT_MS = 5_000;
const CONNECTOR_METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const CONNECTOR_BODY_TYPES = ['json', 'form', 'raw'];
const ALERT_TYPES = [
	'CAMPAIGN_STATS',
	'FLOW_STATS',
	'CAMPAIGN_EXPIRY',
	'APNS_TOKEN_EXPIRY',
	'FACEBOOK_TOKEN_EXPIRY',
];
const SIGNINGS = ['pipe', 'concat', 'none', 'wrong'];

const basicAuthorization = ({ user, password }) =>
	`Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * The headers of a request: the sender's own first, then the configured ones, which replace one of
 * the same name (header names are case-insensitive: one header per name, whichever case it was
 * given in).
 */
function mergeHeaders(own, configured = {}) {
	const merged = { ...own };
	for (const [name, value] of Object.entries(configured)) {
		for (const key of Object.keys(merged))
			if (key.toLowerCase() === name.toLowerCase()) delete merged[key];
		merged[name] = value;
	}
	return merged;
}

/**
 * One HTTP request: resolves to {status, headers, body} once the whole answer is read, and rejects
 * on a network error, or when no whole answer came within timeoutMs (the request is then dropped).
 * Redirects are not followed: a 3xx is an answer like any other, which for Streams is a non-2XX.
 */
function request({ url, method, headers, body, timeoutMs }) {
	const target = new URL(url);
	const transport = target.protocol === 'https:' ? https : http;
	const payload = body === undefined ? undefined : Buffer.from(body);
	const allHeaders = payload ? { ...headers, 'Content-Length': payload.length } : headers;
	return new Promise((resolve, reject) => {
		let settled = false;
		let incoming;
		const settle = (error, answer) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			if (error) {
				outgoing.destroy();
				incoming?.destroy();
				reject(error);
			} else resolve(answer);
		};
		const outgoing = transport.request(
			target,
			// A connection of its own: a stalled or dropped request affects no other.
			{ method, headers: allHeaders, agent: false },
			(response) => {
				incoming = response;
				const chunks = [];
				response.on('data', (chunk) => chunks.push(chunk));
				response.on('error', (error) => settle(error));
				response.on('end', () =>
					settle(undefined, {
						status: response.statusCode ?? 0,
						headers: response.headers,
						body: Buffer.concat(chunks).toString('utf8'),
					}),
				);
				response.on('close', () =>
					settle(new Error('the connection closed before the whole answer came')),
				);
			},
		);
		const timer = setTimeout(
			() => settle(new Error(`no answer within ${timeoutMs} ms`)),
			timeoutMs,
		);
		outgoing.on('error', (error) => settle(error));
		outgoing.end(payload);
	});
}

/** A network error as a line: its code (ECONNREFUSED, ECONNRESET…) and what it says besides. */
const describeError = (error) =>
	!error.code || !error.message || error.message.includes(error.code)
		? (error.code ?? error.message)
		: `${error.code}: ${error.message}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const is2xx = (status) => status >= 200 && status < 300;

/**
 * The request bodies of a Streams send: the events in order, batchSize to a body, each with the
 * doc's envelope. moe_request_id ("moengage unique request id for each request") is derived from
 * the app and the batch's event_uuids, so the same batch always has the same ID: a retry or a
 * resend of it is the same request, byte for byte (the doc says "the entire batch is retried" and
 * nothing of a new ID).
 */
function streamsBatches(
	events,
	{ appName = DEFAULT_APP_NAME, batchSize = STREAMS_BATCH_SIZE } = {},
) {
	if (!Number.isInteger(batchSize) || batchSize < 1)
		throw new Error(`batchSize must be a whole number of at least 1, not ${batchSize}`);
	const batches = [];
	for (let start = 0; start < events.length; start += batchSize) {
		const slice = events.slice(start, start + batchSize);
		const ids = slice.map((event) => event.event_uuid).join('\n');
		batches.push({
			app_name: appName,
			source: 'MOENGAGE',
			moe_request_id: uuidFrom(`${appName}\n${ids}`),
			events: slice,
		});
	}
	return batches;
}

/**
 * A Streams sender for one endpoint, as MoEngage support configures it: the URL, Basic auth
 * (auth: {user, password}) and/or fixed headers (headers: the ticket's "Headers:" lines, which is
 * how the doc supports an API key or a static bearer token). OAuth 2.0 client credentials, which
 * MoEngage also offers, is not simulated: to a receiver it is a bearer token in a header, which
 * `headers` can send.
 *
 * Batches go one after another, in order, each with all its retries before the next starts
 * (concurrency 1, the default), or up to `concurrency` at once: the doc says nothing of either.
 * A batch is retried after "any non-2XX response"; a network error or no answer within timeoutMs
 * is a failure too (the doc names only responses: we assume MoEngage, having no 2XX, retries those
 * alike). Each wait runs from the end of the failed attempt (the doc's "intervals of 30, 60, and
 * 120 seconds" could also be read as times since the first attempt; it does not say). After the
 * last retry the batch is dropped: the doc says of a pause that data "cannot be replayed", and
 * names no replay of a batch that failed, so nothing replays it here.
 */
function createStreamsSender(options) {
	const {
		to,
		auth,
		headers: configured,
		appName = DEFAULT_APP_NAME,
		batchSize = STREAMS_BATCH_SIZE,
		retryDelaysMs = STREAMS_RETRY_DELAYS_MS,
		timeScale = 1,
		timeoutMs = MOENGAGE_TIMEOUT_MS,
		concurrency = 1,
		onAttempt,
	} = options;
	if (!to) throw new Error('createStreamsSender needs `to`, the endpoint URL');
	const headers = mergeHeaders(
		{
			'Content-Type': 'application/json',
			...(auth ? { Authorization: basicAuthorization(auth) } : {}),
		},
		configured,
	);

	/** One POST of one body; a string is sent as it is, an object as its JSON. */
	function sendBatch(batch) {
		const body = typeof batch === 'string' ? batch : JSON.stringify(batch);
		return request({ url: to, method: 'POST', headers, body, timeoutMs });
	}

	/** One batch through the retry schedule. */
	async function deliverOne(body, index, total, startedAt) {
		const { moe_request_id, events } = JSON.parse(body);
		const attempts = [];
		for (let attempt = 1; attempt <= retryDelaysMs.length + 1; attempt++) {
			const began = Date.now();
			let outcome;
			let answered;
			try {
				const answer = await sendBatch(body);
				outcome = { status: answer.status };
				answered = String(answer.body ?? '');
			} catch (error) {
				outcome = { error: describeError(error) };
			}
			const record = { attempt, ...outcome, ms: Date.now() - began, at: began - startedAt };
			attempts.push(record);
			const delivered = outcome.status !== undefined && is2xx(outcome.status);
			const retryInMs = delivered ? undefined : retryDelaysMs[attempt - 1];
			onAttempt?.({
				batch: index + 1,
				batches: total,
				moe_request_id,
				events: events.length,
				...record,
				...(answered === undefined ? {} : { answer: answered }),
				...(retryInMs === undefined ? {} : { retryInMs, waitMs: retryInMs * timeScale }),
			});
			if (delivered) return { moe_request_id, events: events.length, body, attempts, delivered };
			if (retryInMs === undefined) break;
			await sleep(retryInMs * timeScale);
		}
		return { moe_request_id, events: events.length, body, attempts, delivered: false };
	}

	/** Given batch bodies through the schedule; the report says what became of each. */
	async function deliver(batches) {
		const bodies = batches.map((batch) =>
			typeof batch === 'string' ? batch : JSON.stringify(batch),
		);
		const startedAt = Date.now();
		const results = new Array(bodies.length);
		let next = 0;
		const worker = async () => {
			while (next < bodies.length) {
				const index = next++;
				results[index] = await deliverOne(bodies[index], index, bodies.length, startedAt);
			}
		};
		await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
		const delivered = results.filter((batch) => batch.delivered);
		const count = (list) => list.reduce((sum, batch) => sum + batch.events, 0);
		return {
			batches: results,
			delivered: delivered.length,
			dropped: results.length - delivered.length,
			events: {
				total: count(results),
				delivered: count(delivered),
				dropped: count(results) - count(delivered),
			},
			ms: Date.now() - startedAt,
		};
	}

	return {
		headers,
		batches: (events) => streamsBatches(events, { appName, batchSize }),
		send: (events) => deliver(streamsBatches(events, { appName, batchSize })),
		deliver,
		sendBatch,
	};
}

/** `to` with the query pairs added after any it already has, as the campaign's URL Parameters field shows them. */
function withQuery(to, query) {
	const url = new URL(to);
	if (query === undefined) return url.toString();
	const pairs =
		typeof query === 'string'
			? new URLSearchParams(query)
			: Array.isArray(query)
				? query
				: Object.entries(query);
	for (const [name, value] of pairs) url.searchParams.append(name, String(value));
	return url.toString();
}

/**
 * One call of a connector campaign, as the campaign's Content step configures it: a method (GET,
 * POST, PUT or DELETE), URL parameters, headers and, for POST, PUT and DELETE only ("POST, PUT, and
 * DELETE Body Type"), a body of one of three types: Form ("form-encoded serialization", sent as
 * application/x-www-form-urlencoded), JSON (application/json) or Raw Body ("the raw text format":
 * the doc names no content type; text/plain is assumed unless the headers give one). `body` is
 * what the marketer wrote, personalisation already filled in: pairs for a form, an object or the
 * JSON text for JSON, the text for raw. The doc's only auth besides OAuth 2.0 is "a key-value pair
 * in the header"; `auth` ({user, password}) writes that pair as Basic.
 *
 * Resolves to {status, headers, body, sent}: `sent` is MoEngage's verdict, which counts only a 200
 * as Sent ("any status code other than "200", including "202 Accepted"" fails). A network error or
 * no answer within timeoutMs (MoEngage's 5 seconds) rejects.
 */
async function sendConnectorCall(options) {
	const {
		to,
		method = 'POST',
		bodyType = 'json',
		body,
		query,
		headers: configured,
		auth,
		timeoutMs = MOENGAGE_TIMEOUT_MS,
	} = options;
	if (!to) throw new Error('sendConnectorCall needs `to`, the Webhook URL');
	if (!CONNECTOR_METHODS.includes(method))
		throw new Error(
			`a connector campaign calls with ${CONNECTOR_METHODS.join(', ')}, not ${method}`,
		);
	if (!CONNECTOR_BODY_TYPES.includes(bodyType))
		throw new Error(`a connector body is ${CONNECTOR_BODY_TYPES.join(', ')}, not ${bodyType}`);
	if (method === 'GET' && body !== undefined)
		throw new Error('a connector campaign sends no body with GET');
	let payload;
	let contentType;
	if (body !== undefined) {
		if (bodyType === 'json') {
			payload = typeof body === 'string' ? body : JSON.stringify(body);
			contentType = 'application/json';
		} else if (bodyType === 'form') {
			const pairs =
				typeof body === 'string' ? new URLSearchParams(body) : Object.entries(body ?? {});
			payload = new URLSearchParams(
				[...pairs].map(([name, value]) => [name, String(value)]),
			).toString();
			contentType = 'application/x-www-form-urlencoded';
		} else {
			payload = String(body);
			contentType = 'text/plain';
		}
	}
	const headers = mergeHeaders(
		{
			...(contentType ? { 'Content-Type': contentType } : {}),
			...(auth ? { Authorization: basicAuthorization(auth) } : {}),
		},
		configured,
	);
	const answer = await request({
		url: withQuery(to, query),
		method,
		headers,
		body: payload,
		timeoutMs,
	});
	return { ...answer, sent: answer.status === 200 };
}

/** The alert doc's sample values, where its samples leave placeholders. */
const ALERT_TIMES = {
	alert_triggered_at: '2025-03-21T23:59:00Z',
	range_start: '2025-03-21T23:59:00Z',
	range_end: '2025-03-22T23:59:00Z',
};
const ALERT_SAMPLES = {
	CAMPAIGN_STATS: {
		alert_name: 'Delivery Rate Breach',
		criteria: { name: 'DELIVERY_RATE', operator: 'gt', threshold: 10, unit: 'percentage' },
	},
	FLOW_STATS: {
		alert_name: 'new alert for the flow commons',
		criteria: { name: 'TRIP_STARTED', operator: 'lt', threshold: 20, unit: 'count' },
	},
	CAMPAIGN_EXPIRY: {
		alert_name: 'Expiry Breach',
		criteria: { name: 'EXPIRY_DAYS', operator: 'lt', threshold: 7, unit: 'day' },
	},
	APNS_TOKEN_EXPIRY: {
		alert_name: 'Apns token Breach',
		criteria: { name: 'EXPIRY_DAYS', operator: 'lt', threshold: 7, unit: 'day' },
	},
	FACEBOOK_TOKEN_EXPIRY: {
		alert_name: 'fb token Breach',
		criteria: { name: 'EXPIRY_DAYS', operator: 'lt', threshold: 7, unit: 'day' },
	},
};

/**
 * A sample alert of each alert_type, shaped as the alert doc's samples, with its placeholders
 * ({{alert_id}}, {{db_name}}, the empty strings of entity_data.content) filled from the seed. Four
 * of the doc's six samples are not valid JSON (they open with "{ {"); these are the objects they
 * mean. `relative` makes the CAMPAIGN_STATS sample the doc's "Relative Threshold Alert (with
 * Moving Average)": moving_avg_range in the criteria, moving_avg_value in each entity. The token
 * expiry alerts carry no entity_data, as the doc says. The times are the doc's, as it gives them:
 * the alert fires at the start of its evaluation window, a day before the window ends.
 */
function alertPayload(alertType = 'CAMPAIGN_STATS', seed = 1, { relative = false } = {}) {
	const sample = ALERT_SAMPLES[alertType];
	if (!sample) throw new Error(`alert_type is one of ${ALERT_TYPES.join(', ')}, not ${alertType}`);
	const hex = (label, length = 24) =>
		uuidFrom(`${alertType}\n${seed}\n${label}`).replace(/-/g, '').slice(0, length);
	const payload = {
		alert_id: hex('alert'),
		alert_name: sample.alert_name,
		alert_type: alertType,
		db_name: 'ExampleWorkspace',
		alert_evaluation_frequency: { value: 1, unit: 'day' },
		alert_triggered_at: ALERT_TIMES.alert_triggered_at,
		alert_evaluation_criteria: {
			...sample.criteria,
			...(relative && alertType === 'CAMPAIGN_STATS'
				? { moving_avg_range: { value: 7, unit: 'day' } }
				: {}),
			range_start: ALERT_TIMES.range_start,
			range_end: ALERT_TIMES.range_end,
		},
	};
	if (alertType === 'APNS_TOKEN_EXPIRY' || alertType === 'FACEBOOK_TOKEN_EXPIRY') return payload;
	const content = [1, 2].map((n) => {
		const channel = n === 1 ? 'PUSH' : 'EMAIL';
		const campaign = {
			campaign_name: `Spring Sale ${channel} ${n}`,
			campaign_id: hex(`campaign ${n}`),
		};
		if (alertType === 'CAMPAIGN_EXPIRY')
			return { ...campaign, channel, delivery_type: 'PROMOTIONAL', expiry_in_days: 5 };
		const entity = {
			...campaign,
			flow_name: `Onboarding Flow ${n}`,
			flow_id: hex(`flow ${n}`),
			version_name: `Version ${n}`,
			channel,
			delivery_type: 'PROMOTIONAL',
			current_value: 70.5,
		};
		return relative && alertType === 'CAMPAIGN_STATS'
			? { ...entity, moving_avg_value: 10.9 }
			: entity;
	});
	return { ...payload, entity_data: { count: content.length, content } };
}

/**
 * The Signature header of an alert, under each reading of the alert doc: 'pipe' is its steps and
 * its Python sample, SHA-256 hex of `key + "|" + rawBody`; 'concat' is its prose, "a SHA-256 hash
 * of your API key concatenated with the raw request body", with nothing between; 'wrong' is a
 * well-formed signature made with another key; 'none' sends no header.
 */
function alertSignature(signing, key, rawBody) {
	const sha256 = (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');
	switch (signing) {
		case 'pipe':
			return sha256(`${key}|${rawBody}`);
		case 'concat':
			return sha256(`${key}${rawBody}`);
		case 'wrong':
			return sha256(`not-${key}|${rawBody}`);
		case 'none':
			return undefined;
		default:
			throw new Error(`signing is one of ${SIGNINGS.join(', ')}, not ${signing}`);
	}
}

/**
 * One alert webhook: a POST of the payload's JSON (compact, as the doc's Python sample signs it:
 * '{"alert_id":"",...}') with its Signature. `key` is the Campaign Report API key the doc signs
 * with. The doc says nothing of retries: one attempt. Resolves to {status, headers, body}, and
 * rejects on a network error or no answer within timeoutMs.
 */
async function sendAlert(options) {
	const {
		to,
		key,
		type = 'CAMPAIGN_STATS',
		payload = alertPayload(type),
		signing = 'pipe',
		headers: configured,
		timeoutMs = MOENGAGE_TIMEOUT_MS,
	} = options;
	if (!to) throw new Error('sendAlert needs `to`, the Webhook URL');
	if (signing !== 'none' && !key) throw new Error(`signing "${signing}" needs the key`);
	const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
	const signature = alertSignature(signing, key, body);
	const headers = mergeHeaders(
		{ 'Content-Type': 'application/json', ...(signature ? { Signature: signature } : {}) },
		configured,
	);
	return request({ url: to, method: 'POST', headers, body, timeoutMs });
}

module.exports = {
	streamEvents,
	streamsBatches,
	createStreamsSender,
	sendConnectorCall,
	alertPayload,
	alertSignature,
	sendAlert,
	STREAMS_BATCH_SIZE,
	STREAMS_RETRY_DELAYS_MS,
	MOENGAGE_TIMEOUT_MS,
	ALERT_TYPES,
};
