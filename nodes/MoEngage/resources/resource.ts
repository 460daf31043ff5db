/**
 * A resource as the node shows it: its entry in the Resource list, its Operation list, and its
 * operations' parameters, each shown only for its own operation.
 */
import { updateDisplayOptions, type INodeProperties } from 'n8n-workflow';

import type { OperationModule } from '../pipeline/execute';

export interface Resource {
	value: string;
	name: string;
	/** The operation a new node (or a saved one without an operation) runs. */
	defaultOperation: string;
	operations: OperationModule[];
	properties: INodeProperties[];
}

export function defineResource(
	value: string,
	name: string,
	defaultOperation: string,
	operations: OperationModule[],
): Resource {
	const sorted = [...operations].sort((a, b) => a.name.localeCompare(b.name));
	const operationProperty: INodeProperties = {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [value] } },
		options: sorted.map(({ name, value, action, description }) => ({
			name,
			value,
			action,
			description,
		})),
		// The rule checks a default against literal options only; these are the resource's operations.
		// eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-options
		default: defaultOperation,
	};
	return {
		value,
		name,
		defaultOperation,
		operations: sorted,
		properties: [
			operationProperty,
			...sorted.flatMap((operation) =>
				updateDisplayOptions(
					{ show: { resource: [value], operation: [operation.value] } },
					operation.properties,
				),
			),
		],
	};
}
