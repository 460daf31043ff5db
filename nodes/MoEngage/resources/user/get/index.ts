/** User → Get: look up users by customer ID or MoEngage ID; Found and Not Found outputs. */
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { checkWholeNumber, identifierTypeProperty, parseFields } from '../../../shared/identifiers';
import {
	DEFAULT_USERS_PER_MINUTE,
	MAX_IDENTIFIERS_PER_REQUEST,
	MAX_REQUESTS_IN_FLIGHT,
} from '../../../shared/limits';
import {
	beginRun,
	dispatchEnvironment,
	needParameter,
	parameterReader,
	readSending,
	sendingOptions,
	stoppedError,
	type Sending,
} from '../../../shared/run';
import { requestMoEngage } from '../../../shared/transport';
import { spelledSending } from './identifier-spelling';
import { lookUpItems, type RawItem } from './look-up';
import { EXPORT_HINTS, fieldsToExport, readAnswer } from './lookups';
import { routeItems, type ItemResult, type OutputFormat } from './outputs';

const PER_MINUTE = { name: 'usersPerMinute', displayName: 'Users per Minute', default: DEFAULT_USERS_PER_MINUTE };

const showFor = { show: { resource: ['user'], operation: ['get'] } };

export const description: INodeProperties[] = [
	identifierTypeProperty(showFor.show),
	{
		displayName: 'Identifier',
		name: 'identifier',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.customer_id }}',
		description:
			"The user to look up for each item, usually an expression that reads the item's ID field. Numbers are sent as text; each distinct identifier is requested once.",
		displayOptions: showFor,
	},
	{
		displayName: 'Fields',
		name: 'fields',
		type: 'string',
		default: '',
		placeholder: 'e.g. name, email, first_seen',
		description:
			'User attributes to return, separated by commas. Empty returns every attribute MoEngage exports.',
		displayOptions: showFor,
	},
	sendingOptions(
		showFor.show,
		{
			...PER_MINUTE,
			type: 'number',
			typeOptions: { minValue: 1 },
			description:
				'The workspace rate limit to stay under (MoEngage allows 1000 unless it raised yours). Shared by every execution on this workspace in this n8n process.',
		},
		{
			extra: [
				{
					displayName: 'Batch Size',
					name: 'batchSize',
					type: 'number',
					typeOptions: { minValue: 1, maxValue: MAX_IDENTIFIERS_PER_REQUEST },
					default: MAX_IDENTIFIERS_PER_REQUEST,
					description: 'Identifiers per request to MoEngage; it accepts at most 20',
				},
				{
					displayName: 'Output Format',
					name: 'outputFormat',
					type: 'options',
					options: [
						{
							name: 'User Attributes',
							value: 'attributes',
							description:
								'A Found item is the user\'s attributes; a Not Found item is {identifier_type, identifier}',
						},
						{
							name: 'Enrich Input Item',
							value: 'enrich',
							description:
								'A Found item is the input item with the attributes under the User Field; a Not Found item is the input item unchanged',
						},
					],
					default: 'attributes',
				},
				{
					displayName: 'User Field',
					name: 'userField',
					type: 'string',
					default: 'moengageUser',
					description: 'With Output Format "Enrich Input Item": the field that receives the user\'s attributes',
				},
			],
	},
	),
];

interface Settings extends Sending {
	fields: string[] | undefined;
	outputFormat: OutputFormat;
	userField: string;
	batchSize: number;
}

function readSettings(context: IExecuteFunctions): Settings {
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const outputFormat = options.outputFormat ?? 'attributes';
	if (outputFormat !== 'attributes' && outputFormat !== 'enrich') {
		needParameter(context, 'Output Format', { ok: false, problem: `is "${String(outputFormat)}"; use "attributes" or "enrich"` });
	}
	const userField = String(options.userField ?? 'moengageUser').trim();
	if (userField === '') needParameter(context, 'User Field', { ok: false, problem: 'is empty; name the field that receives the user' });
	return {
		fields: needParameter(context, 'Fields', parseFields(context.getNodeParameter('fields', 0, ''))),
		outputFormat: outputFormat as OutputFormat,
		userField,
		batchSize: needParameter(
			context,
			'Batch Size',
			checkWholeNumber(options.batchSize ?? MAX_IDENTIFIERS_PER_REQUEST, 1, MAX_IDENTIFIERS_PER_REQUEST),
		),
		...readSending(context, PER_MINUTE),
	};
}

/** The body's `data`: MoEngage expects identifiers inside it, not at the root. */
function exportData(identifiers: Array<{ identifier_type: string; identifier: string }>, fields: string[] | undefined): IDataObject {
	const data: IDataObject = { identifiers };
	if (fields !== undefined) data.user_fields_to_export = fields;
	return data;
}

/**
 * A fixed Identifier Type is read once, and an Identifier that only reads a field of the item is
 * read from the item (parameterReader): on 100,000 items that is most of the node's own time.
 */
function readIdentifiers(context: IExecuteFunctions, items: INodeExecutionData[], continueOnFail: boolean): RawItem[] {
	const read = parameterReader(context, items);
	return items.map((_, itemIndex) => {
		let parameter = 'Identifier Type';
		try {
			const type = read('identifierType', itemIndex);
			parameter = 'Identifier';
			return { type, identifier: read('identifier', itemIndex, undefined) };
		} catch (error) {
			// Without continue-on-fail n8n shows its own expression error, which points at the expression.
			if (!continueOnFail) throw new NodeOperationError(context.getNode(), error as Error, { itemIndex });
			return { type: undefined, identifier: undefined, unreadable: { parameter, message: (error as Error).message } };
		}
	});
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const run = await beginRun(this, 2, () => readSettings(this));
	if (Array.isArray(run)) return run;
	const { items, continueOnFail, settings, workspace } = run;
	const raw = readIdentifiers(this, items, continueOnFail);

	let outcome: Awaited<ReturnType<typeof lookUpItems>>;
	try {
		outcome = await lookUpItems(
			raw,
			{
				batchSize: settings.batchSize,
				usersPerMinute: settings.perMinute,
				maxRetries: settings.maxRetries,
				concurrency: MAX_REQUESTS_IN_FLIGHT,
				stopOnFailure: !continueOnFail,
			},
			{
				...spelledSending(workspace.key, async (identifiers, batch, batchSignal) =>
					await requestMoEngage(
						this,
						workspace,
						{
							path: '/v1/customers/export',
							qs: { app_id: workspace.appId },
							body: { data: exportData(identifiers, fieldsToExport(settings.fields, batch)) },
							forwardedFor: settings.forwardedFor,
							timeoutMs: settings.timeoutMs,
							signal: batchSignal,
						},
						readAnswer,
						EXPORT_HINTS,
					),
				),
				...dispatchEnvironment(this, workspace, 'export', `workspace ${workspace.appId}`),
			},
		);
	} catch (error) {
		// Only a cancelled wait ends up here: a failed request is a result, not an exception.
		throw new NodeOperationError(this.getNode(), error as Error);
	}
	const { results, stoppedBy } = outcome;

	if (!continueOnFail) {
		if (stoppedBy) throw stoppedError(this, stoppedBy.failure, stoppedBy.lookups);
		const firstFailure = results.findIndex((result) => result?.kind === 'failed');
		if (firstFailure >= 0) {
			const { failure } = results[firstFailure] as Extract<ItemResult, { kind: 'failed' }>;
			throw new NodeOperationError(this.getNode(), failure.message, {
				itemIndex: firstFailure,
				description: failure.description,
			});
		}
	}
	return routeItems(items, results as ItemResult[], settings);
}
