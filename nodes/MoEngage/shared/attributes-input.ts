/** The Attributes parameters that Create or Update and Track Event share, and reading them per item. */
import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import {
	attributesFromItem,
	attributesFromPairs,
	parseAttributesJson,
	withoutEmptyValues,
	type Attributes,
} from './attributes';
import type { Checked } from './checked';
import type { ReadParameter } from '../pipeline/parameters';

export type AttributesFrom = 'item' | 'pairs' | 'json' | 'none';

/**
 * `mapped` names the parameters whose fields "The Item's Fields" leaves out, e.g. "Customer ID":
 * the customer ID is the element's key, not one of its attributes.
 */
export function attributesInput(
	defaultFrom: AttributesFrom,
	what: string,
	mapped: string,
): INodeProperties[] {
	const when = (from: AttributesFrom) => ({ show: { attributesFrom: [from] } });
	const from: INodeProperties = {
		displayName: 'Attributes From',
		name: 'attributesFrom',
		type: 'options',
		options: [
			{
				name: 'Fields Below',
				value: 'pairs',
				description: 'Name and value pairs, each value usually an expression',
			},
			{
				name: "The Item's Fields",
				value: 'item',
				description: 'Every field of the input item, but those you exclude',
			},
			{ name: 'JSON', value: 'json', description: 'A JSON object of attribute names and values' },
			{ name: 'None', value: 'none', description: `No ${what}` },
		],
		default: 'pairs',
		description: `Where the ${what} come from`,
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
						{
							displayName: 'Name',
							name: 'name',
							type: 'string',
							default: '',
							placeholder: 'e.g. plan',
						},
						{
							displayName: 'Type',
							name: 'type',
							type: 'options',
							options: [
								{
									name: 'Array',
									value: 'array',
									description: 'A list: a JSON array, or values separated by commas',
								},
								{
									name: 'Automatic',
									value: 'auto',
									description: 'As the expression gives it; text typed in the field stays text',
								},
								{
									name: 'Boolean',
									value: 'boolean',
									description: 'True or false (also yes/no, 1/0)',
								},
								{
									name: 'Date',
									value: 'date',
									description: 'A date or time, sent as ISO 8601 UTC',
								},
								{ name: 'Number', value: 'number' },
								{ name: 'Text', value: 'string' },
							],
							default: 'auto',
							description:
								'How the value is sent: MoEngage types an attribute by the first value it receives',
						},
						{
							displayName: 'Value',
							name: 'value',
							type: 'string',
							default: '',
							placeholder: 'e.g. {{ $json.plan }}',
						},
					],
				},
			],
		},
		{
			displayName: 'Exclude Fields',
			name: 'excludeFields',
			type: 'string',
			default: '',
			placeholder: 'e.g. internal_note, row_number',
			description: `Fields of the item not to send, separated by commas. The fields that ${mapped} read are left out unless Send Mapped Fields is on.`,
			displayOptions: when('item'),
		},
		{
			displayName: 'Send Mapped Fields',
			name: 'sendMappedFields',
			type: 'boolean',
			default: false,
			description: `Whether to send the fields that ${mapped} read as attributes too`,
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
		{
			displayName: 'Send Empty Values',
			name: 'sendEmptyValues',
			type: 'boolean',
			default: false,
			description:
				'Whether to send attributes whose value is empty ("" or null, e.g. a blank spreadsheet cell). Off: they are left out, so a blank cell never overwrites what MoEngage has.',
			displayOptions: { show: { attributesFrom: ['item', 'pairs', 'json'] } },
		},
	];
}

/**
 * The attributes of one item, as its Attributes parameters give them: without empty values unless
 * Send Empty Values is on, and, from the item's fields, without `mappedFields` unless asked.
 */
export function readAttributes(
	read: ReadParameter,
	itemIndex: number,
	item: INodeExecutionData,
	mappedFields: readonly string[],
): Checked<Attributes> {
	const from = read('attributesFrom', itemIndex) as AttributesFrom;
	if (from === 'none') return { ok: true, value: {} };
	let given: Checked<Attributes>;
	if (from === 'item') {
		const excluded = String(read('excludeFields', itemIndex, ''))
			.split(',')
			.map((name) => name.trim())
			.filter(Boolean);
		if (read('sendMappedFields', itemIndex, false) !== true) excluded.push(...mappedFields);
		given = { ok: true, value: attributesFromItem(item.json, excluded) };
	} else if (from === 'json') {
		given = parseAttributesJson(read('attributesJson', itemIndex, '{}'));
	} else {
		const pairs = read('attributePairs', itemIndex, {}) as IDataObject;
		given = attributesFromPairs(
			(pairs.attribute ?? []) as Array<{ name?: unknown; type?: unknown; value?: unknown }>,
		);
	}
	if (!given.ok || read('sendEmptyValues', itemIndex, false) === true) return given;
	return { ok: true, value: withoutEmptyValues(given.value) };
}
