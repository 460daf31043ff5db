'use strict';
/**
 * Inform (docs/moengage-api.md#inform; api/inform/inform.yaml): one transactional alert sent over
 * SMS, email and push in one call, live or as a test alert on the sandbox host. simulator.js routes
 * a request here and lends what every endpoint shares (the clock, rate windows, faults, hooks, the
 * rate-limit headers); this module authenticates it with the Inform key, checks its body against
 * the yaml's schema, keeps the 5-minute transaction_id windows and records what it accepted. Its
 * types are in ./inform.d.ts.
 */

const crypto = require('node:crypto');

/**
 * The live paths: the current docs' `https://api-{dc}.moengage.com/v1.0/alerts/send`, and the
 * older help page's and MoEngage's Python client's `https://inform-api-0X.moengage.com/v1/send`.
 * Both are taken: a user may be on either host.
 */
const INFORM_PATHS = ['/v1.0/alerts/send', '/v1/send'];
/**
 * Test alerts go to another host (`sandbox-api-{dc}` / `sandbox-inform-api-0X`) with the same
 * paths. The node's credential points its Sandbox Base URL at `<simulator url>/sandbox`, so the
 * simulator takes them under that prefix.
 */
const SANDBOX_PREFIX = '/sandbox';
const INFORM_CHANNELS = ['SMS', 'EMAIL', 'PUSH'];
/** transaction_id: "The maximum length allowed for this field is 50 characters." */
const TRANSACTION_ID_MAX = 50;
/** Attach via API: "You can attach up to 5 files." (create-alert.mdx) */
const MAX_ATTACHMENTS = 5;
/**
 * "The total size of the attachments should be less than 4 MB." (create-alert.mdx), read as less
 * than 4,000,000 bytes decoded: below 4 MiB too, so whatever MoEngage means by a MB, what the
 * simulator takes MoEngage takes.
 */
const MAX_ATTACHMENT_BYTES = 4_000_000;
/** "another request with the same transaction_id … within 5 minutes of the successful request". */
const DUPLICATE_WINDOW_MS = 5 * 60 * 1000;
/** "The default rate limit is 10K RPM." (inform.yaml; rate-limits.mdx) */
const INFORM_PER_MINUTE = 10_000;

/**
 * The alerts a workspace has, each with the ID of its live version and of its test version (the
 * yaml: "For the staging endpoint, use the test alert id and for the live endpoint, use the alert
 * id"), the channels it was made for, and the attachment keys its email template takes via API.
 * Demo_ID and "Live Activity Only Test" are the yaml's own examples, so they can be sent verbatim.
 */
const DEFAULT_ALERTS = [
	{
		id: '6650e2a91c4f7b3d8e0a5c21',
		referenceName: 'order_shipped',
		testId: '6650e2a91c4f7b3d8e0a5d87',
		channels: ['SMS', 'EMAIL', 'PUSH'],
		attachmentKeys: ['invoice'],
	},
	{
		id: '636b77e6e2cf83277195fb60',
		referenceName: 'Demo_ID',
		testId: '636b77e6e2cf83277195fc11',
		channels: ['SMS', 'EMAIL', 'PUSH'],
		attachmentKeys: [],
	},
	{
		id: '696737255def18872642f9d2',
		referenceName: 'Live Activity Only Test',
		testId: '696737255def18872642fa40',
		channels: ['PUSH'],
		attachmentKeys: [],
	},
	{
		id: '66a1f0c3b5d2e4f6a7b8c9d0',
		referenceName: 'login_otp',
		testId: '66a1f0c3b5d2e4f6a7b8cae1',
		channels: ['SMS'],
		attachmentKeys: [],
	},
];

/** The yaml's documented bodies, word for word. */
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
/**
 * The yaml documents one 400 body, "Invalid Alert ID" (120002), for a 400 it says covers "Invalid
 * payload format, incorrect JSON, or invalid Alert ID". Every other refusal here keeps that
 * envelope and says what is wrong; its status_code, 120003, is the simulator's own: MoEngage's is
 * undocumented.
 */
const INVALID_PAYLOAD_CODE = 120003;
/**
 * With channel details on, each channel sent gets a status. The yaml types it {message, err_code,
 * status_code} and gives no value: "Success" is the err_code MoEngage's Python client assumes when
 * none comes, and 200 says the channel took it. Both are the simulator's guesses.
 */
const CHANNEL_ACCEPTED = {
	message: 'Successfully Received',
	err_code: 'Success',
	status_code: 200,
};

/**
 * The keys each part of a request may have. Neither schema forbids other keys; the simulator
 * refuses them, so that a misspelt key in the node (which MoEngage might drop without a word) is
 * caught here. `locale` is the test-alert guide's per-channel field ("required locale version"),
 * which the yaml leaves out.
 */
const REQUEST_KEYS = ['alert_id', 'alert_reference_name', 'user_id', 'transaction_id', 'payloads'];
const CHANNEL_KEYS = {
	SMS: ['recipient', 'personalized_attributes', 'sender_attributes', 'locale'],
	EMAIL: [
		'recipient',
		'personalized_attributes',
		'sender_attributes',
		'personalized_attachments',
		'locale',
	],
	PUSH: ['recipient', 'personalized_attributes', 'live_activity_attributes', 'locale'],
};
/** Why a known key is refused on a channel: each is documented for some channels only. */
const CHANNEL_ONLY = {
	sender_attributes: 'is for SMS and EMAIL only (dynamic sender routing)',
	personalized_attachments: 'is for EMAIL only',
	live_activity_attributes: 'is for PUSH only (iOS Live Activities)',
};
const LIVE_ACTIVITY_TYPES = ['start', 'update', 'end'];
/**
 * The yaml (and its example) spell a Live Activity's keys la_type, attribute_info, content_state;
 * the test-alert guide la-type, attribute-info, content-state. Both spellings are taken.
 */
const LIVE_ACTIVITY_KEYS = {
	la_type: 'la_type',
	'la-type': 'la_type',
	attribute_info: 'attribute_info',
	'attribute-info': 'attribute_info',
	content_state: 'content_state',
	'content-state': 'content_state',
};
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const isPlainObject = (value) =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
const isScalar = (value) => ['string', 'number', 'boolean'].includes(typeof value);
const nonEmptyString = (value) => typeof value === 'string' && value !== '';

const answerOf = (status, body) => ({ status, body });
const invalid = (message) =>
	answerOf(400, { message, err_code: 'BAD_REQUEST', status_code: INVALID_PAYLOAD_CODE });

/** Bytes a base64 string decodes to. */
const decodedBytes = (text) => (text.length / 4) * 3 - text.match(/=*$/)[0].length;

/**
 * sender_attributes has two documented shapes: inform.yaml's array of strings, and the test-alert
 * guide's object (`{<list of the API attributes …>}`), which dynamic sender routing reads as
 * attribute → value ("campaign_type" = "Promotional"). Both are taken.
 */
function senderAttributesProblem(value) {
	if (Array.isArray(value)) {
		return value.every(nonEmptyString)
			? undefined
			: 'must be a list of attribute names (strings) or an object of attribute → value';
	}
	if (isPlainObject(value)) {
		return Object.values(value).every(isScalar)
			? undefined
			: 'must map each attribute to a string, number or boolean';
	}
	return 'must be a list of attribute names (strings) or an object of attribute → value';
}

function attachmentsProblem(value, alert) {
	if (!isPlainObject(value)) return 'must be an object of attachment key → base64 content';
	const keys = Object.keys(value);
	if (keys.length === 0) return 'must hold at least one attachment';
	if (keys.length > MAX_ATTACHMENTS) return `holds ${keys.length} files: at most 5 can be attached`;
	let total = 0;
	for (const key of keys) {
		// "the attachment should be passed using the attachment key specified during alert creation".
		if (!alert.attachmentKeys.includes(key)) {
			return `has the key "${key}", which is not an attachment key of the alert "${alert.referenceName}"`;
		}
		const content = value[key];
		// format: byte. An empty string would be no file at all.
		if (!nonEmptyString(content) || !BASE64.test(content))
			return `"${key}" must be the file's content as a base64 string`;
		total += decodedBytes(content);
	}
	if (total >= MAX_ATTACHMENT_BYTES)
		return `weighs ${total} bytes: the total size of the attachments must be less than 4 MB`;
	return undefined;
}

/** An epoch millisecond from a dismissal_date: epoch seconds (ActivityKit's unit) or an ISO date. */
function momentOf(value) {
	if (typeof value === 'number') return value * 1000;
	if (typeof value !== 'string') return NaN;
	if (/^\d+$/.test(value)) return Number(value) * 1000;
	return Date.parse(value);
}

function liveActivityProblem(channel, now) {
	const value = channel.live_activity_attributes;
	if (!isPlainObject(value)) return 'live_activity_attributes must be an object';
	for (const [key, field] of Object.entries(value)) {
		const meaning = LIVE_ACTIVITY_KEYS[key];
		if (meaning === undefined)
			return `live_activity_attributes.${key} is not a field of the Inform API`;
		if (meaning === 'la_type' && !LIVE_ACTIVITY_TYPES.includes(field))
			return `live_activity_attributes.${key} must be start, update or end`;
		if (meaning !== 'la_type' && !isPlainObject(field))
			return `live_activity_attributes.${key} must be an object`;
	}
	// create-alert.mdx: "The Inform API rejects requests if the dismissal time is in the past."
	const dismissal = momentOf(channel.personalized_attributes?.dismissal_date);
	if (dismissal < now) return 'personalized_attributes.dismissal_date is in the past';
	return undefined;
}

/** The first thing wrong with one channel's payload, before the alert is known. */
function channelProblem(name, channel, now) {
	if (!isPlainObject(channel)) return `payloads.${name} must be an object`;
	for (const key of Object.keys(channel)) {
		if (CHANNEL_KEYS[name].includes(key)) continue;
		if (CHANNEL_ONLY[key]) return `payloads.${name}.${key}: ${key} ${CHANNEL_ONLY[key]}`;
		return `payloads.${name}.${key} is not a field of the Inform API`;
	}
	// The yaml requires recipient. The test-alert guide says a missing one is looked up from the
	// user_id's profile; the simulator follows the schema, the stricter of the two.
	if (!nonEmptyString(channel.recipient))
		return `payloads.${name}.recipient is required: a non-empty string`;
	if (
		channel.personalized_attributes !== undefined &&
		!isPlainObject(channel.personalized_attributes)
	)
		return `payloads.${name}.personalized_attributes must be an object`;
	if (channel.locale !== undefined && !nonEmptyString(channel.locale))
		return `payloads.${name}.locale must be a non-empty string`;
	if (channel.sender_attributes !== undefined) {
		const problem = senderAttributesProblem(channel.sender_attributes);
		if (problem) return `payloads.${name}.sender_attributes ${problem}`;
	}
	if (channel.live_activity_attributes !== undefined) {
		const problem = liveActivityProblem(channel, now);
		if (problem) return `payloads.${name}.${problem}`;
	}
	return undefined;
}

/** The first thing InformRequest's schema refuses in a body, if any. */
function bodyProblem(body, now) {
	for (const key of Object.keys(body)) {
		if (!REQUEST_KEYS.includes(key)) return `${key} is not a field of the Inform API`;
	}
	const transactionId = body.transaction_id;
	if (transactionId === undefined) return 'transaction_id is required';
	if (!nonEmptyString(transactionId)) return 'transaction_id must be a non-empty string';
	if ([...transactionId].length > TRANSACTION_ID_MAX)
		return `transaction_id must be at most ${TRANSACTION_ID_MAX} characters`;
	for (const key of ['alert_id', 'alert_reference_name', 'user_id']) {
		if (body[key] !== undefined && !nonEmptyString(body[key]))
			return `${key} must be a non-empty string`;
	}
	// Not in the yaml's required list, but without either there is no alert to send.
	if (body.alert_id === undefined && body.alert_reference_name === undefined)
		return 'alert_id or alert_reference_name is required';
	const { payloads } = body;
	if (payloads === undefined) return 'payloads is required';
	if (!isPlainObject(payloads)) return 'payloads must be an object';
	const channels = Object.keys(payloads);
	if (channels.length === 0) return 'payloads must hold at least one of SMS, EMAIL or PUSH';
	for (const name of channels) {
		if (!INFORM_CHANNELS.includes(name))
			return `payloads.${name} is not a channel: use SMS, EMAIL or PUSH`;
		const problem = channelProblem(name, payloads[name], now);
		if (problem) return problem;
	}
	return undefined;
}

/**
 * The alert a request names. A live request names it by its ID, a test alert by its test ID; either
 * by its reference name. The yaml's examples send both the ID and the reference name: when both
 * come they must name the same alert (MoEngage does not say which wins, so the simulator takes
 * neither alone).
 */
function alertOf(alerts, body, sandbox) {
	const byId =
		body.alert_id === undefined
			? undefined
			: (alerts.find((alert) => (sandbox ? alert.testId : alert.id) === body.alert_id) ?? null);
	const byName =
		body.alert_reference_name === undefined
			? undefined
			: (alerts.find((alert) => alert.referenceName === body.alert_reference_name) ?? null);
	if (byId === null || byName === null) return undefined;
	if (byId && byName && byId !== byName) return undefined;
	return byId ?? byName;
}

/** What the alert itself refuses: a channel it was not made for, an attachment it does not take. */
function alertProblem(alert, payloads) {
	for (const name of Object.keys(payloads)) {
		if (!alert.channels.includes(name))
			return `the alert "${alert.referenceName}" has no ${name} channel`;
	}
	const attachments = payloads.EMAIL?.personalized_attachments;
	if (attachments !== undefined) {
		const problem = attachmentsProblem(attachments, alert);
		if (problem) return `payloads.EMAIL.personalized_attachments ${problem}`;
	}
	return undefined;
}

/**
 * context: config (workspaceId, informKey, alerts, informPerMinute, informDuplicateWindowMs,
 * informChannelDetails), clockNow, createWindow, pickFault(request), faultAnswer(kind, validBody),
 * lostAnswer(kind, earned), intercepted(request), withRateLimitHeaders(answer, now, window).
 */
function createInform(context) {
	const { config, clockNow, pickFault, faultAnswer, lostAnswer, intercepted } = context;
	const window = context.createWindow(() => config.informPerMinute);
	/** Accepted live messages, in arrival order. */
	const messages = [];
	/** Accepted test alerts (the sandbox host), in arrival order. */
	const testAlerts = [];
	/** `live|sandbox` + workspace + transaction_id → when it was accepted. */
	const accepted = new Map();

	const rateLimited = () => answerOf(429, TOO_MANY);

	/** Basic <workspace ID>:<Inform key>, and MOE-APPKEY naming the same workspace. */
	function authorized(headers) {
		const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(headers.authorization ?? '');
		if (!match) return false;
		const decoded = Buffer.from(match[1], 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		if (colon < 0) return false;
		const user = decoded.slice(0, colon);
		return (
			user === config.workspaceId &&
			decoded.slice(colon + 1) === config.informKey &&
			headers['moe-appkey'] === user
		);
	}

	function acceptedBody(payloads) {
		const body = { message: 'Successfully Received', request_id: crypto.randomUUID() };
		if (config.informChannelDetails) {
			for (const name of INFORM_CHANNELS) {
				if (payloads[name] !== undefined) body[name] = { ...CHANNEL_ACCEPTED };
			}
		}
		return body;
	}

	/** The answer an accepted request earns, and what it leaves behind: a message, a window. */
	function send(plan, now) {
		const key = `${plan.sandbox ? 'sandbox' : 'live'}|${config.workspaceId}|${plan.body.transaction_id}`;
		const since = accepted.get(key);
		// "within 5 minutes of the successful request": counted from the acceptance; a 409 does not
		// move it. The yaml's 409 also counts an "in-progress" request: here one is accepted at once.
		if (since !== undefined && now - since < config.informDuplicateWindowMs)
			return answerOf(409, DUPLICATE);
		accepted.set(key, now);
		const body = acceptedBody(plan.body.payloads);
		(plan.sandbox ? testAlerts : messages).push({
			transactionId: plan.body.transaction_id,
			alertId: plan.sandbox ? plan.alert.testId : plan.alert.id,
			alertReferenceName: plan.alert.referenceName,
			userId: plan.body.user_id,
			payloads: plan.body.payloads,
			requestId: body.request_id,
			acceptedAt: now,
			path: plan.path,
		});
		return answerOf(200, body);
	}

	/** An authenticated request: its rate window, its body, a fault or hook, and only then its effect. */
	function answerAuthorized(request, sandbox, path, now) {
		// "10K RPM": requests, whatever they carry. Whether MoEngage counts the ones it refuses is
		// undocumented: they count here, the stricter reading.
		if (!window.fits(now, 1)) return rateLimited();
		window.spend(now, 1);
		const contentType = String(request.headers['content-type'] ?? '')
			.split(';')[0]
			.trim();
		// The yaml's curl and MoEngage's Python client send application/json; what another type gets
		// is undocumented: here the 400 for "Invalid payload format".
		if (contentType.toLowerCase() !== 'application/json')
			return invalid('Content-Type must be application/json');
		try {
			request.body = JSON.parse(request.raw.toString('utf8'));
		} catch {
			return invalid('The body is not valid JSON');
		}
		if (!isPlainObject(request.body)) return invalid('The body must be a JSON object');
		const body = request.body;
		const problem = bodyProblem(body, now);
		if (problem) return invalid(problem);
		const alert = alertOf(config.alerts, body, sandbox);
		if (!alert) return answerOf(400, INVALID_ALERT);
		const alertRefusal = alertProblem(alert, body.payloads);
		if (alertRefusal) return invalid(alertRefusal);
		const plan = { sandbox, path, body, alert };
		const fault = pickFault(request);
		if (fault && !fault.startsWith('applied-')) {
			if (fault === '429') return rateLimited();
			if (fault === '429-retry-after') return { ...rateLimited(), headers: { 'Retry-After': '1' } };
			if (fault === '500') return answerOf(500, SERVER_ERROR);
			return faultAnswer(fault, acceptedBody(body.payloads));
		}
		const earned = intercepted(request) ?? send(plan, now);
		return fault ? lostAnswer(fault, earned) : earned;
	}

	return {
		messages,
		testAlerts,
		/** Whether a request is for Inform, and on which host: undefined when it is not. */
		route(request) {
			if (request.method !== 'POST') return undefined;
			const { pathname } = request.url;
			const sandbox = pathname.startsWith(`${SANDBOX_PREFIX}/`);
			const path = sandbox ? pathname.slice(SANDBOX_PREFIX.length) : pathname;
			return INFORM_PATHS.includes(path) ? { sandbox, path } : undefined;
		},
		answer(request, { sandbox, path }) {
			// The yaml's one 401, for every credential it does not take: another key (the Data API
			// key), another workspace, no MOE-APPKEY or one that is not the Basic auth user.
			if (!authorized(request.headers)) return answerOf(401, UNAUTHORIZED);
			const now = clockNow();
			return context.withRateLimitHeaders(
				answerAuthorized(request, sandbox, path, now),
				now,
				window,
			);
		},
		reset() {
			messages.length = 0;
			testAlerts.length = 0;
			accepted.clear();
			window.clear();
		},
	};
}

module.exports = {
	createInform,
	DEFAULT_ALERTS,
	INFORM_PATHS,
	SANDBOX_PREFIX,
	INFORM_CHANNELS,
	TRANSACTION_ID_MAX,
	MAX_ATTACHMENTS,
	MAX_ATTACHMENT_BYTES,
	DUPLICATE_WINDOW_MS,
	INFORM_PER_MINUTE,
	INVALID_PAYLOAD_CODE,
};
