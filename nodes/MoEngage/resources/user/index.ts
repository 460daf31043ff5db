import type { INodeProperties } from 'n8n-workflow';

import * as get from './get';

export { get };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['user'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				action: 'Get users',
				description:
					'Look up users by customer ID or MoEngage ID; found users go to the first output, the others to the second',
			},
		],
		default: 'get',
	},
	...get.description,
];
