import type { INodeProperties } from 'n8n-workflow';

import * as del from './delete';
import * as get from './get';
import * as merge from './merge';
import * as upsert from './upsert';

export { del as delete, get, merge, upsert };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['user'] } },
		options: [
			{
				name: 'Create or Update',
				value: 'upsert',
				action: 'Create or update users',
				description: 'Create a new record, or update the current one if it already exists (upsert)',
			},
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete users',
				description: 'Delete users for good (after 24 hours); deleted users go to the first output, unknown ones to the second',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get users',
				description:
					'Look up users by customer ID or MoEngage ID; found users go to the first output, the others to the second',
			},
			{
				name: 'Merge',
				value: 'merge',
				action: 'Merge users',
				description: 'Merge a duplicate user into the user that remains, one pair per item',
			},
		],
		default: 'get',
	},
	...upsert.description,
	...del.description,
	...get.description,
	...merge.description,
];
