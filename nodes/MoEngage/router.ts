import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import * as event from './resources/event';
import * as user from './resources/user';

type Execute = (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>;

const operations: Record<string, Record<string, Execute>> = {
	user: { get: user.get.execute, upsert: user.upsert.execute, delete: user.delete.execute, merge: user.merge.execute },
	event: { track: event.track.execute },
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const execute = operations[resource]?.[operation];
	if (!execute) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}
	return await execute.call(this);
}
