import {
	checkIdentifierType,
	checkWholeNumber,
	normaliseIdentifier,
	parseFields,
	parseForwardedFor,
} from '../../nodes/MoEngage/shared/identifiers';

describe('normaliseIdentifier', () => {
	it('sends numbers from spreadsheets as strings', () => {
		expect(normaliseIdentifier(100014)).toEqual({ ok: true, value: '100014' });
		expect(normaliseIdentifier(12.5)).toEqual({ ok: true, value: '12.5' });
		expect(normaliseIdentifier(BigInt('900719925474099312'))).toEqual({
			ok: true,
			value: '900719925474099312',
		});
	});

	it('trims surrounding whitespace and keeps inner characters', () => {
		expect(normaliseIdentifier('  john doe\t')).toEqual({ ok: true, value: 'john doe' });
	});

	it.each([
		['', 'is empty'],
		['   ', 'is only whitespace'],
		[null, 'is null'],
		[undefined, 'is nothing (undefined)'],
		[true, 'is a boolean (true)'],
		[{ id: 1 }, 'is an object ({"id":1})'],
		[['a'], 'is an array (["a"])'],
		[Number.NaN, 'is not a usable number (NaN)'],
		[Number.POSITIVE_INFINITY, 'is not a usable number (Infinity)'],
	])('rejects %p and says what it found', (value, problem) => {
		const checked = normaliseIdentifier(value);
		expect(checked.ok).toBe(false);
		expect(!checked.ok && checked.problem).toContain(problem);
	});
});

describe('checkIdentifierType', () => {
	it('accepts customer_id, and a MoEngage ID spelled moengage_id (as the editor offers it) or id (as Get saved it)', () => {
		expect(checkIdentifierType('customer_id')).toEqual({ ok: true, value: 'customer_id' });
		expect(checkIdentifierType('moengage_id')).toEqual({ ok: true, value: 'id' });
		expect(checkIdentifierType('id')).toEqual({ ok: true, value: 'id' });
		const checked = checkIdentifierType('email');
		expect(!checked.ok && checked.problem).toContain(
			'"email"; use "customer_id" (Customer ID) or "moengage_id" (MoEngage ID)',
		);
	});
});

describe('parseFields', () => {
	it('treats empty as every attribute', () => {
		expect(parseFields('')).toEqual({ ok: true, value: undefined });
		expect(parseFields(' , ')).toEqual({ ok: true, value: undefined });
		expect(parseFields([])).toEqual({ ok: true, value: undefined });
	});

	it('splits on commas, trims, and drops repeats', () => {
		expect(parseFields(' name, email ,,name ')).toEqual({ ok: true, value: ['name', 'email'] });
	});

	it('takes an array from an expression', () => {
		expect(parseFields(['name', ' city '])).toEqual({ ok: true, value: ['name', 'city'] });
	});

	it('rejects what is not a list of names', () => {
		const number = parseFields(42);
		expect(!number.ok && number.problem).toContain('is a number (42)');
		const mixed = parseFields(['name', 3]);
		expect(!mixed.ok && mixed.problem).toContain('contains a number (3)');
	});
});

describe('parseForwardedFor', () => {
	it('accepts one or more IPv4 and IPv6 addresses', () => {
		expect(parseForwardedFor('203.0.113.7')).toEqual({ ok: true, value: '203.0.113.7' });
		expect(parseForwardedFor(' 203.0.113.7 ,2001:db8::1, ::ffff:192.0.2.1')).toEqual({
			ok: true,
			value: '203.0.113.7, 2001:db8::1, ::ffff:192.0.2.1',
		});
		expect(parseForwardedFor('2001:0db8:0000:0000:0000:ff00:0042:8329').ok).toBe(true);
		expect(parseForwardedFor('')).toEqual({ ok: true, value: undefined });
	});

	it.each([
		'256.1.1.1',
		'10.0.0',
		'example.com',
		'203.0.113.7,',
		'1:2:3:4:5:6:7:8:9',
		'2001:db8:::1',
		'01.2.3.4',
	])('rejects %p', (value) => {
		const checked = parseForwardedFor(value);
		expect(checked.ok).toBe(false);
		expect(!checked.ok && checked.problem).toContain('not an IP address');
	});
});

describe('checkWholeNumber', () => {
	it('accepts whole numbers within bounds, also as text', () => {
		expect(checkWholeNumber(20, 1, 20)).toEqual({ ok: true, value: 20 });
		expect(checkWholeNumber('5', 1, 20)).toEqual({ ok: true, value: 5 });
	});

	it.each([0, 21, 2.5, 'abc', -3, null])('rejects %p and gives the range', (value) => {
		const checked = checkWholeNumber(value, 1, 20);
		expect(!checked.ok && checked.problem).toContain('use a whole number from 1 to 20');
	});
});
