/**
 * The simulator's sending side must send what MoEngage sends, as MoEngage sends it, so that a
 * trigger proven against it behaves the same against MoEngage. "The Streams doc" is
 * `api/data/moengage-streams.mdx` in moengage/moengage-documentation; "the connector docs" are
 * `user-guide/campaigns-and-channels/connectors/create/create-a-connector-campaign.mdx` and
 * `.../connectors/connector-error-reference.mdx`; "the alert doc" is
 * `partner-guide/data-and-analytics/workflow-automation/webhook.mdx`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import {
	ALERT_TYPES,
	alertPayload,
	createStreamsSender,
	sendAlert,
	sendConnectorCall,
	streamEvents,
	type StreamsBatch,
} from '../simulator/streams';

type Received = {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: string;
	/** Date.now() when the whole request had arrived. */
	at: number;
};
/** A status to answer, 'hang' to never answer, or 'drop' to close the connection unanswered. */
type Reply = number | 'hang' | 'drop';

const receivers: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
	for (const receiver of receivers) await receiver.close();
});

/** A throwaway endpoint on 127.0.0.1: `reply(n)` says how to answer its n-th request (0-based). */
async function receiver(reply: (n: number) => Reply = () => 200) {
	const requests: Received[] = [];
	const server = http.createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const n = requests.length;
			requests.push({
				method: request.method ?? '',
				url: request.url ?? '',
				headers: request.headers,
				body: Buffer.concat(chunks).toString('utf8'),
				at: Date.now(),
			});
			const answer = reply(n);
			if (answer === 'drop') request.socket.destroy();
			else if (answer !== 'hang') {
				response.writeHead(answer, { 'Content-Type': 'application/json' });
				response.end(JSON.stringify({ received: n }));
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	const handle = {
		url: `http://127.0.0.1:${port}/moengage/streams`,
		requests,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
	receivers.push(handle);
	return handle;
}

/** The documented schedule, 30, 60 and 120 s, a thousand times faster. */
const FAST = { timeScale: 0.001 };
const bodies = (requests: Received[]) => requests.map((request) => request.body);
const parsed = (requests: Received[]) =>
	requests.map((request) => JSON.parse(request.body) as StreamsBatch);

describe('streamEvents: the events Streams sends', () => {
	it('makes the same events from the same seed, and others from another', () => {
		expect(streamEvents({ count: 50, seed: 3 })).toEqual(streamEvents({ count: 50, seed: 3 }));
		expect(streamEvents({ count: 50, seed: 4 })).not.toEqual(streamEvents({ count: 50, seed: 3 }));
		// A longer run starts with the shorter one.
		expect(streamEvents({ count: 80, seed: 3 }).slice(0, 50)).toEqual(
			streamEvents({ count: 50, seed: 3 }),
		);
	});

	it('gives every event a unique event_uuid, "for de-duplication"', () => {
		const uuids = streamEvents({ count: 2000 }).map((event) => event.event_uuid);
		expect(new Set(uuids).size).toBe(2000);
		for (const uuid of uuids)
			expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		// Another workspace's events never share one.
		const other = new Set(
			streamEvents({ count: 2000, appName: 'Other App' }).map((e) => e.event_uuid),
		);
		expect(uuids.filter((uuid) => other.has(uuid))).toEqual([]);
	});

	it('mixes campaign events of several channels, with the documented names and codes, and user actions', () => {
		const events = streamEvents({ count: 500 });
		const codes = new Set(events.map((event) => event.event_code));
		for (const code of [
			'MOE_EMAIL_CLICK',
			'SMS_DELIVERED',
			'NOTIFICATION_CLICKED_MOE',
			'n_i_s',
			'USER_ENTERED_FLOW',
		])
			expect(codes).toContain(code);
		const byCode = Object.fromEntries(events.map((event) => [event.event_code, event.event_name]));
		expect(byCode).toMatchObject({
			MOE_EMAIL_HARD_BOUNCE: 'Email Bounced',
			NOTIFICATION_CLEARED_MOE: 'Notification Swiped Android',
			MOE_IN_APP_DISMISSED: 'Mobile In-App Closed',
		});
		const types = new Set(events.map((event) => event.event_type));
		expect(types).toEqual(new Set(['CAMPAIGN_EVENT', 'USER_ACTION_EVENT']));
		const channels = new Set(events.map((event) => event.event_attributes.campaign_channel));
		expect([...channels]).toEqual(expect.arrayContaining(['Email', 'SMS', 'Push', 'Connector']));
	});

	it("shapes each event as the doc's sample, the recipient key only on its channel", () => {
		for (const event of streamEvents({ count: 300 })) {
			expect(event).toMatchObject({
				event_name: expect.any(String),
				event_code: expect.any(String),
				event_source: 'MOENGAGE',
				uid: expect.any(String),
				user_attributes: { moengage_user_id: expect.stringMatching(/^[0-9a-f]{24}$/) },
				device_attributes: { moengage_device_id: expect.stringMatching(/^[0-9a-f]{24}$/) },
			});
			// "Time of event in UTC (epoch time in seconds)".
			expect(Number.isInteger(event.event_time)).toBe(true);
			expect(event.event_time).toBeLessThan(10_000_000_000);
			// A control group event names a messaging channel, but nothing went to the user: no address.
			const code = event.event_code;
			expect('email_id' in event).toBe(code.startsWith('MOE_EMAIL_'));
			expect('mobile_number' in event).toBe(code.startsWith('SMS_'));
			expect('push_id' in event).toBe(code.startsWith('NOTIFICATION_') || code === 'n_i_s');
			if (event.event_type === 'CAMPAIGN_EVENT')
				expect(Object.keys(event.event_attributes)).toEqual(
					expect.arrayContaining([
						'campaign_id',
						'campaign_name',
						'campaign_type',
						'campaign_channel',
					]),
				);
		}
	});

	it('makes only the kinds the mix names', () => {
		const events = streamEvents({ count: 100, mix: { userAction: 1 } });
		expect(new Set(events.map((event) => event.event_type))).toEqual(
			new Set(['USER_ACTION_EVENT']),
		);
		expect(() => streamEvents({ mix: {} })).toThrow(/no kind/);
	});
});

describe('Streams: batches and their body', () => {
	it('sends 250 events as 3 POSTs of 100, 100 and 50, in order, in the documented envelope', async () => {
		const endpoint = await receiver();
		const events = streamEvents({ count: 250 });
		const report = await createStreamsSender({ to: endpoint.url, appName: 'Shop', ...FAST }).send(
			events,
		);

		expect(endpoint.requests.map((request) => request.method)).toEqual(['POST', 'POST', 'POST']);
		for (const request of endpoint.requests)
			expect(request.headers['content-type']).toBe('application/json');
		const sent = parsed(endpoint.requests);
		expect(sent.map((body) => body.events.length)).toEqual([100, 100, 50]);
		for (const body of sent) {
			expect(Object.keys(body)).toEqual(['app_name', 'source', 'moe_request_id', 'events']);
			expect(body).toMatchObject({ app_name: 'Shop', source: 'MOENGAGE' });
		}
		expect(new Set(sent.map((body) => body.moe_request_id)).size).toBe(3);
		expect(sent.flatMap((body) => body.events)).toEqual(events);
		expect(new Set(sent.flatMap((body) => body.events.map((e) => e.event_uuid))).size).toBe(250);

		expect(report).toMatchObject({
			delivered: 3,
			dropped: 0,
			events: { total: 250, delivered: 250, dropped: 0 },
		});
		expect(report.batches.map((batch) => batch.attempts.map((a) => a.status))).toEqual([
			[200],
			[200],
			[200],
		]);
	});

	it('counts any 2xx as delivered, not only 200', async () => {
		const endpoint = await receiver(() => 204);
		const report = await createStreamsSender({ to: endpoint.url, ...FAST }).send(
			streamEvents({ count: 10 }),
		);
		expect(report.batches[0]).toMatchObject({ delivered: true, attempts: [{ status: 204 }] });
	});
});

describe('Streams: "any non-2XX response" retries the entire batch, after 30, 60 and 120 seconds', () => {
	it('sends the identical body again after 500, 500, and stops at the 200, waiting 30 then 60 (scaled)', async () => {
		const endpoint = await receiver((n) => (n < 2 ? 500 : 200));
		const attempts: number[] = [];
		const timeScale = 0.005;
		const report = await createStreamsSender({
			to: endpoint.url,
			timeScale,
			onAttempt: (attempt) => attempts.push(attempt.attempt),
		}).send(streamEvents({ count: 40 }));

		expect(endpoint.requests).toHaveLength(3);
		const [first, ...again] = bodies(endpoint.requests);
		for (const body of again) expect(body).toBe(first);
		const [batch] = report.batches;
		expect(batch.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
		expect(batch.delivered).toBe(true);
		expect(attempts).toEqual([1, 2, 3]);
		// Each wait, from the end of a failed attempt to the next, is at least its delay × timeScale
		// (150 then 300 ms here); only lower bounds, as timers may fire late but never early.
		const waits = [1, 2].map(
			(n) => batch.attempts[n].at - (batch.attempts[n - 1].at + batch.attempts[n - 1].ms),
		);
		expect(waits[0]).toBeGreaterThanOrEqual(30_000 * timeScale - 2);
		expect(waits[1]).toBeGreaterThanOrEqual(60_000 * timeScale - 2);
		const [a, b, c] = endpoint.requests.map((request) => request.at);
		expect(c - b).toBeGreaterThan(b - a);
	});

	it('gives up after the third retry: 4 attempts to an endpoint that always answers 503, the batch dropped', async () => {
		const endpoint = await receiver(() => 503);
		const waits: Array<number | undefined> = [];
		const report = await createStreamsSender({
			to: endpoint.url,
			...FAST,
			onAttempt: (attempt) => waits.push(attempt.retryInMs),
		}).send(streamEvents({ count: 5 }));

		expect(endpoint.requests).toHaveLength(4);
		expect(new Set(bodies(endpoint.requests)).size).toBe(1);
		expect(waits).toEqual([30_000, 60_000, 120_000, undefined]);
		expect(report).toMatchObject({ delivered: 0, dropped: 1, events: { dropped: 5 } });
		expect(report.batches[0].delivered).toBe(false);
	});

	it('retries each batch on its own: a failing batch does not resend the ones delivered', async () => {
		// The second request (the second batch's first attempt) fails once.
		const endpoint = await receiver((n) => (n === 1 ? 500 : 200));
		const report = await createStreamsSender({ to: endpoint.url, batchSize: 10, ...FAST }).send(
			streamEvents({ count: 30 }),
		);
		const ids = parsed(endpoint.requests).map((body) => body.moe_request_id);
		const [one, two, three] = report.batches.map((batch) => batch.moe_request_id);
		expect(ids).toEqual([one, two, two, three]);
	});

	it('retries after a dropped connection, and after no answer within timeoutMs', async () => {
		const dropping = await receiver((n) => (n === 0 ? 'drop' : 200));
		const afterDrop = await createStreamsSender({ to: dropping.url, ...FAST }).send(
			streamEvents({ count: 5 }),
		);
		expect(afterDrop.batches[0].attempts).toEqual([
			expect.objectContaining({ error: expect.any(String) }),
			expect.objectContaining({ status: 200 }),
		]);

		const hanging = await receiver((n) => (n === 0 ? 'hang' : 200));
		const afterHang = await createStreamsSender({
			to: hanging.url,
			timeoutMs: 150,
			...FAST,
		}).send(streamEvents({ count: 5 }));
		expect(afterHang.batches[0].attempts).toEqual([
			expect.objectContaining({ error: 'no answer within 150 ms' }),
			expect.objectContaining({ status: 200 }),
		]);
		expect(afterHang.batches[0].attempts[0].ms).toBeGreaterThanOrEqual(140);
		expect(hanging.requests[1].body).toBe(hanging.requests[0].body);
	});

	it('retries when nothing listens, and reports the batch dropped', async () => {
		const gone = await receiver();
		await gone.close();
		const report = await createStreamsSender({ to: gone.url, ...FAST }).send(
			streamEvents({ count: 3 }),
		);
		expect(report.batches[0].attempts.map((attempt) => attempt.error)).toEqual([
			expect.stringMatching(/ECONNREFUSED/),
			expect.stringMatching(/ECONNREFUSED/),
			expect.stringMatching(/ECONNREFUSED/),
			expect.stringMatching(/ECONNREFUSED/),
		]);
		expect(report.dropped).toBe(1);
	});
});

describe('Streams: authentication towards the receiver', () => {
	it('sends Basic auth with the configured user and password', async () => {
		const endpoint = await receiver();
		await createStreamsSender({
			to: endpoint.url,
			auth: { user: 'moe', password: 's3cret:with colon' },
		}).send(streamEvents({ count: 2 }));
		const expected = Buffer.from('moe:s3cret:with colon').toString('base64');
		expect(endpoint.requests[0].headers.authorization).toBe(`Basic ${expected}`);
	});

	it('sends fixed headers, such as an API key, on every attempt', async () => {
		const endpoint = await receiver((n) => (n === 0 ? 401 : 200));
		await createStreamsSender({
			to: endpoint.url,
			headers: { 'X-Api-Key': 'key-123', Authorization: 'Bearer static-token' },
			...FAST,
		}).send(streamEvents({ count: 2 }));
		for (const request of endpoint.requests) {
			expect(request.headers['x-api-key']).toBe('key-123');
			expect(request.headers.authorization).toBe('Bearer static-token');
		}
		expect(endpoint.requests).toHaveLength(2);
	});

	it('sends no Authorization header with no auth', async () => {
		const endpoint = await receiver();
		await createStreamsSender({ to: endpoint.url }).send(streamEvents({ count: 2 }));
		expect(endpoint.requests[0].headers.authorization).toBeUndefined();
	});
});

describe('Streams: sendBatch, to resend a batch as MoEngage would', () => {
	it('sends a reported batch again byte for byte, the same moe_request_id and event_uuids', async () => {
		const endpoint = await receiver();
		const sender = createStreamsSender({ to: endpoint.url });
		const report = await sender.send(streamEvents({ count: 120 }));
		const answer = await sender.sendBatch(report.batches[1].body);

		expect(answer.status).toBe(200);
		expect(JSON.parse(answer.body)).toEqual({ received: 2 });
		expect(endpoint.requests[2].body).toBe(endpoint.requests[1].body);
		// A batch object is sent as the same bytes as its report's body.
		await sender.sendBatch(sender.batches(streamEvents({ count: 120 }))[1]);
		expect(endpoint.requests[3].body).toBe(endpoint.requests[1].body);
	});

	it('delivers the same batches again with deliver(), each with the retry schedule', async () => {
		const endpoint = await receiver();
		const sender = createStreamsSender({ to: endpoint.url, batchSize: 50 });
		const batches = sender.batches(streamEvents({ count: 100 }));
		await sender.deliver(batches);
		await sender.deliver(batches);
		const sent = bodies(endpoint.requests);
		expect(sent.slice(2)).toEqual(sent.slice(0, 2));
	});
});

describe('Connector campaigns: one call as the campaign configures it', () => {
	it("POSTs a JSON body as application/json, with the URL parameters after the URL's own", async () => {
		const endpoint = await receiver();
		const answer = await sendConnectorCall({
			to: `${endpoint.url}?source=moengage`,
			body: { uid: 'cust-00001', plan: 'premium' },
			query: { campaign: 'Spring Sale', n: 2 },
		});
		const [request] = endpoint.requests;
		expect(request.method).toBe('POST');
		expect(request.headers['content-type']).toBe('application/json');
		expect(JSON.parse(request.body)).toEqual({ uid: 'cust-00001', plan: 'premium' });
		expect(new URL(request.url, 'http://x').searchParams.toString()).toBe(
			'source=moengage&campaign=Spring+Sale&n=2',
		);
		expect(answer).toMatchObject({ status: 200, sent: true });
	});

	it('PUTs a form body as application/x-www-form-urlencoded', async () => {
		const endpoint = await receiver();
		await sendConnectorCall({
			to: endpoint.url,
			method: 'PUT',
			bodyType: 'form',
			body: { name: 'Asha Rao', city: 'São Paulo' },
		});
		const [request] = endpoint.requests;
		expect(request.method).toBe('PUT');
		expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
		expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
			name: 'Asha Rao',
			city: 'São Paulo',
		});
	});

	it('sends a raw body as text/plain, or as the content type the headers give', async () => {
		const endpoint = await receiver();
		await sendConnectorCall({
			to: endpoint.url,
			method: 'DELETE',
			bodyType: 'raw',
			body: 'hello @user',
		});
		await sendConnectorCall({
			to: endpoint.url,
			bodyType: 'raw',
			body: '<user id="1"/>',
			headers: { 'content-type': 'application/xml' },
		});
		expect(endpoint.requests.map((r) => [r.method, r.headers['content-type'], r.body])).toEqual([
			['DELETE', 'text/plain', 'hello @user'],
			['POST', 'application/xml', '<user id="1"/>'],
		]);
	});

	it('GETs with the query only, and refuses a body with GET', async () => {
		const endpoint = await receiver();
		await sendConnectorCall({ to: endpoint.url, method: 'GET', query: 'uid=cust-00001' });
		const [request] = endpoint.requests;
		expect(request).toMatchObject({ method: 'GET', body: '' });
		expect(request.headers['content-type']).toBeUndefined();
		expect(request.url).toMatch(/\?uid=cust-00001$/);
		await expect(sendConnectorCall({ to: endpoint.url, method: 'GET', body: 'x' })).rejects.toThrow(
			/no body with GET/,
		);
	});

	it('sends fixed headers and Basic auth', async () => {
		const endpoint = await receiver();
		await sendConnectorCall({
			to: endpoint.url,
			body: {},
			headers: { 'X-Api-Key': 'k1' },
			auth: { user: 'u', password: 'p' },
		});
		expect(endpoint.requests[0].headers).toMatchObject({
			'x-api-key': 'k1',
			authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
		});
	});

	it('counts only a 200 as Sent: a 202 is a failure to MoEngage', async () => {
		const endpoint = await receiver(() => 202);
		const answer = await sendConnectorCall({ to: endpoint.url, body: {} });
		expect(answer).toMatchObject({ status: 202, sent: false });
	});

	it('gives up after the timeout ("MoEngage waits up to 5 seconds"; shortened here)', async () => {
		const endpoint = await receiver(() => 'hang');
		await expect(sendConnectorCall({ to: endpoint.url, body: {}, timeoutMs: 100 })).rejects.toThrow(
			'no answer within 100 ms',
		);
	});
});

describe('Alert webhooks: a signed POST of the alert', () => {
	const KEY = 'campaign-report-key';
	const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

	it('signs key + "|" + raw body (the doc\'s steps) with pipe, and key + raw body (its prose) with concat', async () => {
		const endpoint = await receiver();
		await sendAlert({ to: endpoint.url, key: KEY, signing: 'pipe' });
		await sendAlert({ to: endpoint.url, key: KEY, signing: 'concat', type: 'FLOW_STATS' });
		const [pipe, concat] = endpoint.requests;
		expect(pipe.headers['content-type']).toBe('application/json');
		expect(pipe.headers.signature).toBe(sha256(`${KEY}|${pipe.body}`));
		expect(concat.headers.signature).toBe(sha256(`${KEY}${concat.body}`));
		expect(JSON.parse(concat.body).alert_type).toBe('FLOW_STATS');
	});

	it('sends a signature that verifies under neither reading with wrong, and none with none', async () => {
		const endpoint = await receiver();
		await sendAlert({ to: endpoint.url, key: KEY, signing: 'wrong' });
		await sendAlert({ to: endpoint.url, signing: 'none' });
		const [wrong, none] = endpoint.requests;
		expect(wrong.headers.signature).toMatch(/^[0-9a-f]{64}$/);
		expect(wrong.headers.signature).not.toBe(sha256(`${KEY}|${wrong.body}`));
		expect(wrong.headers.signature).not.toBe(sha256(`${KEY}${wrong.body}`));
		expect(none.headers.signature).toBeUndefined();
	});

	it("sends the payload compact, as the doc's Python sample signs it", async () => {
		const endpoint = await receiver();
		const payload = alertPayload('CAMPAIGN_EXPIRY', 2);
		await sendAlert({ to: endpoint.url, key: KEY, payload });
		expect(endpoint.requests[0].body).toBe(JSON.stringify(payload));
	});

	it('has a sample of each alert_type, the token expiry ones without entity_data', () => {
		for (const type of ALERT_TYPES) {
			const payload = alertPayload(type);
			expect(payload).toMatchObject({
				alert_id: expect.stringMatching(/^[0-9a-f]{24}$/),
				alert_type: type,
				alert_evaluation_frequency: { value: 1, unit: 'day' },
				alert_evaluation_criteria: {
					range_start: expect.any(String),
					range_end: expect.any(String),
				},
			});
			const tokenExpiry = type === 'APNS_TOKEN_EXPIRY' || type === 'FACEBOOK_TOKEN_EXPIRY';
			expect('entity_data' in payload).toBe(!tokenExpiry);
			if (payload.entity_data)
				expect(payload.entity_data.count).toBe(payload.entity_data.content.length);
		}
		expect(alertPayload('CAMPAIGN_EXPIRY').entity_data?.content[0]).toHaveProperty(
			'expiry_in_days',
		);
		const relative = alertPayload('CAMPAIGN_STATS', 1, { relative: true });
		expect(relative.alert_evaluation_criteria.moving_avg_range).toEqual({ value: 7, unit: 'day' });
		expect(relative.entity_data?.content[0].moving_avg_value).toEqual(expect.any(Number));
		expect(alertPayload('CAMPAIGN_STATS', 2).alert_id).not.toBe(
			alertPayload('CAMPAIGN_STATS', 1).alert_id,
		);
	});
});

describe('the CLI', () => {
	const CLI = path.join(__dirname, '..', 'simulator', 'cli.js');
	const run = (args: string[]) =>
		new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
			execFile(process.execPath, [CLI, ...args], (error, stdout, stderr) =>
				resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
			);
		});

	it('streams: sends the batches, prints each attempt and a summary, exits 0 and prints no password', async () => {
		const endpoint = await receiver((n) => (n === 0 ? 500 : 200));
		const { code, stdout, stderr } = await run([
			'streams',
			'--to',
			endpoint.url,
			'--events',
			'150',
			'--user',
			'moe',
			'--password',
			'hunter2-secret',
			'--header',
			'X-Api-Key: key-value-secret',
			'--time-scale',
			'0.001',
		]);
		expect(code).toBe(0);
		expect(stdout + stderr).not.toMatch(/hunter2-secret|key-value-secret/);
		expect(stdout).toMatch(/attempt 1: 500 .*retry in 30 s/);
		expect(stdout).toMatch(
			/2 batches: 2 delivered, 0 dropped; 150 events: 150 delivered, 0 dropped/,
		);
		expect(endpoint.requests).toHaveLength(3);
		expect(endpoint.requests[0].headers['x-api-key']).toBe('key-value-secret');
	});

	it('streams --repeat 2: sends the very same batches twice', async () => {
		const endpoint = await receiver();
		const { code } = await run([
			'streams',
			'--to',
			endpoint.url,
			'--events',
			'30',
			'--batch-size',
			'20',
			'--repeat',
			'2',
		]);
		expect(code).toBe(0);
		const sent = bodies(endpoint.requests);
		expect(sent).toHaveLength(4);
		expect(sent.slice(2)).toEqual(sent.slice(0, 2));
	});

	it('streams: exits 1 when a batch is dropped', async () => {
		const endpoint = await receiver(() => 503);
		const { code, stdout } = await run([
			'streams',
			'--to',
			endpoint.url,
			'--events',
			'5',
			'--time-scale',
			'0.0001',
		]);
		expect(code).toBe(1);
		expect(stdout).toMatch(/attempt 4: 503 .*dropped/);
	});

	it('connector and alert: one call each, the key never printed', async () => {
		const endpoint = await receiver();
		const connector = await run([
			'connector',
			'--to',
			endpoint.url,
			'--body-type',
			'form',
			'--body',
			'a=1&b=2',
			'--query',
			'x=1',
		]);
		expect(connector.code).toBe(0);
		expect(endpoint.requests[0]).toMatchObject({ body: 'a=1&b=2' });
		expect(endpoint.requests[0].url).toMatch(/\?x=1$/);

		const alert = await run([
			'alert',
			'--to',
			endpoint.url,
			'--key',
			'report-key-secret',
			'--type',
			'FLOW_STATS',
		]);
		expect(alert.code).toBe(0);
		expect(alert.stdout + alert.stderr).not.toContain('report-key-secret');
		const signed = endpoint.requests[1];
		expect(signed.headers.signature).toBe(
			createHash('sha256').update(`report-key-secret|${signed.body}`).digest('hex'),
		);
	});
});
