'use strict';
/**
 * Campaign stats (docs/moengage-api.md#campaign-stats; api/stats-report/stats-report.yaml): POST
 * /core-services/v1/campaign-stats answers a page of campaigns' figures for a date range, nested
 * platform → locale → variation. simulator.js routes a request here and lends what every endpoint
 * shares (the clock, rate windows, faults, hooks, the rate-limit headers); this module
 * authenticates it with the Campaign report key, checks its body, and answers figures drawn from
 * seeded campaigns: the same campaign, range, metric_type and attribution_type give the same
 * figures, and campaignStatsAnswer() computes them for a test to compare. Types: ./stats.d.ts.
 */

const { randomFrom, seedOf, hexOf } = require('./random');

const CAMPAIGN_STATS_PATH = '/core-services/v1/campaign-stats';
const ATTRIBUTION_TYPES = [
	'VIEW_THROUGH',
	'CLICK_THROUGH',
	'IN_SESSION',
	'TOTAL_CONVERSIONS',
	'CLICK_CONVERSIONS',
];
const METRIC_TYPES = ['TOTAL', 'UNIQUE'];
/** campaign_ids: "up to 10 max per call" (maxItems: 10). */
const MAX_CAMPAIGN_IDS = 10;
/** limit: "The default and max limit is up to 10 campaigns." */
const MAX_LIMIT = 10;
/**
 * end_date: "The days between the start and end dates should not exceed 30 days", read as end −
 * start ≤ 30 days (2025-01-01 to 2025-01-31 is taken, to 2025-02-01 refused). Counting the days
 * between them exclusively would allow 31; this is the stricter reading.
 */
const MAX_RANGE_DAYS = 30;
/** "the call rate is limited to 100 API calls per minute per workspace" (stats-report.yaml). */
const STATS_PER_MINUTE = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The yaml's documented bodies, word for word; its 400 and 401 share the code wUcwPRZF. */
const INVALID_CODE = 'wUcwPRZF';
const MISSING_APP_KEY = {
	title: 'Invalid Field Value',
	description: 'app_key - Some of the field values are invalid: app_key : None',
	code: INVALID_CODE,
};
const UNAUTHENTICATED = {
	title: 'Authentication required',
	description: 'Invalid identity information found.',
	code: INVALID_CODE,
};
const FORBIDDEN = { title: 'Forbidden Request', description: null, code: 'kmqLuuHM' };
const SERVER_ERROR = {
	title: 'Server Error',
	description:
		'An unexpected error was encountered while processing this request. Please contact MoEngage Team',
	code: 'jDTGSxjd',
};
/**
 * The yaml documents a 429 and no body for it: this one takes the {title, description, code}
 * envelope of its other errors, the 429's own description, and a code of the simulator's.
 */
const TOO_MANY = {
	title: 'Too Many Requests',
	description: 'The number of requests per minute has exceeded the rate limit.',
	code: 'rateLimit',
};

const REQUEST_KEYS = [
	'request_id',
	'campaign_ids',
	'start_date',
	'end_date',
	'attribution_type',
	'metric_type',
	'offset',
	'limit',
];

const isPlainObject = (value) =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
const answerOf = (status, body) => ({ status, body });
/** The yaml's 400: "<field> - <what is wrong>", as its example words a missing app_key. */
const invalidField = (field, problem) =>
	answerOf(400, {
		title: 'Invalid Field Value',
		description: `${field} - ${problem}`,
		code: INVALID_CODE,
	});

/** The day number (days since 1970-01-01) of a `YYYY-MM-DD` that names a real date, else undefined. */
function dayOf(text) {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
	if (!match) return undefined;
	const [year, month, day] = match.slice(1).map(Number);
	const date = new Date(Date.UTC(year, month - 1, day));
	if (
		date.getUTCFullYear() !== year ||
		date.getUTCMonth() !== month - 1 ||
		date.getUTCDate() !== day
	)
		return undefined;
	return date.getTime() / DAY_MS;
}
const dateOf = (day) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * `count` campaigns, the same for the same seed. Each is active over a span of days; every one is
 * active from 2024-12-31 to 2025-01-31, so a range within those days answers all of them. Platforms
 * are push's (ANDROID, IOS, WEB), mixed; locales always all_locales, sometimes also en; some are
 * A/B tests with Variation 1 and Variation 2 beside all_variations; each has one or two conversion
 * goals.
 */
function makeCampaigns(count = 25, seed = 1) {
	const random = randomFrom(seed);
	const firstStart = dayOf('2024-12-01');
	const lastFullDay = dayOf('2025-01-31');
	const campaigns = [];
	for (let n = 1; n <= count; n++) {
		const id = hexOf(random);
		const startDate = dateOf(firstStart + Math.floor(random() * 30));
		const endDate = dateOf(lastFullDay + Math.floor(random() * 60));
		const platforms = ['ANDROID', 'IOS', 'WEB'].filter(() => random() < 0.6);
		if (platforms.length === 0) platforms.push(['ANDROID', 'IOS', 'WEB'][n % 3]);
		campaigns.push({
			id,
			name: `Campaign ${n}`,
			startDate,
			endDate,
			platforms,
			locales: random() < 0.4 ? ['all_locales', 'en'] : ['all_locales'],
			variations: random() < 0.35 ? ['Variation 1', 'Variation 2'] : [],
			goals: random() < 0.3 ? ['Goal 1', 'Goal 2'] : ['Goal 1'],
		});
	}
	return campaigns;
}

/**
 * How many conversions each attribution type counts, relative to view-through: a figure that
 * changes with it is all a test needs, and these keep click-based ones below view-based ones.
 */
const ATTRIBUTION_WEIGHT = {
	VIEW_THROUGH: 1,
	CLICK_THROUGH: 0.5,
	IN_SESSION: 0.3,
	TOTAL_CONVERSIONS: 1.4,
	CLICK_CONVERSIONS: 0.6,
};
const COUNTS = ['attempted', 'sent', 'failed', 'delivered', 'impression', 'click'];

/**
 * One cell's (campaign, platform, locale, variation) figures on one day, as TOTAL counts and as
 * UNIQUE ones (a share of each: one user can be counted many times, never less than once), with
 * its users held out in the control groups and its conversions per goal under `attribution`.
 */
function cellDay(campaign, cell, day, attribution) {
	const key = `${campaign.id}|${cell.platform}|${cell.locale}|${cell.variation}|${day}`;
	const random = randomFrom(seedOf(key));
	const scale = (cell.locale === 'all_locales' ? 1 : 0.5) * (cell.variation ? 0.5 : 1);
	const attempted = Math.floor((40 + random() * 400) * scale);
	const failed = Math.floor(attempted * random() * 0.08);
	const sent = attempted - failed;
	const delivered = Math.floor(sent * (0.85 + random() * 0.15));
	const impression = Math.floor(delivered * (0.4 + random() * 0.6));
	const click = Math.floor(impression * random() * 0.5);
	const uniqueShare = 0.55 + random() * 0.4;
	const total = { attempted, sent, failed, delivered, impression, click };
	const unique = Object.fromEntries(
		COUNTS.map((name) => [name, Math.floor(total[name] * uniqueShare)]),
	);
	// A user is sent or not: failed stays what the unique counts leave between attempted and sent.
	unique.failed = unique.attempted - unique.sent;
	const heldOut = {
		campaignControl: Math.floor(attempted * 0.05 * uniqueShare),
		globalControl: Math.floor(attempted * 0.03 * uniqueShare),
	};
	const conversions = {};
	for (const goal of campaign.goals) {
		const draw = randomFrom(seedOf(`${key}|${goal}|${attribution}`));
		const weight = ATTRIBUTION_WEIGHT[attribution];
		const totalOf = (users) => Math.floor(users * draw() * 0.12 * weight);
		const counts = {
			variation: totalOf(sent),
			campaignControl: totalOf(heldOut.campaignControl),
			globalControl: totalOf(heldOut.globalControl),
		};
		const uniqueShareOfGoal = 0.6 + draw() * 0.4;
		conversions[goal] = {
			TOTAL: counts,
			UNIQUE: Object.fromEntries(
				Object.entries(counts).map(([group, n]) => [group, Math.floor(n * uniqueShareOfGoal)]),
			),
		};
	}
	return { TOTAL: total, UNIQUE: unique, usersUnique: unique, heldOut, conversions };
}

/** A cell's figures summed over `days`, for one metric_type. */
function cellSum(campaign, cell, days, query) {
	const sum = {
		counts: Object.fromEntries(COUNTS.map((name) => [name, 0])),
		users: Object.fromEntries(COUNTS.map((name) => [name, 0])),
		heldOut: { campaignControl: 0, globalControl: 0 },
		conversions: Object.fromEntries(
			campaign.goals.map((goal) => [goal, { variation: 0, campaignControl: 0, globalControl: 0 }]),
		),
	};
	for (const day of days) {
		const figures = cellDay(campaign, cell, day, query.attribution_type);
		for (const name of COUNTS) {
			sum.counts[name] += figures[query.metric_type][name];
			sum.users[name] += figures.usersUnique[name];
		}
		sum.heldOut.campaignControl += figures.heldOut.campaignControl;
		sum.heldOut.globalControl += figures.heldOut.globalControl;
		for (const goal of campaign.goals) {
			for (const [group, n] of Object.entries(figures.conversions[goal][query.metric_type]))
				sum.conversions[goal][group] += n;
		}
	}
	return sum;
}

/** Sums of several cells: an A/B campaign's all_variations is its variations together. */
function addSums(sums) {
	const [first, ...rest] = sums.map((sum) => structuredClone(sum));
	for (const sum of rest) {
		for (const name of COUNTS) {
			first.counts[name] += sum.counts[name];
			first.users[name] += sum.users[name];
		}
		for (const group of ['campaignControl', 'globalControl'])
			first.heldOut[group] += sum.heldOut[group];
		for (const goal of Object.keys(first.conversions)) {
			for (const group of Object.keys(first.conversions[goal]))
				first.conversions[goal][group] += sum.conversions[goal][group];
		}
	}
	return first;
}

/** Rates are percentages with two decimals: the yaml's example has ctr 200 for 4 clicks on 2 impressions. */
const percent = (part, whole) => (whole > 0 ? Math.round((part / whole) * 10_000) / 100 : 0);

function goalStats(sum, group, users) {
	const controlRate = (goal) =>
		percent(sum.conversions[goal].campaignControl, sum.heldOut.campaignControl);
	return Object.fromEntries(
		Object.keys(sum.conversions).map((goal) => {
			const conversions = sum.conversions[goal][group];
			const cvr = percent(conversions, users);
			// "uplift": the percentage change of the variation's conversion rate over the campaign
			// control group's; a control group has none of its own.
			const base = controlRate(goal);
			const uplift =
				group === 'variation' && base > 0 ? Math.round(((cvr - base) / base) * 10_000) / 100 : 0;
			return [goal, { conversions, cvr, uplift }];
		}),
	);
}

/** A variation's block: the four groups of the yaml's VariationDetails. */
function variationDetails(sum) {
	const { attempted, sent, failed, delivered, impression, click } = sum.counts;
	const users = sum.users;
	// The failure reasons are undocumented (a free map): the simulator splits failures in two.
	const failureBreakdown =
		failed > 0
			? { invalid_push_token: Math.ceil(failed / 2), app_uninstalled: Math.floor(failed / 2) }
			: {};
	return {
		performance_stats: {
			attempted,
			sent,
			failed,
			delivered,
			impression,
			click,
			ctr: percent(click, impression),
			delivery_rate: percent(delivered, sent),
			sent_rate: percent(sent, attempted),
			failure_rate: percent(attempted - sent, attempted),
		},
		conversion_goal_stats: goalStats(sum, 'variation', sent),
		// The funnel counts users at each step, whatever metric_type asks.
		delivery_funnel: {
			reachable_users_in_segment:
				users.attempted + sum.heldOut.campaignControl + sum.heldOut.globalControl,
			segment_after_uninstall:
				users.attempted + sum.heldOut.campaignControl + sum.heldOut.globalControl,
			after_fc: users.attempted,
			users_after_dup: users.attempted,
			sent: users.sent,
			user_devices: users.attempted,
			impressions: users.impression,
			active_device_token: users.attempted,
		},
		failure_breakdown: failureBreakdown,
	};
}

/**
 * The yaml's example: a control group carries conversion_goal_stats, a delivery_funnel whose
 * reachable users are 0, and a failure_breakdown counting the users it held out (the key's
 * "campaing" is MoEngage's spelling); no performance_stats.
 */
function controlGroupDetails(sum, group, reason) {
	return {
		conversion_goal_stats: goalStats(sum, group, sum.heldOut[group]),
		delivery_funnel: { reachable_users_in_segment: 0 },
		failure_breakdown: { [reason]: sum.heldOut[group] },
	};
}

/** The days of [start, end] the campaign was active on. */
function activeDays(campaign, start, end) {
	const from = Math.max(start, dayOf(campaign.startDate));
	const to = Math.min(end, dayOf(campaign.endDate));
	return Array.from({ length: Math.max(0, to - from + 1) }, (_, n) => from + n);
}

/** One campaign's entry in `data`: an array of one {platforms} block, as in the yaml's example. */
function campaignData(campaign, query) {
	const days = activeDays(campaign, dayOf(query.start_date), dayOf(query.end_date));
	const platforms = {};
	for (const platform of campaign.platforms) {
		const locales = {};
		for (const locale of campaign.locales) {
			const named = campaign.variations.map((variation) => ({
				variation,
				sum: cellSum(campaign, { platform, locale, variation }, days, query),
			}));
			const all =
				named.length > 0
					? addSums(named.map(({ sum }) => sum))
					: cellSum(campaign, { platform, locale, variation: '' }, days, query);
			const variations = { all_variations: variationDetails(all) };
			for (const { variation, sum } of named) variations[variation] = variationDetails(sum);
			variations.campaign_control_group = controlGroupDetails(
				all,
				'campaignControl',
				'user_removed_due_to_campaing_control_group',
			);
			variations.global_control_group = controlGroupDetails(
				all,
				'globalControl',
				'user_removed_due_to_global_control_group',
			);
			locales[locale] = { variations };
		}
		platforms[platform] = { locales };
	}
	return [{ platforms }];
}

/**
 * The 200 body MoEngage's campaign stats answers a checked request with (offset and limit filled in
 * with their defaults, 0 and 10), computed from `campaigns`: what a test compares the node's output
 * with.
 *
 * Without campaign_ids, the campaigns active on a day of the range, in their seeded order. With
 * them, the known ones in the order asked, active or not (one inactive in the range has figures of
 * 0); an unknown ID is left out of `data` and of total_campaigns, since the yaml does not say what
 * MoEngage answers for one. offset counts campaigns ("setting the offset to 50 skips the first 50
 * records"), current_page is 1-based ("With a limit of 10, an offset of 50 returns page 6") and
 * total_pages is ceil(total_campaigns / limit) (0 when there are none: undocumented).
 */
function campaignStatsAnswer(campaigns, request) {
	const query = { offset: 0, limit: MAX_LIMIT, ...request };
	const start = dayOf(query.start_date);
	const end = dayOf(query.end_date);
	const chosen = query.campaign_ids
		? query.campaign_ids
				.map((id) => campaigns.find((campaign) => campaign.id === id))
				.filter((campaign) => campaign !== undefined)
		: campaigns.filter((campaign) => activeDays(campaign, start, end).length > 0);
	const page = chosen.slice(query.offset, query.offset + query.limit);
	const data = {};
	for (const campaign of page) data[campaign.id] = campaignData(campaign, query);
	return {
		response_id: query.request_id,
		total_campaigns: chosen.length,
		current_page: Math.floor(query.offset / query.limit) + 1,
		total_pages: Math.ceil(chosen.length / query.limit),
		data,
	};
}

/** The first field CampaignStatsRequest's schema refuses, as the yaml's 400 words it, or undefined. */
function bodyRefusal(body) {
	// The yaml's schema forbids no other key; the 400's wording ("Invalid Field Value") is a
	// validating schema's, and the simulator refuses a key MoEngage does not name, so that a misspelt
	// one in the node is caught here rather than ignored.
	const unknown = Object.keys(body).find((key) => !REQUEST_KEYS.includes(key));
	if (unknown !== undefined) return invalidField(unknown, 'Unknown field.');
	const missing = (field) => invalidField(field, 'Missing data for required field.');
	if (body.request_id === undefined) return missing('request_id');
	if (typeof body.request_id !== 'string' || body.request_id === '')
		return invalidField('request_id', 'Not a valid string.');
	const ids = body.campaign_ids;
	if (ids !== undefined) {
		if (
			!Array.isArray(ids) ||
			ids.length === 0 ||
			!ids.every((id) => typeof id === 'string' && id !== '')
		)
			return invalidField('campaign_ids', 'Must be a list of 1 to 10 campaign IDs (strings).');
		if (ids.length > MAX_CAMPAIGN_IDS)
			return invalidField('campaign_ids', `Up to ${MAX_CAMPAIGN_IDS} campaign IDs per call.`);
		// The yaml's 400: "Possible issues include duplicates".
		if (new Set(ids).size !== ids.length)
			return invalidField('campaign_ids', 'Contains duplicates.');
	}
	for (const field of ['start_date', 'end_date']) {
		// "If only the start date is passed without the end date, the API will return an error response."
		if (body[field] === undefined) return missing(field);
		if (typeof body[field] !== 'string' || dayOf(body[field]) === undefined)
			return invalidField(field, 'Not a valid date: use YYYY-MM-DD.');
	}
	const days = dayOf(body.end_date) - dayOf(body.start_date);
	if (days < 0) return invalidField('end_date', 'Must not be before start_date.');
	if (days > MAX_RANGE_DAYS)
		return invalidField(
			'end_date',
			'The days between the start and end dates should not exceed 30 days.',
		);
	for (const [field, allowed] of [
		['attribution_type', ATTRIBUTION_TYPES],
		['metric_type', METRIC_TYPES],
	]) {
		if (body[field] === undefined) return missing(field);
		if (!allowed.includes(body[field]))
			return invalidField(field, `Must be one of: ${allowed.join(', ')}.`);
	}
	if (body.offset !== undefined && !(Number.isInteger(body.offset) && body.offset >= 0))
		return invalidField('offset', 'Must be an integer of 0 or more.');
	if (
		body.limit !== undefined &&
		!(Number.isInteger(body.limit) && body.limit >= 1 && body.limit <= MAX_LIMIT)
	)
		return invalidField('limit', `Must be an integer from 1 to ${MAX_LIMIT}.`);
	return undefined;
}

/**
 * context: config (workspaceId, reportKey, statsPerMinute, statsEnabled), campaigns, clockNow,
 * createWindow, pickFault(request), faultAnswer(kind, validBody), intercepted(request),
 * withRateLimitHeaders(answer, now, window).
 */
function createCampaignStats(context) {
	const { config, campaigns, clockNow, pickFault, faultAnswer, intercepted } = context;
	const window = context.createWindow(() => config.statsPerMinute);
	/** Every request answered with figures (a lost answer's included), in arrival order. */
	const requests = [];

	/** The Basic auth user when it carries this workspace's ID and the Campaign report key. */
	function authenticated(headers) {
		const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(headers.authorization ?? '');
		if (!match) return false;
		const decoded = Buffer.from(match[1], 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		return (
			colon >= 0 &&
			decoded.slice(0, colon) === config.workspaceId &&
			decoded.slice(colon + 1) === config.reportKey
		);
	}

	function answerEnabled(request, now) {
		// "100 API calls per minute": calls, whatever they ask; a refused body counts too, the
		// stricter reading of what MoEngage leaves unsaid.
		if (!window.fits(now, 1)) return answerOf(429, TOO_MANY);
		window.spend(now, 1);
		const contentType = String(request.headers['content-type'] ?? '')
			.split(';')[0]
			.trim();
		// The old help page lists Content-Type: application/json as required; the answer to another
		// type is undocumented: here the 400 "Invalid Field Value" naming it.
		if (contentType.toLowerCase() !== 'application/json')
			return invalidField('Content-Type', 'Must be application/json.');
		try {
			request.body = JSON.parse(request.raw.toString('utf8'));
		} catch {
			return invalidField('body', 'Not valid JSON.');
		}
		if (!isPlainObject(request.body)) return invalidField('body', 'Must be a JSON object.');
		const refusal = bodyRefusal(request.body);
		if (refusal) return refusal;
		const fault = pickFault(request);
		if (fault === '429') return answerOf(429, TOO_MANY);
		if (fault === '429-retry-after')
			return { ...answerOf(429, TOO_MANY), headers: { 'Retry-After': '1' } };
		if (fault === '500') return answerOf(500, SERVER_ERROR);
		const override = intercepted(request);
		if (override) return override;
		const body = campaignStatsAnswer(campaigns, request.body);
		// A read changes nothing: an applied-* fault is its twin, after the figures were worked out.
		if (fault === undefined || fault.startsWith('applied-')) {
			requests.push({
				requestId: request.body.request_id,
				campaignIds: request.body.campaign_ids,
				startDate: request.body.start_date,
				endDate: request.body.end_date,
				attributionType: request.body.attribution_type,
				metricType: request.body.metric_type,
				offset: request.body.offset ?? 0,
				limit: request.body.limit ?? MAX_LIMIT,
				answered: Object.keys(body.data),
				at: now,
			});
		}
		if (fault) return faultAnswer(fault, body);
		return answerOf(200, body);
	}

	return {
		requests,
		route: (request) => request.method === 'POST' && request.url.pathname === CAMPAIGN_STATS_PATH,
		answer(request) {
			const { headers } = request;
			// The yaml's 400 example is this very case: the workspace is read from MOE-APPKEY first.
			if (!headers['moe-appkey']) return answerOf(400, MISSING_APP_KEY);
			// Another key (the Data API or Inform key), another workspace, or a MOE-APPKEY that is not
			// the Basic auth user: the yaml's one 401.
			if (!authenticated(headers) || headers['moe-appkey'] !== config.workspaceId)
				return answerOf(401, UNAUTHENTICATED);
			// "when our account does not have access to the campaign stats management features".
			if (!config.statsEnabled) return answerOf(403, FORBIDDEN);
			const now = clockNow();
			return context.withRateLimitHeaders(answerEnabled(request, now), now, window);
		},
		reset() {
			requests.length = 0;
			window.clear();
		},
	};
}

module.exports = {
	createCampaignStats,
	makeCampaigns,
	campaignStatsAnswer,
	CAMPAIGN_STATS_PATH,
	ATTRIBUTION_TYPES,
	METRIC_TYPES,
	MAX_CAMPAIGN_IDS,
	MAX_LIMIT,
	MAX_RANGE_DAYS,
	STATS_PER_MINUTE,
};
