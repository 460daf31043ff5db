/**
 * npm run bench [-- --only 1,3,5]: how close the node gets to MoEngage's own limits, what it costs
 * on top of a bare client, and what it saves over the HTTP Request node. Prints one table and writes
 * the figures to bench/results/<time>.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { budgetFor, budgetsKept } from '../nodes/MoEngage/shared/budget';
import {
	COHORT_REQUESTS_PER_MINUTE,
	INFORM_REQUESTS_PER_MINUTE,
	STATS_REQUESTS_PER_MINUTE,
} from '../nodes/MoEngage/shared/limits';
import type * as SimulatorModule from '../simulator/simulator';
import type { Simulator } from '../simulator/simulator';
import { runMoEngage } from '../test/engine';
import { bareExport } from './bare-client';
import { productionPath, TRIGGER, triggerWorkflow } from '../test/support/webhook';
import { triggerCost } from './trigger';

// compiled to bench/.build/bench/
const ROOT = path.join(__dirname, '..', '..', '..');
// The simulator is plain JavaScript that tsc does not copy into bench/.build: loaded from the source tree, typed by its .d.ts.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createSimulator, randomFrom, campaignStatsAnswer }: typeof SimulatorModule = require(
	path.join(ROOT, 'simulator/simulator.js'),
);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtime = require(path.join(ROOT, 'scripts/n8n.js'));

interface Row {
	scenario: string;
	figure: string;
	value: string;
	target: string;
	met: boolean | null;
	runs: number;
}

const rows: Row[] = [];
const raw: Record<string, unknown> = {};
const only = (() => {
	const index = process.argv.indexOf('--only');
	return index > 0 ? new Set(process.argv[index + 1].split(',').map(Number)) : undefined;
})();
const wanted = (scenario: number) => !only || only.has(scenario);

const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const secondsOf = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const credentialsFor = (simulator: Simulator) => ({
	dataCenter: 'custom',
	baseUrl: simulator.url,
	appId: simulator.config.workspaceId,
	apiKey: simulator.config.apiKey,
});
const exportRequests = (simulator: Simulator) =>
	simulator.log.filter((entry: { path: string }) => entry.path.startsWith('/v1/customers/export'));
const say = (text: string) => process.stderr.write(`[bench] ${text}\n`);

async function packing() {
	const simulator = createSimulator({ users: 3000, usersPerWindow: 1e9 });
	await simulator.start();
	const distinct = [
		...simulator.users.slice(0, 3000).map((user: { customer_id: string }) => user.customer_id),
		...Array.from({ length: 1000 }, (_, n) => `unknown-${n}`),
	];
	const items = Array.from({ length: 10_000 }, (_, n) => ({
		customer_id: distinct[(n * 7919) % distinct.length],
	}));
	const requests: number[] = [];
	for (let run = 0; run < 5; run++) {
		simulator.reset();
		await runMoEngage({
			rows: items,
			parameters: { options: { usersPerMinute: 1e9 } },
			credentials: credentialsFor(simulator),
			downstream: false,
		});
		requests.push(exportRequests(simulator).length);
	}
	await simulator.stop();
	const value = median(requests);
	raw.packing = {
		items: items.length,
		distinct: new Set(items.map((item) => item.customer_id)).size,
		requests,
	};
	rows.push({
		scenario: '1 Packing',
		figure: '10,000 items, 4,000 distinct → requests',
		value: String(value),
		target: '= ceil(4000 / 20) = 200',
		met: value === 200,
		runs: 5,
	});
}

async function sustained() {
	say('scenario 2 runs at the real limit of 1,000 users per minute: about two minutes');
	const simulator = createSimulator({ users: 3000, usersPerWindow: 1000, windowMs: 60_000 });
	await simulator.start();
	const items = simulator.users.map((user: { customer_id: string }) => ({
		customer_id: user.customer_id,
	}));
	const started = Date.now();
	const result = await runMoEngage({
		rows: items,
		credentials: credentialsFor(simulator),
		downstream: false,
	});
	const wall = Date.now() - started;
	const requests = exportRequests(simulator);
	const refused = requests.filter((entry: { status: number }) => entry.status === 429).length;
	await simulator.stop();
	// 1,000 users go at once, 1,000 more 60 s later, the last 1,000 at 120 s: the ideal is 120 s.
	const ideal = 120_000;
	const ratio = ideal / wall;
	raw.sustained = {
		users: 3000,
		wallMs: wall,
		idealMs: ideal,
		requests: requests.length,
		refused429: refused,
		found: result.outputs[0]?.length,
	};
	rows.push({
		scenario: '2 Sustained rate',
		figure: '3,000 users at 1,000/min: wall time (ideal 120 s)',
		value: secondsOf(wall),
		target: '—',
		met: null,
		runs: 1,
	});
	rows.push({
		scenario: '2 Sustained rate',
		figure: 'achieved / limit (ideal ÷ wall)',
		value: ratio.toFixed(3),
		target: '≥ 0.98',
		met: ratio >= 0.98,
		runs: 1,
	});
	rows.push({
		scenario: '2 Sustained rate',
		figure: '429s received',
		value: String(refused),
		target: '0',
		met: refused === 0,
		runs: 1,
	});
}

async function burst() {
	const simulator = createSimulator({ users: 1000, usersPerWindow: 1e9, latencyMs: 150 });
	await simulator.start();
	const items = simulator.users.map((user: { customer_id: string }) => ({
		customer_id: user.customer_id,
	}));
	const times: number[] = [];
	for (let run = 0; run < 5; run++) {
		const result = await runMoEngage({
			rows: items,
			parameters: { options: { usersPerMinute: 1e9 } },
			credentials: credentialsFor(simulator),
			downstream: false,
		});
		times.push(result.nodeMs);
	}
	await simulator.stop();
	// The first request of a run goes alone (a fault every request shares then costs one request), then 4 in flight.
	const ideal = (1 + Math.ceil(49 / 4)) * 150;
	raw.burst = { users: 1000, nodeMs: times, idealMs: ideal };
	rows.push({
		scenario: '3 Burst latency',
		figure: '1,000 users, 150 ms answers, 4 in flight: node time',
		value: secondsOf(median(times)),
		target: `≈ ideal ${secondsOf(ideal)} (1 + 13 rounds × 150 ms)`,
		met: median(times) <= ideal * 1.25,
		runs: 5,
	});
}

async function startSimulatorProcess(args: string[]): Promise<{ url: string; stop: () => void }> {
	const child = spawn(
		process.execPath,
		[path.join(ROOT, 'simulator/cli.js'), '--port', '0', ...args],
		{ stdio: ['ignore', 'pipe', 'inherit'] },
	);
	const url = await new Promise<string>((resolve, reject) => {
		child.stdout.on('data', (chunk: Buffer) => {
			const match = /listening on (http:\/\/\S+)/.exec(chunk.toString());
			if (match) resolve(match[1]);
		});
		child.on('exit', (code) => reject(new Error(`simulator exited ${code}`)));
	});
	return { url, stop: () => child.kill('SIGTERM') };
}

async function overhead() {
	say('scenario 4: 100,000 items in fresh processes, node and bare client, 3 runs each');
	const simulator = await startSimulatorProcess(['--users', '25000', '--limit', '1000000000']);
	const runOnce = (mode: string) =>
		JSON.parse(
			execFileSync(
				process.execPath,
				['--expose-gc', path.join(__dirname, 'overhead.js'), simulator.url, mode],
				{ encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
			)
				.trim()
				.split('\n')
				.pop()!,
		);
	const node: Array<Record<string, number>> = [];
	const bare: Array<Record<string, number>> = [];
	for (let run = 0; run < 3; run++) {
		bare.push(runOnce('bare'));
		node.push(runOnce('node'));
	}
	simulator.stop();
	const logicMs = await nodeLogicAlone();
	const nodeMs = median(node.map((run) => run.nodeMs));
	const bareMs = median(bare.map((run) => run.nodeMs));
	const cpuPerItem = median(node.map((run) => run.cpuUs / run.items));
	const rssGrowth = median(node.map((run) => run.peakRss - run.rssBefore)) / 1024 / 1024;
	raw.overhead = { node, bare };
	rows.push({
		scenario: '4 Overhead',
		figure: '100,000 items, 50,000 distinct: node time',
		value: secondsOf(nodeMs),
		target: '—',
		met: null,
		runs: 3,
	});
	rows.push({
		scenario: '4 Overhead',
		figure: 'bare client, same 2,500 requests, 4 in flight',
		value: secondsOf(bareMs),
		target: '—',
		met: null,
		runs: 3,
	});
	rows.push({
		scenario: '4 Overhead',
		figure: 'node ÷ bare client',
		value: (nodeMs / bareMs).toFixed(2),
		target: '≤ 1.5',
		met: nodeMs / bareMs <= 1.5,
		runs: 3,
	});
	rows.push({
		scenario: '4 Overhead',
		figure: "the node's own logic, MoEngage in memory (no HTTP)",
		value: secondsOf(logicMs),
		target: '—',
		met: null,
		runs: 3,
	});
	rows.push({
		scenario: '4 Overhead',
		figure: 'CPU per item (whole run in n8n-core)',
		value: `${cpuPerItem.toFixed(1)} µs`,
		target: '—',
		met: null,
		runs: 3,
	});
	rows.push({
		scenario: '4 Overhead',
		figure: 'peak RSS growth',
		value: `${rssGrowth.toFixed(0)} MB`,
		target: '< 300 MB',
		met: rssGrowth < 300,
		runs: 3,
	});
}

/**
 * Scenario 4's lookup without n8n and without HTTP: what the node's own code costs. The Get
 * operation runs whole (parameters, checks, grouping, budget, dispatcher, outputs) on a fake n8n
 * context whose requests the simulator answers in memory, on a clock whose sleep returns at once.
 */
async function nodeLogicAlone(): Promise<number> {
	const { operation: get } = await import('../nodes/MoEngage/resources/user/get');
	const { fakeExecuteFunctions, freshWorkspace } = await import('../test/support/fake-n8n');
	const times: number[] = [];
	for (let run = 0; run < 3; run++) {
		// A workspace of its own each run: budgets are kept per workspace for the life of the process.
		const simulator = createSimulator({ ...freshWorkspace(), users: 25_000, usersPerWindow: 1e9 });
		const known: string[] = simulator.users.map(
			(user: { customer_id: string }) => user.customer_id,
		);
		const distinct = [...known, ...Array.from({ length: 25_000 }, (_, n) => `unknown-${n}`)];
		const items = [...distinct, ...distinct].map((customer_id) => ({ customer_id }));
		const { context } = fakeExecuteFunctions({
			simulator,
			items,
			parameters: {
				identifierType: 'customer_id',
				identifier: '={{ $json.customer_id }}',
				options: { usersPerMinute: 1e9 },
			},
			properties: get.properties,
		});
		const started = performance.now();
		const [found, notFound] = await get.execute(context, {
			clock: { now: () => Date.now(), sleep: async () => {} },
			random: Math.random,
		});
		times.push(performance.now() - started);
		if (found.length !== 50_000 || notFound.length !== 50_000) {
			throw new Error(
				`the node's own logic: ${found.length} Found and ${notFound.length} Not Found, expected 50,000 each`,
			);
		}
	}
	return median(times);
}

async function oneItem() {
	const simulator = createSimulator({ users: 10, usersPerWindow: 1e9 });
	await simulator.start();
	const node: number[] = [];
	const bare: number[] = [];
	const id = simulator.users[0].customer_id;
	for (let run = 0; run < 20; run++) {
		node.push(
			(
				await runMoEngage({
					rows: [{ customer_id: id }],
					parameters: { options: { usersPerMinute: 1e9 } },
					credentials: credentialsFor(simulator),
					downstream: false,
				})
			).nodeMs,
		);
		bare.push(
			(
				await bareExport(
					simulator.url,
					simulator.config.workspaceId,
					simulator.config.apiKey,
					[[id]],
					1,
				)
			).ms,
		);
	}
	await simulator.stop();
	raw.oneItem = { node, bare };
	rows.push({
		scenario: '5 One item',
		figure: 'time to first output (node)',
		value: `${median(node).toFixed(1)} ms`,
		target: '—',
		met: null,
		runs: 20,
	});
	rows.push({
		scenario: '5 One item',
		figure: 'one bare request',
		value: `${median(bare).toFixed(1)} ms`,
		target: '—',
		met: null,
		runs: 20,
	});
}

/** Manual Trigger → Code (the rows: every fifth one unknown) → the lookup node, named "Lookup". */
function lookupWorkflow(id: string, rowCount: number, lookup: Record<string, unknown>) {
	return {
		id,
		name: id,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'b0000000-0000-4000-8000-000000000001',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'b0000000-0000-4000-8000-000000000002',
				name: 'Rows',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [200, 0],
				parameters: {
					jsCode: `return Array.from({ length: ${rowCount} }, (_, n) => ({ json: { customer_id: n % 5 === 4 ? 'unknown-' + n : 'cust-' + String(n + 1).padStart(5, '0') } }));`,
				},
			},
			{ id: 'b0000000-0000-4000-8000-000000000003', name: 'Lookup', position: [400, 0], ...lookup },
		],
		connections: {
			Start: { main: [[{ node: 'Rows', type: 'main', index: 0 }]] },
			Rows: { main: [[{ node: 'Lookup', type: 'main', index: 0 }]] },
		},
		pinData: {},
	};
}

function httpRequestWorkflow(
	id: string,
	simulator: Simulator,
	batching: boolean,
	rowCount: number,
) {
	const auth = Buffer.from(`${simulator.config.workspaceId}:${simulator.config.apiKey}`).toString(
		'base64',
	);
	return lookupWorkflow(id, rowCount, {
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		onError: 'continueRegularOutput',
		parameters: {
			method: 'POST',
			url: `${simulator.url}/v1/customers/export?app_id=${simulator.config.workspaceId}`,
			sendHeaders: true,
			headerParameters: { parameters: [{ name: 'Authorization', value: `Basic ${auth}` }] },
			sendBody: true,
			specifyBody: 'json',
			jsonBody:
				"={{ JSON.stringify({ data: { identifiers: [{ identifier_type: 'customer_id', identifier: String($json.customer_id) }] } }) }}",
			// 16 users a second is 960 a minute: the obvious way to stay under 1,000 with this node
			options: batching ? { batching: { batch: { batchSize: 16, batchInterval: 1000 } } } : {},
		},
	});
}

function moengageWorkflow(id: string, rowCount: number) {
	return lookupWorkflow(id, rowCount, {
		type: 'n8n-nodes-moengage.moEngage',
		typeVersion: 1,
		parameters: {
			resource: 'user',
			operation: 'get',
			identifierType: 'customer_id',
			identifier: '={{ $json.customer_id }}',
			options: {},
		},
		credentials: { moEngageApi: { id: 'benchCred', name: 'Simulator' } },
	});
}

/** The budgets of 20,000 workspaces used once, then the next run a minute later: the idle ones are dropped. */
async function workspacesKept() {
	say('scenario 7: budgets kept for 20,000 workspaces used once');
	const heapMiB = () => {
		global.gc?.();
		return process.memoryUsage().heapUsed / 2 ** 20;
	};
	const base = heapMiB();
	const start = 1e12;
	for (let n = 0; n < 20_000; n++)
		budgetFor(`https://api-01.moengage.com WS${n}`, `workspace WS${n}`, start).reserve(
			20,
			1000,
			start,
		);
	const kept = budgetsKept();
	const full = heapMiB() - base;
	budgetFor('https://api-01.moengage.com LATER', 'workspace LATER', start + 2 * 60_000);
	const after = heapMiB() - base;
	raw.workspacesKept = { kept, fullMiB: full, keptAfter: budgetsKept(), afterMiB: after };
	const scenario = '7 budgets of 20,000 workspaces used once';
	rows.push({
		scenario,
		figure: 'within their minute',
		value: `${kept} kept, +${full.toFixed(1)} MiB heap`,
		target: '',
		met: null,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: 'on the next run, a minute later',
		value: `${budgetsKept()} kept, +${after.toFixed(1)} MiB heap`,
		target: 'idle ones dropped',
		met: budgetsKept() <= 2,
		runs: 1,
	});
}

async function againstHttpRequest() {
	say('scenario 6: the same 2,000-row lookup in real n8n three ways (about 4 minutes)');
	const n8n = await runtime.ensureN8n(1);
	const ROWS = 2000;
	const results: Record<string, Record<string, number>> = {};
	const builds: Array<[string, (simulator: Simulator) => object]> = [
		['MoEngage node', () => moengageWorkflow('benchMoEngage', ROWS)],
		[
			'HTTP Request, batching 16/s',
			(simulator) => httpRequestWorkflow('benchHttpBatched', simulator, true, ROWS),
		],
		[
			'HTTP Request, no batching',
			(simulator) => httpRequestWorkflow('benchHttpPlain', simulator, false, ROWS),
		],
	];
	for (const [name, build] of builds) {
		const simulator = createSimulator({ users: 2000, usersPerWindow: 1000, windowMs: 60_000 });
		await simulator.start();
		const userFolder = runtime.createUserFolder();
		await runtime.importCredential(n8n, userFolder, {
			id: 'benchCred',
			name: 'Simulator',
			type: 'moEngageApi',
			data: credentialsFor(simulator),
		});
		const workflow = build(simulator) as { id: string };
		await runtime.importWorkflow(n8n, userFolder, workflow);
		const run = await runtime.executeWorkflow(n8n, userFolder, workflow.id);
		const found = runtime.outputOf(run.run, 'Lookup', 0);
		const notFound = runtime.outputOf(run.run, 'Lookup', 1);
		const answered =
			name === 'MoEngage node'
				? found.length + notFound.length
				: found.filter((item: { json: { status?: string } }) => item.json.status === 'success')
						.length;
		const requests = exportRequests(simulator);
		results[name] = {
			wallMs: run.ms,
			exitCode: run.code,
			requests: requests.length,
			refused429: requests.filter((entry: { status: number }) => entry.status === 429).length,
			lost: ROWS - answered,
		};
		await simulator.stop();
	}
	raw.againstHttpRequest = results;
	for (const [name, figures] of Object.entries(results)) {
		rows.push({
			scenario: '6 vs HTTP Request (n8n 1.123.50)',
			figure: `${name}: wall / requests / 429s / items lost`,
			value: `${secondsOf(figures.wallMs)} / ${figures.requests} / ${figures.refused429} / ${figures.lost}`,
			target: name === 'MoEngage node' ? 'fastest without loss, 0 × 429' : '—',
			met:
				name === 'MoEngage node'
					? figures.refused429 === 0 &&
						figures.lost === 0 &&
						Object.entries(results).every(
							([other, theirs]) =>
								other === name || theirs.lost > 0 || theirs.wallMs > figures.wallMs,
						)
					: null,
			runs: 1,
		});
	}
}

/** What became of a write run's items, and what MoEngage (the simulator) did with them. */
const outcomeOf = (result: Awaited<ReturnType<typeof runMoEngage>>, simulator: Simulator) => ({
	acceptedItems: result.outputs[0]?.length ?? 0,
	errorItems: result.outputs.slice(1).reduce((sum, output) => sum + (output?.length ?? 0), 0),
	runError: result.error?.message,
	dropped: simulator.dropped.length,
	ignored: simulator.ignored.length,
});

const seeded = (seed: number): (() => number) => randomFrom(seed);

/** Bulk Import's body limit as the node reads "100 KB", and the body around its elements. */
const BULK_LIMIT_BYTES = 100_000;
const BULK_ENVELOPE_BYTES = Buffer.byteLength(JSON.stringify({ type: 'transition', elements: [] }));
const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');
/** The length of a profile's list attribute; undefined when it holds no list. */
const lengthOf = (value: unknown) => (Array.isArray(value) ? value.length : undefined);

interface BulkEntry {
	endpoint?: string;
	status: number;
	at: number;
	body?: { elements?: unknown[] };
}

/**
 * The largest request body, and how full the requests are: the mean body but the smallest (the
 * remainder, whenever it went).
 */
function bodySizes(rawBytes: number[]) {
	return {
		maxBodyBytes: Math.max(0, ...rawBytes),
		fullBodyMeanBytes:
			rawBytes.length > 1
				? Math.round(
						(rawBytes.reduce((a, b) => a + b, 0) - Math.min(...rawBytes)) / (rawBytes.length - 1),
					)
				: (rawBytes[0] ?? 0),
	};
}

/**
 * What the node sent to Bulk Import, read from the simulator: requests, 429s, the largest body as
 * received, and the fewest requests that could carry the same elements. A request of k elements
 * weighs envelope + their bytes + (k − 1) commas ≤ 100,000, so n requests carry at most
 * n × (100,000 − envelope + 1) bytes of elements-and-commas: n ≥ (Σ element bytes + elements) ÷ that.
 */
function bulkFigures(
	simulator: Simulator,
	rawBytes: number[],
	unitsPerRequest: number,
	units: number,
) {
	const requests = simulator.log.filter((entry) => entry.endpoint === 'bulk') as BulkEntry[];
	const accepted = requests.filter((entry) => entry.status === 200);
	const elements = accepted.flatMap((entry) => entry.body?.elements ?? []);
	const elementBytes = elements.reduce((sum: number, element) => sum + bytesOf(element), 0);
	const bySize = Math.ceil(
		(elementBytes + elements.length) / (BULK_LIMIT_BYTES - BULK_ENVELOPE_BYTES + 1),
	);
	const minimum = Math.max(bySize, Math.ceil(units / unitsPerRequest));
	const times = requests.map((entry) => entry.at);
	return {
		requests: requests.length,
		accepted: accepted.length,
		refused429: requests.filter((entry) => entry.status === 429).length,
		otherStatuses: requests
			.filter((entry) => entry.status !== 200 && entry.status !== 429)
			.map((entry) => entry.status),
		elements: elements.length,
		elementBytes,
		minimum,
		...bodySizes(rawBytes),
		firstRequestAt: times.length ? Math.min(...times) : 0,
		spanMs: times.length ? Math.max(...times) - Math.min(...times) : 0,
	};
}

/** Records the size of every body to `endpoint` as it arrives (the log keeps the parsed body only). */
function recordBodySizes(simulator: Simulator, endpoint = 'bulk'): number[] {
	const sizes: number[] = [];
	simulator.intercept((request: { endpoint?: string; raw: Buffer }) => {
		if (request.endpoint === endpoint) sizes.push(request.raw.length);
		return undefined;
	});
	return sizes;
}

const FIRST = [
	'Asha',
	'Benedikt',
	'Chen',
	'Dana',
	'Elif',
	'Oluwafemi',
	'Greta',
	'Hiroshi',
	'Inês',
	'Jonathan',
	'María José',
	'Priya',
];
const LAST = [
	'Rao',
	'Okafor',
	'Silva',
	'Novak',
	'Kim',
	'Haddad',
	'Bergström',
	'Mensah',
	'Ortiz',
	'Lee',
	'Venkataraman',
];
const CITY = [
	'Bengaluru',
	'Berlin',
	'Jakarta',
	'Singapore',
	'New York',
	'Dublin',
	'São Paulo',
	'Ho Chi Minh City',
];

/** 10,000 distinct customers (half MoEngage knows, half new), 3–6 attributes each, as a CRM export gives them. */
function upsertRows(simulator: Simulator, count: number): IDataObject[] {
	const random = seeded(8);
	const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
	const known: string[] = simulator.users.map((user: { customer_id: string }) => user.customer_id);
	return Array.from({ length: count }, (_, n) => {
		const customer_id = n < known.length ? known[n] : `crm-${String(n + 1).padStart(7, '0')}`;
		const first = pick(FIRST);
		const last = pick(LAST);
		const pool: Array<[string, () => string | number | boolean]> = [
			['first_name', () => first],
			['last_name', () => last],
			[
				'email',
				() => `${first}.${last}.${n + 1}@example-mail.com`.toLowerCase().replace(/\s/g, ''),
			],
			['city', () => pick(CITY)],
			['plan', () => pick(['free', 'plus', 'premium', 'enterprise'])],
			['lifetime_value', () => Math.round(random() * 500_000) / 100],
			[
				'signup_date',
				() => new Date(Date.UTC(2019, 0, 1) + Math.floor(random() * 2.2e11)).toISOString(),
			],
			['marketing_opt_in', () => random() < 0.6],
			[
				'mobile',
				() =>
					`+49 15${Math.floor(random() * 1e9)
						.toString()
						.padStart(9, '0')}`,
			],
		];
		const take = 3 + Math.floor(random() * 4); // 3–6
		for (let i = pool.length - 1; i > 0; i--) {
			const j = Math.floor(random() * (i + 1));
			[pool[i], pool[j]] = [pool[j], pool[i]];
		}
		const row: IDataObject = { customer_id };
		for (const [name, value] of pool.slice(0, take)) row[name] = value();
		return row;
	});
}

const upsertParameters = (usersPerMinute?: number) => ({
	resource: 'user',
	operation: 'upsert',
	customerId: '={{ $json.customer_id }}',
	attributesFrom: 'item',
	excludeFields: 'customer_id',
	updateExistingOnly: false,
	options: usersPerMinute ? { usersPerMinute } : {},
});

/** One Create or Update run of `rows` against a fresh simulator (a fresh workspace budget too: its own port). */
async function upsertRun(rows: IDataObject[], known: number, limit: number | undefined) {
	const simulator = createSimulator({
		users: known,
		usersPerWindow: 1e9,
		windowMs: 60_000,
		...(limit ? { limits: { bulkUsers: limit } } : {}),
	});
	await simulator.start();
	const sizes = recordBodySizes(simulator);
	const started = Date.now();
	const result = await runMoEngage({
		rows,
		parameters: upsertParameters(limit),
		credentials: credentialsFor(simulator),
		downstream: false,
	});
	const wallMs = Date.now() - started;
	const figures = bulkFigures(simulator, sizes, limit ?? 60_000, rows.length);
	figures.firstRequestAt -= started;
	const written = rows.filter((row) => {
		const profile = simulator.userByCustomerId(String(row.customer_id));
		return profile && Object.entries(row).every(([name, value]) => profile[name] === value);
	}).length;
	const out = {
		items: rows.length,
		limitPerMinute: limit ?? 60_000,
		wallMs,
		nodeMs: result.nodeMs,
		...figures,
		...outcomeOf(result, simulator),
		profilesWritten: written,
	};
	await simulator.stop();
	return out;
}

type WriteRun = Awaited<ReturnType<typeof upsertRun>>;

/** The rows every write scenario reports: requests vs the minimum, body size, 429s, items, drops. */
function writeRows(scenario: string, run: WriteRun, what: string) {
	rows.push({
		scenario,
		figure: `${what}: Bulk requests sent / minimum for the bytes sent`,
		value: `${run.requests} / ${run.minimum}`,
		target: `≤ minimum + 1; minimum = ceil((${run.elementBytes.toLocaleString('en')} B + ${run.elements.toLocaleString('en')} commas) / ${(BULK_LIMIT_BYTES - BULK_ENVELOPE_BYTES + 1).toLocaleString('en')})`,
		met: run.requests <= run.minimum + 1,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: `${what}: largest request body / mean of all but the smallest`,
		value: `${run.maxBodyBytes.toLocaleString('en')} B / ${run.fullBodyMeanBytes.toLocaleString('en')} B`,
		target: '≤ 100,000 B / ≥ 99,000 B (filled)',
		met: run.maxBodyBytes <= BULK_LIMIT_BYTES && run.fullBodyMeanBytes >= 99_000,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: `${what}: 429s received`,
		value: String(run.refused429),
		target: '0',
		met: run.refused429 === 0,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: `${what}: items on Accepted / dropped by MoEngage`,
		value: `${run.acceptedItems.toLocaleString('en')} / ${run.dropped}`,
		target: `${run.items.toLocaleString('en')} / 0`,
		met:
			run.acceptedItems === run.items && run.errorItems === 0 && run.dropped === 0 && !run.runError,
		runs: 1,
	});
}

async function upsertBulk() {
	say(
		'scenario 8: 10,000 Create or Update items at 60,000/min, then at 4,000/min (about 2 minutes)',
	);
	const ITEMS = 10_000;
	const KNOWN = 5_000;
	const rowsSeed = createSimulator({ users: KNOWN });
	const items = upsertRows(rowsSeed, ITEMS);
	const scenario = '8 Create or Update (Bulk)';

	const free = await upsertRun(items, KNOWN, undefined);
	writeRows(scenario, free, '10,000 users at 60,000/min');
	rows.push({
		scenario,
		figure: '10,000 users at 60,000/min: node time (limit-bound ideal 0 s: all fit one window)',
		value: `${secondsOf(free.nodeMs)} (requests over ${secondsOf(free.spanMs)})`,
		target: '< 60 s: no wait for a window',
		met: free.spanMs < 60_000,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: '10,000 users at 60,000/min: profiles as sent, read back from the simulator',
		value: free.profilesWritten.toLocaleString('en'),
		target: '10,000',
		met: free.profilesWritten === ITEMS,
		runs: 1,
	});

	// 4,000 a minute: 4,000 users at 0 s, 4,000 at 60 s, the last 2,000 at 120 s. A rolling window
	// lets no 60 s hold more than 4,000, so nothing sends 10,000 in under 120 s.
	const LIMIT = 4_000;
	const tight = await upsertRun(items, KNOWN, LIMIT);
	const ideal = (Math.ceil(ITEMS / LIMIT) - 1) * 60_000;
	const ratio = ideal / tight.spanMs;
	writeRows(scenario, tight, '10,000 users at 4,000/min');
	rows.push({
		scenario,
		figure: `10,000 users at 4,000/min: wall time / first to last request (ideal ${secondsOf(ideal)})`,
		value: `${secondsOf(tight.wallMs)} / ${secondsOf(tight.spanMs)} (first request at ${secondsOf(tight.firstRequestAt)})`,
		target: '—',
		met: null,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: '10,000 users at 4,000/min: achieved / limit (ideal ÷ first-to-last)',
		value: ratio.toFixed(3),
		target: '≥ 0.98',
		met: ratio >= 0.98,
		runs: 1,
	});
	raw.upsertBulk = { atMoEngageLimit: free, at4000PerMinute: { ...tight, idealMs: ideal } };
}

const EVENT_KINDS: Array<[string, (random: () => number, n: number) => Record<string, unknown>]> = [
	[
		'Product Viewed',
		(random) => ({
			product_id: `SKU-${Math.floor(random() * 1e6)}`,
			category: ['shoes', 'outerwear', 'accessories'][Math.floor(random() * 3)],
			price: Math.round(random() * 20_000) / 100,
		}),
	],
	[
		'Added to Cart',
		(random) => ({
			product_id: `SKU-${Math.floor(random() * 1e6)}`,
			quantity: 1 + Math.floor(random() * 3),
			price: Math.round(random() * 20_000) / 100,
		}),
	],
	[
		'Order Placed',
		(random, n) => ({
			order_id: `ORD-2026-${String(n).padStart(7, '0')}`,
			amount: Math.round(random() * 50_000) / 100,
			currency: 'EUR',
			items: 1 + Math.floor(random() * 5),
			coupon: random() < 0.2 ? 'WINTER15' : '',
		}),
	],
	[
		'Searched',
		(random) => ({
			query: ['running shoes', 'rain jacket', 'leather wallet', 'wool socks'][
				Math.floor(random() * 4)
			],
			results: Math.floor(random() * 300),
		}),
	],
	['App Opened', (random) => ({ source: random() < 0.5 ? 'push' : 'organic' })],
];

/**
 * 3,000 customers × 10 events with attributes on each, times over the past week. `order`
 * 'time': as an events table exported in time order, the customers' events interleave;
 * 'customer': sorted by customer, each customer's 10 events in a row.
 */
function eventRows(
	simulator: Simulator,
	customers: number,
	perCustomer: number,
	order: 'time' | 'customer',
): IDataObject[] {
	const random = seeded(9);
	const ids: string[] = simulator.users
		.slice(0, customers)
		.map((user: { customer_id: string }) => user.customer_id);
	const total = customers * perCustomer;
	const start = Date.now() - 7 * 24 * 3600_000;
	// slot n belongs to customer n % customers: each gets perCustomer slots; shuffled, they interleave
	const slots = Array.from({ length: total }, (_, n) => n);
	for (let i = slots.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[slots[i], slots[j]] = [slots[j], slots[i]];
	}
	const rows = slots.map((slot, n) => {
		const [event, attributes] = EVENT_KINDS[Math.floor(random() * EVENT_KINDS.length)];
		return {
			customer_id: ids[slot % customers],
			event,
			time: new Date(start + Math.floor((n / total) * 6 * 24 * 3600_000)).toISOString(),
			...attributes(random, n),
		} as IDataObject;
	});
	if (order === 'customer')
		rows.sort((a, b) => String(a.customer_id).localeCompare(String(b.customer_id)));
	return rows;
}

const trackParameters = {
	resource: 'event',
	operation: 'track',
	customerId: '={{ $json.customer_id }}',
	eventName: '={{ $json.event }}',
	eventTime: '={{ $json.time }}',
	attributesFrom: 'item',
	excludeFields: '',
	additionalFields: { platform: 'web', appVersion: '5.14.2', timezoneOffset: 3600 },
	options: {},
};

/** One Track Event run against a fresh simulator holding MoEngage's 60,000 events a minute. */
async function trackRun(customers: number, perCustomer: number, order: 'time' | 'customer') {
	const simulator = createSimulator({ users: customers, usersPerWindow: 1e9, windowMs: 60_000 });
	await simulator.start();
	const items = eventRows(simulator, customers, perCustomer, order);
	const sizes = recordBodySizes(simulator);
	const started = Date.now();
	const result = await runMoEngage({
		rows: items,
		parameters: trackParameters,
		credentials: credentialsFor(simulator),
		downstream: false,
	});
	const wallMs = Date.now() - started;
	const figures = bulkFigures(simulator, sizes, 60_000, items.length);
	figures.firstRequestAt -= started;
	// Read back: every item arrived as exactly one event, under its customer and name, at its time.
	const keyOf = (customerId: unknown, name: unknown, time: unknown) =>
		`${String(customerId)} ${String(name)} ${Date.parse(String(time))}`;
	const unmatched = new Map<string, number>();
	const count = (key: string, by: number) => unmatched.set(key, (unmatched.get(key) ?? 0) + by);
	for (const item of items) count(keyOf(item.customer_id, item.event, item.time), 1);
	for (const event of simulator.events as Array<{
		customer_id: string;
		action: string;
		utc_time: string;
	}>) {
		count(keyOf(event.customer_id, event.action, event.utc_time), -1);
	}
	const run = {
		items: items.length,
		customers,
		order,
		limitPerMinute: 60_000,
		wallMs,
		nodeMs: result.nodeMs,
		...figures,
		...outcomeOf(result, simulator),
		profilesWritten: 0,
		eventsRecorded: simulator.events.length,
		eventsUnmatched: [...unmatched.values()].filter((left) => left !== 0).length,
		eventsPerElement: figures.elements ? items.length / figures.elements : 0,
	};
	await simulator.stop();
	return run;
}

async function trackBulk() {
	say('scenario 9: 30,000 Track Event items at 60,000 events/min, in time order and by customer');
	const scenario = '9 Track Event (Bulk)';
	const runs = {
		byTime: await trackRun(3_000, 10, 'time'),
		byCustomer: await trackRun(3_000, 10, 'customer'),
	};
	raw.trackBulk = runs;
	for (const [run, what] of [
		[runs.byTime, '30,000 events in time order'],
		[runs.byCustomer, '30,000 events by customer'],
	] as const) {
		writeRows(scenario, run, what);
		rows.push({
			scenario,
			figure: `${what}: node time (limit-bound ideal 0 s: 30,000 ≤ 60,000/min fit one window)`,
			value: `${secondsOf(run.nodeMs)} (requests over ${secondsOf(run.spanMs)})`,
			target: '< 60 s: no wait for a window',
			met: run.spanMs < 60_000,
			runs: 1,
		});
		rows.push({
			scenario,
			figure: `${what}: simulator.events.length / items without their event`,
			value: `${run.eventsRecorded.toLocaleString('en')} / ${run.eventsUnmatched}`,
			target: '30,000 / 0',
			met: run.eventsRecorded === run.items && run.eventsUnmatched === 0,
			runs: 1,
		});
	}
}

/**
 * Array changes of many items per customer (issue 18): additions add up into one element per
 * customer; an addition and a removal of the same attribute cannot share an element, so
 * alternating ones go in rounds, each sent after the one before is answered.
 */
async function arrayChanges() {
	say(
		'scenario 10: Create or Update array changes, 100,000 additions, then 2,000 alternating additions and removals',
	);
	const scenario = '10 Array changes (Create or Update)';
	const parameters = {
		resource: 'user',
		operation: 'upsert',
		customerId: '={{ $json.customer_id }}',
		attributesFrom: 'json',
		attributesJson: '={{ $json.change }}',
		options: {},
	};
	const runOf = async (rows: IDataObject[]) => {
		const simulator = createSimulator({ users: 0, usersPerWindow: 1e9 });
		await simulator.start();
		const started = Date.now();
		const result = await runMoEngage({
			rows,
			parameters,
			credentials: credentialsFor(simulator),
			downstream: false,
		});
		const requests = simulator.log.filter(
			(entry: { endpoint?: string }) => entry.endpoint === 'bulk',
		).length;
		const run = {
			wallMs: Date.now() - started,
			nodeMs: result.nodeMs,
			requests,
			...outcomeOf(result, simulator),
		};
		return { run, simulator };
	};

	// 100 customers × 1,000 items, each adding one product to the customer's "viewed" list.
	const additions = Array.from({ length: 100_000 }, (_, n) => ({
		customer_id: `viewer-${n % 100}`,
		change: { addValueToArrayField: { viewed: [`SKU-${n}`] } },
	}));
	const added = await runOf(additions);
	const complete = Array.from(
		{ length: 100 },
		(_, c) => lengthOf(added.simulator.userByCustomerId(`viewer-${c}`)?.viewed) === 1000,
	).filter(Boolean).length;
	await added.simulator.stop();
	rows.push({
		scenario,
		figure: '100,000 additions, 100 customers: Bulk requests / node time',
		value: `${added.run.requests} / ${secondsOf(added.run.nodeMs)}`,
		target: '—',
		met: null,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: '100,000 additions: items on Accepted / customers whose list holds all 1,000',
		value: `${added.run.acceptedItems.toLocaleString('en')} / ${complete}`,
		target: '100,000 / 100',
		met: added.run.acceptedItems === 100_000 && complete === 100,
		runs: 1,
	});

	// 20 customers × 100 items alternating: add "x<k>", then remove it: 100 rounds of 20 elements.
	const alternating = Array.from({ length: 2_000 }, (_, n) => {
		const step = Math.floor(n / 20);
		const value = `x${Math.floor(step / 2)}`;
		return {
			customer_id: `toggler-${n % 20}`,
			change:
				step % 2 === 0
					? { addValueToArrayField: { tags: [value] } }
					: { removeValueFromArrayField: { tags: [value] } },
		};
	});
	const toggled = await runOf(alternating);
	const empty = Array.from(
		{ length: 20 },
		(_, c) => lengthOf(toggled.simulator.userByCustomerId(`toggler-${c}`)?.tags) === 0,
	).filter(Boolean).length;
	const dropped = toggled.simulator.dropped.length;
	await toggled.simulator.stop();
	rows.push({
		scenario,
		figure: '2,000 alternating additions and removals, 20 customers: requests (rounds) / node time',
		value: `${toggled.run.requests} / ${secondsOf(toggled.run.nodeMs)}`,
		target: '100 rounds',
		met: toggled.run.requests === 100,
		runs: 1,
	});
	rows.push({
		scenario,
		figure:
			'2,000 alternating: Accepted / dropped by MoEngage / customers ending with an empty list',
		value: `${toggled.run.acceptedItems.toLocaleString('en')} / ${dropped} / ${empty}`,
		target: '2,000 / 0 / 20',
		met: toggled.run.acceptedItems === 2_000 && dropped === 0 && empty === 20,
		runs: 1,
	});
	raw.arrayChanges = { additions: added.run, alternating: toggled.run };
}

/** Cohort Sync's body limit as the node reads "128 KB". */
const COHORT_LIMIT_BYTES = 128_000;
/** The simulator applies syncs this long after accepting them: after the run (see segmentRun). */
const COHORT_PROCESSING_MS = 3600_000;

interface CohortBody {
	action: string;
	partner: string;
	parameters: { cohort_name: string; cohort_id: string; members: Array<{ uid: string }> };
}

/**
 * What the node sent to Cohort Sync, read from the simulator: requests, 429s, the largest body as
 * received, and the fewest requests that could carry the same members. A request is one segment and
 * one action; k members weigh envelope + their bytes + (k − 1) commas ≤ 128,000, so for each
 * segment and action n ≥ (Σ member bytes + members) ÷ (128,000 − envelope + 1), the envelope
 * measured from the bodies sent (their action, partner, cohort_name and cohort_id).
 */
function cohortFigures(simulator: Simulator, rawBytes: number[]) {
	const requests = simulator.log.filter((entry) => entry.endpoint === 'cohortSync');
	const accepted = requests.filter((entry) => entry.status === 200);
	const groups = new Map<string, { envelope: number; memberBytes: number; members: number }>();
	for (const entry of accepted) {
		const body = entry.body as unknown as CohortBody;
		const key = `${body.action}\u0000${body.parameters.cohort_id}`;
		const group = groups.get(key) ?? {
			envelope: bytesOf({ ...body, parameters: { ...body.parameters, members: [] } }),
			memberBytes: 0,
			members: 0,
		};
		groups.set(key, group);
		for (const member of body.parameters.members) group.memberBytes += bytesOf(member);
		group.members += body.parameters.members.length;
	}
	const capacity = (envelope: number) => COHORT_LIMIT_BYTES - envelope + 1;
	const minimum = [...groups.values()].reduce(
		(sum, group) => sum + Math.ceil((group.memberBytes + group.members) / capacity(group.envelope)),
		0,
	);
	const [only] = groups.size === 1 ? [...groups.values()] : [];
	const formula = only
		? `ceil((${only.memberBytes.toLocaleString('en')} B + ${only.members.toLocaleString('en')} commas) / ${capacity(only.envelope).toLocaleString('en')})`
		: `Σ over the ${groups.size.toLocaleString('en')} segments of ceil((members' B + commas) / (128,001 − envelope))`;
	const times = requests.map((entry) => entry.at).sort((a, b) => a - b);
	return {
		requests: requests.length,
		refused429: requests.filter((entry) => entry.status === 429).length,
		otherStatuses: requests
			.filter((entry) => entry.status !== 200 && entry.status !== 429)
			.map((entry) => entry.status),
		segments: groups.size,
		members: [...groups.values()].reduce((sum, group) => sum + group.members, 0),
		memberBytes: [...groups.values()].reduce((sum, group) => sum + group.memberBytes, 0),
		envelopeBytes: only?.envelope,
		minimum,
		formula,
		...bodySizes(rawBytes),
		firstRequestAt: times[0] ?? 0,
		spanMs: times.length ? times[times.length - 1] - times[0] : 0,
		/** When requests 301, 601, 901, … arrived after the first: where each new window's 300 began. */
		windowStartsMs: times
			.filter((_, n) => n > 0 && n % COHORT_REQUESTS_PER_MINUTE === 0)
			.map((at) => at - times[0]),
	};
}

/** 100,000 users whose customer IDs have 15 characters (cust-0000000001…), as a CRM's keys might. */
function cohortUsers(count: number) {
	return createSimulator({ users: count }).users.map((user, n) => ({
		...user,
		customer_id: `cust-${String(n + 1).padStart(10, '0')}`,
	}));
}

/**
 * One Segment → Add Users run against a fresh simulator at Cohort Sync's documented 300 requests a
 * minute, the node at its default 300. The simulator applies an accepted sync on its own thread,
 * before answering the next request, where MoEngage applies it elsewhere, later: its bookkeeping
 * (about 3 s for 100,000 members of one segment) waits until the run is over, so the node's time is
 * the node's. `segmentOf` says which segment each row names.
 */
async function segmentRun(
	users: ReturnType<typeof cohortUsers>,
	rows: IDataObject[],
	segmentName: string,
	segmentOf: (row: IDataObject) => string,
) {
	let skew = 0;
	const simulator = createSimulator({
		userList: users,
		cohortProcessingMs: COHORT_PROCESSING_MS,
		now: () => Date.now() + skew,
	});
	await simulator.start();
	const sizes = recordBodySizes(simulator, 'cohortSync');
	const rssBefore = process.memoryUsage().rss;
	const peakBefore = process.resourceUsage().maxRSS * 1024;
	const started = Date.now();
	const result = await runMoEngage({
		rows,
		parameters: {
			resource: 'segment',
			operation: 'add',
			customerId: '={{ $json.customer_id }}',
			segmentName,
			options: {},
		},
		credentials: credentialsFor(simulator),
		downstream: false,
	});
	const wallMs = Date.now() - started;
	const peakAfter = process.resourceUsage().maxRSS * 1024;
	const figures = cohortFigures(simulator, sizes);
	figures.firstRequestAt -= started;
	skew = COHORT_PROCESSING_MS;
	const expected = new Map<string, Set<string>>();
	for (const row of rows) {
		const segment = segmentOf(row);
		if (!expected.has(segment)) expected.set(segment, new Set());
		expected.get(segment)!.add(String(row.customer_id));
	}
	let members = 0;
	let exact = 0;
	for (const [segment, ids] of expected) {
		const held = simulator.segmentMembers(segment) ?? [];
		members += held.length;
		if (held.length === ids.size && held.every((id) => ids.has(id))) exact++;
	}
	const synced = new Set(simulator.cohortSyncs.map((sync) => sync.cohort_id)).size;
	const run = {
		items: rows.length,
		wallMs,
		nodeMs: result.nodeMs,
		...figures,
		...outcomeOf(result, simulator),
		segmentsExpected: expected.size,
		segmentsSynced: synced,
		segmentsExact: exact,
		segmentMembers: members,
		// The process's peak, the simulator in it; unknown when an earlier scenario peaked higher.
		peakRssGrowth: peakAfter > peakBefore ? peakAfter - rssBefore : undefined,
	};
	await simulator.stop();
	return run;
}

type SegmentRun = Awaited<ReturnType<typeof segmentRun>>;

/** The rows both Segment runs report: requests vs the minimum, largest body, 429s, items, segments. */
function segmentRows(scenario: string, run: SegmentRun, what: string) {
	const oneSegment = run.segments === 1;
	rows.push({
		scenario,
		figure: `${what}: Cohort Sync requests sent / minimum for the bytes sent`,
		value: `${run.requests.toLocaleString('en')} / ${run.minimum.toLocaleString('en')}`,
		target: `${oneSegment ? '≤ minimum + 1' : '= minimum'}; minimum = ${run.formula}`,
		met: oneSegment ? run.requests <= run.minimum + 1 : run.requests === run.minimum,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: oneSegment
			? `${what}: largest request body / mean of all but the smallest`
			: `${what}: largest request body`,
		value: oneSegment
			? `${run.maxBodyBytes.toLocaleString('en')} B / ${run.fullBodyMeanBytes.toLocaleString('en')} B`
			: `${run.maxBodyBytes.toLocaleString('en')} B`,
		target: oneSegment ? '≤ 128,000 B / ≥ 127,000 B (filled)' : '≤ 128,000 B',
		met:
			run.maxBodyBytes <= COHORT_LIMIT_BYTES && (!oneSegment || run.fullBodyMeanBytes >= 127_000),
		runs: 1,
	});
	rows.push({
		scenario,
		figure: `${what}: 429s received`,
		value: String(run.refused429),
		target: '0',
		met: run.refused429 === 0 && run.otherStatuses.length === 0,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: `${what}: items on Accepted`,
		value: run.acceptedItems.toLocaleString('en'),
		target: run.items.toLocaleString('en'),
		met: run.acceptedItems === run.items && run.errorItems === 0 && !run.runError,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: oneSegment
			? `${what}: members in the simulator's segment (exactly the rows' users) / uids ignored`
			: `${what}: segments holding exactly their rows' users / segments / uids ignored`,
		value: oneSegment
			? `${run.segmentMembers.toLocaleString('en')} (${run.segmentsExact ? 'yes' : 'no'}) / ${run.ignored}`
			: `${run.segmentsExact.toLocaleString('en')} / ${run.segmentsSynced.toLocaleString('en')} / ${run.ignored}`,
		target: oneSegment
			? `${run.items.toLocaleString('en')} (yes) / 0`
			: `${run.segmentsExpected.toLocaleString('en')} / ${run.segmentsExpected.toLocaleString('en')} / 0`,
		met:
			run.segmentsExact === run.segmentsExpected &&
			run.segmentsSynced === run.segmentsExpected &&
			run.ignored === 0,
		runs: 1,
	});
}

/**
 * Segment → Add Users (Cohort Sync): 100,000 customer IDs into one segment, packed to 128,000
 * bytes; then 100,000 over 1,000 segments, one request each, where 300 requests a minute binds.
 */
async function segments() {
	say(
		'scenario 11: 100,000 customer IDs into one segment, then over 1,000 segments at 300 requests a minute (about 3 minutes)',
	);
	const scenario = '11 Segment (Cohort Sync)';
	const USERS = 100_000;
	const users = cohortUsers(USERS);

	const one = await segmentRun(
		users,
		users.map((user) => ({ customer_id: user.customer_id })),
		'Newsletter sign-ups',
		() => 'Newsletter sign-ups',
	);
	const what = '100,000 IDs of 15 characters, one segment';
	segmentRows(scenario, one, what);
	rows.push({
		scenario,
		figure: `${what}: node time (limit-bound ideal 0 s: ${one.requests} requests ≤ 300 fit one window)`,
		value: `${secondsOf(one.nodeMs)} (requests over ${secondsOf(one.spanMs)})`,
		target: '< 60 s: no wait for a window',
		met: one.spanMs < 60_000,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: `${what}: peak RSS growth (whole process, simulator included)`,
		value:
			one.peakRssGrowth === undefined
				? 'not measured: an earlier scenario peaked higher'
				: `${(one.peakRssGrowth / 2 ** 20).toFixed(0)} MB`,
		target: '—',
		met: null,
		runs: 1,
	});

	// One request per segment: requests 1–300 at 0 s, 301–600 at 60 s, 601–900 at 120 s, 901–1,000
	// at 180 s. A rolling window lets no 60 s hold more than 300, so nothing sends them in under 180 s.
	const SEGMENTS = 1_000;
	const spread = users.map((user, n) => ({
		customer_id: user.customer_id,
		segment: `Bench segment ${String(n % SEGMENTS).padStart(4, '0')}`,
	}));
	const many = await segmentRun(
		users,
		spread,
		'={{ $json.segment }}',
		(row) => row.segment as string,
	);
	const manyWhat = '100,000 IDs over 1,000 segments at 300/min';
	segmentRows(scenario, many, manyWhat);
	const ideal = (Math.ceil(many.requests / COHORT_REQUESTS_PER_MINUTE) - 1) * 60_000;
	const ratio = many.spanMs / ideal;
	rows.push({
		scenario,
		figure: `${manyWhat}: wall time / first to last request (ideal ${secondsOf(ideal)})`,
		value: `${secondsOf(many.wallMs)} / ${secondsOf(many.spanMs)} (first request at ${secondsOf(many.firstRequestAt)})`,
		target: '—',
		met: null,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: `${manyWhat}: requests ${many.windowStartsMs.map((_, n) => (n + 1) * COHORT_REQUESTS_PER_MINUTE + 1).join(', ')} arrived after the first at`,
		value: many.windowStartsMs.map(secondsOf).join(' / '),
		target: `ideal ${many.windowStartsMs.map((_, n) => `${(n + 1) * 60} s`).join(' / ')}`,
		met: null,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: `${manyWhat}: time ÷ ideal (first-to-last ÷ ${secondsOf(ideal)})`,
		value: `${ratio.toFixed(4)} ×`,
		target: '≤ 1.01 ×',
		met: ratio <= 1.01,
		runs: 1,
	});
	raw.segments = { oneSegment: one, manySegments: { ...many, idealMs: ideal } };
}

async function trigger() {
	say('scenario 12: the MoEngage Trigger on 1,000 Streams batches of 100, in process');
	const { figures, raw: figuresRaw } = await triggerCost();
	rows.push(...figures.map((figure) => ({ scenario: '12 Trigger (Streams)', ...figure })));
	raw.trigger = figuresRaw;
}

/**
 * Streams through real n8n's webhook: 10,000 events (100 batches of 100) from the simulator's
 * sender to an active MoEngage Trigger workflow (Streams, no auth, no filter), one batch at a time
 * and four at once, each to a workflow of its own. Timed from the first send to the last 200, and
 * to when n8n has saved all 100 executions (its REST API counts them finished); then each of them
 * is read back to check that the 10,000 events are there, each once. After a warm-up, three runs
 * of each, alternating, new events every run: the median is reported, the runs in the raw figures.
 */
async function streamsThroughN8n() {
	say(
		"scenario 13: 10,000 Streams events through real n8n's webhook, 1 and 4 batches at a time, 3 runs each, n8n 1.x and 2.x (about 6 minutes)",
	);
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const streams: typeof import('../simulator/streams') = require(
		path.join(ROOT, 'simulator/streams.js'),
	);
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { setUpOwner, OWNER } = require(path.join(ROOT, 'scripts/start.js'));
	const EVENTS = 10_000;
	const BATCHES = EVENTS / 100;
	const RUNS = 3;
	const CONCURRENCIES = [1, 4];
	const workflowFor = (concurrency: number) =>
		triggerWorkflow(`benchStreamsC${concurrency}`, concurrency, {
			source: 'streams',
			authentication: 'none',
		});
	type Run = {
		answeredMs: number;
		savedMs: number;
		executions: number;
		unsuccessful: number;
		items: number;
		missing: number;
		retries: number;
		answerMedianMs: number;
		answerMaxMs: number;
	};
	const results: Record<string, Run[]> = {};
	for (const major of [1, 2]) {
		const n8n = await runtime.ensureN8n(major);
		const userFolder = runtime.createUserFolder();
		const workflows = CONCURRENCIES.map(workflowFor);
		await runtime.importWorkflows(n8n, userFolder, workflows, 'bench-streams');
		for (const workflow of workflows) await runtime.activateWorkflow(n8n, userFolder, workflow.id);
		const editor = await runtime.startN8n(n8n, userFolder, { port: await runtime.freePort() });
		try {
			const urlOf = (workflow: (typeof workflows)[number]) =>
				`${editor.url}${productionPath(workflow)}`;
			for (const workflow of workflows) await runtime.waitForWebhook(urlOf(workflow));
			await setUpOwner(editor.url);
			const cookie = await runtime.logIn(editor.url, OWNER);
			const listed = async (workflowId: string) => {
				const list = await runtime.listExecutions(editor.url, cookie, workflowId);
				const results = list.results as Array<{ id: string; status: string }>;
				return {
					finished: list.count as number,
					ids: results.map((execution) => execution.id),
					running: results.filter((execution) => ['new', 'running'].includes(execution.status))
						.length,
				};
			};
			/** One send of `count` new events; what it took and what n8n holds afterwards. */
			const measure = async (index: number, seed: number, count: number): Promise<Run> => {
				const workflow = workflows[index];
				const batches = count / 100;
				const before = await listed(workflow.id);
				const events = streams.streamEvents({ count, seed });
				// a retry waits 30, 60, 120 ms instead of seconds: it shows in the figures, not in the wall time
				const sender = streams.createStreamsSender({
					to: urlOf(workflow),
					concurrency: CONCURRENCIES[index],
					timeScale: 0.001,
				});
				const started = Date.now();
				const sent = await sender.send(events);
				const answeredMs = Date.now() - started;
				let after = await listed(workflow.id);
				const deadline = Date.now() + 5 * 60_000;
				while (
					Date.now() < deadline &&
					(after.finished < before.finished + batches || after.running > 0)
				) {
					await new Promise((resolve) => setTimeout(resolve, 100));
					after = await listed(workflow.id);
				}
				const savedMs = Date.now() - started;
				// What n8n holds: the new executions read back, their items counted by event_uuid.
				const known = new Set(before.ids);
				const received = new Set<string>();
				let items = 0;
				let unsuccessful = 0;
				const fresh = after.ids.filter((id) => !known.has(id));
				for (const id of fresh) {
					const execution = await runtime.readExecution(n8n, editor.url, cookie, id);
					if (execution.status !== 'success') unsuccessful++;
					const json = (execution.run.resultData.runData[TRIGGER]?.[0]?.data?.main?.[0] ??
						[]) as Array<{ json: { event_uuid: string } }>;
					items += json.length;
					for (const item of json) received.add(item.json.event_uuid);
				}
				const firstAnswers = sent.batches.map((batch) => batch.attempts[0].ms);
				return {
					answeredMs,
					savedMs,
					executions: after.finished - before.finished,
					unsuccessful,
					items,
					missing: events.filter((event) => !received.has(event.event_uuid)).length,
					retries: sent.batches.reduce((sum, batch) => sum + batch.attempts.length - 1, 0),
					answerMedianMs: median(firstAnswers),
					answerMaxMs: Math.max(...firstAnswers),
				};
			};
			// warm-up, not counted: n8n's first webhook calls after a start are slower
			for (const index of CONCURRENCIES.keys()) await measure(index, 1390 + index, 500);
			const runs: Run[][] = CONCURRENCIES.map(() => []);
			for (let run = 0; run < RUNS; run++)
				for (const index of CONCURRENCIES.keys())
					runs[index].push(await measure(index, 1300 + run * 10 + index, EVENTS));

			for (const [index, concurrency] of CONCURRENCIES.entries()) {
				const each = runs[index];
				results[`n8n ${n8n.version}, ${concurrency} at a time`] = each;
				const scenario = `13 Streams through n8n ${n8n.version}`;
				const what = `${EVENTS.toLocaleString('en')} events, ${BATCHES} batches of 100, ${concurrency} at a time`;
				const rate = (ms: number) => Math.round(EVENTS / (ms / 1000));
				const timed = (key: 'answeredMs' | 'savedMs') => {
					const rates = each.map((run) => rate(run[key]));
					return `${secondsOf(median(each.map((run) => run[key])))}, ${rate(median(each.map((run) => run[key])))} events/s (runs ${Math.min(...rates)}–${Math.max(...rates)})`;
				};
				rows.push({
					scenario,
					figure: `${what}: first send to last 200`,
					value: timed('answeredMs'),
					target: '—',
					met: null,
					runs: RUNS,
				});
				rows.push({
					scenario,
					figure: `${what}: first send to all ${BATCHES} executions saved`,
					value: timed('savedMs'),
					target: '—',
					met: null,
					runs: RUNS,
				});
				const slowest = Math.max(...each.map((run) => run.answerMaxMs));
				rows.push({
					scenario,
					figure: `${what}: answer per batch, median / slowest of all runs`,
					value: `${median(each.map((run) => run.answerMedianMs))} ms / ${slowest} ms`,
					target: "slowest < 5 s (MoEngage's wait)",
					met: slowest < 5_000,
					runs: RUNS,
				});
				rows.push({
					scenario,
					figure: `${what}: executions saved / items / events missing / retries, each run`,
					value: each
						.map((run) => `${run.executions}/${run.items}/${run.missing}/${run.retries}`)
						.join(', '),
					target: `${BATCHES}/${EVENTS}/0/0`,
					met: each.every(
						(run) =>
							run.executions === BATCHES &&
							run.items === EVENTS &&
							run.missing === 0 &&
							run.retries === 0 &&
							run.unsuccessful === 0,
					),
					runs: RUNS,
				});
			}
		} finally {
			await runtime.stopProcess(editor.child);
			rmSync(userFolder, { recursive: true, force: true });
		}
	}
	raw.streamsThroughN8n = results;
}

/**
 * The process's RSS while `work` runs, sampled every 20 ms, and its peak as the OS counts it: the
 * growth over the RSS before, after a forced GC. Sampling still measures when an earlier scenario
 * of this process peaked higher, which the OS's peak alone would not.
 */
async function withPeakRss<T>(
	work: () => Promise<T>,
): Promise<{ value: T; peakRssGrowth: number }> {
	global.gc?.();
	const rssBefore = process.memoryUsage.rss();
	const peakBefore = process.resourceUsage().maxRSS * 1024;
	let sampled = rssBefore;
	const timer = setInterval(() => {
		sampled = Math.max(sampled, process.memoryUsage.rss());
	}, 20);
	try {
		const value = await work();
		sampled = Math.max(sampled, process.memoryUsage.rss());
		const peakAfter = process.resourceUsage().maxRSS * 1024;
		const peak = peakAfter > peakBefore ? Math.max(peakAfter, sampled) : sampled;
		return { value, peakRssGrowth: peak - rssBefore };
	} finally {
		clearInterval(timer);
	}
}

const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

const informCredentialsFor = (simulator: Simulator) => ({
	dataCenter: 'custom',
	baseUrl: simulator.url,
	sandboxUrl: `${simulator.url}/sandbox`,
	endpoint: 'current',
	appId: simulator.config.workspaceId,
	apiKey: simulator.config.informKey,
});

/**
 * Where the requests of two windows went, from their arrival times (sorted) at `perWindow`
 * requests a window: how long the first window's took, when the first of the second arrived after
 * the very first, how long the second window's took, and how long as many of the first window's
 * took from request 1. A rolling window lets request perWindow + k go only once request k has been
 * in it for a minute, so the second window's can go no faster than their twins of the first.
 */
function windowTimes(times: number[], perWindow: number) {
	if (times.length <= perWindow) return {};
	const second = times.length - perWindow;
	return {
		firstWindowSpanMs: times[perWindow - 1] - times[0],
		secondWindowAtMs: times[perWindow] - times[0],
		secondWindowSpanMs: times[times.length - 1] - times[perWindow],
		sameCountFirstSpanMs: times[second - 1] - times[0],
	};
}

/**
 * The rows of a limit-bound run of `requests` requests at `perMinute` a minute, over two rolling
 * windows: its wall time and first to last request against the ideal, where the requests of each
 * window went, and the rate achieved as a share of the limit. Returns the ideal.
 */
function windowRows(
	scenario: string,
	what: string,
	run: InformRun | StatsRun,
	perMinute: number,
	requests: number,
) {
	const ideal = (Math.ceil(requests / perMinute) - 1) * 60_000;
	const ratio = ideal / run.spanMs;
	const count = (n: number) => n.toLocaleString('en');
	rows.push({
		scenario,
		figure: `${what}: wall time / first to last request (ideal ${secondsOf(ideal)})`,
		value: `${secondsOf(run.wallMs)} / ${secondsOf(run.spanMs)} (first request at ${secondsOf(run.firstRequestAt)})`,
		target: '—',
		met: null,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: `${what}: requests 1–${count(perMinute)} went within / request ${count(perMinute + 1)} arrived after the first at / ${count(perMinute + 1)}–${count(requests)} went within (1–${count(requests - perMinute)} within)`,
		value: `${secondsOf(run.firstWindowSpanMs ?? 0)} / ${secondsOf(run.secondWindowAtMs ?? 0)} / ${secondsOf(run.secondWindowSpanMs ?? 0)} (${secondsOf(run.sameCountFirstSpanMs ?? 0)})`,
		target: 'ideal 0 s / 60 s / 0 s',
		met: null,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: `${what}: achieved / limit (ideal ÷ first-to-last)`,
		value: ratio.toFixed(3),
		target: '≥ 0.98',
		met: ratio >= 0.98,
		runs: 1,
	});
	return ideal;
}

/** Order rows as a shop's export gives them: one shipped order each, its customer's mobile number. */
function orderRows(count: number): IDataObject[] {
	const random = seeded(14);
	return Array.from({ length: count }, (_, n) => ({
		order_id: `ORD-2026-${String(n + 1).padStart(7, '0')}`,
		customer_id: `cust-${String(1 + Math.floor(random() * 50_000)).padStart(6, '0')}`,
		first_name: FIRST[Math.floor(random() * FIRST.length)],
		phone: `+49 15${String(n).padStart(9, '0')}`,
		carrier: ['DHL', 'DPD', 'Hermes', 'UPS'][Math.floor(random() * 4)],
	}));
}

/** Message → Send: the order_shipped alert by SMS, one personalized attribute, the order ID as transaction_id. */
const INFORM_SEND = {
	resource: 'message',
	operation: 'send',
	alertBy: 'referenceName',
	alertReferenceName: 'order_shipped',
	transactionId: '={{ $json.order_id }}',
	channels: ['SMS'],
	personalizedFrom: 'pairs',
	smsRecipient: '={{ $json.phone }}',
	smsAttributes: { attribute: [{ name: 'order_id', value: '={{ $json.order_id }}' }] },
	options: {},
};

/** One Message → Send run of `count` orders against a fresh simulator (its own port: a fresh workspace budget). */
async function informRun(count: number) {
	const simulator = createSimulator({ users: 0 });
	await simulator.start();
	const items = orderRows(count);
	const started = Date.now();
	const { value: result, peakRssGrowth } = await withPeakRss(() =>
		runMoEngage({
			rows: items,
			parameters: INFORM_SEND,
			credentials: informCredentialsFor(simulator),
			credentialType: 'moEngageInformApi',
			downstream: false,
		}),
	);
	const wallMs = Date.now() - started;
	const requests = simulator.log.filter((entry) => entry.endpoint === 'inform');
	const times = requests.map((entry) => entry.at).sort((a, b) => a - b);
	// Every row's message recorded once: its transaction_id, recipient and attribute as sent.
	const recorded = new Map<string, number>();
	for (const message of simulator.informMessages)
		recorded.set(message.transactionId, (recorded.get(message.transactionId) ?? 0) + 1);
	const byId = new Map(
		simulator.informMessages.map((message) => [message.transactionId, message] as const),
	);
	const asSent = items.filter((row) => {
		const sms = byId.get(String(row.order_id))?.payloads.SMS;
		return (
			sms !== undefined &&
			sms.recipient === row.phone &&
			JSON.stringify(sms.personalized_attributes) === JSON.stringify({ order_id: row.order_id })
		);
	}).length;
	const run = {
		items: count,
		wallMs,
		nodeMs: result.nodeMs,
		peakRssGrowth,
		requests: requests.length,
		refused429: requests.filter((entry) => entry.status === 429).length,
		otherStatuses: requests
			.filter((entry) => entry.status !== 200 && entry.status !== 429)
			.map((entry) => entry.status),
		recorded: simulator.informMessages.length,
		recordedOnce: [...recorded.values()].filter((times) => times === 1).length,
		recordedTwice: [...recorded.values()].filter((times) => times > 1).length,
		rowsAsSent: asSent,
		...outcomeOf(result, simulator),
		firstRequestAt: (times[0] ?? started) - started,
		spanMs: times.length ? times[times.length - 1] - times[0] : 0,
		...windowTimes(times, INFORM_REQUESTS_PER_MINUTE),
	};
	await simulator.stop();
	return run;
}

type InformRun = Awaited<ReturnType<typeof informRun>>;

/**
 * Message → Send through Inform: 12,000 orders at Inform's 10,000 requests a minute, one message
 * a request; then 2,000 alone, which fit one window.
 */
async function inform() {
	say(
		'scenario 14: 12,000 Inform messages at 10,000 requests a minute (about a minute), then 2,000',
	);
	const scenario = '14 Message → Send (Inform)';
	const ITEMS = 12_000;
	const run = await isolated<InformRun>('inform', [ITEMS]);
	const what = '12,000 messages at 10,000/min';
	rows.push({
		scenario,
		figure: `${what}: Inform requests`,
		value: run.requests.toLocaleString('en'),
		target: '12,000 (one per message)',
		met: run.requests === ITEMS,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: `${what}: 429s received`,
		value: String(run.refused429),
		target: '0',
		met: run.refused429 === 0 && run.otherStatuses.length === 0,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: `${what}: messages recorded once / twice or more / as the row says / items on Sent`,
		value: `${run.recordedOnce.toLocaleString('en')} / ${run.recordedTwice} / ${run.rowsAsSent.toLocaleString('en')} / ${run.acceptedItems.toLocaleString('en')}`,
		target: '12,000 / 0 / 12,000 / 12,000',
		met:
			run.recordedOnce === ITEMS &&
			run.recordedTwice === 0 &&
			run.recorded === ITEMS &&
			run.rowsAsSent === ITEMS &&
			run.acceptedItems === ITEMS &&
			run.errorItems === 0 &&
			!run.runError,
		runs: 1,
	});
	// A rolling minute lets requests 1–10,000 go at 0 s and 10,001–12,000 at 60 s: 60 s first to last.
	const ideal = windowRows(scenario, what, run, INFORM_REQUESTS_PER_MINUTE, ITEMS);
	rows.push({
		scenario,
		figure: `${what}: node time`,
		value: secondsOf(run.nodeMs),
		target: '—',
		met: null,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: `${what}: peak RSS growth (a process of its own, simulator included)`,
		value: megabytes(run.peakRssGrowth),
		target: '—',
		met: null,
		runs: 1,
	});

	const SMALL = 2_000;
	const small = await isolated<InformRun>('inform', [SMALL]);
	const smallWhat = '2,000 messages alone (fit one window, limit-bound ideal 0 s)';
	rows.push({
		scenario,
		figure: `${smallWhat}: wall time / node time / first to last request`,
		value: `${secondsOf(small.wallMs)} / ${secondsOf(small.nodeMs)} / ${secondsOf(small.spanMs)}`,
		target: '< 60 s: no wait for a window',
		met: small.spanMs < 60_000,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: `${smallWhat}: messages per second (items ÷ wall time)`,
		value: `${Math.round(SMALL / (small.wallMs / 1000)).toLocaleString('en')} /s`,
		target: '—',
		met: null,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: `${smallWhat}: requests / 429s / messages recorded once / items on Sent`,
		value: `${small.requests.toLocaleString('en')} / ${small.refused429} / ${small.recordedOnce.toLocaleString('en')} / ${small.acceptedItems.toLocaleString('en')}`,
		target: '2,000 / 0 / 2,000 / 2,000',
		met:
			small.requests === SMALL &&
			small.refused429 === 0 &&
			small.otherStatuses.length === 0 &&
			small.recordedOnce === SMALL &&
			small.rowsAsSent === SMALL &&
			small.acceptedItems === SMALL &&
			!small.runError,
		runs: 1,
	});
	raw.inform = { messages12000: { ...run, idealMs: ideal }, messages2000: small };
}

const reportCredentialsFor = (simulator: Simulator) => ({
	dataCenter: 'custom',
	baseUrl: simulator.url,
	appId: simulator.config.workspaceId,
	apiKey: simulator.config.reportKey,
});

/** A week inside the days every seeded campaign is active (2024-12-31 to 2025-01-31). */
const STATS_WEEK = { startDate: '2025-01-06', endDate: '2025-01-12' };

/**
 * Rows as the node makes them, counted by walking the simulator's answers to the requests it took:
 * campaign × platform × locale × variation (the figures are seeded, so answering a logged body
 * again gives the answer sent).
 */
function rowsInAnswers(simulator: Simulator) {
	let rowCount = 0;
	const campaigns = new Set<string>();
	for (const entry of simulator.log) {
		if (entry.endpoint !== 'campaignStats' || entry.status !== 200) continue;
		const answer = campaignStatsAnswer(
			simulator.campaigns,
			entry.body as unknown as Parameters<typeof campaignStatsAnswer>[1],
		);
		for (const [id, entries] of Object.entries(answer.data)) {
			campaigns.add(id);
			for (const details of entries)
				for (const platform of Object.values(details.platforms))
					for (const locale of Object.values(platform.locales))
						rowCount += Object.keys(locale.variations).length;
		}
	}
	return { rows: rowCount, campaigns: campaigns.size };
}

/** One Get Campaign Stats run (one item) against a fresh simulator holding `campaigns` campaigns. */
async function statsRun(campaigns: number, given: number | undefined) {
	const simulator = createSimulator({ users: 0, campaigns });
	await simulator.start();
	const started = Date.now();
	const { value: result, peakRssGrowth } = await withPeakRss(() =>
		runMoEngage({
			rows: [{}],
			parameters: {
				resource: 'report',
				operation: 'getCampaignStats',
				campaignIds:
					given === undefined
						? ''
						: simulator.campaigns
								.slice(0, given)
								.map((campaign) => campaign.id)
								.join(', '),
				...STATS_WEEK,
				attributionType: 'VIEW_THROUGH',
				metricType: 'TOTAL',
				options: {},
			},
			credentials: reportCredentialsFor(simulator),
			credentialType: 'moEngageCampaignReportApi',
			downstream: false,
		}),
	);
	const wallMs = Date.now() - started;
	const requests = simulator.log.filter((entry) => entry.endpoint === 'campaignStats');
	const times = requests.map((entry) => entry.at).sort((a, b) => a - b);
	const produced = result.outputs[0] ?? [];
	const walked = rowsInAnswers(simulator);
	const offsets = requests.map((entry) => (entry.body as { offset?: number }).offset ?? 0);
	const run = {
		campaigns,
		wallMs,
		nodeMs: result.nodeMs,
		peakRssGrowth,
		requests: requests.length,
		refused429: requests.filter((entry) => entry.status === 429).length,
		otherStatuses: requests
			.filter((entry) => entry.status !== 200 && entry.status !== 429)
			.map((entry) => entry.status),
		offsetsDistinct: new Set(offsets).size,
		rowsProduced: produced.length,
		campaignsInRows: new Set(produced.map((item) => item.json.campaign_id)).size,
		rowsInAnswers: walked.rows,
		campaignsAnswered: walked.campaigns,
		...outcomeOf(result, simulator),
		firstRequestAt: (times[0] ?? started) - started,
		spanMs: times.length ? times[times.length - 1] - times[0] : 0,
		...windowTimes(times, STATS_REQUESTS_PER_MINUTE),
	};
	await simulator.stop();
	return run;
}

type StatsRun = Awaited<ReturnType<typeof statsRun>>;

/**
 * Runs `informRun` or `statsRun` in a process of its own (`--child <kind> <numbers>`), so that its
 * peak RSS is its own, not what an earlier scenario of this process left: its figures as JSON.
 */
async function isolated<T>(kind: 'inform' | 'stats', args: number[]): Promise<T> {
	const output = await new Promise<string>((resolve, reject) => {
		const child = spawn(
			process.execPath,
			['--expose-gc', __filename, '--child', kind, ...args.map(String)],
			{ stdio: ['ignore', 'pipe', 'inherit'] },
		);
		let text = '';
		child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
		child.on('exit', (code) =>
			code === 0 ? resolve(text) : reject(new Error(`bench child ${kind} exited ${code}`)),
		);
	});
	return JSON.parse(output.trim().split('\n').pop()!) as T;
}

/** The child's side of `isolated`: one run, its figures as the last line of stdout. */
async function child(kind: string, args: number[]) {
	const run = kind === 'inform' ? await informRun(args[0]) : await statsRun(args[0], args[1]);
	console.log(JSON.stringify(run));
	process.exit(0);
}

/**
 * Report → Get Campaign Stats: every campaign of 1,500 over a week (150 pages of ten at 100
 * requests a minute), then 95 campaigns by ID (10 requests).
 */
async function campaignStats() {
	say(
		'scenario 15: campaign stats of 1,500 campaigns at 100 requests a minute (about a minute), then 95 by ID',
	);
	const scenario = '15 Report → Get Campaign Stats';
	const CAMPAIGNS = 1_500;
	const every = await isolated<StatsRun>('stats', [CAMPAIGNS]);
	const what = 'every campaign of 1,500, 7 days, at 100/min';
	const expected = Math.ceil(CAMPAIGNS / 10);
	rows.push({
		scenario,
		figure: `${what}: requests (pages at offsets 0, 10, 20…)`,
		value: `${every.requests} (${every.offsetsDistinct} offsets)`,
		target: `${expected} = ceil(1500 / 10)`,
		met: every.requests === expected && every.offsetsDistinct === expected,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: `${what}: 429s received`,
		value: String(every.refused429),
		target: '0',
		met: every.refused429 === 0 && every.otherStatuses.length === 0,
		runs: 1,
	});
	// One request alone (its answer says how many pages), then the other 149: requests 1–100 go at
	// once, 101–150 when the first have been in the rolling minute for 60 s.
	const ideal = windowRows(scenario, what, every, STATS_REQUESTS_PER_MINUTE, expected);
	rows.push({
		scenario,
		figure: `${what}: rows on Stats / rows in the simulator's answers (campaign × platform × locale × variation) / campaigns in the rows`,
		value: `${every.rowsProduced.toLocaleString('en')} / ${every.rowsInAnswers.toLocaleString('en')} / ${every.campaignsInRows.toLocaleString('en')}`,
		target: `equal / equal / ${CAMPAIGNS.toLocaleString('en')}`,
		met:
			every.rowsProduced === every.rowsInAnswers &&
			every.campaignsInRows === CAMPAIGNS &&
			every.campaignsAnswered === CAMPAIGNS &&
			every.errorItems === 0 &&
			!every.runError,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: `${what}: node time / peak RSS growth (a process of its own, simulator included)`,
		value: `${secondsOf(every.nodeMs)} / ${megabytes(every.peakRssGrowth)}`,
		target: '—',
		met: null,
		runs: 1,
	});

	const GIVEN = 95;
	const given = await isolated<StatsRun>('stats', [CAMPAIGNS, GIVEN]);
	const givenWhat = '95 campaign IDs given, 7 days';
	rows.push({
		scenario,
		figure: `${givenWhat}: requests / 429s / wall time`,
		value: `${given.requests} / ${given.refused429} / ${secondsOf(given.wallMs)}`,
		target: '10 = ceil(95 / 10) / 0 / —',
		met: given.requests === Math.ceil(GIVEN / 10) && given.refused429 === 0,
		runs: 1,
	});
	rows.push({
		scenario,
		figure: `${givenWhat}: rows on Stats / rows in the simulator's answers / campaigns in the rows`,
		value: `${given.rowsProduced.toLocaleString('en')} / ${given.rowsInAnswers.toLocaleString('en')} / ${given.campaignsInRows}`,
		target: `equal / equal / ${GIVEN}`,
		met:
			given.rowsProduced === given.rowsInAnswers &&
			given.campaignsInRows === GIVEN &&
			given.errorItems === 0 &&
			!given.runError,
		runs: 1,
	});
	raw.campaignStats = { everyCampaign: { ...every, idealMs: ideal }, campaignIdsGiven: given };
}

async function main() {
	const childAt = process.argv.indexOf('--child');
	if (childAt > 0)
		return await child(process.argv[childAt + 1], process.argv.slice(childAt + 2).map(Number));
	const scenarios: Array<[number, () => Promise<void>]> = [
		[1, packing],
		[2, sustained],
		[3, burst],
		[4, overhead],
		[5, oneItem],
		[6, againstHttpRequest],
		[7, workspacesKept],
		[8, upsertBulk],
		[9, trackBulk],
		[10, arrayChanges],
		[11, segments],
		[12, trigger],
		[13, streamsThroughN8n],
		[14, inform],
		[15, campaignStats],
	];
	for (const [number, scenario] of scenarios) {
		if (!wanted(number)) continue;
		say(`scenario ${number}…`);
		await scenario();
	}
	const header = ['scenario', 'figure', 'value', 'target', 'met', 'runs (median of)'];
	const table = rows.map((row) => [
		row.scenario,
		row.figure,
		row.value,
		row.target,
		row.met === null ? '' : row.met ? 'yes' : 'NO',
		String(row.runs),
	]);
	const widths = header.map((_, column) =>
		Math.max(header[column].length, ...table.map((line) => line[column].length)),
	);
	const line = (cells: string[]) =>
		`| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
	const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}, ${os.platform()} ${os.release()}`;
	console.log(`\nn8n-nodes-moengage benchmarks — ${new Date().toISOString()}\n${machine}\n`);
	console.log(
		[line(header), line(widths.map((width) => '-'.repeat(width))), ...table.map(line)].join('\n'),
	);
	const dir = path.join(ROOT, 'bench', 'results');
	mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
	writeFileSync(file, JSON.stringify({ machine, rows, raw }, null, 2));
	console.log(`\nFigures written to ${path.relative(ROOT, file)}`);
	process.exit(0);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
