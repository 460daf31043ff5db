import { routeItems, type ItemResult } from '../../nodes/MoEngage/resources/user/get/outputs';

const items = [
	{ json: { row: 1, customer_id: 'a' } },
	{ json: { row: 2, customer_id: 'b' } },
	{ json: { row: 3, customer_id: '' } },
	{ json: { row: 4, customer_id: 'a' } },
];
const results: ItemResult[] = [
	{ kind: 'found', attributes: { customer_id: 'a', name: 'A', email: 'a@x' } },
	{ kind: 'notFound', type: 'customer_id', identifier: 'b' },
	{ kind: 'failed', failure: { message: 'Item 2: the identifier is empty', description: 'Set it' } },
	{ kind: 'found', attributes: { customer_id: 'a', name: 'A', email: 'a@x' } },
];

describe('routeItems', () => {
	it('gives every input item exactly one output item, in input order, linked to it', () => {
		const [found, notFound] = routeItems(items, results, { outputFormat: 'attributes', userField: 'u', fields: undefined });
		expect(found).toEqual([
			{ json: { customer_id: 'a', name: 'A', email: 'a@x' }, pairedItem: { item: 0 } },
			{ json: { customer_id: 'a', name: 'A', email: 'a@x' }, pairedItem: { item: 3 } },
		]);
		expect(notFound).toEqual([
			{ json: { identifier_type: 'customer_id', identifier: 'b' }, pairedItem: { item: 1 } },
			{ json: { error: { message: 'Item 2: the identifier is empty', description: 'Set it' } }, pairedItem: { item: 2 } },
		]);
		expect(found[0].json).not.toBe(found[1].json);
	});

	it('enriches the input item under the user field and passes not-found items through unchanged', () => {
		const [found, notFound] = routeItems(items, results, { outputFormat: 'enrich', userField: 'profile', fields: ['name'] });
		expect(found[0]).toEqual({ json: { row: 1, customer_id: 'a', profile: { name: 'A' } }, pairedItem: { item: 0 } });
		expect(notFound[0]).toEqual({ json: { row: 2, customer_id: 'b' }, pairedItem: { item: 1 } });
		expect(notFound[0].json).not.toBe(items[1].json);
	});
});
