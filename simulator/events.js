'use strict';
/**
 * What MoEngage Streams sends: its campaign interaction events and some user action events, made
 * up deterministically from a seed. "The doc" below is MoEngage's own page on Streams,
 * `api/data/moengage-streams.mdx` in moengage/moengage-documentation (its event table, its sample
 * request and its glossary); "the export glossary" is
 * `user-guide/data/exports/events/data-export-glossary.mdx`, which the doc points to "for the full
 * list of updated events and attributes". How the events are sent is ./streams.js; the types are in
 * ./events.d.ts.
 */
const crypto = require('node:crypto');
const { makeUsers, randomFrom } = require('./simulator');

/**
 * The doc's "Campaign Interaction Events" table, by the kind of campaign that makes them. `channel`
 * is the table's Channel column, sent as campaign_channel: the doc's sample sends "Push", the
 * column's spelling (the export glossary's file sample sends "EMAIL" instead; the Streams page is
 * the one that describes Streams). `recipient` is the key that carries the address the message went
 * to: push_id, email_id and mobile_number are "available for Push-related / Email-related /
 * SMS-related events" only.
 */
const CAMPAIGN_EVENTS = {
	email: {
		channel: 'Email',
		recipient: 'email_id',
		events: [
			['Email Sent', 'MOE_EMAIL_SENT'],
			['Email Deferred', 'MOE_EMAIL_DEFERRED'],
			['Email Delivered', 'MOE_EMAIL_DELIVERED'],
			['Email Dropped', 'MOE_EMAIL_DROP'],
			['Email Bounced', 'MOE_EMAIL_HARD_BOUNCE'],
			['Email Soft Bounced', 'MOE_EMAIL_SOFT_BOUNCE'],
			['Email Opened', 'MOE_EMAIL_OPEN'],
			['Email Clicked', 'MOE_EMAIL_CLICK'],
			['Email Unsubscribed', 'MOE_EMAIL_UNSUBSCRIBE'],
			['Email Spam Complained', 'MOE_EMAIL_SPAM'],
		],
	},
	sms: {
		channel: 'SMS',
		recipient: 'mobile_number',
		events: [
			['SMS Sent', 'SMS_SENT'],
			['SMS Delivered', 'SMS_DELIVERED'],
		],
	},
	push: {
		channel: 'Push',
		recipient: 'push_id',
		// The platform says which of the user's push tokens the event names.
		events: [
			['Notification Received Android', 'NOTIFICATION_RECEIVED_MOE', 'android'],
			['Notification Clicked Android', 'NOTIFICATION_CLICKED_MOE', 'android'],
			['Notification Swiped Android', 'NOTIFICATION_CLEARED_MOE', 'android'],
			['Notification Sent iOS', 'n_i_s', 'ios'],
			['Notification Clicked iOS', 'NOTIFICATION_CLICKED_IOS_MOE', 'ios'],
			['Notification Received Web', 'NOTIFICATION_RECEIVED_WEB_MOE', 'web'],
			['Notification Clicked Web', 'NOTIFICATION_CLICKED_WEB_MOE', 'web'],
		],
	},
	connector: { channel: 'Connector', events: [['Connector Sent', 'MOE_CONNECTOR_SENT']] },
	cards: {
		channel: 'Cards',
		events: [
			['Card Sent', 'MOE_CARD_SENT'],
			['Card Delivered', 'MOE_CARD_DELIVERED'],
			['Card Viewed', 'MOE_CARD_VIEWED'],
			['Card Clicked', 'MOE_CARD_CLICKED'],
		],
	},
	inApp: {
		channel: 'Mobile In-Apps',
		events: [
			['Mobile In-App Shown', 'MOE_IN_APP_SHOWN'],
			['Mobile In-App Clicked', 'MOE_IN_APP_CLICKED'],
			['Mobile In-App Closed', 'MOE_IN_APP_DISMISSED'],
		],
	},
	onSite: {
		channel: 'On-site Messaging',
		events: [
			['On-site Message Shown', 'MOE_ONSITE_MESSAGE_SHOWN'],
			['On-site Message Clicked', 'MOE_ONSITE_MESSAGE_CLICKED'],
			['On-site Message Closed', 'MOE_ONSITE_MESSAGE_DISMISSED'],
		],
	},
	flows: {
		channel: 'Flows',
		events: [
			['User Entered Flow', 'USER_ENTERED_FLOW'],
			['User Exited Flow', 'USER_EXITED_FLOW'],
		],
	},
	// "All channels": the campaign the user was held out of is one of the messaging channels.
	controlGroup: {
		channel: 'All channels',
		events: [['User Added to Control Group', 'MOE_CAMPAIGN_CONTROL_GROUP']],
	},
};

/**
 * User action events Streams forwards ("every user event"): two of MoEngage's standard events from
 * the export glossary and three custom ones, whose display name is their code. Their attributes
 * are the SDK's common ones (appVersion, sdkVersion, os) or the app's own.
 */
const USER_ACTION_EVENTS = [
	['App/Site Opened', 'MOE_APP_OPENED'],
	['Viewed Web Page', 'MOE_PAGE_VIEWED'],
	['Product Viewed', 'Product Viewed'],
	['Added To Cart', 'Added To Cart'],
	['Purchase', 'Purchase'],
];

/** Every kind streamEvents can make, and how often by default: mostly push and email, as in practice. */
const DEFAULT_MIX = {
	email: 4,
	sms: 1,
	push: 4,
	connector: 1,
	cards: 1,
	inApp: 1,
	onSite: 1,
	flows: 1,
	controlGroup: 0.5,
	userAction: 3,
};

/**
 * campaign_type: the doc's sample says "Event Trigger", its glossary "Periodic, Active, One-time",
 * the export glossary's sample "GENERAL"; these follow the sample's wording of MoEngage's delivery
 * types.
 */
const CAMPAIGN_TYPES = ['One Time', 'Periodic', 'Event Trigger'];
const CAMPAIGN_THEMES = ['Welcome', 'Cart Reminder', 'Spring Sale', 'Price Drop', 'Win-back'];
const PRODUCTS = [
	['SKU-1001', 'Running Shoes', 89.9],
	['SKU-1002', 'Rain Jacket', 129],
	['SKU-1003', 'Water Bottle', 14.5],
	['SKU-1004', 'Yoga Mat', 35],
];
const LOCALES = [
	['loc_en', 'English'],
	['loc_de', 'German'],
];

/** 2025-03-21T12:00:00Z: a fixed default, so that the same seed gives the same body. */
const DEFAULT_START_TIME = Date.UTC(2025, 2, 21, 12) / 1000;
const DEFAULT_APP_NAME = 'Example App';

/** 32 hex characters of SHA-256 shaped as a version-4 UUID: deterministic, and unique in practice. */
function uuidFrom(text) {
	const hex = crypto.createHash('sha256').update(text).digest('hex');
	const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const hexOf = (random, length) =>
	Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
const pick = (random, list) => list[Math.floor(random() * list.length)];

/** A kind drawn in proportion to its weight; kinds left out of the mix are never drawn. */
function kindPicker(random, mix) {
	const kinds = Object.entries(mix).filter(([, weight]) => weight > 0);
	for (const [kind] of kinds) {
		if (kind !== 'userAction' && !(kind in CAMPAIGN_EVENTS))
			throw new Error(`unknown event kind "${kind}" in mix`);
	}
	if (kinds.length === 0) throw new Error('the mix gives no kind a weight above 0');
	const total = kinds.reduce((sum, [, weight]) => sum + weight, 0);
	return () => {
		let draw = random() * total;
		for (const [kind, weight] of kinds) {
			draw -= weight;
			if (draw < 0) return kind;
		}
		return kinds[kinds.length - 1][0];
	};
}

/** The people the events are about, with the addresses and devices MoEngage knows for them. */
function audience(count, seed, random) {
	return makeUsers(count, seed).map((user, n) => ({
		...user,
		mobile: `+1555${String(1000000 + n * 7919).slice(-7)}`,
		deviceId: hexOf(random, 24),
		pushTokens: {
			// FCM and APNs tokens, and a web push endpoint: the three shapes a push_id takes.
			android: `${hexOf(random, 11)}:APA91b${hexOf(random, 40)}`,
			ios: hexOf(random, 64),
			web: `https://fcm.googleapis.com/fcm/send/${hexOf(random, 11)}:APA91b${hexOf(random, 24)}`,
		},
	}));
}

/** A few campaigns per channel, each with MoEngage's 24-hex ID; some periodic, some in a flow. */
function campaigns(random) {
	const flows = [1, 2].map((n) => ({ id: hexOf(random, 24), name: `Onboarding Flow ${n}` }));
	const byKind = {};
	for (const [kind, { channel }] of Object.entries(CAMPAIGN_EVENTS)) {
		byKind[kind] = CAMPAIGN_THEMES.slice(0, 3).map((theme) => {
			const type = pick(random, CAMPAIGN_TYPES);
			const flow = kind === 'flows' || random() < 0.25 ? pick(random, flows) : undefined;
			return {
				id: hexOf(random, 24),
				name: `${theme} (${channel})`,
				type,
				// "Tracked when a periodic campaign is run": the parent of the instance that ran.
				parentId: type === 'Periodic' ? hexOf(random, 24) : undefined,
				variations: random() < 0.4 ? 2 : 0,
				localised: random() < 0.3,
				flow,
			};
		});
	}
	return byKind;
}

function campaignAttributes(random, kind, campaign) {
	const channel =
		kind === 'controlGroup'
			? pick(random, ['Email', 'Push', 'SMS'])
			: CAMPAIGN_EVENTS[kind].channel;
	const attributes = {
		campaign_id: campaign.id,
		campaign_name: campaign.name,
		campaign_type: campaign.type,
		campaign_channel: channel,
	};
	if (campaign.variations)
		attributes.variation_id = `${campaign.id}_V${1 + Math.floor(random() * campaign.variations)}`;
	if (campaign.localised) {
		const [id, name] = pick(random, LOCALES);
		attributes.locale_id = id;
		attributes.locale_name = name;
	}
	if (campaign.parentId) attributes.parent_campaign_id = campaign.parentId;
	if (campaign.flow) {
		attributes.parent_flow_id = campaign.flow.id;
		attributes.parent_flow_name = campaign.flow.name;
	}
	return attributes;
}

function userActionAttributes(random, code) {
	const [productId, productName, price] = pick(random, PRODUCTS);
	switch (code) {
		case 'MOE_APP_OPENED':
			return { appVersion: '4.2.0', sdkVersion: '13.05.00', os: pick(random, ['ANDROID', 'iOS']) };
		case 'MOE_PAGE_VIEWED':
			return { URL: `https://shop.example.com/p/${productId.toLowerCase()}`, os: 'Web' };
		case 'Purchase':
			return {
				order_id: `ORD-${hexOf(random, 8).toUpperCase()}`,
				product_id: productId,
				amount: price,
				currency: 'USD',
			};
		default:
			return { product_id: productId, product_name: productName, price, currency: 'USD' };
	}
}

/**
 * options: count (default 100); seed (default 1); appName (what the sender sends as app_name; it
 * also goes into each event_uuid, so that two workspaces never share one); startTime (UTC epoch
 * seconds of the first event, default 2025-03-21T12:00:00Z; each next event is 0–30 s later);
 * users (how many distinct users, default 20); mix (weights by kind, DEFAULT_MIX by default; a kind
 * left out is not made).
 *
 * The same options give the same events, and the first n of a longer run are the n of a shorter
 * one. Every event_uuid is unique: it is derived from the app, the seed and the event's place.
 */
function streamEvents(options = {}) {
	const {
		count = 100,
		seed = 1,
		appName = DEFAULT_APP_NAME,
		startTime = DEFAULT_START_TIME,
		users: userCount = 20,
		mix = DEFAULT_MIX,
	} = options;
	const random = randomFrom(seed + 7);
	const nextKind = kindPicker(random, mix);
	const people = audience(userCount, seed, random);
	const campaignsOf = campaigns(random);
	const events = [];
	let time = Math.floor(startTime);
	for (let n = 0; n < count; n++) {
		const kind = nextKind();
		const user = pick(random, people);
		let event;
		if (kind === 'userAction') {
			const [name, code] = pick(random, USER_ACTION_EVENTS);
			event = {
				event_name: name,
				event_code: code,
				event_uuid: uuidFrom(`${appName}\n${seed}\n${n}`),
				event_time: time,
				event_type: 'USER_ACTION_EVENT',
				event_source: 'MOENGAGE',
				uid: user.customer_id,
				event_attributes: userActionAttributes(random, code),
			};
		} else {
			const { recipient, events: table } = CAMPAIGN_EVENTS[kind];
			const [name, code, platform] = pick(random, table);
			const campaign = pick(random, campaignsOf[kind]);
			const address =
				recipient === 'email_id'
					? user.email
					: recipient === 'mobile_number'
						? user.mobile
						: recipient === 'push_id'
							? user.pushTokens[platform]
							: undefined;
			// Key order as in the doc's sample: the recipient's address sits between event_source and uid.
			event = {
				event_name: name,
				event_code: code,
				event_uuid: uuidFrom(`${appName}\n${seed}\n${n}`),
				event_time: time,
				event_type: 'CAMPAIGN_EVENT',
				event_source: 'MOENGAGE',
				...(recipient ? { [recipient]: address } : {}),
				uid: user.customer_id,
				event_attributes: campaignAttributes(random, kind, campaign),
			};
		}
		// The user attributes and device attributes "that need to be sent", as the ticket asks:
		// moengage_user_id and moengage_device_id "always", two of the user's attributes besides.
		event.user_attributes = {
			moengage_user_id: user.id,
			first_name: user.first_name,
			city: user.city,
		};
		event.device_attributes = { moengage_device_id: user.deviceId };
		events.push(event);
		time += Math.floor(random() * 31);
	}
	return events;
}

module.exports = {
	streamEvents,
	uuidFrom,
	CAMPAIGN_EVENTS,
	USER_ACTION_EVENTS,
	DEFAULT_MIX,
	DEFAULT_APP_NAME,
	DEFAULT_START_TIME,
};
