#!/usr/bin/env node
'use strict';
/**
 * npm run demo [-- --n8n 2]: the product at work with no MoEngage account. Builds and packs the
 * package, starts the MoEngage simulator, runs examples/demo-get-users.json in real n8n with its CLI,
 * and prints what came out of the Found and Not Found outputs.
 */
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { createSimulator } = require('../simulator/simulator');
const runtime = require('./n8n');

const ROOT = path.resolve(__dirname, '..');

function table(rows, columns) {
	const widths = columns.map((column) =>
		Math.max(column.length, ...rows.map((row) => String(row[column] ?? '').length)),
	);
	const line = (cells) => cells.map((cell, i) => String(cell ?? '').padEnd(widths[i])).join('  ');
	return [
		line(columns),
		line(widths.map((width) => '-'.repeat(width))),
		...rows.map((row) => line(columns.map((c) => row[c]))),
	].join('\n');
}

async function main() {
	const { values } = parseArgs({ options: { n8n: { type: 'string', default: '1' } } });
	const major = Number(values.n8n);
	if (!runtime.RUNTIMES[major]) throw new Error('--n8n takes 1 or 2');

	runtime.say('Building the package…');
	require('node:child_process').execFileSync('npm', ['run', 'build', '--silent'], {
		cwd: ROOT,
		stdio: 'inherit',
	});
	const n8n = await runtime.ensureN8n(major);

	const simulator = createSimulator({ users: 1000, seed: 1 });
	const url = await simulator.start();
	runtime.say(
		`MoEngage simulator on ${url} (workspace ${simulator.config.workspaceId}, ${simulator.users.length} users)`,
	);
	const userFolder = runtime.createUserFolder();
	try {
		const workflow = await runtime.importDemo(n8n, userFolder, simulator);
		runtime.say(`Running "${workflow.name}" in n8n ${n8n.version}…`);
		const result = await runtime.executeWorkflow(n8n, userFolder, workflow.id);
		if (result.code !== 0 || !result.run) {
			process.stderr.write(`${result.stdout}\n${result.stderr}\n`);
			throw new Error(`n8n execute exited with ${result.code}`);
		}
		const rows = runtime.outputOf(result.run, 'Spreadsheet rows');
		const sourceRow = (item) =>
			rows[item.pairedItem?.item ?? item.pairedItem?.[0]?.item]?.json ?? {};
		const found = runtime.outputOf(result.run, 'MoEngage', 0);
		const notFound = runtime.outputOf(result.run, 'MoEngage', 1);
		const requests = simulator.log.filter((entry) => entry.path.startsWith('/v1/customers/export'));
		const distinct = new Set(
			requests.flatMap((entry) => entry.identifiers ?? []).map((id) => id.identifier),
		);

		console.log(
			`\nn8n ${n8n.version} ran "${workflow.name}" in ${(result.ms / 1000).toFixed(1)} s.`,
		);
		console.log(
			`${rows.length} spreadsheet rows → ${distinct.size} distinct customer IDs → ${requests.length} request(s) to MoEngage.\n`,
		);
		console.log(`Found (${found.length}) → "Update CRM"`);
		console.log(
			table(
				found.map((item) => ({ row: sourceRow(item).row, ...item.json })),
				['row', 'customer_id', 'name', 'email', 'city', 'plan'],
			),
		);
		console.log(`\nNot Found (${notFound.length}) → "Add to missing list"`);
		console.log(
			table(
				notFound.map((item) => ({ row: sourceRow(item).row, ...item.json })),
				['row', 'identifier_type', 'identifier'],
			),
		);
		console.log(
			`\nMoEngage answered: ${requests.map((entry) => `${entry.status} for ${entry.identifiers?.length ?? 0} identifiers`).join(', ')}.`,
		);
		if (found.length + notFound.length !== rows.length) {
			throw new Error(`${rows.length} rows went in but ${found.length + notFound.length} came out`);
		}
	} finally {
		await simulator.stop();
		fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(`demo failed: ${error.message}`);
	process.exit(1);
});
