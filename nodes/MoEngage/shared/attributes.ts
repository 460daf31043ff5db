/**
 * Attributes and event fields to write, checked against MoEngage's documented rules before
 * anything is sent: Bulk Import answers 200 for an element it then drops, so what it would drop
 * must be caught here, with the item. Pure functions: plain values in, a value or a problem out.
 */
import { type Checked, isRecord } from './checked';

export type Attributes = Record<string, unknown>;

/** Blocked as user attribute names: "id", "_id" and the empty name. */
const BLOCKED_NAMES = new Set(['id', '_id', '']);

/** Reserved by MoEngage's SDKs (data overview, "Blocked and reserved names"). */
const RESERVED_NAMES = new Set([
	'USER_ATTRIBUTE_UNIQUE_ID',
	'USER_ATTRIBUTE_USER_EMAIL',
	'USER_ATTRIBUTE_USER_MOBILE',
	'USER_ATTRIBUTE_USER_NAME',
	'USER_ATTRIBUTE_USER_GENDER',
	'USER_ATTRIBUTE_USER_FIRST_NAME',
	'USER_ATTRIBUTE_USER_LAST_NAME',
	'USER_ATTRIBUTE_USER_BDAY',
	'USER_ATTRIBUTE_NOTIFICATION_PREF',
	'USER_ATTRIBUTE_OLD_ID',
	'MOE_TIME_FORMAT',
	'MOE_TIME_TIMEZONE',
	'USER_ATTRIBUTE_DND_START_TIME',
	'USER_ATTRIBUTE_DND_END_TIME',
	'MOE_GAID',
	'INSTALL',
	'UPDATE',
	'MOE_ISLAT',
	'status',
	'user_id',
	'source',
]);

/**
 * The moe_ prefix is MoEngage's own, except for the standard attributes its table lets Track User
 * set, and moe_mobile, the identifier Identity Resolution documents.
 */
const WRITABLE_MOE_ATTRIBUTES = new Set([
	'moe_wa_subscription',
	'moe_em_unsub_categories',
	'moe_sub_w',
	'moe_spam',
	'moe_unsubscribe',
	'moe_hard_bounce',
	'moe_sms_subscription',
	'moe_gaid',
	'moe_mweb',
	'moe_mobile',
]);

const RENAME_HINT = 'rename it before this node, or leave it out (Attributes "Exclude Fields")';

const ARRAY_OPERATORS = ['addValueToArrayField', 'removeValueFromArrayField'] as const;
type ArrayOperator = (typeof ARRAY_OPERATORS)[number];
const isArrayOperator = (name: string): name is ArrayOperator =>
	(ARRAY_OPERATORS as readonly string[]).includes(name);

const listOf = (values: unknown): unknown[] => (Array.isArray(values) ? values : [values]);

function nameProblem(name: string): string | undefined {
	if (BLOCKED_NAMES.has(name.trim()))
		return `the attribute name "${name}" is blocked by MoEngage (id, _id and empty names are); ${RENAME_HINT}`;
	if (RESERVED_NAMES.has(name))
		return `the attribute name "${name}" is reserved by MoEngage; ${RENAME_HINT}`;
	if (/^moe_/i.test(name) && !WRITABLE_MOE_ATTRIBUTES.has(name)) {
		return `the attribute name "${name}" uses the moe_ prefix, which MoEngage reserves; ${RENAME_HINT}`;
	}
	return undefined;
}

/** `platforms` as Track User documents it: a list of {platform: ANDROID | iOS | web, active: "true" | "false"}. */
const PROFILE_PLATFORMS = ['ANDROID', 'iOS', 'web'];
const PLATFORMS_FORM =
	'give a list such as [{"platform": "ANDROID", "active": "true"}], platform one of ANDROID, iOS, web';

function checkPlatforms(value: unknown): Checked<Array<{ platform: string; active: string }>> {
	if (!Array.isArray(value))
		return {
			ok: false,
			problem: `the attribute "platforms" is ${JSON.stringify(value)}; ${PLATFORMS_FORM}`,
		};
	const platforms: Array<{ platform: string; active: string }> = [];
	for (const entry of value) {
		const platform =
			isRecord(entry) && typeof entry.platform === 'string'
				? PROFILE_PLATFORMS.find(
						(name) => name.toLowerCase() === (entry.platform as string).trim().toLowerCase(),
					)
				: undefined;
		// MoEngage's enum is the strings "true" and "false"; a boolean from an expression means the same.
		const active = isRecord(entry) ? String(entry.active).trim().toLowerCase() : '';
		const onlyKnownKeys =
			isRecord(entry) && Object.keys(entry).every((key) => key === 'platform' || key === 'active');
		if (platform === undefined || (active !== 'true' && active !== 'false') || !onlyKnownKeys) {
			return {
				ok: false,
				problem: `the attribute "platforms" has ${JSON.stringify(entry)}; ${PLATFORMS_FORM}`,
			};
		}
		platforms.push({ platform, active });
	}
	return { ok: true, value: platforms };
}

/**
 * A user's attributes checked against what Track User documents, which Bulk Import applies to each
 * element and drops without a word: blocked, reserved and moe_ names; `platforms` (spelled as
 * MoEngage's enum: "android" becomes ANDROID, true becomes "true"); and the array operators, which
 * may not add to and remove from one attribute, nor change one the same element sets, nor touch
 * `platforms` (docs/moengage-api.md#array-operators, #platforms).
 */
export function checkUserAttributes(attributes: Attributes): Checked<Attributes> {
	const checked: Attributes = {};
	for (const [name, value] of Object.entries(attributes)) {
		if (isArrayOperator(name)) {
			if (!isRecord(value)) {
				return {
					ok: false,
					problem: `"${name}" is ${JSON.stringify(value)}; give an object of attribute names and values, e.g. {"tags": ["vip"]}`,
				};
			}
			for (const inner of Object.keys(value)) {
				const problem =
					nameProblem(inner) ??
					(inner === 'platforms' ? `MoEngage does not take "platforms" in ${name}` : undefined);
				if (problem) return { ok: false, problem };
			}
			checked[name] = value;
			continue;
		}
		const problem = nameProblem(name);
		if (problem) return { ok: false, problem };
		if (name === 'platforms') {
			const platforms = checkPlatforms(value);
			if (!platforms.ok) return platforms;
			checked[name] = platforms.value;
		} else {
			checked[name] = value;
		}
	}
	const { sets, adds, removes } = touchedBy(checked);
	const both = adds.find((name) => removes.includes(name));
	if (both !== undefined) {
		return {
			ok: false,
			problem: `the item adds to and removes from "${both}" at once, which MoEngage refuses ("Cannot add and remove '${both}' at the same time"); put the addition and the removal in two items`,
		};
	}
	const setToo = [...adds, ...removes].find((name) => sets.includes(name));
	if (setToo !== undefined) {
		return {
			ok: false,
			problem: `the item sets "${setToo}" and also adds to or removes from it, which MoEngage refuses in one update; put them in two items`,
		};
	}
	return { ok: true, value: checked };
}

/** What one item's attributes do: the attributes they set, and the array attributes they add to or remove from. */
function touchedBy(attributes: Attributes): { sets: string[]; adds: string[]; removes: string[] } {
	const names = (operator: ArrayOperator) =>
		Object.keys(isRecord(attributes[operator]) ? (attributes[operator] as Attributes) : {});
	return {
		sets: Object.keys(attributes).filter((name) => !isArrayOperator(name)),
		adds: names('addValueToArrayField'),
		removes: names('removeValueFromArrayField'),
	};
}

/** Whether the attributes add to or remove from any array: repeating them is not harmless. */
export const changesArrays = (attributes: Attributes): boolean =>
	ARRAY_OPERATORS.some((operator) => operator in attributes);

/**
 * Whether `next` can join an update that already holds `held` without MoEngage refusing it: no
 * attribute added to where the other removes, nor set where the other adds or removes.
 */
export function canJoin(held: Attributes, next: Attributes): boolean {
	const a = touchedBy(held);
	const b = touchedBy(next);
	const meets = (x: string[], y: string[]) => x.some((name) => y.includes(name));
	return !(
		meets(a.adds, b.removes) ||
		meets(a.removes, b.adds) ||
		meets(a.sets, [...b.adds, ...b.removes]) ||
		meets(b.sets, [...a.adds, ...a.removes])
	);
}

/**
 * `next` applied over `held`, in that order: a later value wins, and the values each array operator
 * adds or removes are kept, the earlier first (a shallow assign would keep only the last item's).
 * `held` is changed in place and owns its operators' lists, so thousands of items of one customer
 * cost linear time and the items' own values are never changed.
 */
export function joinInto(held: Attributes, next: Attributes): void {
	for (const [name, value] of Object.entries(next)) {
		if (!(isArrayOperator(name) && isRecord(value))) {
			held[name] = value;
			continue;
		}
		const lists = (isRecord(held[name]) ? held[name] : (held[name] = {})) as Record<
			string,
			unknown[]
		>;
		for (const [inner, values] of Object.entries(value)) {
			const list = (lists[inner] ??= []);
			for (const one of listOf(values)) list.push(one);
		}
	}
}

export function checkEventAttributes(attributes: Attributes): Checked<Attributes> {
	for (const name of Object.keys(attributes)) {
		if (name.trim() === '') return { ok: false, problem: 'an event attribute has an empty name' };
		if (/^moe_/i.test(name)) {
			return {
				ok: false,
				problem: `the event attribute "${name}" uses the moe_ prefix, which MoEngage reserves; ${RENAME_HINT}`,
			};
		}
	}
	return { ok: true, value: attributes };
}

export function checkEventName(value: unknown): Checked<string> {
	if (typeof value !== 'string' && typeof value !== 'number') {
		return {
			ok: false,
			problem: `the event name is ${value === undefined ? 'missing' : `a ${typeof value}`}; give a text such as "Order Placed"`,
		};
	}
	const name = String(value).trim();
	if (name === '')
		return { ok: false, problem: 'the event name is empty; give a text such as "Order Placed"' };
	if (/^moe_/i.test(name))
		return {
			ok: false,
			problem: `the event name "${name}" uses the moe_ prefix, which MoEngage reserves`,
		};
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
			return {
				ok: false,
				problem: `the attributes JSON does not parse: ${(error as Error).message}`,
			};
		}
	}
	if (!isRecord(parsed))
		return { ok: false, problem: 'the attributes JSON is not an object such as {"plan": "gold"}' };
	return { ok: true, value: parsed };
}

/** The item's own fields, but those named in `exclude`. */
export function attributesFromItem(json: Attributes, exclude: readonly string[]): Attributes {
	const left = new Set(exclude);
	const attributes: Attributes = {};
	for (const [name, value] of Object.entries(json)) if (!left.has(name)) attributes[name] = value;
	return attributes;
}

/** "", null and missing: a blank spreadsheet cell, an unset field. Sent, they would overwrite a value MoEngage has. */
const isEmptyValue = (value: unknown): boolean =>
	value === undefined || value === null || value === '';

export const withoutEmptyValues = (attributes: Attributes): Attributes =>
	Object.fromEntries(Object.entries(attributes).filter(([, value]) => !isEmptyValue(value)));

/** How a value typed in "Fields Below" is sent: MoEngage types an attribute by the first value it gets. */
type ValueType = 'auto' | 'string' | 'number' | 'boolean' | 'date' | 'array';

const BOOLEAN_WORDS: Record<string, boolean> = {
	true: true,
	false: false,
	yes: true,
	no: false,
	'1': true,
	'0': false,
};

export function typedValue(
	name: string,
	value: unknown,
	type: ValueType = 'auto',
): Checked<unknown> {
	if (type === 'auto' || isEmptyValue(value)) return { ok: true, value };
	const shown = JSON.stringify(value) ?? String(value);
	const text = typeof value === 'string' ? value.trim() : undefined;
	switch (type) {
		case 'string':
			return { ok: true, value: typeof value === 'object' ? JSON.stringify(value) : String(value) };
		case 'number': {
			const number =
				typeof value === 'number' ? value : text !== undefined && text !== '' ? Number(text) : NaN;
			return Number.isFinite(number)
				? { ok: true, value: number }
				: { ok: false, problem: `the attribute "${name}" is ${shown}, not a number` };
		}
		case 'boolean': {
			const word =
				typeof value === 'boolean' ? value : BOOLEAN_WORDS[String(value).trim().toLowerCase()];
			return word === undefined
				? { ok: false, problem: `the attribute "${name}" is ${shown}, not true or false` }
				: { ok: true, value: word };
		}
		case 'date': {
			const instant = readInstant(value, `the attribute "${name}"`);
			return instant.ok ? { ok: true, value: isoOf(instant.value) } : instant;
		}
		case 'array': {
			if (Array.isArray(value)) return { ok: true, value };
			if (text === undefined) return { ok: true, value: [value] };
			if (text.startsWith('[')) {
				try {
					const parsed = JSON.parse(text) as unknown;
					if (Array.isArray(parsed)) return { ok: true, value: parsed };
				} catch {
					// Not JSON: read as a list separated by commas, like any other text.
				}
			}
			return {
				ok: true,
				value: text
					.split(',')
					.map((part) => part.trim())
					.filter((part) => part !== ''),
			};
		}
	}
	return { ok: false, problem: `the attribute "${name}" has the unknown type "${String(type)}"` };
}

/** Name/value pairs, each typed as asked; a later pair of the same name wins, as it would in the profile. */
export function attributesFromPairs(
	pairs: ReadonlyArray<{ name?: unknown; type?: unknown; value?: unknown }>,
): Checked<Attributes> {
	const attributes: Attributes = {};
	for (const pair of pairs) {
		const name = typeof pair.name === 'string' ? pair.name.trim() : '';
		if (name === '') return { ok: false, problem: 'an attribute pair has no name' };
		const typed = typedValue(name, pair.value, (pair.type as ValueType | undefined) ?? 'auto');
		if (!typed.ok) return typed;
		attributes[name] = typed.value;
	}
	return { ok: true, value: attributes };
}

/**
 * Epoch numbers are read as seconds or milliseconds only where either lands between 2001 and 2100:
 * "20250531" or 0.5 would otherwise pass as a date in 1970. MoEngage's docs say seconds, their
 * examples send 13-digit milliseconds.
 */
const PLAUSIBLE_FROM_S = Date.UTC(2001, 0, 1) / 1000;
const PLAUSIBLE_UNTIL_S = Date.UTC(2100, 0, 1) / 1000;

/**
 * ISO 8601 as people and tools write it: a space may stand for the T (SQL, Google Sheets), the
 * offset may be Z, +05, +0530 or +05:30; without one the time is UTC.
 */
const ISO_LIKE =
	/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * How far ahead of this n8n's clock an event time may be and still mean "now": `{{ $now }}` read a
 * moment before the check, a source whose clock runs a few seconds fast. Such a time is not sent,
 * so MoEngage stamps the event when it arrives and cannot drop it as future-dated.
 */
const NOW_TOLERANCE_MS = 60_000;

const EVENT_TIME_FORMS =
	'give ISO 8601 (2026-05-31T16:33:35Z, 2026-05-31 16:33:35, 2026-05-31T22:03:35+05:30), or epoch seconds (10 digits) or milliseconds (13 digits)';

function isoMillis(text: string): number | undefined {
	const match = ISO_LIKE.exec(text);
	if (!match) return undefined;
	const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone = 'Z'] =
		match;
	const parts = [year, month, day, hour, minute, second].map(Number);
	const ms = Date.UTC(
		parts[0],
		parts[1] - 1,
		parts[2],
		parts[3],
		parts[4],
		parts[5],
		Number(fraction.padEnd(3, '0').slice(0, 3)),
	);
	const back = new Date(ms);
	// Date.UTC rolls 2025-02-30 over into March: a date that does not come back as written does not exist.
	const exists =
		back.getUTCFullYear() === parts[0] &&
		back.getUTCMonth() === parts[1] - 1 &&
		back.getUTCDate() === parts[2] &&
		back.getUTCHours() === parts[3] &&
		back.getUTCMinutes() === parts[4] &&
		back.getUTCSeconds() === parts[5];
	if (!exists) return undefined;
	if (zone.toUpperCase() === 'Z') return ms;
	const digits = zone.slice(1).replace(':', '');
	const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
	return ms - (zone.startsWith('-') ? -1 : 1) * offsetMinutes * 60_000;
}

function epochMillis(value: number): number | undefined {
	if (!Number.isFinite(value)) return undefined;
	if (value >= PLAUSIBLE_FROM_S && value < PLAUSIBLE_UNTIL_S) return Math.round(value * 1000);
	if (value >= PLAUSIBLE_FROM_S * 1000 && value < PLAUSIBLE_UNTIL_S * 1000)
		return Math.round(value);
	return undefined;
}

/** Epoch milliseconds of a date or time in any form the node takes, or the problem with it. */
function readInstant(value: unknown, what: string): Checked<number> {
	if (value instanceof Date) {
		return Number.isNaN(value.getTime())
			? { ok: false, problem: `${what} is an invalid Date` }
			: { ok: true, value: value.getTime() };
	}
	if (isRecord(value) && typeof value.toMillis === 'function') {
		const ms = Number((value.toMillis as () => number)());
		return Number.isFinite(ms)
			? { ok: true, value: ms }
			: { ok: false, problem: `${what} is an invalid date` };
	}
	const text = typeof value === 'string' ? value.trim() : undefined;
	if (typeof value === 'number' || (text !== undefined && /^\d+(\.\d+)?$/.test(text))) {
		const ms = epochMillis(Number(value));
		if (ms !== undefined) return { ok: true, value: ms };
		return {
			ok: false,
			problem: `${what} is ${String(value)}, which is neither epoch seconds nor milliseconds of a date from 2001 to 2100; ${EVENT_TIME_FORMS}`,
		};
	}
	const ms = text === undefined ? undefined : isoMillis(text);
	if (ms !== undefined) return { ok: true, value: ms };
	const shown =
		text !== undefined ? `"${value as string}"` : value === null ? 'null' : `a ${typeof value}`;
	return {
		ok: false,
		problem: `${what} is ${shown}, not a date MoEngage takes; ${EVENT_TIME_FORMS}`,
	};
}

const isoOf = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * An event time for `current_time`: the UTC instant as ISO 8601, which both readings of the docs
 * accept. `now` is this n8n's clock when the item is checked. MoEngage drops events dated after its
 * own now: a time up to NOW_TOLERANCE_MS ahead is "now" (undefined: send no time, MoEngage stamps
 * the arrival); a time further ahead is refused.
 */
export function parseEventTime(value: unknown, now: number): Checked<string | undefined> {
	const instant = readInstant(value, 'the event time');
	if (!instant.ok) return instant;
	const ahead = instant.value - now;
	if (ahead > NOW_TOLERANCE_MS) {
		return {
			ok: false,
			problem: `the event time ${isoOf(instant.value)} is ${Math.round(ahead / 1000)} s ahead of this n8n's clock; MoEngage drops future-dated events (up to ${NOW_TOLERANCE_MS / 1000} s ahead counts as now)`,
		};
	}
	return { ok: true, value: ahead > 0 ? undefined : isoOf(instant.value) };
}

/** user_timezone_offset: whole seconds from -54,000 to 54,000 (UTC-15:00 to UTC+15:00). */
export function checkTimezoneOffset(value: unknown): Checked<number | undefined> {
	if (value === undefined || value === null || value === '') return { ok: true, value: undefined };
	const number = typeof value === 'string' ? Number(value) : value;
	if (
		typeof number !== 'number' ||
		!Number.isInteger(number) ||
		number < -54_000 ||
		number > 54_000
	) {
		return {
			ok: false,
			problem: `the timezone offset is ${String(value)}; give whole seconds from -54000 to 54000 (e.g. 19800 for UTC+5:30)`,
		};
	}
	return { ok: true, value: number };
}

export const PLATFORMS = ['ANDROID', 'iOS', 'web', 'TV', 'unknown'] as const;
