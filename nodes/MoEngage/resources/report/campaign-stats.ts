/**
 * Report → Get Campaign Stats (docs/moengage-api.md#campaign-stats): each item asks for the stats
 * of its campaigns over a date range, ten campaigns a request as MoEngage takes them, every page
 * fetched; the answer comes out as one row per campaign × platform × locale × variation, its
 * nested figures flattened into columns a sheet can take.
 */
import {
	deepCopy,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { defineOperation } from '../../pipeline/execute';
import { groupUnits, itemProblem } from '../../pipeline/items';
import type { OperationRun, Placed, Planned, Sent, Unit } from '../../pipeline/operation';
import { readSending, sendingOptions, type PerMinute, type Sending } from '../../pipeline/options';
import { type Checked, isRecord } from '../../shared/checked';
import type { UnitResult } from '../../shared/dispatcher';
import { normaliseIdentifier } from '../../shared/identifiers';
import {
	MAX_CAMPAIGNS_PER_REQUEST,
	MAX_STATS_DAYS,
	STATS_REQUESTS_PER_MINUTE,
} from '../../shared/limits';
import { workspaceOf, type CredentialKind, type Hints } from '../../shared/transport';

export const CAMPAIGN_REPORT_CREDENTIAL: CredentialKind = {
	type: 'moEngageCampaignReportApi',
	displayName: 'MoEngage Campaign Report API',
	keyName: 'Campaign report key',
};

const PER_MINUTE: PerMinute = {
	name: 'requestsPerMinute',
	displayName: 'Requests per Minute',
	default: STATS_REQUESTS_PER_MINUTE,
	description:
		'The campaign stats limit to stay under: MoEngage allows 100 requests a minute per workspace, ten campaigns each. Shared by every execution on this workspace in this n8n process.',
};

const ATTRIBUTION_TYPES = [
	{ name: 'View Through', value: 'VIEW_THROUGH' },
	{ name: 'Click Through', value: 'CLICK_THROUGH' },
	{ name: 'In Session', value: 'IN_SESSION' },
	{ name: 'Total Conversions', value: 'TOTAL_CONVERSIONS' },
	{ name: 'Click Conversions', value: 'CLICK_CONVERSIONS' },
];

const FIX =
	'Set Start Date and End Date (at most 30 days apart, e.g. {{ $today.minus({ days: 7 }) }} and {{ $today.minus({ days: 1 }) }}), and Campaign IDs as IDs separated by commas, or empty for every campaign.';

const DAY_MS = 86_400_000;

interface Settings {
	sending: Sending;
	attributionType: string;
	metricType: string;
	output: 'rows' | 'answer';
}

interface Query {
	/** Undefined: every campaign. */
	campaignIds?: string[];
	startDate: string;
	endDate: string;
}

/** One item's question, shared by the items that ask the same. */
interface Report extends Unit, Query {}

/** One request: ten campaigns (or a page of every campaign) of a report. */
interface Page extends Unit {
	report: Report;
	campaignIds?: string[];
	offset: number;
}

/** MoEngage's answer to one request, as documented. */
interface StatsAnswer {
	response_id?: string;
	total_campaigns?: number;
	current_page?: number;
	total_pages: number;
	data: Record<string, unknown>;
}

/** A report's answers, page by page in request order. */
type Answers = StatsAnswer[];

/** A calendar date as the value says it: "2026-11-01", an ISO date-time in its own offset, $now, a Date. */
export function calendarDate(value: unknown): Checked<string> {
	let text: string | undefined;
	if (value instanceof Date) text = Number.isNaN(value.getTime()) ? undefined : value.toISOString();
	else if (typeof value === 'object' && value !== null && 'toISODate' in value)
		text = String((value as { toISODate(): unknown }).toISODate());
	else if (typeof value === 'string') text = value.trim();
	const match = text === undefined ? null : /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(text);
	if (match === null) {
		return {
			ok: false,
			problem: `is ${value === '' || value === undefined ? 'empty' : JSON.stringify(value)}; give a date such as 2026-11-01 or {{ $today }}`,
		};
	}
	const [, year, month, day] = match.map(Number);
	const date = new Date(Date.UTC(year, month - 1, day));
	if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
		return { ok: false, problem: `is ${match[0].slice(0, 10)}, which is no calendar date` };
	return { ok: true, value: match[0].slice(0, 10) };
}

/** Campaign IDs as typed (separated by commas, spaces or lines) or as a list; each once, in order. */
export function campaignIdsOf(value: unknown): Checked<string[] | undefined> {
	const given = Array.isArray(value)
		? value
		: typeof value === 'string'
			? value.split(/[\s,]+/).filter(Boolean)
			: value === undefined || value === null
				? []
				: [value];
	const ids: string[] = [];
	for (const entry of given) {
		const id = normaliseIdentifier(entry);
		if (!id.ok) return { ok: false, problem: `hold a value that ${id.problem}` };
		if (!ids.includes(id.value)) ids.push(id.value);
	}
	return { ok: true, value: ids.length === 0 ? undefined : ids };
}

function settings(context: IExecuteFunctions): Settings {
	return {
		sending: readSending(context, PER_MINUTE),
		attributionType: context.getNodeParameter('attributionType', 0) as string,
		metricType: context.getNodeParameter('metricType', 0) as string,
		output: context.getNodeParameter('output', 0, 'rows') as Settings['output'],
	};
}

function plan(run: OperationRun<Settings>) {
	return (itemIndex: number): Planned<Query> => {
		const problem = (text: string) => itemProblem(itemIndex, text, FIX);
		const start = calendarDate(run.read('startDate', itemIndex, ''));
		if (!start.ok) return problem(`the Start Date ${start.problem}`);
		const end = calendarDate(run.read('endDate', itemIndex, ''));
		if (!end.ok) return problem(`the End Date ${end.problem}`);
		const days = (Date.parse(end.value) - Date.parse(start.value)) / DAY_MS;
		if (days < 0)
			return problem(`the End Date ${end.value} is before the Start Date ${start.value}`);
		if (days > MAX_STATS_DAYS) {
			return problem(
				`the dates ${start.value} to ${end.value} are ${days} days apart; MoEngage's campaign stats take at most ${MAX_STATS_DAYS}. Ask for a longer time in several items (or runs) of ${MAX_STATS_DAYS} days or fewer; unique figures of two ranges do not add up`,
			);
		}
		const ids = campaignIdsOf(run.read('campaignIds', itemIndex, ''));
		if (!ids.ok) return problem(`the Campaign IDs ${ids.problem}`);
		return {
			ok: true,
			part: { campaignIds: ids.value, startDate: start.value, endDate: end.value },
		};
	};
}

const describeQuery = (query: Query) =>
	`${query.startDate} to ${query.endDate}, ${query.campaignIds === undefined ? 'every campaign' : `campaigns ${query.campaignIds.join(', ')}`}`;

function readStats(body: unknown): Checked<StatsAnswer> {
	if (!isRecord(body)) return { ok: false, problem: 'the body is not a JSON object' };
	const record = body;
	if (!isRecord(record.data)) return { ok: false, problem: 'it has no "data" object of campaigns' };
	return {
		ok: true,
		value: {
			...(record as unknown as StatsAnswer),
			total_pages: typeof record.total_pages === 'number' ? record.total_pages : 1,
		},
	};
}

const HINTS: Hints = {
	400: {
		what: 'MoEngage rejected the campaign stats request',
		todo: "Check this item's Campaign IDs and dates.",
	},
	401: {
		what: 'MoEngage rejected the Campaign report credentials',
		todo: 'Check the Workspace ID and the Campaign report key (Settings → Account → APIs → Campaign report, not the Data key), and that the data center matches your dashboard URL (dashboard-02 → DC 02).',
	},
	403: {
		what: 'MoEngage refused campaign stats for this workspace',
		todo: 'Campaign stats are not enabled for it: ask MoEngage support to enable the Campaign Stats API.',
	},
};

/**
 * The reports' pages: first ten campaigns a request (or the first page of every campaign), then
 * the further pages the first answers announce. A report fails with its first failed page.
 */
async function send(
	run: OperationRun<Settings>,
	reports: Report[],
): Promise<Sent<Report, Answers>> {
	const { attributionType, metricType } = run.settings;
	const answers = new Map<Page, StatsAnswer>();
	const endpoint = {
		budget: 'campaign stats',
		unit: 'requests',
		io: {
			send: async (batch: readonly Page[], signal: AbortSignal) => {
				const page = batch[0];
				const { report } = page;
				const body: IDataObject = {
					request_id: `n8n-${run.context.getExecutionId() ?? 'run'}-${report.itemIndexes[0]}-${page.offset}`,
					start_date: report.startDate,
					end_date: report.endDate,
					attribution_type: attributionType,
					metric_type: metricType,
					offset: page.offset,
					limit: MAX_CAMPAIGNS_PER_REQUEST,
				};
				if (page.campaignIds !== undefined) body.campaign_ids = page.campaignIds;
				return await run.request(
					{
						path: '/core-services/v1/campaign-stats',
						headers: { 'MOE-APPKEY': run.workspace.appId },
						body,
					},
					readStats,
					HINTS,
					signal,
				);
			},
			settle: (batch: readonly Page[], answer: StatsAnswer) => {
				answers.set(batch[0], answer);
				return [answer];
			},
			weight: () => 1,
		},
	};
	const pageOf = (report: Report, campaignIds: string[] | undefined, offset: number): Page => ({
		itemIndexes: report.itemIndexes,
		type: 'campaign stats',
		identifier: describeQuery({ ...report, campaignIds }),
		report,
		campaignIds,
		offset,
	});
	const first = reports.flatMap((report) =>
		report.campaignIds === undefined
			? [pageOf(report, undefined, 0)]
			: Array.from(
					{ length: Math.ceil(report.campaignIds.length / MAX_CAMPAIGNS_PER_REQUEST) },
					(_, index) =>
						pageOf(
							report,
							report.campaignIds!.slice(
								index * MAX_CAMPAIGNS_PER_REQUEST,
								(index + 1) * MAX_CAMPAIGNS_PER_REQUEST,
							),
							0,
						),
				),
	);
	const sentFirst = await run.send(
		first.map((page) => [page]),
		endpoint,
	);
	const more = sentFirst.stoppedBy
		? []
		: first.flatMap((page) => {
				const answer = answers.get(page);
				const pages = Math.max(1, Math.floor(answer?.total_pages ?? 1));
				return Array.from({ length: pages - 1 }, (_, index) =>
					pageOf(page.report, page.campaignIds, (index + 1) * MAX_CAMPAIGNS_PER_REQUEST),
				);
			});
	const sentMore = await run.send(
		more.map((page) => [page]),
		endpoint,
	);

	const results = new Map<Report, UnitResult<Answers>>();
	for (const page of [...first, ...more]) {
		const known = results.get(page.report);
		if (known?.kind === 'failed') continue;
		// A page without a result was never asked for: its report is incomplete, never settled.
		const result = sentFirst.results.get(page) ??
			sentMore.results.get(page) ?? {
				kind: 'failed' as const,
				failure: {
					message: `Not fetched: the run ended before the page at offset ${page.offset} (${page.identifier})`,
				},
			};
		if (result.kind === 'failed') {
			results.set(page.report, result);
			continue;
		}
		const list = known?.kind === 'settled' ? known.outcome : [];
		list.push(answers.get(page)!);
		results.set(page.report, { kind: 'settled', outcome: list });
	}
	const stoppedBy = sentFirst.stoppedBy ?? sentMore.stoppedBy;
	return {
		results,
		...(stoppedBy
			? {
					stoppedBy: {
						failure: stoppedBy.failure,
						batch: stoppedBy.batch.map((page) => (page as Page).report),
					},
				}
			: {}),
	};
}

/** A block of figures as columns: `prefix_name`, nested goals as `prefix_goal_name`. */
function flatten(prefix: string, block: unknown, row: IDataObject) {
	if (!isRecord(block)) return;
	for (const [name, value] of Object.entries(block)) {
		if (isRecord(value)) flatten(`${prefix}_${name}`, value, row);
		else row[`${prefix}_${name}`] = value as IDataObject[string];
	}
}

/** Where a variation's blocks go: performance_stats → performance_sent, conversion_goal_stats → goal_Goal 1_cvr… */
const COLUMN_PREFIXES: Record<string, string> = {
	performance_stats: 'performance',
	conversion_goal_stats: 'goal',
	delivery_funnel: 'delivery',
	failure_breakdown: 'failure',
};

/**
 * One row per campaign × platform × locale × variation (the control groups are variations beside
 * all_variations). A campaign asked for by ID that the answer leaves out gets one row without
 * figures, so a sheet shows it. MoEngage answers a list per campaign; a second entry's rows say
 * which they are in `entry`.
 */
export function statsRows(answers: Answers, report: Query, settings: Settings): IDataObject[] {
	const common = {
		start_date: report.startDate,
		end_date: report.endDate,
		attribution_type: settings.attributionType,
		metric_type: settings.metricType,
	};
	const data = new Map<string, unknown>();
	for (const answer of answers)
		for (const [id, entries] of Object.entries(answer.data)) data.set(id, entries);
	const ids = [...(report.campaignIds ?? []), ...data.keys()].filter(
		(id, index, all) => all.indexOf(id) === index,
	);
	const rows: IDataObject[] = [];
	for (const id of ids) {
		const entries = data.get(id);
		const list = Array.isArray(entries) ? entries : entries === undefined ? [] : [entries];
		if (list.length === 0) {
			rows.push({ campaign_id: id, platform: null, locale: null, variation: null, ...common });
			continue;
		}
		list.forEach((entry, index) => {
			const platforms = isRecord(entry) && isRecord(entry.platforms) ? entry.platforms : {};
			for (const [platform, platformStats] of Object.entries(platforms)) {
				const locales =
					isRecord(platformStats) && isRecord(platformStats.locales) ? platformStats.locales : {};
				for (const [locale, localeStats] of Object.entries(locales)) {
					const variations =
						isRecord(localeStats) && isRecord(localeStats.variations) ? localeStats.variations : {};
					for (const [variation, figures] of Object.entries(variations)) {
						const row: IDataObject = { campaign_id: id, platform, locale, variation, ...common };
						if (list.length > 1) row.entry = index + 1;
						if (isRecord(figures)) {
							for (const [block, value] of Object.entries(figures))
								flatten(COLUMN_PREFIXES[block] ?? block, value, row);
						}
						rows.push(row);
					}
				}
			}
		});
	}
	return rows;
}

function place(
	run: OperationRun<Settings>,
	answers: Answers,
	_: INodeExecutionData,
	report: Report,
): Placed {
	// Items asking the same share the answers: each gets its own copy.
	if (run.settings.output === 'answer')
		return { output: 0, rows: answers.map((answer) => deepCopy(answer as unknown as IDataObject)) };
	return { output: 0, rows: statsRows(answers, report, run.settings) };
}

export const getCampaignStats = defineOperation<Settings, Query, Report, Answers>({
	value: 'getCampaignStats',
	name: 'Get Campaign Stats',
	action: 'Get campaign stats',
	description:
		'Get the performance, conversion and delivery figures of campaigns over a date range',
	outputs: ['Stats'],
	credential: {
		kind: CAMPAIGN_REPORT_CREDENTIAL,
		workspace: (credentials) => workspaceOf(credentials, CAMPAIGN_REPORT_CREDENTIAL),
	},
	properties: [
		{
			displayName: 'Campaign IDs',
			name: 'campaignIds',
			type: 'string',
			default: '',
			placeholder: 'e.g. 66e933029ff25f3322d8279d, 6643773d4fe37fe7a10b718e',
			description:
				'The campaigns, separated by commas (or a list from an expression); any number, asked ten at a time. Empty: every campaign, parent and child.',
		},
		{
			displayName: 'Start Date',
			name: 'startDate',
			type: 'dateTime',
			required: true,
			default: '',
			description:
				"The first day, in the workspace's time zone as MoEngage counts it. The date is taken as written; the time is ignored.",
		},
		{
			displayName: 'End Date',
			name: 'endDate',
			type: 'dateTime',
			required: true,
			default: '',
			description: `The last day: at most ${MAX_STATS_DAYS} days after the Start Date`,
		},
		{
			displayName: 'Attribution Type',
			name: 'attributionType',
			type: 'options',
			noDataExpression: true,
			options: ATTRIBUTION_TYPES,
			default: 'VIEW_THROUGH',
			description: 'How MoEngage attributes conversions to the campaign',
		},
		{
			displayName: 'Metric Type',
			name: 'metricType',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Total', value: 'TOTAL', description: 'Every occurrence' },
				{ name: 'Unique', value: 'UNIQUE', description: 'Distinct users' },
			],
			default: 'TOTAL',
		},
		{
			displayName: 'Output',
			name: 'output',
			type: 'options',
			noDataExpression: true,
			options: [
				{
					name: 'Rows',
					value: 'rows',
					description:
						'One row per campaign, platform, locale and variation, the figures in columns',
				},
				{
					name: "MoEngage's Answer",
					value: 'answer',
					description: 'Each answer as MoEngage sent it, one item per request',
				},
			],
			default: 'rows',
		},
		sendingOptions(PER_MINUTE, { forwardedFor: false }),
	],
	fix: FIX,
	settings,
	plan,
	group: (_, planned) =>
		groupUnits(
			planned,
			(query) => JSON.stringify(query),
			(query): Report => ({
				itemIndexes: [],
				type: 'campaign stats',
				identifier: describeQuery(query),
				...query,
			}),
		),
	send,
	place,
});
