/**
 * The fast parameter reader: what a user types reads the same as n8n's getNodeParameter gives it,
 * while n8n's expression engine runs only where an expression needs it.
 */
import {
	NodeOperationError,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
} from 'n8n-workflow';

import {
	fieldsReadBy,
	parameterReader,
	parameterThatFailed,
} from '../../nodes/MoEngage/pipeline/parameters';

const items: INodeExecutionData[] = [
	{ json: { customer_id: 'u-0', 'customer id': 'spaced-0', n: 1 } },
	{ json: { customer_id: 'u-1', 'customer id': 'spaced-1', n: 2 } },
	{ json: { customer_id: 'u-2', 'customer id': 'spaced-2', n: 3 } },
];

/** A node whose getNodeParameter stands in for n8n's: it records each call and evaluates with `evaluate`. */
function nodeWith(
	parameters: INodeParameters,
	evaluate: (name: string, itemIndex: number) => unknown = (name) => parameters[name],
) {
	const calls: Array<[string, number]> = [];
	const node = {
		id: 'n',
		name: 'MoEngage',
		type: 'moEngage',
		typeVersion: 1,
		position: [0, 0],
		parameters,
	} as INode;
	const context = {
		getNode: () => node,
		getNodeParameter: ((name: string, itemIndex: number) => {
			calls.push([name, itemIndex]);
			return evaluate(name, itemIndex);
		}) as never,
	};
	return { context, calls };
}

describe('parameterReader', () => {
	it('reads a value without an expression once for all items', () => {
		const { context, calls } = nodeWith({ identifierType: 'customer_id' });
		const read = parameterReader(context, items);
		expect(items.map((_, i) => read('identifierType', i))).toEqual([
			'customer_id',
			'customer_id',
			'customer_id',
		]);
		expect(calls).toEqual([['identifierType', 0]]);
	});

	it('reads {{ $json.customer_id }} and {{ $json["customer id"] }} from each item without the expression engine', () => {
		const { context, calls } = nodeWith({
			a: '={{ $json.customer_id }}',
			b: '={{ $json["customer id"] }}',
			c: "={{$json['n']}}",
		});
		const read = parameterReader(context, items);
		expect(items.map((_, i) => [read('a', i), read('b', i), read('c', i)])).toEqual([
			['u-0', 'spaced-0', 1],
			['u-1', 'spaced-1', 2],
			['u-2', 'spaced-2', 3],
		]);
		expect(calls).toEqual([]);
	});

	it('evaluates any other expression per item, as n8n would', () => {
		const { context, calls } = nodeWith(
			{ a: '={{ $json.n * 10 }}' },
			(_, itemIndex) => (itemIndex + 1) * 10,
		);
		const read = parameterReader(context, items);
		expect(items.map((_, i) => read('a', i))).toEqual([10, 20, 30]);
		expect(calls).toEqual([
			['a', 0],
			['a', 1],
			['a', 2],
		]);
	});

	it('evaluates a collection per item when any value inside it is an expression', () => {
		const parameters = { additionalFields: { platform: 'web', appVersion: '={{ $json.n }}' } };
		const { context, calls } = nodeWith(parameters, (_, itemIndex) => ({
			platform: 'web',
			appVersion: String(itemIndex + 1),
		}));
		const read = parameterReader(context, items);
		expect(read('additionalFields', 2)).toEqual({ platform: 'web', appVersion: '3' });
		expect(calls).toEqual([['additionalFields', 2]]);
	});

	it("gives an expression that throws as n8n's error for that item, naming the parameter as the editor shows it", () => {
		const { context } = nodeWith({ identifier: '={{ $json.a.b }}' }, () => {
			throw new Error("Cannot read properties of undefined (reading 'b')");
		});
		const read = parameterReader(context, items, new Map([['identifier', 'Identifier']]));
		let thrown: unknown;
		try {
			read('identifier', 1);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(NodeOperationError);
		expect((thrown as Error).message).toContain(
			"Cannot read properties of undefined (reading 'b')",
		);
		expect((thrown as NodeOperationError).context.itemIndex).toBe(1);
		expect(parameterThatFailed(thrown)).toBe('Identifier');
		expect(parameterThatFailed(new Error('not from a reader'))).toBeUndefined();
	});
});

describe('fieldsReadBy', () => {
	it('names the item fields that the given parameters read, and no others', () => {
		const parameters = {
			customerId: '={{ $json.customer_id }}',
			eventName: '=Order {{ $json["order type"] }} of {{ $json.shop }}',
			eventTime: '2026-01-01',
			other: '={{ $json.ignored }}',
		};
		expect(fieldsReadBy(parameters, ['customerId', 'eventName', 'eventTime'])).toEqual([
			'customer_id',
			'order type',
			'shop',
		]);
	});
});
