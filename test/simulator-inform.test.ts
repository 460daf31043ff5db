/**
 * The simulator's Inform must refuse, accept and record exactly what MoEngage documents, so that a
 * node proven against it behaves the same against MoEngage. "The yaml" below is MoEngage's OpenAPI
 * spec for it, `api/inform/inform.yaml` in moengage/moengage-documentation; "the test-alert guide"
 * and "the create-alert guide" are `user-guide/inform/create/test-alert.mdx` and `create-alert.mdx`
 * there. The facts drawn from them are gathered in docs/moengage-api.md#inform.
 */
import { DEFAULT_ALERTS, type InformAlert, type SimulatorOptions } from '../simulator/simulator';
import { simulatorForFile, withSimulator } from './support/simulators';

/** The simulator's clock: a test moves it across the 5-minute transaction_id window or the rate window. */
const START = Date.UTC(2025, 0, 15, 12);
let time = START;
const now = () => time;
const MINUTE = 60_000;
const defaults: SimulatorOptions = {
	users: 5,
	workspaceId: 'WS1',
	apiKey: 'data-key',
	informKey: 'inform-key',
	now,
};

const simulator = simulatorForFile(defaults, () => {
	time = START;
});

const [ORDER_SHIPPED, DEMO, LIVE_ACTIVITY, LOGIN_OTP] = DEFAULT_ALERTS;
const LIVE = '/v1.0/alerts/send';
const LIVE_OLD = '/v1/send';
const SANDBOX = '/sandbox/v1.0/alerts/send';
const SANDBOX_OLD = '/sandbox/v1/send';

const basic = (user: string, password: string) =>
	`Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

type Sent = {
	url?: string;
	path?: string;
	auth?: string | null;
	/** The MOE-APPKEY header; null to send none. */
	appKey?: string | null;
	contentType?: string;
	raw?: string;
};

async function send(
	body: unknown,
	{
		url = simulator.url,
		path = LIVE,
		auth = basic('WS1', 'inform-key'),
		appKey = 'WS1',
		contentType = 'application/json',
		raw,
	}: Sent = {},
) {
	const response = await fetch(`${url}${path}`, {
		method: 'POST',
		headers: {
			...(auth === null ? {} : { Authorization: auth }),
			...(appKey === null ? {} : { 'MOE-APPKEY': appKey }),
			...(contentType ? { 'Content-Type': contentType } : {}),
		},
		body: raw ?? JSON.stringify(body),
	});
	return { status: response.status, body: await response.json(), headers: response.headers };
}

/** What a client sees of one request without assuming an answer came: status and text, or fetch's error. */
async function attempt(body: unknown, url = simulator.url, path = LIVE) {
	try {
		const response = await fetch(`${url}${path}`, {
			method: 'POST',
			headers: {
				Authorization: basic('WS1', 'inform-key'),
				'MOE-APPKEY': 'WS1',
				'Content-Type': 'application/json',
			},
			body: JSON.stringify(body),
		});
		return { status: response.status, text: await response.text() };
	} catch (error) {
		return { error: (error as Error).message };
	}
}

/** The yaml's first request example: an SMS to its Demo_ID alert. */
const YAML_SMS_EXAMPLE = {
	alert_id: '636b77e6e2cf83277195fb60',
	alert_reference_name: 'Demo_ID',
	user_id: 'USER_12345',
	transaction_id: 'TXN_ABCDEF123',
	payloads: { SMS: { recipient: '1234567890' } },
};
/** The yaml's second: push and email with personalization. */
const YAML_PUSH_EMAIL_EXAMPLE = {
	alert_id: '636b77e6e2cf83277195fb60',
	alert_reference_name: 'Demo_ID',
	user_id: 'USER_12345',
	transaction_id: 'TXN_987654321',
	payloads: {
		PUSH: {
			recipient: '<push-token>',
			personalized_attributes: { firstname: 'John', orderid: 'ORD_554433' },
		},
		EMAIL: {
			recipient: 'john.doe@moengage.com',
			personalized_attributes: { firstname: 'John', orderid: 'ORD_554433' },
		},
	},
};
/** The yaml's third: a Live Activity. */
const YAML_LIVE_ACTIVITY_EXAMPLE = {
	alert_id: '696737255def18872642f9d2',
	alert_reference_name: 'Live Activity Only Test',
	user_id: 'USER_ID',
	transaction_id: 'YOUR_TRANSACTION_ID_VAL_HERE',
	payloads: {
		PUSH: {
			recipient: '<push-token>',
			personalized_attributes: {
				stale_date: 'YOUR_stale_date_VAL_HERE',
				dismissal_date: 'YOUR_dismissal_date_VAL_HERE',
			},
			live_activity_attributes: {
				la_type: 'start',
				attribute_info: { order_id: 'ORD_554433' },
				content_state: { delivery_status: 'Out for delivery', eta_minutes: 12 },
			},
		},
	},
};

let counter = 0;
/** An order_shipped SMS with a fresh transaction_id, and the changes given. */
const message = (changes: Record<string, unknown> = {}) => ({
	alert_id: ORDER_SHIPPED.id,
	user_id: 'cust-00001',
	transaction_id: `txn-${++counter}`,
	payloads: { SMS: { recipient: '+15550100' } },
	...changes,
});
/** An order_shipped message carrying one channel's payload. */
const withChannel = (channel: string, payload: Record<string, unknown>) =>
	message({ payloads: { [channel]: { recipient: 'someone', ...payload } } });

/** The yaml's documented bodies. */
const ACCEPTED = { message: 'Successfully Received', request_id: expect.any(String) };
const UNAUTHORIZED = {
	message: 'Invalid App Key or Basic Auth',
	err_code: 'UNAUTHORIZED',
	status_code: 120001,
};
const INVALID_ALERT = { message: 'Invalid Alert ID', err_code: 'BAD_REQUEST', status_code: 120002 };
const DUPLICATE = {
	message: 'Duplicate Transaction ID',
	err_code: 'DUPLICATE_REQUEST_RECEIVED',
	status_code: 120105,
};
const TOO_MANY = { message: 'Too many requests', err_code: 'Rate Limit', status_code: 140110 };
const SERVER_ERROR = {
	message: 'Unexpected error occurred',
	err_code: 'Internal Server Error',
	status_code: 140109,
};
/** The simulator's own 400s keep the yaml's envelope; their status_code, 120003, is undocumented. */
const badRequest = (words: string | RegExp) => ({
	message:
		typeof words === 'string' ? expect.stringContaining(words) : expect.stringMatching(words),
	err_code: 'BAD_REQUEST',
	status_code: 120003,
});

/** A base64 string that decodes to exactly `bytes` bytes. */
const fileOf = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64');

describe('Inform: where it is called (the yaml: servers; the older help page and Python client)', () => {
	// The yaml: POST https://api-{dc}.moengage.com/v1.0/alerts/send; 200 example "Successfully Received".
	it('accepts the yaml\'s SMS example on POST /v1.0/alerts/send with 200 "Successfully Received" and a request_id, and records the message', async () => {
		const answer = await send(YAML_SMS_EXAMPLE);
		expect(answer).toMatchObject({ status: 200, body: ACCEPTED });
		expect(Object.keys(answer.body)).toEqual(['message', 'request_id']);
		expect(simulator.informMessages).toEqual([
			{
				transactionId: 'TXN_ABCDEF123',
				alertId: DEMO.id,
				alertReferenceName: 'Demo_ID',
				userId: 'USER_12345',
				payloads: YAML_SMS_EXAMPLE.payloads,
				requestId: answer.body.request_id,
				acceptedAt: START,
				path: LIVE,
			},
		]);
		expect(simulator.testAlerts).toEqual([]);
	});

	// The yaml's other two request examples.
	it("accepts the yaml's push-and-email and Live Activity examples", async () => {
		expect((await send(YAML_PUSH_EMAIL_EXAMPLE)).status).toBe(200);
		time = START + 1_000;
		expect((await send(YAML_LIVE_ACTIVITY_EXAMPLE)).status).toBe(200);
		expect(simulator.informMessages.map((sent) => sent.alertReferenceName)).toEqual([
			'Demo_ID',
			'Live Activity Only Test',
		]);
	});

	// The older help page: "POST https://inform-api-0X.moengage.com/v1/send"; MoEngage's Python client
	// posts to "<base_url>/v1/send".
	it("accepts the same request on the older host's POST /v1/send", async () => {
		const answer = await send(message(), { path: LIVE_OLD });
		expect(answer).toMatchObject({ status: 200, body: ACCEPTED });
		expect(simulator.informMessages).toEqual([expect.objectContaining({ path: LIVE_OLD })]);
	});

	// The yaml: the Test/Sandbox Alerts endpoint; alert_id: "For the staging endpoint, use the test
	// alert id and for the live endpoint, use the alert id." The node's Sandbox Base URL points at
	// <simulator>/sandbox.
	it.each([SANDBOX, SANDBOX_OLD])(
		"sends a test alert on the sandbox host (%s) by the alert's test ID, recorded in testAlerts and not among live messages",
		async (path) => {
			const answer = await send(message({ alert_id: ORDER_SHIPPED.testId }), { path });
			expect(answer).toMatchObject({ status: 200, body: ACCEPTED });
			expect(simulator.testAlerts).toEqual([
				expect.objectContaining({
					alertId: ORDER_SHIPPED.testId,
					alertReferenceName: 'order_shipped',
					path: path.replace('/sandbox', ''),
				}),
			]);
			expect(simulator.informMessages).toEqual([]);
		},
	);

	// The yaml: the live endpoint takes the alert id, the staging one the test alert id.
	it('answers 400 "Invalid Alert ID" (120002) to a live request naming a test ID, and a test alert naming a live ID', async () => {
		expect(await send(message({ alert_id: ORDER_SHIPPED.testId }))).toEqual(
			expect.objectContaining({ status: 400, body: INVALID_ALERT }),
		);
		expect(await send(message({ alert_id: ORDER_SHIPPED.id }), { path: SANDBOX })).toEqual(
			expect.objectContaining({ status: 400, body: INVALID_ALERT }),
		);
		expect([...simulator.informMessages, ...simulator.testAlerts]).toEqual([]);
	});

	// The yaml: alert_reference_name is an "alternative to Alert ID".
	it('finds the alert by alert_reference_name alone, on either host, and records the ID of that host', async () => {
		const byName = message({ alert_id: undefined, alert_reference_name: 'login_otp' });
		expect((await send(byName)).status).toBe(200);
		expect((await send(byName, { path: SANDBOX })).status).toBe(200);
		expect(simulator.informMessages[0].alertId).toBe(LOGIN_OTP.id);
		expect(simulator.testAlerts[0].alertId).toBe(LOGIN_OTP.testId);
	});

	// The yaml's 400 example "Invalid Alert ID". Its examples send an ID and a reference name together;
	// which one wins when they disagree is undocumented, so the simulator takes neither
	// (docs/moengage-api.md#inform).
	it.each([
		['an unknown alert_id', { alert_id: 'ffffffffffffffffffffffff' }],
		['an alert_id that is not 24 hex characters', { alert_id: 'order_shipped' }],
		['an unknown alert_reference_name', { alert_id: undefined, alert_reference_name: 'nope' }],
		['an ID and a reference name of different alerts', { alert_reference_name: 'login_otp' }],
	])('answers 400 "Invalid Alert ID" (120002) to %s', async (_, changes) => {
		expect(await send(message(changes))).toEqual(
			expect.objectContaining({ status: 400, body: INVALID_ALERT }),
		);
	});

	it('answers 404 to a GET, which no Inform route takes', async () => {
		const response = await fetch(`${simulator.url}${LIVE}`);
		expect(response.status).toBe(404);
	});
});

describe('Inform: authentication (the yaml: security basicAuth and moeAppKey)', () => {
	// The yaml: username the Workspace ID, password "your API Key, which you can find within the
	// Inform tile"; MOE-APPKEY "the Workspace ID … that must be passed with the request"; 401 example.
	it.each([
		['the Data API key', { auth: basic('WS1', 'data-key') }],
		['a wrong key', { auth: basic('WS1', 'nope') }],
		['another workspace', { auth: basic('WS2', 'inform-key'), appKey: 'WS2' }],
		['no Authorization header', { auth: null }],
		['a Bearer token', { auth: 'Bearer inform-key' }],
		['no MOE-APPKEY header', { appKey: null }],
		['a MOE-APPKEY that is not the Basic auth user', { appKey: 'WS2' }],
	] as Array<[string, Sent]>)(
		'answers 401 "Invalid App Key or Basic Auth" (120001) to %s, and sends nothing',
		async (_, sent) => {
			expect(await send(message(), sent)).toEqual(
				expect.objectContaining({ status: 401, body: UNAUTHORIZED }),
			);
			expect(await send(message(), { ...sent, path: SANDBOX })).toEqual(
				expect.objectContaining({ status: 401, body: UNAUTHORIZED }),
			);
			expect([...simulator.informMessages, ...simulator.testAlerts]).toEqual([]);
		},
	);
});

describe('Inform: the body (the yaml: InformRequest and PayloadChannel)', () => {
	// The yaml's 400: "Invalid payload format, incorrect JSON". The words of these 400s are
	// undocumented: the simulator's name what is wrong (docs/moengage-api.md#inform).
	it('answers 400 BAD_REQUEST to a body that is not JSON, not an object, or not sent as application/json', async () => {
		expect(await send(undefined, { raw: '{"transaction_id": ' })).toMatchObject({
			status: 400,
			body: badRequest('not valid JSON'),
		});
		expect(await send([message()])).toMatchObject({
			status: 400,
			body: badRequest('JSON object'),
		});
		expect(await send(message(), { contentType: 'text/plain' })).toMatchObject({
			status: 400,
			body: badRequest('Content-Type'),
		});
	});

	// The yaml: required [transaction_id, payloads]; transaction_id "The maximum length allowed for
	// this field is 50 characters."
	it.each([
		['missing', undefined, 'transaction_id is required'],
		['a number', 12345, 'transaction_id must be a non-empty string'],
		['empty', '', 'transaction_id must be a non-empty string'],
		['51 characters', 'x'.repeat(51), 'at most 50 characters'],
	])('answers 400 to a transaction_id %s', async (_, transactionId, words) => {
		expect(await send(message({ transaction_id: transactionId }))).toMatchObject({
			status: 400,
			body: badRequest(words),
		});
	});

	it('takes a transaction_id of 50 characters, counted as characters, not bytes', async () => {
		expect((await send(message({ transaction_id: 'x'.repeat(50) }))).status).toBe(200);
		expect((await send(message({ transaction_id: 'é'.repeat(50) }))).status).toBe(200);
	});

	// The yaml: alert_id, alert_reference_name and user_id are strings; alert_id is not in required,
	// since alert_reference_name can stand for it, but one of them must name the alert.
	it.each([
		[
			'neither alert_id nor alert_reference_name',
			{ alert_id: undefined },
			'alert_id or alert_reference_name is required',
		],
		['a numeric alert_id', { alert_id: 636 }, 'alert_id must be a non-empty string'],
		['a numeric user_id', { user_id: 12345 }, 'user_id must be a non-empty string'],
		['an empty alert_reference_name', { alert_reference_name: '' }, 'alert_reference_name must be'],
	])('answers 400 to %s', async (_, changes, words) => {
		expect(await send(message(changes))).toMatchObject({ status: 400, body: badRequest(words) });
	});

	// The yaml: payloads is an object whose properties are SMS, EMAIL and PUSH.
	it.each([
		['missing', undefined, 'payloads is required'],
		['a list', [{ recipient: 'x' }], 'payloads must be an object'],
		['empty', {}, 'at least one of SMS, EMAIL or PUSH'],
		[
			'a channel that is not SMS, EMAIL or PUSH',
			{ WHATSAPP: { recipient: 'x' } },
			'payloads.WHATSAPP is not a channel',
		],
		['a lower-case channel', { sms: { recipient: 'x' } }, 'payloads.sms is not a channel'],
		['a channel that is not an object', { SMS: '+15550100' }, 'payloads.SMS must be an object'],
	])('answers 400 to payloads %s', async (_, payloads, words) => {
		expect(await send(message({ payloads }))).toMatchObject({
			status: 400,
			body: badRequest(words),
		});
	});

	// PayloadChannel: required [recipient], a string. The test-alert guide says a missing recipient is
	// looked up from user_id's profile; the simulator follows the schema (docs/moengage-api.md#inform).
	it.each([
		['missing', {}],
		['empty', { recipient: '' }],
		['a number', { recipient: 15550100 }],
	])('answers 400 to a recipient %s, which the schema requires as a string', async (_, payload) => {
		expect(await send(message({ payloads: { SMS: payload } }))).toMatchObject({
			status: 400,
			body: badRequest('payloads.SMS.recipient is required'),
		});
	});

	// PayloadChannel.personalized_attributes: an object (additionalProperties: true).
	it('takes personalized_attributes of any values, and refuses one that is not an object', async () => {
		const values = {
			firstname: 'John',
			items: 3,
			vip: true,
			when: null,
			lines: ['a'],
			nested: { x: 1 },
		};
		expect((await send(withChannel('SMS', { personalized_attributes: values }))).status).toBe(200);
		expect(await send(withChannel('SMS', { personalized_attributes: ['John'] }))).toMatchObject({
			status: 400,
			body: badRequest('personalized_attributes must be an object'),
		});
	});

	// The schema forbids no other key; the simulator refuses keys no MoEngage source names, so that a
	// misspelt key shows here (docs/moengage-api.md#inform). `locale` is the test-alert guide's.
	it("refuses a request or channel key no MoEngage source names, and takes the test-alert guide's per-channel locale", async () => {
		expect(await send(message({ alertId: ORDER_SHIPPED.id }))).toMatchObject({
			status: 400,
			body: badRequest('alertId is not a field of the Inform API'),
		});
		expect(await send(withChannel('SMS', { recepient: 'typo' }))).toMatchObject({
			status: 400,
			body: badRequest('payloads.SMS.recepient is not a field'),
		});
		expect((await send(withChannel('EMAIL', { locale: 'fr' }))).status).toBe(200);
	});

	// A channel the alert was not made for cannot be sent (docs/moengage-api.md#inform: undocumented
	// answer, the simulator's 400).
	it('answers 400 to a channel the alert was not made for: EMAIL on the SMS-only login_otp', async () => {
		expect(
			await send(message({ alert_id: LOGIN_OTP.id, payloads: { EMAIL: { recipient: 'a@b.co' } } })),
		).toMatchObject({ status: 400, body: badRequest('has no EMAIL channel') });
	});
});

describe('Inform: sender_attributes (the yaml vs the test-alert guide)', () => {
	// The yaml: an array of strings; the test-alert guide: `{<list of the API attributes …>}`, read by
	// dynamic sender routing as attribute → value. Both are taken (docs/moengage-api.md#inform).
	it.each([
		["the yaml's list of attribute names", ['campaign_type', 'priority']],
		[
			"the guide's object of attribute → value",
			{ campaign_type: 'Transactional', priority: 'high', tier: 2 },
		],
	])('takes %s on SMS and EMAIL', async (_, senderAttributes) => {
		expect((await send(withChannel('SMS', { sender_attributes: senderAttributes }))).status).toBe(
			200,
		);
		expect((await send(withChannel('EMAIL', { sender_attributes: senderAttributes }))).status).toBe(
			200,
		);
	});

	it.each([
		['a string', 'campaign_type'],
		['a list of numbers', [1, 2]],
		['an object with a nested value', { region: { name: 'EU' } }],
	])('refuses sender_attributes given as %s', async (_, senderAttributes) => {
		expect(await send(withChannel('SMS', { sender_attributes: senderAttributes }))).toMatchObject({
			status: 400,
			body: badRequest('payloads.SMS.sender_attributes'),
		});
	});

	// Dynamic sender routing: "This feature is supported only for SMS and Email channels".
	it('refuses sender_attributes on PUSH', async () => {
		expect(await send(withChannel('PUSH', { sender_attributes: ['priority'] }))).toMatchObject({
			status: 400,
			body: badRequest('is for SMS and EMAIL only'),
		});
	});
});

describe("Inform: personalized_attachments (the yaml; the create-alert guide's limits)", () => {
	/** An alert whose email takes six attachment keys, to reach the limit of five files. */
	const sixKeys: InformAlert = {
		...ORDER_SHIPPED,
		attachmentKeys: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'],
	};
	const attachments = (keys: string[], bytes = 10) =>
		Object.fromEntries(keys.map((key) => [key, fileOf(bytes)]));

	// The yaml: a map of attachment key → base64 content; the guide: "the attachment key specified
	// during alert creation".
	it("takes an EMAIL attachment under one of the alert's attachment keys, and records it as sent", async () => {
		const body = withChannel('EMAIL', { personalized_attachments: { invoice: fileOf(1000) } });
		expect((await send(body)).status).toBe(200);
		expect(simulator.informMessages[0].payloads.EMAIL?.personalized_attachments).toEqual({
			invoice: fileOf(1000),
		});
	});

	it.each([
		[
			'a key the alert does not take',
			{ receipt: fileOf(10) },
			'not an attachment key of the alert',
		],
		[
			'content that is not base64',
			{ invoice: 'not base64!' },
			"must be the file's content as a base64 string",
		],
		['empty content', { invoice: '' }, 'base64'],
		['a list', [fileOf(10)], 'must be an object'],
		['no attachment at all', {}, 'at least one attachment'],
	])('refuses personalized_attachments with %s', async (_, value, words) => {
		expect(await send(withChannel('EMAIL', { personalized_attachments: value }))).toMatchObject({
			status: 400,
			body: badRequest(words),
		});
	});

	// The yaml and the test-alert guide: attachments are for the email channel.
	it.each(['SMS', 'PUSH'])('refuses personalized_attachments on %s', async (channel) => {
		expect(
			await send(withChannel(channel, { personalized_attachments: { invoice: fileOf(10) } })),
		).toMatchObject({ status: 400, body: badRequest('is for EMAIL only') });
	});

	// The create-alert guide: "You can attach up to 5 files."
	it('takes 5 files and refuses 6', async () => {
		await withSimulator({ ...defaults, alerts: [sixKeys] }, async (own) => {
			const five = withChannel('EMAIL', {
				personalized_attachments: attachments(sixKeys.attachmentKeys.slice(0, 5)),
			});
			expect((await send(five, { url: own.url })).status).toBe(200);
			const six = withChannel('EMAIL', {
				personalized_attachments: attachments(sixKeys.attachmentKeys),
			});
			expect(await send(six, { url: own.url })).toMatchObject({
				status: 400,
				body: badRequest('at most 5 can be attached'),
			});
		});
	});

	// The create-alert guide: "The total size of the attachments should be less than 4 MB", read as
	// fewer than 4,000,000 bytes decoded: below 4 MiB too (docs/moengage-api.md#inform).
	it('takes attachments of 3,999,999 bytes in all and refuses 4,000,000 ("less than 4 MB")', async () => {
		await withSimulator({ ...defaults, alerts: [sixKeys] }, async (own) => {
			const split = (total: number) => ({
				a1: fileOf(2_000_000),
				a2: fileOf(total - 2_000_000),
			});
			const under = withChannel('EMAIL', { personalized_attachments: split(3_999_999) });
			expect((await send(under, { url: own.url })).status).toBe(200);
			const at = withChannel('EMAIL', { personalized_attachments: split(4_000_000) });
			expect(await send(at, { url: own.url })).toMatchObject({
				status: 400,
				body: badRequest('less than 4 MB'),
			});
		});
	});
});

describe('Inform: live_activity_attributes (the yaml; the create-alert guide)', () => {
	const liveActivity = (attributes: Record<string, unknown>, personalized = {}) =>
		message({
			alert_id: LIVE_ACTIVITY.id,
			payloads: {
				PUSH: {
					recipient: '<push-token>',
					personalized_attributes: personalized,
					live_activity_attributes: attributes,
				},
			},
		});

	// The yaml: la_type enum [start, update, end]; attribute_info and content_state objects.
	it.each(['start', 'update', 'end'])('takes la_type %p', async (type) => {
		expect((await send(liveActivity({ la_type: type }))).status).toBe(200);
	});

	// The yaml spells la_type, attribute_info, content_state; the test-alert guide la-type,
	// attribute-info, content-state. Both are taken (docs/moengage-api.md#inform).
	it("takes the test-alert guide's hyphenated spelling too", async () => {
		const hyphenated = {
			'la-type': 'update',
			'attribute-info': { order_id: 'ORD_554433' },
			'content-state': { eta_minutes: 5 },
		};
		expect((await send(liveActivity(hyphenated))).status).toBe(200);
	});

	it.each([
		['an la_type outside the enum', { la_type: 'pause' }, 'la_type must be start, update or end'],
		['an la-type outside the enum', { 'la-type': 'stop' }, 'la-type must be start, update or end'],
		[
			'a content_state that is not an object',
			{ la_type: 'update', content_state: 'Out' },
			'content_state must be an object',
		],
		['a key neither spelling has', { la_type: 'start', laType: 'start' }, 'laType is not a field'],
	])('refuses %s', async (_, attributes, words) => {
		expect(await send(liveActivity(attributes))).toMatchObject({
			status: 400,
			body: badRequest(words),
		});
	});

	// The yaml: live_activity_attributes are for iOS Live Activities, a push feature.
	it('refuses live_activity_attributes on SMS', async () => {
		expect(
			await send(withChannel('SMS', { live_activity_attributes: { la_type: 'start' } })),
		).toMatchObject({
			status: 400,
			body: badRequest('is for PUSH only'),
		});
	});

	// The create-alert guide: "The Inform API rejects requests if the dismissal time is in the past."
	it('refuses a Live Activity whose dismissal_date is in the past, and takes one in the future', async () => {
		const past = Math.floor((START - MINUTE) / 1000);
		const future = new Date(START + MINUTE).toISOString();
		expect(await send(liveActivity({ la_type: 'end' }, { dismissal_date: past }))).toMatchObject({
			status: 400,
			body: badRequest('dismissal_date is in the past'),
		});
		expect((await send(liveActivity({ la_type: 'end' }, { dismissal_date: future }))).status).toBe(
			200,
		);
	});
});

describe('Inform: transaction_id and 409 (the yaml: transaction_id, 409)', () => {
	// The yaml: "another request with the same transaction_id … within 5 minutes of the successful
	// request … deemed a duplicate"; the 409 example.
	it('answers 409 Duplicate Transaction ID (120105) to a transaction_id accepted 4 minutes before, and sends it again after 5 (inform.yaml)', async () => {
		const body = message();
		expect((await send(body)).status).toBe(200);
		time = START + 4 * MINUTE;
		expect(await send(body)).toEqual(expect.objectContaining({ status: 409, body: DUPLICATE }));
		// The window counts from the acceptance: the 409 at 4 minutes does not move it.
		time = START + 5 * MINUTE;
		expect((await send(body)).status).toBe(200);
		expect(simulator.informMessages.map((sent) => sent.acceptedAt)).toEqual([
			START,
			START + 5 * MINUTE,
		]);
	});

	it('answers 409 to a transaction_id accepted for another alert: the ID alone is the key', async () => {
		const body = message();
		await send(body);
		expect((await send({ ...body, alert_id: LOGIN_OTP.id })).status).toBe(409);
		expect(simulator.informMessages).toHaveLength(1);
	});

	// The yaml: the window follows a *successful* request; a refused one was not one.
	it('starts no window for a request it refused with 400, 401 or 429', async () => {
		// informPerMinute 2: the 400 counts against it (refused requests count: docs/moengage-api.md#inform).
		await withSimulator({ ...defaults, informPerMinute: 2 }, async (own) => {
			const body = message();
			expect((await send({ ...body, payloads: { SMS: {} } }, { url: own.url })).status).toBe(400);
			expect((await send(body, { url: own.url, auth: basic('WS1', 'data-key') })).status).toBe(401);
			expect((await send(body, { url: own.url })).status).toBe(200);
			expect((await send(message({ transaction_id: 'second' }), { url: own.url })).status).toBe(
				429,
			);
			time = START + MINUTE;
			expect((await send(message({ transaction_id: 'second' }), { url: own.url })).status).toBe(
				200,
			);
		});
	});

	// Live and test alerts are separate hosts; the older /v1/send and the current path are one live service.
	it('keeps live and sandbox apart, and counts /v1/send and /v1.0/alerts/send as one live host', async () => {
		const body = message({ alert_reference_name: 'order_shipped', alert_id: undefined });
		expect((await send(body)).status).toBe(200);
		expect((await send(body, { path: SANDBOX })).status).toBe(200);
		expect((await send(body, { path: LIVE_OLD })).status).toBe(409);
		expect((await send(body, { path: SANDBOX_OLD })).status).toBe(409);
		expect(simulator.informMessages).toHaveLength(1);
		expect(simulator.testAlerts).toHaveLength(1);
	});

	it('lets informDuplicateWindowMs change the 5 minutes', async () => {
		await withSimulator({ ...defaults, informDuplicateWindowMs: 1_000 }, async (own) => {
			const body = message();
			await send(body, { url: own.url });
			time = START + 999;
			expect((await send(body, { url: own.url })).status).toBe(409);
			time = START + 1_000;
			expect((await send(body, { url: own.url })).status).toBe(200);
		});
	});
});

describe('Inform: what a 200 carries (the yaml: InformSuccessResponse)', () => {
	// The yaml: "Reach out to your Customer Success Manager to enable sending the channel level
	// details as part of your API response."
	it('answers only message and request_id by default, a fresh request_id each time', async () => {
		const first = await send(withChannel('EMAIL', {}));
		const second = await send(withChannel('EMAIL', {}));
		expect(Object.keys(first.body)).toEqual(['message', 'request_id']);
		expect(first.body.request_id).not.toBe(second.body.request_id);
	});

	// The yaml types each channel's block {message, err_code, status_code} and gives no values: the
	// simulator's are its own (docs/moengage-api.md#inform).
	it('adds a {message, err_code, status_code} block for each channel sent, and only those, under informChannelDetails', async () => {
		await withSimulator({ ...defaults, informChannelDetails: true }, async (own) => {
			const answer = await send(YAML_PUSH_EMAIL_EXAMPLE, { url: own.url });
			const block = { message: 'Successfully Received', err_code: 'Success', status_code: 200 };
			expect(answer.body).toEqual({ ...ACCEPTED, PUSH: block, EMAIL: block });
		});
	});
});

describe('Inform: rate limit (the yaml: "The default rate limit is 10K RPM"; 429 example)', () => {
	it('takes 10,000 requests a minute and refuses the next with 429 "Too many requests" (140110) until the window frees', async () => {
		await withSimulator(defaults, async (own) => {
			const headers = {
				authorization: basic('WS1', 'inform-key'),
				'moe-appkey': 'WS1',
				'content-type': 'application/json',
			};
			const handled = (n: number) =>
				own.handle({
					method: 'POST',
					url: new URL(`http://simulator${LIVE}`),
					headers,
					raw: Buffer.from(JSON.stringify(message({ transaction_id: `bulk-${n}` }))),
				});
			for (let n = 0; n < 10_000; n++) expect(handled(n).status).toBe(200);
			expect(handled(10_000)).toEqual({ status: 429, body: TOO_MANY });
			time = START + MINUTE;
			expect(handled(10_001).status).toBe(200);
			expect(own.informMessages).toHaveLength(10_001);
		});
	});

	it('lets informPerMinute change the 10,000, over HTTP', async () => {
		await withSimulator({ ...defaults, informPerMinute: 2 }, async (own) => {
			expect((await send(message(), { url: own.url })).status).toBe(200);
			expect((await send(message(), { url: own.url })).status).toBe(200);
			expect(await send(message(), { url: own.url })).toEqual(
				expect.objectContaining({ status: 429, body: TOO_MANY }),
			);
		});
	});
});

describe('Inform: faults', () => {
	// The yaml: 500 and 429 examples. A fault that is not applied-* stands for an answer that came
	// instead of the 200: nothing was sent, and a resend is no duplicate.
	it("answers a '500' fault with the yaml's 500 (140109) and a '429' fault with its 429, sends nothing, and takes the resend", async () => {
		await withSimulator(
			{ ...defaults, scriptedFaults: { inform: ['500', '429'] } },
			async (own) => {
				const body = message();
				expect(await send(body, { url: own.url })).toEqual(
					expect.objectContaining({ status: 500, body: SERVER_ERROR }),
				);
				expect(await send(body, { url: own.url })).toEqual(
					expect.objectContaining({ status: 429, body: TOO_MANY }),
				);
				expect(own.informMessages).toEqual([]);
				expect((await send(body, { url: own.url })).status).toBe(200);
				expect(own.informMessages).toHaveLength(1);
			},
		);
	});

	// The yaml's 409: "received within 5 minutes of a previously successful or in-progress request".
	// An applied-reset stands for MoEngage accepting the message and the answer being lost: the
	// resend with the same transaction_id is a duplicate, and one message goes out.
	it('under a scripted applied-reset, sends the message and drops the answer; the resend with the same transaction_id answers 409, and exactly one message is recorded', async () => {
		await withSimulator(
			{ ...defaults, scriptedFaults: { inform: ['applied-reset'] } },
			async (own) => {
				const body = message();
				expect(await attempt(body, own.url)).toEqual({ error: 'fetch failed' });
				expect(own.informMessages).toEqual([
					expect.objectContaining({ transactionId: body.transaction_id }),
				]);
				expect(await attempt(body, own.url)).toEqual({
					status: 409,
					text: JSON.stringify(DUPLICATE),
				});
				expect(own.informMessages).toHaveLength(1);
				expect(own.faultCounts).toEqual({ 'applied-reset': 1 });
				expect(
					own.log.filter((entry) => entry.endpoint === 'inform').map((entry) => entry.fault),
				).toEqual(['applied-reset', undefined]);
			},
		);
	});

	it('under applied-truncated, sends the message and answers a 200 whose JSON is cut off', async () => {
		await withSimulator(
			{ ...defaults, scriptedFaults: { inform: ['applied-truncated'] } },
			async (own) => {
				const seen = await attempt(message(), own.url);
				expect(seen).toMatchObject({ status: 200 });
				expect(() => JSON.parse((seen as { text: string }).text)).toThrow();
				expect(own.informMessages).toHaveLength(1);
			},
		);
	});

	// scriptedFaults targets one endpoint: a Get User request, a refused Inform request and the seeded
	// `faults` draw are untouched by it.
	it('aims scripted faults at Inform only: other endpoints and refused Inform requests do not use them up', async () => {
		await withSimulator(
			{ ...defaults, scriptedFaults: { inform: [null, 'applied-reset'] } },
			async (own) => {
				const customerId = own.users[0].customer_id;
				const exported = await fetch(`${own.url}/v1/customers/export?app_id=WS1`, {
					method: 'POST',
					headers: { Authorization: basic('WS1', 'data-key'), 'Content-Type': 'application/json' },
					body: JSON.stringify({
						data: { identifiers: [{ identifier_type: 'customer_id', identifier: customerId }] },
					}),
				});
				expect(exported.status).toBe(200);
				expect((await send(message({ payloads: {} }), { url: own.url })).status).toBe(400);
				expect((await send(message(), { url: own.url })).status).toBe(200);
				expect(await attempt(message(), own.url)).toEqual({ error: 'fetch failed' });
				expect((await send(message(), { url: own.url })).status).toBe(200);
				expect(own.informMessages).toHaveLength(3);
			},
		);
	});

	it('takes more scripted faults from scriptFaults(), and reset() restores the script the options gave', async () => {
		await withSimulator({ ...defaults, scriptedFaults: { inform: ['500'] } }, async (own) => {
			own.scriptFaults('inform', ['503']);
			expect((await send(message(), { url: own.url })).status).toBe(500);
			expect((await attempt(message(), own.url)) as { status: number }).toMatchObject({
				status: 503,
			});
			expect((await send(message(), { url: own.url })).status).toBe(200);
			own.reset();
			expect((await send(message(), { url: own.url })).status).toBe(500);
		});
	});
});

describe('Inform: what the simulator keeps', () => {
	it('forgets messages and transaction_id windows on reset()', async () => {
		await withSimulator(defaults, async (own) => {
			const body = message();
			await send(body, { url: own.url });
			await send(body, { url: own.url, path: SANDBOX });
			own.reset();
			expect([...own.informMessages, ...own.testAlerts]).toEqual([]);
			expect((await send(body, { url: own.url })).status).toBe(200);
		});
	});

	it('logs each request with endpoint "inform", its host, its parsed body and its MOE-APPKEY', async () => {
		const body = message();
		await send(body);
		await send(message({ alert_id: ORDER_SHIPPED.testId }), { path: SANDBOX, appKey: null });
		expect(simulator.log).toEqual([
			expect.objectContaining({
				endpoint: 'inform',
				path: LIVE,
				status: 200,
				sandbox: false,
				appKey: 'WS1',
				appId: 'WS1',
				body,
			}),
			expect.objectContaining({
				endpoint: 'inform',
				path: SANDBOX,
				status: 401,
				sandbox: true,
				appKey: undefined,
				appId: null,
			}),
		]);
	});

	// A hook stands for any answer MoEngage might give instead; one that is not the 200 sends nothing.
	it('lets an intercept hook answer instead, seeing the parsed body, and sends nothing', async () => {
		const seen: unknown[] = [];
		simulator.intercept((request) => {
			seen.push(request.body);
			return { status: 503, body: { message: 'busy' } };
		});
		const body = message();
		expect((await send(body)).status).toBe(503);
		expect(seen).toEqual([body]);
		expect(simulator.informMessages).toEqual([]);
	});
});
