/**
 * The MoEngage Trigger's webhook, one call at a time, as MoEngage makes them. Expectations come
 * from MoEngage's documentation (docs/moengage-api.md#streams, #connector-campaigns,
 * #alert-webhooks) and from n8n's own Webhook node (how it refuses a call), or from what a user
 * sees: which items start the workflow, and what MoEngage is answered.
 */
import { createHash } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import { CAMPAIGN_EVENTS } from '../nodes/MoEngageTrigger/events';
import { asJson, callTrigger, streamsBatch, type Call } from './support/webhook';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { streamEvents, alertPayload } = require('../simulator/streams');

let workflows = 0;
/** A trigger that has seen nothing yet: each test gets its own memory. */
const freshWorkflow = () => `workflow-${++workflows}`;

const events = (count: number, seed = 1): IDataObject[] => streamEvents({ count, seed });
const uuids = (items: IDataObject[] | undefined) => (items ?? []).map((item) => item.event_uuid);

const BASIC = { user: 'moengage', password: 'streams-password-7f3a' };
const basicHeader = (user: string, password: string) =>
	`Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function streams(batch: object, call: Partial<Call> = {}) {
	return await callTrigger({
		workflowId: call.workflowId ?? freshWorkflow(),
		...asJson(batch),
		...call,
		headers: { ...asJson(batch).headers, ...call.headers },
		parameters: { source: 'streams', ...call.parameters },
	});
}

describe('Streams: each new event becomes one item, and MoEngage gets its 200', () => {
	it('turns a batch of 100 events into 100 items, each with its own fields at the top and the batch’s app_name and moe_request_id', async () => {
		const sent = events(100);
		const outcome = await streams(streamsBatch(sent, 'req-100'));

		expect(outcome.status).toBe(200);
		expect(outcome.body).toEqual({ events: 100, new: 100, repeated: 0, filteredOut: 0 });
		expect(outcome.items).toHaveLength(100);
		expect(outcome.items).toEqual(
			sent.map((event) => ({ ...event, app_name: 'App Name', moe_request_id: 'req-100' })),
		);
	});

	it('starts no execution for a batch MoEngage resends (after a lost answer): every event is already in', async () => {
		const workflowId = freshWorkflow();
		const batch = streamsBatch(events(100));
		await streams(batch, { workflowId });

		const resent = await streams(batch, { workflowId });

		expect(resent.status).toBe(200);
		expect(resent.items).toBeUndefined();
		expect(resent.body).toEqual({ events: 100, new: 0, repeated: 100, filteredOut: 0 });
	});

	it('lets through only the new events of a batch that overlaps one already received', async () => {
		const workflowId = freshWorkflow();
		const all = events(150);
		await streams(streamsBatch(all.slice(0, 100)), { workflowId });

		const overlapping = await streams(streamsBatch(all.slice(50, 150)), { workflowId });

		expect(uuids(overlapping.items)).toEqual(uuids(all.slice(100, 150)));
		expect(overlapping.body).toMatchObject({ new: 50, repeated: 50 });
	});

	it('starts an event named twice in one batch once', async () => {
		const [first, second] = events(2);
		const outcome = await streams(streamsBatch([first, second, { ...first }]));

		expect(uuids(outcome.items)).toEqual([first.event_uuid, second.event_uuid]);
	});

	it('keeps an event without an event_uuid (nothing to recognise it by), every time it comes', async () => {
		const workflowId = freshWorkflow();
		const { event_uuid: _none, ...anonymous } = events(1)[0];
		const batch = streamsBatch([anonymous]);

		expect((await streams(batch, { workflowId })).items).toHaveLength(1);
		expect((await streams(batch, { workflowId })).items).toHaveLength(1);
	});

	it('remembers per trigger: another workflow gets the same batch as new', async () => {
		const batch = streamsBatch(events(10));
		await streams(batch);

		expect((await streams(batch)).items).toHaveLength(10);
	});

	it('keeps test calls (Listen for test event) apart from production: a test batch does not hide the real one', async () => {
		const workflowId = freshWorkflow();
		const batch = streamsBatch(events(10));
		await streams(batch, { workflowId, mode: 'manual' });

		expect((await streams(batch, { workflowId, mode: 'webhook' })).items).toHaveLength(10);
	});

	it('starts nothing for an empty batch, and answers 200', async () => {
		const outcome = await streams(streamsBatch([]));

		expect(outcome.status).toBe(200);
		expect(outcome.items).toBeUndefined();
	});

	it('reads a batch sent as text/plain (a proxy that rewrites the content type)', async () => {
		const sent = events(3);
		const outcome = await callTrigger({
			workflowId: freshWorkflow(),
			parameters: { source: 'streams' },
			raw: JSON.stringify(streamsBatch(sent)),
			headers: { 'content-type': 'text/plain' },
			body: JSON.stringify(streamsBatch(sent)),
		});

		expect(uuids(outcome.items)).toEqual(uuids(sent));
	});
});

describe('Streams: a body that is not a batch gets 400, says what was expected, and starts nothing', () => {
	it.each([
		['an object without events', { hello: 'world' }, 'whose "events" is missing'],
		['events that is not an array', { events: { a: 1 } }, 'whose "events" is an object'],
		[
			'an event that is not an object',
			{ events: [{ event_uuid: 'a' }, 'oops'] },
			'events[1] is text',
		],
		['an array', [{ event_uuid: 'a' }], 'got an array'],
	])('%s', async (_, body, detail) => {
		const outcome = await streams(body);

		expect(outcome.status).toBe(400);
		expect(outcome.items).toBeUndefined();
		const { message } = outcome.body as { message: string };
		expect(message).toContain('Expected a MoEngage Streams batch');
		expect(message).toContain(detail);
	});

	it('an empty body', async () => {
		const outcome = await callTrigger({
			workflowId: freshWorkflow(),
			parameters: { source: 'streams' },
			raw: '',
			body: {},
		});

		expect(outcome.status).toBe(400);
		expect((outcome.body as { message: string }).message).toContain('got an empty body');
	});
});

describe('Streams: filters choose which events start the workflow', () => {
	const mixed = events(400, 7);
	const batch = streamsBatch(mixed);
	const where = (test: (event: IDataObject) => boolean) => uuids(mixed.filter(test));

	it('has every kind of event the filters are tested on', () => {
		const types = new Set(mixed.map((event) => event.event_type));
		expect(types).toEqual(new Set(['CAMPAIGN_EVENT', 'USER_ACTION_EVENT']));
		expect(mixed.some((event) => event.event_code === 'MOE_EMAIL_HARD_BOUNCE')).toBe(true);
	});

	it('Event Types → Campaign Events: only CAMPAIGN_EVENTs', async () => {
		const outcome = await streams(batch, { parameters: { eventTypes: ['campaign'] } });

		expect(uuids(outcome.items)).toEqual(where((event) => event.event_type === 'CAMPAIGN_EVENT'));
		expect(outcome.body).toMatchObject({ filteredOut: 400 - outcome.items!.length });
	});

	it('Event Types → User Action Events: only USER_ACTION_EVENTs', async () => {
		const outcome = await streams(batch, { parameters: { eventTypes: ['userAction'] } });

		expect(uuids(outcome.items)).toEqual(
			where((event) => event.event_type === 'USER_ACTION_EVENT'),
		);
	});

	it('Campaign Events → Email Bounced and Email Soft Bounced: only those two codes', async () => {
		const outcome = await streams(batch, {
			parameters: { campaignEvents: ['MOE_EMAIL_HARD_BOUNCE', 'MOE_EMAIL_SOFT_BOUNCE'] },
		});

		const expected = where((event) =>
			['MOE_EMAIL_HARD_BOUNCE', 'MOE_EMAIL_SOFT_BOUNCE'].includes(event.event_code as string),
		);
		expect(expected.length).toBeGreaterThan(0);
		expect(uuids(outcome.items)).toEqual(expected);
	});

	it('Campaign Events → Connector Sent also takes the Data Export Glossary’s code for it, WEBHOOK_SENT, and the display name', async () => {
		const base = events(1)[0];
		const glossary = { ...base, event_uuid: 'e-1', event_code: 'WEBHOOK_SENT', event_name: 'x' };
		const byName = { ...base, event_uuid: 'e-2', event_code: '123', event_name: 'Connector Sent' };
		const other = {
			...base,
			event_uuid: 'e-3',
			event_code: 'MOE_EMAIL_OPEN',
			event_name: 'Email Opened',
		};

		const outcome = await streams(streamsBatch([glossary, byName, other]), {
			parameters: { campaignEvents: ['MOE_CONNECTOR_SENT'] },
		});

		expect(uuids(outcome.items)).toEqual(['e-1', 'e-2']);
	});

	it('Other Event Names or Codes: typed names and codes, in any case, with spaces around commas', async () => {
		const purchases = mixed.filter((event) => event.event_name === 'Purchase');
		expect(purchases.length).toBeGreaterThan(0);

		const outcome = await streams(batch, {
			parameters: { otherEvents: ' purchase ,moe_email_open' },
		});

		expect(uuids(outcome.items)).toEqual(
			where((event) => event.event_name === 'Purchase' || event.event_code === 'MOE_EMAIL_OPEN'),
		);
	});

	it('Event Types and names together: both must hold', async () => {
		const outcome = await streams(batch, {
			parameters: { eventTypes: ['userAction'], otherEvents: 'Purchase, MOE_EMAIL_OPEN' },
		});

		expect(uuids(outcome.items)).toEqual(where((event) => event.event_name === 'Purchase'));
	});

	it('Event Types → Other Types: the glossary’s LIFECYCLE and the like, not campaign or user action events', async () => {
		const [base] = events(1);
		const lifecycle = { ...base, event_uuid: 'l-1', event_type: 'LIFECYCLE' };
		const campaignActivity = { ...base, event_uuid: 'c-1', event_type: 'CAMPAIGN_ACTIVITY' };

		const other = await streams(streamsBatch([lifecycle, campaignActivity]), {
			parameters: { eventTypes: ['other'] },
		});
		const campaign = await streams(streamsBatch([lifecycle, campaignActivity]), {
			parameters: { eventTypes: ['campaign'] },
		});

		expect(uuids(other.items)).toEqual(['l-1']);
		expect(uuids(campaign.items)).toEqual(['c-1']);
	});

	it('a filtered-out event resent later, once the filter takes it, still starts the workflow', async () => {
		const workflowId = freshWorkflow();
		await streams(batch, { workflowId, parameters: { eventTypes: ['userAction'] } });

		const widened = await streams(batch, { workflowId, parameters: { eventTypes: [] } });

		expect(widened.items).toHaveLength(
			mixed.filter((event) => event.event_type !== 'USER_ACTION_EVENT').length,
		);
	});

	it('offers the 33 campaign events of the Streams page, each by its documented code', () => {
		expect(CAMPAIGN_EVENTS).toHaveLength(33);
		expect(CAMPAIGN_EVENTS.find((event) => event.name === 'Email Bounced')?.code).toBe(
			'MOE_EMAIL_HARD_BOUNCE',
		);
		expect(new Set(CAMPAIGN_EVENTS.map((event) => event.code)).size).toBe(33);
	});
});

describe('Authentication, as n8n’s Webhook node checks it', () => {
	const basicAuth = {
		parameters: { authentication: 'basicAuth' },
		credentials: { moEngageWebhookBasicAuthApi: BASIC },
	};
	const batch = streamsBatch(events(5));

	it('Basic Auth: the right user and password pass', async () => {
		const outcome = await streams(batch, {
			...basicAuth,
			headers: { authorization: basicHeader(BASIC.user, BASIC.password) },
		});

		expect(outcome.items).toHaveLength(5);
	});

	it.each([
		['no Authorization header', undefined],
		['a wrong password', basicHeader(BASIC.user, 'streams-password-7f3b')],
		['a wrong user', basicHeader('someone', BASIC.password)],
		['a Bearer token', 'Bearer abc'],
		['garbage', 'Basic %%%'],
	])('Basic Auth: %s gets 401 with a Basic challenge, and starts nothing', async (_, header) => {
		const outcome = await streams(batch, {
			...basicAuth,
			headers: header ? { authorization: header } : {},
		});

		expect(outcome.status).toBe(401);
		expect(outcome.headers['www-authenticate']).toMatch(/^Basic realm=/);
		expect(outcome.items).toBeUndefined();
		expect(JSON.stringify(outcome.body)).not.toContain(BASIC.password);
	});

	const headerAuth = {
		parameters: { authentication: 'headerAuth' },
		credentials: { moEngageWebhookHeaderAuthApi: { name: 'X-Api-Key', secret: 'k-91c2' } },
	};

	it('Header Auth: the header, in any case of its name, passes', async () => {
		const outcome = await streams(batch, { ...headerAuth, headers: { 'x-api-key': 'k-91c2' } });

		expect(outcome.items).toHaveLength(5);
	});

	it.each([
		['a missing header', {}],
		['a wrong value', { 'X-Api-Key': 'k-91c3' }],
		['the value in another header', { 'X-Other': 'k-91c2' }],
	])('Header Auth: %s gets 403 and starts nothing', async (_, headers) => {
		const outcome = await streams(batch, { ...headerAuth, headers });

		expect(outcome.status).toBe(403);
		expect(outcome.items).toBeUndefined();
		expect(JSON.stringify(outcome.body)).not.toContain('k-91c2');
	});

	it('a refused batch is not remembered: once MoEngage has the right password, its retry starts the events', async () => {
		const workflowId = freshWorkflow();
		await streams(batch, { ...basicAuth, workflowId, headers: { authorization: 'Basic eDp5' } });

		const retried = await streams(batch, {
			...basicAuth,
			workflowId,
			headers: { authorization: basicHeader(BASIC.user, BASIC.password) },
		});

		expect(retried.items).toHaveLength(5);
	});
});

describe('Connector Campaign: the call, whatever the marketer wrote, as one item', () => {
	const connector = (call: Partial<Call>) =>
		callTrigger({
			workflowId: freshWorkflow(),
			...call,
			parameters: { source: 'connector', ...call.parameters },
		});

	it('a JSON body and query parameters', async () => {
		const outcome = await connector({
			...asJson({ email: 'ana@example.com', event: 'bounced', attempts: 2 }),
			query: { campaign: 'welcome' },
		});

		expect(outcome.status).toBe(200);
		expect(outcome.items).toEqual([
			{
				method: 'POST',
				query: { campaign: 'welcome' },
				body: { email: 'ana@example.com', event: 'bounced', attempts: 2 },
				headers: { 'content-type': 'application/json' },
			},
		]);
	});

	it('a form body, as n8n parses it', async () => {
		const outcome = await connector({
			raw: 'email=ana%40example.com&plan=gold',
			body: { email: 'ana@example.com', plan: 'gold' },
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
		});

		expect(outcome.items?.[0].body).toEqual({ email: 'ana@example.com', plan: 'gold' });
	});

	it('a raw body, as its text', async () => {
		const outcome = await connector({
			raw: 'user ana@example.com bounced',
			body: {},
			headers: { 'content-type': 'text/plain' },
		});

		expect(outcome.items?.[0].body).toBe('user ana@example.com bounced');
	});

	it('a JSON array body, and an empty JSON object, as they were sent', async () => {
		const array = await connector(
			asJson([{ email: 'ana@example.com' }, { email: 'bo@example.com' }]),
		);
		const empty = await connector({ ...asJson({}), body: {} });

		expect(array.items?.[0].body).toEqual([
			{ email: 'ana@example.com' },
			{ email: 'bo@example.com' },
		]);
		expect(empty.items?.[0].body).toEqual({});
	});

	it('a GET with only query parameters', async () => {
		const outcome = await connector({
			method: 'GET',
			parameters: { httpMethod: 'GET' },
			query: { uid: 'cust-00001' },
			raw: '',
			body: {},
			headers: {},
		});

		expect(outcome.items).toEqual([
			{ method: 'GET', query: { uid: 'cust-00001' }, body: {}, headers: {} },
		]);
	});

	it('keeps the secrets MoEngage sends out of the item: Authorization, cookies and the Header Auth header', async () => {
		const outcome = await connector({
			...asJson({ a: 1 }),
			parameters: { authentication: 'headerAuth' },
			credentials: { moEngageWebhookHeaderAuthApi: { name: ' X-Api-Key ', secret: 'k-1' } },
			headers: {
				'content-type': 'application/json',
				'x-api-key': 'k-1',
				cookie: 'session=1',
				'x-campaign': 'welcome',
			},
		});

		expect(outcome.items?.[0].headers).toEqual({
			'content-type': 'application/json',
			'x-campaign': 'welcome',
		});
	});

	it('refuses a call without the Basic auth, like Streams', async () => {
		const outcome = await connector({
			...asJson({ a: 1 }),
			parameters: { authentication: 'basicAuth' },
			credentials: { moEngageWebhookBasicAuthApi: BASIC },
		});

		expect(outcome.status).toBe(401);
		expect(outcome.items).toBeUndefined();
	});

	it('answers 200 (MoEngage counts nothing else, 202 included, as delivered)', async () => {
		expect((await connector(asJson({}))).status).toBe(200);
	});
});

describe('Alert Webhook: signed with the Campaign Report API key', () => {
	const KEY = 'campaign-report-key-2b7e';
	const alert = alertPayload('CAMPAIGN_STATS', 1);
	// Spaced as MoEngage might send it: the signature is over these bytes, not over a re-serialisation.
	const raw = JSON.stringify(alert, null, 2);
	const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
	const call = (signature?: string) =>
		callTrigger({
			workflowId: freshWorkflow(),
			parameters: { source: 'alert' },
			credentials: { moEngageCampaignReportApi: { apiKey: KEY } },
			raw,
			headers: {
				'content-type': 'application/json',
				...(signature === undefined ? {} : { signature }),
			},
		});

	it('the documented steps’ signature, sha256(key + "|" + raw body), starts the workflow with the alert', async () => {
		const outcome = await call(sha256(`${KEY}|${raw}`));

		expect(outcome.status).toBe(200);
		expect(outcome.items).toEqual([alert]);
	});

	it('the prose’s reading, sha256(key + raw body), is accepted too', async () => {
		expect((await call(sha256(`${KEY}${raw}`))).items).toEqual([alert]);
	});

	it('an upper-case hex signature is the same signature', async () => {
		expect((await call(sha256(`${KEY}|${raw}`).toUpperCase())).items).toHaveLength(1);
	});

	it.each([
		['a missing Signature', undefined, 401],
		['an empty Signature', '', 401],
		['a signature over the body re-serialised', sha256(`${KEY}|${JSON.stringify(alert)}`), 403],
		['a signature made with another key', sha256(`other-key|${raw}`), 403],
		['a signature of the Data API key’s kind', 'sim-data-api-key-0123456789', 403],
	])('%s is refused and starts nothing', async (_, signature, status) => {
		const outcome = await call(signature);

		expect(outcome.status).toBe(status);
		expect(outcome.items).toBeUndefined();
		expect(JSON.stringify(outcome.body)).not.toContain(KEY);
	});

	it('a signed body that is not a JSON object gets 400', async () => {
		const text = 'not json';
		const outcome = await callTrigger({
			workflowId: freshWorkflow(),
			parameters: { source: 'alert' },
			credentials: { moEngageCampaignReportApi: { apiKey: KEY } },
			raw: text,
			body: {},
			headers: { 'content-type': 'text/plain', signature: sha256(`${KEY}|${text}`) },
		});

		expect(outcome.status).toBe(400);
		expect(outcome.items).toBeUndefined();
	});
});
