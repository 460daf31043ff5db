'use strict';
/**
 * A local stand-in for MoEngage's Get User API (POST /v1/customers/export), as strict as the
 * documented API: ../shared/moengage-get-user-api.md. It is the only fake in the tests: the node,
 * n8n's engine and the HTTP stack in between are real.
 */
const http = require('node:http');
const crypto = require('node:crypto');

const MAX_IDENTIFIERS = 20;
const MAX_PAYLOAD_BYTES = 128 * 1024;
/** identifier_type of a MoEngage ID: "id" in MoEngage's prose and example, "moengage_id" in its OpenAPI enum. */
const ID_SPELLINGS = { id: ['id'], moengage_id: ['moengage_id'], both: ['id', 'moengage_id'] };

/** A small deterministic PRNG (mulberry32): the same seed gives the same users and the same faults. */
function randomFrom(seed) {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const FIRST_NAMES = ['Asha', 'Ben', 'Chen', 'Dana', 'Elif', 'Femi', 'Greta', 'Hiro', 'Ines', 'Jon'];
const LAST_NAMES = ['Rao', 'Okafor', 'Silva', 'Novak', 'Kim', 'Haddad', 'Berg', 'Mensah', 'Ortiz', 'Lee'];
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
		const id = Array.from({ length: 24 }, () => Math.floor(random() * 16).toString(16)).join('');
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

function failBody(status, type, message, attribute) {
	const error = { message, type, request_id: crypto.randomUUID() };
	if (attribute) error.attribute = attribute;
	return { status, body: { status: 'fail', error } };
}

/** Every way MoEngage, or a proxy in front of it, has been seen to misbehave. */
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

function faultAnswer(kind, config, validBody) {
	switch (kind) {
		case '429':
			return failBody(429, 'RateLimitError', 'Rate limit exceeded for this workspace');
		case '429-retry-after':
			return { ...failBody(429, 'RateLimitError', 'Rate limit exceeded for this workspace'), headers: { 'Retry-After': '1' } };
		case '429-title':
			return { status: 429, body: { status: 'fail', title: 'Rate limit exceeded', description: 'Exceeded rate limit for this url' } };
		case '500':
			return failBody(500, 'ServerError', 'Internal Error');
		case '502':
			return { status: 502, body: { status: 'fail', title: 'Bad Gateway', description: 'Upstream error' } };
		case '503':
			return { status: 503, body: { status: 'fail', title: 'Service Unavailable', description: 'Try again later' } };
		case 'html':
			return { status: 503, body: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>' };
		case 'reset':
			return { status: 0, destroy: true };
		case 'hang':
			return { status: 0, destroy: true, delayMs: config.faults.hangMs ?? 2000 };
		case 'truncated': {
			const text = JSON.stringify(validBody);
			return { status: 200, body: text.slice(0, Math.floor(text.length / 2)), contentType: 'application/json' };
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
 * function, default Date.now), and
 * faults: {rate, seed, kinds, hangMs} — a seeded share of requests answered with a fault.
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
		poisonAttribute: options.poisonAttribute === undefined ? 'identifiers' : options.poisonAttribute,
		idSpelling: options.idSpelling ?? 'id',
		answerKeys: options.answerKeys ?? {},
		rateLimitHeaders: options.rateLimitHeaders,
		faults: { rate: 0, kinds: FAULT_KINDS, seed: 99, ...(options.faults ?? {}) },
	};
	// A test may run the simulator on a virtual clock; the rate window and the log follow it.
	const clockNow = options.now ?? Date.now;
	const faultRandom = randomFrom(config.faults.seed);
	const faultCounts = {};
	const users = options.userList ?? makeUsers(options.users ?? 1000, config.seed);
	const byType = { customer_id: new Map(), id: new Map() };
	const index = (user) => {
		byType.customer_id.set(String(user.customer_id), user);
		byType.id.set(String(user.id), user);
	};
	users.forEach(index);
	const shuffle = randomFrom(config.seed + 1);

	const log = [];
	const spent = []; // {at, count}: identifiers answered within the rolling window
	/** Fault hooks: each gets the parsed request and may return {status, body, headers} to answer instead. */
	const interceptors = [];

	function spentInWindow(now) {
		while (spent.length > 0 && spent[0].at <= now - config.windowMs) spent.shift();
		return spent.reduce((sum, entry) => sum + entry.count, 0);
	}

	function rateLimited() {
		if (config.rateLimitShape === 'title') {
			return {
				status: 429,
				body: { status: 'fail', title: 'Rate limit exceeded', description: 'Exceeded rate limit for this url' },
			};
		}
		return failBody(429, 'RateLimitError', 'Rate limit exceeded for this workspace');
	}

	/** The API's checks, in the order MoEngage documents its statuses. */
	function answer(request) {
		const { url, headers, raw } = request;
		if (request.method !== 'POST' || url.pathname !== '/v1/customers/export') {
			return failBody(404, 'NotFound', `No route for ${request.method} ${url.pathname}`);
		}
		const appId = url.searchParams.get('app_id');
		if (!appId) return failBody(400, 'ParamsRequired', 'app_id is required', 'app_id');
		const auth = headers.authorization ?? '';
		const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(auth);
		if (!match) return failBody(401, 'Authentication required', 'Authentication required');
		const decoded = Buffer.from(match[1], 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		const user = decoded.slice(0, colon);
		const password = decoded.slice(colon + 1);
		if (colon < 0 || user !== config.workspaceId || password !== config.apiKey) {
			return failBody(401, 'Authentication required', 'Authentication required');
		}
		if (config.keyNotSet || appId !== user) {
			return failBody(409, 'Authentication required.', 'Authentication required.');
		}
		if (config.blocked) return failBody(403, 'BlockedClient', 'Your account has been blocked');
		const contentType = String(headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
		if (contentType !== 'application/json') {
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
			return failBody(400, 'LimitBreached', `max limit allowed is ${MAX_IDENTIFIERS}`, 'identifiers');
		}
		request.identifiers = identifiers;
		const types = ['customer_id', ...ID_SPELLINGS[config.idSpelling]];
		for (const entry of identifiers) {
			if (typeof entry !== 'object' || entry === null || !types.includes(entry.identifier_type)) {
				return failBody(400, 'InvalidParams', `identifier_type must be ${types.join(' or ')}`, 'identifiers');
			}
			if (typeof entry.identifier !== 'string' || entry.identifier === '') {
				return failBody(400, 'InvalidParams', 'identifier must be a non-empty string', 'identifiers');
			}
		}
		if (fields !== undefined && (!Array.isArray(fields) || !fields.every((field) => typeof field === 'string'))) {
			return failBody(400, 'InvalidParams', 'user_fields_to_export must be a list of strings', 'user_fields_to_export');
		}
		const poisoned = identifiers.find((entry) => config.poison.has(entry.identifier));
		if (poisoned) {
			return failBody(400, 'InvalidParams', `identifier ${JSON.stringify(poisoned.identifier)} is not valid`, config.poisonAttribute);
		}
		if (config.faults.rate > 0 && faultRandom() < config.faults.rate) {
			const kind = config.faults.kinds[Math.floor(faultRandom() * config.faults.kinds.length)];
			faultCounts[kind] = (faultCounts[kind] ?? 0) + 1;
			request.fault = kind;
			return faultAnswer(kind, config, lookUp(identifiers, fields));
		}
		for (const intercept of interceptors) {
			const override = intercept(request);
			if (override) return override;
		}
		const now = clockNow();
		if (spentInWindow(now) + identifiers.length > config.usersPerWindow) return withRateLimitHeaders(rateLimited(), now);
		spent.push({ at: now, count: identifiers.length });
		return withRateLimitHeaders({ status: 200, body: lookUp(identifiers, fields) }, now);
	}

	/** MoEngage's x-ratelimit-* headers, counted in users like the limit itself. */
	function withRateLimitHeaders(result, now) {
		if (!config.rateLimitHeaders) return result;
		const used = spentInWindow(now);
		const freesAt = spent.length > 0 ? spent[0].at + config.windowMs : now;
		const reset =
			config.rateLimitHeaders === 'epoch' ? Math.ceil(freesAt / 1000) : Math.max(0, Math.ceil((freesAt - now) / 1000));
		return {
			...result,
			headers: {
				...(result.headers ?? {}),
				'x-ratelimit-limit': String(config.usersPerWindow),
				'x-ratelimit-remaining': String(Math.max(0, config.usersPerWindow - used)),
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
		return { status: 'success', type: 'export_users', data: { users_not_found: notFound, users: found } };
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
			const entry = {
				at: clockNow(),
				path: req.url,
				status: result.status,
				fault: request.fault,
				appId: request.url.searchParams.get('app_id'),
				identifiers: request.identifiers,
				fields: request.identifiers ? JSON.parse(request.raw.toString('utf8')).data.user_fields_to_export : undefined,
				forwardedFor: req.headers['x-forwarded-for'],
				authorization: req.headers.authorization,
			};
			log.push(entry);
			const send = () => {
				if (result.destroy) {
					req.socket.destroy();
					return;
				}
				const text = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
				res.writeHead(result.status, {
					'Content-Type': result.contentType ?? (typeof result.body === 'string' ? 'text/html' : 'application/json'),
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
		/** The API without HTTP: a request {method, url, headers, raw} in, {status, body, headers, destroy?, delayMs?} out. */
		handle(request) {
			const parsed = { identifiers: undefined, fault: undefined, ...request };
			const result = answer(parsed);
			log.push({
				at: clockNow(),
				path: `${request.url.pathname}${request.url.search}`,
				status: result.status,
				fault: parsed.fault,
				identifiers: parsed.identifiers,
			});
			return result;
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
		reset() {
			log.length = 0;
			spent.length = 0;
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

module.exports = { createSimulator, makeUsers, FAULT_KINDS, MAX_IDENTIFIERS, MAX_PAYLOAD_BYTES };
