/**
 * The node's description as the editor and the engine read it, built from the resources: the
 * outputs each operation shows on the canvas, its subtitle, and parameters shown for their own
 * operation only.
 */
import {
	NodeHelpers,
	Workflow,
	type INode,
	type INodeParameters,
	type INodeTypes,
} from 'n8n-workflow';

import { MoEngage } from '../../nodes/MoEngage/MoEngage.node';
import { DEFAULT_RESOURCE, resources } from '../../nodes/MoEngage/resources';

const { description } = new MoEngage();

const nodeType = new MoEngage();
const nodeTypes = {
	getByName: () => nodeType,
	getByNameAndVersion: () => nodeType,
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;

function evaluated(parameters: INodeParameters) {
	const node: INode = {
		id: 'm',
		name: 'MoEngage',
		type: 'n8n-nodes-moengage.moEngage',
		typeVersion: 1,
		position: [0, 0],
		parameters,
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const outputs = NodeHelpers.getNodeOutputs(workflow, node, nodeType.description).map((output) =>
		typeof output === 'string' ? output : output.displayName,
	);
	const subtitle = workflow.expression.getSimpleParameterValue(
		node,
		nodeType.description.subtitle!,
		'internal',
		{},
	);
	return { outputs, subtitle };
}

describe('the outputs and subtitle of each operation', () => {
	it.each([
		[{ resource: 'user', operation: 'get' }, ['Found', 'Not Found'], 'get: user'],
		[{ resource: 'user', operation: 'upsert' }, ['Accepted'], 'upsert: user'],
		[{ resource: 'user', operation: 'delete' }, ['Deleted', 'Not Found'], 'delete: user'],
		[{ resource: 'user', operation: 'merge' }, ['Accepted'], 'merge: user'],
		[{ resource: 'event', operation: 'track' }, ['Accepted'], 'track: event'],
		[{ resource: 'segment', operation: 'add' }, ['Accepted'], 'add: segment'],
		[{ resource: 'segment', operation: 'remove' }, ['Accepted'], 'remove: segment'],
		[{ resource: 'segment', operation: 'addOrRemove' }, ['Accepted'], 'addOrRemove: segment'],
		[{ resource: 'message', operation: 'send' }, ['Sent'], 'send: message'],
		[{ resource: 'report', operation: 'getCampaignStats' }, ['Stats'], 'getCampaignStats: report'],
	])('%j: outputs %j, subtitle "%s"', (parameters, outputs, subtitle) => {
		expect(evaluated(parameters)).toEqual({ outputs, subtitle });
	});

	it('gives a Get Users node saved before resources existed (no resource, no operation) Found and Not Found', () => {
		expect(evaluated({ identifier: '={{ $json.customer_id }}' }).outputs).toEqual([
			'Found',
			'Not Found',
		]);
	});

	it("gives a resource without an operation its default operation's outputs", () => {
		expect(evaluated({ resource: 'event' }).outputs).toEqual(['Accepted']);
		expect(evaluated({ resource: 'user' }).outputs).toEqual(['Found', 'Not Found']);
	});
});

describe('the parameters built from the resources', () => {
	const { properties } = nodeType.description;

	it('names each operation once within its resource', () => {
		for (const resource of resources) {
			const values = resource.operations.map((operation) => operation.value);
			expect(new Set(values).size).toBe(values.length);
		}
	});

	it("shows each operation's parameters for that resource and operation only", () => {
		for (const resource of resources) {
			for (const operation of resource.operations) {
				const shown = properties.filter(
					(property) =>
						property.displayOptions?.show?.resource?.includes(resource.value) &&
						property.displayOptions.show.operation?.includes(operation.value),
				);
				expect(shown.map((property) => property.name)).toEqual(
					operation.properties.map((property) => property.name),
				);
			}
		}
	});

	it('lists the Operation options of each resource by name, with the documented default', () => {
		const operationLists = properties.filter((property) => property.name === 'operation');
		expect(
			operationLists.map((property) => [
				property.displayOptions?.show?.resource,
				property.default,
				(property.options as Array<{ name: string }>).map((option) => option.name),
			]),
		).toEqual([
			[['user'], 'get', ['Create or Update', 'Delete', 'Get', 'Merge']],
			[['event'], 'track', ['Track']],
			[['segment'], 'add', ['Add or Remove Users', 'Add Users', 'Remove Users']],
			[['message'], 'send', ['Send']],
			[['report'], 'getCampaignStats', ['Get Campaign Stats']],
		]);
	});
});

describe('the credentials, one per MoEngage key', () => {
	const shownFor = (resource: string) =>
		(description.credentials ?? [])
			.filter(({ displayOptions }) => {
				const { show, hide } = displayOptions ?? {};
				return (
					(show?.resource === undefined || show.resource.includes(resource)) &&
					!(hide?.resource ?? []).includes(resource)
				);
			})
			.map(({ name }) => name);

	it.each([
		['user', 'moEngageApi'],
		['event', 'moEngageApi'],
		['segment', 'moEngageApi'],
		['message', 'moEngageInformApi'],
		['report', 'moEngageCampaignReportApi'],
	])('asks a %s operation for the %s credential only', (resource, credential) => {
		expect(shownFor(resource)).toEqual([credential]);
	});

	it('keeps the Data credential of a saved node without a Resource (Get Users from before resources)', () => {
		expect(shownFor(DEFAULT_RESOURCE)).toEqual(['moEngageApi']);
	});

	it('shows no credential by the Resource alone for all its values, which n8n would fold into the credential dialog', () => {
		const shownByResource = (description.credentials ?? []).flatMap(
			({ displayOptions }) => (displayOptions?.show?.resource as string[] | undefined) ?? [],
		);
		expect(resources.every((resource) => shownByResource.includes(resource.value))).toBe(false);
	});
});
