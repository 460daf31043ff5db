#!/usr/bin/env node
'use strict';
/**
 * npm run scan (part of npm test): n8n's community-package scanner, the gate a package must pass
 * to be verified by n8n, run here as n8n runs it: its analyser on the sources (nodes/, credentials/,
 * package.json) and on the packed tarball. The published scanner also checks npm provenance and
 * downloads the package from the registry; neither is possible before a release.
 *
 * The scanner lives in its own folder of the cache: installed with this project's legacy-peer-deps
 * it gets TypeScript 7 hoisted and crashes.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const { CACHE, say, npm, ensureInstalled } = require('./install');
const { packPackage, unpackPackage } = require('./n8n');

const ROOT = path.resolve(__dirname, '..');
const SCANNER_VERSION = '0.32.0';

async function loadScanner() {
	const dir = path.join(CACHE, `scan-community-package-${SCANNER_VERSION}`);
	const entry = path.join(
		dir,
		'node_modules',
		'@n8n',
		'scan-community-package',
		'scanner',
		'scanner.mjs',
	);
	await ensureInstalled({
		dir,
		name: `n8n's package scanner ${SCANNER_VERSION}`,
		why: 'npm test runs the checks n8n runs on community packages.',
		manifest: {
			name: 'scan-community-package-runtime',
			dependencies: { '@n8n/scan-community-package': SCANNER_VERSION },
		},
		// eslint-plugin-n8n-nodes-base's preinstall script (`npx only-allow pnpm`) fails under npm;
		// nothing in the scanner needs an install script.
		install: () => npm(['install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir }),
		quickCheck: async () =>
			fs.existsSync(entry) ? undefined : `${path.relative(dir, entry)} is missing`,
	});
	return await import(pathToFileURL(entry).href);
}

async function main() {
	const scanner = await loadScanner();
	const tarball = path.basename(packPackage());
	const packed = unpackPackage(fs.mkdtempSync(path.join(os.tmpdir(), 'moengage-scan-')));
	// A copy of the package with one forbidden call, to prove the analyser lints what it is given:
	// a gate that passes everything would pass that too.
	const canary = unpackPackage(fs.mkdtempSync(path.join(os.tmpdir(), 'moengage-scan-')));
	try {
		fs.appendFileSync(
			path.join(canary, 'dist', 'nodes', 'MoEngage', 'MoEngage.node.js'),
			'\nconsole.log("canary");\n',
		);
		const legs = [
			['sources', await scanner.analyzePackage(ROOT, scanner.SOURCE_FILE_PATTERNS)],
			[tarball, await scanner.analyzePackage(packed, ['**/*.js', 'package.json'])],
		];
		const canaryResult = await scanner.analyzePackage(canary, ['**/*.js', 'package.json']);
		let passed = true;
		for (const [name, result] of legs) {
			say(`scanner on the ${name}: ${result.passed ? 'passed' : `FAILED: ${result.message}`}`);
			if (result.details) process.stderr.write(`${result.details}\n`);
			passed &&= result.passed;
		}
		if (canaryResult.passed || !/no-console/.test(canaryResult.details ?? '')) {
			say(
				'scanner check FAILED: it passed a copy of the package with console.log in the node, so it checks nothing.',
			);
			passed = false;
		} else {
			say(
				'scanner on a copy with console.log added to the node: refused it (no-console), as it should.',
			);
		}
		if (!passed) process.exitCode = 1;
	} finally {
		fs.rmSync(packed, { recursive: true, force: true });
		fs.rmSync(canary, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(`scan failed: ${error.message}`);
	process.exit(1);
});
