/**
 * The campaign interaction events MoEngage Streams documents (api/data/moengage-streams.mdx,
 * "Campaign Interaction Events", 33 rows), offered in the editor as a list; other events are typed.
 * The Data Export Glossary (user-guide/data/exports/events/data-export-glossary.mdx) codes two of
 * them differently: both codes are matched, and so is the display name.
 */
export interface CampaignEvent {
	name: string;
	code: string;
	channel: string;
	/** The glossary's code for the same event, where it differs from the Streams page's. */
	alsoCoded?: string;
}

export const CAMPAIGN_EVENTS: readonly CampaignEvent[] = [
	{ name: 'Email Sent', code: 'MOE_EMAIL_SENT', channel: 'Email' },
	{ name: 'Email Deferred', code: 'MOE_EMAIL_DEFERRED', channel: 'Email' },
	{ name: 'Email Delivered', code: 'MOE_EMAIL_DELIVERED', channel: 'Email' },
	{ name: 'Email Dropped', code: 'MOE_EMAIL_DROP', channel: 'Email' },
	{ name: 'Email Bounced', code: 'MOE_EMAIL_HARD_BOUNCE', channel: 'Email' },
	{ name: 'Email Soft Bounced', code: 'MOE_EMAIL_SOFT_BOUNCE', channel: 'Email' },
	{ name: 'Email Opened', code: 'MOE_EMAIL_OPEN', channel: 'Email' },
	{ name: 'Email Clicked', code: 'MOE_EMAIL_CLICK', channel: 'Email' },
	{ name: 'Email Unsubscribed', code: 'MOE_EMAIL_UNSUBSCRIBE', channel: 'Email' },
	{ name: 'Email Spam Complained', code: 'MOE_EMAIL_SPAM', channel: 'Email' },
	{ name: 'SMS Sent', code: 'SMS_SENT', channel: 'SMS' },
	{ name: 'SMS Delivered', code: 'SMS_DELIVERED', channel: 'SMS' },
	{ name: 'Notification Received Android', code: 'NOTIFICATION_RECEIVED_MOE', channel: 'Push' },
	{ name: 'Notification Clicked Android', code: 'NOTIFICATION_CLICKED_MOE', channel: 'Push' },
	{ name: 'Notification Swiped Android', code: 'NOTIFICATION_CLEARED_MOE', channel: 'Push' },
	{ name: 'Notification Sent iOS', code: 'n_i_s', channel: 'Push' },
	{ name: 'Notification Clicked iOS', code: 'NOTIFICATION_CLICKED_IOS_MOE', channel: 'Push' },
	{ name: 'Notification Received Web', code: 'NOTIFICATION_RECEIVED_WEB_MOE', channel: 'Push' },
	{ name: 'Notification Clicked Web', code: 'NOTIFICATION_CLICKED_WEB_MOE', channel: 'Push' },
	{
		name: 'Connector Sent',
		code: 'MOE_CONNECTOR_SENT',
		channel: 'Connector',
		alsoCoded: 'WEBHOOK_SENT',
	},
	{ name: 'Card Sent', code: 'MOE_CARD_SENT', channel: 'Cards' },
	{ name: 'Card Delivered', code: 'MOE_CARD_DELIVERED', channel: 'Cards' },
	{
		name: 'Card Viewed',
		code: 'MOE_CARD_VIEWED',
		channel: 'Cards',
		alsoCoded: 'MOE_CARD_IMPRESSION',
	},
	{ name: 'Card Clicked', code: 'MOE_CARD_CLICKED', channel: 'Cards' },
	{ name: 'Mobile In-App Shown', code: 'MOE_IN_APP_SHOWN', channel: 'Mobile In-Apps' },
	{ name: 'Mobile In-App Clicked', code: 'MOE_IN_APP_CLICKED', channel: 'Mobile In-Apps' },
	{ name: 'Mobile In-App Closed', code: 'MOE_IN_APP_DISMISSED', channel: 'Mobile In-Apps' },
	{ name: 'On-Site Message Shown', code: 'MOE_ONSITE_MESSAGE_SHOWN', channel: 'On-site Messaging' },
	{
		name: 'On-Site Message Clicked',
		code: 'MOE_ONSITE_MESSAGE_CLICKED',
		channel: 'On-site Messaging',
	},
	{
		name: 'On-Site Message Closed',
		code: 'MOE_ONSITE_MESSAGE_DISMISSED',
		channel: 'On-site Messaging',
	},
	{ name: 'User Entered Flow', code: 'USER_ENTERED_FLOW', channel: 'Flows' },
	{ name: 'User Exited Flow', code: 'USER_EXITED_FLOW', channel: 'Flows' },
	{
		name: 'User Added to Control Group',
		code: 'MOE_CAMPAIGN_CONTROL_GROUP',
		channel: 'All channels',
	},
];

/** What a chosen code also matches: its display name and the glossary's other code. */
export function matchesFor(code: string): string[] {
	const event = CAMPAIGN_EVENTS.find((candidate) => candidate.code === code);
	if (!event) return [code];
	return [event.code, event.name, ...(event.alsoCoded ? [event.alsoCoded] : [])];
}

/**
 * Event types, as the Event Types filter groups them. The Streams page names two
 * (`CAMPAIGN_EVENT`, `USER_ACTION_EVENT`); the glossary's schema names CAMPAIGN_ACTIVITY for
 * campaign events and four more types (ACQUISITION, LIFECYCLE, REACHABILITY, UNINSTALL).
 */
export const EVENT_TYPE_GROUPS: Record<string, readonly string[]> = {
	campaign: ['CAMPAIGN_EVENT', 'CAMPAIGN_ACTIVITY'],
	userAction: ['USER_ACTION_EVENT'],
};
