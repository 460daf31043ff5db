/**
 * Writes you can trust: what users type into Create or Update, Track, Merge and Delete gives what
 * MoEngage documents (docs/moengage-api.md#bulk-import), in n8n's engine over real HTTP against the
 * simulator. Each expectation comes from MoEngage's docs or from what a user sees, never from the
 * body the node happens to build; `simulator.dropped` is what Bulk Import would silently drop.
 */
import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { MoEngage } from '../nodes/MoEngage/MoEngage.node';
import type { RunOptions } from './engine';
import { requestsTo, sentBody, simulatorFactory, type Simulator } from './support/simulators';
import { runOnSimulator as run, paired } from './support/run';

const simulatorWith = simulatorFactory({ users: 20, apiKey: 'trust-secret-key-5d21c9e0' });

const UPSERT = { resource: 'user', operation: 'upsert', customerId: '={{ $json.customer_id }}' };
const TRACK = {
	resource: 'event',
	operation: 'track',
	customerId: '={{ $json.customer_id }}',
	eventName: 'Order Placed',
	attributesFrom: 'none',
};
const MERGE = {
	resource: 'user',
	operation: 'merge',
	mergedCustomerId: '={{ $json.merged }}',
	retainedCustomerId: '={{ $json.retained }}',
};
const CONTINUE: Partial<RunOptions> = { onError: 'continueRegularOutput' };

const errorsOf = (items: INodeExecutionData[]) =>
	items.filter((item) => item.json.error).map((item) => item.json.error as IDataObject);
const bulkBodies = (simulator: Simulator) =>
	requestsTo(simulator, 'bulk').map((entry) => sentBody(entry, 'bulk'));
const elementsSent = (simulator: Simulator) =>
	bulkBodies(simulator).flatMap((body: IDataObject) => body.elements as IDataObject[]);
const events = (simulator: Simulator) => simulator.events as IDataObject[];

describe('1. Event Time {{ $now }} is taken, and reaches MoEngage as a time it keeps', () => {
	it.each([
		['{{ $now }}', '={{ $now }}'],
		['{{ $now.toISO() }}', '={{ $now.toISO() }}'],
		['{{ Date.now() }}', '={{ Date.now() }}'],
	])(
		'30 items with %s: all Accepted, all 30 events recorded at about now, none dropped as future-dated',
		async (_name, eventTime) => {
			const simulator = await simulatorWith();
			const rows = Array.from({ length: 30 }, (_, n) => ({ customer_id: `now-${n}` }));
			const before = Date.now();
			const { outputs, error } = await run(simulator, rows, { ...TRACK, eventTime });
			expect(error).toBeUndefined();
			expect(errorsOf(outputs[0])).toEqual([]);
			expect(paired(outputs[0])).toEqual(rows.map((_, n) => n));
			expect(events(simulator)).toHaveLength(30);
			expect(simulator.dropped).toEqual([]);
			for (const event of events(simulator)) {
				expect(Date.parse(String(event.utc_time))).toBeGreaterThanOrEqual(
					Math.floor(before / 1000) * 1000,
				);
				expect(Date.parse(String(event.utc_time))).toBeLessThanOrEqual(Date.now());
			}
		},
	);

	it("takes a time a few seconds ahead of the n8n host's clock as now, and MoEngage keeps the event", async () => {
		const simulator = await simulatorWith();
		const { outputs } = await run(simulator, [{ customer_id: 'fast-clock' }], {
			...TRACK,
			eventTime: '={{ $now.plus({ seconds: 5 }) }}',
		});
		expect(errorsOf(outputs[0])).toEqual([]);
		expect(events(simulator)).toHaveLength(1);
		expect(simulator.dropped).toEqual([]);
	});

	it('still refuses, by name, a time clearly in the future, and sends the other items', async () => {
		const simulator = await simulatorWith();
		const rows = [{ customer_id: 'on-time', at: '={{ 0 }}' }, { customer_id: 'too-early' }];
		const { outputs } = await run(
			simulator,
			rows,
			{
				...TRACK,
				eventTime: '={{ $json.customer_id === "too-early" ? $now.plus({ minutes: 2 }) : $now }}',
			},
			CONTINUE,
		);
		expect(paired(outputs[0])).toEqual([0, 1]);
		expect(errorsOf(outputs[0])).toEqual([
			expect.objectContaining({
				message: expect.stringMatching(
					/^Item 1: the event time \S+ is 1[12]\d s ahead of this n8n's clock; MoEngage drops future-dated events/,
				),
			}),
		]);
		expect(events(simulator).map((event) => event.customer_id)).toEqual(['on-time']);
	});
});

describe("2. The user's local time agrees with the timezone offset", () => {
	it("an event at 16:33:35Z with offset 19800 is at 22:03:35 on the user's clock, as MoEngage works it out (docs/moengage-api.md#event-times)", async () => {
		const simulator = await simulatorWith();
		const { outputs } = await run(
			simulator,
			[{ customer_id: 'ist-user', at: '2025-05-31T16:33:35Z' }],
			{
				...TRACK,
				eventTime: '={{ $json.at }}',
				additionalFields: { timezoneOffset: 19800 },
			},
		);
		expect(errorsOf(outputs[0])).toEqual([]);
		expect(events(simulator)).toEqual([
			expect.objectContaining({
				customer_id: 'ist-user',
				utc_time: '2025-05-31T16:33:35Z',
				local_time: '2025-05-31T22:03:35',
				user_timezone_offset: 19800,
			}),
		]);
	});

	it("without an offset, MoEngage takes the user's local time from the profile, not from a UTC user_time", async () => {
		const simulator = await simulatorWith({ timezoneOffset: -18_000 });
		await run(simulator, [{ customer_id: 'nyc-user', at: '2025-05-31T16:33:35Z' }], {
			...TRACK,
			eventTime: '={{ $json.at }}',
		});
		expect(events(simulator)).toEqual([
			expect.objectContaining({
				utc_time: '2025-05-31T16:33:35Z',
				local_time: '2025-05-31T11:33:35',
			}),
		]);
	});
});

describe('3. Event Time in the forms people and tools write', () => {
	it.each([
		['a space for the T (SQL, Google Sheets)', '2025-05-31 16:33:35'],
		['the offset Z', '2025-05-31T16:33:35Z'],
		['the offset +05:30', '2025-05-31T22:03:35+05:30'],
		['the offset +0530', '2025-05-31T22:03:35+0530'],
		['the offset +05', '2025-05-31T21:33:35+05'],
		['epoch seconds as text', '1748709215'],
		['epoch milliseconds', 1748709215000],
	])('takes %s as 2025-05-31T16:33:35Z', async (_name, at) => {
		const simulator = await simulatorWith();
		const { outputs } = await run(simulator, [{ customer_id: 'former-1', at }], {
			...TRACK,
			eventTime: '={{ $json.at }}',
		});
		expect(errorsOf(outputs[0])).toEqual([]);
		expect(events(simulator).map((event) => event.utc_time)).toEqual(['2025-05-31T16:33:35Z']);
	});

	it.each([
		[
			'"20250531", which is no epoch of a date from 2001 to 2100',
			'20250531',
			/^Item 0: the event time is 20250531, which is neither epoch seconds nor milliseconds/,
		],
		[
			'0.5',
			0.5,
			/^Item 0: the event time is 0\.5, which is neither epoch seconds nor milliseconds/,
		],
		[
			'a US date',
			'5/31/2025',
			/^Item 0: the event time is "5\/31\/2025", not a date MoEngage takes; give ISO 8601/,
		],
	])('refuses %s by name, sending nothing for it', async (_name, at, message) => {
		const simulator = await simulatorWith();
		const { outputs } = await run(
			simulator,
			[{ customer_id: 'former-2', at }],
			{ ...TRACK, eventTime: '={{ $json.at }}' },
			CONTINUE,
		);
		expect(errorsOf(outputs[0])).toEqual([
			expect.objectContaining({ message: expect.stringMatching(message) }),
		]);
		expect(events(simulator)).toEqual([]);
	});
});

describe('4. Array additions and removals of several items all reach MoEngage, in item order', () => {
	const ARRAYS = { ...UPSERT, attributesFrom: 'json', attributesJson: '={{ $json.change }}' };

	it('three items adding categories "shoes", "bags" and wishlist "hat" to one customer: the profile gets all three', async () => {
		const simulator = await simulatorWith();
		const rows = [
			{ customer_id: 'shopper-a', change: { addValueToArrayField: { categories: ['shoes'] } } },
			{ customer_id: 'shopper-a', change: { addValueToArrayField: { categories: ['bags'] } } },
			{ customer_id: 'shopper-a', change: { addValueToArrayField: { wishlist: ['hat'] } } },
		];
		const { outputs } = await run(simulator, rows, ARRAYS);
		expect(paired(outputs[0])).toEqual([0, 1, 2]);
		expect(simulator.userByCustomerId('shopper-a')).toMatchObject({
			categories: ['shoes', 'bags'],
			wishlist: ['hat'],
		});
		expect(simulator.dropped).toEqual([]);
	});

	it('an item adding and a later item removing the same value: MoEngage applies both, in that order, with nothing dropped', async () => {
		const simulator = await simulatorWith();
		const rows = [
			{
				customer_id: 'shopper-b',
				change: { addValueToArrayField: { tags: ['trial', 'newsletter'] } },
			},
			{ customer_id: 'shopper-b', change: { removeValueFromArrayField: { tags: ['trial'] } } },
			{ customer_id: 'shopper-b', change: { addValueToArrayField: { tags: ['paid'] } } },
		];
		const { outputs } = await run(simulator, rows, ARRAYS);
		expect(errorsOf(outputs[0])).toEqual([]);
		expect(simulator.userByCustomerId('shopper-b')).toMatchObject({ tags: ['newsletter', 'paid'] });
		expect(simulator.dropped).toEqual([]);
		const sent = requestsTo(simulator, 'bulk');
		expect(sent).toHaveLength(3);
		expect(sent.every((entry: { status: number }) => entry.status === 200)).toBe(true);
	});

	it('refuses by name one item that adds to and removes from the same attribute', async () => {
		const simulator = await simulatorWith();
		const rows = [
			{
				customer_id: 'shopper-c',
				change: {
					addValueToArrayField: { tags: ['a'] },
					removeValueFromArrayField: { tags: ['b'] },
				},
			},
		];
		const { outputs } = await run(simulator, rows, ARRAYS, CONTINUE);
		expect(errorsOf(outputs[0])).toEqual([
			expect.objectContaining({
				message: expect.stringContaining(
					'Item 0: the item adds to and removes from "tags" at once, which MoEngage refuses ("Cannot add and remove \'tags\' at the same time")',
				),
			}),
		]);
		expect(requestsTo(simulator, 'bulk')).toHaveLength(0);
	});
});

describe('5. Nothing Bulk Import drops silently passes as Accepted', () => {
	it("refuses platforms outside MoEngage's enum by name, and spells the ones it can read as MoEngage does", async () => {
		const simulator = await simulatorWith();
		const rows = [
			{ customer_id: 'app-user-1', platforms: [{ platform: 'windows', active: 'true' }] },
			{ customer_id: 'app-user-2', platforms: [{ platform: 'android', active: true }] },
		];
		const { outputs } = await run(simulator, rows, { ...UPSERT, attributesFrom: 'item' }, CONTINUE);
		expect(paired(outputs[0])).toEqual([0, 1]);
		expect(errorsOf(outputs[0])).toEqual([
			expect.objectContaining({
				message: expect.stringContaining(
					'Item 0: the attribute "platforms" has {"platform":"windows","active":"true"}',
				),
			}),
		]);
		expect(simulator.userByCustomerId('app-user-2')).toMatchObject({
			platforms: [{ platform: 'ANDROID', active: 'true' }],
		});
		expect(simulator.dropped).toEqual([]);
	});
});

describe('6. A lost answer is never called unreachable, and never records an event more than twice', () => {
	const SLOW = { latencyMs: 1500 };

	it('Track, answers slower than the Timeout: sent twice (one resend), the item says MoEngage may have recorded it, never "Could not reach"', async () => {
		const simulator = await simulatorWith(SLOW);
		const { outputs } = await run(
			simulator,
			[{ customer_id: 'slow-1' }],
			{ ...TRACK, options: { timeout: 1000, maxRetries: 3 } },
			CONTINUE,
		);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(requestsTo(simulator, 'bulk')).toHaveLength(2);
		expect(events(simulator)).toHaveLength(2);
		const [error] = errorsOf(outputs[0]);
		expect(error.message).toBe(
			`No answer from MoEngage at ${simulator.url} within 1000 ms: the request was sent and its answer lost. MoEngage may have recorded it up to 2 times; not sent again`,
		);
		expect(JSON.stringify(outputs)).not.toContain('Could not reach');
	});

	it('Track with "Resend After a Lost Answer" off: sent once, recorded once, the item says it was not sent again', async () => {
		const simulator = await simulatorWith(SLOW);
		const { outputs } = await run(
			simulator,
			[{ customer_id: 'slow-2' }],
			{ ...TRACK, options: { timeout: 1000, maxRetries: 3, resendAfterLostAnswer: false } },
			CONTINUE,
		);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(requestsTo(simulator, 'bulk')).toHaveLength(1);
		expect(events(simulator)).toHaveLength(1);
		expect(errorsOf(outputs[0])[0].message).toMatch(
			/: the request was sent and its answer lost\. MoEngage may have recorded it; not sent again, since sending it twice could record it twice$/,
		);
	});

	it('Create or Update keeps resending plain attributes (harmless to repeat), and says MoEngage may have applied them', async () => {
		const simulator = await simulatorWith(SLOW);
		const { outputs } = await run(
			simulator,
			[{ customer_id: 'slow-3', plan: 'gold' }],
			{ ...UPSERT, attributesFrom: 'item', options: { timeout: 1000, maxRetries: 2 } },
			CONTINUE,
		);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(requestsTo(simulator, 'bulk')).toHaveLength(3);
		expect(errorsOf(outputs[0])[0].message).toMatch(
			/its answer lost\. MoEngage may have applied it \(gave up after 3 tries\)$/,
		);
		expect(simulator.userByCustomerId('slow-3')).toMatchObject({ plan: 'gold' });
	});

	it('Create or Update resends an array addition at most once after a lost answer, as Track does with events', async () => {
		const simulator = await simulatorWith(SLOW);
		const rows = [{ customer_id: 'slow-4', change: { addValueToArrayField: { tags: ['vip'] } } }];
		await run(
			simulator,
			rows,
			{
				...UPSERT,
				attributesFrom: 'json',
				attributesJson: '={{ $json.change }}',
				options: { timeout: 1000, maxRetries: 5 },
			},
			CONTINUE,
		);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(requestsTo(simulator, 'bulk')).toHaveLength(2);
	});

	it('200 events under lost answers after MoEngage applied them: every item Accepted or an error saying so, no event recorded more than twice', async () => {
		const simulator = await simulatorWith({
			faults: { rate: 0.5, seed: 11, kinds: ['applied-reset', 'applied-truncated', 'reset'] },
		});
		// Events of 30 KB, three to a request: 67 requests, so the faults fall on many of them.
		const rows = Array.from({ length: 200 }, (_, n) => ({
			customer_id: `lossy-${n}`,
			details: { note: 'x'.repeat(30_000) },
		}));
		const { outputs } = await run(
			simulator,
			rows,
			{
				...TRACK,
				attributesFrom: 'json',
				attributesJson: '={{ $json.details }}',
				options: { maxRetries: 10 },
			},
			CONTINUE,
		);
		expect(paired(outputs[0])).toEqual(rows.map((_, n) => n));
		expect(Object.keys(simulator.faultCounts).length).toBe(3);
		const copies = new Map<string, number>();
		for (const event of events(simulator))
			copies.set(String(event.customer_id), (copies.get(String(event.customer_id)) ?? 0) + 1);
		expect(Math.max(...copies.values())).toBeLessThanOrEqual(2);
		for (const [index, item] of outputs[0].entries()) {
			if (!item.json.error) expect(copies.get(`lossy-${index}`)).toBeGreaterThanOrEqual(1);
			else
				expect((item.json.error as IDataObject).message).toContain('MoEngage may have recorded it');
		}
	});

	it("retries a 5xx in MoEngage's own words as before (it proves nothing arrived): every event recorded exactly once", async () => {
		const simulator = await simulatorWith({
			faults: { rate: 0.5, seed: 3, kinds: ['500', '429-retry-after'] },
		});
		const rows = Array.from({ length: 40 }, (_, n) => ({ customer_id: `retry-${n}` }));
		const { outputs } = await run(simulator, rows, { ...TRACK, options: { maxRetries: 10 } });
		expect(errorsOf(outputs[0])).toEqual([]);
		expect(
			events(simulator)
				.map((event) => event.customer_id)
				.sort(),
		).toEqual(rows.map((row) => row.customer_id).sort());
	});
});

describe('7. Blank cells never erase a profile', () => {
	it('"The Item\'s Fields" leaves out empty values and the field that gave the Customer ID: the user keeps the city MoEngage has', async () => {
		const simulator = await simulatorWith();
		await run(simulator, [{ customer_id: 'item-1', city: 'Berlin' }], {
			...UPSERT,
			attributesFrom: 'item',
		});
		const { outputs } = await run(
			simulator,
			[{ customer_id: 'item-1', plan: 'gold', note: null, city: '' }],
			{ ...UPSERT, attributesFrom: 'item' },
		);
		expect(errorsOf(outputs[0])).toEqual([]);
		expect(elementsSent(simulator)[1]).toEqual({
			type: 'customer',
			customer_id: 'item-1',
			attributes: { plan: 'gold' },
		});
		expect(simulator.userByCustomerId('item-1')).toMatchObject({ city: 'Berlin', plan: 'gold' });
	});

	it('with Send Empty Values on, sends them for a user who means to clear a value; Send Mapped Fields sends the ID field too', async () => {
		const simulator = await simulatorWith();
		await run(simulator, [{ customer_id: 'item-2', note: null, city: '' }], {
			...UPSERT,
			attributesFrom: 'item',
			sendEmptyValues: true,
			sendMappedFields: true,
		});
		expect(elementsSent(simulator)[0].attributes).toEqual({
			customer_id: 'item-2',
			note: null,
			city: '',
		});
	});

	it('"Fields Below" sends a number, a boolean, a date and an array as their types, without JSON', async () => {
		const simulator = await simulatorWith();
		await run(simulator, [{ customer_id: 'typed-1', seats: '42' }], {
			...UPSERT,
			attributesFrom: 'pairs',
			attributePairs: {
				attribute: [
					{ name: 'seats', type: 'number', value: '={{ $json.seats }}' },
					{ name: 'vip', type: 'boolean', value: 'true' },
					{ name: 'renews_on', type: 'date', value: '2026-01-31 09:00:00' },
					{ name: 'interests', type: 'array', value: 'running, cycling' },
					{ name: 'nickname', value: '' },
				],
			},
		});
		expect(simulator.userByCustomerId('typed-1')).toMatchObject({
			seats: 42,
			vip: true,
			renews_on: '2026-01-31T09:00:00Z',
			interests: ['running', 'cycling'],
		});
		expect(elementsSent(simulator)[0].attributes).not.toHaveProperty('nickname');
	});
});

describe('8. Merge pairs that conflict within one run are refused before sending', () => {
	it('A→B, A→C, B→A, C→A: A→B is sent; each other row is an error item naming the earlier item', async () => {
		const simulator = await simulatorWith();
		const rows = [
			{ merged: 'cust-A', retained: 'cust-B' },
			{ merged: 'cust-A', retained: 'cust-C' },
			{ merged: 'cust-B', retained: 'cust-A' },
			{ merged: 'cust-C', retained: 'cust-A' },
		];
		const { outputs } = await run(simulator, rows, MERGE, CONTINUE);
		expect(paired(outputs[0])).toEqual([0, 1, 2, 3]);
		expect(errorsOf(outputs[0]).map((error) => error.message)).toEqual([
			'Item 1: "cust-A" is merged into "cust-B" by item 0; it cannot be merged again in the same run',
			'Item 2: "cust-B" is the retained user of item 0; it cannot be merged away in the same run',
			'Item 3: "cust-A" is merged into "cust-B" by item 0; it cannot be the retained user in the same run',
		]);
		expect(requestsTo(simulator, 'merge').map((entry) => sentBody(entry, 'merge'))).toEqual([
			{ merge_data: [{ merged_user: 'cust-A', retained_user: 'cust-B' }] },
		]);
	});

	it('the same pair twice is one merge, and several duplicates into one user are fine', async () => {
		const simulator = await simulatorWith();
		const rows = [
			{ merged: 'dup-1', retained: 'main-1' },
			{ merged: 'dup-2', retained: 'main-1' },
			{ merged: 'dup-1', retained: 'main-1' },
		];
		const { outputs } = await run(simulator, rows, MERGE);
		expect(errorsOf(outputs[0])).toEqual([]);
		expect(sentBody(requestsTo(simulator, 'merge')[0], 'merge').merge_data).toHaveLength(2);
	});
});

describe('9. A failing run says what MoEngage already has', () => {
	it('8 events, the 6th refused, no continue-on-fail: the error names items 0–4 as accepted and 6–7 as not sent, as MoEngage holds them', async () => {
		const simulator = await simulatorWith();
		simulator.intercept((request: { raw: Buffer; url: URL }) => {
			if (!request.url.pathname.startsWith('/v1/transition/')) return undefined;
			const body = JSON.parse(request.raw.toString('utf8'));
			return body.elements.some((element: IDataObject) => element.customer_id === 'buyer-5')
				? {
						status: 400,
						body: {
							status: 'fail',
							error: {
								message: "'action cannot be empty Unicode string",
								type: 'MissingAttributeError',
								attribute: 'action',
								request_id: 'r-5',
							},
						},
					}
				: undefined;
		});
		const rows = Array.from({ length: 8 }, (_, n) => ({ customer_id: `buyer-${n}` }));
		const { error } = await run(simulator, rows, TRACK);
		const description = String((error as Error & { description?: string }).description);
		expect(error?.message).toMatch(/item 5 \(customer_id "buyer-5"\)/);
		expect(description).toContain(
			'Before this failure MoEngage had accepted 5 of 8 items (items 0–4).',
		);
		expect(description).toContain('Items 6–7 were not sent.');
		expect(description).toContain(
			'Running the workflow again sends them again: MoEngage records their events once more.',
		);
		expect(description).toContain('"Continue (using error output)"');
		expect(events(simulator).map((event) => event.customer_id)).toEqual([
			'buyer-0',
			'buyer-1',
			'buyer-2',
			'buyer-3',
			'buyer-4',
		]);
	});

	it('a refusal before sending says nothing was sent', async () => {
		const simulator = await simulatorWith();
		const { error } = await run(
			simulator,
			[{ customer_id: 'ok-1' }, { customer_id: 'null' }],
			TRACK,
		);
		expect((error as Error & { description?: string }).description).toContain(
			'Nothing was sent to MoEngage.',
		);
	});
});

describe('10. Identifier Type has one spelling in the editor, both in saved workflows', () => {
	const identifierTypes = (new MoEngage().description.properties as INodeProperties[]).filter(
		(property) => property.name === 'identifierType',
	);

	it('Get and Delete offer the same two values, so a node switched between them keeps its choice', () => {
		expect(identifierTypes).toHaveLength(2);
		expect(identifierTypes[0].options).toEqual(identifierTypes[1].options);
		expect(
			(identifierTypes[0].options as Array<{ value: string }>).map((option) => option.value),
		).toEqual(['customer_id', 'moengage_id']);
	});

	it('Get finds a user by MoEngage ID saved either way; Delete deletes one saved as Get\'s "id"', async () => {
		const simulator = await simulatorWith();
		const [first, second] = simulator.users as Array<{ id: string; customer_id: string }>;
		for (const identifierType of ['moengage_id', 'id']) {
			const { outputs } = await run(simulator, [{ moengage: first.id }], {
				identifierType,
				identifier: '={{ $json.moengage }}',
			});
			expect(outputs[0]).toHaveLength(1);
		}
		const { outputs } = await run(simulator, [{ moengage: second.id }], {
			resource: 'user',
			operation: 'delete',
			identifierType: 'id',
			identifier: '={{ $json.moengage }}',
		});
		expect(paired(outputs[0])).toEqual([0]);
	});
});
