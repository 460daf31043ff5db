/**
 * Attributes and event fields to write, checked against MoEngage's documented rules before
 * anything is sent: Bulk Import answers 200 for an element it then drops, so what it would drop
 * must be caught here, with the item. Pure functions: plain values in, a value or a problem out.
 */
import type { Checked } from './identifiers';

export type Attributes = Record<string, unknown>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** Blocked as user attribute names: "id", "_id" and the empty name. */
const BLOCKED_NAMES = new Set(['id', '_id', '']);

/** Reserved by MoEngage's SDKs (data overview, "Blocked and reserved names"). */
const RESERVED_NAMES = new Set([
	'USER_ATTRIBUTE_UNIQUE_ID', 'USER_ATTRIBUTE_USER_EMAIL', 'USER_ATTRIBUTE_USER_MOBILE', 'USER_ATTRIBUTE_USER_NAME',
	'USER_ATTRIBUTE_USER_GENDER', 'USER_ATTRIBUTE_USER_FIRST_NAME', 'USER_ATTRIBUTE_USER_LAST_NAME',
	'USER_ATTRIBUTE_USER_BDAY', 'USER_ATTRIBUTE_NOTIFICATION_PREF', 'USER_ATTRIBUTE_OLD_ID', 'MOE_TIME_FORMAT',
	'MOE_TIME_TIMEZONE', 'USER_ATTRIBUTE_DND_START_TIME', 'USER_ATTRIBUTE_DND_END_TIME', 'MOE_GAID', 'INSTALL', 'UPDATE',
	'MOE_ISLAT', 'status', 'user_id', 'source',
]);

/**
 * The moe_ prefix is MoEngage's own, except for the standard attributes its table lets Track User
 * set, and moe_mobile, the identifier Identity Resolution documents.
 */
const WRITABLE_MOE_ATTRIBUTES = new Set([
	'moe_wa_subscription', 'moe_em_unsub_categories', 'moe_sub_w', 'moe_spam', 'moe_unsubscribe', 'moe_hard_bounce',
	'moe_sms_subscription', 'moe_gaid', 'moe_mweb', 'moe_mobile',
]);

const RENAME_HINT = 'rename it before this node, or leave it out (Attributes "Exclude Fields")';

export function checkUserAttributes(attributes: Attributes): Checked<Attributes> {
	for (const name of Object.keys(attributes)) {
		if (BLOCKED_NAMES.has(name.trim())) {
			return { ok: false, problem: `the attribute name "${name}" is blocked by MoEngage (id, _id and empty names are); ${RENAME_HINT}` };
		}
		if (RESERVED_NAMES.has(name)) {
			return { ok: false, problem: `the attribute name "${name}" is reserved by MoEngage; ${RENAME_HINT}` };
		}
		if (/^moe_/i.test(name) && !WRITABLE_MOE_ATTRIBUTES.has(name)) {
			return { ok: false, problem: `the attribute name "${name}" uses the moe_ prefix, which MoEngage reserves; ${RENAME_HINT}` };
		}
	}
	return { ok: true, value: attributes };
}

export function checkEventAttributes(attributes: Attributes): Checked<Attributes> {
	for (const name of Object.keys(attributes)) {
		if (name.trim() === '') return { ok: false, problem: 'an event attribute has an empty name' };
		if (/^moe_/i.test(name)) {
			return { ok: false, problem: `the event attribute "${name}" uses the moe_ prefix, which MoEngage reserves; ${RENAME_HINT}` };
		}
	}
	return { ok: true, value: attributes };
}

export function checkEventName(value: unknown): Checked<string> {
	if (typeof value !== 'string' && typeof value !== 'number') {
		return { ok: false, problem: `the event name is ${value === undefined ? 'missing' : `a ${typeof value}`}; give a text such as "Order Placed"` };
	}
	const name = String(value).trim();
	if (name === '') return { ok: false, problem: 'the event name is empty; give a text such as "Order Placed"' };
	if (/^moe_/i.test(name)) return { ok: false, problem: `the event name "${name}" uses the moe_ prefix, which MoEngage reserves` };
	return { ok: true, value: name };
}

/** Attributes as a JSON object: a text holding one, or an object an expression gave. */
export function parseAttributesJson(value: unknown): Checked<Attributes> {
	if (value === undefined || value === null || value === '') return { ok: true, value: {} };
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value) as unknown;
		} catch (error) {
			return { ok: false, problem: `the attributes JSON does not parse: ${(error as Error).message}` };
		}
	}
	if (!isRecord(parsed)) return { ok: false, problem: 'the attributes JSON is not an object such as {"plan": "gold"}' };
	return { ok: true, value: parsed };
}

/** The item's own fields, but those named in `exclude` (comma-separated). */
export function attributesFromItem(json: Attributes, exclude: string): Attributes {
	const left = new Set(exclude.split(',').map((name) => name.trim()).filter(Boolean));
	const attributes: Attributes = {};
	for (const [name, value] of Object.entries(json)) if (!left.has(name)) attributes[name] = value;
	return attributes;
}

/** Name/value pairs; a later pair of the same name wins, as it would in the profile. */
export function attributesFromPairs(pairs: ReadonlyArray<{ name?: unknown; value?: unknown }>): Checked<Attributes> {
	const attributes: Attributes = {};
	for (const pair of pairs) {
		const name = typeof pair.name === 'string' ? pair.name.trim() : '';
		if (name === '') return { ok: false, problem: 'an attribute pair has no name' };
		attributes[name] = pair.value;
	}
	return { ok: true, value: attributes };
}

/** A 13-digit epoch is milliseconds, a 10-digit one seconds: the docs say seconds, their examples send ms. */
const EPOCH_MS_FROM = 100_000_000_000;

/**
 * An event time as MoEngage takes it: ISO 8601 with an offset (a time without one is read as UTC),
 * epoch seconds or epoch milliseconds, as a number or a text; a Date or a Luxon DateTime from an
 * expression. Sent as ISO 8601 UTC, which both readings of the docs accept. MoEngage drops events
 * dated after its own now.
 */
export function parseEventTime(value: unknown, now: number): Checked<string> {
	let ms: number;
	if (value instanceof Date) ms = value.getTime();
	else if (isRecord(value) && typeof value.toMillis === 'function') ms = Number((value.toMillis as () => number)());
	else if (typeof value === 'number' || (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value))) {
		const number = Number(value);
		ms = number >= EPOCH_MS_FROM ? number : number * 1000;
	} else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value.trim())) {
		const text = value.trim();
		const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) || !text.includes('T') ? text : `${text}Z`;
		ms = Date.parse(/T/.test(zoned) ? zoned : `${zoned}T00:00:00Z`);
	} else {
		return {
			ok: false,
			problem: `the event time is ${typeof value === 'string' ? `"${value}"` : `a ${typeof value}`}; give ISO 8601 (2026-05-31T16:33:35Z) or epoch seconds or milliseconds`,
		};
	}
	if (!Number.isFinite(ms) || ms <= 0) return { ok: false, problem: `the event time "${String(value)}" is not a valid date` };
	if (ms > now) {
		return { ok: false, problem: `the event time ${new Date(ms).toISOString()} is in the future; MoEngage drops future-dated events` };
	}
	return { ok: true, value: new Date(ms).toISOString().replace('.000Z', 'Z') };
}

/** user_timezone_offset: whole seconds from -54,000 to 54,000 (UTC-15:00 to UTC+15:00). */
export function checkTimezoneOffset(value: unknown): Checked<number | undefined> {
	if (value === undefined || value === null || value === '') return { ok: true, value: undefined };
	const number = typeof value === 'string' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isInteger(number) || number < -54_000 || number > 54_000) {
		return { ok: false, problem: `the timezone offset is ${String(value)}; give whole seconds from -54000 to 54000 (e.g. 19800 for UTC+5:30)` };
	}
	return { ok: true, value: number };
}

export const PLATFORMS = ['ANDROID', 'iOS', 'web', 'TV', 'unknown'] as const;

/** Bytes of a value as JSON on the wire. */
export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * Consecutive units into batches of at most `maxUnits` whose requests stay within `maxBytes`;
 * `bytesOf` gives a unit's share of the request (its element and a comma).
 */
export function packBySize<U>(units: readonly U[], maxUnits: number, maxBytes: number, bytesOf: (unit: U) => number): U[][] {
	const batches: U[][] = [];
	let batch: U[] = [];
	let bytes = 0;
	for (const unit of units) {
		const size = bytesOf(unit);
		if (batch.length > 0 && (batch.length >= maxUnits || bytes + size > maxBytes)) {
			batches.push(batch);
			batch = [];
			bytes = 0;
		}
		batch.push(unit);
		bytes += size;
	}
	if (batch.length > 0) batches.push(batch);
	return batches;
}
