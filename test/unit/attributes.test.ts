import {
	attributesFromItem,
	attributesFromPairs,
	canJoin,
	checkEventAttributes,
	checkEventName,
	checkTimezoneOffset,
	checkUserAttributes,
	joinInto,
	parseAttributesJson,
	parseEventTime,
	typedValue,
	withoutEmptyValues,
} from '../../nodes/MoEngage/shared/attributes';
import { checkCustomerId } from '../../nodes/MoEngage/shared/identifiers';

const NOW = Date.UTC(2026, 10, 29, 12);

describe('checkCustomerId', () => {
	it.each(['null', 'NULL', 'guest', 'unknown', '-1', 'true', 'n/a', 'customer_id', 'None'])(
		'refuses the placeholder %s',
		(id) => {
			expect(checkCustomerId(id)).toEqual({
				ok: false,
				problem: `is "${id}", a placeholder value MoEngage refuses as a customer ID`,
			});
		},
	);

	it('refuses one character, and takes numbers as text, trimmed', () => {
		expect(checkCustomerId('x').ok).toBe(false);
		expect(checkCustomerId('0')).toEqual({
			ok: false,
			problem: 'is "0"; MoEngage needs a customer ID longer than one character',
		});
		expect(checkCustomerId(' 12345 ')).toEqual({ ok: true, value: '12345' });
		expect(checkCustomerId(98765)).toEqual({ ok: true, value: '98765' });
		expect(checkCustomerId('').ok).toBe(false);
	});
});

describe('checkUserAttributes', () => {
	it.each(['id', '_id', '', ' '])('refuses the blocked name "%s"', (name) => {
		expect(checkUserAttributes({ [name]: 1 }).ok).toBe(false);
	});

	it.each(['status', 'user_id', 'source', 'USER_ATTRIBUTE_UNIQUE_ID', 'MOE_GAID'])(
		'refuses the reserved name %s',
		(name) => {
			expect(checkUserAttributes({ [name]: 1 })).toMatchObject({
				ok: false,
				problem: expect.stringContaining(`"${name}" is reserved`),
			});
		},
	);

	it('refuses moe_ names but the standard ones Track User may write', () => {
		expect(checkUserAttributes({ moe_score: 1 }).ok).toBe(false);
		expect(checkUserAttributes({ MOE_score: 1 }).ok).toBe(false);
		expect(
			checkUserAttributes({ moe_unsubscribe: true, moe_sms_subscription: false, moe_mobile: '+49' })
				.ok,
		).toBe(true);
		expect(
			checkUserAttributes({ plan: 'gold', first_name: 'Asha', u_em: 'a@example.com' }).ok,
		).toBe(true);
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
		['a space for the T, as SQL and Google Sheets write it', '2025-05-31 16:33:35'],
		['the offset +05', '2025-05-31T21:33:35+05'],
		['the offset +0530', '2025-05-31T22:03:35+0530'],
		['the offset +05:30', '2025-05-31T22:03:35+05:30'],
		['the offset -03:00', '2025-05-31T13:33:35-03:00'],
		["Luxon's ISO text ({{ $now }} in an expression)", '2025-05-31T22:03:35.000+05:30'],
		['epoch seconds', ms / 1000],
		['epoch seconds as text', String(ms / 1000)],
		['epoch milliseconds (13 digits, as the docs send them)', ms],
		['epoch milliseconds as text', String(ms)],
		['a Date', new Date(ms)],
		['a Luxon-like DateTime', { toMillis: () => ms }],
	])('reads %s as the same instant, sent as ISO 8601 UTC', (_name, value) => {
		expect(parseEventTime(value, NOW)).toEqual({ ok: true, value: iso });
	});

	it('reads a date alone as midnight UTC', () => {
		expect(parseEventTime('2025-05-31', NOW)).toEqual({ ok: true, value: '2025-05-31T00:00:00Z' });
	});

	it.each([
		['"20250531", a date without dashes', '20250531'],
		['0.5', 0.5],
		['0', 0],
		['an epoch of 1970', 86_400],
		['an epoch after 2100', 4_200_000_000],
		['11 digits, neither seconds nor milliseconds', 12_345_678_901],
	])('refuses %s as an epoch, naming the plausible forms', (_name, value) => {
		expect(parseEventTime(value, NOW)).toEqual({
			ok: false,
			problem: expect.stringContaining(
				`the event time is ${String(value)}, which is neither epoch seconds nor milliseconds of a date from 2001 to 2100`,
			),
		});
	});

	it('takes a time up to a minute ahead of the clock as now: no time is sent, so MoEngage stamps its arrival', () => {
		expect(parseEventTime(NOW, NOW)).toEqual({ ok: true, value: '2026-11-29T12:00:00Z' });
		expect(parseEventTime(NOW + 5_000, NOW)).toEqual({ ok: true, value: undefined });
		expect(parseEventTime(NOW + 60_000, NOW)).toEqual({ ok: true, value: undefined });
	});

	it('refuses a time more than a minute ahead, saying how far', () => {
		expect(parseEventTime(NOW + 61_000, NOW)).toEqual({
			ok: false,
			problem: expect.stringContaining(
				"the event time 2026-11-29T12:01:01Z is 61 s ahead of this n8n's clock; MoEngage drops future-dated events",
			),
		});
		expect(parseEventTime('2027-01-01T00:00:00Z', NOW).ok).toBe(false);
	});

	it('refuses words, impossible dates and other types', () => {
		expect(parseEventTime('last tuesday', NOW)).toEqual({
			ok: false,
			problem: expect.stringContaining(
				'the event time is "last tuesday", not a date MoEngage takes; give ISO 8601',
			),
		});
		expect(parseEventTime('5/31/2025 16:33:35', NOW).ok).toBe(false);
		expect(parseEventTime('2025-13-45T99:00:00Z', NOW).ok).toBe(false);
		expect(parseEventTime('2025-02-30T10:00:00Z', NOW).ok).toBe(false);
		expect(parseEventTime(true, NOW).ok).toBe(false);
		expect(parseEventTime(new Date(NaN), NOW).ok).toBe(false);
	});
});

describe('values a user types in "Fields Below"', () => {
	it.each([
		['42 as a number', '42', 'number', 42],
		[' 3.5 as a number', ' 3.5 ', 'number', 3.5],
		['true as a boolean', 'true', 'boolean', true],
		['No as a boolean', 'No', 'boolean', false],
		['1 as a boolean', 1, 'boolean', true],
		['a date as ISO 8601 UTC', '2025-05-31 16:33:35', 'date', '2025-05-31T16:33:35Z'],
		['a comma-separated list as an array', 'shoes, bags ,', 'array', ['shoes', 'bags']],
		['a JSON array as an array', '[1, "two"]', 'array', [1, 'two']],
		['a number as text', 42, 'string', '42'],
		["an expression's number as it is (Automatic)", 99.5, 'auto', 99.5],
		['typed text as text (Automatic)', '42', 'auto', '42'],
	])('sends %s', (_name, value, type, sent) => {
		expect(typedValue('x', value, type as never)).toEqual({ ok: true, value: sent });
	});

	it('refuses a value that is not of its type, naming the attribute', () => {
		expect(typedValue('seats', 'many', 'number')).toEqual({
			ok: false,
			problem: 'the attribute "seats" is "many", not a number',
		});
		expect(typedValue('vip', 'maybe', 'boolean')).toEqual({
			ok: false,
			problem: 'the attribute "vip" is "maybe", not true or false',
		});
		expect(typedValue('since', 'soon', 'date').ok).toBe(false);
	});

	it('leaves an empty value empty, whatever the type, for Send Empty Values to decide', () => {
		expect(typedValue('seats', '', 'number')).toEqual({ ok: true, value: '' });
		expect(withoutEmptyValues({ a: '', b: null, c: undefined, d: 0, e: false, f: [] })).toEqual({
			d: 0,
			e: false,
			f: [],
		});
	});

	it('types each pair as asked', () => {
		expect(
			attributesFromPairs([
				{ name: 'seats', type: 'number', value: '42' },
				{ name: 'vip', type: 'boolean', value: 'true' },
				{ name: 'tags', type: 'array', value: 'a,b' },
			]),
		).toEqual({
			ok: true,
			value: { seats: 42, vip: true, tags: ['a', 'b'] },
		});
	});
});

describe('platforms and array operators (data.yaml UserAttributes, PlatformObject)', () => {
	it("spells platforms as MoEngage's enum, and refuses what it would drop", () => {
		expect(
			checkUserAttributes({
				platforms: [
					{ platform: 'android', active: true },
					{ platform: 'IOS', active: 'False' },
				],
			}),
		).toEqual({
			ok: true,
			value: {
				platforms: [
					{ platform: 'ANDROID', active: 'true' },
					{ platform: 'iOS', active: 'false' },
				],
			},
		});
		for (const platforms of [
			[{ platform: 'windows', active: 'true' }],
			[{ platform: 'web' }],
			'web',
			[{ platform: 'web', active: 'yes' }],
			[{ platform: 'web', active: 'true', version: '2' }],
		]) {
			expect(checkUserAttributes({ platforms })).toEqual({
				ok: false,
				problem: expect.stringContaining('the attribute "platforms"'),
			});
		}
	});

	it("refuses one item that adds to and removes from the same attribute, in MoEngage's words", () => {
		expect(
			checkUserAttributes({
				addValueToArrayField: { tags: ['a'] },
				removeValueFromArrayField: { tags: ['b'] },
			}),
		).toEqual({
			ok: false,
			problem: expect.stringContaining('"Cannot add and remove \'tags\' at the same time"'),
		});
	});

	it('refuses one item that sets an attribute and adds to it, an operator on platforms, and an operator that is not an object', () => {
		expect(checkUserAttributes({ tags: ['a'], addValueToArrayField: { tags: ['b'] } }).ok).toBe(
			false,
		);
		expect(checkUserAttributes({ addValueToArrayField: { platforms: ['web'] } }).ok).toBe(false);
		expect(checkUserAttributes({ addValueToArrayField: { moe_score: [1] } }).ok).toBe(false);
		expect(checkUserAttributes({ addValueToArrayField: 'tags' }).ok).toBe(false);
	});

	it("joins the additions of several items instead of keeping the last, and leaves the items' own values as they were", () => {
		const items = [
			{ addValueToArrayField: { categories: ['shoes'] } },
			{ addValueToArrayField: { categories: 'bags' } },
			{ addValueToArrayField: { wishlist: ['hat'] }, city: 'Pune' },
		];
		const joined = {};
		for (const item of items) joinInto(joined, item);
		expect(joined).toEqual({
			addValueToArrayField: { categories: ['shoes', 'bags'], wishlist: ['hat'] },
			city: 'Pune',
		});
		expect(items[0]).toEqual({ addValueToArrayField: { categories: ['shoes'] } });
	});

	it('tells which items MoEngage would refuse in one update', () => {
		expect(
			canJoin(
				{ addValueToArrayField: { tags: ['a'] } },
				{ removeValueFromArrayField: { tags: ['a'] } },
			),
		).toBe(false);
		expect(canJoin({ tags: ['a'] }, { addValueToArrayField: { tags: ['b'] } })).toBe(false);
		expect(canJoin({ addValueToArrayField: { tags: ['a'] } }, { tags: ['b'] })).toBe(false);
		expect(
			canJoin(
				{ addValueToArrayField: { tags: ['a'] } },
				{ removeValueFromArrayField: { wishlist: ['a'] }, city: 'Pune' },
			),
		).toBe(true);
	});
});

describe('attribute sources', () => {
	it('the item but the excluded fields', () => {
		expect(
			attributesFromItem({ customer_id: 'a', plan: 'x', note: 'n' }, ['customer_id', 'note']),
		).toEqual({ plan: 'x' });
	});

	it('pairs, a later pair of the same name winning; a pair without a name is a problem', () => {
		expect(
			attributesFromPairs([
				{ name: 'a', value: 1 },
				{ name: ' a ', value: 2 },
			]),
		).toEqual({ ok: true, value: { a: 2 } });
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
