/** The importable examples use only parameters, options and values the MoEngage nodes define. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { INodeProperties, INodePropertyCollection, INodePropertyOptions } from 'n8n-workflow';

import { MoEngage } from '../nodes/MoEngage/MoEngage.node';
import { MoEngageTrigger } from '../nodes/MoEngageTrigger/MoEngageTrigger.node';

const EXAMPLES = path.join(__dirname, '..', 'examples');
// n8n adds these to the tool variant ("…Tool") of a node marked usableAsTool
const TOOL_PARAMETERS = ['toolDescription', 'descriptionType'];

/** Each node type of the package: its properties, and the credentials an example may give it. */
const NODE_TYPES: Record<string, { properties: INodeProperties[]; credentials: string[][] }> = {
	'n8n-nodes-moengage.moEngage': {
		properties: new MoEngage().description.properties,
		credentials: [['moEngageApi'], ['moEngageInformApi'], ['moEngageCampaignReportApi']],
	},
	'n8n-nodes-moengage.moEngageTool': {
		properties: new MoEngage().description.properties,
		credentials: [['moEngageApi'], ['moEngageInformApi'], ['moEngageCampaignReportApi']],
	},
	'n8n-nodes-moengage.moEngageTrigger': {
		properties: new MoEngageTrigger().description.properties,
		credentials: [
			[],
			['moEngageWebhookBasicAuthApi'],
			['moEngageWebhookHeaderAuthApi'],
			['moEngageCampaignReportApi'],
		],
	},
};

/**
 * The property a parameter of `parameters` is: several share a name (each operation has its own
 * "options", "customerId"…), so it is the one whose displayOptions show it for these parameters.
 */
const propertyOf = (
	properties: INodeProperties[],
	name: string,
	parameters: Record<string, unknown>,
) => {
	const defaults = new Map(properties.map((property) => [property.name, property.default]));
	return properties.find(
		(property) =>
			property.name === name &&
			Object.entries(property.displayOptions?.show ?? {}).every(([key, values]) => {
				// A multiOptions value (Channels) shows what any of its choices shows, as n8n's editor does.
				const value = key in parameters ? parameters[key] : defaults.get(key);
				return (Array.isArray(value) ? value : [value]).some((one) =>
					(values as unknown[]).includes(one),
				);
			}),
	);
};
const optionValues = (property: INodeProperties) =>
	(property.options as INodePropertyOptions[] | undefined)?.map((option) => option.value);

const examples = readdirSync(EXAMPLES)
	.filter((file) => file.endsWith('.json'))
	.map((file) => ({ file, workflow: JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8')) }));

describe('examples/', () => {
	it('holds the two demos and the ten user workflows', () => {
		expect(examples.map(({ file }) => file).sort()).toEqual([
			'ai-agent-tool.json',
			'daily-enrichment-summary.json',
			'demo-get-users.json',
			'demo-streams.json',
			'email-bounced-to-crm.json',
			'form-sign-ups-to-segment.json',
			'not-found-to-create.json',
			'order-shipped-sms-and-email.json',
			'sheet-rows-to-create-or-update.json',
			'sheet-rows-to-crm.json',
			'webhook-track-event.json',
			'weekly-campaign-stats-to-sheet.json',
		]);
	});

	it.each(examples.map(({ file, workflow }) => [file, workflow]))(
		'%s uses only what the node defines',
		(_, workflow) => {
			const moengageNodes = workflow.nodes.filter((node: { type: string }) =>
				node.type.startsWith('n8n-nodes-moengage.'),
			);
			expect(moengageNodes.length).toBeGreaterThan(0);
			for (const node of moengageNodes) {
				const nodeType = NODE_TYPES[node.type];
				expect([node.type, nodeType]).toEqual([node.type, expect.anything()]);
				expect(node.typeVersion).toBe(1);
				// n8n gives a trigger its URL from webhookId; an import without one has no URL to paste into MoEngage.
				if (node.type.endsWith('Trigger')) expect(node.webhookId).toMatch(/^[0-9a-f-]{36}$/);
				expect(nodeType.credentials).toContainEqual(Object.keys(node.credentials ?? {}));
				if (node.type !== 'n8n-nodes-moengage.moEngageTrigger') {
					// The credential the editor asks for with this Resource: another would not be used.
					const resource = (node.parameters.resource as string | undefined) ?? 'user';
					const asked = (new MoEngage().description.credentials ?? [])
						.filter(
							({ displayOptions: { show, hide } = {} }) =>
								(show?.resource ?? [resource]).includes(resource) &&
								!(hide?.resource ?? []).includes(resource),
						)
						.map(({ name }) => name);
					expect(Object.keys(node.credentials ?? {})).toEqual(asked);
				}
				for (const [name, value] of Object.entries(node.parameters as Record<string, unknown>)) {
					if (node.type.endsWith('Tool') && TOOL_PARAMETERS.includes(name)) continue;
					const property = propertyOf(nodeType.properties, name, node.parameters);
					expect([name, property]).toEqual([name, expect.anything()]);
					if (property!.type === 'options' && !String(value).startsWith('='))
						expect(optionValues(property!)).toContain(value);
					if (property!.type === 'multiOptions')
						expect(optionValues(property!)).toEqual(expect.arrayContaining(value as unknown[]));
					if (property!.type === 'collection') {
						const options = property!.options as Array<INodeProperties | INodePropertyCollection>;
						for (const [optionName, optionValue] of Object.entries(
							value as Record<string, unknown>,
						)) {
							const option = options.find((candidate) => candidate.name === optionName) as
								INodeProperties | undefined;
							expect(option).toBeDefined();
							if (option!.type === 'options') expect(optionValues(option!)).toContain(optionValue);
						}
					}
				}
			}
		},
	);
});
