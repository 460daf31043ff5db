'use strict';
/**
 * Tools installed on the fly (n8n 1.x and 2.x, Node 24, n8n's package scanner) live in folders of a
 * cache outside the repository, reused by every clone on the machine. A folder counts as installed
 * only when its `.installed` marker was written by this recipe after the tool passed its checks;
 * anything else is checked, repaired or reinstalled, with a line saying why. Nobody has to delete
 * the cache by hand.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CACHE =
	process.env.N8N_MOENGAGE_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-moengage');

/**
 * Raise when how a tool is installed or checked changes: folders marked by an older recipe are
 * checked in full again (recipe 1 wrote a marker without any check, whatever npm had done).
 */
const RECIPE = 2;

function say(message) {
	process.stderr.write(`[n8n-moengage] ${message}\n`);
}

/**
 * Settings a user may set in the environment for npm to reach the registry at all. Every other
 * `npm_config_*` variable is dropped: under `npm run …` npm exports this project's `.npmrc`
 * (`ignore-scripts`, `legacy-peer-deps`) to every child, and an n8n installed with them has no
 * built sqlite3 and unresolved peers. The installers' npm reads the user's and the global npmrc
 * itself, so nothing the machine needs is lost.
 */
const NETWORK_SETTINGS = new Set([
	'registry',
	'proxy',
	'https_proxy',
	'http_proxy',
	'noproxy',
	'cafile',
	'ca',
	'cert',
	'key',
	'strict_ssl',
	'cache',
	'userconfig',
	'globalconfig',
	'fetch_retries',
	'fetch_retry_mintimeout',
	'fetch_retry_maxtimeout',
	'fetch_timeout',
	'maxsockets',
]);

/** The environment the installers run npm in: `base` without the project's npm settings, plus `extra`. */
function npmEnvironment(base = process.env, extra = {}) {
	const environment = {};
	for (const [name, value] of Object.entries(base)) {
		const setting = /^npm_config_(.+)$/i.exec(name)?.[1].toLowerCase();
		if (setting !== undefined && !NETWORK_SETTINGS.has(setting)) continue;
		environment[name] = value;
	}
	return { ...environment, ...extra };
}

/**
 * npm with a progress line every 500 packages fetched instead of thousands of log lines; the rest
 * of npm's output (errors, build logs) is shown as it comes.
 */
function npm(args, { cwd, env = {} }) {
	say(`npm ${args.join(' ')}   (in ${cwd})`);
	const started = Date.now();
	const result = spawnSync(
		'bash',
		[
			'-c',
			// awk keeps the log short: a progress line per 500 packages fetched; warnings (EBADENGINE…) are dropped
			`npm "$@" --loglevel=http 2>&1 | awk '/^npm warn/ { next } /^npm http/ { n++; if (n % 500 == 0) { printf "[n8n-moengage]   %d packages fetched…\\n", n; fflush() } next } { print; fflush() }'; exit \${PIPESTATUS[0]}`,
			'npm',
			...args,
		],
		{ stdio: 'inherit', cwd, env: npmEnvironment(process.env, env) },
	);
	if (result.status !== 0)
		throw new Error(`npm ${args.join(' ')} failed with exit code ${result.status}`);
	say(`done in ${Math.round((Date.now() - started) / 1000)} s`);
}

function readMarker(dir) {
	try {
		return JSON.parse(fs.readFileSync(path.join(dir, '.installed'), 'utf8'));
	} catch {
		return undefined;
	}
}

function folderSize(dir) {
	const result = spawnSync('du', ['-sh', dir], { encoding: 'utf8' });
	return result.status === 0 ? result.stdout.split('\t')[0] : '?';
}

/**
 * Makes `dir` hold a working `name`.
 * - `manifest`: the folder's package.json; `install()` runs npm in the folder.
 * - `quickCheck()`: run on every use (must take well under a second or two); `fullCheck()`: run
 *   after an install or repair and on folders this recipe has not checked. Each returns a problem
 *   (a short sentence) or nothing.
 * - `repair()`: optional, tried before a reinstall when the quick check fails.
 */
async function ensureInstalled({
	dir,
	name,
	why,
	manifest,
	install,
	quickCheck,
	fullCheck = async () => undefined,
	repair,
}) {
	const check = async () => (await quickCheck()) ?? (await fullCheck());
	const mark = () =>
		fs.writeFileSync(
			path.join(dir, '.installed'),
			JSON.stringify({ recipe: RECIPE, name, checkedAt: new Date().toISOString() }) + '\n',
		);

	const marker = readMarker(dir);
	const hasModules = fs.existsSync(path.join(dir, 'node_modules'));
	if (marker?.recipe === RECIPE && hasModules) {
		const problem = await quickCheck();
		if (!problem) return;
		if (repair) {
			say(`${name} in ${dir} is broken (${problem}): repairing it.`);
			try {
				await repair();
				const left = await check();
				if (!left) {
					mark();
					say(`${name} repaired.`);
					return;
				}
				say(`${name} still fails after the repair (${left}): reinstalling it.`);
			} catch (error) {
				say(`The repair failed (${error.message}): reinstalling ${name}.`);
			}
		} else {
			say(`${name} in ${dir} is broken (${problem}): reinstalling it.`);
		}
	} else if (hasModules) {
		say(
			`${name} in ${dir} has no record of a checked install (an install was interrupted, or an earlier version of this project made it): checking it (about a minute).`,
		);
		const problem = await check();
		if (!problem) {
			mark();
			say(`${name} passed its checks.`);
			return;
		}
		say(`${name} in ${dir} fails its check (${problem}): reinstalling it.`);
	} else {
		say(`Installing ${name} into ${dir} (once): ${why}`);
	}

	const started = Date.now();
	fs.rmSync(path.join(dir, '.installed'), { force: true });
	fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
	fs.rmSync(path.join(dir, 'package-lock.json'), { force: true });
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(
		path.join(dir, 'package.json'),
		JSON.stringify({ private: true, ...manifest }, null, 2),
	);
	await install();
	say(`Checking ${name}…`);
	const problem = await check();
	if (problem) throw new Error(`${name} was installed into ${dir} but fails its check: ${problem}`);
	mark();
	say(
		`${name} installed and checked in ${Math.round((Date.now() - started) / 1000)} s (${folderSize(dir)} in ${dir}).`,
	);
}

/** Whether a command is on PATH. */
const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/**
 * Installs Debian's packages for a test that needs them: as root (CI and developers' machines
 * here), or through passwordless sudo (GitHub's runners). Anyone else gets the one command to run,
 * at once, instead of a failing suite.
 */
function ensureDebianPackages(packages, why) {
	const command = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
	const hasAptGet = has('apt-get');
	const asRoot = process.getuid?.() === 0;
	const viaSudo = !asRoot && spawnSync('sudo', ['-n', 'true']).status === 0;
	if (!hasAptGet || (!asRoot && !viaSudo)) {
		throw new Error(
			`${why} Install Debian's ${packages.join(', ')} first:\n  sudo sh -c '${command}'`,
		);
	}
	say(`Installing Debian's ${packages.join(', ')} (once per machine): ${why}`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	for (const args of [
		['update', '-qq'],
		['install', '-y', '-qq', '--no-install-recommends', ...packages],
	]) {
		const [command, commandArgs] = asRoot
			? ['apt-get', args]
			: ['sudo', ['-n', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]];
		const result = spawnSync(command, commandArgs, {
			env,
			encoding: 'utf8',
			maxBuffer: 64 * 1024 * 1024,
		});
		if (result.status !== 0)
			throw new Error(`apt-get ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
	}
}

module.exports = {
	CACHE,
	RECIPE,
	say,
	npm,
	npmEnvironment,
	ensureInstalled,
	ensureDebianPackages,
	has,
};
