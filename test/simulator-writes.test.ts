/**
 * The simulator's write endpoints (Track User, Track Event, Bulk Import, Delete User, Merge Users)
 * must refuse, drop and accept exactly what MoEngage documents (docs/moengage-api.md#bulk-import, #delete-user, #merge-users), so
 * that a node proven against them behaves the same against MoEngage.
 */
import type { SimulatorRequest } from '../simulator/simulator';
import {
	requestsTo,
	simulatorForFile,
	withSimulator,
	type SimulatorEndpoint,
} from './support/simulators';

/** The simulator's clock: a test moves it to cross the 24-hour deletion buffer or a rate window. */
const START = Date.UTC(2025, 0, 15, 12);
let time = START;
const now = () => time;
const defaults = { users: 30, workspaceId: 'WS1', apiKey: 'key1', now };

const simulator = simulatorForFile(defaults, () => {
	time = START;
});

const basic = (user: string, password: string) =>
	`Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const TRACK_USER = '/v1/customer/WS1';
const TRACK_EVENT = '/v1/event/WS1';
const BULK = '/v1/transition/WS1';
const DELETE = '/v1/customer/delete?app_id=WS1';
const MERGE = '/v1/customer/merge?app_id=WS1';

type Sent = { url?: string; auth?: string; contentType?: string; raw?: string };

async function send(
	path: string,
	body: unknown,
	{
		url = simulator.url,
		auth = basic('WS1', 'key1'),
		contentType = 'application/json',
		raw,
	}: Sent = {},
) {
	const response = await fetch(`${url}${path}`, {
		method: 'POST',
		headers: {
			...(auth ? { Authorization: auth } : {}),
			...(contentType ? { 'Content-Type': contentType } : {}),
		},
		body: raw ?? JSON.stringify(body),
	});
	return { status: response.status, body: await response.json(), headers: response.headers };
}

/**
 * What a client sees of one request, without assuming an answer came: its status and raw text, or
 * the message of the error fetch throws ("fetch failed" when the connection is dropped, a timeout's
 * when `signal` gives up).
 */
async function attempt(path: string, body: unknown, url: string, signal?: AbortSignal) {
	try {
		const response = await fetch(`${url}${path}`, {
			method: 'POST',
			headers: { Authorization: basic('WS1', 'key1'), 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
			signal,
		});
		return { status: response.status, text: await response.text() };
	} catch (error) {
		return { error: (error as Error).message };
	}
}

/** A body of exactly `bytes` bytes: `body` plus a padding key every endpoint ignores. */
const padded = (body: object, bytes: number) => {
	const bare = JSON.stringify({ ...body, pad: '' }).length;
	return JSON.stringify({ ...body, pad: 'x'.repeat(bytes - bare) });
};

/** Get User's answer for one identifier: the user's attributes, or undefined when not found. */
async function exported(identifier: string, type = 'customer_id', url = simulator.url) {
	const { body } = await send(
		`/v1/customers/export?app_id=WS1`,
		{ data: { identifiers: [{ identifier_type: type, identifier }] } },
		{ url },
	);
	return body.data.users[0]?.user_attributes as Record<string, unknown> | undefined;
}

const fail = (type: string, message: string, attribute?: string) => ({
	status: 'fail',
	error: { type, message, request_id: expect.any(String), ...(attribute ? { attribute } : {}) },
});
const ACCEPTED = {
	status: 'success',
	message: 'Your request has been accepted and will be processed soon.',
	request_id: expect.any(String),
};

const user = (customerId: string, attributes?: object, extra: object = {}) => ({
	type: 'customer',
	customer_id: customerId,
	...(attributes ? { attributes } : {}),
	...extra,
});
const event = (customerId: string, ...actions: object[]) => ({
	type: 'event',
	customer_id: customerId,
	actions,
});
const bulk = (...elements: object[]) => ({ type: 'transition', elements });
const seeded = (n: number) => simulator.users[n].customer_id as string;

/** One valid request per write endpoint, for the checks they all share. */
const VALID: Array<[string, string, () => object, (path: string) => string]> = [
	['Track User', TRACK_USER, () => user('new-user'), () => '/v1/customer/OTHER'],
	[
		'Track Event',
		TRACK_EVENT,
		() => event('new-user', { action: 'Opened' }),
		() => '/v1/event/OTHER',
	],
	['Bulk Import', BULK, () => bulk(user('new-user')), () => '/v1/transition/OTHER'],
	[
		'Delete User',
		DELETE,
		() => ({ identity_type: 'customer_id', identity_value: seeded(0) }),
		() => '/v1/customer/delete?app_id=OTHER',
	],
	[
		'Merge Users',
		MERGE,
		() => ({ merge_data: [{ merged_user: seeded(0), retained_user: seeded(1) }] }),
		() => '/v1/customer/merge?app_id=OTHER',
	],
];

/** The log's name for the endpoint of each VALID path. */
const VALID_ENDPOINTS: Record<string, SimulatorEndpoint> = {
	[TRACK_USER]: 'trackUser',
	[TRACK_EVENT]: 'trackEvent',
	[BULK]: 'bulk',
	[DELETE]: 'delete',
	[MERGE]: 'merge',
};

describe('every write endpoint', () => {
	it.each(VALID)(
		'%s refuses a missing or wrong key with 401 "App Secret key mismatch"',
		async (_, path, body) => {
			for (const auth of ['', 'Bearer key1', basic('WS1', 'nope')]) {
				const answer = await send(path, body(), { auth });
				expect(answer.status).toBe(401);
				expect(answer.body).toEqual(
					fail(
						'Authentication required',
						'App Secret key mismatch. Please login to the dashboard to verify key',
					),
				);
			}
		},
	);

	it.each(VALID)(
		'%s answers 409 when the app_id it names is not the auth user',
		async (_, path, body, other) => {
			const answer = await send(other(path), body());
			expect(answer.status).toBe(409);
			expect(answer.body).toEqual(
				fail('Authentication required.', 'App key mismatch in params and authentication.'),
			);
		},
	);

	it.each(VALID)(
		'%s answers 415 to a body that is not sent as application/json',
		async (_, path, body) => {
			expect((await send(path, body(), { contentType: 'text/plain' })).status).toBe(415);
		},
	);

	it.each(VALID)('%s answers 400 "Malformed JSON" to a body that is not JSON', async (_, path) => {
		const answer = await send(path, undefined, { raw: '{"type": "customer", ' });
		expect(answer.status).toBe(400);
		expect(answer.body).toMatchObject({ status: 'fail', error: { type: 'Malformed JSON' } });
	});

	it.each(VALID)(
		'%s checks the key before the Content-Type and the size before the JSON',
		async (_, path) => {
			expect(
				(await send(path, undefined, { auth: '', contentType: 'text/plain', raw: '{' })).status,
			).toBe(401);
			expect(
				(await send(path, undefined, { raw: `{"pad":"${'x'.repeat(200 * 1024)}` })).status,
			).toBe(413);
		},
	);

	it.each(VALID)('%s changes nothing when it refuses a request', async (_, path, body) => {
		await send(path, body(), { auth: '' });
		expect(simulator.userByCustomerId('new-user')).toBeUndefined();
		expect([simulator.events, simulator.deletions, simulator.merges, simulator.dropped]).toEqual([
			[],
			[],
			[],
			[],
		]);
	});

	it("answers 403 for a blocked workspace, in each endpoint's words", async () => {
		await withSimulator({ ...defaults, blocked: true }, async (blocked) => {
			const answers = await Promise.all(
				VALID.map(([, path, body]) => send(path, body(), { url: blocked.url })),
			);
			expect(answers.map((answer) => answer.status)).toEqual([403, 403, 403, 403, 403]);
			expect(answers[3].body).toEqual(fail('InvalidParams', 'given app_id is invalid/blocked'));
			expect(answers[4].body).toEqual(
				fail('Account Temporarily Suspended.', 'Account Temporarily Suspended.'),
			);
		});
	});

	it('answers 400 ParamsRequired when Delete or Merge has no app_id in its query', async () => {
		for (const path of ['/v1/customer/delete', '/v1/customer/merge']) {
			const answer = await send(path, {});
			expect(answer.status).toBe(400);
			expect(answer.body).toEqual(
				fail('ParamsRequired', 'app_id is required in path/query params.', 'app_id'),
			);
		}
	});

	it('logs each write with its endpoint, status, time, path and parsed body', async () => {
		time = START + 5;
		await send(TRACK_USER, user('logged-user'));
		await send(DELETE, undefined, { raw: 'not json' });
		expect(requestsTo(simulator, 'trackUser')).toEqual([
			expect.objectContaining({
				endpoint: 'trackUser',
				status: 200,
				at: START + 5,
				path: TRACK_USER,
				body: user('logged-user'),
			}),
		]);
		expect(requestsTo(simulator, 'delete')).toEqual([
			expect.objectContaining({ endpoint: 'delete', status: 400, path: DELETE, body: undefined }),
		]);
		await exported('logged-user');
		expect(requestsTo(simulator, 'export')).toEqual([
			expect.objectContaining({ endpoint: 'export', status: 200 }),
		]);
	});

	it("applies the seeded faults to writes, with the endpoint's own 429 and 500 bodies, and applies nothing", async () => {
		await withSimulator({ ...defaults, faults: { rate: 1, kinds: ['429'] } }, async (faulty) => {
			const answer = await send(TRACK_EVENT, event('faulted', { action: 'Opened' }), {
				url: faulty.url,
			});
			expect(answer.status).toBe(429);
			expect(answer.body.error.type).toBe('Rate Limits Exceeded');
			expect(faulty.events).toEqual([]);
			expect(faulty.userByCustomerId('faulted')).toBeUndefined();
			expect(requestsTo(faulty, 'trackEvent')[0].fault).toBe('429');
		});
		await withSimulator({ ...defaults, faults: { rate: 1, kinds: ['500'] } }, async (faulty) => {
			const answer = await send(
				DELETE,
				{ identity_type: 'customer_id', identity_value: 'cust-00001' },
				{ url: faulty.url },
			);
			expect(answer).toMatchObject({
				status: 500,
				body: {
					status: 'fail',
					title: 'Internal Error',
					description: 'Please contact the MoEngage team.',
				},
			});
			expect(faulty.deletions).toEqual([]);
		});
	});

	it.each(['reset', 'hang', 'truncated', 'not-json', 'html'] as const)(
		'applies nothing under the %s fault (the answer-only kinds)',
		async (kind) => {
			await withSimulator(
				{ ...defaults, faults: { rate: 1, kinds: [kind], hangMs: 50 } },
				async (faulty) => {
					await attempt(TRACK_EVENT, event('faulted', { action: 'Opened' }), faulty.url);
					expect(faulty.events).toEqual([]);
					expect(faulty.userByCustomerId('faulted')).toBeUndefined();
					expect(requestsTo(faulty, 'trackEvent')).toEqual([
						expect.objectContaining({ fault: kind }),
					]);
				},
			);
		},
	);

	it.each(VALID)(
		'%s takes effect under the applied-reset fault, and only its answer is lost',
		async (_, path, body) => {
			await withSimulator(
				{ ...defaults, faults: { rate: 1, kinds: ['applied-reset'] } },
				async (faulty) => {
					expect(await attempt(path, body(), faulty.url)).toEqual({ error: 'fetch failed' });
					// Whichever the endpoint changes: the new user, a scheduled deletion or a merge.
					expect(
						faulty.userByCustomerId('new-user') ?? faulty.deletions[0] ?? faulty.merges[0],
					).toBeDefined();
					expect(requestsTo(faulty, VALID_ENDPOINTS[path])).toEqual([
						expect.objectContaining({ fault: 'applied-reset', status: 0 }),
					]);
				},
			);
		},
	);

	it.each([
		['applied-reset', { error: 'fetch failed' }],
		['applied-hang', { error: 'fetch failed' }],
		// The accepted answer's first half (its request_id, a UUID, is always 36 characters long).
		[
			'applied-truncated',
			{
				status: 200,
				text: '{"status":"success","message":"Your request has been accepted and will ',
			},
		],
	] as const)(
		"applies a Bulk request under the %s fault, then loses its answer as the fault's twin does",
		async (kind, seen) => {
			await withSimulator(
				{ ...defaults, faults: { rate: 1, kinds: [kind], hangMs: 50 } },
				async (faulty) => {
					const answer = await attempt(
						BULK,
						bulk(user('lost-answer', { plan: 'gold' }), event('lost-answer', { action: 'Opened' })),
						faulty.url,
					);
					expect(answer).toEqual(seen);
					expect(faulty.userByCustomerId('lost-answer')).toMatchObject({ plan: 'gold' });
					expect(faulty.events).toEqual([
						expect.objectContaining({ customer_id: 'lost-answer', action: 'Opened' }),
					]);
					expect(requestsTo(faulty, 'bulk')).toEqual([expect.objectContaining({ fault: kind })]);
					expect(faulty.faultCounts).toEqual({ [kind]: 1 });
				},
			);
		},
	);

	it.each([
		['applied-reset', { error: 'fetch failed' }],
		[
			'applied-truncated',
			{
				status: 200,
				text: '{"status":"success","type":"export_users","data":{"users_not_found":[',
			},
		],
	] as const)(
		'lets Get User, which changes nothing, meet the %s fault as its twin',
		async (kind, seen) => {
			await withSimulator({ ...defaults, faults: { rate: 1, kinds: [kind] } }, async (faulty) => {
				const lookup = {
					data: { identifiers: [{ identifier_type: 'customer_id', identifier: 'nobody' }] },
				};
				expect(await attempt('/v1/customers/export?app_id=WS1', lookup, faulty.url)).toEqual(seen);
				expect(requestsTo(faulty, 'export')).toEqual([expect.objectContaining({ fault: kind })]);
			});
		},
	);

	it('lets an intercept hook answer a write instead, seeing the endpoint and the parsed body', async () => {
		const seen: Array<Pick<SimulatorRequest, 'endpoint' | 'body'>> = [];
		simulator.intercept((request) => {
			seen.push({ endpoint: request.endpoint, body: request.body });
			return request.endpoint === 'trackUser'
				? { status: 503, body: { status: 'fail' } }
				: undefined;
		});
		expect((await send(TRACK_USER, user('hooked'))).status).toBe(503);
		expect(simulator.userByCustomerId('hooked')).toBeUndefined();
		expect((await send(TRACK_EVENT, event('hooked', { action: 'Opened' }))).status).toBe(200);
		expect(seen).toEqual([
			{ endpoint: 'trackUser', body: user('hooked') },
			{ endpoint: 'trackEvent', body: event('hooked', { action: 'Opened' }) },
		]);
	});

	it("sends x-ratelimit-* headers counted in the endpoint's own unit (events for Track Event)", async () => {
		await withSimulator(
			{ ...defaults, rateLimitHeaders: 'delta', limits: { trackEvent: 10 } },
			async (headed) => {
				const answer = await send(
					TRACK_EVENT,
					event('counted', { action: 'A' }, { action: 'B' }, { action: 'C' }),
					{ url: headed.url },
				);
				expect(answer.headers.get('x-ratelimit-limit')).toBe('10');
				expect(answer.headers.get('x-ratelimit-remaining')).toBe('7');
				expect(answer.headers.get('x-ratelimit-reset')).toBe('60');
			},
		);
	});

	it('keeps one window per endpoint: Track User spending does not count against Track Event', async () => {
		await withSimulator({ ...defaults, limits: { trackUser: 1, trackEvent: 1 } }, async (small) => {
			expect((await send(TRACK_USER, user('one'), { url: small.url })).status).toBe(200);
			expect(
				(await send(TRACK_EVENT, event('one', { action: 'A' }), { url: small.url })).status,
			).toBe(200);
			expect((await send(TRACK_USER, user('two'), { url: small.url })).status).toBe(429);
			time += 60_000;
			expect((await send(TRACK_USER, user('two'), { url: small.url })).status).toBe(200);
		});
	});

	it('waits latencyMs before answering a write', async () => {
		await withSimulator({ ...defaults, latencyMs: 80 }, async (slow) => {
			const started = Date.now();
			await send(TRACK_USER, user('slow-user'), { url: slow.url });
			expect(Date.now() - started).toBeGreaterThanOrEqual(70);
		});
	});

	it('applies a write delayed by latencyMs even when the client gave up waiting: the effect comes before the answer', async () => {
		await withSimulator({ ...defaults, latencyMs: 300 }, async (slow) => {
			const answer = await attempt(
				TRACK_EVENT,
				event('impatient', { action: 'Opened' }),
				slow.url,
				AbortSignal.timeout(100),
			);
			expect(answer).toEqual({ error: 'The operation was aborted due to timeout' });
			expect(slow.events).toEqual([
				expect.objectContaining({ customer_id: 'impatient', action: 'Opened' }),
			]);
			expect(slow.userByCustomerId('impatient')).toBeDefined();
		});
	});

	it('answers writes without HTTP through handle()', () => {
		const result = simulator.handle({
			method: 'POST',
			url: new URL(`http://simulator${TRACK_USER}`),
			headers: { authorization: basic('WS1', 'key1'), 'content-type': 'application/json' },
			raw: Buffer.from(JSON.stringify(user('in-memory'))),
		});
		expect(result).toEqual({ status: 200, body: ACCEPTED });
		expect(simulator.userByCustomerId('in-memory')).toMatchObject({ customer_id: 'in-memory' });
	});

	it('forgets every write on reset() and restores the seeded users', async () => {
		await send(TRACK_USER, user(seeded(0), { plan: 'gold' }));
		await send(BULK, bulk(user('guest')));
		await send(TRACK_EVENT, event('fresh', { action: 'Opened' }));
		await send(DELETE, { identity_type: 'customer_id', identity_value: seeded(1) });
		await send(MERGE, { merge_data: [{ merged_user: seeded(2), retained_user: seeded(3) }] });
		simulator.reset();
		expect([
			simulator.events,
			simulator.dropped,
			simulator.merges,
			simulator.deletions,
			simulator.ignored,
			simulator.log,
		]).toEqual([[], [], [], [], [], []]);
		expect(simulator.userByCustomerId('fresh')).toBeUndefined();
		expect(simulator.userByCustomerId(seeded(0))).toEqual(simulator.users[0]);
	});
});

describe('Track User: POST /v1/customer/{app_id}', () => {
	it('accepts a user with 200 "accepted and will be processed soon"', async () => {
		expect(await send(TRACK_USER, user('john@example.com', { name: 'JohnDoe' }))).toMatchObject({
			status: 200,
			body: ACCEPTED,
		});
	});

	it('creates an unknown user that Get User then finds by customer_id and by a new 24-hex MoEngage ID', async () => {
		await send(
			TRACK_USER,
			user('john@example.com', {
				name: 'JohnDoe',
				platforms: [{ platform: 'ANDROID', active: 'true' }],
			}),
		);
		const found = await exported('john@example.com');
		expect(found).toEqual({
			customer_id: 'john@example.com',
			id: expect.stringMatching(/^[0-9a-f]{24}$/),
			name: 'JohnDoe',
			platforms: [{ platform: 'ANDROID', active: 'true' }],
		});
		expect(await exported(found?.id as string, 'id')).toEqual(found);
	});

	it('merges attributes into an existing user, keeping the others', async () => {
		const before = simulator.users[0];
		await send(TRACK_USER, user(before.customer_id, { plan: 'gold', score: 7 }));
		expect(await exported(before.customer_id)).toEqual({ ...before, plan: 'gold', score: 7 });
	});

	it('with update_existing_only: true, updates a known user but does not create an unknown one (still 200)', async () => {
		expect(
			(await send(TRACK_USER, user('stranger', { plan: 'gold' }, { update_existing_only: true })))
				.status,
		).toBe(200);
		expect(
			await send(TRACK_USER, user(seeded(0), { plan: 'gold' }, { update_existing_only: true })),
		).toMatchObject({ status: 200 });
		expect(await exported('stranger')).toBeUndefined();
		expect(simulator.ignored).toEqual([
			{ endpoint: 'trackUser', customer_id: 'stranger', at: START },
		]);
		expect((await exported(seeded(0)))?.plan).toBe('gold');
	});

	it.each([
		[
			'customer_id is missing',
			{ type: 'customer' },
			fail('MissingAttributeError', 'customer_id is not found in the payload', 'customer_id'),
		],
		[
			'customer_id is empty',
			user(''),
			fail('MissingAttributeError', 'customer_id can not be empty Unicode String', 'customer_id'),
		],
		[
			'customer_id is a number',
			{ type: 'customer', customer_id: 12345 },
			fail(
				'MissingAttributeError',
				'customer_id is expected to be String or Unicode String.',
				'customer_id',
			),
		],
		[
			'type is not lowercase "customer"',
			{ ...user('john'), type: 'Customer' },
			fail('InvalidParams', 'type should be customer', 'type'),
		],
		[
			'update_existing_only is not a boolean',
			user('john', {}, { update_existing_only: 'true' }),
			fail(
				'InvalidParams',
				'update_existing_only is expected to be a boolean',
				'update_existing_only',
			),
		],
	])('answers 400 when %s', async (_, body, expected) => {
		expect(await send(TRACK_USER, body)).toMatchObject({ status: 400, body: expected });
	});

	it.each(['unknown', 'guest', 'NULL', 'n/a', 'user_id', '-1', '2', 'x'])(
		'refuses the disallowed customer_id %j with 400 InvalidParams',
		async (customerId) => {
			const answer = await send(TRACK_USER, user(customerId));
			expect(answer.status).toBe(400);
			expect(answer.body.error).toMatchObject({ type: 'InvalidParams', attribute: 'customer_id' });
			expect(simulator.userByCustomerId(customerId)).toBeUndefined();
		},
	);

	it.each(['id', '_id', '', 'moe_custom', 'MOE_unsubscribe'])(
		'refuses the attribute name %j with 400 InvalidParams on "attributes"',
		async (name) => {
			const answer = await send(TRACK_USER, user('john', { [name]: 1 }));
			expect(answer.status).toBe(400);
			expect(answer.body.error).toMatchObject({ type: 'InvalidParams', attribute: 'attributes' });
		},
	);

	it('under moeAttributes: "standard", takes the documented moe_ keys (moe_unsubscribe) but no other moe_ name', async () => {
		await withSimulator({ ...defaults, moeAttributes: 'standard' }, async (lenient) => {
			expect(
				(await send(TRACK_USER, user('john', { moe_unsubscribe: true }), { url: lenient.url }))
					.status,
			).toBe(200);
			expect(
				(await send(TRACK_USER, user('john', { moe_custom: true }), { url: lenient.url })).status,
			).toBe(400);
		});
	});

	it('takes 128 KB and refuses one byte more with 413 PayloadTooLarge', async () => {
		expect(
			(await send(TRACK_USER, undefined, { raw: padded(user('john'), 128 * 1024) })).status,
		).toBe(200);
		const over = await send(TRACK_USER, undefined, { raw: padded(user('john'), 128 * 1024 + 1) });
		expect(over).toMatchObject({
			status: 413,
			body: { status: 'fail', error: { type: 'PayloadTooLarge' } },
		});
	});

	it('answers 429 RateLimitError beyond limits.trackUser users per window, and creates no one', async () => {
		await withSimulator({ ...defaults, limits: { trackUser: 2 } }, async (small) => {
			await send(TRACK_USER, user('u-one'), { url: small.url });
			await send(TRACK_USER, user('u-two'), { url: small.url });
			const answer = await send(TRACK_USER, user('u-three'), { url: small.url });
			expect(answer).toMatchObject({
				status: 429,
				body: fail('RateLimitError', 'Rate limit exceeded'),
			});
			expect(small.userByCustomerId('u-three')).toBeUndefined();
		});
	});
});

describe('Track User and Bulk: array operators (docs/moengage-api.md#array-operators)', () => {
	it("appends addValueToArrayField's values to the array attribute, a missing or non-array one starting as []", async () => {
		await send(TRACK_USER, user('lister', { tags: ['a'], plan: 'free' }));
		const answer = await send(
			TRACK_USER,
			user('lister', { addValueToArrayField: { tags: ['b', 'c'], colors: 'red', plan: 'gold' } }),
		);
		expect(answer.status).toBe(200);
		// The operator keys are instructions: they are neither refused nor stored as attribute names.
		expect(await exported('lister')).toEqual({
			customer_id: 'lister',
			id: expect.any(String),
			tags: ['a', 'b', 'c'],
			colors: ['red'],
			plan: ['gold'],
		});
	});

	it('takes out every element equal to a removeValueFromArrayField value (objects compared by content), and leaves a missing attribute missing', async () => {
		await send(
			TRACK_USER,
			user('lister', { items: ['a', 'b', 'a', 1, '1', { sku: 'x' }, { sku: 'y' }] }),
		);
		await send(
			TRACK_USER,
			user('lister', {
				removeValueFromArrayField: { items: ['a', 1, { sku: 'x' }], missing: 'z' },
			}),
		);
		expect(simulator.userByCustomerId('lister')).toEqual({
			customer_id: 'lister',
			id: expect.any(String),
			items: ['b', '1', { sku: 'y' }],
		});
	});

	it('adds to one attribute, removes from another and sets a third in one call', async () => {
		await send(TRACK_USER, user('lister', { tags: ['a', 'b'], colors: ['red'] }));
		await send(
			TRACK_USER,
			user('lister', {
				plan: 'gold',
				addValueToArrayField: { colors: ['blue'] },
				removeValueFromArrayField: { tags: 'a' },
			}),
		);
		expect(simulator.userByCustomerId('lister')).toMatchObject({
			plan: 'gold',
			tags: ['b'],
			colors: ['red', 'blue'],
		});
	});

	it('never renames a user: a customer_id set or added to among the attributes leaves the identity as it is', async () => {
		await send(TRACK_USER, user('lister', { customer_id: 'other' }));
		await send(TRACK_USER, user('lister', { addValueToArrayField: { customer_id: 'other' } }));
		expect(simulator.userByCustomerId('lister')).toEqual({
			customer_id: 'lister',
			id: expect.any(String),
		});
		expect(simulator.userByCustomerId('other')).toBeUndefined();
	});

	it('applies the operators of a Bulk customer element', async () => {
		await send(
			BULK,
			bulk(
				user('lister', { tags: ['a', 'b'] }),
				user('lister', {
					addValueToArrayField: { tags: 'c' },
					removeValueFromArrayField: { colors: 'x' },
				}),
			),
		);
		expect(simulator.userByCustomerId('lister')?.tags).toEqual(['a', 'b', 'c']);
		expect(simulator.dropped).toEqual([]);
	});

	const ARRAY_FIELD_ERRORS: Array<[string, object, string]> = [
		[
			'adds to and removes from the same attribute',
			{ addValueToArrayField: { first_name: 'A' }, removeValueFromArrayField: { first_name: 'B' } },
			"Cannot add and remove 'first_name' at the same time",
		],
		[
			'sets an attribute directly and also adds to it',
			{ tags: ['a'], addValueToArrayField: { tags: 'b' } },
			"Cannot set and add to or remove from 'tags' at the same time",
		],
		[
			'sets an attribute directly and also removes from it',
			{ tags: ['a'], removeValueFromArrayField: { tags: 'a' } },
			"Cannot set and add to or remove from 'tags' at the same time",
		],
		[
			'adds to platforms, a reserved attribute',
			{ addValueToArrayField: { platforms: [{ platform: 'web', active: 'true' }] } },
			"'platforms' is reserved and can not be changed by addValueToArrayField or removeValueFromArrayField",
		],
		[
			'removes from a moe_ attribute',
			{ removeValueFromArrayField: { moe_custom: 'x' } },
			"'moe_custom' is reserved and can not be changed by addValueToArrayField or removeValueFromArrayField",
		],
		[
			'adds to the blocked name _id',
			{ addValueToArrayField: { _id: 'x' } },
			"'_id' is reserved and can not be changed by addValueToArrayField or removeValueFromArrayField",
		],
		[
			'gives addValueToArrayField a list',
			{ addValueToArrayField: ['tags', 'b'] },
			'addValueToArrayField is expected to be an object of attribute names',
		],
		[
			'gives removeValueFromArrayField a string',
			{ removeValueFromArrayField: 'tags' },
			'removeValueFromArrayField is expected to be an object of attribute names',
		],
	];

	it.each(ARRAY_FIELD_ERRORS)(
		'answers 400 ArrayFieldError on "attributes" to a Track User that %s, and changes nothing',
		async (_, attributes, message) => {
			expect(
				await send(TRACK_USER, user(seeded(0), { plan: 'changed', ...attributes })),
			).toMatchObject({
				status: 400,
				body: fail('ArrayFieldError', message, 'attributes'),
			});
			expect(simulator.userByCustomerId(seeded(0))).toEqual(simulator.users[0]);
		},
	);

	it.each(ARRAY_FIELD_ERRORS)(
		"drops a Bulk customer element that %s, with ArrayFieldError's words",
		async (_, attributes, message) => {
			expect(
				(
					await send(
						BULK,
						bulk(user('good-user'), user(seeded(0), { plan: 'changed', ...attributes })),
					)
				).status,
			).toBe(200);
			expect(simulator.userByCustomerId('good-user')).toBeDefined();
			expect(simulator.userByCustomerId(seeded(0))).toEqual(simulator.users[0]);
			expect(simulator.dropped).toEqual([
				{ endpoint: 'bulk', element: 1, customer_id: seeded(0), reason: message, at: START },
			]);
		},
	);
});

describe('Track User and Bulk: platforms (docs/moengage-api.md#platforms)', () => {
	it('stores valid platforms as given, whether inside attributes (every example) or at the top level (the schema)', async () => {
		const inside = [
			{ platform: 'ANDROID', active: 'true' },
			{ platform: 'iOS', active: 'false' },
		];
		const top = [{ platform: 'web', active: 'false' }];
		expect((await send(TRACK_USER, user('p-inside', { platforms: inside }))).status).toBe(200);
		expect(
			(await send(BULK, bulk(user('p-top', { name: 'Top' }, { platforms: top })))).status,
		).toBe(200);
		expect(await exported('p-inside')).toMatchObject({ platforms: inside });
		expect(await exported('p-top')).toMatchObject({ name: 'Top', platforms: top });
	});

	const BAD_PLATFORMS: Array<[string, unknown]> = [
		['that are not a list', { platform: 'ANDROID', active: 'true' }],
		['naming "android" in lower case', [{ platform: 'android', active: 'true' }]],
		['naming "TV" (Track Event\'s enum, not Track User\'s)', [{ platform: 'TV', active: 'true' }]],
		['with active as a boolean', [{ platform: 'iOS', active: true }]],
		['with active "yes"', [{ platform: 'iOS', active: 'yes' }]],
		['without active', [{ platform: 'web' }]],
		['with a key besides platform and active', [{ platform: 'web', active: 'true', version: '1' }]],
		['whose item is not an object', ['ANDROID']],
	];

	it.each(BAD_PLATFORMS)(
		'answers 400 InvalidParams on "platforms" to platforms %s, inside attributes or at the top level',
		async (_, platforms) => {
			for (const body of [user('p-bad', { platforms }), user('p-bad', undefined, { platforms })]) {
				const answer = await send(TRACK_USER, body);
				expect(answer.status).toBe(400);
				expect(answer.body.error).toMatchObject({ type: 'InvalidParams', attribute: 'platforms' });
			}
			expect(simulator.userByCustomerId('p-bad')).toBeUndefined();
		},
	);

	it.each(BAD_PLATFORMS)(
		'drops a Bulk customer element with platforms %s silently',
		async (_, platforms) => {
			expect(
				(
					await send(
						BULK,
						bulk(
							user('good-user'),
							user('p-bad', { platforms }),
							user('p-top-bad', undefined, { platforms }),
						),
					)
				).status,
			).toBe(200);
			expect(simulator.userByCustomerId('good-user')).toBeDefined();
			expect(simulator.userByCustomerId('p-bad')).toBeUndefined();
			expect(simulator.userByCustomerId('p-top-bad')).toBeUndefined();
			expect(simulator.dropped).toEqual([
				expect.objectContaining({
					endpoint: 'bulk',
					element: 1,
					reason: expect.stringContaining('platforms'),
				}),
				expect.objectContaining({
					endpoint: 'bulk',
					element: 2,
					reason: expect.stringContaining('platforms'),
				}),
			]);
		},
	);
});

describe('Track Event: POST /v1/event/{app_id}', () => {
	it('accepts the docs\' own example ("Android", 13-digit millisecond strings) and records the event', async () => {
		const example = {
			type: 'event',
			customer_id: '123',
			actions: [
				{
					action: 'ProductAdded',
					attributes: { product: 'Accessories', color: 'Black', Brand: 'Adidas' },
					platform: 'Android',
					app_version: '1.2.3',
					user_time: '1708939453396',
					current_time: '1708939453396',
				},
			],
		};
		expect(await send(TRACK_EVENT, example)).toMatchObject({ status: 200, body: ACCEPTED });
		expect(simulator.events).toEqual([
			{
				endpoint: 'trackEvent',
				customer_id: '123',
				action: 'ProductAdded',
				attributes: { product: 'Accessories', color: 'Black', Brand: 'Adidas' },
				platform: 'Android',
				app_version: '1.2.3',
				user_time: '1708939453396',
				current_time: '1708939453396',
				user_timezone_offset: undefined,
				// Section E: both times sent are used as they are; an epoch user_time is a UTC wall clock.
				utc_time: '2024-02-26T09:24:13.396Z',
				local_time: '2024-02-26T09:24:13.396',
				receivedAt: START,
			},
		]);
	});

	it('creates an unknown user that Get User then finds', async () => {
		await send(TRACK_EVENT, event('first-seen', { action: 'Opened' }));
		expect(await exported('first-seen')).toEqual({
			customer_id: 'first-seen',
			id: expect.stringMatching(/^[0-9a-f]{24}$/),
		});
	});

	it.each([
		['an ISO 8601 time in UTC', { user_time: '2020-05-31T16:33:35Z' }],
		['an ISO 8601 time with an offset', { user_time: '2020-05-31T16:33:35+05:30' }],
		['epoch seconds as a number', { current_time: 1708939453 }],
		['epoch seconds as a string', { current_time: '1708939453' }],
		['epoch milliseconds as a 13-digit number', { current_time: 1708939453396 }],
		['the current simulator time', { user_time: new Date(START).toISOString() }],
		['every platform of the enum', { platform: 'TV' }],
		['an offset of -54000', { user_timezone_offset: -54000 }],
		['an offset of 54000', { user_timezone_offset: 54000 }],
	])('accepts %s', async (_, fields) => {
		expect((await send(TRACK_EVENT, event('timed', { action: 'Opened', ...fields }))).status).toBe(
			200,
		);
	});

	it.each([
		[
			'customer_id is missing',
			{ type: 'event', actions: [{ action: 'Opened' }] },
			fail('MissingAttributeError', 'customer_id is not found in the payload', 'customer_id'),
		],
		[
			'actions is empty',
			event('john'),
			fail('MissingAttributeError', 'actions can not be empty Array', 'actions'),
		],
		[
			'an action has no name',
			event('john', { attributes: {} }),
			fail('MissingAttributeError', 'action is not found in the payload', 'action'),
		],
	])('answers 400 when %s', async (_, body, expected) => {
		expect(await send(TRACK_EVENT, body)).toMatchObject({ status: 400, body: expected });
	});

	it.each([
		['an action name has the moe_ prefix', { action: 'moe_opened' }, 'action'],
		[
			'an event attribute has the moe_ prefix',
			{ action: 'Opened', attributes: { moe_x: 1 } },
			'attributes',
		],
		['the platform is "android"', { action: 'Opened', platform: 'android' }, 'platform'],
		['the platform is "PS5"', { action: 'Opened', platform: 'PS5' }, 'platform'],
		[
			'user_time is in the future',
			{ action: 'Opened', user_time: new Date(START + 1000).toISOString() },
			'user_time',
		],
		[
			'current_time is in the future (epoch seconds)',
			{ action: 'Opened', current_time: START / 1000 + 60 },
			'current_time',
		],
		['user_time is not a time', { action: 'Opened', user_time: 'yesterday' }, 'user_time'],
		[
			'current_time has 11 digits',
			{ action: 'Opened', current_time: '17089394533' },
			'current_time',
		],
		[
			'current_time is an 11-digit number',
			{ action: 'Opened', current_time: 17089394533 },
			'current_time',
		],
		[
			'current_time names no day (30 February)',
			{ action: 'Opened', current_time: '2024-02-30T10:00:00Z' },
			'current_time',
		],
		[
			'current_time has a one-digit zone hour',
			{ action: 'Opened', current_time: '2024-02-26T10:00:00+5' },
			'current_time',
		],
		[
			'user_timezone_offset is 54001',
			{ action: 'Opened', user_timezone_offset: 54001 },
			'user_timezone_offset',
		],
		[
			'user_timezone_offset is -54001',
			{ action: 'Opened', user_timezone_offset: -54001 },
			'user_timezone_offset',
		],
		[
			'user_timezone_offset is not an integer',
			{ action: 'Opened', user_timezone_offset: 1.5 },
			'user_timezone_offset',
		],
		[
			'user_timezone_offset is a string',
			{ action: 'Opened', user_timezone_offset: '19800' },
			'user_timezone_offset',
		],
	])('answers 400 InvalidParams when %s, and records nothing', async (_, action, attribute) => {
		const answer = await send(TRACK_EVENT, event('john', { action: 'Fine' }, action));
		expect(answer.status).toBe(400);
		expect(answer.body.error).toMatchObject({ type: 'InvalidParams', attribute });
		expect(simulator.events).toEqual([]);
	});

	it('refuses a body over 128 KB with 413', async () => {
		expect(
			(
				await send(TRACK_EVENT, undefined, {
					raw: padded(event('john', { action: 'A' }), 128 * 1024 + 1),
				})
			).status,
		).toBe(413);
	});

	it('answers 429 "Rate limits for customers exceeded" beyond limits.trackEvent actions per window, and records nothing', async () => {
		await withSimulator({ ...defaults, limits: { trackEvent: 3 } }, async (small) => {
			expect(
				(
					await send(TRACK_EVENT, event('john', { action: 'A' }, { action: 'B' }), {
						url: small.url,
					})
				).status,
			).toBe(200);
			const answer = await send(TRACK_EVENT, event('john', { action: 'C' }, { action: 'D' }), {
				url: small.url,
			});
			expect(answer).toMatchObject({
				status: 429,
				body: fail(
					'Rate Limits Exceeded',
					'Rate limits for customers exceeded. Please Try After Some Time',
				),
			});
			expect(small.events.map((recorded: { action: string }) => recorded.action)).toEqual([
				'A',
				'B',
			]);
			expect(
				(await send(TRACK_EVENT, event('john', { action: 'E' }), { url: small.url })).status,
			).toBe(200);
		});
	});
});

describe('Track Event and Bulk: event times as MoEngage reads them (docs/moengage-api.md#event-times)', () => {
	/** The event recorded for one action, sent to a simulator whose fallback offset is `timezoneOffset`. */
	const recorded = (action: object, timezoneOffset: number) =>
		withSimulator({ ...defaults, timezoneOffset }, async (zoned) => {
			expect(
				(
					await send(TRACK_EVENT, event('timed', { action: 'Opened', ...action }), {
						url: zoned.url,
					})
				).status,
			).toBe(200);
			return zoned.events[0];
		});

	// The clock reads 2025-01-15T12:00:00Z; 10:00 UTC is 15:30 in IST (+19800 s) and 05:00 in EST (-18000 s).
	it.each([
		[
			'none of the three: current is the arrival time, local is current + the fallback offset',
			{},
			19800,
			'2025-01-15T12:00:00Z',
			'2025-01-15T17:30:00',
		],
		[
			"none of the three and the default fallback: the user's clock reads UTC",
			{},
			0,
			'2025-01-15T12:00:00Z',
			'2025-01-15T12:00:00',
		],
		[
			'only current_time: local is current + the fallback offset',
			{ current_time: '2025-01-15T10:00:00Z' },
			19800,
			'2025-01-15T10:00:00Z',
			'2025-01-15T15:30:00',
		],
		[
			'only user_time: current is user_time - the fallback offset',
			{ user_time: '2025-01-15T15:30:00' },
			19800,
			'2025-01-15T10:00:00Z',
			'2025-01-15T15:30:00',
		],
		[
			'both times: used as they are',
			{ current_time: '2025-01-15T10:00:00Z', user_time: '2025-01-15T01:00:00' },
			19800,
			'2025-01-15T10:00:00Z',
			'2025-01-15T01:00:00',
		],
		[
			'current_time and offset: local is current + offset',
			{ current_time: 1736935200, user_timezone_offset: -18000 },
			19800,
			'2025-01-15T10:00:00Z',
			'2025-01-15T05:00:00',
		],
		[
			'user_time and offset: current is user_time - offset',
			{ user_time: '2025-01-15 05:00:00', user_timezone_offset: -18000 },
			19800,
			'2025-01-15T10:00:00Z',
			'2025-01-15T05:00:00',
		],
		[
			'all three: both times used as given',
			{
				current_time: '2025-01-15T10:00:00Z',
				user_time: '2025-01-15T01:00:00',
				user_timezone_offset: -18000,
			},
			19800,
			'2025-01-15T10:00:00Z',
			'2025-01-15T01:00:00',
		],
	])(
		'records utc_time and local_time, keeping the times as sent, with %s',
		async (_, action, fallback, utc, local) => {
			expect(await recorded(action, fallback)).toMatchObject({
				...action,
				utc_time: utc,
				local_time: local,
				receivedAt: START,
			});
		},
	);

	it("reads a user_time's wall clock from its digits: a zone designator on it is not applied", async () => {
		expect(
			await recorded({ user_time: '2025-01-15T15:30:00-05:00', user_timezone_offset: 19800 }, 0),
		).toMatchObject({
			utc_time: '2025-01-15T10:00:00Z',
			local_time: '2025-01-15T15:30:00',
		});
	});

	it('reads an epoch user_time as a UTC wall clock', async () => {
		expect(
			await recorded(
				{ user_time: String(Date.UTC(2025, 0, 15, 15, 30)), user_timezone_offset: 19800 },
				0,
			),
		).toMatchObject({
			utc_time: '2025-01-15T10:00:00Z',
			local_time: '2025-01-15T15:30:00',
		});
	});

	it.each([
		'2025-01-15T10:00:00Z',
		'2025-01-15 10:00:00Z',
		'2025-01-15T10:00:00',
		'2025-01-15T10:00Z',
		'2025-01-15T15:00:00+05',
		'2025-01-15T15:30:00+0530',
		'2025-01-15T15:30:00+05:30',
		'2025-01-15T05:00:00-05:00',
		1736935200,
		'1736935200',
		1736935200000,
		'1736935200000',
	])(
		'reads the current_time %j as 2025-01-15T10:00:00Z (ISO 8601 with T or a space and any zone form; epoch seconds or 13-digit milliseconds)',
		async (currentTime) => {
			expect(
				(await send(TRACK_EVENT, event('timed', { action: 'Opened', current_time: currentTime })))
					.status,
			).toBe(200);
			expect(simulator.events[0].utc_time).toBe('2025-01-15T10:00:00Z');
		},
	);

	it('keeps milliseconds (of a 13-digit epoch or an ISO fraction) in utc_time and local_time', async () => {
		await send(
			TRACK_EVENT,
			event(
				'timed',
				{ action: 'A', current_time: '1736935200250' },
				{ action: 'B', user_time: '2025-01-15T10:00:00.25' },
			),
		);
		expect(
			simulator.events.map((recorded: { utc_time: string; local_time: string }) => [
				recorded.utc_time,
				recorded.local_time,
			]),
		).toEqual([
			['2025-01-15T10:00:00.250Z', '2025-01-15T10:00:00.250'],
			['2025-01-15T10:00:00.250Z', '2025-01-15T10:00:00.250'],
		]);
	});

	it('accepts a local user_time ahead of the clock when its offset brings it back to now (it is not compared raw)', async () => {
		expect(
			(
				await send(
					TRACK_EVENT,
					event('timed', {
						action: 'Opened',
						user_time: '2025-01-15T17:30:00',
						user_timezone_offset: 19800,
					}),
				)
			).status,
		).toBe(200);
		expect(simulator.events[0].utc_time).toBe('2025-01-15T12:00:00Z');
	});

	it('refuses, as future-dated ("no future-dated events"), a user_time whose instant, shifted back by its offset, is after the clock', async () => {
		const answer = await send(
			TRACK_EVENT,
			event('timed', {
				action: 'Opened',
				user_time: '2025-01-15T17:30:01',
				user_timezone_offset: 19800,
			}),
		);
		expect(answer).toMatchObject({
			status: 400,
			body: fail('InvalidParams', 'user_time can not be in the future', 'user_time'),
		});
		expect(simulator.events).toEqual([]);
	});

	it('shifts a user_time back by the fallback offset (timezoneOffset) when the action sends none, before the future check', async () => {
		await withSimulator({ ...defaults, timezoneOffset: 19800 }, async (zoned) => {
			const at = (userTime: string) =>
				send(TRACK_EVENT, event('timed', { action: 'Opened', user_time: userTime }), {
					url: zoned.url,
				});
			expect((await at('2025-01-15T17:30:00')).status).toBe(200);
			expect((await at('2025-01-15T17:30:01')).status).toBe(400);
		});
	});

	it('drops a Bulk action whose user_time, shifted back by its offset, is after the clock, and keeps the one that is not', async () => {
		const local = '2025-01-15T17:30:00';
		const answer = await send(
			BULK,
			bulk(
				event(
					'eventful',
					{ action: 'Kept', user_time: local, user_timezone_offset: 19800 },
					{ action: 'Future', user_time: local, user_timezone_offset: 0 },
				),
			),
		);
		expect(answer.status).toBe(200);
		expect(simulator.events).toEqual([
			expect.objectContaining({
				action: 'Kept',
				utc_time: '2025-01-15T12:00:00Z',
				local_time: local,
			}),
		]);
		expect(simulator.dropped).toEqual([
			expect.objectContaining({
				endpoint: 'bulk',
				element: 0,
				action: 1,
				name: 'Future',
				reason: 'user_time can not be in the future',
			}),
		]);
	});
});

describe('Bulk Import: POST /v1/transition/{app_id}', () => {
	it("applies the docs' example: the user is created with its attributes and the event recorded", async () => {
		const example = bulk(
			user('john@example.com', {
				name: 'John',
				platforms: [{ platform: 'ANDROID', active: 'true' }],
			}),
			event('john@example.com', {
				action: 'Added to Cart',
				attributes: { product: 'Mobile' },
				platform: 'iOS',
				app_version: '1.2.3',
				current_time: '2020-05-31T16:33:35Z',
				user_timezone_offset: 19800,
			}),
		);
		expect(await send(BULK, example)).toMatchObject({ status: 200, body: ACCEPTED });
		expect(await exported('john@example.com')).toMatchObject({ name: 'John' });
		expect(simulator.events).toEqual([
			expect.objectContaining({
				endpoint: 'bulk',
				customer_id: 'john@example.com',
				action: 'Added to Cart',
				// Section E: current_time + offset → the user's clock is current_time + 19800 s.
				utc_time: '2020-05-31T16:33:35Z',
				local_time: '2020-05-31T22:03:35',
			}),
		]);
		expect(simulator.dropped).toEqual([]);
	});

	it('takes 100 KB (102400 bytes) and refuses one byte more with 413', async () => {
		expect((await send(BULK, undefined, { raw: padded(bulk(user('john')), 102400) })).status).toBe(
			200,
		);
		expect((await send(BULK, undefined, { raw: padded(bulk(user('john')), 102401) })).status).toBe(
			413,
		);
	});

	it.each([
		[
			'type is not "transition"',
			{ type: 'bulk', elements: [user('john')] },
			'InvalidParams',
			'type should be transition',
		],
		['elements is empty', bulk(), 'MissingAttributeError', "'elements cannot be empty array"],
		[
			'an element type is "Customer"',
			bulk({ ...user('john'), type: 'Customer' }),
			'AttributeError',
			"'type in elements should be customer/event/device",
		],
		[
			'an element has no customer_id',
			bulk(user('john'), { type: 'customer' }),
			'MissingAttributeError',
			"'customer_id not found in the payload",
		],
		[
			'an action has no name',
			bulk(event('john', { action: 'Fine' }, { platform: 'iOS' })),
			'MissingAttributeError',
			"'action cannot be empty Unicode string",
		],
		[
			'an action name is empty',
			bulk(event('john', { action: '' })),
			'MissingAttributeError',
			"'action cannot be empty Unicode string",
		],
	])('answers 400 when %s, and applies none of it', async (_, body, type, message) => {
		const elements = body.elements.length > 0 ? [user('applied-if-wrong'), ...body.elements] : [];
		const answer = await send(BULK, { ...body, elements });
		expect(answer.status).toBe(400);
		expect(answer.body).toMatchObject({ status: 'fail', error: { type, message } });
		expect(simulator.userByCustomerId('applied-if-wrong')).toBeUndefined();
	});

	it.each([
		['a blocked attribute name', user('bad-user', { _id: 1 })],
		['a moe_ attribute name', user('bad-user', { moe_score: 1 })],
		['a disallowed customer_id', user('guest')],
		['an empty customer_id', user('')],
		['a customer_id that is a number', { type: 'customer', customer_id: 42 }],
		['an event with no actions', event('bad-user')],
	])(
		'drops an element with %s silently: 200, the rest applied, the drop recorded',
		async (_, element) => {
			const answer = await send(BULK, bulk(user('good-user'), element));
			expect(answer.status).toBe(200);
			expect(simulator.userByCustomerId('good-user')).toBeDefined();
			expect(simulator.userByCustomerId('bad-user')).toBeUndefined();
			expect(simulator.dropped).toEqual([
				expect.objectContaining({ endpoint: 'bulk', element: 1, reason: expect.any(String) }),
			]);
		},
	);

	it.each([
		['a moe_ action name', { action: 'moe_opened' }],
		['an unknown platform', { action: 'Opened', platform: 'PS5' }],
		['a future user_time', { action: 'Opened', user_time: new Date(START + 60_000).toISOString() }],
		['an unreadable current_time', { action: 'Opened', current_time: 'now' }],
		['an offset out of range', { action: 'Opened', user_timezone_offset: 60000 }],
	])('drops only the action with %s, silently, and keeps its siblings', async (_, bad) => {
		const answer = await send(BULK, bulk(event('eventful', { action: 'Kept' }, bad)));
		expect(answer.status).toBe(200);
		expect(simulator.events.map((recorded: { action: string }) => recorded.action)).toEqual([
			'Kept',
		]);
		expect(simulator.dropped).toEqual([
			expect.objectContaining({
				endpoint: 'bulk',
				element: 0,
				action: 1,
				customer_id: 'eventful',
				reason: expect.any(String),
			}),
		]);
	});

	it('honours update_existing_only per customer element', async () => {
		await send(
			BULK,
			bulk(
				user('stranger', { a: 1 }, { update_existing_only: true }),
				user(seeded(0), { a: 2 }, { update_existing_only: true }),
			),
		);
		expect(simulator.userByCustomerId('stranger')).toBeUndefined();
		expect(simulator.userByCustomerId(seeded(0))?.a).toBe(2);
		expect(simulator.ignored).toEqual([{ endpoint: 'bulk', customer_id: 'stranger', at: START }]);
	});

	it('counts users and events in separate windows and answers 429 RateLimitError, applying nothing, when either is full', async () => {
		await withSimulator({ ...defaults, limits: { bulkUsers: 2, bulkEvents: 2 } }, async (small) => {
			const post = (body: object) => send(BULK, body, { url: small.url });
			expect((await post(bulk(user('b-one'), user('b-two')))).status).toBe(200);
			expect((await post(bulk(event('b-one', { action: 'A' }, { action: 'B' })))).status).toBe(200);
			const full = await post(bulk(user('b-three'), event('b-one', { action: 'C' })));
			expect(full).toMatchObject({
				status: 429,
				body: fail('RateLimitError', 'Rate limit exceeded'),
			});
			expect(small.userByCustomerId('b-three')).toBeUndefined();
			expect(small.events).toHaveLength(2);
		});
	});

	it('counts dropped elements against the window too (MoEngage received them)', async () => {
		await withSimulator({ ...defaults, limits: { bulkUsers: 1 } }, async (small) => {
			expect((await send(BULK, bulk(user('guest')), { url: small.url })).status).toBe(200);
			expect((await send(BULK, bulk(user('fine-user')), { url: small.url })).status).toBe(429);
		});
	});
});

describe('Delete User: POST /v1/customer/delete?app_id=…', () => {
	const remove = (identityValue: string, identityType = 'customer_id') =>
		send(DELETE, { identity_type: identityType, identity_value: identityValue });

	it('accepts the deletion with 200 and schedules it 24 hours ahead', async () => {
		expect(await remove(seeded(0))).toEqual({
			status: 200,
			body: {
				status: 'success',
				message: 'Your request has been accepted and will be processed soon.',
			},
			headers: expect.anything(),
		});
		expect(simulator.deletions).toEqual([
			expect.objectContaining({
				identity_type: 'customer_id',
				identity_value: seeded(0),
				at: START,
				deleteAt: START + 24 * 3600_000,
			}),
		]);
	});

	it('keeps the user findable and updatable for 24 hours, accepts a second deletion, then it is gone', async () => {
		await remove(seeded(0));
		time = START + 23 * 3600_000;
		expect(await exported(seeded(0))).toBeDefined();
		await send(TRACK_USER, user(seeded(0), { plan: 'last-day' }));
		expect((await exported(seeded(0)))?.plan).toBe('last-day');
		expect((await remove(seeded(0))).status).toBe(200);
		time = START + 24 * 3600_000;
		expect(await exported(seeded(0))).toBeUndefined();
		expect(await exported(simulator.users[0].id, 'id')).toBeUndefined();
		expect(await remove(seeded(0))).toMatchObject({
			status: 400,
			body: { error: { type: 'Not Found' } },
		});
	});

	it('gives a user re-created after the hard delete a new MoEngage ID', async () => {
		await remove(seeded(0));
		time = START + 25 * 3600_000;
		await send(TRACK_USER, user(seeded(0)));
		expect(simulator.userByCustomerId(seeded(0))?.id).not.toBe(simulator.users[0].id);
	});

	it('deletes by moengage_id', async () => {
		expect((await remove(simulator.users[2].id, 'moengage_id')).status).toBe(200);
		expect(simulator.deletions[0]).toMatchObject({
			customer_id: seeded(2),
			id: simulator.users[2].id,
		});
	});

	it('answers an unknown user with 400 "Not Found", naming the identity type', async () => {
		expect(await remove('nobody')).toMatchObject({
			status: 400,
			body: fail('Not Found', "User doesn't exists with customer id nobody"),
		});
		expect(await remove('0123456789abcdef01234567', 'moengage_id')).toMatchObject({
			status: 400,
			body: fail('Not Found', "User doesn't exists with moengage id 0123456789abcdef01234567"),
		});
	});

	it.each([
		[
			'identity_type is missing',
			{ identity_value: 'john' },
			'MissingAttributeError',
			'identity_type',
		],
		[
			'identity_type is "email"',
			{ identity_type: 'email', identity_value: 'john' },
			'InvalidParams',
			'identity_type',
		],
		[
			'identity_type is "id" (Get User\'s spelling)',
			{ identity_type: 'id', identity_value: 'john' },
			'InvalidParams',
			'identity_type',
		],
		[
			'identity_value is missing',
			{ identity_type: 'customer_id' },
			'MissingAttributeError',
			'identity_value',
		],
		[
			'identity_value is a number',
			{ identity_type: 'customer_id', identity_value: 5 },
			'InvalidParams',
			'identity_value',
		],
		[
			'the body is the unused identifiers form',
			{ identifiers: [{ customer_id: 'john' }] },
			'MissingAttributeError',
			'identity_type',
		],
	])('answers 400 when %s', async (_, body, type, attribute) => {
		const answer = await send(DELETE, body);
		expect(answer.status).toBe(400);
		expect(answer.body.error).toMatchObject({ type, attribute });
	});

	it('answers 429 in the title/description shape beyond limits.deleteRequests, and schedules nothing', async () => {
		await withSimulator({ ...defaults, limits: { deleteRequests: 1 } }, async (small) => {
			const post = (customerId: string) =>
				send(
					DELETE,
					{ identity_type: 'customer_id', identity_value: customerId },
					{ url: small.url },
				);
			expect((await post('nobody')).status).toBe(400);
			const answer = await post('cust-00001');
			expect(answer).toMatchObject({
				status: 429,
				body: {
					status: 'fail',
					title: 'Rate limit exceeded',
					description: 'Exceeded rate limit for this url',
				},
			});
			expect(small.deletions).toEqual([]);
		});
	});
});

describe('Merge Users: POST /v1/customer/merge?app_id=…', () => {
	const pairs = (count: number) =>
		Array.from({ length: count }, (_, n) => ({
			merged_user: seeded(n % 30),
			retained_user: seeded((n + 1) % 30),
		}));

	it('accepts pairs with 200 {"status":"success","operation":"created"} and records the merges', async () => {
		expect(await send(MERGE, { merge_data: pairs(1) })).toMatchObject({
			status: 200,
			body: { status: 'success', operation: 'created' },
		});
		expect(simulator.merges).toEqual([
			{ merged_user: seeded(0), retained_user: seeded(1), at: START },
		]);
	});

	it('skips a pair with an unknown user or the same user twice, silently, and merges the rest', async () => {
		const answer = await send(MERGE, {
			merge_data: [
				{ merged_user: 'nobody', retained_user: seeded(1) },
				{ merged_user: seeded(2), retained_user: seeded(2) },
				{ merged_user: seeded(3), retained_user: seeded(4) },
			],
		});
		expect(answer.status).toBe(200);
		expect(simulator.merges).toEqual([
			{ merged_user: seeded(3), retained_user: seeded(4), at: START },
		]);
		expect(simulator.dropped).toEqual([
			expect.objectContaining({
				endpoint: 'merge',
				pair: 0,
				merged_user: 'nobody',
				reason: expect.any(String),
			}),
			expect.objectContaining({
				endpoint: 'merge',
				pair: 1,
				merged_user: seeded(2),
				reason: expect.any(String),
			}),
		]);
	});

	it.each([
		[
			'merged_user is not a string',
			{ merge_data: [{ merged_user: 5, retained_user: 'b' }] },
			fail(
				'MissingAttributeError',
				'merged_user is expected to be String or Unicode String.',
				'merged_user',
			),
		],
		[
			'retained_user is missing',
			{ merge_data: [{ merged_user: 'a' }] },
			fail(
				'MissingAttributeError',
				'retained_user is expected to be String or Unicode String.',
				'retained_user',
			),
		],
		[
			'merge_data is missing',
			{},
			fail('MissingAttributeError', 'merge_data is not found in the payload', 'merge_data'),
		],
		[
			'merge_data is empty',
			{ merge_data: [] },
			fail('MissingAttributeError', 'merge_data can not be empty Array', 'merge_data'),
		],
	])('answers 400 when %s', async (_, body, expected) => {
		expect(await send(MERGE, body)).toMatchObject({ status: 400, body: expected });
	});

	it('answers 400 "Missing header value" to a request without a Content-Type header', () => {
		// fetch always sends a Content-Type with a string body, so this one goes without HTTP.
		const answer = simulator.handle({
			method: 'POST',
			url: new URL(`http://simulator${MERGE}`),
			headers: { authorization: basic('WS1', 'key1') },
			raw: Buffer.from(JSON.stringify({ merge_data: pairs(1) })),
		});
		expect(answer).toMatchObject({
			status: 400,
			body: fail('Missing header value', 'The Content-Type Header is required.'),
		});
	});

	it('by default reads "50 users per call" as 25 pairs, and a pair as 2 user updates', async () => {
		expect((await send(MERGE, { merge_data: pairs(25) })).status).toBe(200);
		expect(await send(MERGE, { merge_data: pairs(26) })).toMatchObject({
			status: 400,
			body: { error: { type: 'LimitBreached', attribute: 'merge_data' } },
		});
		await withSimulator({ ...defaults, limits: { mergeUsers: 4 } }, async (small) => {
			expect((await send(MERGE, { merge_data: pairs(2) }, { url: small.url })).status).toBe(200);
			const answer = await send(MERGE, { merge_data: pairs(1) }, { url: small.url });
			expect(answer).toMatchObject({
				status: 429,
				body: fail('RateLimitError', 'Rate limit exceeded'),
			});
			expect(small.merges).toHaveLength(2);
		});
	});

	it('under mergeReading: "pairs", takes 50 pairs per call, each one user update', async () => {
		await withSimulator(
			{ ...defaults, mergeReading: 'pairs', limits: { mergeUsers: 51 } },
			async (lenient) => {
				expect((await send(MERGE, { merge_data: pairs(50) }, { url: lenient.url })).status).toBe(
					200,
				);
				expect((await send(MERGE, { merge_data: pairs(51) }, { url: lenient.url })).status).toBe(
					400,
				);
				expect((await send(MERGE, { merge_data: pairs(1) }, { url: lenient.url })).status).toBe(
					200,
				);
				expect((await send(MERGE, { merge_data: pairs(1) }, { url: lenient.url })).status).toBe(
					429,
				);
			},
		);
	});

	it('refuses a body over 128 KB with 413 "The payload can not exceed 128KB"', async () => {
		const answer = await send(MERGE, undefined, {
			raw: padded({ merge_data: pairs(1) }, 128 * 1024 + 1),
		});
		expect(answer).toMatchObject({
			status: 413,
			body: fail('PayloadTooLarge', 'The payload can not exceed 128KB'),
		});
	});
});
