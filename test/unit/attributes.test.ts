import {
	attributesFromItem,
	attributesFromPairs,
	checkEventAttributes,
	checkEventName,
	checkTimezoneOffset,
	checkUserAttributes,
	packBySize,
	parseAttributesJson,
	parseEventTime,
} from '../../nodes/MoEngage/shared/attributes';
import { checkCustomerId } from '../../nodes/MoEngage/shared/identifiers';

const NOW = Date.UTC(2026, 10, 29, 12);

describe('checkCustomerId', () => {
	it.each(['null', 'NULL', 'guest', 'unknown', '-1', 'true', 'n/a', 'customer_id', 'None'])('refuses the placeholder %s', (id) => {
		expect(checkCustomerId(id)).toEqual({ ok: false, problem: `is "${id}", a placeholder value MoEngage refuses as a customer ID` });
	});

	it('refuses one character, and takes numbers as text, trimmed', () => {
		expect(checkCustomerId('x').ok).toBe(false);
		expect(checkCustomerId('0')).toEqual({ ok: false, problem: 'is "0"; MoEngage needs a customer ID longer than one character' });
		expect(checkCustomerId(' 12345 ')).toEqual({ ok: true, value: '12345' });
		expect(checkCustomerId(98765)).toEqual({ ok: true, value: '98765' });
		expect(checkCustomerId('').ok).toBe(false);
	});
});

describe('checkUserAttributes', () => {
	it.each(['id', '_id', '', ' '])('refuses the blocked name "%s"', (name) => {
		expect(checkUserAttributes({ [name]: 1 }).ok).toBe(false);
	});

	it.each(['status', 'user_id', 'source', 'USER_ATTRIBUTE_UNIQUE_ID', 'MOE_GAID'])('refuses the reserved name %s', (name) => {
		expect(checkUserAttributes({ [name]: 1 })).toMatchObject({ ok: false, problem: expect.stringContaining(`"${name}" is reserved`) });
	});

	it('refuses moe_ names but the standard ones Track User may write', () => {
		expect(checkUserAttributes({ moe_score: 1 }).ok).toBe(false);
		expect(checkUserAttributes({ MOE_score: 1 }).ok).toBe(false);
		expect(checkUserAttributes({ moe_unsubscribe: true, moe_sms_subscription: false, moe_mobile: '+49' }).ok).toBe(true);
		expect(checkUserAttributes({ plan: 'gold', first_name: 'Asha', u_em: 'a@example.com' }).ok).toBe(true);
	});
});

describe('event checks', () => {
	it('names: not empty, not moe_', () => {
		expect(checkEventName(' Order Placed ')).toEqual({ ok: true, value: 'Order Placed' });
		expect(checkEventName('moe_opened').ok).toBe(false);
		expect(checkEventName('').ok).toBe(false);
		expect(checkEventName(undefined).ok).toBe(false);
	});

	it('attributes: no empty or moe_ names', () => {
		expect(checkEventAttributes({ sku: 'A', id: 3 }).ok).toBe(true);
		expect(checkEventAttributes({ moe_x: 1 }).ok).toBe(false);
		expect(checkEventAttributes({ '': 1 }).ok).toBe(false);
	});

	it('timezone offsets: whole seconds within ±54,000', () => {
		expect(checkTimezoneOffset(19800)).toEqual({ ok: true, value: 19800 });
		expect(checkTimezoneOffset('-54000')).toEqual({ ok: true, value: -54000 });
		expect(checkTimezoneOffset(undefined)).toEqual({ ok: true, value: undefined });
		expect(checkTimezoneOffset(54001).ok).toBe(false);
		expect(checkTimezoneOffset(1.5).ok).toBe(false);
	});
});

describe('parseEventTime', () => {
	const iso = '2025-05-31T16:33:35Z';
	const ms = Date.parse(iso);
	it.each([
		['ISO 8601 with Z', iso],
		['ISO 8601 with an offset', '2025-05-31T18:33:35+02:00'],
		['ISO 8601 without an offset (UTC)', '2025-05-31T16:33:35'],
		['epoch seconds', ms / 1000],
		['epoch seconds as text', String(ms / 1000)],
		['epoch milliseconds (13 digits, as the docs send them)', ms],
		['epoch milliseconds as text', String(ms)],
		['a Date', new Date(ms)],
		['a Luxon-like DateTime', { toMillis: () => ms }],
	])('reads %s as the same instant, sent as ISO 8601 UTC', (_name, value) => {
		expect(parseEventTime(value, NOW)).toEqual({ ok: true, value: iso });
	});

	it('refuses the future, words, and nonsense', () => {
		expect(parseEventTime('2027-01-01T00:00:00Z', NOW)).toMatchObject({ ok: false, problem: expect.stringContaining('in the future') });
		expect(parseEventTime(NOW + 1, NOW).ok).toBe(false);
		expect(parseEventTime('last tuesday', NOW).ok).toBe(false);
		expect(parseEventTime('2025-13-45T99:00:00Z', NOW).ok).toBe(false);
		expect(parseEventTime(true, NOW).ok).toBe(false);
	});
});

describe('attribute sources', () => {
	it('the item but the excluded fields', () => {
		expect(attributesFromItem({ customer_id: 'a', plan: 'x', note: 'n' }, ' customer_id , note')).toEqual({ plan: 'x' });
	});

	it('pairs, a later pair of the same name winning; a pair without a name is a problem', () => {
		expect(attributesFromPairs([{ name: 'a', value: 1 }, { name: ' a ', value: 2 }])).toEqual({ ok: true, value: { a: 2 } });
		expect(attributesFromPairs([{ name: '', value: 1 }]).ok).toBe(false);
	});

	it('JSON: a text or an object, and nothing else', () => {
		expect(parseAttributesJson('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
		expect(parseAttributesJson({ b: 2 })).toEqual({ ok: true, value: { b: 2 } });
		expect(parseAttributesJson('')).toEqual({ ok: true, value: {} });
		expect(parseAttributesJson('[1]').ok).toBe(false);
		expect(parseAttributesJson('{nope').ok).toBe(false);
	});
});

describe('packBySize', () => {
	it('fills each batch up to the byte limit and the unit limit, in order', () => {
		const sizes = [40, 40, 40, 90, 10, 10, 10];
		expect(packBySize(sizes, 10, 100, (size) => size)).toEqual([[40, 40], [40], [90, 10], [10, 10]]);
		expect(packBySize(sizes, 2, 1000, (size) => size)).toEqual([[40, 40], [40, 90], [10, 10], [10]]);
	});

	it('sends a unit larger than the limit alone rather than never', () => {
		expect(packBySize([5, 500, 5], 10, 100, (size) => size)).toEqual([[5], [500], [5]]);
	});
});
