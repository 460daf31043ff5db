'use strict';
/**
 * Throwaway Redis and PostgreSQL on loopback for n8n's queue mode (Debian's packages, installed
 * when missing). Every start returns a stop function; data lives in a temporary folder that the
 * stop removes.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./n8n');
const { ensureDebianPackages, has } = require('./install');

function run(command, args, options = {}) {
	const result = spawnSync(command, args, { encoding: 'utf8', ...options });
	if (result.status !== 0) {
		throw new Error(
			`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
		);
	}
	return result.stdout;
}

const isRoot = process.getuid?.() === 0;

/** The newest PostgreSQL server binaries Debian installed, e.g. /usr/lib/postgresql/15/bin. */
function postgresBin() {
	const root = '/usr/lib/postgresql';
	const versions = fs.existsSync(root)
		? fs.readdirSync(root).filter((name) => fs.existsSync(path.join(root, name, 'bin', 'initdb')))
		: [];
	versions.sort((a, b) => Number(b) - Number(a));
	return versions.length > 0 ? path.join(root, versions[0], 'bin') : undefined;
}

/** Debian's redis-server and postgresql, installed when missing. */
function ensureServices() {
	const missing = [];
	if (!has('redis-server')) missing.push('redis-server');
	if (!postgresBin()) missing.push('postgresql');
	if (missing.length > 0)
		ensureDebianPackages(missing, 'n8n queue mode runs on Redis and PostgreSQL.');
}

async function startRedis() {
	const port = await freePort();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-moengage-redis-'));
	run('redis-server', [
		'--port',
		String(port),
		'--bind',
		'127.0.0.1',
		'--dir',
		dir,
		'--save',
		'',
		'--appendonly',
		'no',
		'--daemonize',
		'yes',
		'--pidfile',
		path.join(dir, 'redis.pid'),
		'--logfile',
		path.join(dir, 'redis.log'),
	]);
	for (let tries = 0; tries < 50; tries++) {
		if (
			spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() ===
			'PONG'
		) {
			const stop = () => {
				spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave']);
				fs.rmSync(dir, { recursive: true, force: true });
			};
			return { port, stop };
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(
		`Redis did not answer PING on port ${port}: ${fs.readFileSync(path.join(dir, 'redis.log'), 'utf8')}`,
	);
}

/** PostgreSQL refuses to run as root: initdb and pg_ctl run as the postgres user, on folders it owns. */
async function startPostgres() {
	const bin = postgresBin();
	const port = await freePort();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-moengage-pg-'));
	const data = path.join(dir, 'data');
	const log = path.join(dir, 'postgres.log');
	const asPostgres = (command, args, options) =>
		isRoot
			? run('runuser', ['-u', 'postgres', '--', command, ...args], options)
			: run(command, args, options);
	if (isRoot) run('chown', ['postgres:postgres', dir]);
	fs.chmodSync(dir, 0o755);
	asPostgres(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync']);
	asPostgres(path.join(bin, 'pg_ctl'), [
		'-D',
		data,
		'-l',
		log,
		'-w',
		'-o',
		`-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off`,
		'start',
	]);
	const stop = () => {
		try {
			asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
		} catch {
			// already stopped
		}
		fs.rmSync(dir, { recursive: true, force: true });
	};
	try {
		psql(port, 'postgres', 'CREATE DATABASE n8n');
	} catch (error) {
		stop();
		throw error;
	}
	return { port, database: 'n8n', user: 'postgres', stop };
}

/** Runs one SQL statement over TCP as the postgres user; returns its unaligned output. */
function psql(port, database, sql) {
	return run(
		'psql',
		['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-At', '-c', sql],
		{
			maxBuffer: 512 * 1024 * 1024,
		},
	);
}

module.exports = { ensureServices, startRedis, startPostgres, psql, freePort };
