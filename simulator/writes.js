'use strict';
/**
 * The write side of the MoEngage simulator: Track User, Track Event, Bulk Import, Delete User and
 * Merge Users (and Cohort Sync, in ./cohort.js), as documented in docs/moengage-api.md (#bulk-import, #customer-ids, #attribute-names, #array-operators, #event-times). simulator.js
 * does what every endpoint shares (auth, Content-Type, size, JSON, faults, hooks, rate windows,
 * the log); each endpoint here only says how it checks a body, what it costs, what it changes and
 * how it words its refusals, because MoEngage words them differently per endpoint. Its types, and
 * those of what the endpoints leave behind: ./writes.d.ts.
 */

const crypto = require('node:crypto');
const { isDeepStrictEqual } = require('node:util');
const { createCohortSync } = require('./cohort');

const TRACK_MAX_BYTES = 128 * 1024;
/** Bulk Import's cap is lower than the rest: "maximum 100 KB per call" (data.yaml). */
const BULK_MAX_BYTES = 100 * 1024;
/** "hard delete after a 24-hour buffer (the user stays active and updatable until then)". */
const DELETION_BUFFER_MS = 24 * 60 * 60 * 1000;
const MERGE_MAX_USERS = 50;
const MAX_TIMEZONE_OFFSET = 54_000;

/** Each endpoint's documented limit per window, in the unit that endpoint counts. */
const WRITE_LIMITS = {
	trackUser: 10_000, // users
	trackEvent: 30_000, // events (actions)
	bulkUsers: 60_000, // customer elements, across all Bulk requests
	bulkEvents: 60_000, // actions, across all Bulk requests
	deleteRequests: 5_000, // requests (1 user each)
	mergeUsers: 1_000, // user updates
	cohortRequests: 300, // requests: Cohort Sync's "300 requests per minute" (cohort-audience.yaml)
};

const ACCEPTED = 'Your request has been accepted and will be processed soon.';

/** Section D: values MoEngage refuses as a customer_id (besides any of one character or less). */
const DISALLOWED_CUSTOMER_IDS = new Set([
	'unknown',
	'guest',
	'null',
	'0',
	'1',
	'true',
	'false',
	'user_attribute_unique_id',
	'(empty)',
	'na',
	'n/a',
	'',
	'dummy_seller_code',
	'user_id',
	'id',
	'customer_id',
	'uid',
	'userid',
	'none',
	'-2',
	'-1',
	'2',
]);
const BLOCKED_ATTRIBUTE_NAMES = new Set(['id', '_id', '']);
/**
 * The moe_ keys docs/moengage-api.md#attribute-names marks as written by Track User (update or create), plus the
 * schema's moe_email_optin_status and Identity Resolution's moe_mobile: the `moeAttributes:
 * 'standard'` reading lets these through although "the moe_ prefix is reserved".
 */
const STANDARD_MOE_KEYS = new Set([
	'moe_wa_subscription',
	'moe_em_unsub_categories',
	'moe_sub_w',
	'moe_spam',
	'moe_unsubscribe',
	'moe_hard_bounce',
	'moe_sms_subscription',
	'moe_gaid',
	'moe_mweb',
	'moe_email_optin_status',
	'moe_mobile',
]);
/** The enum, plus "Android": the spelling MoEngage's own Track Event example sends. */
const PLATFORMS = ['ANDROID', 'iOS', 'web', 'TV', 'unknown', 'Android'];
/**
 * ISO 8601 as the simulator takes it: a date, or a date-time with `T` or a space between date and
 * time, and an optional zone designator `Z`, `+05`, `+0530` or `+05:30`.
 */
const ISO_8601 =
	/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;
const MOE_PREFIX = /^moe_/i;
/** Section E: the two operators that change an array attribute instead of setting it. */
const ARRAY_OPERATORS = ['addValueToArrayField', 'removeValueFromArrayField'];
/** Section E: "reserved MoEngage attributes (the example given is `platforms`)" take no array operator. */
const OPERATOR_RESERVED = new Set(['platforms']);
/** Section E's `platforms` items (Track User's enum, not Track Event's wider one), as strings. */
const USER_PLATFORMS = ['ANDROID', 'iOS', 'web'];
const PLATFORM_ACTIVE = ['true', 'false'];

const isPlainObject = (value) =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
const violation = (type, message, attribute) => ({ type, message, attribute });

/**
 * Epoch milliseconds of the date-time an ISO 8601 string names, read as UTC, or NaN when it names
 * none (a 30 February, a 25th hour). Date.UTC would read years below 100 as 19xx, hence setUTC*.
 */
function wallClockOf(year, month, day, hours, minutes, seconds, milliseconds) {
	const date = new Date(0);
	date.setUTCFullYear(year, month - 1, day);
	date.setUTCHours(hours, minutes, seconds, milliseconds);
	const exact =
		date.getUTCFullYear() === year &&
		date.getUTCMonth() === month - 1 &&
		date.getUTCDate() === day &&
		date.getUTCHours() === hours &&
		date.getUTCMinutes() === minutes &&
		date.getUTCSeconds() === seconds;
	return exact ? date.getTime() : NaN;
}

/**
 * A user_time / current_time as written, or undefined when it is neither ISO 8601 nor epoch:
 * `wall`, the epoch milliseconds its digits name read as UTC, and `zoneMs`, its zone designator
 * (0 for none: MoEngage's examples are UTC; 0 for an epoch value, which counts from the UTC
 * epoch). The docs say ISO 8601 or epoch seconds, but their own examples send 13-digit
 * milliseconds, so 13 digits read as milliseconds and up to 10 as seconds; 11 or 12 digits fit
 * neither reading and are refused.
 */
function readTime(value) {
	const epoch = (milliseconds) =>
		Number.isNaN(milliseconds) ? undefined : { wall: milliseconds, zoneMs: 0 };
	if (typeof value === 'number') {
		if (!Number.isFinite(value) || value < 0) return undefined;
		if (value >= 1e12 && value < 1e13) return epoch(value);
		return epoch(value < 1e10 ? value * 1000 : NaN);
	}
	if (typeof value !== 'string') return undefined;
	if (/^\d+$/.test(value)) {
		if (value.length === 13) return epoch(Number(value));
		return epoch(value.length <= 10 ? Number(value) * 1000 : NaN);
	}
	const match = ISO_8601.exec(value);
	if (!match) return undefined;
	const [
		,
		year,
		month,
		day,
		hours = '0',
		minutes = '0',
		seconds = '0',
		fraction = '',
		,
		sign,
		zoneHours,
		zoneMinutes = '0',
	] = match;
	const wall = wallClockOf(
		Number(year),
		Number(month),
		Number(day),
		Number(hours),
		Number(minutes),
		Number(seconds),
		Number(fraction.slice(0, 3).padEnd(3, '0')),
	);
	if (Number.isNaN(wall) || Number(zoneHours ?? 0) > 23 || Number(zoneMinutes) > 59)
		return undefined;
	const zoneMs = sign
		? (sign === '-' ? -1 : 1) * (Number(zoneHours) * 3600 + Number(zoneMinutes) * 60) * 1000
		: 0;
	return { wall, zoneMs };
}

/**
 * Section E "Event times": the event's UTC instant and the user's wall clock (both epoch
 * milliseconds, the wall clock read as UTC), from what the action sends. current_time is the UTC
 * instant; user_time is the local wall clock as written (its digits: a zone designator is not
 * applied; an epoch read as a UTC wall clock); the one not sent is the other shifted by
 * user_timezone_offset, else by `fallbackOffset` ("Without it MoEngage takes the profile's
 * timezone, else the workspace's, else UTC"); with neither time, current_time is the arrival time.
 * Both times sent are used as they are. Only for an action whose times actionRuleViolation has read.
 */
function eventTimes(action, fallbackOffset, arrival) {
	const offsetMs = (action.user_timezone_offset ?? fallbackOffset) * 1000;
	const current = action.current_time === undefined ? undefined : readTime(action.current_time);
	const user = action.user_time === undefined ? undefined : readTime(action.user_time);
	let utc = arrival;
	if (current) utc = current.wall - current.zoneMs;
	else if (user) utc = user.wall - offsetMs;
	return { utc, local: user ? user.wall : utc + offsetMs };
}

/** ISO 8601 of epoch milliseconds, without the milliseconds when there are none ("…T16:33:35Z"). */
const isoOf = (milliseconds) => new Date(milliseconds).toISOString().replace('.000Z', 'Z');

function typeViolation(value, expected) {
	if (value === undefined)
		return violation('MissingAttributeError', 'type is not found in the payload', 'type');
	if (value !== expected) return violation('InvalidParams', `type should be ${expected}`, 'type');
	return undefined;
}

function customerIdViolation(value) {
	if (value === undefined) {
		return violation(
			'MissingAttributeError',
			'customer_id is not found in the payload',
			'customer_id',
		);
	}
	if (typeof value !== 'string') {
		return violation(
			'MissingAttributeError',
			'customer_id is expected to be String or Unicode String.',
			'customer_id',
		);
	}
	if (value === '')
		return violation(
			'MissingAttributeError',
			'customer_id can not be empty Unicode String',
			'customer_id',
		);
	// The list is lower case; MoEngage's placeholders arrive in any case ("NULL", "Guest").
	if (value.length <= 1 || DISALLOWED_CUSTOMER_IDS.has(value.trim().toLowerCase())) {
		return violation(
			'InvalidParams',
			`customer_id ${JSON.stringify(value)} is not allowed`,
			'customer_id',
		);
	}
	return undefined;
}

/** A user attribute name Track User refuses (docs/moengage-api.md#attribute-names): blocked, or moe_ under `moeAttributes`. */
function refusedAttributeName(name, config) {
	const reservedMoe =
		MOE_PREFIX.test(name) && !(config.moeAttributes === 'standard' && STANDARD_MOE_KEYS.has(name));
	return BLOCKED_ATTRIBUTE_NAMES.has(name) || reservedMoe;
}

/** Sections C and E: `platforms` is a list of {platform: ANDROID | iOS | web, active: "true" | "false"}. */
const validPlatforms = (platforms) =>
	Array.isArray(platforms) &&
	platforms.every(
		(item) =>
			isPlainObject(item) &&
			Object.keys(item).length === 2 &&
			USER_PLATFORMS.includes(item.platform) &&
			PLATFORM_ACTIVE.includes(item.active),
	);

/**
 * Section E "Array operators", in ArrayFieldError's words (Track User's documented 400 "Cannot add
 * and remove 'first_name' at the same time"): each operator is an object of attribute name →
 * value(s); one call may not add to and remove from the same attribute, nor set an attribute
 * directly and also add to / remove from it; reserved attributes (`platforms`, and every name
 * Track User refuses) take no operator.
 */
function arrayOperatorViolation(attributes, config) {
	const wrong = (message) => violation('ArrayFieldError', message, 'attributes');
	const [add, remove] = ARRAY_OPERATORS.map((operator) => attributes[operator]);
	const operator = ARRAY_OPERATORS.find(
		(key) => attributes[key] !== undefined && !isPlainObject(attributes[key]),
	);
	if (operator) return wrong(`${operator} is expected to be an object of attribute names`);
	const both = Object.keys(add ?? {}).find((name) => Object.hasOwn(remove ?? {}, name));
	if (both !== undefined) return wrong(`Cannot add and remove '${both}' at the same time`);
	const named = [...Object.keys(add ?? {}), ...Object.keys(remove ?? {})];
	const setToo = named.find(
		(name) => !ARRAY_OPERATORS.includes(name) && Object.hasOwn(attributes, name),
	);
	if (setToo !== undefined)
		return wrong(`Cannot set and add to or remove from '${setToo}' at the same time`);
	const reserved = named.find(
		(name) => OPERATOR_RESERVED.has(name) || refusedAttributeName(name, config),
	);
	if (reserved !== undefined)
		return wrong(
			`'${reserved}' is reserved and can not be changed by ${ARRAY_OPERATORS.join(' or ')}`,
		);
	return undefined;
}

/** Track User's rules for one user (a Track User body or a Bulk customer element). */
function userViolation(element, config) {
	const customerId = customerIdViolation(element.customer_id);
	if (customerId) return customerId;
	const { attributes } = element;
	if (attributes !== undefined && !isPlainObject(attributes)) {
		return violation('InvalidParams', 'attributes is expected to be an object', 'attributes');
	}
	// The operator keys are instructions, not attribute names.
	const name = Object.keys(attributes ?? {}).find(
		(key) => !ARRAY_OPERATORS.includes(key) && refusedAttributeName(key, config),
	);
	if (name !== undefined)
		return violation(
			'InvalidParams',
			`attribute name ${JSON.stringify(name)} is not allowed`,
			'attributes',
		);
	// The schema puts platforms at the element's top level; every example puts it inside attributes.
	for (const platforms of [element.platforms, attributes?.platforms]) {
		if (platforms !== undefined && !validPlatforms(platforms)) {
			return violation(
				'InvalidParams',
				'platforms should be a list of {platform: ANDROID, iOS or web, active: "true" or "false"}',
				'platforms',
			);
		}
	}
	const operators = arrayOperatorViolation(attributes ?? {}, config);
	if (operators) return operators;
	if (
		element.update_existing_only !== undefined &&
		typeof element.update_existing_only !== 'boolean'
	) {
		return violation(
			'InvalidParams',
			'update_existing_only is expected to be a boolean',
			'update_existing_only',
		);
	}
	return undefined;
}

/** What a valid user (a Track User body or a Bulk customer element) does to its profile. */
function userPlan(element) {
	const {
		addValueToArrayField: add = {},
		removeValueFromArrayField: remove = {},
		...set
	} = element.attributes ?? {};
	// A top-level platforms (the schema's place for it) lands on the profile like one in attributes.
	if (element.platforms !== undefined) set.platforms = element.platforms;
	return {
		customer_id: element.customer_id,
		set,
		add,
		remove,
		updateExistingOnly: element.update_existing_only === true,
	};
}

function actionNameViolation(action) {
	if (!isPlainObject(action) || action.action === undefined) {
		return violation('MissingAttributeError', 'action is not found in the payload', 'action');
	}
	if (typeof action.action !== 'string') {
		return violation(
			'InvalidParams',
			'action is expected to be String or Unicode String.',
			'action',
		);
	}
	if (action.action === '')
		return violation('MissingAttributeError', 'action can not be empty Unicode String', 'action');
	return undefined;
}

/**
 * Track Event's rules for one action besides its name being there: prefix, platform, times, offset,
 * and "no future-dated events" — judged on the event's UTC instant as docs/moengage-api.md#event-times reads it, so a
 * user_time (a local wall clock) is shifted back by its offset before it meets the clock.
 */
function actionRuleViolation(action, now, config) {
	if (MOE_PREFIX.test(action.action)) {
		return violation(
			'InvalidParams',
			`action ${JSON.stringify(action.action)}: the moe_ prefix is reserved`,
			'action',
		);
	}
	if (action.attributes !== undefined && !isPlainObject(action.attributes)) {
		return violation('InvalidParams', 'attributes is expected to be an object', 'attributes');
	}
	const reserved = Object.keys(action.attributes ?? {}).find((name) => MOE_PREFIX.test(name));
	if (reserved !== undefined) {
		return violation(
			'InvalidParams',
			`attribute ${JSON.stringify(reserved)}: the moe_ prefix is reserved`,
			'attributes',
		);
	}
	if (action.platform !== undefined && !PLATFORMS.includes(action.platform)) {
		return violation(
			'InvalidParams',
			'platform should be one of ANDROID, iOS, web, TV, unknown',
			'platform',
		);
	}
	const unreadable = ['user_time', 'current_time'].find(
		(key) => action[key] !== undefined && !readTime(action[key]),
	);
	if (unreadable)
		return violation(
			'InvalidParams',
			`${unreadable} should be ISO 8601 or epoch seconds`,
			unreadable,
		);
	const offset = action.user_timezone_offset;
	if (
		offset !== undefined &&
		(!Number.isInteger(offset) || Math.abs(offset) > MAX_TIMEZONE_OFFSET)
	) {
		return violation(
			'InvalidParams',
			`user_timezone_offset should be an integer from -${MAX_TIMEZONE_OFFSET} to ${MAX_TIMEZONE_OFFSET}`,
			'user_timezone_offset',
		);
	}
	// An event with no times is stamped at arrival (`now`), never after it.
	if (eventTimes(action, config.timezoneOffset, now).utc > now) {
		const key = action.current_time === undefined ? 'user_time' : 'current_time';
		return violation('InvalidParams', `${key} can not be in the future`, key);
	}
	return undefined;
}

/**
 * context: config (with limits, mergeReading, moeAttributes, timezoneOffset), store ({find(type,
 * value), add(profile), remove(profile), newId()}), failBody(status, type, message, attribute) and
 * createWindow(limitOf).
 *
 * What the writes leave behind, for tests to read (each entry's `at` / `receivedAt` is the
 * simulator clock; `endpoint` is 'trackUser', 'trackEvent', 'bulk', 'delete' or 'merge'):
 * - events: {endpoint, customer_id, action, attributes, platform, app_version, user_time,
 *   current_time, user_timezone_offset, utc_time, local_time, receivedAt}: user_time, current_time
 *   and user_timezone_offset as sent; utc_time (ISO 8601 in UTC, "2025-05-31T16:33:35Z") and
 *   local_time (the user's wall clock, ISO 8601 without a zone, "2025-05-31T22:03:35") as MoEngage
 *   reads the event (docs/moengage-api.md#event-times, with config.timezoneOffset for a missing offset);
 * - dropped: what MoEngage accepts with a 200 but does not apply — Bulk's {endpoint: 'bulk',
 *   element, action? (index in its actions), name?, customer_id, reason, at} and Merge's
 *   {endpoint: 'merge', pair, merged_user, retained_user, reason, at};
 * - merges: {merged_user, retained_user, at};
 * - deletions: {identity_type, identity_value, customer_id, id, at, deleteAt};
 * - ignored: {endpoint, customer_id, at} — update_existing_only for a user that does not exist;
 *   and Cohort Sync's {endpoint: 'cohortSync', cohort_id, cohort_name, uid?, reason, at} — a uid
 *   that names no user, or a sync for a dashboard segment (no uid), left out when it was processed.
 * Cohort Sync's own record (its syncs and segments) is in ./cohort.js.
 */
function createWrites({ config, store, failBody, titleBody, rateLimitedByTitle, createWindow }) {
	const events = [];
	const dropped = [];
	const merges = [];
	const deletions = [];
	const ignored = [];
	/** profile → the time its hard delete happens. */
	const pendingDeletions = new Map();
	const windows = {};
	for (const name of Object.keys(WRITE_LIMITS))
		windows[name] = createWindow(() => config.limits[name]);
	const cohort = createCohortSync({
		config,
		store,
		failBody,
		window: windows.cohortRequests,
		ignored,
	});

	const refuse = (found) => ({
		refusal: failBody(400, found.type, found.message, found.attribute),
	});
	const accepted = () => ({
		status: 'success',
		message: ACCEPTED,
		request_id: crypto.randomUUID(),
	});
	const usualRefusals = {
		blocked: () =>
			failBody(403, 'BlockedClient', 'Your account is suspended. Please contact MoEngage team.'),
		tooLarge: () => failBody(413, 'PayloadTooLarge', 'Payload size exceeds 128 KB'),
		unsupported: () => failBody(415, 'MediaTypeError', 'Unsupported Media Type'),
		rateLimited: () => failBody(429, 'RateLimitError', 'Rate limit exceeded'),
	};

	/** The user Track Event and Bulk write to, created if unknown (Track User creates its own). */
	function profileFor(customerId) {
		return (
			store.find('customer_id', customerId) ??
			store.add({ customer_id: customerId, id: store.newId() })
		);
	}

	function upsert(
		{ customer_id: customerId, set, add, remove, updateExistingOnly },
		endpoint,
		now,
	) {
		const existing = store.find('customer_id', customerId);
		if (!existing && updateExistingOnly) {
			ignored.push({ endpoint, customer_id: customerId, at: now });
			return;
		}
		const profile = existing ?? store.add({ customer_id: customerId, id: store.newId() });
		// The identity keys are the store's index: an attribute never renames a user.
		const identity = { customer_id: profile.customer_id, id: profile.id };
		Object.assign(profile, set);
		// Section E: add appends to the array (a missing or non-array attribute starts empty); remove
		// takes out every element equal to a value given.
		const valuesOf = (given) => (Array.isArray(given) ? given : [given]);
		for (const [name, given] of Object.entries(add)) {
			profile[name] = [...(Array.isArray(profile[name]) ? profile[name] : []), ...valuesOf(given)];
		}
		for (const [name, given] of Object.entries(remove)) {
			if (!Array.isArray(profile[name])) continue;
			profile[name] = profile[name].filter(
				(element) => !valuesOf(given).some((value) => isDeepStrictEqual(element, value)),
			);
		}
		Object.assign(profile, identity);
	}

	function track({ customer_id: customerId, actions }, endpoint, now) {
		profileFor(customerId);
		for (const action of actions) {
			const { utc, local } = eventTimes(action, config.timezoneOffset, now);
			events.push({
				endpoint,
				customer_id: customerId,
				action: action.action,
				attributes: action.attributes,
				platform: action.platform,
				app_version: action.app_version,
				user_time: action.user_time,
				current_time: action.current_time,
				user_timezone_offset: action.user_timezone_offset,
				utc_time: isoOf(utc),
				local_time: isoOf(local).slice(0, -1),
				receivedAt: now,
			});
		}
	}

	const trackUser = {
		name: 'trackUser',
		maxBytes: TRACK_MAX_BYTES,
		...usualRefusals,
		check(payload) {
			const found = typeViolation(payload.type, 'customer') ?? userViolation(payload, config);
			if (found) return refuse(found);
			return { plan: userPlan(payload) };
		},
		cost: () => [[windows.trackUser, 1]],
		headerWindow: () => windows.trackUser,
		apply(plan, now) {
			upsert(plan, 'trackUser', now);
		},
		accepted,
	};

	const trackEvent = {
		name: 'trackEvent',
		maxBytes: TRACK_MAX_BYTES,
		...usualRefusals,
		unsupported: () => failBody(415, 'Unsupported media type', 'Content type is not supported'),
		rateLimited: () =>
			failBody(
				429,
				'Rate Limits Exceeded',
				'Rate limits for customers exceeded. Please Try After Some Time',
			),
		check(payload, now) {
			const found =
				typeViolation(payload.type, 'event') ?? customerIdViolation(payload.customer_id);
			if (found) return refuse(found);
			const { actions } = payload;
			if (actions === undefined) {
				return refuse(
					violation('MissingAttributeError', 'actions is not found in the payload', 'actions'),
				);
			}
			if (!Array.isArray(actions) || actions.length === 0) {
				return refuse(
					violation('MissingAttributeError', 'actions can not be empty Array', 'actions'),
				);
			}
			for (const action of actions) {
				const wrong = actionNameViolation(action) ?? actionRuleViolation(action, now, config);
				if (wrong) return refuse(wrong);
			}
			return { plan: { customer_id: payload.customer_id, actions } };
		},
		cost: (plan) => [[windows.trackEvent, plan.actions.length]],
		headerWindow: () => windows.trackEvent,
		apply(plan, now) {
			track(plan, 'trackEvent', now);
		},
		accepted,
	};

	/**
	 * Bulk Import refuses a request only for the five documented 400s; "All bulk API requests return
	 * a 200 response code", so every other Track User / Track Event violation drops the element (or
	 * the action) without a word: the simulator records it in `dropped`.
	 */
	const bulk = {
		name: 'bulk',
		maxBytes: BULK_MAX_BYTES,
		...usualRefusals,
		tooLarge: () => failBody(413, 'PayloadTooLarge', 'Payload size exceeds 100 KB'),
		check(payload, now) {
			const found = typeViolation(payload.type, 'transition');
			if (found) return refuse(found);
			const { elements } = payload;
			if (!Array.isArray(elements) || elements.length === 0) {
				return refuse(
					violation('MissingAttributeError', "'elements cannot be empty array", 'elements'),
				);
			}
			for (const element of elements) {
				if (!isPlainObject(element) || !['customer', 'event', 'device'].includes(element.type)) {
					return refuse(
						violation(
							'AttributeError',
							"'type in elements should be customer/event/device",
							'type',
						),
					);
				}
				if (element.customer_id === undefined) {
					return refuse(
						violation(
							'MissingAttributeError',
							"'customer_id not found in the payload",
							'customer_id',
						),
					);
				}
				const actions =
					element.type === 'event' && Array.isArray(element.actions) ? element.actions : [];
				if (actions.some((action) => actionNameViolation(action))) {
					return refuse(
						violation('MissingAttributeError', "'action cannot be empty Unicode string", 'action'),
					);
				}
			}
			const steps = [];
			const drops = [];
			let users = 0;
			let actionCount = 0;
			elements.forEach((element, index) => {
				const drop = (reason, extra = {}) =>
					drops.push({ element: index, customer_id: element.customer_id, reason, ...extra });
				if (element.type === 'customer') {
					users++;
					const wrong = userViolation(element, config);
					if (wrong) return drop(wrong.message);
					steps.push({ kind: 'user', ...userPlan(element) });
				} else if (element.type === 'event') {
					if (Array.isArray(element.actions)) actionCount += element.actions.length;
					const wrong =
						customerIdViolation(element.customer_id) ??
						(Array.isArray(element.actions) && element.actions.length > 0
							? undefined
							: violation('MissingAttributeError', 'actions can not be empty Array', 'actions'));
					if (wrong) return drop(wrong.message);
					const kept = element.actions.filter((action, actionIndex) => {
						const rule = actionRuleViolation(action, now, config);
						if (rule) drop(rule.message, { action: actionIndex, name: action.action });
						return !rule;
					});
					if (kept.length > 0)
						steps.push({ kind: 'event', customer_id: element.customer_id, actions: kept });
				}
				// Device elements are accepted and change nothing here: no device store is simulated.
			});
			return { plan: { steps, drops, users, actions: actionCount } };
		},
		// Both limits run "across all requests"; a request counts every element it sends, dropped or not.
		cost: (plan) => [
			[windows.bulkUsers, plan.users],
			[windows.bulkEvents, plan.actions],
		],
		/** Two windows but one set of headers: they describe whichever is closer to its limit. */
		headerWindow: (now) =>
			windows.bulkUsers.remaining(now) <= windows.bulkEvents.remaining(now)
				? windows.bulkUsers
				: windows.bulkEvents,
		apply(plan, now) {
			for (const drop of plan.drops) dropped.push({ endpoint: 'bulk', ...drop, at: now });
			for (const step of plan.steps) {
				if (step.kind === 'user') upsert(step, 'bulk', now);
				else track(step, 'bulk', now);
			}
		},
		accepted,
	};

	const IDENTITY_TYPES = { customer_id: 'customer id', moengage_id: 'moengage id' };
	const deleteUser = {
		name: 'delete',
		maxBytes: TRACK_MAX_BYTES,
		...usualRefusals,
		blocked: () => failBody(403, 'InvalidParams', 'given app_id is invalid/blocked'),
		rateLimited: rateLimitedByTitle,
		serverError: () => titleBody(500, 'Internal Error', 'Please contact the MoEngage team.'),
		check(payload) {
			const { identity_type: type, identity_value: value } = payload;
			if (type === undefined) {
				return refuse(
					violation(
						'MissingAttributeError',
						'identity_type is not found in the payload',
						'identity_type',
					),
				);
			}
			if (!(type in IDENTITY_TYPES)) {
				return refuse(
					violation(
						'InvalidParams',
						'identity_type should be customer_id or moengage_id',
						'identity_type',
					),
				);
			}
			if (value === undefined) {
				return refuse(
					violation(
						'MissingAttributeError',
						'identity_value is not found in the payload',
						'identity_value',
					),
				);
			}
			if (typeof value !== 'string' || value === '') {
				return refuse(
					violation(
						'InvalidParams',
						'identity_value is expected to be a non-empty String',
						'identity_value',
					),
				);
			}
			return { plan: { type, value } };
		},
		cost: () => [[windows.deleteRequests, 1]],
		headerWindow: () => windows.deleteRequests,
		/** The lookup runs after the rate window: an unknown user still costs MoEngage a request. */
		apply({ type, value }, now) {
			const profile = store.find(type === 'customer_id' ? 'customer_id' : 'id', value);
			if (!profile)
				return failBody(
					400,
					'Not Found',
					`User doesn't exists with ${IDENTITY_TYPES[type]} ${value}`,
				);
			// Asking again within the buffer is accepted again and does not postpone the hard delete.
			if (!pendingDeletions.has(profile)) pendingDeletions.set(profile, now + DELETION_BUFFER_MS);
			deletions.push({
				identity_type: type,
				identity_value: value,
				customer_id: profile.customer_id,
				id: profile.id,
				at: now,
				deleteAt: pendingDeletions.get(profile),
			});
			return undefined;
		},
		accepted: () => ({ status: 'success', message: ACCEPTED }),
	};

	/** How many user updates one pair costs, and how many pairs one call may carry, per reading. */
	const mergeUnit = () => (config.mergeReading === 'pairs' ? 1 : 2);
	const mergeUserError = (key) =>
		violation('MissingAttributeError', `${key} is expected to be String or Unicode String.`, key);
	const merge = {
		name: 'merge',
		maxBytes: TRACK_MAX_BYTES,
		...usualRefusals,
		blocked: () =>
			failBody(403, 'Account Temporarily Suspended.', 'Account Temporarily Suspended.'),
		tooLarge: () => failBody(413, 'PayloadTooLarge', 'The payload can not exceed 128KB'),
		// Merge documents a 400 for a missing Content-Type header, apart from its 415.
		missingContentType: () =>
			failBody(400, 'Missing header value', 'The Content-Type Header is required.'),
		check(payload) {
			const pairs = payload.merge_data;
			if (pairs === undefined) {
				return refuse(
					violation(
						'MissingAttributeError',
						'merge_data is not found in the payload',
						'merge_data',
					),
				);
			}
			if (!Array.isArray(pairs) || pairs.length === 0) {
				return refuse(
					violation('MissingAttributeError', 'merge_data can not be empty Array', 'merge_data'),
				);
			}
			// "50 users per call": 25 pairs when each pair is two users, 50 when a pair counts once.
			if (pairs.length * mergeUnit() > MERGE_MAX_USERS) {
				return refuse(
					violation('LimitBreached', `max limit allowed is ${MERGE_MAX_USERS}`, 'merge_data'),
				);
			}
			for (const pair of pairs) {
				if (!isPlainObject(pair) || typeof pair.merged_user !== 'string')
					return refuse(mergeUserError('merged_user'));
				if (typeof pair.retained_user !== 'string') return refuse(mergeUserError('retained_user'));
			}
			return { plan: { pairs } };
		},
		cost: (plan) => [[windows.mergeUsers, plan.pairs.length * mergeUnit()]],
		headerWindow: () => windows.mergeUsers,
		/**
		 * "A failed pair is skipped and the rest continue". The store is left as it is: MoEngage merges
		 * asynchronously (a 30-minute target), so nothing a test reads back changes at once.
		 */
		apply({ pairs }, now) {
			pairs.forEach(({ merged_user: merged, retained_user: retained }, index) => {
				const skip = (reason) =>
					dropped.push({
						endpoint: 'merge',
						pair: index,
						merged_user: merged,
						retained_user: retained,
						reason,
						at: now,
					});
				if (merged === retained) return skip('merged_user and retained_user are the same user');
				const unknown = [merged, retained].find(
					(customerId) => !store.find('customer_id', customerId),
				);
				if (unknown !== undefined) return skip(`user ${JSON.stringify(unknown)} does not exist`);
				merges.push({ merged_user: merged, retained_user: retained, at: now });
			});
		},
		accepted: () => ({ status: 'success', operation: 'created' }),
	};

	return {
		events,
		dropped,
		merges,
		deletions,
		ignored,
		/** Cohort Sync: its endpoint (which route() does not give: it names no app_id), its syncs and segments. */
		cohort,
		/** The write endpoint a request is for, and the app_id it names (in its path or its query), or undefined. */
		route(request) {
			if (request.method !== 'POST') return undefined;
			const { pathname, searchParams } = request.url;
			if (pathname === '/v1/customer/delete')
				return { endpoint: deleteUser, appId: searchParams.get('app_id') };
			if (pathname === '/v1/customer/merge')
				return { endpoint: merge, appId: searchParams.get('app_id') };
			const match = /^\/v1\/(customer|event|transition)\/([^/]+)$/.exec(pathname);
			if (!match) return undefined;
			const endpoint = { customer: trackUser, event: trackEvent, transition: bulk }[match[1]];
			return { endpoint, appId: decodeURIComponent(match[2]) };
		},
		/**
		 * What has come due by `now`, lazily, before any request is answered: the accepted Cohort Syncs
		 * are processed, then the users whose 24 h buffer is over are hard-deleted.
		 */
		purge(now) {
			cohort.process(now);
			for (const [profile, deleteAt] of pendingDeletions) {
				if (deleteAt > now) continue;
				store.remove(profile);
				pendingDeletions.delete(profile);
			}
		},
		reset() {
			for (const list of [events, dropped, merges, deletions, ignored]) list.length = 0;
			pendingDeletions.clear();
			cohort.reset();
			for (const window of Object.values(windows)) window.clear();
		},
	};
}

module.exports = {
	createWrites,
	WRITE_LIMITS,
	TRACK_MAX_BYTES,
	BULK_MAX_BYTES,
	DELETION_BUFFER_MS,
	DISALLOWED_CUSTOMER_IDS,
};
