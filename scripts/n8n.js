'use strict';
/**
 * Real n8n, as users run it: installed once into a cache folder outside the repository (reused by
 * every clone on this machine, CI's included), the package installed the way n8n gets it (the
 * `npm pack` tarball unpacked as a community package), workflows imported and run with n8n's CLI.
 *
 * n8n 1.x runs on this machine's Node 20; n8n 2.x needs Node 24, which comes from the npm registry.
 */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { CACHE, say, npm, ensureInstalled } = require('./install');

const ROOT = path.resolve(__dirname, '..');
const ENCRYPTION_KEY = 'n8n-nodes-moengage-local-test-key';

/** The versions that install and run here (../shared/n8n-on-this-machine.md). */
const RUNTIMES = {
	1: { n8n: '1.123.50', node: null },
	2: { n8n: '2.41.1', node: '24' },
};

function run(command, args, options = {}) {
	const result = spawnSync(command, args, { stdio: 'inherit', ...options });
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
	}
	return result;
}

/** `problem` with the first error line a command printed when it failed; nothing when it succeeded. */
function failure(problem, command, args) {
	const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
	if (result.status === 0) return undefined;
	const output = `${result.stderr ?? ''}\n${result.stdout ?? ''}\n${result.error?.message ?? ''}`;
	const line =
		output.split('\n').find((text) => /error|cannot|not found/i.test(text)) ??
		output.trim().split('\n')[0];
	return `${problem}: ${line.trim().slice(0, 300)}`;
}

async function nodeRuntime(major) {
	const version = RUNTIMES[major].node;
	if (!version) return { node: process.execPath, env: {} };
	const dir = path.join(CACHE, `node-${version}`);
	const pkg = path.join(dir, 'node_modules', 'node');
	const node = path.join(pkg, 'bin', 'node');
	await ensureInstalled({
		dir,
		name: `Node ${version}`,
		why: `n8n ${RUNTIMES[major].n8n} needs Node >= ${version}; it comes from the npm registry.`,
		manifest: { name: `node-${version}-runtime` },
		install: () => npm(['install', '--no-audit', '--no-fund', `node@${version}`], { cwd: dir }),
		quickCheck: async () => {
			const result = spawnSync(node, ['--version'], { encoding: 'utf8' });
			return result.stdout?.startsWith(`v${version}.`)
				? undefined
				: `${node} --version did not print v${version}.x`;
		},
	});
	// node-gyp builds native modules (sqlite3) against the headers that come with this Node.
	const nodedir = path.join(pkg, 'node_modules', `node-${process.platform}-${process.arch}`);
	return {
		node,
		env: {
			PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}`,
			npm_config_nodedir: nodedir,
		},
	};
}

/**
 * `n8n start` up to its REST API, in a throwaway user folder: the command users run (`npm start`,
 * the editor tests, queue mode), which fails on an install with unresolved peers even when
 * `n8n --version` works.
 */
async function startProblem(n8n) {
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-moengage-check-'));
	try {
		const editor = await startN8n(n8n, userFolder, { port: await freePort() });
		await stopProcess(editor.child);
		return undefined;
	} catch (error) {
		const lines = error.message.split('\n');
		const cause =
			lines.find((line) => /^\s*(Error|error):|not found|Cannot find/.test(line)) ?? lines[0];
		return `n8n start did not come up: ${cause.trim().slice(0, 300)}`;
	} finally {
		fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

/** Installs n8n for a major version (1 or 2) once, checked; returns how to run its CLI. */
async function ensureN8n(major) {
	const runtime = RUNTIMES[major];
	const { node, env } = await nodeRuntime(major);
	const dir = path.join(CACHE, `n8n-${runtime.n8n}`);
	const bin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const n8n = { major, version: runtime.n8n, node, bin, env };
	const sqliteProblem = () =>
		failure('sqlite3 does not load', node, [
			'-e',
			"const s = require(require.resolve('sqlite3', { paths: [process.argv[1]] })); new s.Database(':memory:').close()",
			path.join(dir, 'node_modules', 'n8n'),
		]);
	await ensureInstalled({
		dir,
		name: `n8n ${runtime.n8n}`,
		why: `the node is tested and demonstrated in real n8n (several minutes, ${major === 1 ? '~1.7' : '~3'} GB).`,
		manifest: {
			name: `n8n-${runtime.n8n}-runtime`,
			dependencies: { n8n: runtime.n8n },
			// n8n-nodes-base fetches xlsx from a CDN this machine cannot reach; the registry copy is the same code.
			overrides: { xlsx: 'npm:@e965/xlsx@0.20.2' },
		},
		install: () => {
			if (major === 1) {
				npm(['install', '--no-audit', '--no-fund'], { cwd: dir, env });
			} else {
				// Some of n8n 2.x's install scripts fetch prebuilt binaries from outside the registry:
				// install without scripts, then build the one native module n8n needs from source.
				npm(['install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, env });
				npm(['rebuild', 'sqlite3'], { cwd: dir, env });
			}
		},
		quickCheck: async () =>
			fs.existsSync(bin) ? sqliteProblem() : `${path.relative(dir, bin)} is missing`,
		fullCheck: () => startProblem(n8n),
		repair: () => npm(['rebuild', 'sqlite3'], { cwd: dir, env }),
	});
	return n8n;
}

/** A free TCP port on 127.0.0.1. */
function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

let tarball;
/** `npm pack` of the built package, once per process. */
function packPackage() {
	if (tarball) return tarball;
	if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes', 'MoEngage', 'MoEngage.node.js'))) {
		run('npm', ['run', 'build'], { cwd: ROOT });
	}
	const out = fs.mkdtempSync(path.join(os.tmpdir(), 'moengage-pack-'));
	const result = spawnSync('npm', ['pack', '--json', '--pack-destination', out], {
		cwd: ROOT,
		encoding: 'utf8',
	});
	if (result.status !== 0) throw new Error(`npm pack failed: ${result.stderr}`);
	tarball = path.join(out, JSON.parse(result.stdout)[0].filename);
	return tarball;
}

/** A fresh N8N_USER_FOLDER with the packed package installed as a community package. */
function createUserFolder() {
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-moengage-user-'));
	unpackPackage(path.join(folder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-moengage'));
	return folder;
}

/** The packed package's files in `target` (created if missing), as npm installs them. */
function unpackPackage(target) {
	fs.mkdirSync(target, { recursive: true });
	run('tar', ['-xzf', packPackage(), '-C', target, '--strip-components=1']);
	return target;
}

let nextBrokerPort = 5680 + (process.pid % 200) * 10;
function environment(n8n, userFolder, extra = {}) {
	// Under jest NODE_ENV is "test", which makes n8n use a throwaway in-memory database per process.
	const { NODE_ENV, ...inherited } = process.env;
	return {
		...inherited,
		NODE_ENV: 'production',
		...n8n.env,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL || 'info',
		// 2.x starts a task-runner broker in every process: each concurrent one needs its own port.
		N8N_RUNNERS_BROKER_PORT: String(nextBrokerPort++),
		...extra,
	};
}

/**
 * Runs an n8n CLI command without blocking this process: the simulator often lives in it.
 */
function cli(n8n, userFolder, args, extraEnv) {
	return new Promise((resolve, reject) => {
		const child = spawn(n8n.node, [n8n.bin, ...args], {
			env: environment(n8n, userFolder, extraEnv),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const stdout = [];
		const stderr = [];
		child.stdout.on('data', (chunk) => stdout.push(chunk));
		child.stderr.on('data', (chunk) => stderr.push(chunk));
		child.on('error', reject);
		child.on('close', (code) =>
			resolve({
				code,
				stdout: Buffer.concat(stdout).toString('utf8'),
				stderr: Buffer.concat(stderr).toString('utf8'),
			}),
		);
	});
}

async function importCredential(n8n, userFolder, credential) {
	const file = path.join(userFolder, `credential-${credential.id}.json`);
	fs.writeFileSync(file, JSON.stringify([credential]));
	const result = await cli(n8n, userFolder, ['import:credentials', `--input=${file}`]);
	fs.rmSync(file);
	if (result.code !== 0)
		throw new Error(`n8n import:credentials failed:\n${result.stdout}\n${result.stderr}`);
}

async function importWorkflow(n8n, userFolder, workflow) {
	const file = path.join(userFolder, `workflow-${workflow.id}.json`);
	fs.writeFileSync(file, JSON.stringify(workflow));
	const result = await cli(n8n, userFolder, ['import:workflow', `--input=${file}`]);
	if (result.code !== 0)
		throw new Error(`n8n import:workflow failed:\n${result.stdout}\n${result.stderr}`);
}

/** Several workflows in one `n8n import:workflow` (a file holding an array): one n8n start-up, not one each. */
async function importWorkflows(n8n, userFolder, workflows, label = 'batch') {
	const file = path.join(userFolder, `workflows-${label}.json`);
	fs.writeFileSync(file, JSON.stringify(workflows));
	const result = await cli(n8n, userFolder, ['import:workflow', `--input=${file}`]);
	if (result.code !== 0)
		throw new Error(
			`n8n import:workflow of ${workflows.map((workflow) => workflow.id).join(', ')} failed:\n${result.stdout}\n${result.stderr}`,
		);
}

/** n8n prints log lines around the run's JSON: it is the block from a line "{" to the next line "}". */
function parseRawOutput(stdout) {
	const lines = stdout.split('\n');
	const start = lines.indexOf('{');
	const end = lines.indexOf('}', start);
	if (start < 0 || end < 0) return undefined;
	return JSON.parse(lines.slice(start, end + 1).join('\n'));
}

/** Runs an imported workflow with `n8n execute`; returns the run data and the CLI's own output. */
async function executeWorkflow(n8n, userFolder, workflowId, extraEnv) {
	const started = Date.now();
	const result = await cli(
		n8n,
		userFolder,
		['execute', `--id=${workflowId}`, '--rawOutput'],
		extraEnv,
	);
	return { ...result, ms: Date.now() - started, run: parseRawOutput(result.stdout) };
}

/** The items a node emitted on one output, from `n8n execute --rawOutput` run data. */
function outputOf(run, nodeName, outputIndex = 0) {
	return run?.data?.resultData?.runData?.[nodeName]?.[0]?.data?.main?.[outputIndex] ?? [];
}

/** A start process (the editor): resolves once n8n answers /rest/settings. */
async function startN8n(n8n, userFolder, { port = 5678, extraEnv = {}, onOutput } = {}) {
	const child = spawn(n8n.node, [n8n.bin, 'start'], {
		env: environment(n8n, userFolder, {
			N8N_PORT: String(port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_SECURE_COOKIE: 'false',
			...extraEnv,
		}),
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const output = [];
	const collect = (chunk) => {
		output.push(chunk.toString());
		onOutput?.(chunk.toString());
	};
	child.stdout.on('data', collect);
	child.stderr.on('data', collect);
	const deadline = Date.now() + 180_000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null)
			throw new Error(`n8n start exited with ${child.exitCode}:\n${output.join('')}`);
		try {
			const response = await fetch(`http://127.0.0.1:${port}/rest/settings`);
			if (response.ok) return { child, url: `http://127.0.0.1:${port}`, output };
		} catch {
			// not listening yet
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	child.kill('SIGTERM');
	throw new Error(`n8n did not answer on port ${port} within 3 minutes:\n${output.join('')}`);
}

/**
 * Makes an imported workflow active, as n8n's CLI does it before `n8n start` (which registers the
 * active workflows' webhooks as it starts): `update:workflow --active=true` on 1.x, where 2.x
 * replaced it with `publish:workflow`. `extraEnv`: e.g. queue mode's database settings.
 */
async function activateWorkflow(n8n, userFolder, id, extraEnv) {
	const args =
		n8n.major >= 2
			? ['publish:workflow', `--id=${id}`]
			: ['update:workflow', `--id=${id}`, '--active=true'];
	const result = await cli(n8n, userFolder, args, extraEnv);
	if (result.code !== 0)
		throw new Error(`n8n ${args[0]} of ${id} failed:\n${result.stdout}\n${result.stderr}`);
}

/**
 * Waits until a started n8n serves a production webhook URL: 2.x answers /rest/settings a moment
 * before it has registered the active workflows' webhooks, and says 404 until then. The probe is an
 * empty request, which a trigger that checks what it is sent refuses without starting anything.
 */
async function waitForWebhook(url, { method = 'POST', timeoutMs = 60_000 } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const response = await fetch(url, { method });
		await response.arrayBuffer();
		if (response.status !== 404) return response.status;
		if (Date.now() > deadline)
			throw new Error(`${url} still answered 404 after ${timeoutMs / 1000} s: is it active?`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** Logs a user in to a started n8n's REST API; returns the cookie every later call sends. */
async function logIn(url, { email, password }) {
	const response = await fetch(`${url}/rest/login`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', 'browser-id': 'n8n-nodes-moengage-tests' },
		body: JSON.stringify({ emailOrLdapLoginId: email, password }),
	});
	if (!response.ok)
		throw new Error(`n8n login answered ${response.status}: ${await response.text()}`);
	return (response.headers.get('set-cookie') ?? '').split(';')[0];
}

/**
 * What the editor's Test button shows for a credential being edited ({id, name, type, data}: n8n
 * 2.x requires the id of a saved one): n8n's {status, message}.
 */
async function testCredential(url, cookie, credentials) {
	// On a busy machine n8n 2.x can answer /rest/settings before every REST route is up; until then
	// it serves the editor's HTML page for this one.
	let body = '';
	for (let attempt = 0; attempt < 30; attempt++) {
		const response = await fetch(`${url}/rest/credentials/test`, {
			method: 'POST',
			headers: {
				cookie,
				'browser-id': 'n8n-nodes-moengage-tests',
				'Content-Type': 'application/json',
			},
			body: JSON.stringify({ credentials }),
		});
		body = await response.text();
		if (!body.trimStart().startsWith('<')) {
			if (!response.ok)
				throw new Error(
					`/rest/credentials/test answered ${response.status}: ${body.slice(0, 300)}`,
				);
			return JSON.parse(body).data;
		}
		await new Promise((resolve) => setTimeout(resolve, 1000));
	}
	throw new Error(`n8n never answered /rest/credentials/test with JSON: ${body.slice(0, 200)}`);
}

async function restGet(url, cookie, route) {
	const response = await fetch(`${url}/rest${route}`, {
		headers: { cookie, 'browser-id': 'n8n-nodes-moengage-tests' },
	});
	if (!response.ok)
		throw new Error(`GET /rest${route} answered ${response.status}: ${await response.text()}`);
	return (await response.json()).data;
}

/**
 * A workflow's executions from the REST API, as the editor lists them: the newest 100 (running ones
 * first) and `count`, how many have finished. Both majors answer {data: {results, count, …}}.
 */
async function listExecutions(url, cookie, workflowId) {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const { results, count } = await restGet(url, cookie, `/executions?filter=${filter}&limit=100`);
	return { results, count };
}

/** One execution, its run data parsed from n8n's "flatted" format: run.resultData.runData[node]. */
async function readExecution(n8n, url, cookie, id) {
	const flatted = require(path.join(path.dirname(n8n.bin), '..', '..', 'flatted'));
	const { data, ...execution } = await restGet(url, cookie, `/executions/${id}`);
	return { ...execution, run: flatted.parse(data) };
}

const DEMO_WORKFLOW = path.join(ROOT, 'examples', 'demo-get-users.json');

/** The demo's credential (pointing at a running simulator) and workflow, imported with the CLI. */
async function importDemo(n8n, userFolder, simulator) {
	const { workspaceId, apiKey } = simulator.config;
	await importCredential(n8n, userFolder, {
		id: 'moengageDemoCred',
		name: 'MoEngage (local simulator)',
		type: 'moEngageApi',
		data: { dataCenter: 'custom', baseUrl: simulator.url, appId: workspaceId, apiKey },
	});
	const workflow = JSON.parse(fs.readFileSync(DEMO_WORKFLOW, 'utf8'));
	await importWorkflow(n8n, userFolder, workflow);
	return workflow;
}

/** SIGTERM, n8n's graceful shutdown, then SIGKILL if it takes longer than 20 s. */
async function stopProcess(child) {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
	await exited;
	clearTimeout(timer);
}

module.exports = {
	environment,
	stopProcess,
	importDemo,
	CACHE,
	freePort,
	RUNTIMES,
	ensureN8n,
	packPackage,
	unpackPackage,
	createUserFolder,
	importCredential,
	importWorkflow,
	importWorkflows,
	executeWorkflow,
	outputOf,
	startN8n,
	cli,
	say,
	activateWorkflow,
	waitForWebhook,
	logIn,
	testCredential,
	listExecutions,
	readExecution,
};
