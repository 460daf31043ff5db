/**
 * The simulator's campaign stats must refuse and answer exactly what MoEngage documents, so that a
 * node proven against it behaves the same against MoEngage. "The yaml" below is MoEngage's OpenAPI
 * spec for it, `api/stats-report/stats-report.yaml` in moengage/moengage-documentation, and "the
 * overview" is `api/stats-report/stats-report-overview.mdx` beside it; the facts drawn from them are
 * gathered in docs/moengage-api.md#campaign-stats.
 */
import {
	campaignStatsAnswer,
	makeCampaigns,
	type CampaignStatsResponse,
	type ControlGroupDetails,
	type SimulatorOptions,
	type VariationDetails,
} from '../simulator/simulator';
import { simulatorForFile, withSimulator } from './support/simulators';

const START = Date.UTC(2025, 0, 15, 12);
let time = START;
const now = () => time;
const MINUTE = 60_000;
const defaults: SimulatorOptions = {
	users: 5,
	workspaceId: 'WS1',
	apiKey: 'data-key',
	informKey: 'inform-key',
	reportKey: 'report-key',
	now,
};

const simulator = simulatorForFile(defaults, () => {
	time = START;
});

const PATH = '/core-services/v1/campaign-stats';
const basic = (user: string, password: string) =>
	`Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

type Sent = {
	url?: string;
	auth?: string | null;
	/** The MOE-APPKEY header; null to send none. */
	appKey?: string | null;
	contentType?: string;
	raw?: string;
};

async function send(
	body: unknown,
	{
		url = simulator.url,
		auth = basic('WS1', 'report-key'),
		appKey = 'WS1',
		contentType = 'application/json',
		raw,
	}: Sent = {},
) {
	const response = await fetch(`${url}${PATH}`, {
		method: 'POST',
		headers: {
			...(auth === null ? {} : { Authorization: auth }),
			...(appKey === null ? {} : { 'MOE-APPKEY': appKey }),
			...(contentType ? { 'Content-Type': contentType } : {}),
		},
		body: raw ?? JSON.stringify(body),
	});
	return { status: response.status, body: await response.json() };
}

/** A range over which every seeded campaign is active: 30 days apart, the most one call takes. */
const JANUARY = { start_date: '2025-01-01', end_date: '2025-01-31' };
const ask = (changes: Record<string, unknown> = {}) => ({
	request_id: 'abc',
	...JANUARY,
	attribution_type: 'VIEW_THROUGH',
	metric_type: 'TOTAL',
	...changes,
});
const stats = async (changes: Record<string, unknown> = {}) => {
	const answer = await send(ask(changes));
	expect(answer.status).toBe(200);
	return answer.body as CampaignStatsResponse;
};

/** One campaign's variations block, as the yaml nests it: data[id][0].platforms[p].locales[l].variations. */
const variationsOf = (
	body: CampaignStatsResponse,
	id: string,
	platform: string,
	locale = 'all_locales',
) => body.data[id][0].platforms[platform].locales[locale].variations;
const allVariations = (body: CampaignStatsResponse, id: string, platform: string) =>
	variationsOf(body, id, platform).all_variations;

/** The yaml's documented bodies. */
const invalidField = (field: string) => ({
	title: 'Invalid Field Value',
	description: expect.stringMatching(new RegExp(`^${field} - `)),
	code: 'wUcwPRZF',
});
const UNAUTHENTICATED = {
	title: 'Authentication required',
	description: 'Invalid identity information found.',
	code: 'wUcwPRZF',
};

describe('Campaign stats: authentication (the yaml: security basicAuth, MOE-APPKEY, 400, 401, 403)', () => {
	// The yaml's second request example (no campaign_ids), with the Campaign report key.
	it("answers the yaml's example without campaign_ids with 200, response_id the request_id sent", async () => {
		const body = await stats();
		expect(body).toMatchObject({
			response_id: 'abc',
			total_campaigns: 25,
			current_page: 1,
			total_pages: 3,
		});
	});

	// The yaml: the password is the key "within the Campaign report/Business events/Custom
	// templates/Catalog API/Inform Report tile"; the 401 example.
	it.each([
		['the Data API key', basic('WS1', 'data-key')],
		['the Inform key', basic('WS1', 'inform-key')],
		['another workspace', basic('WS2', 'report-key')],
		['no Authorization header', null],
	])('answers 401 "Authentication required" to %s', async (_, auth) => {
		expect(await send(ask(), { auth })).toEqual({ status: 401, body: UNAUTHENTICATED });
	});

	it('answers 401 to a MOE-APPKEY that is not the Basic auth user', async () => {
		expect(await send(ask(), { appKey: 'WS2' })).toEqual({ status: 401, body: UNAUTHENTICATED });
	});

	// The yaml's 400 example is a request without MOE-APPKEY, word for word.
	it('answers the yaml\'s 400 "app_key - Some of the field values are invalid: app_key : None" to a request without MOE-APPKEY', async () => {
		expect(await send(ask(), { appKey: null })).toEqual({
			status: 400,
			body: {
				title: 'Invalid Field Value',
				description: 'app_key - Some of the field values are invalid: app_key : None',
				code: 'wUcwPRZF',
			},
		});
	});

	// The yaml's 403: "when our account does not have access to the campaign stats management features".
	it('answers 403 "Forbidden Request" to a workspace without campaign stats (statsEnabled: false)', async () => {
		await withSimulator({ ...defaults, statsEnabled: false }, async (own) => {
			expect(await send(ask(), { url: own.url })).toEqual({
				status: 403,
				body: { title: 'Forbidden Request', description: null, code: 'kmqLuuHM' },
			});
			expect(own.statsRequests).toEqual([]);
		});
	});
});

describe('Campaign stats: the body (the yaml: CampaignStatsRequest; 400 "Invalid Field Value")', () => {
	// The yaml: required [request_id, start_date, end_date, attribution_type, metric_type]; the
	// overview: "If only the start date is passed without the end date, the API will return an error".
	it.each(['request_id', 'start_date', 'end_date', 'attribution_type', 'metric_type'])(
		'answers 400 "%s - Missing data for required field." when the body has none',
		async (field) => {
			const body: Record<string, unknown> = ask();
			delete body[field];
			expect(await send(body)).toEqual({
				status: 400,
				body: {
					title: 'Invalid Field Value',
					description: `${field} - Missing data for required field.`,
					code: 'wUcwPRZF',
				},
			});
		},
	);

	// start_date, end_date: "format: date", "YYYY-MM-DD".
	it.each([
		['start_date', '2024-02-30'],
		['start_date', '2025/01/01'],
		['end_date', '20250131'],
		['end_date', '2025-1-31'],
		['end_date', 1735689600],
	])('answers 400 to %s %p, which is not a real YYYY-MM-DD date', async (field, value) => {
		expect(await send(ask({ [field]: value }))).toEqual({ status: 400, body: invalidField(field) });
	});

	it('answers 400 to an end_date before the start_date, and takes one day (start = end)', async () => {
		expect(await send(ask({ start_date: '2025-01-10', end_date: '2025-01-09' }))).toEqual({
			status: 400,
			body: invalidField('end_date'),
		});
		expect((await send(ask({ start_date: '2025-01-10', end_date: '2025-01-10' }))).status).toBe(
			200,
		);
	});

	// end_date: "The days between the start and end dates should not exceed 30 days", read as end −
	// start ≤ 30 (docs/moengage-api.md#campaign-stats).
	it('takes dates 30 days apart and refuses 31 ("should not exceed 30 days")', async () => {
		expect((await send(ask({ start_date: '2025-01-01', end_date: '2025-01-31' }))).status).toBe(
			200,
		);
		expect(await send(ask({ start_date: '2025-01-01', end_date: '2025-02-01' }))).toEqual({
			status: 400,
			body: {
				title: 'Invalid Field Value',
				description:
					'end_date - The days between the start and end dates should not exceed 30 days.',
				code: 'wUcwPRZF',
			},
		});
		// Across February in a leap year, the count is of calendar days.
		expect((await send(ask({ start_date: '2024-02-01', end_date: '2024-03-02' }))).status).toBe(
			200,
		);
		expect((await send(ask({ start_date: '2024-02-01', end_date: '2024-03-03' }))).status).toBe(
			400,
		);
	});

	// attribution_type and metric_type: the yaml's enums.
	it.each([
		['attribution_type', 'view_through'],
		['attribution_type', 'LAST_TOUCH'],
		['metric_type', 'unique'],
		['metric_type', 'DISTINCT'],
		['metric_type', 1],
	])('answers 400 to %s %p, outside the enum', async (field, value) => {
		expect(await send(ask({ [field]: value }))).toEqual({ status: 400, body: invalidField(field) });
	});

	it.each([
		'VIEW_THROUGH',
		'CLICK_THROUGH',
		'IN_SESSION',
		'TOTAL_CONVERSIONS',
		'CLICK_CONVERSIONS',
	])('takes attribution_type %s', async (attribution) => {
		expect((await send(ask({ attribution_type: attribution, limit: 1 }))).status).toBe(200);
	});

	it('answers 400 to a request_id that is not a non-empty string', async () => {
		expect(await send(ask({ request_id: 42 }))).toEqual({
			status: 400,
			body: invalidField('request_id'),
		});
		expect(await send(ask({ request_id: '' }))).toEqual({
			status: 400,
			body: invalidField('request_id'),
		});
	});

	// campaign_ids: "maxItems: 10", "up to 10 max per call"; the 400: "Possible issues include duplicates".
	it('takes 10 campaign_ids and refuses 11, duplicates, an empty list, or IDs that are not strings', async () => {
		const ids = simulator.campaigns.map((campaign) => campaign.id);
		expect((await send(ask({ campaign_ids: ids.slice(0, 10) }))).status).toBe(200);
		for (const campaignIds of [ids.slice(0, 11), [ids[0], ids[1], ids[0]], [], [1, 2], ids[0]]) {
			expect(await send(ask({ campaign_ids: campaignIds }))).toEqual({
				status: 400,
				body: invalidField('campaign_ids'),
			});
		}
	});

	// offset: integer, default 0; limit: integer, default 10, maximum 10.
	it.each([
		['offset', -1],
		['offset', 1.5],
		['offset', '10'],
		['limit', 0],
		['limit', 11],
		['limit', '10'],
	])('answers 400 to %s %p', async (field, value) => {
		expect(await send(ask({ [field]: value }))).toEqual({ status: 400, body: invalidField(field) });
	});

	// No MoEngage source names other keys; the simulator refuses them (docs/moengage-api.md#campaign-stats).
	it('answers 400 "<key> - Unknown field." to a key the yaml does not name', async () => {
		expect(await send(ask({ page: 2 }))).toEqual({
			status: 400,
			body: {
				title: 'Invalid Field Value',
				description: 'page - Unknown field.',
				code: 'wUcwPRZF',
			},
		});
	});

	it('answers 400 to a body that is not JSON, not an object, or not sent as application/json', async () => {
		expect((await send(undefined, { raw: '{"request_id": ' })).status).toBe(400);
		expect((await send([ask()])).status).toBe(400);
		expect((await send(ask(), { contentType: 'text/plain' })).status).toBe(400);
		expect(simulator.statsRequests).toEqual([]);
	});
});

describe('Campaign stats: pages (the yaml: offset, limit, current_page, total_pages, total_campaigns)', () => {
	// offset: "setting the offset to 50 skips the first 50 records … With a limit of 10, an offset of 50
	// returns page 6."
	it('answers 25 campaigns in 3 pages of 10, 10 and 5 at offsets 0, 10 and 20, each campaign once, in a stable order', async () => {
		const pages = [];
		for (const offset of [0, 10, 20]) pages.push(await stats({ offset, limit: 10 }));
		expect(
			pages.map((page) => [page.current_page, page.total_pages, page.total_campaigns]),
		).toEqual([
			[1, 3, 25],
			[2, 3, 25],
			[3, 3, 25],
		]);
		expect(pages.map((page) => Object.keys(page.data).length)).toEqual([10, 10, 5]);
		expect(pages.flatMap((page) => Object.keys(page.data))).toEqual(
			simulator.campaigns.map((campaign) => campaign.id),
		);
	});

	it('counts offset in campaigns, not pages: offset 5 answers the 6th to 15th campaigns as page 1', async () => {
		const page = await stats({ offset: 5 });
		expect(page.current_page).toBe(1);
		expect(Object.keys(page.data)).toEqual(
			simulator.campaigns.slice(5, 15).map((campaign) => campaign.id),
		);
	});

	it("answers the yaml's offset 50 with a limit of 10 as page 6, with no campaigns left", async () => {
		const page = await stats({ offset: 50 });
		expect(page).toMatchObject({ current_page: 6, total_pages: 3, total_campaigns: 25, data: {} });
	});

	it('defaults to offset 0 and limit 10, and pages by a smaller limit', async () => {
		const first = await stats();
		expect(Object.keys(first.data)).toHaveLength(10);
		const small = await stats({ limit: 4, offset: 8 });
		expect(small).toMatchObject({ current_page: 3, total_pages: 7 });
		expect(Object.keys(small.data)).toEqual(
			simulator.campaigns.slice(8, 12).map((campaign) => campaign.id),
		);
	});

	// Without campaign_ids, the campaigns of the range; one not active on any day of it is not one.
	it('answers, without campaign_ids, only the campaigns active on a day of the range', async () => {
		const early = await stats({ start_date: '2024-12-01', end_date: '2024-12-05' });
		const active = simulator.campaigns.filter((campaign) => campaign.startDate <= '2024-12-05');
		expect(active.length).toBeGreaterThan(0);
		expect(active.length).toBeLessThan(25);
		expect(early.total_campaigns).toBe(active.length);
		expect(Object.keys(early.data)).toEqual(active.slice(0, 10).map((campaign) => campaign.id));
	});
});

describe('Campaign stats: campaign_ids (the yaml: campaign_ids, total_campaigns)', () => {
	// The yaml's first request example names three campaigns; total_campaigns is "the total number of
	// campaigns that are requested in the payload".
	it('answers the campaigns asked for, in the order asked, and counts only them', async () => {
		const ids = [simulator.campaigns[7].id, simulator.campaigns[2].id, simulator.campaigns[19].id];
		const body = await stats({ campaign_ids: ids });
		expect(Object.keys(body.data)).toEqual(ids);
		expect(body).toMatchObject({ total_campaigns: 3, current_page: 1, total_pages: 1 });
	});

	// What MoEngage answers for an ID it does not know is undocumented: the simulator leaves it out of
	// data and of total_campaigns (docs/moengage-api.md#campaign-stats).
	it('leaves unknown IDs out of data and of total_campaigns', async () => {
		const known = simulator.campaigns[0].id;
		const body = await stats({
			campaign_ids: ['6643773d4fe37fe7a10b718e', known, '67c1cfc8c1b46a5ad5022de7'],
		});
		expect(Object.keys(body.data)).toEqual([known]);
		expect(body.total_campaigns).toBe(1);
		const none = await stats({ campaign_ids: ['6643773d4fe37fe7a10b718e'] });
		expect(none).toMatchObject({ total_campaigns: 0, total_pages: 0, data: {} });
	});

	it('answers a campaign asked for by ID over a range it was not active in, with figures of 0', async () => {
		const late = simulator.campaigns.find((campaign) => campaign.startDate > '2024-12-05')!;
		const body = await stats({
			campaign_ids: [late.id],
			start_date: '2024-12-01',
			end_date: '2024-12-05',
		});
		expect(allVariations(body, late.id, late.platforms[0]).performance_stats).toMatchObject({
			attempted: 0,
			sent: 0,
			click: 0,
		});
	});
});

describe('Campaign stats: the figures (the yaml: CampaignStatsResponse and its example)', () => {
	// The yaml: data → campaign ID → [ {platforms → platform → locales → locale → variations} ].
	it('nests each campaign as [{platforms: {<platform>: {locales: {<locale>: {variations}}}}}], with its own platforms and locales', async () => {
		const body = await stats();
		for (const campaign of simulator.campaigns.slice(0, 10)) {
			const entry = body.data[campaign.id];
			expect(entry).toHaveLength(1);
			expect(Object.keys(entry[0].platforms)).toEqual(campaign.platforms);
			for (const platform of campaign.platforms)
				expect(Object.keys(entry[0].platforms[platform].locales)).toEqual(campaign.locales);
		}
		const platforms = new Set(
			simulator.campaigns.flatMap((campaign) => campaign.platforms.join('+')),
		);
		expect(platforms.size).toBeGreaterThan(1);
		expect(simulator.campaigns.some((campaign) => campaign.locales.includes('en'))).toBe(true);
	});

	// The yaml: Variations {all_variations, campaign_control_group, global_control_group}; its example's
	// control groups carry only conversion_goal_stats, delivery_funnel and failure_breakdown.
	it('puts campaign_control_group and global_control_group beside all_variations, with no performance_stats', async () => {
		const campaign = simulator.campaigns[0];
		const variations = variationsOf(await stats(), campaign.id, campaign.platforms[0]);
		expect(Object.keys(variations.all_variations)).toEqual([
			'performance_stats',
			'conversion_goal_stats',
			'delivery_funnel',
			'failure_breakdown',
		]);
		const campaignControl = variations.campaign_control_group as ControlGroupDetails;
		const globalControl = variations.global_control_group as ControlGroupDetails;
		expect(Object.keys(campaignControl)).toEqual([
			'conversion_goal_stats',
			'delivery_funnel',
			'failure_breakdown',
		]);
		expect(Object.keys(globalControl)).toEqual([
			'conversion_goal_stats',
			'delivery_funnel',
			'failure_breakdown',
		]);
		// The example's failure keys, "campaing" as MoEngage spells it.
		expect(Object.keys(campaignControl.failure_breakdown)).toEqual([
			'user_removed_due_to_campaing_control_group',
		]);
		expect(Object.keys(globalControl.failure_breakdown)).toEqual([
			'user_removed_due_to_global_control_group',
		]);
		expect(Object.keys(campaignControl.conversion_goal_stats)).toEqual(campaign.goals);
	});

	it('gives an A/B campaign Variation 1 and Variation 2 beside all_variations, which counts both together', async () => {
		const campaign = simulator.campaigns.find((candidate) => candidate.variations.length > 0)!;
		const variations = variationsOf(
			await stats({ campaign_ids: [campaign.id] }),
			campaign.id,
			campaign.platforms[0],
		);
		expect(Object.keys(variations)).toEqual([
			'all_variations',
			'Variation 1',
			'Variation 2',
			'campaign_control_group',
			'global_control_group',
		]);
		const [one, two] = ['Variation 1', 'Variation 2'].map(
			(name) => (variations[name] as VariationDetails).performance_stats,
		);
		expect(variations.all_variations.performance_stats.attempted).toBe(
			one.attempted + two.attempted,
		);
		expect(variations.all_variations.performance_stats.click).toBe(one.click + two.click);
	});

	// The overview: TOTAL counts every occurrence, UNIQUE distinct users.
	it('answers UNIQUE counts no greater than TOTAL ones, and different', async () => {
		const total = await stats({ metric_type: 'TOTAL' });
		const unique = await stats({ metric_type: 'UNIQUE' });
		let differ = false;
		for (const campaign of simulator.campaigns.slice(0, 10)) {
			for (const platform of campaign.platforms) {
				const t = allVariations(total, campaign.id, platform);
				const u = allVariations(unique, campaign.id, platform);
				for (const name of ['attempted', 'sent', 'delivered', 'impression', 'click'] as const) {
					expect(u.performance_stats[name]).toBeLessThanOrEqual(t.performance_stats[name]);
					if (u.performance_stats[name] !== t.performance_stats[name]) differ = true;
				}
				for (const goal of campaign.goals)
					expect(u.conversion_goal_stats[goal].conversions).toBeLessThanOrEqual(
						t.conversion_goal_stats[goal].conversions,
					);
			}
		}
		expect(differ).toBe(true);
	});

	// Per-day figures summed over the days asked: a test can tell which range the node asked for.
	it('answers figures that change with the range: January 1–10 plus 11–20 make January 1–20', async () => {
		const campaign = simulator.campaigns[3];
		const platform = campaign.platforms[0];
		const attemptedOver = async (start: string, end: string) =>
			allVariations(
				await stats({ campaign_ids: [campaign.id], start_date: start, end_date: end }),
				campaign.id,
				platform,
			).performance_stats.attempted;
		const first = await attemptedOver('2025-01-01', '2025-01-10');
		const second = await attemptedOver('2025-01-11', '2025-01-20');
		expect(first).toBeGreaterThan(0);
		expect(first).not.toBe(second);
		expect(await attemptedOver('2025-01-01', '2025-01-20')).toBe(first + second);
	});

	// attribution_type picks how conversions are attributed; the sends stay the same.
	it('answers other conversions, and the same sends, for another attribution_type', async () => {
		const campaign = simulator.campaigns[0];
		const platform = campaign.platforms[0];
		const view = allVariations(
			await stats({ attribution_type: 'VIEW_THROUGH' }),
			campaign.id,
			platform,
		);
		const click = allVariations(
			await stats({ attribution_type: 'CLICK_THROUGH' }),
			campaign.id,
			platform,
		);
		expect(click.performance_stats).toEqual(view.performance_stats);
		expect(click.conversion_goal_stats['Goal 1'].conversions).not.toBe(
			view.conversion_goal_stats['Goal 1'].conversions,
		);
	});

	// The yaml's example: ctr 200 for 4 clicks on 2 impressions: rates are percentages.
	it('answers rates as percentages of its own counts', async () => {
		const campaign = simulator.campaigns[0];
		const { performance_stats: performance } = allVariations(
			await stats(),
			campaign.id,
			campaign.platforms[0],
		);
		expect(performance.ctr).toBeCloseTo((performance.click / performance.impression) * 100, 2);
		expect(performance.sent_rate).toBeCloseTo((performance.sent / performance.attempted) * 100, 2);
		expect(performance.failure_rate).toBeCloseTo(
			((performance.attempted - performance.sent) / performance.attempted) * 100,
			2,
		);
	});

	it('answers what campaignStatsAnswer() computes, the same for the same request, and makeCampaigns(25, seed + 3) seeds the campaigns', async () => {
		const body = ask({
			campaign_ids: [simulator.campaigns[4].id],
			metric_type: 'UNIQUE',
			attribution_type: 'IN_SESSION',
		});
		const expected = campaignStatsAnswer(
			simulator.campaigns,
			body as Parameters<typeof campaignStatsAnswer>[1],
		);
		expect((await send(body)).body).toEqual(expected);
		expect((await send(body)).body).toEqual(expected);
		expect(simulator.campaigns).toEqual(makeCampaigns(25, 1 + 3));
	});

	it('answers for the campaigns given in the campaigns option', async () => {
		const own = makeCampaigns(3, 42);
		await withSimulator({ ...defaults, campaigns: own }, async (given) => {
			const body = (await send(ask(), { url: given.url })).body as CampaignStatsResponse;
			expect(Object.keys(body.data)).toEqual(own.map((campaign) => campaign.id));
		});
	});

	it('records each request it answered with figures in statsRequests', async () => {
		const id = simulator.campaigns[1].id;
		await send(ask({ campaign_ids: [id], limit: 5 }));
		await send(ask({ limit: 11 }));
		expect(simulator.statsRequests).toEqual([
			{
				requestId: 'abc',
				campaignIds: [id],
				startDate: '2025-01-01',
				endDate: '2025-01-31',
				attributionType: 'VIEW_THROUGH',
				metricType: 'TOTAL',
				offset: 0,
				limit: 5,
				answered: [id],
				at: START,
			},
		]);
		expect(simulator.log.map((entry) => [entry.endpoint, entry.status, entry.appKey])).toEqual([
			['campaignStats', 200, 'WS1'],
			['campaignStats', 400, 'WS1'],
		]);
	});
});

describe('Campaign stats: limits and faults (the yaml: 429, 500)', () => {
	// The yaml: "the call rate is limited to 100 API calls per minute per workspace"; the 429 has no
	// documented body: the simulator's keeps the {title, description, code} envelope.
	it('takes 100 requests a minute, refuses the 101st with 429, and takes more once the window frees', async () => {
		await withSimulator(defaults, async (own) => {
			const one = ask({
				campaign_ids: [own.campaigns[0].id],
				start_date: '2025-01-01',
				end_date: '2025-01-01',
			});
			for (let n = 0; n < 100; n++) expect((await send(one, { url: own.url })).status).toBe(200);
			expect(await send(one, { url: own.url })).toEqual({
				status: 429,
				body: {
					title: 'Too Many Requests',
					description: 'The number of requests per minute has exceeded the rate limit.',
					code: 'rateLimit',
				},
			});
			time = START + MINUTE;
			expect((await send(one, { url: own.url })).status).toBe(200);
		});
	});

	it('lets statsPerMinute change the 100', async () => {
		await withSimulator({ ...defaults, statsPerMinute: 1 }, async (own) => {
			expect((await send(ask({ limit: 1 }), { url: own.url })).status).toBe(200);
			expect((await send(ask({ limit: 1 }), { url: own.url })).status).toBe(429);
		});
	});

	it("answers a '500' fault with the yaml's 500 body, and records no answer", async () => {
		await withSimulator(
			{ ...defaults, scriptedFaults: { campaignStats: ['500'] } },
			async (own) => {
				expect(await send(ask(), { url: own.url })).toEqual({
					status: 500,
					body: {
						title: 'Server Error',
						description:
							'An unexpected error was encountered while processing this request. Please contact MoEngage Team',
						code: 'jDTGSxjd',
					},
				});
				expect(own.statsRequests).toEqual([]);
				expect((await send(ask(), { url: own.url })).status).toBe(200);
			},
		);
	});
});
