/**
 * How the runtimes (n8n 1.x and 2.x, Node 24, n8n's scanner) get into the cache: with npm's own
 * settings, never this project's, and marked installed only once they pass their checks.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { npmEnvironment, ensureInstalled, RECIPE } = require('../scripts/install');

/** What npm itself reads for a setting, run the way the installers run it: in a folder outside the project. */
function npmSetting(name: string, env: NodeJS.ProcessEnv): string {
	return spawnSync('npm', ['config', 'get', name], {
		cwd: os.tmpdir(),
		env,
		encoding: 'utf8',
	}).stdout.trim();
}

describe("the runtime installers' npm", () => {
	// `npm exec` from the project root exports the project's .npmrc to its child exactly as
	// `npm run demo` does: the environment the installers are called in.
	const underNpmRun = (() => {
		const script =
			"console.log(JSON.stringify({ inherited: process.env, installer: require('./scripts/install').npmEnvironment() }))";
		const child = spawnSync('npm', ['exec', '--', 'node', '-e', script], {
			cwd: ROOT,
			encoding: 'utf8',
		});
		return JSON.parse(child.stdout) as {
			inherited: NodeJS.ProcessEnv;
			installer: NodeJS.ProcessEnv;
		};
	})();

	it("is called, under npm run, in an environment that carries the project's ignore-scripts and legacy-peer-deps", () => {
		expect(npmSetting('ignore-scripts', underNpmRun.inherited)).toBe('true');
		expect(npmSetting('legacy-peer-deps', underNpmRun.inherited)).toBe('true');
	});

	it('runs install scripts (sqlite3 gets built) and resolves peers: neither setting reaches it', () => {
		expect(npmSetting('ignore-scripts', underNpmRun.installer)).toBe('false');
		expect(npmSetting('legacy-peer-deps', underNpmRun.installer)).toBe('false');
		expect(
			Object.keys(underNpmRun.installer).filter((name) =>
				/^npm_config_(ignore_scripts|legacy_peer_deps)$/i.test(name),
			),
		).toEqual([]);
	});

	it("keeps the user's registry, proxy and PATH, and what the installer adds (Node 24's headers)", () => {
		const env = npmEnvironment(
			{
				PATH: '/bin',
				npm_config_registry: 'http://127.0.0.1:4873/',
				npm_config_https_proxy: 'http://proxy:3128',
				npm_config_force: 'true',
			},
			{ npm_config_nodedir: '/opt/node-24' },
		);
		expect(env).toEqual({
			PATH: '/bin',
			npm_config_registry: 'http://127.0.0.1:4873/',
			npm_config_https_proxy: 'http://proxy:3128',
			npm_config_nodedir: '/opt/node-24',
		});
	});
});

describe('a runtime folder in the cache', () => {
	let dir: string;
	let log: string[];
	let stderr: jest.SpyInstance;
	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moengage-install-test-'));
		log = [];
		stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
			log.push(String(chunk));
			return true;
		});
	});
	afterEach(() => {
		stderr.mockRestore();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	/** A fake tool: `install` writes node_modules/tool, the checks read it. */
	const tool = (state: {
		quick?: string;
		full?: string;
		installs?: number;
		repairs?: number;
		fixedByInstall?: boolean;
	}) => ({
		dir,
		name: 'the tool',
		why: 'tests need it.',
		manifest: { name: 'tool-runtime' },
		install: async () => {
			state.installs = (state.installs ?? 0) + 1;
			fs.mkdirSync(path.join(dir, 'node_modules', 'tool'), { recursive: true });
			if (state.fixedByInstall) state.quick = state.full = undefined;
		},
		quickCheck: async () => state.quick,
		fullCheck: async () => state.full,
		repair: async () => {
			state.repairs = (state.repairs ?? 0) + 1;
			state.quick = undefined;
		},
	});
	const marker = () => JSON.parse(fs.readFileSync(path.join(dir, '.installed'), 'utf8'));

	it('is installed, checked and marked on first use, and left alone after that', async () => {
		const state = {};
		await ensureInstalled(tool(state));
		await ensureInstalled(tool(state));
		expect(state).toEqual({ installs: 1 });
		expect(marker().recipe).toBe(RECIPE);
		expect(log.join('')).toMatch(/Installing the tool into .* \(once\): tests need it\./);
	});

	it('is not marked when the install fails its check, so the next run tries again', async () => {
		const state = { full: 'n8n start did not come up: Error: Command "start" not found' };
		await expect(ensureInstalled(tool(state))).rejects.toThrow(
			/fails its check: n8n start did not come up: Error: Command "start" not found/,
		);
		expect(fs.existsSync(path.join(dir, '.installed'))).toBe(false);
	});

	it('is repaired when its quick check fails (sqlite3 build deleted), saying why', async () => {
		await ensureInstalled(tool({}));
		const state = { quick: 'sqlite3 failed: Cannot find module node_sqlite3.node' };
		await ensureInstalled(tool(state));
		expect(state).toEqual({ repairs: 1 });
		expect(log.join('')).toMatch(
			/the tool in .* is broken \(sqlite3 failed: Cannot find module node_sqlite3.node\): repairing it\.\n.*the tool repaired\./,
		);
	});

	it('is reinstalled when the repair does not fix it', async () => {
		await ensureInstalled(tool({}));
		const state = { quick: 'sqlite3 failed', full: 'still broken', fixedByInstall: true };
		const broken = tool(state);
		await ensureInstalled({ ...broken, repair: async () => undefined });
		expect(state).toMatchObject({ installs: 1 });
		expect(log.join('')).toMatch(
			/still fails after the repair \(sqlite3 failed\): reinstalling it/,
		);
		expect(marker().recipe).toBe(RECIPE);
	});

	it('written by an earlier installer (a date as marker, no check) is checked in full and reinstalled when n8n start fails', async () => {
		fs.mkdirSync(path.join(dir, 'node_modules', 'tool'), { recursive: true });
		fs.writeFileSync(path.join(dir, '.installed'), '2026-11-01T10:00:00.000Z');
		const state = {
			full: 'n8n start did not come up: Error: Command "start" not found',
			fixedByInstall: true,
		};
		await ensureInstalled(tool(state));
		expect(state).toMatchObject({ installs: 1 });
		expect(log.join('')).toMatch(
			/has no record of a checked install[\s\S]*fails its check \(n8n start did not come up: Error: Command "start" not found\): reinstalling it/,
		);
		expect(marker().recipe).toBe(RECIPE);
	});

	it('written by an earlier installer that passes the full check is kept without a reinstall', async () => {
		fs.mkdirSync(path.join(dir, 'node_modules', 'tool'), { recursive: true });
		fs.writeFileSync(path.join(dir, '.installed'), '2026-11-01T10:00:00.000Z');
		const state = {};
		await ensureInstalled(tool(state));
		expect(state).toEqual({});
		expect(marker().recipe).toBe(RECIPE);
	});
});
