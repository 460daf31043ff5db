#!/usr/bin/env node
'use strict';
/**
 * npm run simulator -- [--port 4010] [--users 1000] [--seed 1] [--limit 1000] [--window-ms 60000] [--latency-ms 0]
 *   starts the receiving simulator (MoEngage's Data API), as before.
 * npm run simulator -- streams --to <url> [--events 100] [--batch-size 100] [--seed 1]
 *     [--user U --password P] [--header "Name: value"]... [--time-scale 1] [--timeout-ms 5000] [--repeat 1]
 *   sends MoEngage Streams batches to a receiver, with MoEngage's retries (./streams.js).
 * npm run simulator -- connector --to <url> [--method POST] [--body-type json|form|raw] [--body '<text>']
 *     [--query "a=1"]... [--header "Name: value"]... [--user U --password P] [--timeout-ms 5000]
 *   makes one connector campaign call.
 * npm run simulator -- alert --to <url> --key <key> [--type CAMPAIGN_STATS] [--signing pipe|concat|none|wrong]
 *   sends one signed alert webhook.
 * The sending commands exit 1 when MoEngage would count the send as failed, and never print a
 * password, a key or a header's value.
 */
const { parseArgs } = require('node:util');
const { createSimulator } = require('./simulator');
const {
	alertPayload,
	createStreamsSender,
	sendAlert,
	sendConnectorCall,
	streamEvents,
	MOENGAGE_TIMEOUT_MS,
} = require('./streams');

const SENDING = {
	to: { type: 'string' },
	header: { type: 'string', multiple: true, default: [] },
	user: { type: 'string' },
	password: { type: 'string' },
	'timeout-ms': { type: 'string', default: String(MOENGAGE_TIMEOUT_MS) },
};
const OPTIONS = {
	serve: {
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
	streams: {
		...SENDING,
		events: { type: 'string', default: '100' },
		'batch-size': { type: 'string', default: '100' },
		seed: { type: 'string', default: '1' },
		'app-name': { type: 'string' },
		'time-scale': { type: 'string', default: '1' },
		repeat: { type: 'string', default: '1' },
	},
	connector: {
		...SENDING,
		method: { type: 'string', default: 'POST' },
		'body-type': { type: 'string', default: 'json' },
		body: { type: 'string' },
		query: { type: 'string', multiple: true, default: [] },
	},
	alert: {
		to: { type: 'string' },
		key: { type: 'string' },
		type: { type: 'string', default: 'CAMPAIGN_STATS' },
		seed: { type: 'string', default: '1' },
		signing: { type: 'string', default: 'pipe' },
		'timeout-ms': { type: 'string', default: String(MOENGAGE_TIMEOUT_MS) },
	},
};

/** The command is the first word, when there is one: none starts the receiving simulator. */
function parse(argv) {
	const command = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'serve';
	if (!(command in OPTIONS))
		throw new Error(`unknown command "${command}": use streams, connector, alert, or none`);
	const { values, positionals } = parseArgs({
		args: argv,
		options: OPTIONS[command],
		allowPositionals: true,
	});
	const extra = positionals.slice(command === 'serve' ? 0 : 1);
	if (extra.length > 0) throw new Error(`unexpected argument "${extra[0]}"`);
	return { command, values };
}

/** A number option, refused when it is not one. */
function numberOf(values, name) {
	const value = Number(values[name]);
	if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, not "${values[name]}"`);
	return value;
}

/** --header "Name: value" lines, as the Streams ticket and the connector campaign list them. */
function headersOf(lines) {
	const headers = {};
	for (const line of lines) {
		const colon = line.indexOf(':');
		if (colon < 1) throw new Error(`--header takes "Name: value", not "${line}"`);
		headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
	}
	return headers;
}

function sendingOptions(values) {
	if (!values.to) throw new Error('--to <url> is required');
	if ((values.user === undefined) !== (values.password === undefined))
		throw new Error('Basic auth needs both --user and --password');
	return {
		to: values.to,
		headers: headersOf(values.header ?? []),
		auth: values.user === undefined ? undefined : { user: values.user, password: values.password },
		timeoutMs: numberOf(values, 'timeout-ms'),
	};
}

/** The URL as it may be printed: without a user or password written into it. */
function printable(to) {
	const url = new URL(to);
	url.username = '';
	url.password = '';
	return url.toString();
}

/** What the receiver is sent, by name only: header values are often keys. */
function authSummary({ auth, headers }) {
	const parts = [];
	if (auth) parts.push(`Basic auth as "${auth.user}"`);
	const names = Object.keys(headers);
	if (names.length > 0) parts.push(`headers ${names.join(', ')}`);
	return parts.length > 0 ? parts.join(' and ') : 'no auth';
}

const seconds = (ms) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

async function streams(values) {
	const sending = sendingOptions(values);
	const repeat = numberOf(values, 'repeat');
	const timeScale = numberOf(values, 'time-scale');
	const appName = values['app-name'];
	const events = streamEvents({
		count: numberOf(values, 'events'),
		seed: numberOf(values, 'seed'),
		...(appName ? { appName } : {}),
	});
	const sender = createStreamsSender({
		...sending,
		...(appName ? { appName } : {}),
		batchSize: numberOf(values, 'batch-size'),
		timeScale,
		onAttempt(attempt) {
			// The receiver's own words (the MoEngage Trigger counts new and repeated events), kept short.
			const said = attempt.answer ? ` — ${attempt.answer.replace(/\s+/g, ' ').slice(0, 160)}` : '';
			const outcome =
				attempt.status === undefined ? `failed (${attempt.error})` : `${attempt.status}`;
			const next =
				attempt.retryInMs === undefined
					? attempt.status === undefined || attempt.status < 200 || attempt.status > 299
						? ', dropped: no retries left'
						: ''
					: `, retry in ${seconds(attempt.retryInMs)}${timeScale === 1 ? '' : ` (×${timeScale}: ${Math.round(attempt.waitMs)} ms)`}`;
			console.log(
				`batch ${attempt.batch}/${attempt.batches} ${attempt.moe_request_id} (${attempt.events} events) attempt ${attempt.attempt}: ${outcome} in ${attempt.ms} ms${next}${said}`,
			);
		},
	});
	console.log(
		`Streams → ${printable(sending.to)}: ${events.length} events, ${authSummary(sending)}`,
	);
	const batches = sender.batches(events);
	let failed = false;
	for (let round = 1; round <= repeat; round++) {
		// A repeat sends the very same bodies again, as a resend after a lost answer would.
		if (round > 1)
			console.log(`repeat ${round}/${repeat}: the same ${batches.length} batches again`);
		const report = await sender.deliver(batches);
		console.log(
			`${report.batches.length} batch${report.batches.length === 1 ? '' : 'es'}: ${report.delivered} delivered, ${report.dropped} dropped; ` +
				`${report.events.total} events: ${report.events.delivered} delivered, ${report.events.dropped} dropped`,
		);
		if (report.dropped > 0) failed = true;
	}
	return failed ? 1 : 0;
}

async function connector(values) {
	const sending = sendingOptions(values);
	const method = values.method.toUpperCase();
	const answer = await sendConnectorCall({
		...sending,
		method,
		bodyType: values['body-type'],
		body: values.body,
		query: values.query.map((pair) => new URLSearchParams(pair)).flatMap((params) => [...params]),
	});
	console.log(`Connector ${method} → ${printable(sending.to)} (${authSummary(sending)})`);
	console.log(
		`${answer.status}: MoEngage counts it as ${answer.sent ? 'Sent' : 'Failed (only a 200 is Sent)'}`,
	);
	if (answer.body) console.log(answer.body);
	return answer.sent ? 0 : 1;
}

async function alert(values) {
	if (!values.to) throw new Error('--to <url> is required');
	const payload = alertPayload(values.type, numberOf(values, 'seed'));
	const answer = await sendAlert({
		to: values.to,
		key: values.key,
		payload,
		signing: values.signing,
		timeoutMs: numberOf(values, 'timeout-ms'),
	});
	console.log(
		`Alert ${values.type} → ${printable(values.to)}, signature: ${values.signing}: ${answer.status}`,
	);
	return answer.status >= 200 && answer.status < 300 ? 0 : 1;
}

async function serve(values) {
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
	console.log(`  Inform key:    ${config.informKey} (Sandbox Base URL → ${url}/sandbox)`);
	console.log(`  Report key:    ${config.reportKey} (Campaign report: campaign stats)`);
	console.log(
		`  Inform alerts: ${config.alerts.map((alert) => `${alert.referenceName} (id ${alert.id}, test id ${alert.testId})`).join(', ')}`,
	);
	console.log(
		`  Campaigns:     ${simulator.campaigns.length} (e.g. "${simulator.campaigns[0].id}"), active 2024-12-31 to 2025-01-31`,
	);
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

const USAGE = `Usage: npm run simulator -- [command] [options]
  (no command)  start the receiving simulator: [--port 4010] [--host 127.0.0.1] [--users 1000] [--seed 1]
                [--limit 1000] [--window-ms 60000] [--latency-ms 0] [--workspace ID] [--key KEY]
  streams       --to <url> [--events 100] [--batch-size 100] [--seed 1] [--app-name NAME]
                [--user U --password P] [--header "Name: value"]... [--time-scale 1]
                [--timeout-ms ${MOENGAGE_TIMEOUT_MS}] [--repeat 1]
  connector     --to <url> [--method POST] [--body-type json|form|raw] [--body TEXT] [--query "a=1"]...
                [--header "Name: value"]... [--user U --password P] [--timeout-ms ${MOENGAGE_TIMEOUT_MS}]
  alert         --to <url> --key <key> [--type CAMPAIGN_STATS] [--seed 1] [--signing pipe|concat|none|wrong]
                [--timeout-ms ${MOENGAGE_TIMEOUT_MS}]`;

async function main() {
	const argv = process.argv.slice(2);
	if (argv[0] === 'help' || argv.includes('--help') || argv.includes('-h'))
		return console.log(USAGE);
	const { command, values } = parse(argv);
	if (command === 'serve') return serve(values);
	const run = { streams, connector, alert }[command];
	process.exitCode = await run(values);
}

main().catch((error) => {
	console.error(error.message);
	process.exit(1);
});
