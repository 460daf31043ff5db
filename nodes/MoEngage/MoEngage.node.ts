import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import * as user from './resources/user';
import { router } from './router';

export class MoEngage implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MoEngage',
		name: 'moEngage',
		icon: { light: 'file:moengage.svg', dark: 'file:moengage.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "get" ? "Get users" : $parameter["operation"] }}',
		description: 'Look up MoEngage user profiles by customer ID or MoEngage ID',
		defaults: { name: 'MoEngage' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Found', 'Not Found'],
		credentials: [{ name: 'moEngageApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'User', value: 'user' }],
				default: 'user',
			},
			...user.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
