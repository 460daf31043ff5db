import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeCredentialDescription,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { DEFAULT_RESOURCE, resources } from './resources';
import { router } from './router';
import { DATA_CREDENTIAL } from './shared/transport';

type OutputTable = Record<
	string,
	{ defaultOperation: string; outputs: Record<string, readonly string[]> }
>;

/** Each operation's outputs, by resource: Get has Found and Not Found, Delete Deleted and Not Found. */
const outputTable: OutputTable = Object.fromEntries(
	resources.map((resource) => [
		resource.value,
		{
			defaultOperation: resource.defaultOperation,
			outputs: Object.fromEntries(
				resource.operations.map((operation) => [operation.value, operation.outputs]),
			),
		},
	]),
);

/**
 * The outputs of the chosen operation. n8n evaluates this in the editor and the engine, so it must
 * be self-contained: the table comes in as its argument.
 */
function outputsOf(
	parameters: { resource?: string; operation?: string },
	table: OutputTable,
	fallback: string,
) {
	const resource = table[parameters.resource || fallback] || table[fallback];
	const names =
		resource.outputs[parameters.operation || resource.defaultOperation] ||
		resource.outputs[resource.defaultOperation];
	return names.map(function (displayName) {
		return { type: 'main', displayName };
	});
}

/**
 * One credential per MoEngage key, each shown for the resources that send with it. The Data API's
 * is hidden for the others rather than shown for its own: n8n's editor moves a parameter into the
 * credential dialog when the credentials' `show` conditions cover all its values (getMainAuthField),
 * and saved workflows keep the Data credential they have.
 */
function credentialsOf(list: typeof resources): INodeCredentialDescription[] {
	const byType = new Map<string, string[]>();
	for (const resource of list) {
		const type = resource.operations[0].credentialType ?? DATA_CREDENTIAL.type;
		byType.set(type, [...(byType.get(type) ?? []), resource.value]);
	}
	const others = list
		.map((resource) => resource.value)
		.filter((value) => !byType.get(DATA_CREDENTIAL.type)?.includes(value));
	return [...byType].map(([name, shown]) => ({
		name,
		required: true,
		displayOptions:
			name === DATA_CREDENTIAL.type
				? { hide: { resource: others } }
				: { show: { resource: shown } },
	}));
}

/** As an expression's literal: spaced, so that two closing braces never end the expression early. */
const literal = (value: unknown) => JSON.stringify(value, null, 1);

export class MoEngage implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MoEngage',
		name: 'moEngage',
		icon: { light: 'file:moengage.svg', dark: 'file:moengage.dark.svg' },
		group: ['transform'],
		version: 1,
		// n8n's convention ("get: user"), which needs no list of the operations.
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'Look up, create, update, delete and merge MoEngage users, track their events, fill segments, send transactional messages and read campaign stats',
		defaults: { name: 'MoEngage' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: `={{(${outputsOf})($parameter, ${literal(outputTable)}, ${literal(DEFAULT_RESOURCE)})}}`,
		credentials: credentialsOf(resources),
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: resources
					.map(({ name, value }) => ({ name, value }))
					.sort((a, b) => a.name.localeCompare(b.name)),
				// The rule checks a default against literal options only; these are built from the resources.
				// eslint-disable-next-line n8n-nodes-base/node-param-default-wrong-for-options
				default: DEFAULT_RESOURCE,
			},
			...resources.flatMap((resource) => resource.properties),
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
