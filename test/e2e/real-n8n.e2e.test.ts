/**
 * The packed package in real n8n, on both majors people run: installed as a community package,
 * credential and workflows imported with n8n's CLI, run with `n8n execute`, and the run data of
 * both outputs asserted item by item.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import { createSimulator, makeCampaigns, type Simulator } from '../../simulator/simulator';
import { requestsTo, sentBody } from '../support/simulators';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtime = require('../../scripts/n8n');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { setUpOwner } = require('../../scripts/start');

type Item = {
	json: Record<string, unknown>;
	pairedItem?: { item: number } | Array<{ item: number }>;
};

const majors = (process.env.N8N_MAJORS ?? '1,2').split(',').map(Number);
const report: string[] = [];

const DEMO = JSON.parse(
	readFileSync(path.join(__dirname, '..', '..', 'examples', 'demo-get-users.json'), 'utf8'),
);
const CREDENTIAL = { id: 'moengageDemoCred', name: 'MoEngage (local simulator)' };
const WRONG_CREDENTIAL = { id: 'moengageWrongKey', name: 'MoEngage (wrong key)' };
const WRONG_KEY = 'wrong-data-api-key-5c2e';
const INFORM_CREDENTIAL = { id: 'moengageInformCred', name: 'MoEngage Inform (local simulator)' };
const REPORT_CREDENTIAL = { id: 'moengageReportCred', name: 'MoEngage reports (local simulator)' };

const node = (
	name: string,
	type: string,
	typeVersion: number,
	x: number,
	y: number,
	parameters: object,
	extra: object = {},
) => ({
	id: `00000000-0000-4000-8000-${String(Math.abs(hash(name)))
		.padStart(12, '0')
		.slice(0, 12)}`,
	name,
	type,
	typeVersion,
	position: [x, y],
	parameters,
	...extra,
});
function hash(text: string): number {
	let value = 7;
	for (const char of text) value = (value * 31 + char.charCodeAt(0)) | 0;
	return value;
}

const ROWS = [
	{ row: 0, customer_id: 'cust-00010' },
	{ row: 1, customer_id: 'nobody-1' },
	{ row: 2, customer_id: 100021 },
	{ row: 3, customer_id: 'cust-00010' },
	{ row: 4, customer_id: ' cust-00011' },
	{ row: 5, customer_id: 'nobody-2' },
	{ row: 6, customer_id: 'nobody-1' },
];

/** Manual Trigger → Code emitting `rows` → the MoEngage node → `downstream[i]` on its output i. */
function rowsInto(
	id: string,
	rows: object[],
	moengage: ReturnType<typeof node>,
	downstream: Array<ReturnType<typeof node>>,
) {
	return {
		id,
		name: id,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, 0, 0, {}),
			node('Rows', 'n8n-nodes-base.code', 2, 200, 0, {
				jsCode: `return ${JSON.stringify(rows)}.map((json) => ({ json }));`,
			}),
			moengage,
			...downstream,
		],
		connections: {
			Start: { main: [[{ node: 'Rows', type: 'main', index: 0 }]] },
			Rows: { main: [[{ node: moengage.name, type: 'main', index: 0 }]] },
			[moengage.name]: {
				main: downstream.map((next) => [{ node: next.name, type: 'main', index: 0 }]),
			},
		},
		pinData: {},
	};
}

/** Rows → Get Users → Code on Found reading $('Rows').item, NoOp on Not Found and on errors. */
function workflow(
	id: string,
	rows: object[],
	moengage: { credential: typeof CREDENTIAL; onError?: string; options?: object },
) {
	return rowsInto(
		id,
		rows,
		node(
			'MoEngage',
			'n8n-nodes-moengage.moEngage',
			1,
			400,
			0,
			{
				resource: 'user',
				operation: 'get',
				identifierType: 'customer_id',
				identifier: '={{ $json.customer_id }}',
				fields: 'customer_id, name',
				options: moengage.options ?? {},
			},
			{
				credentials: { moEngageApi: moengage.credential },
				...(moengage.onError ? { onError: moengage.onError } : {}),
			},
		),
		[
			node('Source row', 'n8n-nodes-base.code', 2, 600, -100, {
				mode: 'runOnceForEachItem',
				jsCode: "return { json: { name: $json.name, sourceRow: $('Rows').item.json.row } };",
			}),
			node('Missing', 'n8n-nodes-base.noOp', 1, 600, 100, {}),
			node('Failed', 'n8n-nodes-base.noOp', 1, 600, 300, {}),
		],
	);
}

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const example = (file: string) => JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8'));
type WorkflowNode = {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	credentials?: object;
};
/** An example as this suite runs it: its own ID and its MoEngage nodes on the simulator's credential. */
function onSimulator(workflow: { nodes: WorkflowNode[] }, id: string) {
	const copy = structuredClone(workflow) as { id: string; name: string; nodes: WorkflowNode[] };
	copy.id = id;
	copy.name = id;
	for (const each of copy.nodes)
		if (each.type === 'n8n-nodes-moengage.moEngage') each.credentials = { moEngageApi: CREDENTIAL };
	return copy;
}
/** The parameters of an example's MoEngage node: what a user imports is what runs here. */
const parametersOf = (file: string) =>
	(example(file).nodes as WorkflowNode[]).find(
		(each) => each.type === 'n8n-nodes-moengage.moEngage',
	)!.parameters;

/** Rows → MoEngage (a write operation) → a NoOp on each of its outputs. */
function writeWorkflow(
	id: string,
	rows: object[],
	parameters: object,
	outputs: string[],
	credentials: object = { moEngageApi: CREDENTIAL },
) {
	return rowsInto(
		id,
		rows,
		node('MoEngage', 'n8n-nodes-moengage.moEngage', 1, 400, 0, parameters, { credentials }),
		outputs.map((name, index) => node(name, 'n8n-nodes-base.noOp', 1, 600, index * 200, {})),
	);
}

/** Sheet rows as the Google Sheets node gives them (with row_number): two known users, two new. */
const SHEET_ROWS = [
	{ row_number: 2, customer_id: 'cust-00010', plan: 'gold', city: 'Lisbon' },
	{
		row_number: 3,
		customer_id: 'sheet-new-01',
		name: 'Ada Novak',
		email: 'ada.novak@example.com',
		plan: 'free',
	},
	{ row_number: 4, customer_id: 100021, plan: 'premium', signed_up: '2024-03-01' },
	{
		row_number: 5,
		customer_id: 'sheet-new-02',
		name: 'Bo Lee',
		email: 'bo.lee@example.com',
		vip: true,
		orders: 3,
	},
];
/** Webhook items ({headers, params, query, body}) with an ISO time and an epoch-milliseconds one. */
const ORDER_HOOKS = [
	{
		customer_id: 'cust-00020',
		event: 'Order Placed',
		occurred_at: '2024-05-01T10:00:00Z',
		order_id: 'A-1',
		amount: 42.5,
		currency: 'EUR',
	},
	{
		customer_id: 'cust-00022',
		event: 'Order Placed',
		occurred_at: 1714557600000,
		order_id: 'A-2',
		amount: 10,
		currency: 'USD',
	},
	{
		customer_id: 'hook-new-01',
		event: 'Order Refunded',
		occurred_at: '2024-05-02T08:30:00+02:00',
		order_id: 'A-3',
		amount: 5,
		currency: 'EUR',
	},
].map((body) => ({ headers: { 'content-type': 'application/json' }, params: {}, query: {}, body }));

/**
 * Who joins or leaves which segment, as a sheet of changes gives them: Add or Remove Users reads the
 * Action and the Segment Name from each row.
 */
const SEGMENT_ROWS = [
	{ action: 'add', list: 'VIP customers', customer_id: 'cust-00001' },
	{ action: 'add', list: 'VIP customers', customer_id: 'cust-00002' },
	// a number, as a sheet gives a numeric ID; the seeded user is "100007"
	{ action: 'add', list: 'VIP customers', customer_id: 100007 },
	// no such user in MoEngage
	{ action: 'add', list: 'VIP customers', customer_id: 'seg-nobody-1' },
	{ action: 'add', list: 'Churn risk', customer_id: 'cust-00004' },
	// the Action in any case (README, Segment): cust-00002 leaves again
	{ action: 'Remove', list: 'VIP customers', customer_id: 'cust-00002' },
	{ action: 'add', list: 'VIP customers', customer_id: 'cust-00003' },
];

/** The shop's "order shipped" webhook items, as the example's Webhook node gives them. */
const SHIPPED_HOOKS = [
	{
		order_id: 'S-1',
		customer_id: 'cust-00031',
		first_name: 'Asha',
		phone: '+4915112340001',
		email: 'asha@example.com',
		tracking_url: 'https://track.example.com/S-1',
	},
	// a phone number as a number, as a form may give it
	{
		order_id: 'S-2',
		customer_id: 'cust-00032',
		first_name: 'Ben',
		phone: 4915112340002,
		email: 'ben@example.com',
		tracking_url: 'https://track.example.com/S-2',
	},
].map((body) => ({ headers: { 'content-type': 'application/json' }, params: {}, query: {}, body }));

/** Buyers leaving the trial: one customer, and one given as a number. */
const BUYER_ROWS = [
	{ customer_id: 'cust-00012', order_id: 'B-1' },
	{ customer_id: 100014, order_id: 'B-2' },
];
/** Rows → Segment Add Users (Customers) → Segment Remove Users (Trial) → a NoOp: two nodes in sequence. */
function buyersWorkflow(id: string) {
	const segmentNode = (name: string, x: number, operation: string, segment: string) =>
		node(
			name,
			'n8n-nodes-moengage.moEngage',
			1,
			x,
			0,
			{
				resource: 'segment',
				operation,
				customerId: '={{ $json.customer_id }}',
				segmentName: segment,
				segmentId: `n8n-${segment.toLowerCase()}`,
				options: {},
			},
			{ credentials: { moEngageApi: CREDENTIAL } },
		);
	const chain = rowsInto(id, BUYER_ROWS, segmentNode('Add to Customers', 400, 'add', 'Customers'), [
		segmentNode('Remove from Trial', 600, 'remove', 'Trial'),
	]);
	chain.nodes.push(node('Moved', 'n8n-nodes-base.noOp', 1, 800, 0, {}));
	return {
		...chain,
		connections: {
			...chain.connections,
			'Remove from Trial': { main: [[{ node: 'Moved', type: 'main', index: 0 }]] },
		},
	};
}

const WORKFLOWS = {
	demo: DEMO,
	rows: workflow('e2eRows', ROWS, { credential: CREDENTIAL }),
	wrongKey: workflow('e2eWrongKey', ROWS.slice(0, 2), { credential: WRONG_CREDENTIAL }),
	errorOutput: workflow(
		'e2eErrorOutput',
		[
			{ row: 0, customer_id: 'cust-00010' },
			{ row: 1, customer_id: '   ' },
			{ row: 2, customer_id: 'nobody-9' },
		],
		{
			credential: CREDENTIAL,
			onError: 'continueErrorOutput',
		},
	),
	// A node-wide problem must not pass the input on through Found as if MoEngage had found it.
	nodeWideRegular: workflow('e2eNodeWideReg', ROWS.slice(0, 3), {
		credential: CREDENTIAL,
		onError: 'continueRegularOutput',
		options: { usersPerMinute: '={{ 0 }}' },
	}),
	nodeWideError: workflow('e2eNodeWideErr', ROWS.slice(0, 3), {
		credential: CREDENTIAL,
		onError: 'continueErrorOutput',
		options: { usersPerMinute: '={{ 0 }}' },
	}),
	upsert: writeWorkflow(
		'e2eUpsertRows',
		SHEET_ROWS,
		parametersOf('sheet-rows-to-create-or-update.json'),
		['Accepted'],
	),
	notFoundToCreate: onSimulator(example('not-found-to-create.json'), 'e2eNotFoundNew'),
	track: writeWorkflow('e2eTrackEvents', ORDER_HOOKS, parametersOf('webhook-track-event.json'), [
		'Tracked',
	]),
	delete: writeWorkflow(
		'e2eDelete',
		[{ customer_id: 'cust-00030' }, { customer_id: 'gone-nobody-1' }],
		{
			resource: 'user',
			operation: 'delete',
			identifierType: 'customer_id',
			identifier: '={{ $json.customer_id }}',
			options: {},
		},
		['Deleted', 'Not deleted'],
	),
	// What users type: {{ $now }} as the event time, with the user's timezone offset.
	trackNow: writeWorkflow(
		'e2eTrackNow',
		[{ customer_id: 'cust-00050' }, { customer_id: 'cust-00051' }, { customer_id: 'cust-00052' }],
		{
			resource: 'event',
			operation: 'track',
			customerId: '={{ $json.customer_id }}',
			eventName: 'App Opened',
			eventTime: '={{ $now }}',
			attributesFrom: 'none',
			additionalFields: { timezoneOffset: 19800 },
			options: {},
		},
		['Tracked'],
	),
	// A sheet row with blank cells: they must not erase what MoEngage has.
	upsertBlanks: writeWorkflow(
		'e2eUpsertBlanks',
		[{ customer_id: 'cust-00060', city: '', first_name: null, plan: 'gold' }],
		{
			resource: 'user',
			operation: 'upsert',
			customerId: '={{ $json.customer_id }}',
			attributesFrom: 'item',
			options: {},
		},
		['Accepted'],
	),
	merge: writeWorkflow(
		'e2eMerge',
		[
			{ duplicate_id: 'cust-00040', customer_id: 'cust-00041' },
			{ duplicate_id: 'cust-00043', customer_id: 'cust-00044' },
		],
		{
			resource: 'user',
			operation: 'merge',
			mergedCustomerId: '={{ $json.duplicate_id }}',
			retainedCustomerId: '={{ $json.customer_id }}',
			options: {},
		},
		['Merged'],
	),
	segmentChanges: writeWorkflow(
		'e2eSegmentChanges',
		SEGMENT_ROWS,
		{
			resource: 'segment',
			operation: 'addOrRemove',
			memberAction: '={{ $json.action }}',
			customerId: '={{ $json.customer_id }}',
			segmentName: '={{ $json.list }}',
			options: {},
		},
		['Accepted'],
	),
	segmentBuyers: buyersWorkflow('e2eSegmentBuyers'),
	orderShipped: writeWorkflow(
		'e2eOrderShipped',
		SHIPPED_HOOKS,
		parametersOf('order-shipped-sms-and-email.json'),
		['Sent'],
		{ moEngageInformApi: INFORM_CREDENTIAL },
	),
	// A Schedule Trigger gives one empty item.
	weeklyStats: writeWorkflow(
		'e2eWeeklyStats',
		[{}],
		parametersOf('weekly-campaign-stats-to-sheet.json'),
		['Stats rows'],
		{ moEngageCampaignReportApi: REPORT_CREDENTIAL },
	),
};

const paired = (item: Item) =>
	Array.isArray(item.pairedItem) ? item.pairedItem[0].item : item.pairedItem?.item;

afterAll(() => {
	process.stdout.write(`\nReal n8n end-to-end report\n${report.join('\n')}\n`);
});

describe.each(majors)('n8n %i.x', (major) => {
	let n8n: { version: string; node: string; bin: string };
	let simulator: Simulator;
	let userFolder: string;
	let nodeVersion = '';
	const timings: string[] = [];

	/** Runs a workflow on a fresh simulator; `before` sets up what MoEngage holds before the run. */
	const execute = async (name: keyof typeof WORKFLOWS, before?: () => Promise<void>) => {
		simulator.reset();
		await before?.();
		const result = await runtime.executeWorkflow(n8n, userFolder, WORKFLOWS[name].id);
		timings.push(`${name} ${(result.ms / 1000).toFixed(1)} s`);
		return result;
	};
	const track = (name: string, fn: () => Promise<void>) =>
		it(name, async () => {
			try {
				await fn();
				report.push(`  n8n ${n8n.version} (Node ${nodeVersion}): pass  ${name}`);
			} catch (error) {
				report.push(`  n8n ${n8n?.version ?? major} (Node ${nodeVersion}): FAIL  ${name}`);
				throw error;
			}
		});

	/** A segment as an earlier sync left it: one Cohort Sync request straight to the simulator. */
	const seedSegment = async (name: string, id: string, uids: string[]) => {
		const { workspaceId, apiKey } = simulator.config;
		const response = await fetch(`${simulator.url}/v1/integrations/cohortsync`, {
			method: 'POST',
			headers: {
				Authorization: `Basic ${Buffer.from(`${workspaceId}:${apiKey}`).toString('base64')}`,
				'MOE-APPKEY': workspaceId,
				'Content-Type': 'application/json',
			},
			body: JSON.stringify({
				action: 'add_members',
				partner: 'n8n',
				parameters: { cohort_name: name, cohort_id: id, members: uids.map((uid) => ({ uid })) },
			}),
		});
		expect(response.status).toBe(200);
		expect(simulator.segmentMembers(id)).toEqual(uids);
	};
	/** Each Cohort Sync request as [action, segment (cohort_id), customer IDs], in arrival order. */
	const cohortSyncsSent = (): Array<[string, string, string[]]> =>
		requestsTo(simulator, 'cohortSync').map((entry) => {
			const { action, parameters } = sentBody(entry, 'cohortSync');
			return [action, parameters.cohort_id, parameters.members.map((member) => member.uid)];
		});

	beforeAll(async () => {
		n8n = await runtime.ensureN8n(major);
		nodeVersion = execFileSync(n8n.node, ['--version'], { encoding: 'utf8' }).trim();
		// Campaigns active whenever the suite runs: the weekly example asks for last week.
		simulator = createSimulator({
			users: 1000,
			seed: 1,
			campaigns: makeCampaigns(25, 4).map((campaign) => ({
				...campaign,
				startDate: '2000-01-01',
				endDate: '2099-12-31',
			})),
		});
		await simulator.start();
		userFolder = runtime.createUserFolder();
		const data = {
			dataCenter: 'custom',
			baseUrl: simulator.url,
			appId: simulator.config.workspaceId,
			apiKey: simulator.config.apiKey,
		};
		await runtime.importCredential(n8n, userFolder, { ...CREDENTIAL, type: 'moEngageApi', data });
		await runtime.importCredential(n8n, userFolder, {
			...WRONG_CREDENTIAL,
			type: 'moEngageApi',
			data: { ...data, apiKey: WRONG_KEY },
		});
		await runtime.importCredential(n8n, userFolder, {
			...INFORM_CREDENTIAL,
			type: 'moEngageInformApi',
			data: {
				dataCenter: 'custom',
				baseUrl: simulator.url,
				sandboxUrl: `${simulator.url}/sandbox`,
				appId: simulator.config.workspaceId,
				apiKey: simulator.config.informKey,
			},
		});
		await runtime.importCredential(n8n, userFolder, {
			...REPORT_CREDENTIAL,
			type: 'moEngageCampaignReportApi',
			data: {
				dataCenter: 'custom',
				baseUrl: simulator.url,
				appId: simulator.config.workspaceId,
				apiKey: simulator.config.reportKey,
			},
		});
		await runtime.importWorkflows(n8n, userFolder, Object.values(WORKFLOWS), 'suite');
	}, 20 * 60_000);

	afterAll(async () => {
		report.push(
			`  n8n ${n8n?.version} on Node ${nodeVersion}: time per execute: ${timings.join(', ')}`,
		);
		await simulator?.stop();
		if (userFolder) rmSync(userFolder, { recursive: true, force: true });
	});

	track('the demo workflow: 12 rows, 9 found, 3 not found, in 1 request', async () => {
		const result = await execute('demo');
		expect(result.code).toBe(0);
		const found: Item[] = runtime.outputOf(result.run, 'MoEngage', 0);
		const notFound: Item[] = runtime.outputOf(result.run, 'MoEngage', 1);
		expect(found.map(paired)).toEqual([0, 1, 2, 3, 4, 6, 7, 9, 10]);
		const byCustomer = new Map(
			simulator.users.map((user: Record<string, unknown>) => [user.customer_id, user]),
		);
		const expectedIds = [
			'cust-00001',
			'cust-00002',
			'100007',
			'cust-00003',
			'cust-00001',
			'cust-00004',
			'100014',
			'cust-00002',
			'cust-00005',
		];
		expect(found.map((item) => item.json)).toEqual(
			expectedIds.map((id) => {
				const user = byCustomer.get(id) as Record<string, unknown>;
				return {
					customer_id: id,
					name: user.name,
					email: user.email,
					city: user.city,
					plan: user.plan,
				};
			}),
		);
		expect(notFound.map((item) => [paired(item), item.json])).toEqual([
			[5, { identifier_type: 'customer_id', identifier: 'ghost-001' }],
			[8, { identifier_type: 'customer_id', identifier: 'ghost-002' }],
			[11, { identifier_type: 'customer_id', identifier: 'ghost-001' }],
		]);
		expect(
			simulator.log.map((entry: { identifiers?: unknown[] }) => entry.identifiers?.length),
		).toEqual([9]);
		expect(runtime.outputOf(result.run, 'Update CRM')).toHaveLength(9);
		expect(runtime.outputOf(result.run, 'Add to missing list')).toHaveLength(3);
	});

	track(
		'rows with duplicates, unknown users and numeric IDs; $("Rows").item finds each source row',
		async () => {
			const result = await execute('rows');
			expect(result.code).toBe(0);
			const found: Item[] = runtime.outputOf(result.run, 'MoEngage', 0);
			expect(found.map(paired)).toEqual([0, 2, 3, 4]);
			expect(found.map((item) => item.json.customer_id)).toEqual([
				'cust-00010',
				'100021',
				'cust-00010',
				'cust-00011',
			]);
			expect(
				runtime.outputOf(result.run, 'Source row').map((item: Item) => item.json.sourceRow),
			).toEqual([0, 2, 3, 4]);
			expect(
				runtime
					.outputOf(result.run, 'MoEngage', 1)
					.map((item: Item) => [paired(item), item.json.identifier]),
			).toEqual([
				[1, 'nobody-1'],
				[5, 'nobody-2'],
				[6, 'nobody-1'],
			]);
			expect(simulator.duplicateIdentifiers()).toEqual([]);
		},
	);

	track('a wrong key fails the run with the 401 hint and shows no secret', async () => {
		const result = await execute('wrongKey');
		expect(result.code).toBe(1);
		const everything = result.stdout + result.stderr;
		expect(everything).toContain('MoEngage rejected the credentials (401 Authentication required)');
		expect(JSON.stringify(result.run?.data?.resultData?.error ?? {})).toContain(
			'data center matches your dashboard URL',
		);
		expect(everything).not.toContain(WRONG_KEY);
		expect(everything).not.toContain(
			Buffer.from(`${simulator.config.workspaceId}:${WRONG_KEY}`).toString('base64'),
		);
	});

	track(
		'On Error: Continue (using error output) sends the invalid item to the error branch',
		async () => {
			const result = await execute('errorOutput');
			expect(result.code).toBe(0);
			expect(runtime.outputOf(result.run, 'MoEngage', 0).map(paired)).toEqual([0]);
			expect(runtime.outputOf(result.run, 'MoEngage', 1).map((item: Item) => item.json)).toEqual([
				{ identifier_type: 'customer_id', identifier: 'nobody-9' },
			]);
			const errors: Item[] = runtime.outputOf(result.run, 'MoEngage', 2);
			expect(errors).toHaveLength(1);
			expect(paired(errors[0])).toBe(1);
			expect(errors[0].json.error).toMatchObject({
				message: 'Item 1: the identifier is only whitespace ("   ")',
			});
			expect(runtime.outputOf(result.run, 'Failed')).toHaveLength(1);
		},
	);

	track(
		'a node-wide problem under continue-on-fail: an error item per row, nothing on Found, nothing sent',
		async () => {
			const message =
				'The parameter "Users per Minute" is a number (0); use a whole number at least 1';
			const regular = await execute('nodeWideRegular');
			expect(regular.code).toBe(0);
			expect(runtime.outputOf(regular.run, 'MoEngage', 0)).toEqual([]);
			expect(runtime.outputOf(regular.run, 'Source row')).toEqual([]);
			const notFound: Item[] = runtime.outputOf(regular.run, 'MoEngage', 1);
			expect(notFound.map(paired)).toEqual([0, 1, 2]);
			expect(notFound.map((item) => (item.json.error as { message: string }).message)).toEqual([
				message,
				message,
				message,
			]);
			expect(simulator.log).toEqual([]);
			const errorOutput = await execute('nodeWideError');
			expect(errorOutput.code).toBe(0);
			expect(runtime.outputOf(errorOutput.run, 'MoEngage', 0)).toEqual([]);
			expect(runtime.outputOf(errorOutput.run, 'MoEngage', 2).map(paired)).toEqual([0, 1, 2]);
			expect(runtime.outputOf(errorOutput.run, 'Failed')).toHaveLength(3);
			expect(simulator.log).toEqual([]);
		},
	);

	track(
		'Create or Update (sheet-rows-to-create-or-update.json): every row on Accepted, new and known users in the store',
		async () => {
			const result = await execute('upsert');
			expect(result.code).toBe(0);
			const accepted: Item[] = runtime.outputOf(result.run, 'MoEngage', 0);
			expect(accepted.map((item) => [paired(item), item.json])).toEqual(
				SHEET_ROWS.map((row, index) => [index, row]),
			);
			expect(runtime.outputOf(result.run, 'Accepted')).toHaveLength(4);
			const bulk = requestsTo(simulator, 'bulk');
			expect(bulk.map((entry: { status: number }) => entry.status)).toEqual([200]);
			expect(simulator.dropped).toEqual([]);
			const known = simulator.userByCustomerId('cust-00010');
			expect(known).toMatchObject({ plan: 'gold', city: 'Lisbon' });
			expect(known?.name).toEqual(
				simulator.users.find((user) => user.customer_id === 'cust-00010')?.name,
			);
			expect(simulator.userByCustomerId('100021')).toMatchObject({
				plan: 'premium',
				signed_up: '2024-03-01',
			});
			expect(simulator.userByCustomerId('sheet-new-01')).toMatchObject({
				name: 'Ada Novak',
				email: 'ada.novak@example.com',
				plan: 'free',
			});
			expect(simulator.userByCustomerId('sheet-new-02')).toMatchObject({
				name: 'Bo Lee',
				vip: true,
				orders: 3,
			});
			// Exclude Fields: neither the sheet's row number nor the ID column became an attribute
			for (const id of ['cust-00010', '100021', 'sheet-new-01', 'sheet-new-02']) {
				expect(simulator.userByCustomerId(id)).not.toHaveProperty('row_number');
			}
			const elements = sentBody(bulk[0], 'bulk').elements as Array<{
				customer_id: string;
				attributes: object;
			}>;
			expect(elements.map((element) => element.customer_id).sort()).toEqual([
				'100021',
				'cust-00010',
				'sheet-new-01',
				'sheet-new-02',
			]);
			for (const element of elements)
				expect(Object.keys(element.attributes)).not.toEqual(
					expect.arrayContaining(['customer_id']),
				);
		},
	);

	track(
		'Get → Not Found → Create or Update (not-found-to-create.json): the unknown sign-ups are created, known users untouched',
		async () => {
			simulator.reset();
			const before = ['cust-00001', 'cust-00002'].map((id) => ({
				...simulator.userByCustomerId(id),
			}));
			const result = await runtime.executeWorkflow(n8n, userFolder, WORKFLOWS.notFoundToCreate.id);
			timings.push(`notFoundToCreate ${(result.ms / 1000).toFixed(1)} s`);
			expect(result.code).toBe(0);
			expect(runtime.outputOf(result.run, 'MoEngage: get users', 0).map(paired)).toEqual([0, 2]);
			const notFound: Item[] = runtime.outputOf(result.run, 'MoEngage: get users', 1);
			expect(notFound.map((item) => [paired(item), item.json.customer_id])).toEqual([
				[1, 'signup-7001'],
				[3, 'signup-7002'],
			]);
			const created: Item[] = runtime.outputOf(result.run, 'MoEngage: create missing users', 0);
			expect(created.map((item) => [paired(item), item.json.customer_id])).toEqual([
				[0, 'signup-7001'],
				[1, 'signup-7002'],
			]);
			expect(simulator.userByCustomerId('signup-7001')).toMatchObject({
				first_name: 'Nia',
				email: 'nia@example.com',
				plan: 'trial',
			});
			expect(simulator.userByCustomerId('signup-7002')).toMatchObject({
				first_name: 'Omar',
				email: 'omar@example.com',
				plan: 'free',
			});
			expect(['cust-00001', 'cust-00002'].map((id) => simulator.userByCustomerId(id))).toEqual(
				before,
			);
			const bulk = requestsTo(simulator, 'bulk');
			expect(bulk).toHaveLength(1);
			expect(sentBody(bulk[0], 'bulk').elements.map((element) => element.customer_id)).toEqual([
				'signup-7001',
				'signup-7002',
			]);
		},
	);

	track(
		'Track Event (webhook-track-event.json): ISO and epoch-ms times, platform and attributes reach MoEngage',
		async () => {
			const result = await execute('track');
			expect(result.code).toBe(0);
			const accepted: Item[] = runtime.outputOf(result.run, 'MoEngage', 0);
			expect(accepted.map((item) => [paired(item), item.json])).toEqual(
				ORDER_HOOKS.map((hook, index) => [index, hook]),
			);
			expect(runtime.outputOf(result.run, 'Tracked')).toHaveLength(3);
			expect(simulator.dropped).toEqual([]);
			expect(
				requestsTo(simulator, 'bulk').map((entry: { status: number }) => entry.status),
			).toEqual([200]);
			expect(
				simulator.events.map((event: Record<string, unknown>) => ({
					customer_id: event.customer_id,
					action: event.action,
					utc_time: event.utc_time,
					platform: event.platform,
					attributes: event.attributes,
				})),
			).toEqual([
				{
					customer_id: 'cust-00020',
					action: 'Order Placed',
					utc_time: '2024-05-01T10:00:00Z',
					platform: 'web',
					attributes: { order_id: 'A-1', amount: 42.5, currency: 'EUR' },
				},
				{
					customer_id: 'cust-00022',
					action: 'Order Placed',
					utc_time: '2024-05-01T10:00:00Z',
					platform: 'web',
					attributes: { order_id: 'A-2', amount: 10, currency: 'USD' },
				},
				{
					customer_id: 'hook-new-01',
					action: 'Order Refunded',
					utc_time: '2024-05-02T06:30:00Z',
					platform: 'web',
					attributes: { order_id: 'A-3', amount: 5, currency: 'EUR' },
				},
			]);
		},
	);

	track('Delete: a known customer on Deleted, an unknown one on Not Found', async () => {
		const result = await execute('delete');
		expect(result.code).toBe(0);
		expect(
			runtime.outputOf(result.run, 'MoEngage', 0).map((item: Item) => [paired(item), item.json]),
		).toEqual([[0, { customer_id: 'cust-00030' }]]);
		expect(
			runtime.outputOf(result.run, 'MoEngage', 1).map((item: Item) => [paired(item), item.json]),
		).toEqual([[1, { customer_id: 'gone-nobody-1' }]]);
		expect(runtime.outputOf(result.run, 'Deleted')).toHaveLength(1);
		expect(runtime.outputOf(result.run, 'Not deleted')).toHaveLength(1);
		expect(
			simulator.deletions.map((entry: { identity_type: string; customer_id: string }) => [
				entry.identity_type,
				entry.customer_id,
			]),
		).toEqual([['customer_id', 'cust-00030']]);
		expect(
			requestsTo(simulator, 'delete')
				.map((entry: { status: number }) => entry.status)
				.sort(),
		).toEqual([200, 400]);
	});

	track(
		"Track with Event Time {{ $now }} and an offset: every event kept, at the user's local time",
		async () => {
			const before = Date.now();
			const result = await execute('trackNow');
			expect(result.code).toBe(0);
			expect(runtime.outputOf(result.run, 'MoEngage', 0).map(paired)).toEqual([0, 1, 2]);
			expect(runtime.outputOf(result.run, 'Tracked')).toHaveLength(3);
			expect(simulator.dropped).toEqual([]);
			const events = simulator.events as Array<{ utc_time: string; local_time: string }>;
			expect(events).toHaveLength(3);
			for (const event of events) {
				const utc = Date.parse(event.utc_time);
				expect(utc).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
				expect(utc).toBeLessThanOrEqual(Date.now());
				expect(Date.parse(`${event.local_time}Z`) - utc).toBe(19_800_000);
			}
		},
	);

	track(
		'Create or Update from a row with blank cells: the blanks leave the profile as it was',
		async () => {
			const before = { ...simulator.userByCustomerId('cust-00060') };
			const result = await execute('upsertBlanks');
			expect(result.code).toBe(0);
			expect(sentBody(requestsTo(simulator, 'bulk')[0], 'bulk').elements).toEqual([
				{ type: 'customer', customer_id: 'cust-00060', attributes: { plan: 'gold' } },
			]);
			expect(simulator.userByCustomerId('cust-00060')).toMatchObject({
				city: before.city,
				first_name: before.first_name,
				plan: 'gold',
			});
		},
	);

	track('Merge: two pairs on Accepted, both merged in MoEngage in one request', async () => {
		const result = await execute('merge');
		expect(result.code).toBe(0);
		expect(runtime.outputOf(result.run, 'MoEngage', 0).map(paired)).toEqual([0, 1]);
		expect(runtime.outputOf(result.run, 'Merged')).toHaveLength(2);
		expect(
			simulator.merges.map((entry: { merged_user: string; retained_user: string }) => [
				entry.merged_user,
				entry.retained_user,
			]),
		).toEqual([
			['cust-00040', 'cust-00041'],
			['cust-00043', 'cust-00044'],
		]);
		expect(simulator.dropped).toEqual([]);
		expect(requestsTo(simulator, 'merge')).toHaveLength(1);
	});

	track(
		'Segment → Add or Remove Users from rows: every row on Accepted, each segment holds what the rows say, an unknown ID joins none',
		async () => {
			const result = await execute('segmentChanges');
			expect(result.code).toBe(0);
			const accepted: Item[] = runtime.outputOf(result.run, 'MoEngage', 0);
			expect(accepted.map((item) => [paired(item), item.json])).toEqual(
				SEGMENT_ROWS.map((row, index) => [index, row]),
			);
			expect(runtime.outputOf(result.run, 'Accepted')).toHaveLength(SEGMENT_ROWS.length);
			// Segment ID left empty: the Segment Name is the cohort_id (README, Segment). Cohort Sync
			// "only matches users already present in MoEngage" by uid and creates no users
			// (docs/moengage-api.md#cohort-sync): the unknown ID is accepted and joins nothing.
			expect(simulator.segmentMembers('VIP customers')).toEqual([
				'cust-00001',
				'100007',
				'cust-00003',
			]);
			expect(simulator.segmentMembers('Churn risk')).toEqual(['cust-00004']);
			expect(simulator.segment('VIP customers')).toMatchObject({
				cohort_name: 'VIP customers',
				partner: 'n8n',
			});
			expect(simulator.userByCustomerId('seg-nobody-1')).toBeUndefined();
			expect(simulator.ignored).toEqual([
				expect.objectContaining({
					endpoint: 'cohortSync',
					cohort_id: 'VIP customers',
					uid: 'seg-nobody-1',
				}),
			]);
			// Basic auth and MOE-APPKEY: <Workspace ID>, and the required partner
			// (docs/moengage-api.md#cohort-sync), "n8n" unless the Partner option says otherwise (README)
			const requests = requestsTo(simulator, 'cohortSync');
			for (const entry of requests) {
				expect(entry.status).toBe(200);
				expect(entry.appKey).toBe(simulator.config.workspaceId);
				expect(sentBody(entry, 'cohortSync').partner).toBe('n8n');
			}
			// One request per segment and action ("one payload per request, each with as many UIDs as
			// fit"); MoEngage documents nothing about the order it applies them in, so the removal is
			// sent only after MoEngage answered the add (README, Segment).
			const sent = cohortSyncsSent();
			expect(sent).toHaveLength(3);
			expect(sent.slice(0, 2)).toEqual(
				expect.arrayContaining([
					[
						'add_members',
						'VIP customers',
						['cust-00001', 'cust-00002', '100007', 'seg-nobody-1', 'cust-00003'],
					],
					['add_members', 'Churn risk', ['cust-00004']],
				]),
			);
			expect(sent[2]).toEqual(['remove_members', 'VIP customers', ['cust-00002']]);
			expect(
				sent.filter(([, , uids]) => uids.includes('cust-00002')).map(([action]) => action),
			).toEqual(['add_members', 'remove_members']);
			expect(simulator.cohortSyncs.every((sync) => sync.processedAt !== undefined)).toBe(true);
		},
	);

	track(
		'Segment → Add Users then Remove Users, two nodes in sequence: the buyers join Customers and leave Trial',
		async () => {
			const result = await execute('segmentBuyers', () =>
				seedSegment('Trial', 'n8n-trial', ['cust-00011', 'cust-00012', '100014']),
			);
			expect(result.code).toBe(0);
			for (const name of ['Add to Customers', 'Remove from Trial']) {
				const accepted: Item[] = runtime.outputOf(result.run, name, 0);
				expect(accepted.map((item) => [paired(item), item.json])).toEqual(
					BUYER_ROWS.map((row, index) => [index, row]),
				);
			}
			expect(runtime.outputOf(result.run, 'Moved')).toHaveLength(BUYER_ROWS.length);
			// Keyed by the Segment ID (cohort_id), named by the Segment Name (docs/moengage-api.md#cohort-sync)
			expect(simulator.segment('n8n-customers')).toEqual({
				cohort_id: 'n8n-customers',
				cohort_name: 'Customers',
				partner: 'n8n',
				members: ['cust-00012', '100014'],
			});
			expect(simulator.segmentMembers('n8n-trial')).toEqual(['cust-00011']);
			expect(cohortSyncsSent().slice(1)).toEqual([
				['add_members', 'n8n-customers', ['cust-00012', '100014']],
				['remove_members', 'n8n-trial', ['cust-00012', '100014']],
			]);
			expect(simulator.ignored).toEqual([]);
		},
	);

	track(
		"order shipped → SMS and email (the example's node): one message per order, and a second run within 5 minutes sends none",
		async () => {
			const result = await execute('orderShipped');
			expect(result.code).toBe(0);
			const sent: Item[] = runtime.outputOf(result.run, 'MoEngage', 0);
			expect(sent.map(paired)).toEqual([0, 1]);
			expect(
				simulator.informMessages.map((message) => [
					message.alertReferenceName,
					message.transactionId,
					message.userId,
					message.payloads.SMS?.recipient,
					message.payloads.EMAIL?.personalized_attributes,
				]),
			).toEqual([
				[
					'order_shipped',
					'S-1-shipped',
					'cust-00031',
					'+4915112340001',
					{ first_name: 'Asha', order_id: 'S-1', tracking_url: 'https://track.example.com/S-1' },
				],
				[
					'order_shipped',
					'S-2-shipped',
					'cust-00032',
					'4915112340002',
					{ first_name: 'Ben', order_id: 'S-2', tracking_url: 'https://track.example.com/S-2' },
				],
			]);
			expect(sent.map((item) => (item.json.moengage as { request_id: string }).request_id)).toEqual(
				simulator.informMessages.map((message) => message.requestId),
			);
			// The shop calls again: MoEngage refuses both transaction IDs as duplicates, and the run says so.
			const again = await runtime.executeWorkflow(n8n, userFolder, WORKFLOWS.orderShipped.id);
			expect(again.code).toBe(1);
			expect(again.stdout + again.stderr).toContain(
				'MoEngage refused transaction_id "S-1-shipped" as a duplicate (409 Duplicate Transaction ID)',
			);
			expect(simulator.informMessages).toHaveLength(2);
		},
	);

	track(
		'a message whose answer was lost after MoEngage took it is sent once, and its item is on Sent',
		async () => {
			const result = await execute('orderShipped', async () =>
				simulator.scriptFaults('inform', ['applied-reset']),
			);
			expect(result.code).toBe(0);
			expect(simulator.informMessages.map((message) => message.transactionId)).toEqual([
				'S-1-shipped',
				'S-2-shipped',
			]);
			const sent: Item[] = runtime.outputOf(result.run, 'MoEngage', 0);
			expect(sent.map((item) => item.json.moengage)).toEqual([
				{ transaction_id: 'S-1-shipped', accepted_earlier: true },
				expect.objectContaining({ transaction_id: 'S-2-shipped', request_id: expect.any(String) }),
			]);
		},
	);

	track(
		"weekly campaign stats (the example's node): every page of every campaign as rows, last week's dates",
		async () => {
			const result = await execute('weeklyStats');
			expect(result.code).toBe(0);
			const requests = requestsTo(simulator, 'campaignStats').map(
				(entry) => entry.body as Record<string, unknown>,
			);
			expect(requests.map((body) => body.offset)).toEqual([0, 10, 20]);
			const [{ start_date: start, end_date: end }] = requests as Array<Record<string, string>>;
			expect((Date.parse(end) - Date.parse(start)) / 86_400_000).toBe(6);
			const rows: Item[] = runtime.outputOf(result.run, 'MoEngage', 0);
			expect(new Set(rows.map((item) => item.json.campaign_id)).size).toBe(25);
			expect(rows.every((item) => paired(item) === 0)).toBe(true);
			expect(rows[0].json).toMatchObject({
				start_date: start,
				end_date: end,
				metric_type: 'TOTAL',
			});
			expect(typeof rows[0].json.performance_sent).toBe('number');
			expect(runtime.outputOf(result.run, 'Stats rows')).toHaveLength(rows.length);
		},
	);

	track('every workflow in examples/ imports with the CLI', async () => {
		const folder = path.join(__dirname, '..', '..', 'examples');
		const examples = readdirSync(folder)
			.filter((name) => name.endsWith('.json'))
			.map((file) => JSON.parse(readFileSync(path.join(folder, file), 'utf8')));
		// one import of them all: n8n refuses the whole file if it refuses any of them
		await runtime.importWorkflows(n8n, userFolder, examples, 'examples');
		const listed = await runtime.cli(n8n, userFolder, ['list:workflow']);
		for (const workflow of examples) expect(listed.stdout).toContain(workflow.id);
	});

	track(
		"the credential's Test button, through n8n's REST API, proves the key with Test Connection and explains a wrong one",
		async () => {
			const editor = await runtime.startN8n(n8n, userFolder, { port: 5690 + major });
			try {
				const owner = {
					email: 'owner@example.com',
					firstName: 'E2e',
					lastName: 'Owner',
					password: 'MoEngage-e2e-1',
				};
				await setUpOwner(editor.url, owner);
				const cookie = await runtime.logIn(editor.url, owner);
				expect(cookie).toMatch(/^n8n-auth=/);
				const testWith = async (data: Record<string, string>) =>
					(await runtime.testCredential(editor.url, cookie, {
						...CREDENTIAL,
						type: 'moEngageApi',
						data,
					})) as { status: string; message: string };
				const good = {
					dataCenter: 'custom',
					baseUrl: simulator.url,
					appId: simulator.config.workspaceId,
					apiKey: simulator.config.apiKey,
				};
				const testConnections = () =>
					simulator.log.filter((entry) => entry.endpoint === 'testConnection');
				const before = testConnections().length;
				expect(await testWith(good)).toEqual({ status: 'OK', message: 'Connection successful!' });
				// MoEngage's Test Connection, with n8n's default for the Custom URL's data center as region
				expect(testConnections().slice(before)).toEqual([
					expect.objectContaining({
						status: 200,
						body: expect.objectContaining({
							app_id: simulator.config.workspaceId,
							source: 'n8n',
							region: '01',
						}),
					}),
				]);
				// a workspace MoEngage has not enabled Get User for passes too
				simulator.config.getUser = 'refused-403';
				try {
					expect(await testWith({ ...good, region: '02' })).toEqual({
						status: 'OK',
						message: 'Connection successful!',
					});
				} finally {
					simulator.config.getUser = 'enabled';
				}
				expect(testConnections().at(-1)).toMatchObject({ status: 200, body: { region: '02' } });
				const wrong = await testWith({ ...good, apiKey: WRONG_KEY });
				expect(wrong.status).toBe('Error');
				expect(wrong.message).toContain('MoEngage answered 401 "Authentication required"');
				expect(wrong.message).not.toContain(WRONG_KEY);
				const notMoEngage = await testWith({ ...good, baseUrl: editor.url });
				expect(notMoEngage.message).toContain("did not come from MoEngage's Test Connection");

				// The Inform and Campaign report keys: each Test asks MoEngage, and sends nothing.
				const informData = {
					dataCenter: 'custom',
					baseUrl: simulator.url,
					sandboxUrl: `${simulator.url}/sandbox`,
					appId: simulator.config.workspaceId,
					apiKey: simulator.config.informKey,
				};
				const testInform = async (data: Record<string, string>) =>
					(await runtime.testCredential(editor.url, cookie, {
						...INFORM_CREDENTIAL,
						type: 'moEngageInformApi',
						data,
					})) as { status: string; message: string };
				expect(await testInform(informData)).toEqual({
					status: 'OK',
					message: 'Connection successful!',
				});
				expect(simulator.testAlerts).toEqual([]);
				expect(
					(await testInform({ ...informData, apiKey: simulator.config.apiKey })).message,
				).toContain('MoEngage answered 401 "Invalid App Key or Basic Auth"');
				const reportData = {
					dataCenter: 'custom',
					baseUrl: simulator.url,
					appId: simulator.config.workspaceId,
					apiKey: simulator.config.reportKey,
				};
				const testReport = async (data: Record<string, string>) =>
					(await runtime.testCredential(editor.url, cookie, {
						...REPORT_CREDENTIAL,
						type: 'moEngageCampaignReportApi',
						data,
					})) as { status: string; message: string };
				expect(await testReport(reportData)).toEqual({
					status: 'OK',
					message: 'Connection successful!',
				});
				expect(
					(await testReport({ ...reportData, apiKey: simulator.config.informKey })).message,
				).toContain('MoEngage answered 401 "Authentication required"');
			} finally {
				await runtime.stopProcess(editor.child);
			}
		},
	);
});
