'use strict';
/**
 * A local stand-in for MoEngage's Data API, as strict as the documented API: Get User (POST
 * /v1/customers/export, docs/moengage-api.md#get-user) here, the write endpoints (Track User,
 * Track Event, Bulk Import, Delete User, Merge Users; docs/moengage-api.md#bulk-import, #delete-user, #merge-users) in
 * ./writes.js, Cohort Sync (docs/moengage-api.md#cohort-sync) in ./cohort.js, and beyond the Data
 * API, Inform (docs/moengage-api.md#inform) in ./inform.js and campaign stats
 * (docs/moengage-api.md#campaign-stats) in ./stats.js. It is the only fake in the tests: the node,
 * n8n's engine and the HTTP stack in between are real. Plain JavaScript, so that scripts run it
 * without compiling; ./simulator.d.ts (with the .d.ts beside each module) gives TypeScript its
 * types and changes with it.
 */
const http = require('node:http');
const crypto = require('node:crypto');
const { createWrites, WRITE_LIMITS } = require('./writes');
const { COHORT_SYNC_PATH } = require('./cohort');
const { randomFrom, hexOf } = require('./random');
const {
	createInform,
	DEFAULT_ALERTS,
	DUPLICATE_WINDOW_MS,
	INFORM_PER_MINUTE,
} = require('./inform');
const {
	createCampaignStats,
	campaignStatsAnswer,
	makeCampaigns,
	STATS_PER_MINUTE,
} = require('./stats');

const MAX_IDENTIFIERS = 20;
const MAX_PAYLOAD_BYTES = 128 * 1024;
/** identifier_type of a MoEngage ID: "id" in MoEngage's prose and example, "moengage_id" in its OpenAPI enum. */
const ID_SPELLINGS = { id: ['id'], moengage_id: ['moengage_id'], both: ['id', 'moengage_id'] };

const FIRST_NAMES = ['Asha', 'Ben', 'Chen', 'Dana', 'Elif', 'Femi', 'Greta', 'Hiro', 'Ines', 'Jon'];
const LAST_NAMES = [
	'Rao',
	'Okafor',
	'Silva',
	'Novak',
	'Kim',
	'Haddad',
	'Berg',
	'Mensah',
	'Ortiz',
	'Lee',
];
const CITIES = ['Bengaluru', 'Berlin', 'Jakarta', 'Singapore', 'New York', 'Dublin'];

/**
 * The user base: `count` users; every seventh has a numeric customer ID (spreadsheets send those
 * as numbers). MoEngage IDs are 24 hex characters, as in MoEngage's sample.
 */
function makeUsers(count, seed) {
	const random = randomFrom(seed);
	const users = [];
	for (let n = 1; n <= count; n++) {
		const first = FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)];
		const last = LAST_NAMES[Math.floor(random() * LAST_NAMES.length)];
		const customerId = n % 7 === 0 ? String(100000 + n) : `cust-${String(n).padStart(5, '0')}`;
		const id = hexOf(random);
		users.push({
			customer_id: customerId,
			id,
			name: `${first} ${last}`,
			first_name: first,
			last_name: last,
			email: `${first}.${last}.${n}@example.com`.toLowerCase(),
			city: CITIES[Math.floor(random() * CITIES.length)],
			lifetime_value: Math.round(random() * 100000) / 100,
			plan: random() < 0.3 ? 'premium' : 'free',
		});
	}
	return users;
}

function parsedOrUndefined(raw) {
	try {
		return JSON.parse(raw.toString('utf8'));
	} catch {
		return undefined;
	}
}

function failBody(status, type, message, attribute) {
	const error = { message, type, request_id: crypto.randomUUID() };
	if (attribute) error.attribute = attribute;
	return { status, body: { status: 'fail', error } };
}

/** MoEngage's other error shape (Get User's 429, Delete's 429 and 500): a title and a description. */
const titleBody = (status, title, description) => ({
	status,
	body: { status: 'fail', title, description },
});

/** The title-shaped 429 that Get User and Delete User document. */
const rateLimitedByTitle = () =>
	titleBody(429, 'Rate limit exceeded', 'Exceeded rate limit for this url');

/** MoEngage's documented 401 for a wrong Workspace ID or key. */
const keyMismatch = () =>
	failBody(
		401,
		'Authentication required',
		'App Secret key mismatch. Please login to the dashboard to verify key',
	);

/** Every way MoEngage, or a proxy in front of it, has been seen to misbehave; none applies the request. */
const FAULT_KINDS = [
	'429', // RateLimitError body, no Retry-After
	'429-retry-after', // with Retry-After: 1
	'429-title', // the {title, description} body shape
	'500',
	'502',
	'503',
	'html', // a proxy's HTML error page (503)
	'reset', // the connection is dropped without an answer
	'hang', // no answer until hangMs, then the connection is dropped
	'truncated', // a 200 whose JSON body is cut off
	'not-json', // a 200 whose body is not JSON
];
/**
 * Answers lost after the request took effect: a write under one of these goes through as it would
 * (its hook, rate windows and effect) and then loses its answer as its twin, the kind without
 * `applied-`, does; Get User, which changes nothing, just meets the twin. They are not among the
 * default kinds: a client's retry after one of them duplicates the write, which a test asks for.
 */
const APPLIED_FAULT_KINDS = [
	'applied-reset', // applied, then the connection is dropped without an answer
	'applied-hang', // applied, then no answer until hangMs, then the connection is dropped
	'applied-truncated', // applied, then the answer it earned (a 200 when accepted) with its JSON body cut off
];

/** Throws on a scripted fault that is no kind: null (a request let through) or one of the kinds above. */
function checkFaultKinds(kinds, where) {
	const unknown = kinds.find(
		(kind) => kind !== null && !FAULT_KINDS.includes(kind) && !APPLIED_FAULT_KINDS.includes(kind),
	);
	if (unknown !== undefined)
		throw new Error(`${where}: unknown fault kind ${JSON.stringify(unknown)}`);
}

function faultAnswer(kind, config, validBody) {
	switch (kind.replace(/^applied-/, '')) {
		case '429':
			return failBody(429, 'RateLimitError', 'Rate limit exceeded for this workspace');
		case '429-retry-after':
			return {
				...failBody(429, 'RateLimitError', 'Rate limit exceeded for this workspace'),
				headers: { 'Retry-After': '1' },
			};
		case '429-title':
			return rateLimitedByTitle();
		case '500':
			return failBody(500, 'ServerError', 'Internal Error');
		case '502':
			return titleBody(502, 'Bad Gateway', 'Upstream error');
		case '503':
			return titleBody(503, 'Service Unavailable', 'Try again later');
		case 'html':
			return {
				status: 503,
				body: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>',
			};
		case 'reset':
			return { status: 0, destroy: true };
		case 'hang':
			return { status: 0, destroy: true, delayMs: config.faults.hangMs ?? 2000 };
		case 'truncated': {
			const text = JSON.stringify(validBody);
			return {
				status: 200,
				body: text.slice(0, Math.floor(text.length / 2)),
				contentType: 'application/json',
			};
		}
		case 'not-json':
			return { status: 200, body: 'OK', contentType: 'text/plain' };
		default:
			throw new Error(`unknown fault kind ${kind}`);
	}
}

/**
 * options: workspaceId, apiKey, users (a count, default 1000) or userList, seed, usersPerWindow
 * (default 1000), windowMs (default 60 000), rateLimitShape ('error' | 'title'), latencyMs,
 * blocked (403), keyNotSet (409), poison (identifiers that make a whole request 400),
 * poisonAttribute (the `attribute` of that 400, default "identifiers"; null for none), idSpelling
 * (the identifier_type it takes for a MoEngage ID: 'id' (default), 'moengage_id' or 'both'),
 * answerKeys (export the customer ID and MoEngage ID under other names, e.g. {customer_id: 'uid',
 * id: '_id'}), rateLimitHeaders ('delta' | 'epoch': send x-ratelimit-limit / -remaining / -reset on
 * every answer, the reset as seconds until the window frees or as a UTC epoch second), now (a clock
 * function, default Date.now), getUser ('enabled' (default), 'refused-401' or 'refused-403': a
 * workspace MoEngage has not enabled Get User for; see answerExport), workspaceName (what Test
 * Connection answers as app_name, default "Simulated workspace"), testConnectionError (a string:
 * Test Connection answers 200 {"status": "error", "message": <it>} to a request it would accept), and
 * faults: {rate, seed, kinds, hangMs} — a seeded share of requests answered with a fault: kinds from
 *   FAULT_KINDS (the default, each applying nothing) and APPLIED_FAULT_KINDS (the write applied, its
 *   answer lost).
 *
 * The write endpoints share workspaceId / apiKey (Basic auth; the app_id in their path or query
 * must be the auth user, else 409), blocked (403, in each endpoint's own wording), keyNotSet (409),
 * windowMs, latencyMs, rateLimitHeaders (counted in each endpoint's own unit), now, faults (a '429'
 * or '500' fault takes the endpoint's own 429 / 500 body) and intercept(); rateLimitShape,
 * usersPerWindow, poison, idSpelling and answerKeys stay Get User's alone. Their own options:
 * limits: each endpoint's allowance per window, in its own unit, each with a window of its own —
 *   {trackUser: 10000 users, trackEvent: 30000 events (actions), bulkUsers: 60000 customer
 *   elements, bulkEvents: 60000 actions, deleteRequests: 5000 requests, mergeUsers: 1000 user
 *   updates, cohortRequests: 300 Cohort Sync requests}; give only the ones to change.
 * mergeReading: how to read Merge's "50 users per call" and "1,000 user updates/min" for a body of
 *   pairs — 'users' (default, the strict one: a pair is 2 users, so at most 25 pairs per call and 2
 *   updates per pair) or 'pairs' (at most 50 pairs per call, 1 update per pair).
 * moeAttributes: which user attribute names with the reserved moe_ prefix Track User and Bulk take —
 *   'blocked' (none) or 'standard' (default: the moe_ keys docs/moengage-api.md#attribute-names says Track User writes,
 *   such as moe_unsubscribe, plus moe_email_optin_status and moe_mobile).
 * timezoneOffset: the user's offset from UTC in seconds that Track Event and Bulk read an event's
 *   times with when the action sends no user_timezone_offset (docs/moengage-api.md#event-times: "Without it MoEngage takes
 *   the profile's timezone, else the workspace's, else UTC"); default 0, UTC.
 * Writes change the same user store Get User reads; reset() restores the seeded users.
 *
 * Cohort Sync (POST /v1/integrations/cohortsync, docs/moengage-api.md#cohort-sync) is a write
 * without an app_id: Basic auth and a MOE-APPKEY header name the workspace. It shares blocked,
 * latencyMs, rateLimitHeaders, now, faults (a '429' or '500' fault takes its own 429 / 500 body),
 * intercept() and limits.cohortRequests; keyNotSet meets its documented 401 "App Secret key
 * mismatch" (it documents no 409). Its own options:
 * missingAppKey: the answer to a request without MOE-APPKEY — '400' (default: the yaml's 400 names
 *   a missing "APP KEY"; MissingAttributeError, attribute "MOE-APPKEY") or '401' ("Authentication
 *   Header Required", as Test Connection here answers it).
 * cohortProcessingMs: how long after its 200 an accepted sync is processed (default 0). Syncs are
 *   processed in arrival order, lazily: before each request and whenever a reader below is read.
 * dashboardSegments: names of segments made on the dashboard or with the File Segment API, which
 *   Cohort Sync "does not support updating": a sync naming one (its cohort_name) is accepted, and
 *   changes nothing when processed (recorded in `ignored`).
 * Its readers: segmentMembers(cohortId) (the members' customer IDs in the order they joined, or
 * undefined for no such segment), segment(cohortId) ({cohort_id, cohort_name, partner,
 * description?, members}, or undefined) and cohortSyncs (every accepted sync, {action, partner,
 * cohort_id, cohort_name, description?, uids, acceptedAt, processedAt?}); a uid naming no user is
 * recorded in `ignored` when its sync is processed.
 *
 * Inform (POST /v1.0/alerts/send and the older /v1/send; test alerts under /sandbox,
 * docs/moengage-api.md#inform) takes Basic auth with the Inform key and MOE-APPKEY. It shares
 * workspaceId, windowMs, latencyMs, rateLimitHeaders, now, faults (a '429' or '500' fault takes
 * its own body; an applied-* one records the message, then loses the answer) and intercept().
 * Its own options: informKey (default 'sim-inform-api-key-0123456789'); alerts (the workspace's
 * alerts, each {id, referenceName, testId, channels, attachmentKeys}; default DEFAULT_ALERTS);
 * informPerMinute (default 10,000); informDuplicateWindowMs (how long an accepted transaction_id
 * answers 409, default 300,000: "within 5 minutes"); informChannelDetails (the per-channel status
 * blocks of the 200, which MoEngage sends only where a CSM enabled them; default false). Its
 * readers: informMessages (accepted live messages) and testAlerts (accepted test alerts).
 *
 * Campaign stats (POST /core-services/v1/campaign-stats, docs/moengage-api.md#campaign-stats) takes
 * Basic auth with the Campaign report key and MOE-APPKEY, and shares the same options as Inform.
 * Its own: reportKey (default 'sim-campaign-report-key-0123456789'); statsPerMinute (default 100);
 * statsEnabled (false: 403, a workspace without the feature; default true); campaigns (a count of
 * seeded campaigns, default 25, or the campaigns themselves, as makeCampaigns makes them). Its
 * reader: statsRequests (every request answered with figures).
 *
 * scriptedFaults: {<endpoint>: [kind or null, …]}: the next requests to that endpoint that reach
 * the point where a fault may strike meet these kinds in order (null lets one through), before and
 * instead of the seeded `faults` draw; e.g. {inform: ['applied-reset']} loses the answer of the
 * first accepted Inform request and no other. reset() restores the script; scriptFaults() adds to
 * it for one test.
 */
function createSimulator(options = {}) {
	const config = {
		workspaceId: options.workspaceId ?? 'SIMWORKSPACE01',
		apiKey: options.apiKey ?? 'sim-data-api-key-0123456789',
		seed: options.seed ?? 1,
		usersPerWindow: options.usersPerWindow ?? 1000,
		windowMs: options.windowMs ?? 60_000,
		rateLimitShape: options.rateLimitShape ?? 'error',
		latencyMs: options.latencyMs ?? 0,
		blocked: options.blocked ?? false,
		keyNotSet: options.keyNotSet ?? false,
		poison: new Set(options.poison ?? []),
		poisonAttribute:
			options.poisonAttribute === undefined ? 'identifiers' : options.poisonAttribute,
		idSpelling: options.idSpelling ?? 'id',
		answerKeys: options.answerKeys ?? {},
		rateLimitHeaders: options.rateLimitHeaders,
		faults: { rate: 0, kinds: FAULT_KINDS, seed: 99, ...(options.faults ?? {}) },
		limits: { ...WRITE_LIMITS, ...(options.limits ?? {}) },
		mergeReading: options.mergeReading ?? 'users',
		moeAttributes: options.moeAttributes ?? 'standard',
		timezoneOffset: options.timezoneOffset ?? 0,
		getUser: options.getUser ?? 'enabled',
		workspaceName: options.workspaceName ?? 'Simulated workspace',
		testConnectionError: options.testConnectionError,
		missingAppKey: options.missingAppKey ?? '400',
		cohortProcessingMs: options.cohortProcessingMs ?? 0,
		dashboardSegments: [...(options.dashboardSegments ?? [])],
		informKey: options.informKey ?? 'sim-inform-api-key-0123456789',
		alerts: options.alerts ?? DEFAULT_ALERTS,
		informPerMinute: options.informPerMinute ?? INFORM_PER_MINUTE,
		informDuplicateWindowMs: options.informDuplicateWindowMs ?? DUPLICATE_WINDOW_MS,
		informChannelDetails: options.informChannelDetails ?? false,
		reportKey: options.reportKey ?? 'sim-campaign-report-key-0123456789',
		statsPerMinute: options.statsPerMinute ?? STATS_PER_MINUTE,
		statsEnabled: options.statsEnabled ?? true,
		scriptedFaults: options.scriptedFaults ?? {},
	};
	if (!['enabled', 'refused-401', 'refused-403'].includes(config.getUser)) {
		throw new Error(
			`getUser must be 'enabled', 'refused-401' or 'refused-403', not ${JSON.stringify(config.getUser)}`,
		);
	}
	if (!['400', '401'].includes(config.missingAppKey)) {
		throw new Error(
			`missingAppKey must be '400' or '401', not ${JSON.stringify(config.missingAppKey)}`,
		);
	}
	for (const [endpoint, kinds] of Object.entries(config.scriptedFaults))
		checkFaultKinds(kinds, `scriptedFaults.${endpoint}`);
	// A test may run the simulator on a virtual clock; the rate window and the log follow it.
	const clockNow = options.now ?? Date.now;
	const faultRandom = randomFrom(config.faults.seed);
	const faultCounts = {};
	/** What is left of the scripted faults, per endpoint. */
	const scripted = {};
	const restoreScript = () => {
		for (const endpoint of Object.keys(scripted)) delete scripted[endpoint];
		for (const [endpoint, kinds] of Object.entries(config.scriptedFaults))
			scripted[endpoint] = [...kinds];
	};
	restoreScript();
	const campaigns = Array.isArray(options.campaigns)
		? options.campaigns
		: makeCampaigns(options.campaigns ?? 25, config.seed + 3);
	const users = options.userList ?? makeUsers(options.users ?? 1000, config.seed);
	const byType = { customer_id: new Map(), id: new Map() };
	const newIdRandom = randomFrom(config.seed + 2);
	/**
	 * The live profiles Get User reads and the writes change. They are copies, so `users` (and a
	 * caller's userList) stay the seeded base that reset() restores.
	 */
	const store = {
		find: (type, value) => byType[type].get(String(value)),
		add(profile) {
			byType.customer_id.set(String(profile.customer_id), profile);
			byType.id.set(String(profile.id), profile);
			return profile;
		},
		remove(profile) {
			if (byType.customer_id.get(String(profile.customer_id)) === profile)
				byType.customer_id.delete(String(profile.customer_id));
			if (byType.id.get(String(profile.id)) === profile) byType.id.delete(String(profile.id));
		},
		/** A fresh MoEngage ID: 24 hex characters like the seeded ones, never one in use. */
		newId() {
			let id;
			do id = hexOf(newIdRandom);
			while (byType.id.has(id));
			return id;
		},
		restore() {
			byType.customer_id.clear();
			byType.id.clear();
			for (const user of users) store.add({ ...user });
		},
	};
	store.restore();
	const shuffle = randomFrom(config.seed + 1);

	const log = [];
	/** Fault hooks: each gets the parsed request and may return {status, body, headers} to answer instead. */
	const interceptors = [];

	/** A rolling window of spent units (users, events, requests: whatever its endpoint counts). */
	function createWindow(limitOf) {
		const spent = []; // {at, count}
		const used = (now) => {
			while (spent.length > 0 && spent[0].at <= now - config.windowMs) spent.shift();
			return spent.reduce((sum, entry) => sum + entry.count, 0);
		};
		return {
			limit: limitOf,
			used,
			fits: (now, count) => used(now) + count <= limitOf(),
			spend: (now, count) => spent.push({ at: now, count }),
			remaining: (now) => Math.max(0, limitOf() - used(now)),
			/** When the oldest spending leaves the window (now if nothing is spent). */
			freesAt: (now) => {
				used(now);
				return spent.length > 0 ? spent[0].at + config.windowMs : now;
			},
			clear: () => {
				spent.length = 0;
			},
		};
	}
	const exportWindow = createWindow(() => config.usersPerWindow); // identifiers answered
	const writes = createWrites({
		config,
		store,
		failBody,
		titleBody,
		rateLimitedByTitle,
		createWindow,
	});

	/** What Inform and campaign stats borrow from here: what every endpoint shares. */
	const shared = {
		config,
		clockNow,
		createWindow,
		pickFault,
		faultAnswer: (kind, validBody) => faultAnswer(kind, config, validBody),
		lostAnswer,
		intercepted,
		withRateLimitHeaders,
	};
	const inform = createInform(shared);
	const campaignStats = createCampaignStats({ ...shared, campaigns });

	function rateLimited() {
		if (config.rateLimitShape === 'title') return rateLimitedByTitle();
		return failBody(429, 'RateLimitError', 'Rate limit exceeded for this workspace');
	}

	/** The Basic auth user when the header carries this workspace's ID and key, else undefined. */
	function authenticatedUser(headers) {
		const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(headers.authorization ?? '');
		if (!match) return undefined;
		const decoded = Buffer.from(match[1], 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		const user = decoded.slice(0, colon);
		const password = decoded.slice(colon + 1);
		if (colon < 0 || user !== config.workspaceId || password !== config.apiKey) return undefined;
		return user;
	}

	const contentTypeOf = (headers) =>
		String(headers['content-type'] ?? '')
			.split(';')[0]
			.trim()
			.toLowerCase();

	/**
	 * The fault for this request, if any: the next one scripted for its endpoint, else the seeded
	 * draw, if its turn has come (one sequence for every endpoint).
	 */
	function pickFault(request) {
		const script = scripted[request.endpoint];
		let kind;
		if (script && script.length > 0) {
			kind = script.shift() ?? undefined;
		} else {
			if (!(config.faults.rate > 0 && faultRandom() < config.faults.rate)) return undefined;
			kind = config.faults.kinds[Math.floor(faultRandom() * config.faults.kinds.length)];
		}
		if (kind === undefined) return undefined;
		faultCounts[kind] = (faultCounts[kind] ?? 0) + 1;
		request.fault = kind;
		return kind;
	}

	function intercepted(request) {
		for (const intercept of interceptors) {
			const override = intercept(request);
			if (override) return override;
		}
		return undefined;
	}

	/**
	 * Routes a request: Get User here, the write endpoints (Cohort Sync's included) through
	 * writes.js, Inform and campaign stats through their modules.
	 */
	function answer(request) {
		// Users whose deletion buffer ran out are gone before anything, Get User included, reads them.
		writes.purge(clockNow());
		if (request.method === 'POST' && request.url.pathname === '/v1/customers/export') {
			request.endpoint = 'export';
			return answerExport(request);
		}
		if (request.method === 'POST' && request.url.pathname === '/v1/integrations/authentication') {
			request.endpoint = 'testConnection';
			return answerTestConnection(request);
		}
		if (request.method === 'POST' && request.url.pathname === COHORT_SYNC_PATH) {
			request.endpoint = 'cohortSync';
			request.appId = request.headers['moe-appkey'] ?? null;
			return answerCohortSync(request);
		}
		const informRoute = inform.route(request);
		if (informRoute) {
			request.endpoint = 'inform';
			request.sandbox = informRoute.sandbox;
			request.appId = request.headers['moe-appkey'] ?? null;
			return inform.answer(request, informRoute);
		}
		if (campaignStats.route(request)) {
			request.endpoint = 'campaignStats';
			request.appId = request.headers['moe-appkey'] ?? null;
			return campaignStats.answer(request);
		}
		const routed = writes.route(request);
		if (!routed)
			return failBody(404, 'NotFound', `No route for ${request.method} ${request.url.pathname}`);
		request.endpoint = routed.endpoint.name;
		request.appId = routed.appId;
		return answerWrite(request, routed.endpoint);
	}

	/** Get User's checks, in the order MoEngage documents its statuses. */
	function answerExport(request) {
		const { url, headers, raw } = request;
		const appId = url.searchParams.get('app_id');
		if (!appId) return failBody(400, 'ParamsRequired', 'app_id is required', 'app_id');
		const user = authenticatedUser(headers);
		if (user === undefined)
			return failBody(401, 'Authentication required', 'Authentication required');
		if (config.keyNotSet || appId !== user) {
			return failBody(409, 'Authentication required.', 'Authentication required.');
		}
		if (config.blocked) return failBody(403, 'BlockedClient', 'Your account has been blocked');
		// MoEngage: "Get User API must be enabled for your workspace before use" — with no body
		// documented for a workspace without it, only that a key the API does not cover "gets 401 or
		// 403". The 401 is the documented one (indistinguishable from a wrong key); the 403's envelope
		// is the usual one with a type that is none of the documented blocked or suspended ones.
		if (config.getUser === 'refused-401') return keyMismatch();
		if (config.getUser === 'refused-403') return failBody(403, 'Forbidden', 'Forbidden');
		if (contentTypeOf(headers) !== 'application/json') {
			return failBody(415, 'MediaTypeError', 'Content-Type must be application/json');
		}
		if (raw.length > MAX_PAYLOAD_BYTES) {
			return failBody(413, 'PayloadTooLarge', 'Payload size exceeds the limit of 128 KB');
		}
		let payload;
		try {
			payload = JSON.parse(raw.toString('utf8'));
		} catch {
			return failBody(400, 'Malformed JSON', 'Malformed JSON in the request body');
		}
		const data = payload?.data;
		if (typeof data !== 'object' || data === null || Array.isArray(data)) {
			return failBody(400, 'MissingAttributeError', 'data is not found in the payload', 'data');
		}
		const { identifiers, user_fields_to_export: fields } = data;
		if (!Array.isArray(identifiers) || identifiers.length === 0) {
			return failBody(400, 'MissingAttributeError', 'identifiers is required', 'identifiers');
		}
		if (identifiers.length > MAX_IDENTIFIERS) {
			return failBody(
				400,
				'LimitBreached',
				`max limit allowed is ${MAX_IDENTIFIERS}`,
				'identifiers',
			);
		}
		request.identifiers = identifiers;
		const types = ['customer_id', ...ID_SPELLINGS[config.idSpelling]];
		for (const entry of identifiers) {
			if (typeof entry !== 'object' || entry === null || !types.includes(entry.identifier_type)) {
				return failBody(
					400,
					'InvalidParams',
					`identifier_type must be ${types.join(' or ')}`,
					'identifiers',
				);
			}
			if (typeof entry.identifier !== 'string' || entry.identifier === '') {
				return failBody(
					400,
					'InvalidParams',
					'identifier must be a non-empty string',
					'identifiers',
				);
			}
		}
		if (
			fields !== undefined &&
			(!Array.isArray(fields) || !fields.every((field) => typeof field === 'string'))
		) {
			return failBody(
				400,
				'InvalidParams',
				'user_fields_to_export must be a list of strings',
				'user_fields_to_export',
			);
		}
		const poisoned = identifiers.find((entry) => config.poison.has(entry.identifier));
		if (poisoned) {
			return failBody(
				400,
				'InvalidParams',
				`identifier ${JSON.stringify(poisoned.identifier)} is not valid`,
				config.poisonAttribute,
			);
		}
		const fault = pickFault(request);
		if (fault) return faultAnswer(fault, config, lookUp(identifiers, fields));
		const override = intercepted(request);
		if (override) return override;
		const now = clockNow();
		if (!exportWindow.fits(now, identifiers.length))
			return withRateLimitHeaders(rateLimited(), now, exportWindow);
		exportWindow.spend(now, identifiers.length);
		return withRateLimitHeaders(
			{ status: 200, body: lookUp(identifiers, fields) },
			now,
			exportWindow,
		);
	}

	/**
	 * A body read as MoEngage reads it: {refusal} for one that is not JSON, else {object} (a body that
	 * is JSON but not an object has none of the keys, so it meets the missing-key 400s). Sets
	 * request.body for the log.
	 */
	function readBody(request) {
		try {
			request.body = JSON.parse(request.raw.toString('utf8'));
		} catch {
			return {
				refusal: failBody(
					400,
					'Malformed JSON',
					'Could not decode the request body. The JSON was incorrect or not encoded as UTF-8.',
				),
			};
		}
		const payload = request.body;
		return {
			object:
				payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload : {},
		};
	}

	/**
	 * Test Connection (docs/moengage-api.md#test-connection): MOE-APPKEY and Basic auth, a JSON body whose
	 * app_id, app_secret (the Data API key), source and region are all required; 200
	 * {"status": "success", "app_name": <the workspace's name>} or 401 "App Secret key mismatch…".
	 * It works whether or not Get User is enabled, and documents no rate limit. What MoEngage answers
	 * to a missing or mismatched MOE-APPKEY is not documented for this endpoint: the simulator gives
	 * Cohort Sync's documented 401s for the same header. The region is logged, not judged: MoEngage
	 * documents no check of it.
	 */
	function answerTestConnection(request) {
		const { headers } = request;
		const user = authenticatedUser(headers);
		if (user === undefined || config.keyNotSet) return keyMismatch();
		const appKey = headers['moe-appkey'];
		if (appKey === undefined)
			return failBody(401, 'Authentication required', 'Authentication Header Required');
		if (appKey !== user)
			return failBody(
				401,
				'Authentication Mismatch',
				'App key mismatch in params and authentication',
			);
		if (config.blocked)
			return failBody(
				403,
				'BlockedClient',
				'Your account is suspended. Please contact MoEngage team.',
			);
		if (contentTypeOf(headers) !== 'application/json')
			return failBody(415, 'MediaTypeError', 'Unsupported Media Type');
		const { refusal, object: body } = readBody(request);
		if (refusal) return refusal;
		for (const field of ['app_id', 'app_secret', 'source', 'region']) {
			if (typeof body[field] !== 'string' || body[field] === '') {
				return failBody(
					400,
					'MissingAttributeError',
					`${field} is not found in the payload`,
					field,
				);
			}
		}
		if (body.app_id !== user)
			return failBody(
				401,
				'Authentication Mismatch',
				'App key mismatch in params and authentication',
			);
		if (body.app_secret !== config.apiKey) return keyMismatch();
		const override = intercepted(request);
		if (override) return override;
		if (config.testConnectionError !== undefined) {
			return { status: 200, body: { status: 'error', message: config.testConnectionError } };
		}
		return { status: 200, body: { status: 'success', app_name: config.workspaceName } };
	}

	/**
	 * A write endpoint's request: the checks every endpoint shares, in Get User's order (app_id, 401,
	 * 409, then answerAuthenticated's).
	 */
	function answerWrite(request, endpoint) {
		const { headers, appId } = request;
		if (!appId)
			return failBody(400, 'ParamsRequired', 'app_id is required in path/query params.', 'app_id');
		const user = authenticatedUser(headers);
		if (user === undefined) return keyMismatch();
		if (config.keyNotSet) {
			return failBody(
				409,
				'Authentication required.',
				'App Secret key is not set. Please login to the dashboard to set a key.',
			);
		}
		if (appId !== user)
			return failBody(
				409,
				'Authentication required.',
				'App key mismatch in params and authentication.',
			);
		return answerAuthenticated(request, endpoint);
	}

	/**
	 * Cohort Sync's request (docs/moengage-api.md#cohort-sync): it names no app_id, so its
	 * workspace is the Basic auth user, which the MOE-APPKEY header must repeat; the yaml's 401s
	 * for each, then answerAuthenticated's checks as for every write.
	 */
	function answerCohortSync(request) {
		const { headers } = request;
		if (!headers.authorization)
			return failBody(401, 'Authentication required', 'Authentication Header Required');
		const user = authenticatedUser(headers);
		// No 409 is documented here: a workspace without a key set fails its Basic auth.
		if (user === undefined || config.keyNotSet) return keyMismatch();
		const appKey = headers['moe-appkey'];
		if (!appKey) return missingAppKey();
		if (appKey !== user)
			return failBody(
				401,
				'Authentication Mismatch',
				'App key mismatch in params and authentication',
			);
		return answerAuthenticated(request, writes.cohort.endpoint);
	}

	/**
	 * MOE-APPKEY is required, and the yaml's 400 counts a missing "APP KEY" among its causes; its
	 * 401 "Authentication Header Required" could be the answer too, as Test Connection here gives it.
	 * config.missingAppKey picks one. The 400's words are undocumented: they follow the documented
	 * "… is not found in the payload".
	 */
	function missingAppKey() {
		if (config.missingAppKey === '401')
			return failBody(401, 'Authentication required', 'Authentication Header Required');
		return failBody(
			400,
			'MissingAttributeError',
			'MOE-APPKEY is not found in the request headers',
			'MOE-APPKEY',
		);
	}

	/**
	 * A write whose caller is known: 403, Content-Type, size, JSON, the endpoint's own body checks, a
	 * fault or a hook, its rate windows, and only then its effect: a refused or faulted request
	 * changes nothing, except under an applied-* fault, which loses the answer after the effect.
	 */
	function answerAuthenticated(request, endpoint) {
		const { headers, raw } = request;
		if (config.blocked) return endpoint.blocked();
		if (headers['content-type'] === undefined && endpoint.missingContentType)
			return endpoint.missingContentType();
		if (contentTypeOf(headers) !== 'application/json') return endpoint.unsupported();
		if (raw.length > endpoint.maxBytes) return endpoint.tooLarge();
		const { refusal, object } = readBody(request);
		if (refusal) return refusal;
		const checked = endpoint.check(object, clockNow());
		if (checked.refusal) return checked.refusal;
		const fault = pickFault(request);
		if (fault && !APPLIED_FAULT_KINDS.includes(fault)) return writeFaultAnswer(fault, endpoint);
		const earned = applyWrite(request, endpoint, checked.plan);
		return fault ? lostAnswer(fault, earned) : earned;
	}

	/** A checked write's hook, rate windows and effect, and the answer they earn. */
	function applyWrite(request, endpoint, plan) {
		const override = intercepted(request);
		if (override) return override;
		const now = clockNow();
		const costs = endpoint.cost(plan);
		if (!costs.every(([window, count]) => window.fits(now, count))) {
			return withRateLimitHeaders(endpoint.rateLimited(), now, endpoint.headerWindow(now));
		}
		for (const [window, count] of costs) window.spend(now, count);
		const refusal = endpoint.apply(plan, now);
		return withRateLimitHeaders(
			refusal ?? { status: 200, body: endpoint.accepted() },
			now,
			endpoint.headerWindow(now),
		);
	}

	/** The answer a write earned, lost on its way back as an applied-* fault's twin loses one. */
	function lostAnswer(kind, earned) {
		const lost = faultAnswer(kind, config, earned.body);
		return kind === 'applied-truncated' ? { ...earned, ...lost, status: earned.status } : lost;
	}

	/** Faults as Get User has them, but a 429 or 500 in the words of the endpoint that answers. */
	function writeFaultAnswer(kind, endpoint) {
		if (kind === '429') return endpoint.rateLimited();
		if (kind === '429-retry-after')
			return { ...endpoint.rateLimited(), headers: { 'Retry-After': '1' } };
		if (kind === '500' && endpoint.serverError) return endpoint.serverError();
		return faultAnswer(kind, config, endpoint.accepted());
	}

	/** MoEngage's x-ratelimit-* headers, counted in the unit of the window's own limit. */
	function withRateLimitHeaders(result, now, window) {
		if (!config.rateLimitHeaders) return result;
		const used = window.used(now);
		const freesAt = window.freesAt(now);
		const reset =
			config.rateLimitHeaders === 'epoch'
				? Math.ceil(freesAt / 1000)
				: Math.max(0, Math.ceil((freesAt - now) / 1000));
		return {
			...result,
			headers: {
				...(result.headers ?? {}),
				'x-ratelimit-limit': String(window.limit()),
				'x-ratelimit-remaining': String(Math.max(0, window.limit() - used)),
				'x-ratelimit-reset': String(reset),
			},
		};
	}

	function lookUp(identifiers, fields) {
		const found = [];
		const notFound = [];
		for (const { identifier_type: type, identifier } of identifiers) {
			const profile = byType[type === 'customer_id' ? 'customer_id' : 'id'].get(identifier);
			if (!profile) {
				notFound.push({ identifier_type: type, identifier });
				continue;
			}
			const attributes = {};
			for (const [name, value] of Object.entries(profile)) {
				const key = config.answerKeys[name] ?? name;
				if (fields === undefined || fields.includes(key)) attributes[key] = value;
			}
			found.push({ user_attributes: attributes });
		}
		// MoEngage does not promise the order of `users`: a node that relies on it must fail here.
		for (let i = found.length - 1; i > 0; i--) {
			const j = Math.floor(shuffle() * (i + 1));
			[found[i], found[j]] = [found[j], found[i]];
		}
		return {
			status: 'success',
			type: 'export_users',
			data: { users_not_found: notFound, users: found },
		};
	}

	/**
	 * Every request, answered or refused: Get User's carry the identifiers and fields it asked for,
	 * a write's its parsed body (undefined when it is not JSON); Cohort Sync's, Inform's and campaign
	 * stats' also their MOE-APPKEY, as `appKey` and as `appId` (null when none was sent), since they
	 * name no app_id; Inform's whether it went to the sandbox host.
	 */
	function logEntry(request, result, path) {
		const entry = {
			endpoint: request.endpoint,
			at: clockNow(),
			path,
			status: result.status,
			fault: request.fault,
			appId: request.appId ?? request.url.searchParams.get('app_id'),
			forwardedFor: request.headers['x-forwarded-for'],
			authorization: request.headers.authorization,
		};
		if (request.endpoint === 'export' || request.endpoint === undefined) {
			entry.identifiers = request.identifiers;
			entry.fields = request.identifiers
				? JSON.parse(request.raw.toString('utf8')).data.user_fields_to_export
				: undefined;
		} else {
			entry.body = request.body ?? parsedOrUndefined(request.raw);
		}
		if (['cohortSync', 'inform', 'campaignStats'].includes(request.endpoint)) {
			entry.appId = request.appId;
			entry.appKey = request.headers['moe-appkey'];
		}
		if (request.endpoint === 'inform') entry.sandbox = request.sandbox;
		return entry;
	}

	let inFlight = 0;
	const stats = { maxInFlight: 0 };
	const server = http.createServer((req, res) => {
		inFlight++;
		stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
		res.on('close', () => inFlight--);
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const request = {
				method: req.method,
				url: new URL(req.url, 'http://simulator'),
				headers: req.headers,
				raw: Buffer.concat(chunks),
				identifiers: undefined,
				fault: undefined,
			};
			const result = answer(request);
			log.push(logEntry(request, result, req.url));
			const send = () => {
				if (result.destroy) {
					req.socket.destroy();
					return;
				}
				const text = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
				res.writeHead(result.status, {
					'Content-Type':
						result.contentType ??
						(typeof result.body === 'string' ? 'text/html' : 'application/json'),
					...(result.headers ?? {}),
				});
				res.end(text);
			};
			const delay = result.delayMs ?? config.latencyMs;
			if (delay > 0) setTimeout(send, delay);
			else send();
		});
	});

	return {
		config,
		users,
		log,
		stats,
		faultCounts,
		/** What the write endpoints did, since the last reset (see writes.js for each entry's shape). */
		events: writes.events,
		dropped: writes.dropped,
		merges: writes.merges,
		deletions: writes.deletions,
		ignored: writes.ignored,
		/** Every accepted Cohort Sync, in arrival order; reading it processes the ones due. */
		get cohortSyncs() {
			writes.purge(clockNow());
			return writes.cohort.syncs;
		},
		/** A Cohort Sync segment as it stands now (its members as customer IDs), or undefined. */
		segment(cohortId) {
			writes.purge(clockNow());
			return writes.cohort.segment(cohortId);
		},
		/** The customer IDs in a Cohort Sync segment now, in the order they joined, or undefined. */
		segmentMembers(cohortId) {
			writes.purge(clockNow());
			return writes.cohort.segment(cohortId)?.members;
		},
		/** Every live Inform message accepted since the last reset, in arrival order. */
		informMessages: inform.messages,
		/** Every test alert (the sandbox host) accepted since the last reset, in arrival order. */
		testAlerts: inform.testAlerts,
		/** The seeded campaigns (or the ones given) that campaign stats answers for. */
		campaigns,
		/** Every campaign stats request answered with figures since the last reset. */
		statsRequests: campaignStats.requests,
		/** The live profile of a customer ID, as Get User would find it now, or undefined. */
		userByCustomerId(customerId) {
			writes.purge(clockNow());
			return store.find('customer_id', customerId);
		},
		/** The live profile of a MoEngage ID, or undefined. */
		userById(id) {
			writes.purge(clockNow());
			return store.find('id', id);
		},
		/** The API without HTTP: a request {method, url, headers, raw} in, {status, body, headers, destroy?, delayMs?} out. */
		handle(request) {
			const parsed = { identifiers: undefined, fault: undefined, ...request };
			const result = answer(parsed);
			log.push(logEntry(parsed, result, `${request.url.pathname}${request.url.search}`));
			return result;
		},
		/** Adds faults to the script of one endpoint (see the scriptedFaults option), until the next reset. */
		scriptFaults(endpoint, kinds) {
			checkFaultKinds(kinds, `scriptFaults('${endpoint}')`);
			(scripted[endpoint] ??= []).push(...kinds);
		},
		/** Adds a fault hook; returns a function that removes it. */
		intercept(hook) {
			interceptors.push(hook);
			return () => interceptors.splice(interceptors.indexOf(hook), 1);
		},
		/** Identifiers sent more than once since the last reset (the node sends each once per run). */
		duplicateIdentifiers() {
			const seen = new Set();
			const duplicates = [];
			for (const entry of log) {
				for (const { identifier_type: type, identifier } of entry.identifiers ?? []) {
					const key = `${type}:${identifier}`;
					if (seen.has(key)) duplicates.push(key);
					seen.add(key);
				}
			}
			return duplicates;
		},
		/**
		 * Forgets every request, write, Inform message and transaction_id window, stats request, fault
		 * count and hook; restores the scripted faults and the seeded users.
		 */
		reset() {
			log.length = 0;
			exportWindow.clear();
			writes.reset();
			inform.reset();
			campaignStats.reset();
			restoreScript();
			store.restore();
			stats.maxInFlight = 0;
			for (const kind of Object.keys(faultCounts)) delete faultCounts[kind];
			interceptors.length = 0;
		},
		async start(port = 0, host = '127.0.0.1') {
			await new Promise((resolve, reject) => {
				server.once('error', reject);
				server.listen(port, host, resolve);
			});
			const address = server.address();
			this.url = `http://${host}:${address.port}`;
			return this.url;
		},
		async stop() {
			server.closeAllConnections?.();
			await new Promise((resolve) => server.close(() => resolve()));
		},
	};
}

module.exports = {
	createSimulator,
	makeUsers,
	makeCampaigns,
	campaignStatsAnswer,
	DEFAULT_ALERTS,
	randomFrom,
	FAULT_KINDS,
	APPLIED_FAULT_KINDS,
	MAX_IDENTIFIERS,
	MAX_PAYLOAD_BYTES,
};
