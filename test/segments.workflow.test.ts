/**
 * Segment → Add Users, Remove Users, Add or Remove Users (Cohort Sync) in n8n's engine over real
 * HTTP against the simulator. Each expectation is MoEngage's Cohort Sync documentation
 * (docs/moengage-api.md#cohort-sync, from api/cohort-audience/cohort-audience.yaml) or what a user
 * sees: every row on Accepted with its pairedItem, what MoEngage would refuse refused by name first,
 * and the segment in MoEngage holding the users the rows named.
 */
import type { IDataObject } from 'n8n-workflow';

import { runMoEngage } from './engine';
import { leakedFragments } from './support/secrets';
import {
	credentialsFor,
	requestsTo,
	sentBody,
	simulatorFactory,
	type Simulator,
} from './support/simulators';
import { runOnSimulator as run, paired, errorOf } from './support/run';

const simulatorWith = simulatorFactory({ users: 300, apiKey: 'segments-secret-key-5e0c1d2b' });

const ADD = {
	resource: 'segment',
	operation: 'add',
	customerId: '={{ $json.customer_id }}',
	segmentName: 'Newsletter sign-ups',
};
const REMOVE = { ...ADD, operation: 'remove' };
const ADD_OR_REMOVE = { ...ADD, operation: 'addOrRemove', memberAction: '={{ $json.action }}' };

const bodies = (simulator: Simulator) =>
	requestsTo(simulator, 'cohortSync').map((entry) => sentBody(entry, 'cohortSync'));
const known = (simulator: Simulator, count: number, from = 0) =>
	simulator.users
		.slice(from, from + count)
		.map((user) => ({ customer_id: String(user.customer_id) }));
const idsOf = (rows: IDataObject[]) => rows.map((row) => String(row.customer_id));

describe('Segment → Add Users', () => {
	it('adds 50 users in one request with MOE-APPKEY, passes each row on to Accepted, and the segment holds them', async () => {
		const simulator = await simulatorWith();
		const rows = known(simulator, 50).map((row, n) => ({ ...row, source: `form-${n}` }));
		const { outputs, error } = await run(simulator, rows, ADD);
		expect(error).toBeUndefined();
		expect(outputs).toHaveLength(1);
		expect(paired(outputs[0])).toEqual(rows.map((_, n) => n));
		expect(outputs[0].map((item) => item.json)).toEqual(rows);
		// The documented body: action, partner, and parameters with cohort_name, cohort_id, members.
		expect(bodies(simulator)).toEqual([
			{
				action: 'add_members',
				partner: 'n8n',
				parameters: {
					cohort_name: 'Newsletter sign-ups',
					cohort_id: 'Newsletter sign-ups',
					members: idsOf(rows).map((uid) => ({ uid })),
				},
			},
		]);
		// "MOE-APPKEY (required): the Workspace ID of your MoEngage account".
		expect(requestsTo(simulator, 'cohortSync')[0].appKey).toBe(simulator.config.workspaceId);
		expect(simulator.segmentMembers('Newsletter sign-ups')).toEqual(idsOf(rows));
	});

	it('sends a customer named by several rows once, and every row still comes out once', async () => {
		const simulator = await simulatorWith();
		const [a, b] = idsOf(known(simulator, 2));
		const rows = [a, b, a, ` ${a} `, b].map((customer_id) => ({ customer_id }));
		const { outputs } = await run(simulator, rows, ADD);
		expect(paired(outputs[0])).toEqual([0, 1, 2, 3, 4]);
		expect(bodies(simulator)[0].parameters.members).toEqual([{ uid: a }, { uid: b }]);
		expect(simulator.segmentMembers('Newsletter sign-ups')).toEqual([a, b]);
	});

	it('takes numbers from a sheet as customer IDs', async () => {
		const simulator = await simulatorWith();
		// Every seventh seeded user has a numeric customer ID, "100007"; a sheet gives it as 100007.
		const numeric = simulator.users.map((user) => user.customer_id).find((id) => /^\d+$/.test(id))!;
		const { outputs } = await run(simulator, [{ customer_id: Number(numeric) }], ADD);
		expect(paired(outputs[0])).toEqual([0]);
		expect(simulator.segmentMembers('Newsletter sign-ups')).toEqual([numeric]);
	});

	it('matches only users MoEngage already has: unknown customer IDs are accepted and do not join', async () => {
		const simulator = await simulatorWith();
		const rows = [...known(simulator, 2), { customer_id: 'never-seen-7' }];
		const { outputs } = await run(simulator, rows, ADD);
		// MoEngage answers 200 for the whole request; it "does not create new users".
		expect(paired(outputs[0])).toEqual([0, 1, 2]);
		expect(simulator.segmentMembers('Newsletter sign-ups')).toEqual(idsOf(rows.slice(0, 2)));
		expect(simulator.userByCustomerId('never-seen-7')).toBeUndefined();
	});

	it("fills each row's own segment from expressions: one request per segment, with its own ID", async () => {
		const simulator = await simulatorWith();
		const users = idsOf(known(simulator, 6));
		const rows = users.map((customer_id, n) => ({
			customer_id,
			list: n % 2 ? 'Buyers' : 'Leads',
			list_id: n % 2 ? 'crm-buyers' : 'crm-leads',
		}));
		const { outputs } = await run(simulator, rows, {
			...ADD,
			segmentName: '={{ $json.list }}',
			segmentId: '={{ $json.list_id }}',
		});
		expect(paired(outputs[0])).toEqual([0, 1, 2, 3, 4, 5]);
		const sent = bodies(simulator).map((body) => [
			body.parameters.cohort_id,
			body.parameters.cohort_name,
		]);
		expect(sent.sort()).toEqual([
			['crm-buyers', 'Buyers'],
			['crm-leads', 'Leads'],
		]);
		expect(simulator.segmentMembers('crm-leads')).toEqual([users[0], users[2], users[4]]);
		expect(simulator.segmentMembers('crm-buyers')).toEqual([users[1], users[3], users[5]]);
	});

	it('sends the partner set in Options', async () => {
		const simulator = await simulatorWith();
		await run(simulator, known(simulator, 1), { ...ADD, options: { partner: 'Shopify' } });
		expect(bodies(simulator)[0].partner).toBe('Shopify');
	});

	it('packs 20,000 customer IDs into as few requests as 128,000 bytes allow', async () => {
		const simulator = await simulatorWith({ users: 20_000 });
		const rows = known(simulator, 20_000);
		const { outputs } = await run(simulator, rows, ADD);
		expect(paired(outputs[0])).toEqual(rows.map((_, n) => n));
		const sent = bodies(simulator);
		const bytesOf = (body: unknown) => Buffer.byteLength(JSON.stringify(body));
		// Full: each request but the last would pass 128,000 bytes with the next request's first member.
		sent.forEach((body, index) => {
			expect(bytesOf(body)).toBeLessThanOrEqual(128_000);
			const next = sent[index + 1]?.parameters.members[0];
			if (next !== undefined) {
				const members = [...body.parameters.members, next];
				expect(bytesOf({ ...body, parameters: { ...body.parameters, members } })).toBeGreaterThan(
					128_000,
				);
			}
		});
		expect(sent.flatMap((body) => body.parameters.members.map((member) => member.uid))).toEqual(
			idsOf(rows),
		);
		expect(simulator.segmentMembers('Newsletter sign-ups')).toHaveLength(20_000);
	});
});

describe('Segment → Remove Users', () => {
	it("removes the rows' users and leaves the others in the segment", async () => {
		const simulator = await simulatorWith();
		const users = known(simulator, 5);
		await run(simulator, users, ADD);
		const { outputs } = await run(simulator, users.slice(1, 3), REMOVE);
		expect(paired(outputs[0])).toEqual([0, 1]);
		expect(bodies(simulator).map((body) => body.action)).toEqual(['add_members', 'remove_members']);
		expect(simulator.segmentMembers('Newsletter sign-ups')).toEqual(
			idsOf([users[0], users[3], users[4]]),
		);
	});
});

describe('Segment → Add or Remove Users', () => {
	it('keeps item order for a customer added, removed and added again: each change waits for the answer to the one before', async () => {
		const simulator = await simulatorWith({ latencyMs: 20 });
		const [a, b, c] = idsOf(known(simulator, 3));
		const rows = [
			{ customer_id: a, action: 'add' },
			{ customer_id: b, action: 'add' },
			{ customer_id: a, action: 'remove' },
			{ customer_id: c, action: 'Remove' },
			{ customer_id: a, action: 'add' },
			{ customer_id: b, action: 'remove' },
		];
		const { outputs, error } = await run(simulator, rows, ADD_OR_REMOVE);
		expect(error).toBeUndefined();
		expect(paired(outputs[0])).toEqual([0, 1, 2, 3, 4, 5]);
		const sent = requestsTo(simulator, 'cohortSync');
		const changesOf = (uid: string) =>
			sent
				.filter((entry) =>
					sentBody(entry, 'cohortSync').parameters.members.some((member) => member.uid === uid),
				)
				.map((entry) => ({ action: sentBody(entry, 'cohortSync').action, at: entry.at }));
		const ofA = changesOf(a);
		expect(ofA.map((change) => change.action)).toEqual([
			'add_members',
			'remove_members',
			'add_members',
		]);
		// Each change left after MoEngage answered the one before (20 ms answers).
		expect(ofA[1].at - ofA[0].at).toBeGreaterThanOrEqual(20);
		expect(ofA[2].at - ofA[1].at).toBeGreaterThanOrEqual(20);
		expect(changesOf(b).map((change) => change.action)).toEqual(['add_members', 'remove_members']);
		expect(simulator.segmentMembers('Newsletter sign-ups')).toEqual([a]);
	});

	it('refuses an Action other than add or remove, naming the item', async () => {
		const simulator = await simulatorWith();
		const rows = [
			{ customer_id: idsOf(known(simulator, 1))[0], action: 'add' },
			{ customer_id: 'someone-else', action: 'subscribe' },
		];
		const { outputs } = await run(simulator, rows, ADD_OR_REMOVE, {
			onError: 'continueRegularOutput',
		});
		expect(paired(outputs[0])).toEqual([0, 1]);
		expect(errorOf(outputs[0][1]).message).toBe(
			'Item 1: the Action is "subscribe"; use "add" or "remove"',
		);
		expect(bodies(simulator)).toHaveLength(1);
	});
});

describe('refuses by name what Cohort Sync would refuse, before sending', () => {
	const cases: Array<[string, IDataObject, string]> = [
		[
			'a segment name starting with "."',
			{ segment: '.hidden' },
			'Item 1: the Segment Name is ".hidden"; MoEngage refuses a name that starts with "."',
		],
		[
			'a segment name with restricted characters',
			{ segment: 'VIP: price > $100' },
			'Item 1: the Segment Name is "VIP: price > $100"; MoEngage refuses a name with ":", ">", "$"',
		],
		['a blank segment name (an empty cell)', { segment: '' }, 'Item 1: the Segment Name is empty'],
		[
			'a blank segment ID from an expression',
			{ segment: 'Leads', segment_id: '  ' },
			'Item 1: the Segment ID is only whitespace ("  ")',
		],
		[
			'a placeholder customer ID',
			{ customer_id: 'null' },
			'Item 1: the Customer ID is "null", a placeholder value MoEngage refuses as a customer ID',
		],
		[
			'a missing customer ID',
			{ customer_id: undefined },
			'Item 1: the Customer ID is nothing (undefined), not a text or number',
		],
	];

	it.each(cases)(
		'%s: the item fails with continue-on-fail, the others are sent',
		async (_, row, message) => {
			const simulator = await simulatorWith();
			const [good] = idsOf(known(simulator, 1));
			const rows = [
				{ customer_id: good, segment: 'Leads', segment_id: 'leads' },
				{ customer_id: 'fine-user', segment: 'Leads', segment_id: 'leads', ...row },
			];
			const { outputs } = await run(
				simulator,
				rows,
				{ ...ADD, segmentName: '={{ $json.segment }}', segmentId: '={{ $json.segment_id }}' },
				{ onError: 'continueRegularOutput' },
			);
			expect(paired(outputs[0])).toEqual([0, 1]);
			expect(outputs[0][0].json.error).toBeUndefined();
			expect(errorOf(outputs[0][1]).message).toBe(message);
			expect(bodies(simulator).flatMap((body) => body.parameters.members)).toEqual([{ uid: good }]);
		},
	);

	it('without continue-on-fail, stops at the bad item and sends nothing', async () => {
		const simulator = await simulatorWith();
		const rows = [...known(simulator, 2), { customer_id: 'someone' }];
		const { error } = await run(simulator, rows, { ...ADD, segmentName: 'a|b' });
		expect(error?.message).toBe(
			'Item 0: the Segment Name is "a|b"; MoEngage refuses a name with "|"',
		);
		expect(requestsTo(simulator, 'cohortSync')).toHaveLength(0);
	});

	it('refuses a segment ID given two names in one run, keeping the first', async () => {
		const simulator = await simulatorWith();
		const [a, b] = idsOf(known(simulator, 2));
		const rows = [
			{ customer_id: a, segment: 'Leads' },
			{ customer_id: b, segment: 'Leads (old)' },
		];
		const { outputs } = await run(
			simulator,
			rows,
			{ ...ADD, segmentName: '={{ $json.segment }}', segmentId: 'crm-leads' },
			{ onError: 'continueRegularOutput' },
		);
		expect(errorOf(outputs[0][1]).message).toBe(
			'Item 1: the Segment ID "crm-leads" is named "Leads" by item 0, and "Leads (old)" here; one segment ID takes one name in a run',
		);
		expect(simulator.segmentMembers('crm-leads')).toEqual([a]);
	});
});

describe('faults and refusals from MoEngage', () => {
	it('waits out a 429 and resends: every row on Accepted once, the segment complete', async () => {
		const simulator = await simulatorWith();
		let refused = 0;
		simulator.intercept((request: { url: URL }) =>
			request.url.pathname === '/v1/integrations/cohortsync' && refused++ === 0
				? {
						status: 429,
						body: {
							status: 'fail',
							error: {
								message: 'Rate limits for customers exceeded. Please Try After Some Time',
								type: 'Rate Limits Exceeded',
								request_id: 'onqucLYL',
							},
						},
						headers: { 'Retry-After': '1' },
					}
				: undefined,
		);
		const rows = known(simulator, 10);
		const { outputs } = await run(simulator, rows, ADD);
		expect(paired(outputs[0])).toEqual(rows.map((_, n) => n));
		expect(requestsTo(simulator, 'cohortSync').map((entry) => entry.status)).toEqual([429, 200]);
		expect(simulator.segmentMembers('Newsletter sign-ups')).toEqual(idsOf(rows));
	});

	it('under 5xx, resets, lost and garbled answers, lands every row once and the segment holds every known user', async () => {
		const simulator = await simulatorWith({
			faults: {
				rate: 0.4,
				seed: 11,
				kinds: ['500', '503', 'reset', 'truncated', 'applied-reset', 'applied-truncated'],
			},
		});
		const users = known(simulator, 300);
		// 300 users over 30 segments: 30 requests, enough for every fault kind.
		const rows = users.map((row, n) => ({ ...row, segment: `Cohort ${n % 30}` }));
		const { outputs, error } = await run(simulator, rows, {
			...ADD,
			segmentName: '={{ $json.segment }}',
			options: { maxRetries: 10, timeout: 2000 },
		});
		expect(error).toBeUndefined();
		expect(paired(outputs[0])).toEqual(rows.map((_, n) => n));
		expect(outputs[0].filter((item) => item.json.error)).toEqual([]);
		for (let n = 0; n < 30; n++) {
			const expected = rows
				.filter((row) => row.segment === `Cohort ${n}`)
				.map((row) => row.customer_id);
			expect(simulator.segmentMembers(`Cohort ${n}`)).toEqual(expected);
		}
		expect(Object.keys(simulator.faultCounts).length).toBeGreaterThan(2);
	});

	it('splits a request MoEngage finds too large (413) and sends every member', async () => {
		const simulator = await simulatorWith();
		simulator.intercept((request: { url: URL; raw: Buffer }) =>
			request.url.pathname === '/v1/integrations/cohortsync' && request.raw.length > 600
				? {
						status: 413,
						body: {
							status: 'fail',
							error: {
								message: 'Payload can not exceed 128KB',
								type: 'Payload too large',
								request_id: 'VFzDwhwt',
							},
						},
					}
				: undefined,
		);
		const rows = known(simulator, 40);
		const { outputs } = await run(simulator, rows, ADD);
		expect(paired(outputs[0])).toEqual(rows.map((_, n) => n));
		expect(simulator.segmentMembers('Newsletter sign-ups')).toEqual(idsOf(rows));
	});

	it('stops on 401 "App key mismatch" with its own hint, naming the items, and never shows the key', async () => {
		const simulator = await simulatorWith();
		simulator.intercept(() => ({
			status: 401,
			body: {
				status: 'fail',
				error: {
					message: 'App key mismatch in params and authentication',
					type: 'Authentication Mismatch',
					request_id: 'yEujHykb',
				},
			},
		}));
		const rows = known(simulator, 3);
		const { error } = await run(simulator, rows, ADD);
		expect(error?.message).toMatch(
			/^MoEngage found a different Workspace ID in the MOE-APPKEY header than in the authentication \(401 Authentication Mismatch\): App key mismatch in params and authentication — item 0 \(customer_id "cust-00001"\) and 2 more items/,
		);
		expect((error as { description?: string }).description).toContain(
			'a proxy in front of MoEngage (Custom URL)',
		);
		expect(requestsTo(simulator, 'cohortSync')).toHaveLength(1);
		const basic = Buffer.from(
			`${simulator.config.workspaceId}:${simulator.config.apiKey}`,
		).toString('base64');
		expect(
			leakedFragments(JSON.stringify(error) + String(error?.message), [
				basic,
				simulator.config.apiKey,
			]),
		).toEqual([]);
	});

	it('a wrong key: the credential hint, nothing joins', async () => {
		const simulator = await simulatorWith();
		const { error } = await runMoEngage({
			rows: known(simulator, 2),
			parameters: ADD,
			credentials: credentialsFor(simulator, { apiKey: 'not-the-key-123' }),
		});
		expect(error?.message).toMatch(
			/^MoEngage rejected the credentials \(401 Authentication required\)/,
		);
		expect(simulator.segment('Newsletter sign-ups')).toBeUndefined();
	});
});
