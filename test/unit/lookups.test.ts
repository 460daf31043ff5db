import {
	fieldsToExport,
	matchAnswer,
	pickFields,
	readAnswer,
	type Lookup,
} from '../../nodes/MoEngage/resources/user/get/answers';
import { planLookups } from '../../nodes/MoEngage/resources/user/get';

const cust = (identifier: string, ...itemIndexes: number[]): Lookup => ({
	type: 'customer_id',
	identifier,
	itemIndexes,
});

describe('planLookups', () => {
	it('asks each distinct (type, identifier) once and remembers every item that carries it', () => {
		const { units: lookups } = planLookups([
			{ ok: true, part: { type: 'customer_id', identifier: 'a' } },
			{ ok: true, part: { type: 'customer_id', identifier: 'b' } },
			{ ok: true, part: { type: 'customer_id', identifier: 'a' } },
			{ ok: true, part: { type: 'id', identifier: 'a' } },
		]);
		expect(lookups).toEqual([
			cust('a', 0, 2),
			cust('b', 1),
			{ type: 'id', identifier: 'a', itemIndexes: [3] },
		]);
	});
});

describe('fieldsToExport', () => {
	it('adds the attribute each identifier type is matched on, under every name MoEngage documents for it', () => {
		const batch: Lookup[] = [cust('a', 0), { type: 'id', identifier: 'x', itemIndexes: [1] }];
		expect(fieldsToExport(['name'], batch)).toEqual([
			'name',
			'customer_id',
			'uid',
			'id',
			'moengage_id',
			'_id',
		]);
		expect(fieldsToExport(['customer_id', 'name'], [cust('a', 0)])).toEqual([
			'customer_id',
			'name',
			'uid',
		]);
	});

	it('leaves "every attribute" alone', () => {
		expect(fieldsToExport(undefined, [cust('a', 0)])).toBeUndefined();
	});
});

describe('pickFields', () => {
	it('returns exactly the asked fields the user has, in the asked order', () => {
		expect(
			pickFields({ customer_id: 'a', name: 'A', email: 'e' }, ['email', 'name', 'missing']),
		).toEqual({
			email: 'e',
			name: 'A',
		});
	});
});

describe('readAnswer', () => {
	it('reads the documented success body', () => {
		const answer = readAnswer({
			status: 'success',
			type: 'export_users',
			data: {
				users_not_found: [{ identifier_type: 'customer_id', identifier: 'john_doe' }],
				users: [{ user_attributes: { customer_id: 'jane' } }],
			},
		});
		expect(answer).toEqual({
			ok: true,
			value: {
				users: [{ user_attributes: { customer_id: 'jane' } }],
				usersNotFound: [{ identifier_type: 'customer_id', identifier: 'john_doe' }],
			},
		});
	});

	it.each([
		['an HTML page', '<html>Bad gateway</html>', 'the body is not JSON'],
		['an empty body', '', 'the body is not JSON'],
		['a failure status', { status: 'fail', data: {} }, 'status is "fail"'],
		['users that are not objects', { status: 'success', data: { users: ['x'] } }, 'data.users'],
		[
			'a not-found list without identifiers',
			{ status: 'success', data: { users_not_found: [{}] } },
			'users_not_found',
		],
	])('refuses %s instead of reading it as "nobody found"', (_, body, problem) => {
		const answer = readAnswer(body);
		expect(!answer.ok && answer.problem).toContain(problem);
	});
});

describe('matchAnswer', () => {
	it('matches on uid when the customer ID comes back under that name, and on moengage_id or _id for MoEngage IDs', () => {
		const batch = [
			cust('a', 0),
			{ type: 'id' as const, identifier: 'f00', itemIndexes: [1] },
			{ type: 'id' as const, identifier: 'b4r', itemIndexes: [2] },
		];
		const outcomes = matchAnswer(batch, {
			users: [
				{ user_attributes: { _id: 'b4r', name: 'C' } },
				{ user_attributes: { uid: 'a', name: 'A' } },
				{ user_attributes: { moengage_id: 'f00', name: 'B' } },
			],
			usersNotFound: [],
		});
		expect(outcomes.map((outcome) => outcome.kind === 'found' && outcome.attributes.name)).toEqual([
			'A',
			'B',
			'C',
		]);
	});

	it('maps a not-found echo in either spelling of the MoEngage ID back to its lookup', () => {
		const batch = [
			{ type: 'id' as const, identifier: 'f00', itemIndexes: [0] },
			{ type: 'id' as const, identifier: 'b4r', itemIndexes: [1] },
		];
		const outcomes = matchAnswer(batch, {
			users: [],
			usersNotFound: [
				{ identifier_type: 'moengage_id', identifier: 'f00' },
				{ identifier_type: 'id', identifier: 'b4r' },
			],
		});
		expect(outcomes).toEqual([{ kind: 'notFound' }, { kind: 'notFound' }]);
	});

	it('never matches by position: a user whose key differs from every identifier asked is not taken', () => {
		const outcomes = matchAnswer([cust('a', 0)], {
			users: [{ user_attributes: { uid: 'b' } }],
			usersNotFound: [],
		});
		expect(outcomes).toEqual([{ kind: 'missing' }]);
	});

	it('matches found users by their key attribute whatever their order, and not-found ones by the echo', () => {
		const batch = [
			cust('a', 0),
			cust('100014', 1),
			{ type: 'id' as const, identifier: 'f00', itemIndexes: [2] },
			cust('zz', 3),
		];
		const outcomes = matchAnswer(batch, {
			users: [
				{ user_attributes: { id: 'f00', customer_id: 'other' } },
				{ user_attributes: { customer_id: 100014, name: 'Numeric' } },
				{ user_attributes: { customer_id: 'a', name: 'A' } },
			],
			usersNotFound: [{ identifier_type: 'customer_id', identifier: 'zz' }],
		});
		expect(outcomes).toEqual([
			{ kind: 'found', attributes: { customer_id: 'a', name: 'A' } },
			{ kind: 'found', attributes: { customer_id: 100014, name: 'Numeric' } },
			{ kind: 'found', attributes: { id: 'f00', customer_id: 'other' } },
			{ kind: 'notFound' },
		]);
	});

	it('marks an identifier named in neither list as missing, never as not found', () => {
		const outcomes = matchAnswer([cust('a', 0), cust('b', 1)], {
			users: [{ user_attributes: { customer_id: 'a' } }],
			usersNotFound: [],
		});
		expect(outcomes[1]).toEqual({ kind: 'missing' });
	});

	it('does not confuse a customer ID with a MoEngage ID of the same text', () => {
		const outcomes = matchAnswer([{ type: 'id', identifier: 'same', itemIndexes: [0] }], {
			users: [{ user_attributes: { customer_id: 'same' } }],
			usersNotFound: [],
		});
		expect(outcomes).toEqual([{ kind: 'missing' }]);
	});
});
