import type { INodeProperties } from 'n8n-workflow';

import * as track from './track';

export { track };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['event'] } },
		options: [
			{
				name: 'Track',
				value: 'track',
				action: 'Track an event',
				description: 'Record an event (an action) of a user, one per item, through Bulk Import',
			},
		],
		default: 'track',
	},
	...track.description,
];
