/**
 * The credential's "Test" button, run the way n8n's credential tester runs it, against the simulator.
 * What it must send and what MoEngage answers: docs/moengage-api.md#test-connection
 * (MoEngage's data.yaml, POST /integrations/authentication).
 */
import { createSimulator, type Simulator, type SimulatorRequest } from '../simulator/simulator';
import { testCredential } from './engine';
import { withSimulator } from './support/simulators';

let simulator: Simulator;
beforeAll(async () => {
	simulator = createSimulator({ users: 5, workspaceName: 'Acme Production' });
	await simulator.start();
});
afterAll(async () => await simulator.stop());
beforeEach(() => simulator.reset());

const custom = (overrides: Record<string, string> = {}, at: Simulator = simulator) => ({
	dataCenter: 'custom',
	baseUrl: `${at.url}/`,
	appId: at.config.workspaceId,
	apiKey: at.config.apiKey,
	...overrides,
});

/** Runs the Test and returns what reached the simulator's Test Connection, once it had accepted it. */
async function testSeenBy(at: Simulator, data: Record<string, string>) {
	const seen: SimulatorRequest[] = [];
	const remove = at.intercept((request) => {
		if (request.endpoint === 'testConnection') seen.push(request);
		return undefined;
	});
	try {
		return { result: await testCredential(data), seen };
	} finally {
		remove();
	}
}

describe("the MoEngage API credential's Test", () => {
	it("calls MoEngage's Test Connection as documented, and passes on its success", async () => {
		const { result, seen } = await testSeenBy(simulator, custom());
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(simulator.log).toHaveLength(1);
		expect(simulator.log[0]).toMatchObject({
			endpoint: 'testConnection',
			status: 200,
			path: '/v1/integrations/authentication',
		});
		// data.yaml: header MOE-APPKEY (the Workspace ID) plus Basic auth; body app_id, app_secret (the
		// Data API key), source (the calling tool) and region, all required.
		const [request] = seen;
		const { workspaceId, apiKey } = simulator.config;
		expect(request.headers['moe-appkey']).toBe(workspaceId);
		expect(request.headers.authorization).toBe(
			`Basic ${Buffer.from(`${workspaceId}:${apiKey}`).toString('base64')}`,
		);
		expect(request.body).toEqual({
			app_id: workspaceId,
			app_secret: apiKey,
			source: 'n8n',
			region: '01',
		});
		// The key goes only where MoEngage asks for it: the Basic auth and the body's app_secret.
		const elsewhere = Object.entries(request.headers).filter(([name]) => name !== 'authorization');
		expect(JSON.stringify(elsewhere) + request.url.href).not.toContain(apiKey);
	});

	it('passes for a workspace MoEngage has not enabled Get User for, whichever way Get User refuses it', async () => {
		for (const getUser of ['refused-401', 'refused-403'] as const) {
			await withSimulator(
				{ workspaceId: 'WRITES', apiKey: 'writes-only-key-1', getUser },
				async (writesOnly) => {
					expect(await testCredential(custom({}, writesOnly))).toEqual({
						status: 'OK',
						message: 'Connection successful!',
					});
					expect(writesOnly.log.map((entry) => entry.endpoint)).toEqual(['testConnection']);
				},
			);
		}
	});

	it('sends as region the data center the Custom URL leads to, chosen in the form', async () => {
		const { result, seen } = await testSeenBy(simulator, custom({ region: '02' }));
		expect(result.status).toBe('OK');
		expect(seen[0].body).toHaveProperty('region', '02');
	});

	it('takes a Workspace ID and key pasted with spaces and a line break', async () => {
		const { workspaceId, apiKey } = simulator.config;
		const result = await testCredential(
			custom({ appId: ` ${workspaceId}\n`, apiKey: `${apiKey} ` }),
		);
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
	});

	it('explains a wrong key with the data-center hint, and never shows the key', async () => {
		const result = await testCredential(custom({ apiKey: 'wrong-key-4d1e' }));
		expect(result.status).toBe('Error');
		expect(result.message).toContain('MoEngage answered 401 "Authentication required"');
		expect(result.message).toContain('dashboard-02.moengage.com → DC-02');
		expect(result.message).not.toContain('wrong-key-4d1e');
		expect(simulator.log[0]).toMatchObject({ endpoint: 'testConnection', status: 401 });
	});

	it('explains a Workspace ID that is not the one the key belongs to', async () => {
		const result = await testCredential(custom({ appId: 'SOMEONE-ELSES' }));
		expect(result.status).toBe('Error');
		expect(result.message).toContain('MoEngage answered 401');
		expect(result.message).toContain('Workspace ID');
	});

	it('explains a blocked or suspended workspace', async () => {
		await withSimulator(
			{ workspaceId: 'B', apiKey: 'blocked-key-1', blocked: true },
			async (blocked) => {
				const result = await testCredential(custom({}, blocked));
				expect(result).toEqual({
					status: 'Error',
					message: expect.stringContaining('MoEngage answered 403 "BlockedClient"'),
				});
				expect(result.message).toContain('blocked or suspended');
			},
		);
	});

	it('fails when MoEngage answers 200 with "status": "error", saying MoEngage did not confirm the workspace', async () => {
		await withSimulator(
			{ workspaceId: 'E', apiKey: 'error-key-1', testConnectionError: 'Something went wrong' },
			async (erring) => {
				const result = await testCredential(custom({}, erring));
				expect(result.status).toBe('Error');
				expect(result.message).toContain('MoEngage answered "status": "error" to Test Connection');
			},
		);
	});

	it("refuses an answer that is not MoEngage's, such as a proxy's error page", async () => {
		simulator.intercept(() => ({ status: 502, body: '<html><h1>502 Bad Gateway</h1></html>' }));
		const result = await testCredential(custom());
		expect(result).toEqual({
			status: 'Error',
			message: expect.stringContaining('check the data center or the Custom URL'),
		});
	});

	it('refuses a 200 that names no workspace, such as another JSON API behind the Custom URL', async () => {
		simulator.intercept(() => ({ status: 200, body: { status: 'success' } }));
		const result = await testCredential(custom());
		expect(result).toEqual({
			status: 'Error',
			message: expect.stringContaining("did not come from MoEngage's Test Connection"),
		});
	});
});

describe("the MoEngage Inform API credential's Test", () => {
	const inform = (overrides: Record<string, string> = {}) => ({
		dataCenter: 'custom',
		baseUrl: simulator.url,
		sandboxUrl: `${simulator.url}/sandbox`,
		appId: simulator.config.workspaceId,
		apiKey: simulator.config.informKey,
		...overrides,
	});
	const sent = () => simulator.log.filter((entry) => entry.endpoint === 'inform');

	it('passes a working key on the 400 "Invalid Alert ID" of a test alert that cannot exist, sending nothing', async () => {
		const result = await testCredential(inform(), 'moEngageInformApi');
		expect(result.status).toBe('OK');
		expect(sent().map((entry) => [entry.status, entry.sandbox, entry.appKey])).toEqual([
			[400, true, simulator.config.workspaceId],
		]);
		expect(simulator.testAlerts).toEqual([]);
		expect(simulator.informMessages).toEqual([]);
	});

	it('goes to the older /v1/send when the credential names it', async () => {
		await testCredential(inform({ endpoint: 'older' }), 'moEngageInformApi');
		expect(sent().map((entry) => entry.path)).toEqual(['/sandbox/v1/send']);
	});

	it("refuses the Data key with MoEngage's 401, naming the Inform key and the data center", async () => {
		const result = await testCredential(
			inform({ apiKey: simulator.config.apiKey }),
			'moEngageInformApi',
		);
		expect(result).toEqual({
			status: 'Error',
			message: expect.stringContaining('MoEngage answered 401 "Invalid App Key or Basic Auth"'),
		});
		expect(result.message).toContain('the Inform API key');
		expect(result.message).not.toContain(simulator.config.apiKey);
	});

	it("refuses an answer that is not Inform's, such as another API's 404 behind the Custom URL", async () => {
		const result = await testCredential(
			inform({ sandboxUrl: `${simulator.url}/nowhere` }),
			'moEngageInformApi',
		);
		expect(result).toEqual({
			status: 'Error',
			message: expect.stringContaining("The answer did not come from MoEngage's Inform"),
		});
	});
});

describe("the MoEngage Campaign Report API credential's Test", () => {
	const reportKey = (overrides: Record<string, string> = {}, at: Simulator = simulator) => ({
		dataCenter: 'custom',
		baseUrl: at.url,
		appId: at.config.workspaceId,
		apiKey: at.config.reportKey,
		...overrides,
	});

	it('passes a working key on a one-day report, with MOE-APPKEY', async () => {
		const result = await testCredential(reportKey(), 'moEngageCampaignReportApi');
		expect(result.status).toBe('OK');
		expect(
			simulator.log
				.filter((entry) => entry.endpoint === 'campaignStats')
				.map((entry) => [entry.status, entry.appKey]),
		).toEqual([[200, simulator.config.workspaceId]]);
	});

	it('refuses another key (401) and a workspace without campaign stats (403), each saying what to do', async () => {
		const wrong = await testCredential(
			reportKey({ apiKey: simulator.config.informKey }),
			'moEngageCampaignReportApi',
		);
		expect(wrong.message).toContain('MoEngage answered 401 "Authentication required"');
		await withSimulator({ statsEnabled: false }, async (forbidden) => {
			const result = await testCredential(reportKey({}, forbidden), 'moEngageCampaignReportApi');
			expect(result.message).toContain('campaign stats are not enabled for this workspace');
		});
	});

	it("refuses an answer that is not campaign stats, such as another API's 404 behind the Custom URL", async () => {
		const result = await testCredential(
			reportKey({ baseUrl: `${simulator.url}/nowhere` }),
			'moEngageCampaignReportApi',
		);
		expect(result).toEqual({
			status: 'Error',
			message: expect.stringContaining("The answer is not MoEngage's campaign stats"),
		});
	});
});
