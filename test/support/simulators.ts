// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createSimulator } = require('../simulator/simulator');

export type Simulator = ReturnType<typeof createSimulator>;

/** A simulator of its own for one test, on a free port, stopped whatever happens. */
export async function withSimulator<T>(options: object, use: (simulator: Simulator) => Promise<T>): Promise<T> {
	const simulator = createSimulator(options);
	await simulator.start();
	try {
		return await use(simulator);
	} finally {
		await simulator.stop();
	}
}

/**
 * A factory of simulators for one test file: each starts on a free port with `defaults` under the
 * test's own options, and all are stopped after the file's tests.
 */
export function simulatorFactory(defaults: object): (options?: object) => Promise<Simulator> {
	const started: Simulator[] = [];
	afterAll(async () => {
		for (const simulator of started) await simulator.stop();
	});
	return async (options = {}) => {
		const simulator = createSimulator({ ...defaults, ...options });
		await simulator.start();
		started.push(simulator);
		return simulator;
	};
}

/** The MoEngage API credential pointing at a simulator (Custom URL), with fields to override. */
export const credentialsFor = (simulator: Simulator, overrides: Record<string, unknown> = {}) => ({
	dataCenter: 'custom',
	baseUrl: simulator.url,
	appId: simulator.config.workspaceId,
	apiKey: simulator.config.apiKey,
	...overrides,
});

/** The Get User requests the simulator received since its last reset. */
export const exportRequests = (simulator: Simulator) =>
	simulator.log.filter((entry: { path: string }) => entry.path.startsWith('/v1/customers/export'));

/** Rows carrying the first `count` users' customer IDs. */
export const rowsOf = (simulator: Simulator, count: number): Array<{ customer_id: string | number }> =>
	simulator.users.slice(0, count).map((user: { customer_id: string | number }) => ({ customer_id: user.customer_id }));

/** Which endpoint a simulator log entry is for: Get User or one of the write endpoints. */
export type SimulatorEndpoint = 'export' | 'trackUser' | 'trackEvent' | 'bulk' | 'delete' | 'merge';

/** The requests one endpoint of the simulator received since its last reset, refused ones included. */
export const requestsTo = (simulator: Simulator, endpoint: SimulatorEndpoint) =>
	simulator.log.filter((entry: { endpoint?: string }) => entry.endpoint === endpoint);
