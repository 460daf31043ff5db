/**
 * Create or Update, Track Event, Delete and Merge in n8n's engine over real HTTP against the
 * simulator: every item comes out exactly once with pairedItem, requests are packed as full as each
 * endpoint allows, what MoEngage would drop is refused by name first, and faults lose nothing.
 */
import type { IDataObject } from 'n8n-workflow';

import { leakedFragments } from './support/secrets';
import {
	requestsTo,
	rowsOf,
	sentBody,
	simulatorFactory,
	type SentBodies,
	type Simulator,
} from './support/simulators';
import { runOnSimulator as run, paired, errorOf } from './support/run';

const simulatorWith = simulatorFactory({ users: 100, apiKey: 'writes-secret-key-93b1f0aa' });

const UPSERT = { resource: 'user', operation: 'upsert', customerId: '={{ $json.customer_id }}' };
const TRACK = {
	resource: 'event',
	operation: 'track',
	customerId: '={{ $json.customer_id }}',
	eventName: '={{ $json.event }}',
	eventTime: '={{ $json.at }}',
	attributesFrom: 'json',
	attributesJson: '={{ $json.details }}',
};
const DELETE = {
	resource: 'user',
	operation: 'delete',
	identifierType: 'customer_id',
	identifier: '={{ $json.customer_id }}',
};
const MERGE = {
	resource: 'user',
	operation: 'merge',
	mergedCustomerId: '={{ $json.merged }}',
	retainedCustomerId: '={{ $json.retained }}',
};

const bodies = <E extends keyof SentBodies>(simulator: Simulator, endpoint: E) =>
	requestsTo(simulator, endpoint).map((entry) => sentBody(entry, endpoint));
const bytesOf = (body: unknown) => Buffer.byteLength(JSON.stringify(body));

describe('User → Create or Update', () => {
	it('sends 30 rows in one Bulk Import request, passes each row on to Accepted, and MoEngage has the attributes', async () => {
		const simulator = await simulatorWith();
		const rows = Array.from({ length: 30 }, (_, n) => ({
			customer_id: `new-${n}`,
			plan: n % 2 ? 'gold' : 'free',
			seats: n,
			note: 'internal',
		}));
		const { outputs, error } = await run(simulator, rows, {
			...UPSERT,
			attributesFrom: 'item',
			excludeFields: 'customer_id, note',
		});
		expect(error).toBeUndefined();
		expect(outputs).toHaveLength(1);
		expect(paired(outputs[0])).toEqual(rows.map((_, n) => n));
		expect(outputs[0].map((item) => item.json)).toEqual(rows);
		expect(bodies(simulator, 'bulk')).toHaveLength(1);
		expect(bodies(simulator, 'bulk')[0].elements[0]).toEqual({
			type: 'customer',
			customer_id: 'new-0',
			attributes: { plan: 'free', seats: 0 },
		});
		expect(simulator.userByCustomerId('new-7')).toMatchObject({ plan: 'gold', seats: 7 });
		expect(simulator.dropped).toEqual([]);
	});

	it('makes the items of one customer one element, later values winning, and gives every item its verdict', async () => {
		const simulator = await simulatorWith();
		const rows = [
			{ customer_id: 'dup-1', city: 'Berlin', plan: 'free' },
			{ customer_id: 'other', city: 'Dublin' },
			{ customer_id: 'dup-1', plan: 'gold' },
		];
		const { outputs } = await run(simulator, rows, {
			...UPSERT,
			attributesFrom: 'item',
			excludeFields: 'customer_id',
		});
		expect(paired(outputs[0])).toEqual([0, 1, 2]);
		const { elements } = bodies(simulator, 'bulk')[0];
		expect(elements).toEqual([
			{ type: 'customer', customer_id: 'dup-1', attributes: { city: 'Berlin', plan: 'gold' } },
			{ type: 'customer', customer_id: 'other', attributes: { city: 'Dublin' } },
		]);
	});

	it('takes attributes from name/value pairs and from JSON', async () => {
		const simulator = await simulatorWith();
		const rows = [{ customer_id: 'pairs-1', tier: 'A' }];
		await run(simulator, rows, {
			...UPSERT,
			attributesFrom: 'pairs',
			attributePairs: {
				attribute: [
					{ name: 'tier', value: '={{ $json.tier }}' },
					{ name: 'source_system', value: 'crm' },
				],
			},
		});
		await run(simulator, [{ customer_id: 'json-1' }], {
			...UPSERT,
			attributesFrom: 'json',
			attributesJson: '{"score": 42, "tags": ["a"]}',
		});
		expect(simulator.userByCustomerId('pairs-1')).toMatchObject({
			tier: 'A',
			source_system: 'crm',
		});
		expect(simulator.userByCustomerId('json-1')).toMatchObject({ score: 42, tags: ['a'] });
	});

	it('with Update Existing Only, sends the flag, and MoEngage creates no new user', async () => {
		const simulator = await simulatorWith();
		const known = String(simulator.users[0].customer_id);
		const { outputs } = await run(
			simulator,
			[
				{ customer_id: known, vip: true },
				{ customer_id: 'stranger-1', vip: true },
			],
			{
				...UPSERT,
				attributesFrom: 'item',
				excludeFields: 'customer_id',
				updateExistingOnly: true,
			},
		);
		expect(paired(outputs[0])).toEqual([0, 1]);
		expect(
			bodies(simulator, 'bulk')[0].elements.every(
				(element: IDataObject) => element.update_existing_only === true,
			),
		).toBe(true);
		expect(simulator.userByCustomerId(known)).toMatchObject({ vip: true });
		expect(simulator.userByCustomerId('stranger-1')).toBeUndefined();
	});

	describe('refuses what Bulk Import would silently drop, naming the item and the field', () => {
		const bad: Array<[string, IDataObject, RegExp]> = [
			[
				'a placeholder customer ID',
				{ customer_id: 'null', plan: 'x' },
				/^Item 1: the Customer ID is "null", a placeholder value MoEngage refuses/,
			],
			[
				'a one-character customer ID',
				{ customer_id: '7', plan: 'x' },
				/^Item 1: the Customer ID is "7"; MoEngage needs a customer ID longer than one character/,
			],
			[
				'the blocked attribute "id"',
				{ customer_id: 'ok-2', id: 5 },
				/^Item 1: the attribute name "id" is blocked by MoEngage/,
			],
			[
				'a moe_ attribute',
				{ customer_id: 'ok-2', moe_score: 5 },
				/^Item 1: the attribute name "moe_score" uses the moe_ prefix/,
			],
			[
				'the reserved attribute "status"',
				{ customer_id: 'ok-2', status: 'active' },
				/^Item 1: the attribute name "status" is reserved by MoEngage/,
			],
		];
		it.each(bad)(
			'%s: an error item under continue-on-fail, the other rows still sent',
			async (_name, row, message) => {
				const simulator = await simulatorWith();
				const rows = [{ customer_id: 'ok-1', plan: 'a' }, row, { customer_id: 'ok-3', plan: 'c' }];
				const { outputs } = await run(
					simulator,
					rows,
					{ ...UPSERT, attributesFrom: 'item', excludeFields: 'customer_id' },
					{ onError: 'continueRegularOutput' },
				);
				expect(paired(outputs[0])).toEqual([0, 1, 2]);
				expect(
					outputs[0].filter((item) => item.json.error).map((item) => paired([item])[0]),
				).toEqual([1]);
				expect(errorOf(outputs[0][1]).message).toMatch(message);
				expect(
					bodies(simulator, 'bulk')[0].elements.map((element: IDataObject) => element.customer_id),
				).toEqual(['ok-1', 'ok-3']);
				expect(simulator.dropped).toEqual([]);
			},
		);

		it('without continue-on-fail, stops the run at the bad item and sends nothing', async () => {
			const simulator = await simulatorWith();
			const { error } = await run(
				simulator,
				[{ customer_id: 'ok-1' }, { customer_id: 'ok-2', _id: 'x' }],
				{ ...UPSERT, attributesFrom: 'item', excludeFields: 'customer_id' },
			);
			expect(error?.message).toMatch(/^Item 1: the attribute name "_id" is blocked by MoEngage/);
			expect(requestsTo(simulator, 'bulk')).toHaveLength(0);
		});

		it("lets MoEngage's writable standard moe_ attributes through (unsubscribing a user)", async () => {
			const simulator = await simulatorWith();
			const { outputs } = await run(
				simulator,
				[{ customer_id: 'unsub-1', moe_unsubscribe: true }],
				{ ...UPSERT, attributesFrom: 'item', excludeFields: 'customer_id' },
			);
			expect(outputs[0][0].json.error).toBeUndefined();
			expect(simulator.userByCustomerId('unsub-1')).toMatchObject({ moe_unsubscribe: true });
		});
	});

	it('packs 3,000 profiles into requests within 100,000 bytes, as few as that allows', async () => {
		const simulator = await simulatorWith();
		const rows = Array.from({ length: 3000 }, (_, n) => ({
			customer_id: `bulk-${n}`,
			bio: 'x'.repeat(80 + (n % 50)),
			city: 'Singapore',
		}));
		const { outputs } = await run(simulator, rows, {
			...UPSERT,
			attributesFrom: 'item',
			excludeFields: 'customer_id',
		});
		expect(outputs[0]).toHaveLength(3000);
		const sent = bodies(simulator, 'bulk');
		const total = sent.reduce((sum: number, body: IDataObject) => sum + bytesOf(body), 0);
		expect(Math.max(...sent.map(bytesOf))).toBeLessThanOrEqual(100_000);
		expect(sent.length).toBeLessThanOrEqual(Math.ceil(total / 100_000) + 1);
		expect(
			sent.flatMap((body: IDataObject) =>
				(body.elements as IDataObject[]).map((element) => element.customer_id),
			),
		).toHaveLength(3000);
	});

	it('isolates the one profile MoEngage refuses (400) and still sends the others', async () => {
		const simulator = await simulatorWith();
		simulator.intercept((request: { raw: Buffer; url: URL }) => {
			if (!request.url.pathname.startsWith('/v1/transition/')) return undefined;
			const body = JSON.parse(request.raw.toString('utf8'));
			return body.elements.some((element: IDataObject) => element.customer_id === 'bad-7')
				? {
						status: 400,
						body: {
							status: 'fail',
							error: {
								message: "'customer_id not found in the payload",
								type: 'MissingAttributeError',
								request_id: 'r-7',
							},
						},
					}
				: undefined;
		});
		const rows = Array.from({ length: 16 }, (_, n) => ({
			customer_id: n === 7 ? 'bad-7' : `fine-${n}`,
			n,
		}));
		const { outputs } = await run(
			simulator,
			rows,
			{ ...UPSERT, attributesFrom: 'item', excludeFields: 'customer_id' },
			{ onError: 'continueRegularOutput' },
		);
		expect(paired(outputs[0])).toEqual(rows.map((_, n) => n));
		expect(outputs[0].filter((item) => item.json.error).map((item) => paired([item])[0])).toEqual([
			7,
		]);
		expect(errorOf(outputs[0][7])).toMatchObject({
			identifier: 'bad-7',
			httpCode: 400,
			requestId: 'r-7',
		});
		expect(requestsTo(simulator, 'bulk').length).toBeLessThanOrEqual(1 + 2 * Math.log2(16));
		for (let n = 0; n < 16; n++)
			if (n !== 7) expect(simulator.userByCustomerId(`fine-${n}`)).toMatchObject({ n });
	});

	it('under 5xx, resets, garbled answers and 429s, accepts every row exactly once and loses none', async () => {
		const simulator = await simulatorWith({
			faults: {
				rate: 0.4,
				seed: 5,
				kinds: ['429-retry-after', '500', '503', 'reset', 'truncated', 'not-json'],
			},
		});
		const rows = Array.from({ length: 2000 }, (_, n) => ({
			customer_id: `f-${n}`,
			bio: 'y'.repeat(500),
		}));
		const { outputs, error } = await run(simulator, rows, {
			...UPSERT,
			attributesFrom: 'item',
			excludeFields: 'customer_id',
			options: { maxRetries: 10, timeout: 2000 },
		});
		expect(error).toBeUndefined();
		expect(paired(outputs[0])).toEqual(rows.map((_, n) => n));
		expect(outputs[0].filter((item) => item.json.error)).toEqual([]);
		const applied = requestsTo(simulator, 'bulk').filter(
			(entry) => entry.status === 200 && !entry.fault,
		);
		const customers = applied.flatMap((entry) =>
			sentBody(entry, 'bulk').elements.map((element) => element.customer_id),
		);
		expect(new Set(customers).size).toBe(2000);
		expect(customers).toHaveLength(2000);
		expect(Object.keys(simulator.faultCounts).length).toBeGreaterThan(2);
	});

	it("a node-wide problem under continue-on-fail makes every row an error item on Accepted's output and sends nothing", async () => {
		const simulator = await simulatorWith();
		const { outputs } = await run(
			simulator,
			rowsOf(simulator, 3),
			{ ...UPSERT, options: { usersPerMinute: '={{ 0 }}' } },
			{ onError: 'continueRegularOutput' },
		);
		expect(paired(outputs[0])).toEqual([0, 1, 2]);
		for (const item of outputs[0])
			expect(errorOf(item).message).toBe(
				'The parameter "Users per Minute" is a number (0); use a whole number at least 1',
			);
		expect(requestsTo(simulator, 'bulk')).toHaveLength(0);
	});

	it('never shows the API key, even when a proxy echoes the Authorization header', async () => {
		const simulator = await simulatorWith();
		const basic = Buffer.from(
			`${simulator.config.workspaceId}:${simulator.config.apiKey}`,
		).toString('base64');
		simulator.intercept(() => ({
			status: 502,
			body: `<html>upstream: Authorization: Basic ${basic} key=${simulator.config.apiKey}</html>`,
		}));
		const { outputs, error } = await run(
			simulator,
			[{ customer_id: 'leak-1' }],
			{ ...UPSERT, options: { maxRetries: 0 } },
			{ onError: 'continueRegularOutput' },
		);
		expect(error).toBeUndefined();
		const shown = JSON.stringify(outputs);
		expect(shown).toContain('502');
		expect(leakedFragments(shown, [basic, simulator.config.apiKey])).toEqual([]);
	});
});

describe('Event → Track', () => {
	const past = Date.UTC(2025, 4, 31, 16, 33, 35);
	it("sends the events of one customer in one element, in item order, each at its UTC instant with the user's offset (Bulk Import's own example)", async () => {
		const simulator = await simulatorWith();
		const rows = [
			{
				customer_id: 'shopper-1',
				event: 'Added to Cart',
				at: '2025-05-31T16:33:35Z',
				details: { sku: 'A1' },
			},
			{ customer_id: 'shopper-2', event: 'Viewed', at: past / 1000, details: {} },
			{
				customer_id: 'shopper-1',
				event: 'Order Placed',
				at: String(past),
				details: { total: 99.5 },
			},
		];
		const { outputs, error } = await run(simulator, rows, {
			...TRACK,
			additionalFields: { platform: 'web', appVersion: '2.1.0', timezoneOffset: 19800 },
		});
		expect(error).toBeUndefined();
		expect(outputs).toHaveLength(1);
		expect(paired(outputs[0])).toEqual([0, 1, 2]);
		const [body] = bodies(simulator, 'bulk');
		expect(body.elements).toEqual([
			{
				type: 'event',
				customer_id: 'shopper-1',
				actions: [
					{
						action: 'Added to Cart',
						attributes: { sku: 'A1' },
						current_time: '2025-05-31T16:33:35Z',
						platform: 'web',
						app_version: '2.1.0',
						user_timezone_offset: 19800,
					},
					{
						action: 'Order Placed',
						attributes: { total: 99.5 },
						current_time: '2025-05-31T16:33:35Z',
						platform: 'web',
						app_version: '2.1.0',
						user_timezone_offset: 19800,
					},
				],
			},
			{
				type: 'event',
				customer_id: 'shopper-2',
				actions: [
					{
						action: 'Viewed',
						current_time: '2025-05-31T16:33:35Z',
						platform: 'web',
						app_version: '2.1.0',
						user_timezone_offset: 19800,
					},
				],
			},
		]);
		expect(simulator.events.map((event: IDataObject) => event.action)).toEqual([
			'Added to Cart',
			'Order Placed',
			'Viewed',
		]);
		// "current_time + offset → user_time computed" (data.yaml EventAction): 16:33:35 UTC is 22:03:35 at UTC+5:30.
		expect(simulator.events.map((event: IDataObject) => event.local_time)).toEqual(
			Array(3).fill('2025-05-31T22:03:35'),
		);
		expect(simulator.dropped).toEqual([]);
	});

	it('packs 4,000 events of 40 customers, sorted by customer, as full as 100,000 bytes allow', async () => {
		const simulator = await simulatorWith();
		const rows = Array.from({ length: 4000 }, (_, n) => ({
			customer_id: `buyer-${Math.floor(n / 100)}`,
			event: 'Product Viewed',
			at: past,
			details: { sku: `SKU-${n}`, category: 'Accessories' },
		}));
		const { outputs } = await run(simulator, rows, TRACK);
		expect(outputs[0]).toHaveLength(4000);
		const sent = bodies(simulator, 'bulk');
		const total = sent.reduce((sum: number, body: IDataObject) => sum + bytesOf(body), 0);
		expect(Math.max(...sent.map(bytesOf))).toBeLessThanOrEqual(100_000);
		expect(sent.length).toBeLessThanOrEqual(Math.ceil(total / 100_000) + 1);
		expect(simulator.events).toHaveLength(4000);
	});

	it('leaves the time to MoEngage when Event Time is empty', async () => {
		const simulator = await simulatorWith();
		await run(simulator, [{ customer_id: 'shopper-3', event: 'Signed Up', details: {} }], TRACK);
		const action = bodies(simulator, 'bulk')[0].elements[0].actions?.[0];
		expect(action).toEqual({ action: 'Signed Up' });
	});

	const bad: Array<[string, IDataObject, RegExp]> = [
		[
			'a future time',
			{ at: '2999-01-01T00:00:00Z' },
			/^Item 1: the event time 2999-01-01T00:00:00Z is \d+ s ahead of this n8n's clock; MoEngage drops future-dated events/,
		],
		[
			'an unreadable time',
			{ at: 'yesterday' },
			/^Item 1: the event time is "yesterday", not a date MoEngage takes; give ISO 8601/,
		],
		[
			'a moe_ event name',
			{ event: 'moe_app_opened' },
			/^Item 1: the event name "moe_app_opened" uses the moe_ prefix/,
		],
		['an empty event name', { event: '  ' }, /^Item 1: the event name is empty/],
		[
			'a moe_ event attribute',
			{ details: { moe_source: 'x' } },
			/^Item 1: the event attribute "moe_source" uses the moe_ prefix/,
		],
	];
	it.each(bad)('refuses %s by name, and sends the other events', async (_name, change, message) => {
		const simulator = await simulatorWith();
		const good = (n: number) => ({ customer_id: `s-${n}`, event: 'Viewed', at: past, details: {} });
		const rows = [good(0), { ...good(1), ...change }, good(2)];
		const { outputs } = await run(simulator, rows, TRACK, { onError: 'continueRegularOutput' });
		expect(paired(outputs[0])).toEqual([0, 1, 2]);
		expect(errorOf(outputs[0][1]).message).toMatch(message);
		expect(simulator.events.map((event: IDataObject) => event.customer_id)).toEqual(['s-0', 's-2']);
		expect(simulator.dropped).toEqual([]);
	});

	it('refuses a timezone offset outside ±54,000 seconds', async () => {
		const simulator = await simulatorWith();
		const { error } = await run(simulator, [{ customer_id: 's-1', event: 'Viewed', details: {} }], {
			...TRACK,
			additionalFields: { timezoneOffset: 60000 },
		});
		expect(error?.message).toMatch(
			/the timezone offset is 60000; give whole seconds from -54000 to 54000/,
		);
		expect(requestsTo(simulator, 'bulk')).toHaveLength(0);
	});
});

describe('User → Delete', () => {
	it('sends one request per distinct user: known users to Deleted, unknown to Not Found, every item once', async () => {
		const simulator = await simulatorWith();
		const [a, b] = simulator.users.map((user: { customer_id: string }) => String(user.customer_id));
		const rows = [
			{ customer_id: a },
			{ customer_id: 'ghost-1' },
			{ customer_id: b },
			{ customer_id: a },
		];
		const { outputs, error } = await run(simulator, rows, DELETE);
		expect(error).toBeUndefined();
		expect(outputs).toHaveLength(2);
		expect(paired(outputs[0])).toEqual([0, 2, 3]);
		expect(paired(outputs[1])).toEqual([1]);
		expect(outputs[1][0].json).toEqual({ customer_id: 'ghost-1' });
		expect(bodies(simulator, 'delete')).toEqual([
			{ identity_type: 'customer_id', identity_value: a },
			{ identity_type: 'customer_id', identity_value: 'ghost-1' },
			{ identity_type: 'customer_id', identity_value: b },
		]);
		expect(
			simulator.deletions.map(
				(deletion: IDataObject) => deletion.customer_id ?? deletion.identity_value,
			),
		).toHaveLength(2);
	});

	it('keeps up to 8 deletions in flight at 5,000 requests a minute (one user a request), each user deleted once', async () => {
		const simulator = await simulatorWith({ latencyMs: 40 });
		const rows = simulator.users
			.slice(0, 40)
			.map((user: { customer_id: string }) => ({ customer_id: String(user.customer_id) }));
		const { outputs } = await run(simulator, rows, DELETE);
		expect(paired(outputs[0])).toEqual(rows.map((_: unknown, n: number) => n));
		expect(simulator.stats.maxInFlight).toBeGreaterThan(4);
		expect(simulator.stats.maxInFlight).toBeLessThanOrEqual(8);
		expect(
			new Set(bodies(simulator, 'delete').map((body: IDataObject) => body.identity_value)).size,
		).toBe(40);
		expect(bodies(simulator, 'delete')).toHaveLength(40);
	});

	it('deletes by MoEngage ID, spelled moengage_id as Delete documents it', async () => {
		const simulator = await simulatorWith();
		const id = String(simulator.users[5].id);
		const { outputs } = await run(simulator, [{ id }], {
			...DELETE,
			identifierType: 'moengage_id',
			identifier: '={{ $json.id }}',
		});
		expect(paired(outputs[0])).toEqual([0]);
		expect(bodies(simulator, 'delete')).toEqual([
			{ identity_type: 'moengage_id', identity_value: id },
		]);
	});

	it("waits out Delete's 429 (title/description shape) and deletes the user once", async () => {
		const simulator = await simulatorWith();
		let refused = 0;
		simulator.intercept((request: { url: URL }) =>
			request.url.pathname === '/v1/customer/delete' && refused++ === 0
				? {
						status: 429,
						body: {
							status: 'fail',
							title: 'Rate limit exceeded',
							description: 'Exceeded rate limit for this url',
						},
						headers: { 'Retry-After': '1' },
					}
				: undefined,
		);
		const known = String(simulator.users[3].customer_id);
		const { outputs } = await run(simulator, [{ customer_id: known }], DELETE);
		expect(paired(outputs[0])).toEqual([0]);
		expect(
			requestsTo(simulator, 'delete').map((entry: { status: number }) => entry.status),
		).toEqual([429, 200]);
	});

	it('fails the run on a refusal that is not "Not Found", naming the item', async () => {
		const simulator = await simulatorWith({ blocked: true });
		const { error } = await run(simulator, [{ customer_id: 'someone' }], DELETE);
		expect(error?.message).toMatch(
			/^MoEngage refused this workspace \(403 InvalidParams\): given app_id is invalid\/blocked — item 0 \(customer_id "someone"\)/,
		);
	});
});

describe('User → Merge', () => {
	const pairs = (count: number) =>
		Array.from({ length: count }, (_, n) => ({ merged: `dup-${n}`, retained: `main-${n}` }));

	it('sends 60 pairs in requests of 25, 25 and 10 (50 users a call), every item on Accepted', async () => {
		const simulator = await simulatorWith();
		const { outputs, error } = await run(simulator, pairs(60), MERGE);
		expect(error).toBeUndefined();
		expect(outputs).toHaveLength(1);
		expect(paired(outputs[0])).toEqual(pairs(60).map((_, n) => n));
		expect(
			bodies(simulator, 'merge').map((body: IDataObject) => (body.merge_data as unknown[]).length),
		).toEqual([25, 25, 10]);
		expect(bodies(simulator, 'merge')[0].merge_data[0]).toEqual({
			merged_user: 'dup-0',
			retained_user: 'main-0',
		});
	});

	it('sends 50 pairs a call where MoEngage counts pairs and the user raised Pairs per Request', async () => {
		const simulator = await simulatorWith({ mergeReading: 'pairs' });
		await run(simulator, pairs(60), { ...MERGE, options: { pairsPerRequest: 50 } });
		expect(
			bodies(simulator, 'merge').map((body: IDataObject) => (body.merge_data as unknown[]).length),
		).toEqual([50, 10]);
	});

	it('refuses a user merged into itself by name, and sends the other pairs', async () => {
		const simulator = await simulatorWith();
		const rows = [
			{ merged: 'a-1', retained: 'b-1' },
			{ merged: 'same-1', retained: 'same-1' },
		];
		const { outputs } = await run(simulator, rows, MERGE, { onError: 'continueRegularOutput' });
		expect(paired(outputs[0])).toEqual([0, 1]);
		expect(errorOf(outputs[0][1]).message).toBe(
			'Item 1: the Merged and Retained Customer IDs are both "same-1"; a user cannot be merged into itself',
		);
		expect(bodies(simulator, 'merge')).toEqual([
			{ merge_data: [{ merged_user: 'a-1', retained_user: 'b-1' }] },
		]);
	});

	it('counts two user updates a pair: 12 pairs at 20 updates a minute go as 10, then 2 a minute later, with no 429', async () => {
		const simulator = await simulatorWith({ limits: { mergeUsers: 20 } });
		const { outputs } = await run(simulator, pairs(12), {
			...MERGE,
			options: { userUpdatesPerMinute: 20 },
		});
		expect(outputs[0].filter((item) => item.json.error)).toEqual([]);
		const sent = requestsTo(simulator, 'merge');
		expect(sent.map((entry) => sentBody(entry, 'merge').merge_data.length)).toEqual([10, 2]);
		expect(sent.map((entry: { status: number }) => entry.status)).toEqual([200, 200]);
		expect(sent[1].at - sent[0].at).toBeGreaterThanOrEqual(59_000);
	}, 90_000);
});

describe('Get Users keeps its two outputs', () => {
	it('Found and Not Found, as saved workflows expect', async () => {
		const simulator = await simulatorWith();
		const { outputs } = await run(
			simulator,
			[...rowsOf(simulator, 2), { customer_id: 'nobody-1' }],
			{},
		);
		expect(outputs).toHaveLength(2);
		expect(paired(outputs[0]).sort()).toEqual([0, 1]);
		expect(paired(outputs[1])).toEqual([2]);
	});
});
