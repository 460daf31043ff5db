/**
 * The MoEngage Trigger in real n8n, on both majors people run: the packed package installed as a
 * community package, six trigger workflows imported and made active with n8n's CLI, one `n8n start`,
 * and MoEngage's sending side (the simulator) calling n8n's production webhook URLs. What a user
 * sees is asserted: n8n's answers, and the executions n8n saved, read back through its REST API.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';

import {
	alertPayload,
	createStreamsSender,
	sendAlert,
	sendConnectorCall,
	streamEvents,
	streamsBatches,
	type StreamEvent,
} from '../../simulator/streams';

import { productionPath, TRIGGER, triggerWorkflow } from '../support/webhook';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtime = require('../../scripts/n8n');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { setUpOwner, OWNER } = require('../../scripts/start');

const majors = (process.env.N8N_MAJORS ?? '1,2').split(',').map(Number);
const report: string[] = [];
const ROOT = path.join(__dirname, '..', '..');

const STREAMS_LOGIN = { user: 'moengage-streams', password: 'Streams-pw-7f3a9c' };
const CONNECTOR_HEADER = { name: 'X-MoEngage-Token', secret: 'connector-secret-51d2e8' };
const REPORT_KEY = 'campaign-report-key-0c4b77';

const CREDENTIALS = {
	basic: {
		id: 'trigBasicCred01',
		name: 'MoEngage Streams login',
		type: 'moEngageWebhookBasicAuthApi',
		data: STREAMS_LOGIN,
	},
	header: {
		id: 'trigHeaderCred01',
		name: 'MoEngage connector header',
		type: 'moEngageWebhookHeaderAuthApi',
		data: CONNECTOR_HEADER,
	},
	report: {
		id: 'trigReportCred01',
		name: 'MoEngage Campaign Report key',
		type: 'moEngageCampaignReportApi',
		data: { apiKey: REPORT_KEY },
	},
};
const credentialFor = (credential: { id: string; name: string; type: string }) => ({
	[credential.type]: { id: credential.id, name: credential.name },
});

const WORKFLOWS = {
	streams: triggerWorkflow(
		'trigStreamsBasic',
		1,
		{ source: 'streams', authentication: 'basicAuth' },
		credentialFor(CREDENTIALS.basic),
	),
	streamsCli: triggerWorkflow(
		'trigStreamsCli',
		2,
		{ source: 'streams', authentication: 'basicAuth' },
		credentialFor(CREDENTIALS.basic),
	),
	connector: triggerWorkflow(
		'trigConnector',
		3,
		{ source: 'connector', httpMethod: 'POST', authentication: 'headerAuth' },
		credentialFor(CREDENTIALS.header),
	),
	alert: triggerWorkflow('trigAlert', 4, { source: 'alert' }, credentialFor(CREDENTIALS.report)),
	hardBounces: triggerWorkflow('trigHardBounces', 5, {
		source: 'streams',
		authentication: 'none',
		campaignEvents: ['MOE_EMAIL_HARD_BOUNCE'],
	}),
	userActions: triggerWorkflow('trigUserActions', 6, {
		source: 'streams',
		authentication: 'none',
		eventTypes: ['userAction'],
	}),
};
type WorkflowName = keyof typeof WORKFLOWS;

type Execution = {
	id: string;
	status: string;
	mode: string;
	run: {
		resultData: {
			runData: Record<string, Array<{ data: { main: Array<Array<{ json: object }>> } }>>;
		};
	};
};
/** The items the trigger started the execution with. */
const itemsOf = (execution: Execution) =>
	execution.run.resultData.runData[TRIGGER][0].data.main[0].map(
		(item) => item.json as Record<string, unknown>,
	);

/** A Streams item: the event as MoEngage sent it, with the batch's app_name and moe_request_id. */
const asItem = (batch: { app_name: string; moe_request_id: string }, event: StreamEvent) => ({
	...event,
	app_name: batch.app_name,
	moe_request_id: batch.moe_request_id,
});
const uuids = (events: Array<{ event_uuid?: unknown }>) => events.map((event) => event.event_uuid);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long a refusal or a repeat is watched for an execution it must not start. */
const QUIET_MS = 3_000;

afterAll(() => {
	process.stdout.write(`\nMoEngage Trigger in real n8n: report\n${report.join('\n')}\n`);
});

describe.each(majors)('n8n %i.x: the MoEngage Trigger on its production URLs', (major) => {
	let n8n: { version: string; node: string; bin: string; major: number };
	let userFolder: string;
	let editor: { child: unknown; url: string; output: string[] } | undefined;
	let cookie: string;
	const timings: string[] = [];

	const urlOf = (name: WorkflowName) => `${editor!.url}${productionPath(WORKFLOWS[name])}`;

	const executionIds = async (name: WorkflowName) => {
		const { results } = await runtime.listExecutions(editor!.url, cookie, WORKFLOWS[name].id);
		return (results as Array<{ id: string }>).map((execution) => execution.id);
	};

	/**
	 * The executions of a workflow not among `before`, once n8n has saved them: polled until
	 * `expected` have finished and none is running, then watched a moment longer (QUIET_MS when none
	 * is expected) so that one too many shows.
	 */
	const newExecutions = async (
		name: WorkflowName,
		before: string[],
		expected: number,
	): Promise<Execution[]> => {
		const known = new Set(before);
		const workflowId = WORKFLOWS[name].id;
		const fresh = async () => {
			const { results } = await runtime.listExecutions(editor!.url, cookie, workflowId);
			return (results as Array<{ id: string; status: string }>).filter(
				(execution) => !known.has(execution.id),
			);
		};
		const deadline = Date.now() + 30_000;
		let list = await fresh();
		while (
			Date.now() < deadline &&
			(list.length < expected ||
				list.some((execution) => ['new', 'running'].includes(execution.status)))
		) {
			await sleep(200);
			list = await fresh();
		}
		await sleep(expected === 0 ? QUIET_MS : 1_000);
		list = await fresh();
		const executions: Execution[] = [];
		// oldest first: the order the calls came in
		for (const { id } of [...list].reverse())
			executions.push(await runtime.readExecution(n8n, editor!.url, cookie, id));
		return executions;
	};

	const track = (name: string, fn: () => Promise<void>) =>
		it(name, async () => {
			const started = Date.now();
			try {
				await fn();
				report.push(
					`  n8n ${n8n.version}: pass  ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
				);
			} catch (error) {
				report.push(`  n8n ${n8n?.version ?? major}: FAIL  ${name}`);
				throw error;
			}
		});

	beforeAll(async () => {
		let at = Date.now();
		const lap = (what: string) => {
			timings.push(`${what} ${((Date.now() - at) / 1000).toFixed(1)} s`);
			at = Date.now();
		};
		n8n = await runtime.ensureN8n(major);
		userFolder = runtime.createUserFolder();
		for (const credential of Object.values(CREDENTIALS))
			await runtime.importCredential(n8n, userFolder, credential);
		await runtime.importWorkflows(n8n, userFolder, Object.values(WORKFLOWS), 'triggers');
		lap('import');
		for (const workflow of Object.values(WORKFLOWS))
			await runtime.activateWorkflow(n8n, userFolder, workflow.id);
		lap(`activate ${Object.keys(WORKFLOWS).length} workflows`);
		const started = await runtime.startN8n(n8n, userFolder, { port: await runtime.freePort() });
		editor = started;
		lap('n8n start');
		// Every probe is refused (no login, no header, no signature, not a batch): none starts anything.
		for (const name of Object.keys(WORKFLOWS) as WorkflowName[])
			await runtime.waitForWebhook(urlOf(name));
		lap('webhooks registered');
		await setUpOwner(started.url);
		cookie = await runtime.logIn(started.url, OWNER);
	}, 10 * 60_000);

	afterAll(async () => {
		report.push(`  n8n ${n8n?.version}: ${timings.join(', ')}`);
		if (editor) await runtime.stopProcess(editor.child);
		if (userFolder) rmSync(userFolder, { recursive: true, force: true });
	}, 60_000);

	describe('Streams with Basic auth', () => {
		const sender = () => createStreamsSender({ to: urlOf('streams'), auth: STREAMS_LOGIN });
		const events = streamEvents({ count: 100, seed: 21 });
		const [batch] = streamsBatches(events);

		track(
			'a batch of 100 events: answered 200 with its counts, and one execution of 100 items, each the event with app_name and moe_request_id',
			async () => {
				const before = await executionIds('streams');
				const answer = await sender().sendBatch(batch);
				expect(answer.status).toBe(200);
				expect(answer.headers['content-type']).toMatch(/^application\/json/);
				expect(JSON.parse(answer.body)).toEqual({
					events: 100,
					new: 100,
					repeated: 0,
					filteredOut: 0,
				});
				const executions = await newExecutions('streams', before, 1);
				expect(executions).toHaveLength(1);
				expect(executions[0]).toMatchObject({ status: 'success', mode: 'webhook' });
				const items = itemsOf(executions[0]);
				expect(items).toHaveLength(100);
				expect(uuids(items)).toEqual(uuids(batch.events));
				for (const item of items) {
					expect(item.app_name).toBe(batch.app_name);
					expect(item.moe_request_id).toBe(batch.moe_request_id);
				}
				expect(items).toEqual(batch.events.map((event) => asItem(batch, event)));
			},
		);

		// after the test above: the batch it sent, byte for byte
		track(
			'the same batch sent again (as MoEngage retries it): 200 with 0 new and 100 repeated, and no execution',
			async () => {
				const before = await executionIds('streams');
				const answer = await sender().sendBatch(batch);
				expect(answer.status).toBe(200);
				expect(JSON.parse(answer.body)).toEqual({
					events: 100,
					new: 0,
					repeated: 100,
					filteredOut: 0,
				});
				expect(await newExecutions('streams', before, 0)).toEqual([]);
			},
		);

		track(
			'a wrong password or no login: 401 with WWW-Authenticate, no execution; the batch is not remembered, so it starts the workflow once sent with the right login',
			async () => {
				const refusedEvents = streamEvents({ count: 100, seed: 22 });
				const [refused] = streamsBatches(refusedEvents);
				const before = await executionIds('streams');

				const wrong = createStreamsSender({
					to: urlOf('streams'),
					auth: { user: STREAMS_LOGIN.user, password: 'not-the-password' },
				});
				const wrongAnswer = await wrong.sendBatch(refused);
				expect(wrongAnswer.status).toBe(401);
				expect(wrongAnswer.headers['www-authenticate']).toMatch(/^Basic /);
				expect(JSON.parse(wrongAnswer.body)).toEqual({ message: expect.any(String) });

				const anonymous = createStreamsSender({ to: urlOf('streams') });
				const anonymousAnswer = await anonymous.sendBatch(refused);
				expect(anonymousAnswer.status).toBe(401);
				expect(anonymousAnswer.headers['www-authenticate']).toMatch(/^Basic /);

				expect(await newExecutions('streams', before, 0)).toEqual([]);

				const accepted = await sender().sendBatch(refused);
				expect(accepted.status).toBe(200);
				expect(JSON.parse(accepted.body)).toMatchObject({ new: 100, repeated: 0 });
				const executions = await newExecutions('streams', before, 1);
				expect(executions).toHaveLength(1);
				expect(uuids(itemsOf(executions[0]))).toEqual(uuids(refusedEvents));
			},
		);

		track(
			'a JSON body that is not a Streams batch: 400 with a message saying what was expected, no execution',
			async () => {
				const before = await executionIds('streams');
				const answer = await sender().sendBatch(JSON.stringify({ event: 'not a batch' }));
				expect(answer.status).toBe(400);
				expect(JSON.parse(answer.body).message).toContain('Expected a MoEngage Streams batch');
				expect(await newExecutions('streams', before, 0)).toEqual([]);
			},
		);
	});

	describe('a connector campaign calling with header auth', () => {
		const headers = { [CONNECTOR_HEADER.name]: CONNECTOR_HEADER.secret };

		track(
			'a JSON call with a query parameter: 200 {"received":true}, and one item holding the method, query and body, and no secret in its headers',
			async () => {
				const before = await executionIds('connector');
				const body = { customer_id: 'cust-00042', campaign: 'Spring sale', coupon: 'SPRING-10' };
				const answer = await sendConnectorCall({
					to: urlOf('connector'),
					method: 'POST',
					bodyType: 'json',
					body,
					query: { campaign_id: 'c-7', source: 'moengage' },
					headers,
				});
				expect(answer.status).toBe(200);
				expect(answer.sent).toBe(true);
				expect(JSON.parse(answer.body)).toEqual({ received: true });
				const executions = await newExecutions('connector', before, 1);
				expect(executions).toHaveLength(1);
				const items = itemsOf(executions[0]);
				expect(items).toHaveLength(1);
				expect(items[0]).toMatchObject({
					method: 'POST',
					query: { campaign_id: 'c-7', source: 'moengage' },
					body,
				});
				const itemHeaders = items[0].headers as Record<string, string>;
				expect(itemHeaders['content-type']).toBe('application/json');
				expect(Object.keys(itemHeaders)).not.toContain(CONNECTOR_HEADER.name.toLowerCase());
				expect(JSON.stringify(items[0])).not.toContain(CONNECTOR_HEADER.secret);
			},
		);

		track(
			'a form call that also carries a Basic Authorization: its fields as the body, and neither secret in the item',
			async () => {
				const before = await executionIds('connector');
				const answer = await sendConnectorCall({
					to: urlOf('connector'),
					method: 'POST',
					bodyType: 'form',
					body: { customer_id: 'cust-00043', message: 'Hello & welcome', points: 12 },
					headers,
					auth: { user: 'someone', password: 'basic-pw-in-form-call' },
				});
				expect(answer.status).toBe(200);
				const executions = await newExecutions('connector', before, 1);
				expect(executions).toHaveLength(1);
				const [item] = itemsOf(executions[0]);
				expect(item).toMatchObject({
					method: 'POST',
					query: {},
					body: { customer_id: 'cust-00043', message: 'Hello & welcome', points: '12' },
				});
				expect((item.headers as Record<string, string>)['content-type']).toBe(
					'application/x-www-form-urlencoded',
				);
				expect(Object.keys(item.headers as object)).not.toContain('authorization');
				const text = JSON.stringify(item);
				expect(text).not.toContain(CONNECTOR_HEADER.secret);
				expect(text).not.toContain(Buffer.from('someone:basic-pw-in-form-call').toString('base64'));
			},
		);

		track('a call with a wrong header value: 403, no execution', async () => {
			const before = await executionIds('connector');
			const answer = await sendConnectorCall({
				to: urlOf('connector'),
				body: { customer_id: 'cust-00044' },
				headers: { [CONNECTOR_HEADER.name]: 'not-the-secret' },
			});
			expect(answer.status).toBe(403);
			expect(answer.sent).toBe(false);
			expect(await newExecutions('connector', before, 0)).toEqual([]);
		});
	});

	describe('alert webhooks signed with the Campaign Report API key', () => {
		track(
			'an alert signed as the doc steps say (key|body), and one signed key+body: each one execution holding the alert as sent',
			async () => {
				const before = await executionIds('alert');
				const stats = alertPayload('CAMPAIGN_STATS', 5);
				const expiry = alertPayload('CAMPAIGN_EXPIRY', 6);
				const piped = await sendAlert({
					to: urlOf('alert'),
					key: REPORT_KEY,
					payload: stats,
					signing: 'pipe',
				});
				expect(piped.status).toBe(200);
				expect(JSON.parse(piped.body)).toEqual({ received: true });
				// one after the other: the executions' order is the alerts' order
				await newExecutions('alert', before, 1);
				const concatenated = await sendAlert({
					to: urlOf('alert'),
					key: REPORT_KEY,
					payload: expiry,
					signing: 'concat',
				});
				expect(concatenated.status).toBe(200);
				const executions = await newExecutions('alert', before, 2);
				expect(executions.map(itemsOf)).toEqual([[stats], [expiry]]);
			},
		);

		track(
			'an alert with a wrong signature: 403; with none: 401; neither starts an execution',
			async () => {
				const before = await executionIds('alert');
				const payload = alertPayload('FLOW_STATS', 7);
				const wrong = await sendAlert({
					to: urlOf('alert'),
					key: REPORT_KEY,
					payload,
					signing: 'wrong',
				});
				expect(wrong.status).toBe(403);
				const unsigned = await sendAlert({ to: urlOf('alert'), payload, signing: 'none' });
				expect(unsigned.status).toBe(401);
				expect(await newExecutions('alert', before, 0)).toEqual([]);
			},
		);
	});

	track(
		'the simulator CLI sends 250 events twice: it exits 0 without printing the password, and the workflow got each event once (100, 100, 50)',
		async () => {
			const before = await executionIds('streamsCli');
			const args = [
				path.join(ROOT, 'simulator', 'cli.js'),
				'streams',
				'--to',
				urlOf('streamsCli'),
				'--events',
				'250',
				'--user',
				STREAMS_LOGIN.user,
				'--password',
				STREAMS_LOGIN.password,
				'--repeat',
				'2',
			];
			const { code, stdout, stderr } = await new Promise<{
				code: number | null;
				stdout: string;
				stderr: string;
			}>((resolve, reject) => {
				const child = spawn(process.execPath, args, { cwd: ROOT });
				let out = '';
				let err = '';
				child.stdout.on('data', (chunk) => (out += chunk));
				child.stderr.on('data', (chunk) => (err += chunk));
				child.on('error', reject);
				child.on('close', (exit) => resolve({ code: exit, stdout: out, stderr: err }));
			});
			expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
			expect(stdout).not.toContain(STREAMS_LOGIN.password);
			// both rounds: 3 batches delivered, each answered 200 at its first attempt
			expect(stdout.match(/attempt 1: 200 /g)).toHaveLength(6);
			expect(stdout).not.toMatch(/retry in|dropped: no retries/);

			const executions = await newExecutions('streamsCli', before, 3);
			expect(executions.map((execution) => itemsOf(execution).length)).toEqual([100, 100, 50]);
			const received = executions.flatMap((execution) => uuids(itemsOf(execution)));
			// the CLI's events: seed 1, the default
			expect(received).toEqual(uuids(streamEvents({ count: 250, seed: 1 })));
			expect(new Set(received).size).toBe(250);
		},
	);

	describe('Streams filters', () => {
		const events = streamEvents({ count: 100, seed: 4 });
		const [batch] = streamsBatches(events);

		const filtered = async (name: WorkflowName, expected: StreamEvent[]) => {
			// a mixed batch, or the filter proves nothing
			expect(expected.length).toBeGreaterThan(0);
			expect(expected.length).toBeLessThan(events.length);
			const before = await executionIds(name);
			const answer = await createStreamsSender({ to: urlOf(name) }).sendBatch(batch);
			expect(answer.status).toBe(200);
			expect(JSON.parse(answer.body)).toEqual({
				events: 100,
				new: expected.length,
				repeated: 0,
				filteredOut: 100 - expected.length,
			});
			const executions = await newExecutions(name, before, 1);
			expect(executions).toHaveLength(1);
			expect(uuids(itemsOf(executions[0]))).toEqual(uuids(expected));
		};

		track(
			'Campaign Events "Email Bounced" (MOE_EMAIL_HARD_BOUNCE): of a mixed batch, only the hard bounces start the workflow',
			() =>
				filtered(
					'hardBounces',
					events.filter((event) => event.event_code === 'MOE_EMAIL_HARD_BOUNCE'),
				),
		);

		track(
			'Event Types "User Action Events": of a mixed batch, only USER_ACTION_EVENTs start the workflow',
			() =>
				filtered(
					'userActions',
					events.filter((event) => event.event_type === 'USER_ACTION_EVENT'),
				),
		);
	});

	describe("the trigger's credentials: the Test button, through n8n's REST API", () => {
		/**
		 * What the editor's Test shows while one of the imported credentials is being edited to `data`
		 * (n8n 2.x requires the credential's id; n8n tests the data as sent).
		 */
		const testCredential = async (name: keyof typeof CREDENTIALS, data: Record<string, string>) =>
			(await runtime.testCredential(editor!.url, cookie, { ...CREDENTIALS[name], data })) as {
				status: string;
				message: string;
			};

		track(
			'Header Auth: a name that is not a header is refused with what to do; a good one passes',
			async () => {
				expect(await testCredential('header', { name: 'X Api Key', secret: 's' })).toEqual({
					status: 'Error',
					message: '"X Api Key" is not a valid HTTP header name: use one such as X-Api-Key.',
				});
				expect((await testCredential('header', { name: 'X-Api-Key', secret: 's' })).status).toBe(
					'OK',
				);
			},
		);

		// The Campaign Report credential's Test asks MoEngage for a report: real-n8n.e2e.test.ts runs it against the simulator.
		track('Basic Auth: refused and passed by its own check', async () => {
			expect((await testCredential('basic', { user: 'a:b', password: 'p' })).status).toBe('Error');
			expect((await testCredential('basic', { user: 'moengage', password: 'p' })).status).toBe(
				'OK',
			);
		});
	});
});
