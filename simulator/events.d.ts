/**
 * Types of ./events.js: the events MoEngage Streams sends (api/data/moengage-streams.mdx in
 * moengage/moengage-documentation), made up deterministically from a seed. The module stays plain
 * JavaScript so that scripts run it without compiling; this file only describes it.
 */

/** The kinds of event streamEvents makes: a campaign channel of the doc's table, or a user action. */
export type EventKind =
	| 'email'
	| 'sms'
	| 'push'
	| 'connector'
	| 'cards'
	| 'inApp'
	| 'onSite'
	| 'flows'
	| 'controlGroup'
	| 'userAction';

/** One event of a Streams request, keys in the doc's order. */
export type StreamEvent = {
	/** The display name, e.g. "Email Clicked". */
	event_name: string;
	/** The raw code, e.g. "MOE_EMAIL_CLICK"; a custom event's code is its name. */
	event_code: string;
	/** "Unique event identifier for de-duplication." */
	event_uuid: string;
	/** UTC epoch seconds. */
	event_time: number;
	event_type: 'CAMPAIGN_EVENT' | 'USER_ACTION_EVENT';
	event_source: 'MOENGAGE';
	/** Push events only: the device's push token (FCM, APNs) or web push endpoint. */
	push_id?: string;
	/** Email events only. */
	email_id?: string;
	/** SMS events only. */
	mobile_number?: string;
	/** The user's customer ID. */
	uid: string;
	/**
	 * Campaign events: campaign_id, campaign_name, campaign_type, campaign_channel, and where they
	 * apply variation_id, locale_id, locale_name, parent_campaign_id, parent_flow_id and
	 * parent_flow_name. User action events: the event's own attributes.
	 */
	event_attributes: Record<string, string | number | boolean>;
	user_attributes: { moengage_user_id: string } & Record<string, string | number | boolean>;
	device_attributes: { moengage_device_id: string } & Record<string, string | number | boolean>;
};

export type StreamEventsOptions = {
	/** How many events (default 100). */
	count?: number;
	/** Default 1. The users are makeUsers(users, seed): the receiving simulator's with the same seed. */
	seed?: number;
	/** The app the events belong to; it goes into each event_uuid. Default "Example App". */
	appName?: string;
	/** UTC epoch seconds of the first event (default 2025-03-21T12:00:00Z); each next is 0–30 s later. */
	startTime?: number;
	/** How many distinct users (default 20). */
	users?: number;
	/** Weights by kind (default DEFAULT_MIX); a kind left out is not made. */
	mix?: Partial<Record<EventKind, number>>;
};

/** Deterministic events: the same options give the same events, every event_uuid unique. */
export function streamEvents(options?: StreamEventsOptions): StreamEvent[];

/** A version-4-shaped UUID derived from the text by SHA-256. */
export function uuidFrom(text: string): string;

type CampaignKind = Exclude<EventKind, 'userAction'>;
/** The doc's Campaign Interaction Events table: [event_name, event_code] (push adds the platform). */
export const CAMPAIGN_EVENTS: Record<
	CampaignKind,
	{
		channel: string;
		recipient?: 'email_id' | 'mobile_number' | 'push_id';
		events: Array<[string, string] | [string, string, 'android' | 'ios' | 'web']>;
	}
>;
/** [event_name, event_code] of the user action events made. */
export const USER_ACTION_EVENTS: Array<[string, string]>;
export const DEFAULT_MIX: Record<EventKind, number>;
export const DEFAULT_APP_NAME: string;
/** UTC epoch seconds. */
export const DEFAULT_START_TIME: number;
