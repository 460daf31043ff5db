#!/usr/bin/env node
'use strict';
/**
 * npm start [-- --n8n 2] [-- --port 5678]: the n8n editor on 127.0.0.1 with the packed package
 * installed, the MoEngage simulator behind a ready credential, the demo workflow imported, the
 * Streams demo (MoEngage Trigger) imported and active, and an owner account created. Ctrl-C stops
 * everything it started.
 */
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { execFileSync } = require('node:child_process');

const { createSimulator } = require('../simulator/simulator');
const runtime = require('./n8n');

const ROOT = path.resolve(__dirname, '..');
const OWNER = {
	email: 'owner@example.com',
	firstName: 'Demo',
	lastName: 'Owner',
	password: 'MoEngage-demo-1',
};

/** Whether n8n has its owner: its settings stop asking for the setup page. */
async function ownerIsSetUp(url) {
	const response = await fetch(`${url}/rest/settings`);
	const settings = response.ok ? await response.json().catch(() => undefined) : undefined;
	return settings?.data?.userManagement?.showSetupOnFirstLoad === false;
}

async function setUpOwner(url, owner = OWNER) {
	// n8n answers /rest/settings a moment before all its REST routes are registered. Until then a
	// POST here answers 404, and can also pass for a success: on a busy machine this returned while
	// n8n had no owner, and the editor showed /setup instead of the sign-in page (n8n serves its
	// editor's page to early requests, the likely cause). So success is what n8n's settings say
	// afterwards, not the answer's status.
	let answered = '';
	for (let attempt = 0; attempt < 60; attempt++) {
		const response = await fetch(`${url}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(owner),
		});
		answered = `${response.status}: ${(await response.text()).slice(0, 300)}`;
		if (await ownerIsSetUp(url)) return;
		await new Promise((resolve) => setTimeout(resolve, 1000));
	}
	throw new Error(
		`n8n did not take its owner within a minute; owner setup last answered ${answered}`,
	);
}

const STREAMS_DEMO = path.join(ROOT, 'examples', 'demo-streams.json');
/** The Basic auth the Streams demo's trigger expects: what MoEngage would be given. */
const STREAMS_AUTH = { user: 'moengage-streams', password: 'streams-demo-1' };

/** The Streams demo with its credential, active: n8n registers the trigger's production URL when it starts. */
async function importStreamsDemo(n8n, userFolder) {
	const workflow = JSON.parse(fs.readFileSync(STREAMS_DEMO, 'utf8'));
	const trigger = workflow.nodes.find((node) => node.type.endsWith('.moEngageTrigger'));
	const credential = trigger.credentials.moEngageWebhookBasicAuthApi;
	await runtime.importCredential(n8n, userFolder, {
		...credential,
		type: 'moEngageWebhookBasicAuthApi',
		data: STREAMS_AUTH,
	});
	await runtime.importWorkflow(n8n, userFolder, workflow);
	await runtime.activateWorkflow(n8n, userFolder, workflow.id);
	return { workflow, path: `/webhook/${trigger.webhookId}/moengage` };
}

async function start({ major = 1, port = 5678, simulatorPort = 0, onOutput } = {}) {
	execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
	const n8n = await runtime.ensureN8n(major);
	const simulator = createSimulator({ users: 1000, seed: 1 });
	const simulatorUrl = await simulator.start(simulatorPort);
	const userFolder = runtime.createUserFolder();
	const stop = async () => {
		if (editor) await runtime.stopProcess(editor.child);
		await simulator.stop();
		fs.rmSync(userFolder, { recursive: true, force: true });
	};
	let editor;
	try {
		const workflow = await runtime.importDemo(n8n, userFolder, simulator);
		const streams = await importStreamsDemo(n8n, userFolder);
		editor = await runtime.startN8n(n8n, userFolder, { port, onOutput });
		await setUpOwner(editor.url);
		streams.url = `${editor.url}${streams.path}`;
		await runtime.waitForWebhook(streams.url);
		return {
			n8n,
			editor,
			simulator,
			simulatorUrl,
			userFolder,
			workflow,
			streams,
			owner: OWNER,
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

/** The days every campaign of the simulator was active: a report over them has figures for all. */
const campaignsActive = (campaigns) =>
	`${campaigns
		.map((campaign) => campaign.startDate)
		.sort()
		.at(-1)} … ${campaigns.map((campaign) => campaign.endDate).sort()[0]}`;

async function main() {
	const { values } = parseArgs({
		options: { n8n: { type: 'string', default: '1' }, port: { type: 'string', default: '5678' } },
	});
	const session = await start({
		major: Number(values.n8n),
		port: Number(values.port),
		simulatorPort: 4010,
	});
	const { n8n, editor, simulator, simulatorUrl, workflow, streams } = session;
	console.log(`
n8n ${n8n.version} is running with n8n-nodes-moengage installed.

  Editor:     ${editor.url}
  Log in:     ${OWNER.email} / ${OWNER.password}
  Workflow:   ${editor.url}/workflow/${workflow.id}  ("${workflow.name}")
  Credential: "MoEngage (local simulator)" → ${simulatorUrl}
              (Custom URL, Workspace ID ${simulator.config.workspaceId}, Data API key ${simulator.config.apiKey})
  Users:      cust-00001 … cust-01000; every seventh customer ID is numeric (100007, 100014, …)
  Inform:     a "MoEngage Inform API" credential: Custom URL, Base URL ${simulatorUrl},
              Sandbox Base URL ${simulatorUrl}/sandbox, Inform API key ${simulator.config.informKey}
              (alerts by reference name: ${simulator.config.alerts.map((alert) => alert.referenceName).join(', ')})
  Reports:    a "MoEngage Campaign Report API" credential: Custom URL, Base URL ${simulatorUrl},
              Campaign Report API key ${simulator.config.reportKey}
              (${simulator.campaigns.length} campaigns, all active ${campaignsActive(simulator.campaigns)})

  Trigger:    ${editor.url}/workflow/${streams.workflow.id}  ("${streams.workflow.name}", active)
              Production URL ${streams.url} (Basic auth ${STREAMS_AUTH.user} / ${STREAMS_AUTH.password})
  Send it a batch of events as MoEngage Streams does, in another terminal:
              npm run simulator -- streams --to ${streams.url} --events 100 --user ${STREAMS_AUTH.user} --password ${STREAMS_AUTH.password}

Press Ctrl-C to stop n8n and the simulator.`);
	let stopping = false;
	const shutdown = async () => {
		if (stopping) return;
		stopping = true;
		console.log('\nStopping n8n and the simulator…');
		await session.stop();
		process.exit(0);
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
	editor.child.on('exit', (code) => {
		if (!stopping) {
			console.error(`n8n exited (${code}).`);
			void shutdown();
		}
	});
}

module.exports = { start, setUpOwner, OWNER, STREAMS_AUTH };

if (require.main === module) {
	main().catch((error) => {
		console.error(`npm start failed: ${error.message}`);
		process.exit(1);
	});
}
