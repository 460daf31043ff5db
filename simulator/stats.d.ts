/**
 * Types of ./stats.js, the simulator's campaign stats (docs/moengage-api.md#campaign-stats), and of
 * the campaigns and figures it answers with. The module stays plain JavaScript so that scripts run
 * it without compiling; this file only describes it.
 */
import type {
	Answer,
	AppliedFaultKind,
	FaultKind,
	SimulatorConfig,
	SimulatorRequest,
} from './simulator';
import type { RateWindow } from './writes';

export type AttributionType =
	'VIEW_THROUGH' | 'CLICK_THROUGH' | 'IN_SESSION' | 'TOTAL_CONVERSIONS' | 'CLICK_CONVERSIONS';
export type MetricType = 'TOTAL' | 'UNIQUE';

/** A campaign whose figures campaign stats answers; they are drawn from its id, so any such object will do. */
export type Campaign = {
	/** 24 hex characters. */
	id: string;
	name: string;
	/** The first and last days it was active, YYYY-MM-DD. */
	startDate: string;
	endDate: string;
	/** Platform keys, e.g. 'ANDROID', 'IOS', 'WEB'. */
	platforms: string[];
	/** Locale keys: 'all_locales', sometimes also 'en'. */
	locales: string[];
	/** An A/B test's variations ('Variation 1', 'Variation 2'), beside all_variations; empty for none. */
	variations: string[];
	/** Conversion goal names, e.g. 'Goal 1'. */
	goals: string[];
};

/** A body campaign stats takes (CampaignStatsRequest). */
export type CampaignStatsRequest = {
	request_id: string;
	campaign_ids?: string[];
	start_date: string;
	end_date: string;
	attribution_type: AttributionType;
	metric_type: MetricType;
	offset?: number;
	limit?: number;
};

export type PerformanceStats = {
	attempted: number;
	sent: number;
	failed: number;
	delivered: number;
	impression: number;
	click: number;
	/** Percentages with two decimals. */
	ctr: number;
	delivery_rate: number;
	sent_rate: number;
	failure_rate: number;
};
export type ConversionGoal = { conversions: number; cvr: number; uplift: number };
export type VariationDetails = {
	performance_stats: PerformanceStats;
	conversion_goal_stats: Record<string, ConversionGoal>;
	delivery_funnel: Record<string, number>;
	failure_breakdown: Record<string, number>;
};
/** A control group's block, as the yaml's example has it: no performance_stats. */
export type ControlGroupDetails = Omit<VariationDetails, 'performance_stats'>;
export type Variations = {
	all_variations: VariationDetails;
	campaign_control_group: ControlGroupDetails;
	global_control_group: ControlGroupDetails;
	/** An A/B test's own variations, e.g. 'Variation 1'. */
	[variation: string]: VariationDetails | ControlGroupDetails;
};
export type CampaignStatsDetails = {
	platforms: Record<string, { locales: Record<string, { variations: Variations }> }>;
};

/** The 200 body (CampaignStatsResponse). */
export type CampaignStatsResponse = {
	/** The request_id sent. */
	response_id: string;
	total_campaigns: number;
	/** 1-based: floor(offset / limit) + 1. */
	current_page: number;
	/** ceil(total_campaigns / limit). */
	total_pages: number;
	/** Campaign ID → an array of one details block. */
	data: Record<string, CampaignStatsDetails[]>;
};

/** A request campaign stats answered with figures (also when the answer was lost under an applied-* fault). */
export type StatsRequestEntry = {
	requestId: string;
	/** As sent; undefined when none were. */
	campaignIds: string[] | undefined;
	startDate: string;
	endDate: string;
	attributionType: AttributionType;
	metricType: MetricType;
	offset: number;
	limit: number;
	/** The campaign IDs in the answer's `data`, in its order. */
	answered: string[];
	/** The simulator clock when it was answered. */
	at: number;
};

export interface CampaignStats {
	/** Every request answered with figures, in arrival order. */
	requests: StatsRequestEntry[];
	route(request: { method: string; url: URL }): boolean;
	answer(request: SimulatorRequest): Answer;
	reset(): void;
}

export function createCampaignStats(context: {
	config: SimulatorConfig;
	campaigns: Campaign[];
	clockNow(): number;
	createWindow(limitOf: () => number): RateWindow;
	pickFault(request: SimulatorRequest): FaultKind | AppliedFaultKind | undefined;
	faultAnswer(kind: FaultKind | AppliedFaultKind, validBody: unknown): Answer;
	intercepted(request: SimulatorRequest): Answer | undefined;
	withRateLimitHeaders(answer: Answer, now: number, window: RateWindow): Answer;
}): CampaignStats;

/** `count` (default 25) campaigns, the same for the same seed; all are active from 2024-12-31 to 2025-01-31. */
export function makeCampaigns(count?: number, seed?: number): Campaign[];
/** The 200 body a checked request gets from these campaigns: what a test compares the node's output with. */
export function campaignStatsAnswer(
	campaigns: Campaign[],
	request: CampaignStatsRequest,
): CampaignStatsResponse;

/** POST /core-services/v1/campaign-stats. */
export const CAMPAIGN_STATS_PATH: string;
export const ATTRIBUTION_TYPES: AttributionType[];
export const METRIC_TYPES: MetricType[];
/** campaign_ids: at most 10. */
export const MAX_CAMPAIGN_IDS: number;
/** limit: at most 10 (the default). */
export const MAX_LIMIT: number;
/** end_date − start_date: at most 30 days. */
export const MAX_RANGE_DAYS: number;
/** 100 requests a minute. */
export const STATS_PER_MINUTE: number;
