/** What Get makes of an answered item: Found as the user's attributes or the enriched item, Not Found as the identifier or the item. */
import type { Lookup } from '../../nodes/MoEngage/resources/user/get/answers';
import {
	FOUND,
	NOT_FOUND,
	placeLookup,
	type OutputShape,
} from '../../nodes/MoEngage/resources/user/get/outputs';

const items = [
	{ json: { row: 1, customer_id: 'a' } },
	{
		json: { row: 2, customer_id: 'b' },
		binary: { file: { data: 'AA==', mimeType: 'text/plain' } },
	},
];
const a: Lookup = { type: 'customer_id', identifier: 'a', itemIndexes: [0, 3] };
const b: Lookup = { type: 'customer_id', identifier: 'b', itemIndexes: [1] };
const user = { customer_id: 'a', name: 'A', email: 'a@x' };

describe('placeLookup', () => {
	const attributes = { outputFormat: 'attributes', userField: 'u', fields: undefined } as const;

	it("puts a found user's attributes on Found and a user not found as its identifier on Not Found", () => {
		expect(placeLookup({ kind: 'found', attributes: user }, items[0], a, attributes)).toEqual({
			output: FOUND,
			json: user,
		});
		expect(placeLookup({ kind: 'notFound' }, items[1], b, attributes)).toEqual({
			output: NOT_FOUND,
			json: { identifier_type: 'customer_id', identifier: 'b' },
		});
	});

	it('gives each item of one user its own copy of the attributes', () => {
		const first = placeLookup({ kind: 'found', attributes: user }, items[0], a, attributes);
		const second = placeLookup({ kind: 'found', attributes: user }, items[0], a, attributes);
		expect(
			'json' in first && 'json' in second && first.json !== second.json && first.json !== user,
		).toBe(true);
	});

	it('enriches the input item under the user field with the fields asked for, and passes a not-found item through unchanged', () => {
		const enrich: OutputShape = { outputFormat: 'enrich', userField: 'profile', fields: ['name'] };
		expect(placeLookup({ kind: 'found', attributes: user }, items[0], a, enrich)).toEqual({
			output: FOUND,
			json: { row: 1, customer_id: 'a', profile: { name: 'A' } },
		});
		const notFound = placeLookup({ kind: 'notFound' }, items[1], b, enrich);
		expect(notFound).toEqual({
			output: NOT_FOUND,
			json: { row: 2, customer_id: 'b' },
			binary: items[1].binary,
		});
		expect('json' in notFound && notFound.json !== items[1].json).toBe(true);
	});

	it('fails an item whose user the answer named in neither list, rather than guess', () => {
		expect(placeLookup({ kind: 'missing' }, items[0], a, attributes)).toEqual({
			failure: {
				message:
					'MoEngage\'s answer named customer_id "a" neither among the users found nor among those not found',
				description: expect.stringContaining('does not guess'),
			},
		});
	});
});
