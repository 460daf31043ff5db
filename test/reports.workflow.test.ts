/**
 * Report → Get Campaign Stats in n8n's engine over real HTTP against the simulator. Each
 * expectation is MoEngage's campaign stats documentation (docs/moengage-api.md#campaign-stats, from
 * api/stats-report/stats-report.yaml) or what a user sees: every campaign's figures as rows a sheet
 * takes, each linked to the item that asked, every page fetched, at most ten campaigns a request.
 */
import type { IDataObject } from 'n8n-workflow';

import { campaignStatsAnswer } from '../simulator/simulator';
import { runMoEngage, type MoEngageParameters, type RunOptions } from './engine';
import { errorOf, paired } from './support/run';
import { leakedFragments } from './support/secrets';
import {
	reportCredentialsFor,
	requestsTo,
	simulatorFactory,
	type Simulator,
} from './support/simulators';

const simulatorWith = simulatorFactory({ users: 10, reportKey: 'report-secret-key-4c2a9e71' });

/** The simulator's campaigns are active from 2024-12-31 to 2025-01-31. */
const WEEK: MoEngageParameters = {
	resource: 'report',
	operation: 'getCampaignStats',
	campaignIds: '',
	startDate: '2025-01-06',
	endDate: '2025-01-12',
	attributionType: 'VIEW_THROUGH',
	metricType: 'TOTAL',
};

async function report(
	simulator: Simulator,
	parameters: MoEngageParameters = {},
	rows: IDataObject[] = [{}],
	extra: Partial<RunOptions> = {},
	credentials: Record<string, unknown> = {},
) {
	return await runMoEngage({
		rows,
		parameters: { ...WEEK, ...parameters },
		credentials: reportCredentialsFor(simulator, credentials),
		credentialType: 'moEngageCampaignReportApi',
		...extra,
	});
}

const bodies = (simulator: Simulator) =>
	requestsTo(simulator, 'campaignStats').map((entry) => entry.body as IDataObject);

/** Every campaign × platform × locale × variation of an answer, walked as MoEngage nests them. */
function variationsOf(data: Record<string, unknown[]>) {
	const found: Array<{
		id: string;
		platform: string;
		locale: string;
		variation: string;
		figures: IDataObject;
	}> = [];
	for (const [id, entries] of Object.entries(data))
		for (const entry of entries as IDataObject[])
			for (const [platform, { locales }] of Object.entries(
				entry.platforms as Record<string, IDataObject>,
			))
				for (const [locale, { variations }] of Object.entries(
					locales as Record<string, IDataObject>,
				))
					for (const [variation, figures] of Object.entries(
						variations as Record<string, IDataObject>,
					))
						found.push({ id, platform, locale, variation, figures });
	return found;
}

describe('Report → Get Campaign Stats', () => {
	it('fetches every page of every campaign (offset 0, 10, 20 for 25) and gives one row per campaign, platform, locale and variation', async () => {
		const simulator = await simulatorWith();
		const { outputs, error } = await report(simulator);
		expect(error).toBeUndefined();
		expect(bodies(simulator).map((body) => [body.offset, body.limit, body.campaign_ids])).toEqual([
			[0, 10, undefined],
			[10, 10, undefined],
			[20, 10, undefined],
		]);
		const expected = [0, 10, 20].flatMap((offset) =>
			variationsOf(
				campaignStatsAnswer(simulator.campaigns, {
					request_id: 'test',
					start_date: WEEK.startDate as string,
					end_date: WEEK.endDate as string,
					attribution_type: 'VIEW_THROUGH',
					metric_type: 'TOTAL',
					offset,
					limit: 10,
				}).data,
			),
		);
		expect(new Set(expected.map((row) => row.id)).size).toBe(25);
		const rows = outputs[0].map((item) => item.json);
		expect(rows.map((row) => [row.campaign_id, row.platform, row.locale, row.variation])).toEqual(
			expected.map((row) => [row.id, row.platform, row.locale, row.variation]),
		);
		expect(paired(outputs[0]).every((item) => item === 0)).toBe(true);
		// The control groups are variations beside all_variations, without performance figures.
		expect(rows.filter((row) => row.variation === 'global_control_group')).toHaveLength(
			expected.filter((row) => row.variation === 'global_control_group').length,
		);
	});

	it('flattens the figures into columns a sheet takes: performance_, goal_<goal>_, delivery_, failure_', async () => {
		const simulator = await simulatorWith();
		const { outputs } = await report(simulator, { campaignIds: simulator.campaigns[0].id });
		const [first] = variationsOf(
			campaignStatsAnswer(simulator.campaigns, {
				request_id: 'test',
				campaign_ids: [simulator.campaigns[0].id],
				start_date: '2025-01-06',
				end_date: '2025-01-12',
				attribution_type: 'VIEW_THROUGH',
				metric_type: 'TOTAL',
			}).data,
		);
		const row = outputs[0][0].json;
		const figures = first.figures as Record<string, Record<string, unknown>>;
		expect(row).toMatchObject({
			campaign_id: first.id,
			platform: first.platform,
			locale: first.locale,
			variation: first.variation,
			start_date: '2025-01-06',
			end_date: '2025-01-12',
			attribution_type: 'VIEW_THROUGH',
			metric_type: 'TOTAL',
			performance_sent: figures.performance_stats.sent,
			performance_ctr: figures.performance_stats.ctr,
		});
		for (const [goal, stats] of Object.entries(figures.conversion_goal_stats))
			for (const [name, value] of Object.entries(stats as IDataObject))
				expect(row[`goal_${goal}_${name}`]).toBe(value);
		for (const [name, value] of Object.entries(figures.delivery_funnel))
			expect(row[`delivery_${name}`]).toBe(value);
		expect(Object.values(row).every((value) => typeof value !== 'object' || value === null)).toBe(
			true,
		);
	});

	it('asks 23 campaign IDs (one twice) ten at a time: 10, 10 and 3; an unknown one gets a row without figures', async () => {
		const simulator = await simulatorWith();
		const ids = simulator.campaigns.slice(0, 22).map((campaign) => campaign.id);
		const unknown = 'ffffffffffffffffffffffff';
		const typed = [...ids.slice(0, 5), ids[0], ...ids.slice(5), unknown].join(', ');
		const { outputs, error } = await report(simulator, { campaignIds: typed });
		expect(error).toBeUndefined();
		expect(bodies(simulator).map((body) => (body.campaign_ids as string[]).length)).toEqual([
			10, 10, 3,
		]);
		const rows = outputs[0].map((item) => item.json);
		expect([...new Set(rows.map((row) => row.campaign_id))]).toEqual([...ids, unknown]);
		expect(rows.filter((row) => row.campaign_id === unknown)).toEqual([
			{
				campaign_id: unknown,
				platform: null,
				locale: null,
				variation: null,
				start_date: '2025-01-06',
				end_date: '2025-01-12',
				attribution_type: 'VIEW_THROUGH',
				metric_type: 'TOTAL',
			},
		]);
	});

	it('sends the metric and attribution chosen, and UNIQUE figures are never above TOTAL ones', async () => {
		const simulator = await simulatorWith();
		const id = simulator.campaigns[1].id;
		const total = await report(simulator, { campaignIds: id });
		const unique = await report(simulator, {
			campaignIds: id,
			metricType: 'UNIQUE',
			attributionType: 'CLICK_THROUGH',
		});
		expect(bodies(simulator).map((body) => [body.metric_type, body.attribution_type])).toEqual([
			['TOTAL', 'VIEW_THROUGH'],
			['UNIQUE', 'CLICK_THROUGH'],
		]);
		const sent = (run: typeof total) =>
			run.outputs[0]
				.filter((item) => item.json.variation === 'all_variations')
				.map((item) => item.json.performance_sent as number);
		sent(unique).forEach((value, n) => expect(value).toBeLessThanOrEqual(sent(total)[n]));
	});

	it('takes dates as users give them: an ISO date-time in its own offset is that day, a Date-like $today works', async () => {
		const simulator = await simulatorWith();
		const { error } = await report(simulator, {
			campaignIds: simulator.campaigns[0].id,
			startDate: '2025-01-05T23:30:00-05:00',
			endDate: '={{ DateTime.fromISO("2025-01-20T08:00:00", { zone: "Asia/Kolkata" }) }}',
		});
		expect(error).toBeUndefined();
		expect(bodies(simulator).map((body) => [body.start_date, body.end_date])).toEqual([
			['2025-01-05', '2025-01-20'],
		]);
	});

	it("answers two items asking the same once, each item its own rows; MoEngage's answer as it came on request", async () => {
		const simulator = await simulatorWith();
		const id = simulator.campaigns[2].id;
		const { outputs } = await report(simulator, { campaignIds: id, output: 'answer' }, [{}, {}]);
		expect(bodies(simulator)).toHaveLength(1);
		expect(paired(outputs[0])).toEqual([0, 1]);
		expect(outputs[0][0].json).toMatchObject({
			total_campaigns: 1,
			current_page: 1,
			total_pages: 1,
		});
		expect(Object.keys(outputs[0][0].json.data as IDataObject)).toEqual([id]);
	});

	it('refuses by name dates more than 30 days apart, or ending before they start; 30 days go', async () => {
		const simulator = await simulatorWith();
		const rows = [
			{ start: '2025-01-01', end: '2025-01-31' },
			{ start: '2024-12-31', end: '2025-01-31' },
			{ start: '2025-01-10', end: '2025-01-09' },
			{ start: '2025-02-30', end: '2025-03-01' },
		];
		const { outputs } = await report(
			simulator,
			{
				campaignIds: simulator.campaigns[0].id,
				startDate: '={{ $json.start }}',
				endDate: '={{ $json.end }}',
			},
			rows,
			{ onError: 'continueRegularOutput' },
		);
		const errors = outputs[0]
			.filter((item) => item.json.error)
			.map((item) => errorOf(item).message);
		expect(errors).toEqual([
			expect.stringContaining(
				"Item 1: the dates 2024-12-31 to 2025-01-31 are 31 days apart; MoEngage's campaign stats take at most 30",
			),
			'Item 2: the End Date 2025-01-09 is before the Start Date 2025-01-10',
			'Item 3: the Start Date is 2025-02-30, which is no calendar date',
		]);
		expect(bodies(simulator).map((body) => [body.start_date, body.end_date])).toEqual([
			['2025-01-01', '2025-01-31'],
		]);
	});

	it('says what to do when campaign stats are not enabled (403), or the key is another one (401), without the key', async () => {
		const forbidden = await simulatorWith({ statsEnabled: false });
		const refused = await report(forbidden, { campaignIds: forbidden.campaigns[0].id });
		expect(refused.error?.message).toContain(
			'MoEngage refused campaign stats for this workspace (403 Forbidden Request)',
		);
		const simulator = await simulatorWith();
		const { error } = await report(simulator, {}, [{}], {}, { apiKey: simulator.config.informKey });
		expect(error?.message).toContain(
			'MoEngage rejected the Campaign report credentials (401 Authentication required)',
		);
		expect(
			leakedFragments(JSON.stringify(error), [
				simulator.config.informKey,
				simulator.config.reportKey,
			]),
		).toEqual([]);
	});
});
