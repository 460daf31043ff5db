/**
 * The four operations the queue-mode test runs on the workers, each as a user would set it up: a
 * Webhook that receives a run's rows, a Code node that turns them into items, and the MoEngage
 * node with its per-minute option at the workspace's limit. Each operation knows its rows, how to
 * find its own requests in the simulator's log, and what MoEngage should hold afterwards.
 *
 * The limits are set low (the simulator's and the option alike) so that each operation needs three
 * and a half rolling minutes or more (ideal: 180 s; Get and Track Event, whose first collision on a
 * full window costs the most requests, four and a half: 240 s), which keeps n8n's own per-item work
 * small against the limit-bound time, with enough requests a minute (40 or more) that the requests
 * refused when the workers first fill the window are a small share of them.
 * Get User, Bulk users, Bulk events and Cohort Sync are counted apart, so the four run at once.
 */
import type { LogEntry, Simulator } from '../../../simulator/simulator';

export type Key = 'get' | 'upsert' | 'track' | 'segment';

export const CREDENTIAL = { id: 'moengageQueueCred', name: 'MoEngage (queue-mode simulator)' };

/** The simulator's users: Get's last run asks for customers beyond them (its Not Found). */
export const KNOWN_USERS = 2800;

export const LIMITS = {
	/** Get User: users per minute (MoEngage's own). */
	get: 1000,
	/** Bulk Import, customer elements per minute: about 40 requests of 250 profiles. */
	upsert: 10_000,
	/** Bulk Import, actions per minute: about 50 requests of 600 events. */
	track: 30_000,
	/** Cohort Sync: requests per minute. */
	segment: 60,
};

export const RUNS = 6;

type Row = Record<string, string | number>;

export interface Operation {
	key: Key;
	title: string;
	/** What the limit counts. */
	unit: 'users' | 'events' | 'requests';
	limit: number;
	/** The node's budget name, as its log lines give it. */
	budget: string;
	/** Units the runs need in all (for the ideal): users, events, or Cohort Sync requests. */
	units: number;
	rowsOf(run: number): Row[];
	workflow: ReturnType<typeof workflowOf>;
	path: string;
	/** Whether this operation's requests carry the worker's X-Forwarded-For. */
	forwardedFor: boolean;
	/** This operation's requests in the simulator's log. */
	isMine(entry: LogEntry): boolean;
	/** The units a request carried, in the limit's unit. */
	unitsOf(entry: LogEntry): number;
}

const pad = (n: number) => String(n).padStart(5, '0');
const elementsOf = (entry: LogEntry) =>
	((entry.body as { elements?: Array<Record<string, unknown>> } | undefined)?.elements ??
		[]) as Array<Record<string, unknown>>;

let nodeNumber = 0;
/** Webhook → Rows (Code) → the MoEngage node: the run's answer waits for the last node. */
function workflowOf(key: Key, name: string, parameters: Record<string, unknown>) {
	const id = (n: number) =>
		`7a0000${String(++nodeNumber).padStart(2, '0')}-0000-4000-8000-00000000000${n}`;
	return {
		id: `moengageQueue${key[0].toUpperCase()}${key.slice(1)}`,
		name: `MoEngage queue-mode test: ${name}`,
		active: true,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: id(1),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: id(2),
				parameters: {
					httpMethod: 'POST',
					path: `moengage-queue-${key}`,
					responseMode: 'lastNode',
					options: {},
				},
			},
			{
				id: id(3),
				name: 'Rows',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
				parameters: {
					jsCode: 'return $input.first().json.body.rows.map((row) => ({ json: row }));',
				},
			},
			{
				id: id(4),
				name: 'MoEngage',
				type: 'n8n-nodes-moengage.moEngage',
				typeVersion: 1,
				position: [440, 0],
				parameters,
				credentials: { moEngageApi: CREDENTIAL },
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Rows', type: 'main', index: 0 }]] },
			Rows: { main: [[{ node: 'MoEngage', type: 'main', index: 0 }]] },
		},
	};
}

/** Tags each request with the worker that sent it, so the simulator can count per worker. */
const WORKER_IP = '={{ $env.MOENGAGE_QUEUE_TEST_WORKER_IP }}';

// --- Get Users: 6 runs × 740, neighbours share 240 customers, the last run's tail unknown.
const GET_USERS_PER_RUN = 740;
/** Run r asks for 740 customers starting at r·500. */
export const customersOf = (run: number) =>
	Array.from({ length: GET_USERS_PER_RUN }, (_, index) => `cust-${pad(run * 500 + index + 1)}`);

// --- Create or Update: 6 runs × 5,700 new profiles of 11 attributes (a spreadsheet row's worth).
const UPSERT_USERS_PER_RUN = 5700;
const CITIES = ['Bengaluru', 'Berlin', 'Jakarta', 'Singapore', 'New York', 'Dublin'];
export const profileOf = (run: number, index: number): Row => {
	const n = run * UPSERT_USERS_PER_RUN + index + 1;
	return {
		customer_id: `lead-${pad(n)}`,
		first_name: `First${n}`,
		last_name: `Last${n}`,
		email: `lead.${n}@example.com`,
		city: CITIES[n % CITIES.length],
		country: 'IN',
		language: 'en',
		plan: n % 3 === 0 ? 'premium' : 'free',
		lifetime_value: (n * 7) % 1000,
		signup_source: 'queue-test',
		queue_run: run,
		queue_item: index,
	};
};

// --- Track Event: 6 runs × 22,000 orders by 500 buyers (a buyer's orders of a request share its element).
const EVENTS_PER_RUN = 22_000;
export const orderOf = (run: number, index: number): Row => {
	const n = run * EVENTS_PER_RUN + index;
	return {
		customer_id: `buyer-${pad(n % 500)}`,
		order_id: `order-${pad(n)}`,
		amount: 10 + (n % 90),
		currency: 'EUR',
	};
};

// --- Segment → Add Users: 6 runs × 34 segments × 10 known users; a request is one segment.
const SEGMENTS_PER_RUN = 34;
const MEMBERS_PER_SEGMENT = 10;
export const segmentIdOf = (run: number, segment: number) => `queue-interest-${run}-${segment}`;

export function operations(simulator: Simulator): Record<Key, Operation> {
	const known = simulator.users.map((user) => user.customer_id);
	const memberOf = (run: number, segment: number, member: number) =>
		known[
			(run * SEGMENTS_PER_RUN * MEMBERS_PER_SEGMENT + segment * MEMBERS_PER_SEGMENT + member) %
				known.length
		];
	const get: Operation = {
		key: 'get',
		title: 'User → Get',
		unit: 'users',
		limit: LIMITS.get,
		budget: 'export',
		units: RUNS * GET_USERS_PER_RUN,
		rowsOf: (run) => customersOf(run).map((customer_id) => ({ customer_id })),
		workflow: workflowOf('get', 'Get users', {
			resource: 'user',
			operation: 'get',
			identifierType: 'customer_id',
			identifier: '={{ $json.customer_id }}',
			options: { usersPerMinute: LIMITS.get, xForwardedFor: WORKER_IP },
		}),
		path: 'moengage-queue-get',
		forwardedFor: true,
		isMine: (entry) => entry.endpoint === 'export',
		unitsOf: (entry) => entry.identifiers?.length ?? 0,
	};
	const upsert: Operation = {
		key: 'upsert',
		title: 'User → Create or Update',
		unit: 'users',
		limit: LIMITS.upsert,
		budget: 'bulk users',
		units: RUNS * UPSERT_USERS_PER_RUN,
		rowsOf: (run) =>
			Array.from({ length: UPSERT_USERS_PER_RUN }, (_, index) => profileOf(run, index)),
		workflow: workflowOf('upsert', 'Create or Update', {
			resource: 'user',
			operation: 'upsert',
			customerId: '={{ $json.customer_id }}',
			attributesFrom: 'item',
			options: { usersPerMinute: LIMITS.upsert, xForwardedFor: WORKER_IP },
		}),
		path: 'moengage-queue-upsert',
		forwardedFor: true,
		isMine: (entry) =>
			entry.endpoint === 'bulk' && elementsOf(entry).some((element) => element.type === 'customer'),
		unitsOf: (entry) => elementsOf(entry).filter((element) => element.type === 'customer').length,
	};
	const track: Operation = {
		key: 'track',
		title: 'Event → Track',
		unit: 'events',
		limit: LIMITS.track,
		budget: 'bulk events',
		units: RUNS * EVENTS_PER_RUN,
		rowsOf: (run) => Array.from({ length: EVENTS_PER_RUN }, (_, index) => orderOf(run, index)),
		workflow: workflowOf('track', 'Track Event', {
			resource: 'event',
			operation: 'track',
			customerId: '={{ $json.customer_id }}',
			eventName: 'Order Placed',
			attributesFrom: 'item',
			additionalFields: { platform: 'web' },
			options: { eventsPerMinute: LIMITS.track, xForwardedFor: WORKER_IP },
		}),
		path: 'moengage-queue-track',
		forwardedFor: true,
		isMine: (entry) =>
			entry.endpoint === 'bulk' && elementsOf(entry).some((element) => element.type === 'event'),
		unitsOf: (entry) =>
			elementsOf(entry)
				.filter((element) => element.type === 'event')
				.reduce(
					(sum, element) => sum + ((element.actions as unknown[] | undefined)?.length ?? 0),
					0,
				),
	};
	const segment: Operation = {
		key: 'segment',
		title: 'Segment → Add Users',
		unit: 'requests',
		limit: LIMITS.segment,
		budget: 'cohort sync',
		units: RUNS * SEGMENTS_PER_RUN,
		rowsOf: (run) =>
			Array.from({ length: SEGMENTS_PER_RUN }, (_, segmentIndex) =>
				Array.from({ length: MEMBERS_PER_SEGMENT }, (__, member) => ({
					customer_id: memberOf(run, segmentIndex, member),
					segment_name: `Interest ${run}-${segmentIndex}`,
					segment_id: segmentIdOf(run, segmentIndex),
				})),
			).flat(),
		workflow: workflowOf('segment', 'Segment add', {
			resource: 'segment',
			operation: 'add',
			customerId: '={{ $json.customer_id }}',
			segmentName: '={{ $json.segment_name }}',
			segmentId: '={{ $json.segment_id }}',
			options: { requestsPerMinute: LIMITS.segment },
		}),
		path: 'moengage-queue-segment',
		// Cohort Sync offers no X-Forwarded-For: its requests are told apart by segment, i.e. by run.
		forwardedFor: false,
		isMine: (entry) => entry.endpoint === 'cohortSync',
		unitsOf: () => 1,
	};
	return { get, upsert, track, segment };
}

/** Cohort Sync's segment in a logged request. */
export const cohortIdOf = (entry: LogEntry) =>
	(entry.body as { parameters?: { cohort_id?: string } } | undefined)?.parameters?.cohort_id;
export const runOfCohort = (cohortId: string | undefined) =>
	cohortId === undefined ? undefined : Number(/^queue-interest-(\d+)-/.exec(cohortId)?.[1]);

/** floor((N − 1) / L) minutes: the last window's burst starts then (the first at t0). */
export const idealMs = (units: number, limit: number) => Math.floor((units - 1) / limit) * 60_000;
