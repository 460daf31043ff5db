#!/usr/bin/env node
'use strict';
// npm run simulator -- --port 4010 [--users 1000] [--seed 1] [--limit 1000] [--window-ms 60000] [--latency-ms 0]
const { parseArgs } = require('node:util');
const { createSimulator } = require('./simulator');

const { values } = parseArgs({
	options: {
		port: { type: 'string', default: '4010' },
		host: { type: 'string', default: '127.0.0.1' },
		users: { type: 'string', default: '1000' },
		seed: { type: 'string', default: '1' },
		limit: { type: 'string', default: '1000' },
		'window-ms': { type: 'string', default: '60000' },
		'latency-ms': { type: 'string', default: '0' },
		workspace: { type: 'string' },
		key: { type: 'string' },
	},
});

async function main() {
	const simulator = createSimulator({
		users: Number(values.users),
		seed: Number(values.seed),
		usersPerWindow: Number(values.limit),
		windowMs: Number(values['window-ms']),
		latencyMs: Number(values['latency-ms']),
		workspaceId: values.workspace,
		apiKey: values.key,
	});
	const url = await simulator.start(Number(values.port), values.host);
	const { config, users } = simulator;
	console.log(`MoEngage simulator listening on ${url}`);
	console.log(`  Data center:   Custom URL → ${url}`);
	console.log(`  Workspace ID:  ${config.workspaceId}`);
	console.log(`  Data API key:  ${config.apiKey}`);
	console.log(
		`  Users:         ${users.length} (e.g. customer_id "${users[0].customer_id}", id "${users[0].id}")`,
	);
	console.log(`  Rate limit:    ${config.usersPerWindow} users per ${config.windowMs / 1000} s`);
	const stop = async () => {
		await simulator.stop();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error) => {
	console.error(error.message);
	process.exit(1);
});
