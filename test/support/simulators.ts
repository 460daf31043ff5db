import type { IDataObject } from 'n8n-workflow';

import {
	createSimulator,
	type LogEntry,
	type Simulator,
	type SimulatorOptions,
} from '../../simulator/simulator';

export type { Simulator };

/** A simulator of its own for one test, on a free port, stopped whatever happens. */
export async function withSimulator<T>(
	options: SimulatorOptions,
	use: (simulator: Simulator) => Promise<T>,
): Promise<T> {
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
export function simulatorFactory(
	defaults: SimulatorOptions,
): (options?: SimulatorOptions) => Promise<Simulator> {
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

/**
 * One simulator for a whole test file: started before its tests, stopped after them, and before each
 * test reset, after `beforeEachTest` (e.g. moving a test clock back).
 */
export function simulatorForFile(
	options: SimulatorOptions,
	beforeEachTest: () => void = () => {},
): Simulator {
	const simulator = createSimulator(options);
	beforeAll(async () => {
		await simulator.start();
	});
	afterAll(async () => await simulator.stop());
	beforeEach(() => {
		beforeEachTest();
		simulator.reset();
	});
	return simulator;
}

/** The MoEngage API credential pointing at a simulator (Custom URL), with fields to override. */
export const credentialsFor = (simulator: Simulator, overrides: Record<string, unknown> = {}) => ({
	dataCenter: 'custom',
	baseUrl: simulator.url,
	appId: simulator.config.workspaceId,
	apiKey: simulator.config.apiKey,
	...overrides,
});

/** The MoEngage Inform API credential pointing at a simulator: live alerts at its URL, test alerts under /sandbox. */
export const informCredentialsFor = (
	simulator: Simulator,
	overrides: Record<string, unknown> = {},
) => ({
	dataCenter: 'custom',
	baseUrl: simulator.url,
	sandboxUrl: `${simulator.url}/sandbox`,
	endpoint: 'current',
	appId: simulator.config.workspaceId,
	apiKey: simulator.config.informKey,
	...overrides,
});

/** The MoEngage Campaign Report API credential pointing at a simulator. */
export const reportCredentialsFor = (
	simulator: Simulator,
	overrides: Record<string, unknown> = {},
) => ({
	dataCenter: 'custom',
	baseUrl: simulator.url,
	appId: simulator.config.workspaceId,
	apiKey: simulator.config.reportKey,
	...overrides,
});

/** The Get User requests the simulator received since its last reset. */
export const exportRequests = (simulator: Simulator) =>
	simulator.log.filter((entry) => entry.path.startsWith('/v1/customers/export'));

/** Rows carrying the first `count` users' customer IDs. */
export const rowsOf = (
	simulator: Simulator,
	count: number,
): Array<{ customer_id: string | number }> =>
	simulator.users.slice(0, count).map((user) => ({ customer_id: user.customer_id }));

/** Which endpoint a simulator log entry is for: Get User or one of the write endpoints. */
export type SimulatorEndpoint =
	| 'export'
	| 'trackUser'
	| 'trackEvent'
	| 'bulk'
	| 'delete'
	| 'merge'
	| 'cohortSync'
	| 'inform'
	| 'campaignStats';

/** The requests one endpoint of the simulator received since its last reset, refused ones included. */
export const requestsTo = (simulator: Simulator, endpoint: SimulatorEndpoint) =>
	simulator.log.filter((entry) => entry.endpoint === endpoint);

/** A Bulk Import element as the node sends it: a customer with its attributes, or a customer's events. */
export type SentElement = {
	type: 'customer' | 'event';
	customer_id: string;
	attributes?: IDataObject;
	update_existing_only?: boolean;
	actions?: IDataObject[];
};

/** The bodies the node sends to the write endpoints it batches for (MoEngage's documented shapes). */
export type SentBodies = {
	bulk: { type: 'transition'; elements: SentElement[] };
	delete: { identity_type: 'customer_id' | 'moengage_id'; identity_value: string };
	merge: { merge_data: Array<{ merged_user: string; retained_user: string }> };
	cohortSync: {
		action: 'add_members' | 'remove_members';
		partner: string;
		parameters: {
			cohort_name: string;
			cohort_id: string;
			cohort_description?: string;
			members: Array<{ uid: string }>;
		};
	};
};

/**
 * A request's body read as what the node sends to `endpoint`: the simulator logs any JSON it gets,
 * so only a test that reads back the node's own requests may read it so.
 */
export function sentBody<E extends keyof SentBodies>(entry: LogEntry, endpoint: E): SentBodies[E] {
	if (entry.endpoint !== endpoint)
		throw new Error(`a request to ${String(entry.endpoint)}, not to ${endpoint}`);
	return entry.body as SentBodies[E];
}
