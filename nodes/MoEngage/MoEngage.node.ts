import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import * as event from './resources/event';
import * as user from './resources/user';
import { router } from './router';

/**
 * The outputs follow the operation: Get keeps Found and Not Found, Delete has Deleted and Not
 * Found, the others one output of the items MoEngage accepted. n8n evaluates this in the editor and
 * the engine, so it must be self-contained.
 */
function outputsOf(parameters: { operation?: string }) {
	const names = ({ get: ['Found', 'Not Found'], delete: ['Deleted', 'Not Found'] } as Record<string, string[]>)[
		parameters.operation || 'get'
	] || ['Accepted'];
	return names.map(function (displayName) {
		return { type: 'main', displayName };
	});
}

export class MoEngage implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MoEngage',
		name: 'moEngage',
		icon: { light: 'file:moengage.svg', dark: 'file:moengage.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ { get: "Get users", upsert: "Create or update users", delete: "Delete users", merge: "Merge users", track: "Track events" }[$parameter["operation"]] ?? $parameter["operation"] }}',
		description: 'Look up, create, update, delete and merge MoEngage users, and track their events',
		defaults: { name: 'MoEngage' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: `={{(${outputsOf})($parameter)}}`,
		credentials: [{ name: 'moEngageApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Event', value: 'event' },
					{ name: 'User', value: 'user' },
				],
				default: 'user',
			},
			...user.description,
			...event.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
