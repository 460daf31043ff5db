/** The Attributes parameters that Create or Update and Track Event share, and reading them per item. */
import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import {
	attributesFromItem,
	attributesFromPairs,
	parseAttributesJson,
	type Attributes,
} from './attributes';
import type { Checked } from './identifiers';
import type { ReadParameter } from './run';

export type AttributesFrom = 'item' | 'pairs' | 'json' | 'none';

export function attributesInput(
	show: NonNullable<INodeProperties['displayOptions']>['show'],
	defaultFrom: AttributesFrom,
	what: string,
): INodeProperties[] {
	const when = (from: AttributesFrom) => ({ show: { ...show, attributesFrom: [from] } });
	const from: INodeProperties = {
		displayName: 'Attributes From',
		name: 'attributesFrom',
		type: 'options',
		options: [
			{ name: 'Fields Below', value: 'pairs', description: 'Name and value pairs, each value usually an expression' },
			{ name: "The Item's Fields", value: 'item', description: 'Every field of the input item, but those you exclude' },
			{ name: 'JSON', value: 'json', description: 'A JSON object of attribute names and values' },
			{ name: 'None', value: 'none', description: `No ${what}` },
		],
		default: 'pairs',
		description: `Where the ${what} come from`,
		displayOptions: { show },
	};
	// Each operation starts where its items usually carry the values: rows for profiles, pairs for events.
	from.default = defaultFrom;
	return [
		from,
		{
			displayName: 'Attributes',
			name: 'attributePairs',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Attribute',
			default: {},
			displayOptions: when('pairs'),
			options: [
				{
					name: 'attribute',
					displayName: 'Attribute',
					values: [
						{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. plan' },
						{ displayName: 'Value', name: 'value', type: 'string', default: '', placeholder: 'e.g. {{ $json.plan }}' },
					],
				},
			],
		},
		{
			displayName: 'Exclude Fields',
			name: 'excludeFields',
			type: 'string',
			default: '',
			placeholder: 'e.g. customer_id, internal_note',
			description: 'Fields of the item not to send, separated by commas',
			displayOptions: when('item'),
		},
		{
			displayName: 'Attributes (JSON)',
			name: 'attributesJson',
			type: 'json',
			default: '{}',
			placeholder: '{"plan": "gold", "city": "Berlin"}',
			displayOptions: when('json'),
		},
	];
}

/** The attributes of one item, as its Attributes parameters give them. */
export function readAttributes(read: ReadParameter, itemIndex: number, item: INodeExecutionData): Checked<Attributes> {
	const from = read('attributesFrom', itemIndex) as AttributesFrom;
	if (from === 'none') return { ok: true, value: {} };
	if (from === 'item') return { ok: true, value: attributesFromItem(item.json, String(read('excludeFields', itemIndex, ''))) };
	if (from === 'json') return parseAttributesJson(read('attributesJson', itemIndex, '{}'));
	const pairs = read('attributePairs', itemIndex, {}) as IDataObject;
	return attributesFromPairs((pairs.attribute ?? []) as Array<{ name?: unknown; value?: unknown }>);
}
