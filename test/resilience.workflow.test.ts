/**
 * Resilience inside n8n's engine, over real HTTP: MoEngage's limits, faults and bad answers cost
 * time, never an item.
 */
import type { IDataObject } from 'n8n-workflow';

import { logLines, type MoEngageParameters } from './engine';
import { exportRequests, rowsOf, simulatorFactory } from './support/simulators';
import { runOnSimulator as run, paired } from './support/run';

type User = Record<string, string | number>;

const simulatorWith = simulatorFactory({ users: 200, apiKey: 'resilience-secret-key-93f1' });

describe('MoEngage says "too many"', () => {
	it('waits as long as Retry-After asks, logs why, and then gets every user', async () => {
		const simulator = await simulatorWith({});
		let refused = false;
		simulator.intercept(() => {
			if (refused) return undefined;
			refused = true;
			return {
				status: 429,
				headers: { 'Retry-After': '3' },
				body: {
					status: 'fail',
					error: { message: 'Rate limit exceeded', type: 'RateLimitError', request_id: 'r-429' },
				},
			};
		});
		logLines.length = 0;
		const { outputs, error } = await run(simulator, rowsOf(simulator, 5));
		expect(error).toBeUndefined();
		expect(outputs[0]).toHaveLength(5);
		const [first, second] = exportRequests(simulator);
		expect(first.status).toBe(429);
		expect(second.at - first.at).toBeGreaterThanOrEqual(2900);
		expect(logLines).toContainEqual(
			expect.stringMatching(
				/MoEngage: waiting 3\.0 s after MoEngage's rate limit \(429\), as its Retry-After asks, before sending 5 users again/,
			),
		);
	});

	it("backs off when its real window is full, in both of MoEngage's 429 shapes, and loses nobody", async () => {
		for (const rateLimitShape of ['error', 'title'] as const) {
			const simulator = await simulatorWith({ usersPerWindow: 10, windowMs: 1500, rateLimitShape });
			const { outputs, error } = await run(simulator, rowsOf(simulator, 30), {
				options: { batchSize: 10 },
			});
			expect(error).toBeUndefined();
			expect(paired(outputs[0])).toEqual(Array.from({ length: 30 }, (_, index) => index));
			expect(
				exportRequests(simulator).some((entry: { status: number }) => entry.status === 429),
			).toBe(true);
		}
	});
});

describe('MoEngage or the network fails', () => {
	it('retries a 5xx, a timeout and a reset, and answers every item once', async () => {
		const simulator = await simulatorWith({});
		const script = ['503', 'hang', 'reset', '500'];
		simulator.intercept(() => {
			const next = script.shift();
			if (next === 'hang') return { status: 0, destroy: true, delayMs: 2000 };
			if (next === 'reset') return { status: 0, destroy: true };
			if (next)
				return {
					status: Number(next),
					body: { status: 'fail', title: 'Internal Error', description: 'Try later' },
				};
			return undefined;
		});
		const { outputs, error } = await run(simulator, rowsOf(simulator, 3), {
			options: { timeout: 500 },
		});
		expect(error).toBeUndefined();
		expect(paired(outputs[0])).toEqual([0, 1, 2]);
		expect(exportRequests(simulator).length).toBeGreaterThanOrEqual(4);
		expect(simulator.duplicateIdentifiers().length).toBeGreaterThan(0); // the same batch, sent again
	});

	it('gives up after Max Retries with the last cause and the number of tries', async () => {
		const simulator = await simulatorWith({});
		simulator.intercept(() => ({ status: 502, body: '<html><h1>502 Bad Gateway</h1></html>' }));
		const { error } = await run(simulator, rowsOf(simulator, 2), { options: { maxRetries: 2 } });
		expect(error?.message).toBe(
			`MoEngage failed to answer (502): 502 Bad Gateway (gave up after 3 tries) — item 0 (customer_id "${simulator.users[0].customer_id}") and 1 more item`,
		);
		expect(exportRequests(simulator)).toHaveLength(3);
	});

	it.each([
		[403, 'BlockedClient'],
		[409, 'Authentication required.'],
		[415, 'MediaTypeError'],
	])('never retries a %i', async (status, type) => {
		const simulator = await simulatorWith({});
		simulator.intercept(() => ({
			status,
			body: { status: 'fail', error: { message: type, type, request_id: 'r' } },
		}));
		const { error } = await run(simulator, rowsOf(simulator, 45));
		expect((error as { httpCode?: string }).httpCode).toBe(String(status));
		expect(exportRequests(simulator).length).toBeLessThanOrEqual(3);
	});

	// The timeout is a hang guard only (ten backoffs would take minutes): the test asserts how the run ended.
	it('stops waiting when the execution is cancelled during a backoff, and sends nothing more', async () => {
		const simulator = await simulatorWith({});
		let cancelExecution = () => {};
		let answered = 0;
		simulator.intercept(() => {
			// after the second 503 the node backs off for at least a second: cancel inside that wait
			if (++answered === 2) setTimeout(() => cancelExecution(), 200);
			return {
				status: 503,
				body: { status: 'fail', title: 'Service Unavailable', description: 'x' },
			};
		});
		const { error } = await run(
			simulator,
			rowsOf(simulator, 3),
			{ options: { maxRetries: 10 } },
			{
				onStarted: (cancel) => {
					cancelExecution = cancel;
				},
			},
		);
		// the node's own backoff ended on the cancel, and ended the run; no try went out after it
		expect(error?.message).toBe('The execution was cancelled while waiting to retry MoEngage');
		expect(exportRequests(simulator)).toHaveLength(2);
	}, 30_000);
});

describe('MoEngage rejects one identifier of a batch', () => {
	it('isolates it: the others are answered, it becomes an error item naming it', async () => {
		const simulator = await simulatorWith({ poison: ['bad&id'] });
		const rows: IDataObject[] = rowsOf(simulator, 19);
		rows.splice(7, 0, { customer_id: 'bad&id' });
		const { outputs } = await run(simulator, rows, {}, { onError: 'continueErrorOutput' });
		expect(paired(outputs[0])).toEqual(
			rows.map((_, index) => index).filter((index) => index !== 7),
		);
		expect(outputs[2]).toEqual([
			{
				// n8n's error output merges the input item in
				json: {
					customer_id: 'bad&id',
					error: expect.objectContaining({
						message:
							'MoEngage rejected the request (400 InvalidParams): identifier "bad&id" is not valid (attribute "identifiers")',
						identifier: 'bad&id',
						httpCode: 400,
					}),
				},
				pairedItem: { item: 7 },
			},
		]);
		expect(exportRequests(simulator).length - 1).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(20)));
	});

	it('names only the refused identifier, not the batches left unsent after it', async () => {
		const simulator = await simulatorWith({ poison: ['bad-id'] });
		const rows: IDataObject[] = [{ customer_id: 'bad-id' }, ...rowsOf(simulator, 150)];
		const { error } = await run(simulator, rows);
		expect(error?.message).toBe(
			'MoEngage rejected the request (400 InvalidParams): identifier "bad-id" is not valid (attribute "identifiers") — item 0 (customer_id "bad-id")',
		);
	});

	it("stops the workflow naming the item and MoEngage's message when not continuing", async () => {
		const simulator = await simulatorWith({ poison: ['bad-id'] });
		const rows: IDataObject[] = [...rowsOf(simulator, 4), { customer_id: 'bad-id' }];
		const { error } = await run(simulator, rows);
		expect(error?.message).toBe(
			'MoEngage rejected the request (400 InvalidParams): identifier "bad-id" is not valid (attribute "identifiers") — item 4 (customer_id "bad-id")',
		);
	});
});

describe('bad input', () => {
	it.each([
		[
			{ options: { batchSize: 'abc' } },
			'The parameter "Batch Size" is "abc"; use a whole number from 1 to 20',
		],
		[
			{ options: { usersPerMinute: 0 } },
			'The parameter "Users per Minute" is a number (0); use a whole number at least 1',
		],
		[
			{ options: { maxRetries: -1 } },
			'The parameter "Max Retries" is a number (-1); use a whole number from 0 to 20',
		],
		[
			{ options: { timeout: 'soon' } },
			'The parameter "Timeout" is "soon"; use a whole number from 100 to 600000',
		],
		[
			{ options: { xForwardedFor: '203.0.113.7,,10.0.0.1' } },
			'The parameter "X-Forwarded-For" has an empty entry',
		],
		[{ fields: '={{ { name: true } }}' }, 'The parameter "Fields" is an object'],
		[{ fields: '={{ ["name", 7] }}' }, 'The parameter "Fields" contains a number (7)'],
		[{ options: { outputFormat: 'xml' } }, 'The parameter "Output Format" is "xml"'],
		[
			{ options: { outputFormat: 'enrich', userField: ' ' } },
			'The parameter "User Field" is empty',
		],
	])('%p is refused with a message naming the parameter', async (parameters, message) => {
		const simulator = await simulatorWith({});
		const { error } = await run(simulator, rowsOf(simulator, 1), parameters as MoEngageParameters);
		expect(error?.message).toContain(message);
		expect(exportRequests(simulator)).toHaveLength(0);
	});
});

describe('soak', () => {
	it('5,000 items against ~20% mixed faults give exactly the fault-free outputs, item for item', async () => {
		const users = 3000;
		const calm = await simulatorWith({ users, usersPerWindow: 1e9 });
		const stormy = await simulatorWith({
			users,
			usersPerWindow: 1e9,
			faults: { rate: 0.2, seed: 2026, hangMs: 1500 },
		});
		const pool: IDataObject[] = [
			...calm.users
				.slice(0, 2500)
				.map((user: User) => ({ kind: 'customer_id', key: user.customer_id })),
			...calm.users.slice(2500, 3000).map((user: User) => ({ kind: 'id', key: user.id })),
			...Array.from({ length: 700 }, (_, n) => ({
				kind: n % 2 ? 'id' : 'customer_id',
				key: `unknown-${n}`,
			})),
		];
		const rows = [...pool, ...pool.slice(0, 1300).map((row, n) => pool[(n * 7919) % pool.length])];
		expect(rows).toHaveLength(5000);
		const parameters = {
			identifierType: '={{ $json.kind }}',
			identifier: '={{ $json.key }}',
			options: { usersPerMinute: 1e9, timeout: 500, maxRetries: 8 },
		};
		logLines.length = 0;
		const expected = await run(calm, rows, parameters);
		const soakStarted = Date.now();
		const actual = await run(stormy, rows, parameters);
		const seconds = (Date.now() - soakStarted) / 1000;

		expect(actual.error).toBeUndefined();
		const knownRows = rows.filter((row) => !String(row.key).startsWith('unknown-')).length;
		expect(expected.outputs[0]).toHaveLength(knownRows);
		expect(actual.outputs[0]).toEqual(expected.outputs[0]);
		expect(actual.outputs[1]).toEqual(expected.outputs[1]);
		expect(actual.outputs[0].length + actual.outputs[1].length).toBe(5000);

		const faults = stormy.faultCounts as Record<string, number>;
		const injected = Object.values(faults).reduce((sum, count) => sum + count, 0);
		const requests = exportRequests(stormy).length;
		expect(injected / requests).toBeGreaterThan(0.12);
		const secret = stormy.config.apiKey;
		const basic = Buffer.from(`${stormy.config.workspaceId}:${secret}`).toString('base64');
		const everything = JSON.stringify(actual.run) + logLines.join('\n');
		expect(everything).not.toContain(secret);
		expect(everything).not.toContain(basic);
		process.stdout.write(
			`\nSoak: 5000 items, ${exportRequests(calm).length} requests fault-free, ${requests} with faults in ${seconds.toFixed(1)} s; ` +
				`faults injected (each retried): ${Object.entries(faults)
					.sort()
					.map(([kind, count]) => `${kind} ${count}`)
					.join(', ')}\n`,
		);
	}, 240_000);
});
