/**
 * Trust at the edges, in n8n's engine over real HTTP: nothing false on Found when the whole node
 * fails, no piece of a secret anywhere, no hammering after a 429, the right item blamed, a run that
 * will fail stops at once, and MoEngage IDs in either spelling MoEngage documents.
 */
import type { IDataObject } from 'n8n-workflow';

import {
	logLines,
	runMoEngage,
	testCredential,
	type MoEngageParameters,
	type RunOptions,
} from './engine';
import { leakedFragments } from './support/secrets';
import {
	credentialsFor,
	exportRequests,
	rowsOf,
	simulatorFactory,
	type Simulator,
} from './support/simulators';
import { runOnSimulator as run, paired } from './support/run';

type User = Record<string, string | number>;

const simulatorWith = simulatorFactory({ users: 200, apiKey: 'edges-secret-key-5d27c1e9' });

describe('a problem of the whole node, with On Error set to continue', () => {
	const problems: Array<
		[
			string,
			(simulator: Simulator) => Partial<RunOptions> & { parameters?: MoEngageParameters },
			RegExp,
		]
	> = [
		[
			'Users per Minute {{ 0 }}',
			() => ({ parameters: { options: { usersPerMinute: '={{ 0 }}' } } }),
			/^The parameter "Users per Minute" is a number \(0\); use a whole number at least 1$/,
		],
		[
			'a Custom URL without a scheme',
			(simulator) => ({
				credentials: credentialsFor(simulator, { baseUrl: simulator.url.replace('http://', '') }),
			}),
			/^Cannot call MoEngage: the credential's Base URL "127\.0\.0\.1:\d+" is not an http\(s\) URL such as http:\/\/127\.0\.0\.1:4010 \(field "Base URL"\)$/,
		],
		[
			'an Identifier expression that throws',
			() => ({ parameters: { identifier: "={{ $('No Such Node').item.json.id }}" } }),
			/^Item \d: the expression of "Identifier" failed: /,
		],
	];

	describe.each(problems)('%s', (_name, setUp, message) => {
		it('puts one error item per input item on Not Found (regular output), nothing on Found, and sends nothing', async () => {
			const simulator = await simulatorWith();
			const rows = rowsOf(simulator, 3);
			const { outputs, error } = await runMoEngage({
				rows,
				credentials: credentialsFor(simulator),
				onError: 'continueRegularOutput',
				...setUp(simulator),
			});
			expect(error).toBeUndefined();
			expect(outputs[0]).toEqual([]);
			expect(paired(outputs[1])).toEqual([0, 1, 2]);
			for (const item of outputs[1]) {
				expect(Object.keys(item.json)).toEqual(['error']);
				expect((item.json.error as IDataObject).message).toMatch(message);
			}
			expect(exportRequests(simulator)).toHaveLength(0);
		});

		it('puts them on the error output with Continue (using error output)', async () => {
			const simulator = await simulatorWith();
			const rows = rowsOf(simulator, 3);
			const { outputs, downstream } = await runMoEngage({
				rows,
				credentials: credentialsFor(simulator),
				onError: 'continueErrorOutput',
				...setUp(simulator),
			});
			expect(outputs[0]).toEqual([]);
			expect(outputs[1]).toEqual([]);
			expect(paired(outputs[2])).toEqual([0, 1, 2]);
			expect((outputs[2][0].json.error as IDataObject).message).toMatch(message);
			expect(downstream.outputs[0]).toEqual([]);
			expect(exportRequests(simulator)).toHaveLength(0);
		});

		it('fails the run without continue-on-fail, sending nothing', async () => {
			const simulator = await simulatorWith();
			const { error, outputs } = await runMoEngage({
				rows: rowsOf(simulator, 3),
				credentials: credentialsFor(simulator),
				...setUp(simulator),
			});
			expect(error).toBeDefined();
			expect(outputs).toEqual([]);
			expect(exportRequests(simulator)).toHaveLength(0);
		});
	});

	it('names the parameter to fix in the error item', async () => {
		const simulator = await simulatorWith();
		const { outputs } = await run(
			simulator,
			rowsOf(simulator, 1),
			{ options: { usersPerMinute: '={{ 0 }}' } },
			{ onError: 'continueRegularOutput' },
		);
		expect(outputs[1][0].json.error).toEqual({
			message: 'The parameter "Users per Minute" is a number (0); use a whole number at least 1',
			description: 'Fix "Users per Minute" in the node\'s parameters.',
		});
	});

	it('fails only the items whose Identifier expression throws; the others are looked up', async () => {
		const simulator = await simulatorWith();
		const rows = [
			{ customer_id: simulator.users[0].customer_id },
			{ elsewhere: true },
			{ customer_id: 'nobody' },
		];
		const identifier =
			"={{ $json.elsewhere ? $('No Such Node').item.json.id : $json.customer_id }}";
		const { outputs } = await run(
			simulator,
			rows,
			{ identifier },
			{ onError: 'continueRegularOutput' },
		);
		expect(paired(outputs[0])).toEqual([0]);
		expect(paired(outputs[1])).toEqual([1, 2]);
		expect((outputs[1][0].json.error as IDataObject).message).toMatch(
			/^Item 1: the expression of "Identifier" failed: /,
		);
	});
});

describe('secrets', () => {
	it('a Workspace ID and key pasted with a space and a line break just work, in the node and in the credential Test', async () => {
		const simulator = await simulatorWith();
		const pasted = {
			appId: ` ${simulator.config.workspaceId} `,
			apiKey: `${simulator.config.apiKey}\n`,
		};
		const { outputs, error } = await runMoEngage({
			rows: rowsOf(simulator, 2),
			credentials: credentialsFor(simulator, pasted),
		});
		expect(error).toBeUndefined();
		expect(outputs[0]).toHaveLength(2);
		expect(await testCredential(credentialsFor(simulator, pasted))).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
	});

	it('a proxy page echoing the Authorization header leaves no 8-character piece of a secret in the error, the outputs or the log', async () => {
		const simulator = await simulatorWith();
		const { workspaceId, apiKey } = simulator.config;
		const basic = Buffer.from(`${workspaceId}:${apiKey}`).toString('base64');
		for (const shift of [0, 37, 101, 150, 170, 180, 190]) {
			simulator.reset();
			simulator.intercept((request) => ({
				status: 502,
				body: `<html><body><h1>502 Bad Gateway</h1><p>${'.'.repeat(shift)} upstream rejected Authorization: ${request.headers.authorization} (key ${apiKey})</p></body></html>`,
			}));
			logLines.length = 0;
			for (const onError of [undefined, 'continueRegularOutput'] as const) {
				const result = await run(
					simulator,
					rowsOf(simulator, 1),
					{ options: { maxRetries: 0 } },
					onError ? { onError } : {},
				);
				const error = result.error as
					(Error & { description?: string; cause?: unknown }) | undefined;
				const everything = [
					JSON.stringify(result.run),
					error?.message,
					error?.description,
					error?.stack,
					JSON.stringify(error?.cause),
					logLines.join('\n'),
				].join('\n');
				expect(leakedFragments(everything, [apiKey, basic])).toEqual([]);
				expect(everything).toContain('502');
			}
		}
	});

	it('a Custom URL with user:password@ is shown without them when MoEngage cannot be reached', async () => {
		const simulator = await simulatorWith();
		logLines.length = 0;
		const result = await runMoEngage({
			rows: [{ customer_id: 'a' }],
			parameters: { options: { maxRetries: 0 } },
			credentials: credentialsFor(simulator, {
				baseUrl: 'http://proxy-user:proxy-pass-8812@127.0.0.1:9',
			}),
		});
		const error = result.error as Error & { description?: string };
		expect(error.message).toContain('Could not reach MoEngage at http://127.0.0.1:9');
		const everything = [
			JSON.stringify(result.run),
			error.message,
			error.description,
			error.stack,
			logLines.join('\n'),
		].join('\n');
		expect(leakedFragments(everything, ['proxy-pass-8812', 'proxy-user:proxy-pass-8812'])).toEqual(
			[],
		);
	});
});

describe('the right item is blamed, and a run that will fail stops at once', () => {
	it('names the identifier MoEngage refused, its item, the status and request_id — not an item that was waiting for a retry', async () => {
		const simulator = await simulatorWith({ poison: ['bad-id'] });
		const first = String(simulator.users[0].customer_id);
		let answeredFirst = false;
		simulator.intercept((request) => {
			if (request.identifiers?.[0].identifier !== first || answeredFirst) return undefined;
			answeredFirst = true;
			return {
				status: 503,
				body: { status: 'fail', title: 'Service Unavailable', description: 'Try again later' },
			};
		});
		const rows = [
			{ customer_id: first },
			{ customer_id: 'bad-id' },
			...rowsOf(simulator, 4).slice(1),
		];
		const { error } = await run(simulator, rows, { options: { batchSize: 1 } });
		const refused = exportRequests(simulator).find(
			(entry: { status: number }) => entry.status === 400,
		);
		expect(error?.message).toBe(
			'MoEngage rejected the request (400 InvalidParams): identifier "bad-id" is not valid (attribute "identifiers") — item 1 (customer_id "bad-id")',
		);
		const details = error as Error & { httpCode?: string; description?: string };
		expect(details.httpCode).toBe('400');
		expect(details.description).toMatch(/MoEngage request_id: [0-9a-f-]{36}/);
		expect(refused).toBeDefined();
	});

	// The budget would hold the next request for a minute: the timeout, well under it, is the hang
	// guard; the test asserts that the run ended with the refusal and sent nothing after it.
	it('ends the waits for budget at the failure: at 2 users per minute the run fails with the refused request, sending nothing more', async () => {
		const simulator = await simulatorWith({ poison: ['bad-id'] });
		const rows = [
			{ customer_id: simulator.users[0].customer_id },
			{ customer_id: 'bad-id' },
			...rowsOf(simulator, 4).slice(1),
		];
		const { error } = await run(simulator, rows, { options: { batchSize: 1, usersPerMinute: 2 } });
		expect(error?.message).toContain('identifier "bad-id" is not valid');
		expect(exportRequests(simulator)).toHaveLength(2);
		expect(exportRequests(simulator).map((entry) => entry.status)).toEqual([200, 400]);
	}, 30_000);
});

describe('a 400 that names no attribute', () => {
	it('costs 3 requests when every request gets it: 100 identifiers with continue-on-fail all fail with it', async () => {
		const simulator = await simulatorWith();
		simulator.intercept(() => ({
			status: 400,
			body: { status: 'fail', error: { message: 'Bad Request', type: 'BadRequest' } },
		}));
		const rows = rowsOf(simulator, 100);
		const { outputs } = await run(simulator, rows, {}, { onError: 'continueRegularOutput' });
		const requests = exportRequests(simulator);
		expect(requests.length).toBeLessThanOrEqual(3);
		expect(requests.reduce((sum, entry) => sum + (entry.identifiers?.length ?? 0), 0)).toBe(40);
		expect(outputs[0]).toEqual([]);
		expect(paired(outputs[1])).toEqual(rows.map((_, index) => index));
		expect(new Set(outputs[1].map((item) => (item.json.error as IDataObject).message))).toEqual(
			new Set(['MoEngage rejected the request (400 BadRequest): Bad Request']),
		);
	});

	it('still isolates one bad identifier and answers the others', async () => {
		const simulator = await simulatorWith({ poison: ['bad-id'], poisonAttribute: null });
		const rows = rowsOf(simulator, 39);
		rows.splice(13, 0, { customer_id: 'bad-id' });
		const { outputs } = await run(simulator, rows, {}, { onError: 'continueRegularOutput' });
		expect(outputs[0]).toHaveLength(39);
		expect(paired(outputs[1])).toEqual([13]);
		expect(exportRequests(simulator).length - 2).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(20)));
	});
});

describe('a 429 is never resent at once', () => {
	it('Retry-After: 0 still backs off, and every user is answered', async () => {
		const simulator = await simulatorWith();
		let refusals = 3;
		simulator.intercept(() =>
			refusals-- > 0
				? {
						status: 429,
						headers: { 'Retry-After': '0' },
						body: {
							status: 'fail',
							error: { message: 'Rate limit exceeded', type: 'RateLimitError' },
						},
					}
				: undefined,
		);
		const { outputs } = await run(simulator, rowsOf(simulator, 20));
		expect(outputs[0]).toHaveLength(20);
		const times = exportRequests(simulator).map((entry: { at: number }) => entry.at);
		expect(times).toHaveLength(4);
		// the backoff floor: at least half of 1 s, 2 s and 4 s between the tries
		expect(times[1] - times[0]).toBeGreaterThanOrEqual(450);
		expect(times[2] - times[1]).toBeGreaterThanOrEqual(950);
		expect(times[3] - times[2]).toBeGreaterThanOrEqual(1_950);
	});

	it.each(['delta', 'epoch'] as const)(
		'with x-ratelimit headers (%s reset), waits for the reset instead of knocking on a full window',
		async (form) => {
			const windowMs = 3_000;
			const simulator = await simulatorWith({
				usersPerWindow: 40,
				windowMs,
				rateLimitHeaders: form,
			});
			const { outputs } = await run(simulator, rowsOf(simulator, 120));
			expect(outputs[0]).toHaveLength(120);
			const requests = exportRequests(simulator);
			const refused = requests.filter((entry: { status: number }) => entry.status === 429);
			// 120 users through a window of 40: three windows; only a request already in flight when
			// MoEngage said "none left" may meet a full window
			expect(refused.length).toBeLessThanOrEqual(2);
			expect(requests.length).toBeLessThanOrEqual(6 + refused.length);
		},
	);
});

describe('MoEngage IDs in either spelling', () => {
	const idRows = (simulator: Simulator, count: number) =>
		simulator.users.slice(0, count).map((user: User) => ({ mid: user.id }));
	const byId = { identifierType: 'id', identifier: '={{ $json.mid }}' };

	it('sends "id"; a server that takes only "moengage_id" gets that batch again so spelled, and the workspace keeps it', async () => {
		const simulator = await simulatorWith({ idSpelling: 'moengage_id' });
		const rows = [...idRows(simulator, 30), { mid: 'f'.repeat(24) }];
		const { outputs } = await run(simulator, rows, byId);
		expect(paired(outputs[0])).toEqual(rows.slice(0, 30).map((_, index) => index));
		expect(outputs[1]).toEqual([
			{ json: { identifier_type: 'id', identifier: 'f'.repeat(24) }, pairedItem: { item: 30 } },
		]);
		const types = exportRequests(simulator).map((entry) => entry.identifiers?.[0].identifier_type);
		expect(types).toEqual(['id', 'moengage_id', 'moengage_id']);
		simulator.reset();
		await run(simulator, idRows(simulator, 5), byId);
		expect(
			exportRequests(simulator).map((entry) => entry.identifiers?.[0].identifier_type),
		).toEqual(['moengage_id']);
	});

	it('keeps "id" with a server that takes it: no request is sent twice', async () => {
		const simulator = await simulatorWith({ idSpelling: 'id' });
		const { outputs } = await run(simulator, idRows(simulator, 25), byId);
		expect(outputs[0]).toHaveLength(25);
		expect(exportRequests(simulator)).toHaveLength(2);
	});

	it.each([
		['uid and _id', { customer_id: 'uid', id: '_id' }],
		['moengage_id', { id: 'moengage_id' }],
	])(
		'matches answers that name the keys %s, with and without Fields, returning only the fields asked',
		async (_name, answerKeys) => {
			const simulator = await simulatorWith({ answerKeys });
			const rows = [...rowsOf(simulator, 3), ...idRows(simulator, 6).slice(3)];
			const parameters = {
				identifierType: '={{ $json.mid ? "id" : "customer_id" }}',
				identifier: '={{ $json.mid ?? $json.customer_id }}',
			};
			const all = await run(simulator, rows, parameters);
			expect(paired(all.outputs[0])).toEqual([0, 1, 2, 3, 4, 5]);
			expect(all.outputs[0][0].json.name).toBe(simulator.users[0].name);
			const some = await run(simulator, rows, { ...parameters, fields: 'email' });
			expect(paired(some.outputs[0])).toEqual([0, 1, 2, 3, 4, 5]);
			expect(some.outputs[0].map((item) => item.json)).toEqual(
				simulator.users.slice(0, 6).map((user: User) => ({ email: user.email })),
			);
		},
	);
});
