/**
 * One n8n queue-mode stack for a major version: fresh Redis and PostgreSQL, the workflows and
 * credentials imported (which also migrates the database before the processes start together),
 * then `n8n start` (main), N `n8n worker`s and, when asked, one `n8n webhook` process, each with its
 * own user folder holding the packed package. Every process and service is stopped by stop(), also
 * after a failure half-way through start().
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtime = require('../../../scripts/n8n');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const services = require('../../../scripts/services');

export type N8n = { major: number; version: string; node: string; bin: string };

export interface Worker {
	name: string;
	/** Sent as X-Forwarded-For by the operations that offer it, so the simulator counts per worker. */
	ip: string;
}

export interface Execution {
	id: string;
	status: string;
	run: {
		resultData: {
			runData: Record<string, Array<{ data: { main: Array<Array<Record<string, unknown>>> } }>>;
		};
	};
}

/**
 * Workers: 3 where the machine has the cores and the memory (4 cores or more, and 6 GB free: a
 * worker takes about 300 MB, main about 650 MB, and 2.x adds a task runner to each), else 2;
 * N8N_QUEUE_WORKERS overrides. On 2 cores a third worker, main, the webhook process, PostgreSQL,
 * Redis and the simulator take turns on the CPU, and the runs start seconds apart.
 */
export function workerCount(): { count: number; why: string } {
	const asked = process.env.N8N_QUEUE_WORKERS;
	if (asked !== undefined && asked !== '') {
		const count = Number(asked);
		if (!Number.isInteger(count) || count < 2)
			throw new Error(`N8N_QUEUE_WORKERS must be a whole number ≥ 2, not "${asked}"`);
		return { count, why: 'N8N_QUEUE_WORKERS' };
	}
	const freeGb = os.freemem() / 1024 ** 3;
	const cores = os.availableParallelism();
	const machine = `${cores} cores, ${freeGb.toFixed(1)} GB free`;
	return cores >= 4 && freeGb >= 6
		? { count: 3, why: `${machine}: 4 cores and 6 GB or more` }
		: { count: 2, why: `${machine}: a third worker needs 4 cores and 6 GB` };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class QueueStack {
	readonly outputs = new Map<string, string[]>();
	readonly workers: Worker[];
	n8n!: N8n;
	mainUrl = '';
	/** The `n8n webhook` process, when started. */
	webhookUrl: string | undefined;
	private postgresPort = 0;
	private queueEnv: Record<string, string> = {};
	private readonly stops: Array<() => unknown> = [];

	constructor(
		readonly major: number,
		workers: number,
	) {
		this.workers = Array.from({ length: workers }, (_, index) => ({
			name: `worker ${index + 1}`,
			ip: `10.0.${major}.${index + 1}`,
		}));
	}

	/**
	 * Starts everything; `concurrency` is each worker's; `probes` are URLs paths (under main, and
	 * under the webhook process) that answer something other than 404 once n8n registered them.
	 */
	async start(options: {
		credentials: object[];
		workflows: object[];
		concurrency: number;
		webhookProcess: boolean;
		ready: (baseUrl: string) => Promise<boolean>;
	}): Promise<void> {
		this.n8n = await runtime.ensureN8n(this.major);
		services.ensureServices();
		const redis = await services.startRedis();
		this.stops.push(redis.stop);
		const postgres = await services.startPostgres();
		this.stops.push(postgres.stop);
		this.postgresPort = postgres.port;
		this.queueEnv = {
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

		// One CLI process imports everything and migrates the fresh database before the rest start together.
		const mainFolder = this.userFolder();
		const importDir = mkdtempSync(path.join(os.tmpdir(), 'n8n-moengage-queue-import-'));
		this.stops.push(() => rmSync(importDir, { recursive: true, force: true }));
		writeFileSync(path.join(importDir, 'credentials.json'), JSON.stringify(options.credentials));
		const workflowDir = path.join(importDir, 'workflows');
		mkdirSync(workflowDir);
		options.workflows.forEach((workflow, index) =>
			writeFileSync(path.join(workflowDir, `workflow-${index}.json`), JSON.stringify(workflow)),
		);
		for (const args of [
			['import:credentials', `--input=${path.join(importDir, 'credentials.json')}`],
			// 1.x activates the workflows marked active as it imports them (queue mode only); 2.x's
			// import fails to ("User attempted to activate a workflow without permissions", logged, exit 0)
			['import:workflow', '--separate', `--input=${workflowDir}`].concat(
				this.major >= 2 ? [] : ['--activeState=fromJson'],
			),
		]) {
			const result = await runtime.cli(this.n8n, mainFolder, args, this.queueEnv);
			if (result.code !== 0)
				throw new Error(`n8n ${args[0]} failed:\n${result.stdout}\n${result.stderr}`);
		}
		if (this.major >= 2) {
			// …so 2.x publishes each one, as its CLI does (publish:workflow), before any process starts.
			await Promise.all(
				(options.workflows as Array<{ id: string; active?: boolean }>)
					.filter((workflow) => workflow.active)
					.map((workflow) =>
						runtime.activateWorkflow(this.n8n, mainFolder, workflow.id, this.queueEnv),
					),
			);
		}

		const mainPort = await services.freePort();
		this.mainUrl = `http://127.0.0.1:${mainPort}`;
		this.spawn('main', mainFolder, ['start'], {
			N8N_PORT: String(mainPort),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_DISABLE_UI: 'true',
		});
		const healthPorts: number[] = [];
		for (const worker of this.workers) {
			const healthPort = await services.freePort();
			healthPorts.push(healthPort);
			this.spawn(
				worker.name,
				this.userFolder(),
				['worker', `--concurrency=${options.concurrency}`],
				{
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					QUEUE_HEALTH_CHECK_PORT: String(healthPort),
					N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
					MOENGAGE_QUEUE_TEST_WORKER_IP: worker.ip,
				},
			);
		}
		if (options.webhookProcess) {
			const port = await services.freePort();
			this.webhookUrl = `http://127.0.0.1:${port}`;
			this.spawn('webhook', this.userFolder(), ['webhook'], {
				N8N_PORT: String(port),
				N8N_LISTEN_ADDRESS: '127.0.0.1',
			});
		}
		for (const [index, worker] of this.workers.entries()) {
			await this.until(
				`${worker.name} was not ready`,
				180_000,
				async () => (await fetch(`http://127.0.0.1:${healthPorts[index]}/healthz/readiness`)).ok,
			);
		}
		// /healthz/readiness answers before the webhooks are registered: wait for the webhooks themselves.
		await this.until('main did not register the webhooks', 180_000, () =>
			options.ready(this.mainUrl),
		);
		if (this.webhookUrl !== undefined) {
			const url = this.webhookUrl;
			await this.until('the webhook process did not serve the webhooks', 180_000, () =>
				options.ready(url),
			);
		}
	}

	private userFolder(): string {
		const folder = runtime.createUserFolder();
		this.stops.push(() => rmSync(folder, { recursive: true, force: true }));
		return folder;
	}

	private spawn(
		name: string,
		userFolder: string,
		args: string[],
		extraEnv: Record<string, string>,
	) {
		const child = spawn(this.n8n.node, [this.n8n.bin, ...args], {
			env: runtime.environment(this.n8n, userFolder, { ...this.queueEnv, ...extraEnv }),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const lines: string[] = [];
		this.outputs.set(name, lines);
		const collect = (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean));
		child.stdout?.on('data', collect);
		child.stderr?.on('data', collect);
		this.stops.push(() => runtime.stopProcess(child));
		return child;
	}

	async until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
		const deadline = Date.now() + ms;
		while (Date.now() < deadline) {
			if (await check().catch(() => false)) return;
			await sleep(250);
		}
		throw new Error(`${what} within ${ms / 1000} s.\n${this.tails()}`);
	}

	/** The last lines every process printed, for a failure's message. */
	tails(lines = 40): string {
		return [...this.outputs]
			.map(([name, output]) => `--- ${name}\n${output.slice(-lines).join('\n')}`)
			.join('\n');
	}

	/** Stops what start() started, newest first; never throws. */
	async stop(): Promise<void> {
		for (const stop of this.stops.splice(0).reverse()) {
			try {
				await stop();
			} catch (error) {
				console.error(`stopping: ${(error as Error).message}`);
			}
		}
	}

	/** Every execution of a workflow with its run data, read from PostgreSQL (n8n stores it "flatted"). */
	executions(workflowId: string): Execution[] {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const flatted = require(path.join(path.dirname(this.n8n.bin), '..', '..', 'flatted'));
		const sql = `SELECT json_agg(json_build_object('id', e.id, 'status', e.status, 'data', d.data) ORDER BY e.id) FROM execution_entity e JOIN execution_data d ON d."executionId" = e.id WHERE e."workflowId" = '${workflowId}'`;
		const rows = JSON.parse(services.psql(this.postgresPort, 'n8n', sql).trim() || '[]') as Array<{
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

	/** How many executions of a workflow n8n has saved, finished or not. */
	executionCount(workflowId: string): number {
		return Number(
			services
				.psql(
					this.postgresPort,
					'n8n',
					`SELECT count(*) FROM execution_entity WHERE "workflowId" = '${workflowId}'`,
				)
				.trim(),
		);
	}

	/** Which worker finished which execution, from the workers' own logs. */
	ranBy(): Map<string, string> {
		const ranBy = new Map<string, string>();
		for (const worker of this.workers) {
			for (const line of this.outputs.get(worker.name) ?? []) {
				const match = /Worker finished execution (\d+)/.exec(line);
				if (match) ranBy.set(match[1], worker.name);
			}
		}
		return ranBy;
	}

	/** A worker's budget log lines (429s and raises) for one budget, e.g. "bulk users". */
	budgetLines(worker: Worker, budget: string): string[] {
		return (this.outputs.get(worker.name) ?? [])
			.filter(
				(line) => /MoEngage: (429 from|no 429 from)/.test(line) && line.includes(`(${budget})`),
			)
			.map((line) => line.replace(/^.*?(MoEngage: )/, '$1'));
	}
}
