/**
 * Queue mode: n8n 1.123.50 main + 2 workers on Redis and PostgreSQL, each worker with the packed
 * package in its own user folder, all spending one simulated workspace of 1,000 users per real
 * minute. Six webhook runs of 400 users fire at once; each worker's node learns its share from the
 * 429s. Every process and service started here is stopped in afterAll, also when a step fails.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';

import { createSimulator, type Simulator } from '../../simulator/simulator';
import { runMoEngage } from '../engine';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtime = require('../../scripts/n8n');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const services = require('../../scripts/services');

type Item = { json: Record<string, unknown>; pairedItem?: { item: number } };

const RUNS = 6;
const USERS_PER_RUN = 400;
const LIMIT = 1000;
const KNOWN_USERS = 1600;
/** 2,400 users at 1,000 per rolling minute: 1,000 at once, 1,000 after a minute, 400 after two (reported, not asserted). */
const IDEAL_MS = Math.floor((RUNS * USERS_PER_RUN - 1) / LIMIT) * 60_000;
const WORKERS = [
	{ name: 'worker 1', ip: '10.0.0.1' },
	{ name: 'worker 2', ip: '10.0.0.2' },
];
const CREDENTIAL = { id: 'moengageQueueCred', name: 'MoEngage (queue-mode simulator)' };
const WEBHOOK_PATH = 'moengage-queue-test';

/** Run r asks for 400 customers starting at r·300: neighbours share 100, and the last run's tail is unknown to MoEngage. */
const customersOf = (run: number) =>
	Array.from(
		{ length: USERS_PER_RUN },
		(_, index) => `cust-${String(run * 300 + index + 1).padStart(5, '0')}`,
	);

const WORKFLOW = {
	id: 'moengageQueueTest',
	name: 'MoEngage queue-mode test',
	active: true,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: '7a000000-0000-4000-8000-000000000001',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '7a000000-0000-4000-8000-0000000000aa',
			parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'lastNode', options: {} },
		},
		{
			id: '7a000000-0000-4000-8000-000000000002',
			name: 'Rows',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [220, 0],
			parameters: {
				jsCode:
					'return $input.first().json.body.customers.map((customer_id) => ({ json: { customer_id } }));',
			},
		},
		{
			id: '7a000000-0000-4000-8000-000000000003',
			name: 'Get users',
			type: 'n8n-nodes-moengage.moEngage',
			typeVersion: 1,
			position: [440, 0],
			parameters: {
				resource: 'user',
				operation: 'get',
				identifierType: 'customer_id',
				identifier: '={{ $json.customer_id }}',
				// Tags each request with the worker that sent it, so the simulator can count per worker.
				options: { xForwardedFor: '={{ $env.MOENGAGE_QUEUE_TEST_WORKER_IP }}' },
			},
			credentials: { moEngageApi: CREDENTIAL },
		},
	],
	connections: {
		Webhook: { main: [[{ node: 'Rows', type: 'main', index: 0 }]] },
		Rows: { main: [[{ node: 'Get users', type: 'main', index: 0 }]] },
	},
};

const stops: Array<() => unknown> = [];
const outputs = new Map<string, string[]>();
let simulator: Simulator;
let n8n: { node: string; bin: string; env: Record<string, string> };
let queueEnv: Record<string, string>;
let mainPort: number;

function spawnN8n(
	name: string,
	userFolder: string,
	args: string[],
	extraEnv: Record<string, string>,
): ChildProcess {
	const child = spawn(n8n.node, [n8n.bin, ...args], {
		env: runtime.environment(n8n, userFolder, { ...queueEnv, ...extraEnv }),
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const lines: string[] = [];
	outputs.set(name, lines);
	const collect = (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean));
	child.stdout?.on('data', collect);
	child.stderr?.on('data', collect);
	stops.push(() => runtime.stopProcess(child));
	return child;
}

async function until(what: string, ms: number, check: () => Promise<boolean>) {
	const deadline = Date.now() + ms;
	while (Date.now() < deadline) {
		if (await check().catch(() => false)) return;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(
		`${what} within ${ms / 1000} s.\n${[...outputs].map(([name, lines]) => `--- ${name}\n${lines.slice(-40).join('\n')}`).join('\n')}`,
	);
}

beforeAll(async () => {
	n8n = await runtime.ensureN8n(1);
	services.ensureServices();
	const redis = await services.startRedis();
	stops.push(redis.stop);
	const postgres = await services.startPostgres();
	stops.push(postgres.stop);
	simulator = createSimulator({ users: KNOWN_USERS, usersPerWindow: LIMIT, windowMs: 60_000 });
	const simulatorUrl = await simulator.start(await services.freePort(), '127.0.0.1');
	stops.push(() => simulator.stop());
	mainPort = await services.freePort();
	queueEnv = {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: postgres.database,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: '',
		N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
	};

	// One CLI call migrates the fresh database before main and workers start together.
	const mainFolder = runtime.createUserFolder();
	stops.push(() => rmSync(mainFolder, { recursive: true, force: true }));
	const { workspaceId, apiKey } = simulator.config;
	const importDir = mkdtempSync(path.join(os.tmpdir(), 'n8n-moengage-queue-import-'));
	stops.push(() => rmSync(importDir, { recursive: true, force: true }));
	writeFileSync(
		path.join(importDir, 'credential.json'),
		JSON.stringify([
			{
				...CREDENTIAL,
				type: 'moEngageApi',
				data: { dataCenter: 'custom', baseUrl: simulatorUrl, appId: workspaceId, apiKey },
			},
		]),
	);
	const workflowDir = path.join(importDir, 'workflows');
	mkdirSync(workflowDir);
	writeFileSync(path.join(workflowDir, 'workflow.json'), JSON.stringify(WORKFLOW));
	for (const args of [
		['import:credentials', `--input=${path.join(importDir, 'credential.json')}`],
		['import:workflow', '--separate', '--activeState=fromJson', `--input=${workflowDir}`],
	]) {
		const result = await runtime.cli(n8n, mainFolder, args, queueEnv);
		if (result.code !== 0)
			throw new Error(`n8n ${args[0]} failed:\n${result.stdout}\n${result.stderr}`);
	}

	spawnN8n('main', mainFolder, ['start'], {
		N8N_PORT: String(mainPort),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_DISABLE_UI: 'true',
	});
	for (const worker of WORKERS) {
		const folder = runtime.createUserFolder();
		stops.push(() => rmSync(folder, { recursive: true, force: true }));
		const healthPort = await services.freePort();
		// Concurrency 3: six runs at once cannot all land on one worker.
		spawnN8n(worker.name, folder, ['worker', '--concurrency=3'], {
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			MOENGAGE_QUEUE_TEST_WORKER_IP: worker.ip,
		});
		await until(
			`${worker.name} was not ready`,
			120_000,
			async () => (await fetch(`http://127.0.0.1:${healthPort}/healthz/readiness`)).ok,
		);
	}
	// /healthz/readiness answers before the webhooks are registered: wait for the webhook itself.
	// Without starting an execution: a CORS preflight (OPTIONS with an Origin) is 404 until the path is registered.
	await until('the webhook was not registered', 180_000, async () => {
		const response = await fetch(`http://127.0.0.1:${mainPort}/webhook/${WEBHOOK_PATH}`, {
			method: 'OPTIONS',
			headers: { origin: 'http://127.0.0.1', 'access-control-request-method': 'POST' },
		});
		return (
			response.status === 204 &&
			(response.headers.get('access-control-allow-methods') ?? '').includes('POST')
		);
	});
}, 15 * 60_000);

async function stopEverything() {
	for (const stop of stops.splice(0).reverse()) {
		try {
			await stop();
		} catch (error) {
			console.error(`stopping: ${(error as Error).message}`);
		}
	}
}

afterAll(stopEverything, 120_000);

// Ctrl-C or a CI timeout stops the services too, not only a failing test.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => {
		void stopEverything().finally(() => process.exit(130));
	});
}

/** Run data of every execution of the workflow, read from PostgreSQL (n8n stores it in its "flatted" format). */
function executionsFromDatabase(postgresPort: number) {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const flatted = require(path.join(path.dirname(n8n.bin), '..', '..', 'flatted'));
	const sql = `SELECT json_agg(json_build_object('id', e.id, 'status', e.status, 'data', d.data)) FROM execution_entity e JOIN execution_data d ON d."executionId" = e.id WHERE e."workflowId" = '${WORKFLOW.id}'`;
	const rows = JSON.parse(services.psql(postgresPort, 'n8n', sql).trim() || '[]') as Array<{
		id: string;
		status: string;
		data: string;
	}>;
	return rows.map((row) => ({
		id: String(row.id),
		status: row.status,
		run: flatted.parse(row.data),
	}));
}

it(
	'six runs at once on two workers: each run answered as one process would, nothing lost, never over the limit, few 429s',
	async () => {
		const started = Date.now();
		const responses = await Promise.all(
			Array.from({ length: RUNS }, async (_, run) => {
				const response = await fetch(`http://127.0.0.1:${mainPort}/webhook/${WEBHOOK_PATH}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ run, customers: customersOf(run) }),
					signal: AbortSignal.timeout(10 * 60_000),
				});
				return { status: response.status, ms: Date.now() - started };
			}),
		);
		const elapsedMs = Math.max(...responses.map((response) => response.ms));
		expect(responses.map((response) => response.status)).toEqual(Array(RUNS).fill(200));

		const postgresPort = Number(queueEnv.DB_POSTGRESDB_PORT);
		const executions = executionsFromDatabase(postgresPort);
		expect(executions).toHaveLength(RUNS);
		const byRun = new Map<number, (typeof executions)[number]>();
		for (const execution of executions) {
			expect(execution.status).toBe('success');
			const runData = execution.run.resultData.runData;
			byRun.set(runData.Webhook[0].data.main[0][0].json.body.run, execution);
		}

		// What one process gives for the same input: the node in n8n's engine, against MoEngage without a limit.
		const calm = createSimulator({ users: KNOWN_USERS, usersPerWindow: 1e9 });
		const calmUrl = await calm.start(await services.freePort(), '127.0.0.1');
		try {
			for (let run = 0; run < RUNS; run++) {
				const execution = byRun.get(run);
				expect(execution).toBeDefined();
				const [found, notFound] = execution?.run.resultData.runData['Get users'][0].data
					.main as Item[][];
				const single = await runMoEngage({
					rows: customersOf(run).map((customer_id) => ({ customer_id })),
					// the same answers without waiting for the budget: this process has its own
					parameters: { options: { usersPerMinute: 1e9 } },
					credentials: {
						dataCenter: 'custom',
						baseUrl: calmUrl,
						appId: calm.config.workspaceId,
						apiKey: calm.config.apiKey,
					},
				});
				expect(single.error).toBeUndefined();
				const shape = (items: Item[]) =>
					items.map((item) => ({ json: item.json, pairedItem: item.pairedItem }));
				expect(shape(found)).toEqual(shape(single.outputs[0] as Item[]));
				expect(shape(notFound)).toEqual(shape(single.outputs[1] as Item[]));
				// every input item in exactly one output
				const paired = [...found, ...notFound]
					.map((item) => item.pairedItem?.item)
					.sort((a, b) => (a ?? 0) - (b ?? 0));
				expect(paired).toEqual(Array.from({ length: USERS_PER_RUN }, (_, index) => index));
			}
		} finally {
			await calm.stop();
		}

		// Which worker ran which execution, from the workers' own logs.
		const ranBy = new Map<string, string>();
		for (const worker of WORKERS) {
			for (const line of outputs.get(worker.name) ?? []) {
				const match = /Worker finished execution (\d+)/.exec(line);
				if (match) ranBy.set(match[1], worker.name);
			}
		}
		const runsPerWorker = WORKERS.map(
			(worker) => executions.filter((execution) => ranBy.get(execution.id) === worker.name).length,
		);
		expect(runsPerWorker.reduce((sum, count) => sum + count, 0)).toBe(RUNS);
		for (const count of runsPerWorker) expect(count).toBeGreaterThanOrEqual(1);

		// MoEngage's side: each identifier answered once per run that asked for it, never over the limit.
		const requests = simulator.log.filter((entry) => entry.identifiers);
		const answered = requests.filter((entry) => entry.status === 200);
		const refused = requests.filter((entry) => entry.status === 429);
		expect(requests.length - answered.length - refused.length).toBe(0);
		const usersIn = (entries: typeof requests) =>
			entries.reduce((sum, entry) => sum + (entry.identifiers?.length ?? 0), 0);
		const answeredIds = answered
			.flatMap((entry) => entry.identifiers?.map(({ identifier }) => identifier) ?? [])
			.sort();
		expect(answeredIds).toEqual(
			Array.from({ length: RUNS }, (_, run) => customersOf(run))
				.flat()
				.sort(),
		);
		// By the simulator's own accounting (the users it answered in the rolling window that ends at
		// each answer), no window ever held more than the limit.
		const { windowMs } = simulator.config;
		const busiestWindow = Math.max(
			...answered.map((last) =>
				usersIn(answered.filter((entry) => entry.at > last.at - windowMs && entry.at <= last.at)),
			),
		);
		expect(busiestWindow).toBeLessThanOrEqual(LIMIT);
		// Every request came from a worker, and each worker's answered users are exactly those of the runs it executed.
		expect(
			requests.filter((entry) => !WORKERS.some((worker) => entry.forwardedFor === worker.ip)),
		).toEqual([]);
		const answeredPerWorker = WORKERS.map((worker) =>
			usersIn(answered.filter((entry) => entry.forwardedFor === worker.ip)),
		);
		expect(answeredPerWorker).toEqual(runsPerWorker.map((runs) => runs * USERS_PER_RUN));

		const ratio = elapsedMs / IDEAL_MS;
		const refusedShare = refused.length / requests.length;
		const perWorker = WORKERS.map((worker, index) => {
			const mine = requests.filter((entry) => entry.forwardedFor === worker.ip);
			const budgetLines = (outputs.get(worker.name) ?? []).filter((line) =>
				/MoEngage: (429 from|no 429 from)/.test(line),
			);
			return (
				`  ${worker.name}: ${runsPerWorker[index]} runs, ${mine.filter((entry) => entry.status === 200).reduce((sum, entry) => sum + (entry.identifiers?.length ?? 0), 0)} users answered, ` +
				`${mine.length} requests, ${mine.filter((entry) => entry.status === 429).length} answered 429\n` +
				budgetLines.map((line) => `    ${line.replace(/^.*?(MoEngage: )/, '$1')}`).join('\n')
			);
		});
		console.log(
			[
				`Queue mode (n8n 1.123.50, main + 2 workers, Redis, PostgreSQL): ${RUNS} runs × ${USERS_PER_RUN} users at ${LIMIT} users per rolling minute`,
				`  completion: ${(elapsedMs / 1000).toFixed(1)} s; ideal ${IDEAL_MS / 1000} s; ${ratio.toFixed(3)} × ideal (a figure: speed is the benchmarks' to judge); busiest rolling minute ${busiestWindow} users`,
				`  requests: ${requests.length}, answered 429: ${refused.length} = ${(refusedShare * 100).toFixed(1)}% (target ≤ 5%: ${refusedShare <= 0.05 ? 'met' : 'MISSED'}); retries (batches sent again): ${requests.length - answered.length}`,
				...perWorker,
			].join('\n'),
		);
		expect(refusedShare).toBeLessThanOrEqual(0.05);
	},
	10 * 60_000,
);
