/**
 * The Get Users node inside n8n's own engine, against the MoEngage simulator: what a user sees
 * on the Found and Not Found outputs, item by item, and what MoEngage receives.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { createSimulator, type Simulator } from '../simulator/simulator';
import { logLines, runMoEngage, type MoEngageParameters, type RunOptions } from './engine';
import { credentialsFor, withSimulator } from './support/simulators';

type User = Record<string, string | number>;

let simulator: Simulator;
let users: User[];

beforeAll(async () => {
	simulator = createSimulator({ users: 500, seed: 7 });
	await simulator.start();
	users = simulator.users;
});
afterAll(async () => await simulator.stop());
beforeEach(() => simulator.reset());

const run = async (
	rows: IDataObject[],
	parameters: MoEngageParameters = {},
	extra: Partial<RunOptions> = {},
) => await runMoEngage({ rows, parameters, credentials: credentialsFor(simulator), ...extra });

const exportRequests = (sim: Simulator = simulator) =>
	sim.log.filter((entry: { path: string }) => entry.path.startsWith('/v1/customers/export'));

const pairedIndexes = (items: INodeExecutionData[]) =>
	items.map((item) => (item.pairedItem as { item: number }).item);

describe('Get Users in a workflow', () => {
	it('looks up 45 items carrying 40 distinct identifiers, 7 unknown, in exactly 2 requests', async () => {
		const known = users.slice(0, 33).map((user) => String(user.customer_id));
		const unknown = Array.from({ length: 7 }, (_, n) => `unknown-${n}`);
		const distinct = [...known, ...unknown];
		// five repeats, one of them numeric as a spreadsheet would send it, one with stray spaces
		const numericUser = users.find((user) => /^\d+$/.test(String(user.customer_id)))!;
		const rows: IDataObject[] = distinct.map((customer_id, row) => ({ row, customer_id }));
		rows.push(
			{ row: 40, customer_id: known[0] },
			{ row: 41, customer_id: Number(numericUser.customer_id) },
			{ row: 42, customer_id: ` ${known[5]}  ` },
			{ row: 43, customer_id: unknown[2] },
			{ row: 44, customer_id: known[0] },
		);
		expect(new Set(rows.map((r) => String(r.customer_id).trim())).size).toBe(40);

		const { outputs, downstream, error } = await run(rows);
		expect(error).toBeUndefined();

		const requests = exportRequests();
		expect(requests.map((entry) => entry.identifiers?.length)).toEqual([20, 20]);
		expect(simulator.duplicateIdentifiers()).toEqual([]);

		const [found, notFound] = outputs;
		const expectedFound = rows
			.map((row, index) => ({ row, index }))
			.filter(({ row }) => !String(row.customer_id).startsWith('unknown'));
		expect(pairedIndexes(found)).toEqual(expectedFound.map(({ index }) => index));
		for (const { row, index } of expectedFound) {
			const item = found.find(
				(candidate) => (candidate.pairedItem as { item: number }).item === index,
			)!;
			const user = users.find(
				(candidate) => candidate.customer_id === String(row.customer_id).trim(),
			);
			expect(item.json).toEqual(user);
		}
		expect(notFound.map((item) => item.json)).toEqual([
			...unknown.map((identifier) => ({ identifier_type: 'customer_id', identifier })),
			{ identifier_type: 'customer_id', identifier: unknown[2] },
		]);
		expect(pairedIndexes(notFound)).toEqual([33, 34, 35, 36, 37, 38, 39, 43]);

		// n8n follows pairedItem back to the source row: $('Rows').item in the next node is the right row
		expect(
			downstream.outputs[0].map((item) => JSON.parse(item.json.sourceRow as string).row),
		).toEqual(expectedFound.map(({ row }) => row.row));
		expect(
			downstream.outputs[1].map((item) => JSON.parse(item.json.sourceRow as string).row),
		).toEqual([33, 34, 35, 36, 37, 38, 39, 43]);
	});

	it('sends the documented request: data wrapper, Basic auth, JSON, app_id URL-encoded, X-Forwarded-For', async () => {
		await withSimulator(
			{ users: 5, workspaceId: 'WS+1/é&x', apiKey: 'k:with:colons' },
			async (oddWorkspace) => {
				const result = await runMoEngage({
					rows: [{ customer_id: oddWorkspace.users[0].customer_id }],
					parameters: { options: { xForwardedFor: '203.0.113.7, 2001:db8::1' } },
					credentials: credentialsFor(oddWorkspace),
				});
				expect(result.error).toBeUndefined();
				expect(result.outputs[0]).toHaveLength(1);
				const [request] = exportRequests(oddWorkspace);
				expect(request.path).toBe('/v1/customers/export?app_id=WS%2B1%2F%C3%A9%26x');
				expect(request.forwardedFor).toBe('203.0.113.7, 2001:db8::1');
				expect(request.authorization).toBe(
					`Basic ${Buffer.from('WS+1/é&x:k:with:colons').toString('base64')}`,
				);
				expect(request.identifiers).toEqual([
					{ identifier_type: 'customer_id', identifier: String(oddWorkspace.users[0].customer_id) },
				]);
				expect(request.fields).toBeUndefined();
			},
		);
	});

	it('mixes customer IDs and MoEngage IDs in one run, per item', async () => {
		const rows = [
			{ kind: 'customer_id', key: users[0].customer_id },
			{ kind: 'id', key: users[1].id },
			{ kind: 'id', key: 'ffffffffffffffffffffffff' },
			{ kind: 'customer_id', key: users[1].customer_id },
		];
		const { outputs } = await run(rows, {
			identifierType: '={{ $json.kind }}',
			identifier: '={{ $json.key }}',
		});
		expect(exportRequests()).toHaveLength(1);
		expect(outputs[0].map((item) => [item.json.customer_id, item.pairedItem])).toEqual([
			[users[0].customer_id, { item: 0 }],
			[users[1].customer_id, { item: 1 }],
			[users[1].customer_id, { item: 3 }],
		]);
		expect(outputs[1]).toEqual([
			{
				json: { identifier_type: 'id', identifier: 'ffffffffffffffffffffffff' },
				pairedItem: { item: 2 },
			},
		]);
	});

	it.each([
		[
			'a field with a space, in brackets',
			'={{ $json["customer id"] }}',
			(user: User) => ({ 'customer id': user.customer_id }),
		],
		[
			'a computed expression',
			'={{ $json.prefix + $json.number }}',
			(user: User) => ({
				prefix: String(user.customer_id).slice(0, 5),
				number: String(user.customer_id).slice(5),
			}),
		],
	])('reads the identifier from %s', async (_, identifier, rowFor) => {
		const { outputs } = await run([rowFor(users[0]), rowFor(users[1])], { identifier });
		expect(outputs[0].map((item) => item.json.customer_id)).toEqual([
			users[0].customer_id,
			users[1].customer_id,
		]);
	});

	it('returns exactly the asked fields, though it asks MoEngage for the key it matches on too, under both its names', async () => {
		const rows = [{ customer_id: users[2].customer_id }, { customer_id: users[3].customer_id }];
		const { outputs } = await run(rows, { fields: 'email, city' });
		expect(exportRequests()[0].fields).toEqual(['email', 'city', 'customer_id', 'uid']);
		expect(outputs[0].map((item) => item.json)).toEqual([
			{ email: users[2].email, city: users[2].city },
			{ email: users[3].email, city: users[3].city },
		]);
	});

	it('takes the fields as an array from an expression', async () => {
		const { outputs } = await run([{ customer_id: users[2].customer_id }], {
			fields: '={{ ["name"] }}',
		});
		expect(outputs[0].map((item) => item.json)).toEqual([{ name: users[2].name }]);
	});

	it('enriches the input items under the user field', async () => {
		const rows = [
			{ row: 'a', customer_id: users[4].customer_id },
			{ row: 'b', customer_id: 'nobody' },
		];
		const { outputs } = await run(rows, {
			fields: 'name',
			options: { outputFormat: 'enrich', userField: 'profile' },
		});
		expect(outputs[0]).toEqual([
			{ json: { ...rows[0], profile: { name: users[4].name } }, pairedItem: { item: 0 } },
		]);
		expect(outputs[1]).toEqual([{ json: rows[1], pairedItem: { item: 1 } }]);
	});

	it('sends up to a few requests at once, never more than 20 identifiers each', async () => {
		await withSimulator({ users: 300, latencyMs: 150 }, async (slow) => {
			const rows = slow.users
				.slice(0, 200)
				.map((user: User) => ({ customer_id: user.customer_id }));
			const result = await runMoEngage({ rows, credentials: credentialsFor(slow) });
			expect(result.outputs[0]).toHaveLength(200);
			expect(exportRequests(slow)).toHaveLength(10);
			// in parallel (the simulator counts the requests it holds at once), not one after another;
			// how long that takes is the benchmarks' to measure, not a test's
			expect(slow.stats.maxInFlight).toBeGreaterThan(1);
			expect(slow.stats.maxInFlight).toBeLessThanOrEqual(4);
		});
	});

	it('honours a smaller batch size', async () => {
		const rows = users.slice(0, 12).map((user) => ({ customer_id: user.customer_id }));
		await run(rows, { options: { batchSize: 5 } });
		expect(exportRequests().map((entry) => entry.identifiers?.length)).toEqual([5, 5, 2]);
	});

	it('outputs nothing and calls nobody for no input', async () => {
		const { outputs } = await run([]);
		expect(outputs.flat()).toEqual([]);
		expect(exportRequests()).toHaveLength(0);
	});
});

describe('Get Users with bad input', () => {
	it.each([
		[{ customer_id: '' }, 'Item 1: the identifier is empty'],
		[{ customer_id: null }, 'Item 1: the identifier is null'],
		[{ customer_id: true }, 'Item 1: the identifier is a boolean (true)'],
		[{ customer_id: { a: 1 } }, 'Item 1: the identifier is an object'],
		[{ customer_id: [1] }, 'Item 1: the identifier is an array'],
	])(
		'stops on %p, naming the item and what it found, before calling MoEngage',
		async (row, message) => {
			const { error } = await run([{ customer_id: users[0].customer_id }, row]);
			expect(error?.message).toContain(message);
			expect(exportRequests()).toHaveLength(0);
		},
	);

	it('rejects an identifier type that is neither customer_id nor a MoEngage ID, naming the spelling the editor offers', async () => {
		const { error } = await run([{ customer_id: 'a', kind: 'email' }], {
			identifierType: '={{ $json.kind }}',
		});
		expect(error?.message).toBe(
			'Item 0: the identifier type is "email"; use "customer_id" (Customer ID) or "moengage_id" (MoEngage ID)',
		);
	});

	it.each([
		[
			{ options: { batchSize: 21 } },
			'The parameter "Batch Size" is a number (21); use a whole number from 1 to 20',
		],
		[
			{ options: { batchSize: 0 } },
			'The parameter "Batch Size" is a number (0); use a whole number from 1 to 20',
		],
		[
			{ options: { usersPerMinute: -5 } },
			'The parameter "Users per Minute" is a number (-5); use a whole number at least 1',
		],
		[
			{ options: { xForwardedFor: 'proxy.local' } },
			'The parameter "X-Forwarded-For" has "proxy.local", which is not an IP address',
		],
		[{ fields: '={{ 42 }}' }, 'The parameter "Fields" is a number (42)'],
	])(
		'refuses the parameters %p with a message naming the parameter',
		async (parameters, message) => {
			const { error } = await run(
				[{ customer_id: users[0].customer_id }],
				parameters as MoEngageParameters,
			);
			expect(error?.message).toContain(message);
			expect(exportRequests()).toHaveLength(0);
		},
	);

	it('continues with the error output: the bad item goes there, the others to Found / Not Found', async () => {
		const rows = [
			{ customer_id: users[0].customer_id },
			{ customer_id: '  ' },
			{ customer_id: 'nobody' },
		];
		const { outputs, downstream, error } = await run(rows, {}, { onError: 'continueErrorOutput' });
		expect(error).toBeUndefined();
		expect(pairedIndexes(outputs[0])).toEqual([0]);
		expect(outputs[1]).toEqual([
			{ json: { identifier_type: 'customer_id', identifier: 'nobody' }, pairedItem: { item: 2 } },
		]);
		expect(outputs[2]).toHaveLength(1);
		expect(outputs[2][0].pairedItem).toEqual({ item: 1 });
		expect(outputs[2][0].json.error).toEqual({
			message: 'Item 1: the identifier is only whitespace ("  ")',
			description: expect.stringContaining('Set "Identifier"'),
			identifier: '  ',
			identifierType: 'customer_id',
		});
		expect(JSON.parse(downstream.errors[0].json.sourceRow as string)).toEqual(rows[1]);
	});

	it('continues with the regular output: the error item rides on Not Found, in input order', async () => {
		const rows = [
			{ customer_id: 'nobody' },
			{ customer_id: null },
			{ customer_id: users[0].customer_id },
		];
		const { outputs } = await run(rows, {}, { onError: 'continueRegularOutput' });
		expect(pairedIndexes(outputs[0])).toEqual([2]);
		expect(pairedIndexes(outputs[1])).toEqual([0, 1]);
		expect(outputs[1][1].json).toEqual({
			error: expect.objectContaining({
				message: 'Item 1: the identifier is null, not a text or number',
			}),
		});
	});
});

describe('Get Users when MoEngage says no', () => {
	it('explains a wrong key with the data-center hint, and never shows the key', async () => {
		const badKey = 'wrong-key-7f3a9c';
		logLines.length = 0;
		const result = await runMoEngage({
			rows: [{ customer_id: users[0].customer_id }, { customer_id: users[1].customer_id }],
			credentials: credentialsFor(simulator, { apiKey: badKey }),
		});
		const error = result.error as Error & { description?: string; httpCode?: string };
		expect(error.message).toBe(
			'MoEngage rejected the credentials (401 Authentication required): Authentication required — item 0 (customer_id "' +
				`${users[0].customer_id}") and 1 more item`,
		);
		expect(error.description).toContain(
			'data center matches your dashboard URL (dashboard-02 → DC 02)',
		);
		expect(error.httpCode).toBe('401');
		const basic = Buffer.from(`${simulator.config.workspaceId}:${badKey}`).toString('base64');
		const everything =
			JSON.stringify(result.run) +
			JSON.stringify(error) +
			String(error.stack) +
			logLines.join('\n');
		expect(everything).not.toContain(badKey);
		expect(everything).not.toContain(basic);
		expect(exportRequests()).toHaveLength(1);
	});

	it('stops sending after a 401 and turns every item into an error item when continuing', async () => {
		const rows = users.slice(0, 45).map((user) => ({ customer_id: user.customer_id }));
		const result = await runMoEngage({
			rows,
			credentials: credentialsFor(simulator, { apiKey: 'nope' }),
			onError: 'continueErrorOutput',
		});
		expect(exportRequests().length).toBeLessThanOrEqual(3);
		expect(result.outputs[0]).toEqual([]);
		expect(result.outputs[1]).toEqual([]);
		expect(pairedIndexes(result.outputs[2])).toEqual(rows.map((_, index) => index));
		expect(result.outputs[2][0].json.error).toMatchObject({
			httpCode: 401,
			type: 'Authentication required',
		});
	});

	// MoEngage: "Get User API must be enabled for your workspace before use. Contact your CSM or
	// MoEngage support to request enablement." A key the API does not cover "gets 401 or 403".
	it.each([
		[
			'refused-403',
			'MoEngage refused Get User for this workspace (403 Forbidden)',
			'The Get User API is not enabled for this workspace',
		],
		[
			'refused-401',
			'MoEngage rejected the credentials (401 Authentication required)',
			"If the credential's Test succeeds, the key is right and the Get User API is not enabled",
		],
	] as const)(
		'on a workspace without Get User (%s), says MoEngage must enable it',
		async (getUser, message, hint) => {
			await withSimulator(
				{ getUser, workspaceId: 'WRITES', apiKey: 'writes-only-key-1' },
				async (writesOnly) => {
					const result = await runMoEngage({
						rows: [{ customer_id: 'someone' }],
						credentials: credentialsFor(writesOnly),
					});
					const error = result.error as Error & { description?: string };
					expect(error.message.startsWith(message)).toBe(true);
					expect(error.description).toContain(hint);
					expect(error.description).toContain('ask your CSM or MoEngage support');
				},
			);
		},
	);

	it('names the identifier MoEngage left out of both lists instead of dropping it', async () => {
		simulator.intercept((request) => ({
			status: 200,
			body: {
				status: 'success',
				type: 'export_users',
				data: { users: [], users_not_found: request.identifiers?.slice(1) },
			},
		}));
		const rows = [{ customer_id: 'first' }, { customer_id: 'second' }];
		const result = await run(rows, {}, { onError: 'continueRegularOutput' });
		expect(result.outputs[1]).toEqual([
			{
				json: {
					error: expect.objectContaining({
						message:
							'MoEngage\'s answer named customer_id "first" neither among the users found nor among those not found',
						identifier: 'first',
					}),
				},
				pairedItem: { item: 0 },
			},
			{ json: { identifier_type: 'customer_id', identifier: 'second' }, pairedItem: { item: 1 } },
		]);
	});

	it('refuses a 200 that is not the documented JSON rather than calling everyone not found', async () => {
		simulator.intercept(() => ({ status: 200, body: '<html>maintenance</html>' }));
		const result = await run([{ customer_id: users[0].customer_id }], {
			options: { maxRetries: 0 },
		});
		expect(result.error?.message).toContain(
			'MoEngage answered 200 but not with the documented JSON: the body is not JSON: "<html>maintenance</html>"',
		);
	});

	it('says where it could not connect, after its retries', async () => {
		const result = await runMoEngage({
			rows: [{ customer_id: 'a' }],
			parameters: { options: { maxRetries: 1 } },
			credentials: credentialsFor(simulator, { baseUrl: 'http://127.0.0.1:9' }),
		});
		expect(result.error?.message).toContain(
			'Could not reach MoEngage at http://127.0.0.1:9 (gave up after 2 tries) — item 0 (customer_id "a")',
		);
		expect((result.error as { description?: string }).description).toContain(
			'connect ECONNREFUSED 127.0.0.1:9',
		);
	});
});

describe('the workspace budget inside n8n', () => {
	// Budgets are per workspace and per process, so each test here gets a workspace of its own.
	let fresh: Simulator;
	beforeEach(async () => {
		fresh = createSimulator({ users: 50 });
		await fresh.start();
	});
	afterEach(async () => await fresh.stop());

	const runOn = async (
		rows: IDataObject[],
		usersPerMinute: number,
		onStarted?: RunOptions['onStarted'],
	) =>
		await runMoEngage({
			rows,
			parameters: { options: { usersPerMinute } },
			credentials: credentialsFor(fresh),
			onStarted,
		});
	const rowsOf = (from: number, to: number) =>
		fresh.users.slice(from, to).map((user: User) => ({ customer_id: user.customer_id }));

	// The budget would hold the rest for a minute: these tests' timeout (well under it) guards
	// against a wait the cancel does not end; what they assert is how the run ended.
	const HANG_GUARD_MS = 30_000;

	it(
		'waits for the rolling minute, logs why, and stops waiting when the execution is cancelled',
		async () => {
			logLines.length = 0;
			let requestsWhenCancelled: number | undefined;
			const result = await runOn(rowsOf(0, 30), 20, (cancel) =>
				setTimeout(() => {
					requestsWhenCancelled = exportRequests(fresh).length;
					cancel();
				}, 700),
			);
			// the node's own wait for the budget ended on the cancel, and ended the run
			expect(result.error?.message).toBe(
				'The execution was cancelled while waiting for the MoEngage rate budget',
			);
			expect(exportRequests(fresh).map((entry) => entry.identifiers?.length)).toEqual([20]);
			// nothing reached MoEngage after the cancel
			expect(exportRequests(fresh)).toHaveLength(requestsWhenCancelled ?? -1);
			expect(
				logLines.some((line) =>
					/MoEngage: waiting (59|60)\.\d s for the workspace budget of 20 users per minute/.test(
						line,
					),
				),
			).toBe(true);
			expect(result.outputs).toEqual([]);
		},
		HANG_GUARD_MS,
	);

	it(
		'is shared by two executions on the same workspace',
		async () => {
			const one = await runOn(rowsOf(0, 10), 15);
			expect(one.outputs[0]).toHaveLength(10);
			// 10 more would make 20 in the minute: the second execution waits for the first one's spend
			const second = await runOn(rowsOf(10, 20), 15, (cancel) => setTimeout(cancel, 500));
			expect(second.error?.message).toBe(
				'The execution was cancelled while waiting for the MoEngage rate budget',
			);
			expect(exportRequests(fresh).map((entry) => entry.identifiers?.length)).toEqual([10]);
		},
		HANG_GUARD_MS,
	);
});
