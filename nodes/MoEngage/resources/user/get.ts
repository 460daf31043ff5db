/** User → Get: look up users by customer ID or MoEngage ID; Found and Not Found outputs. */
import {
	NodeOperationError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { budgetFor } from '../../shared/budget';
import { checkWholeNumber, parseFields, parseForwardedFor, type Checked } from '../../shared/identifiers';
import {
	DEFAULT_MAX_RETRIES,
	DEFAULT_TIMEOUT_MS,
	DEFAULT_USERS_PER_MINUTE,
	MAX_IDENTIFIERS_PER_REQUEST,
	MAX_REQUESTS_IN_FLIGHT,
} from '../../shared/limits';
import { spelledSending } from '../../shared/identifier-spelling';
import { lookUpItems, type RawItem } from '../../shared/look-up';
import { fieldsToExport, type Lookup } from '../../shared/lookups';
import { errorItemJson, routeItems, type Failure, type ItemResult, type OutputFormat } from '../../shared/outputs';
import { CREDENTIAL_TYPE, requestExport, toNodeApiError, workspaceOf, type Workspace } from '../../shared/transport';

const showFor = { show: { resource: ['user'], operation: ['get'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Identifier Type',
		name: 'identifierType',
		type: 'options',
		options: [
			{
				name: 'Customer ID',
				value: 'customer_id',
				description: 'The ID field of the user profile, as your app sets it',
			},
			{ name: 'MoEngage ID', value: 'id', description: 'The ID MoEngage gave the user' },
		],
		default: 'customer_id',
		description: 'What the identifier of each item is. An expression may give either per item.',
		displayOptions: showFor,
	},
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
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: showFor,
		options: [
			{
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_IDENTIFIERS_PER_REQUEST },
				default: MAX_IDENTIFIERS_PER_REQUEST,
				description: 'Identifiers per request to MoEngage; it accepts at most 20',
			},
			{
				displayName: 'Max Retries',
				name: 'maxRetries',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 20 },
				default: DEFAULT_MAX_RETRIES,
				description:
					'How often a request is sent again after a 5xx answer, a network error, a timeout or a garbled answer. Rate-limit (429) waits do not count.',
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
				displayName: 'Timeout',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 100 },
				default: DEFAULT_TIMEOUT_MS,
				description: 'Milliseconds to wait for each MoEngage answer before retrying',
			},
			{
				displayName: 'User Field',
				name: 'userField',
				type: 'string',
				default: 'moengageUser',
				description: 'With Output Format "Enrich Input Item": the field that receives the user\'s attributes',
			},
			{
				displayName: 'Users per Minute',
				name: 'usersPerMinute',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_USERS_PER_MINUTE,
				description:
					'The workspace rate limit to stay under (MoEngage allows 1000 unless it raised yours). Shared by every execution on this workspace in this n8n process.',
			},
			{
				displayName: 'X-Forwarded-For',
				name: 'xForwardedFor',
				type: 'string',
				default: '',
				placeholder: 'e.g. 203.0.113.7',
				description: 'IP address(es) of the original client, separated by commas, sent as X-Forwarded-For',
			},
		],
	},
];

interface Settings {
	fields: string[] | undefined;
	outputFormat: OutputFormat;
	userField: string;
	usersPerMinute: number;
	batchSize: number;
	forwardedFor: string | undefined;
	maxRetries: number;
	timeoutMs: number;
}

function readSettings(context: IExecuteFunctions): Settings {
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const need = <T>(name: string, checked: Checked<T>): T => {
		if (checked.ok) return checked.value;
		throw new NodeOperationError(context.getNode(), `The parameter "${name}" ${checked.problem}`, {
			description: `Fix "${name}" in the node's parameters.`,
		});
	};
	const outputFormat = options.outputFormat ?? 'attributes';
	if (outputFormat !== 'attributes' && outputFormat !== 'enrich') {
		need('Output Format', { ok: false, problem: `is "${String(outputFormat)}"; use "attributes" or "enrich"` });
	}
	const userField = String(options.userField ?? 'moengageUser').trim();
	if (userField === '') need('User Field', { ok: false, problem: 'is empty; name the field that receives the user' });
	return {
		fields: need('Fields', parseFields(context.getNodeParameter('fields', 0, ''))),
		outputFormat: outputFormat as OutputFormat,
		userField,
		usersPerMinute: need(
			'Users per Minute',
			checkWholeNumber(options.usersPerMinute ?? DEFAULT_USERS_PER_MINUTE, 1, Infinity),
		),
		batchSize: need(
			'Batch Size',
			checkWholeNumber(options.batchSize ?? MAX_IDENTIFIERS_PER_REQUEST, 1, MAX_IDENTIFIERS_PER_REQUEST),
		),
		forwardedFor: need('X-Forwarded-For', parseForwardedFor(options.xForwardedFor)),
		maxRetries: need('Max Retries', checkWholeNumber(options.maxRetries ?? DEFAULT_MAX_RETRIES, 0, 20)),
		timeoutMs: need('Timeout', checkWholeNumber(options.timeout ?? DEFAULT_TIMEOUT_MS, 100, 600_000)),
	};
}

const describeItems = (lookups: readonly Lookup[]): string => {
	const first = lookups[0];
	const count = lookups.reduce((sum, lookup) => sum + lookup.itemIndexes.length, 0);
	const more = count > 1 ? ` and ${count - 1} more item${count > 2 ? 's' : ''}` : '';
	return `item ${first.itemIndexes[0]} (${first.type} "${first.identifier}")${more}`;
};

const isExpression = (value: unknown) => typeof value === 'string' && value.startsWith('=');

/** The usual Identifier, `{{ $json.customer_id }}` (or `$json["customer id"]`): one field of the item. */
const PLAIN_FIELD = /^=\{\{\s*\$json(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"])([^'"\\]*)\2\s*\])\s*\}\}$/;

/**
 * Evaluating an expression costs n8n about 100 µs an item, nearly all of the node's own time on
 * 100,000 items. So a fixed Identifier Type is read once, and an Identifier that only reads a field
 * of the item is read from the item; anything else goes through n8n's expression engine per item.
 */
function readIdentifiers(context: IExecuteFunctions, items: INodeExecutionData[], continueOnFail: boolean): RawItem[] {
	const { identifierType, identifier } = context.getNode().parameters;
	const fixedType = isExpression(identifierType) ? undefined : context.getNodeParameter('identifierType', 0);
	const field = typeof identifier === 'string' ? PLAIN_FIELD.exec(identifier) : null;
	const fieldName = field ? (field[1] ?? field[3]) : undefined;
	return items.map((item, itemIndex) => {
		let parameter = 'Identifier Type';
		try {
			const type = fixedType ?? context.getNodeParameter('identifierType', itemIndex);
			parameter = 'Identifier';
			return {
				type,
				identifier:
					fieldName === undefined ? context.getNodeParameter('identifier', itemIndex, undefined) : item.json[fieldName],
			};
		} catch (error) {
			// Without continue-on-fail n8n shows its own expression error, which points at the expression.
			if (!continueOnFail) throw new NodeOperationError(context.getNode(), error as Error, { itemIndex });
			return { type: undefined, identifier: undefined, unreadable: { parameter, message: (error as Error).message } };
		}
	});
}

/**
 * A problem of the whole node (a parameter, the credential) with continue-on-fail: every item
 * becomes an error item saying it, so none of them passes on as if MoEngage had found it.
 */
function everyItemFails(items: INodeExecutionData[], error: Error & { description?: string | null }): INodeExecutionData[][] {
	const failure: Failure = { message: error.message };
	if (error.description) failure.description = error.description;
	return [[], items.map((_, itemIndex) => ({ json: errorItemJson({ kind: 'failed', failure }), pairedItem: { item: itemIndex } }))];
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return [[], []];
	const continueOnFail = this.continueOnFail();
	let settings: Settings;
	let workspace: Workspace;
	try {
		settings = readSettings(this);
		workspace = await readWorkspace(this);
	} catch (error) {
		if (!continueOnFail) throw new NodeOperationError(this.getNode(), error as Error);
		return everyItemFails(items, error as Error);
	}
	const raw = readIdentifiers(this, items, continueOnFail);
	const signal = this.getExecutionCancelSignal();

	let outcome: Awaited<ReturnType<typeof lookUpItems>>;
	try {
		outcome = await lookUpItems(
			raw,
			{
				batchSize: settings.batchSize,
				usersPerMinute: settings.usersPerMinute,
				maxRetries: settings.maxRetries,
				concurrency: MAX_REQUESTS_IN_FLIGHT,
				stopOnFailure: !continueOnFail,
			},
			{
				...spelledSending(workspace.key, async (identifiers, batch, batchSignal) =>
					await requestExport(this, workspace, {
						identifiers,
						fields: fieldsToExport(settings.fields, batch),
						forwardedFor: settings.forwardedFor,
						timeoutMs: settings.timeoutMs,
						signal: batchSignal,
					}),
				),
				budget: budgetFor(workspace.key, `workspace ${workspace.appId}`, Date.now()),
				clock: { now: () => Date.now(), sleep },
				signal,
				log: (message) => this.logger.info(message),
				random: Math.random,
			},
		);
	} catch (error) {
		// Only a cancelled wait ends up here: a failed request is a result, not an exception.
		throw new NodeOperationError(this.getNode(), error as Error);
	}
	const { results, stoppedBy } = outcome;

	if (!continueOnFail) {
		if (stoppedBy) {
			const itemIndex = Math.min(...stoppedBy.lookups.map((lookup) => lookup.itemIndexes[0]));
			throw toNodeApiError(this.getNode(), stoppedBy.failure, itemIndex, describeItems(stoppedBy.lookups));
		}
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

async function readWorkspace(context: IExecuteFunctions): Promise<Workspace> {
	const checked = workspaceOf(await context.getCredentials(CREDENTIAL_TYPE));
	if (!checked.ok) {
		throw new NodeOperationError(context.getNode(), `Cannot call MoEngage: ${checked.problem}`, {
			description: 'Open the MoEngage API credential and correct it.',
		});
	}
	return checked.value;
}
