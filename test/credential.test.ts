/** The credential's "Test" button, run the way n8n's credential tester runs it, against the simulator. */
import { testCredential } from './engine';
import { withSimulator } from './support/simulators';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createSimulator } = require('./simulator/simulator');

let simulator: ReturnType<typeof createSimulator>;
beforeAll(async () => {
	simulator = createSimulator({ users: 5 });
	await simulator.start();
});
afterAll(async () => await simulator.stop());

const custom = (overrides: Record<string, string> = {}) => ({
	dataCenter: 'custom',
	baseUrl: `${simulator.url}/`,
	appId: simulator.config.workspaceId,
	apiKey: simulator.config.apiKey,
	...overrides,
});

describe('the MoEngage API credential test', () => {
	it('succeeds with the right key, by really calling the export endpoint', async () => {
		simulator.reset();
		expect(await testCredential(custom())).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(simulator.log).toHaveLength(1);
		expect(simulator.log[0]).toMatchObject({ status: 200, path: `/v1/customers/export?app_id=${simulator.config.workspaceId}` });
	});

	it('explains a wrong key with the data-center hint', async () => {
		const result = await testCredential(custom({ apiKey: 'wrong' }));
		expect(result.status).toBe('Error');
		expect(result.message).toContain('MoEngage answered 401 "Authentication required"');
		expect(result.message).toContain('dashboard-02.moengage.com → DC-02');
	});

	it('explains a Workspace ID that is not the key\'s', async () => {
		await withSimulator({ workspaceId: 'OTHER', apiKey: simulator.config.apiKey, keyNotSet: true }, async (other) => {
			const result = await testCredential(custom({ baseUrl: other.url, appId: 'OTHER' }));
			expect(result.message).toContain('MoEngage answered 409');
		});
	});

	it('refuses an answer that is not MoEngage\'s, such as a proxy\'s error page', async () => {
		const remove = simulator.intercept(() => ({ status: 502, body: '<html><h1>502 Bad Gateway</h1></html>' }));
		try {
			const result = await testCredential(custom());
			expect(result).toEqual({ status: 'Error', message: expect.stringContaining('check the data center or the Custom URL') });
		} finally {
			remove();
		}
	});

	it('says when the workspace budget is spent rather than blaming the key', async () => {
		await withSimulator({ workspaceId: 'R', apiKey: 'k', usersPerWindow: 0, rateLimitShape: 'title' }, async (busy) => {
			const result = await testCredential(custom({ baseUrl: busy.url, appId: 'R', apiKey: 'k' }));
			expect(result.message).toContain('MoEngage answered 429');
		});
	});

	it('explains a blocked workspace or a disabled Get User API', async () => {
		await withSimulator({ workspaceId: 'B', apiKey: 'k', blocked: true }, async (blocked) => {
			const result = await testCredential(custom({ baseUrl: blocked.url, appId: 'B', apiKey: 'k' }));
			expect(result.message).toContain('Get User API is not enabled');
		});
	});
});
