/** User → Get: look up users by customer ID or MoEngage ID; Found and Not Found outputs. */
import {
	NodeOperationError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { budgetFor, type Clock } from '../../shared/budget';
import {
	checkIdentifierType,
	checkWholeNumber,
	normaliseIdentifier,
	parseFields,
	parseForwardedFor,
	type Checked,
	type IdentifierType,
} from '../../shared/identifiers';
import {
	DEFAULT_USERS_PER_MINUTE,
	LOGGED_WAIT_MS,
	MAX_IDENTIFIERS_PER_REQUEST,
	MAX_REQUESTS_IN_FLIGHT,
} from '../../shared/limits';
import {
	fieldsToExport,
	matchAnswer,
	packBatches,
	planLookups,
	readAnswer,
	type Lookup,
	type Outcome,
} from '../../shared/lookups';
import { routeItems, type Failure, type ItemResult, type OutputFormat } from '../../shared/outputs';
import {
	CREDENTIAL_TYPE,
	redact,
	requestExport,
	toNodeApiError,
	workspaceOf,
	type Workspace,
} from '../../shared/transport';

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
	};
}

const describeItems = (lookups: readonly Lookup[]): string => {
	const first = lookups[0];
	const count = lookups.reduce((sum, lookup) => sum + lookup.itemIndexes.length, 0);
	const more = count > 1 ? ` and ${count - 1} more item${count > 2 ? 's' : ''}` : '';
	return `item ${first.itemIndexes[0]} (${first.type} "${first.identifier}")${more}`;
};

type BatchResult = { outcomes: Outcome[] } | { failure: Failure; fatal: boolean };

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return [[], []];
	const settings = readSettings(this);
	const continueOnFail = this.continueOnFail();
	const results: Array<ItemResult | undefined> = new Array(items.length);

	const requests: Array<{ itemIndex: number; type: IdentifierType; identifier: string }> = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const rawType = this.getNodeParameter('identifierType', itemIndex);
		const rawIdentifier = this.getNodeParameter('identifier', itemIndex, undefined);
		const type = checkIdentifierType(rawType);
		const identifier = normaliseIdentifier(rawIdentifier);
		if (type.ok && identifier.ok) {
			requests.push({ itemIndex, type: type.value, identifier: identifier.value });
			continue;
		}
		const message = !type.ok
			? `Item ${itemIndex}: the identifier type ${type.problem}`
			: `Item ${itemIndex}: the identifier ${(identifier as { problem: string }).problem}`;
		const description =
			'Set "Identifier" to an expression that gives each item\'s ID, e.g. {{ $json.customer_id }}, or filter out items without one before this node.';
		if (!continueOnFail) throw new NodeOperationError(this.getNode(), message, { itemIndex, description });
		results[itemIndex] = {
			kind: 'failed',
			failure: { message, description },
			type: typeof rawType === 'string' ? rawType : undefined,
			identifier: typeof rawIdentifier === 'string' ? rawIdentifier : undefined,
		};
	}

	const lookups = planLookups(requests);
	const batches = packBatches(lookups, Math.min(settings.batchSize, settings.usersPerMinute));
	const batchResults: BatchResult[] = new Array(batches.length);
	if (batches.length > 0) {
		const checked = workspaceOf(await this.getCredentials(CREDENTIAL_TYPE));
		if (!checked.ok) {
			throw new NodeOperationError(this.getNode(), `Cannot call MoEngage: ${checked.problem}`, {
				description: 'Open the MoEngage API credential and complete it.',
			});
		}
		await sendBatches(this, checked.value, batches, settings, batchResults, continueOnFail);
	}

	batches.forEach((batch, batchIndex) => {
		const result = batchResults[batchIndex];
		batch.forEach((lookup, position) => {
			for (const itemIndex of lookup.itemIndexes) {
				results[itemIndex] = itemResult(lookup, 'outcomes' in result ? result.outcomes[position] : result);
			}
		});
	});

	const firstFailure = results.findIndex((result) => result?.kind === 'failed');
	if (!continueOnFail && firstFailure >= 0) {
		const failed = results[firstFailure] as Extract<ItemResult, { kind: 'failed' }>;
		const batch = batches.find((candidate) =>
			candidate.some((lookup) => lookup.itemIndexes.includes(firstFailure)),
		);
		const failing = (batch ?? []).filter((lookup) =>
			lookup.itemIndexes.some((itemIndex) => results[itemIndex]?.kind === 'failed'),
		);
		throw toNodeApiError(this.getNode(), failed.failure, firstFailure, describeItems(failing));
	}
	return routeItems(items, results as ItemResult[], settings);
}

function itemResult(lookup: Lookup, outcome: Outcome | { failure: Failure }): ItemResult {
	const about = { type: lookup.type, identifier: lookup.identifier };
	if ('failure' in outcome) return { kind: 'failed', failure: outcome.failure, ...about };
	if (outcome.kind === 'found') return { kind: 'found', attributes: outcome.attributes };
	if (outcome.kind === 'notFound') return { kind: 'notFound', ...about };
	return {
		kind: 'failed',
		...about,
		failure: {
			message: `MoEngage's answer named ${lookup.type} "${lookup.identifier}" neither among the users found nor among those not found`,
			description: 'The node does not guess: run it again for this item, and report this to MoEngage support if it persists.',
		},
	};
}

/**
 * Sends the batches a few at a time, each after the workspace budget allows it. A failure stops
 * further sends when the user did not ask to continue, or when it would fail every request alike.
 */
async function sendBatches(
	context: IExecuteFunctions,
	workspace: Workspace,
	batches: Lookup[][],
	settings: Settings,
	batchResults: BatchResult[],
	continueOnFail: boolean,
): Promise<void> {
	const budget = budgetFor(workspace.key);
	const signal = context.getExecutionCancelSignal();
	const clock: Clock = { now: () => Date.now(), sleep };
	let next = 0;
	let halt: { failure: Failure } | undefined;

	const sendOne = async (batch: Lookup[]): Promise<BatchResult> => {
		try {
			await budget.spend(batch.length, settings.usersPerMinute, clock, {
				signal,
				longWaitMs: LOGGED_WAIT_MS,
				onLongWait: (waitMs) =>
					context.logger.info(
						`MoEngage: waiting ${(waitMs / 1000).toFixed(1)} s for the workspace budget of ${settings.usersPerMinute} users per minute before sending ${batch.length} more`,
					),
			});
		} catch (error) {
			throw new NodeOperationError(context.getNode(), error as Error);
		}
		const sent = await requestExport(context, workspace, {
			identifiers: batch.map((lookup) => ({ identifier_type: lookup.type, identifier: lookup.identifier })),
			fields: fieldsToExport(settings.fields, batch),
			forwardedFor: settings.forwardedFor,
			signal,
		});
		if (!sent.ok) return { failure: sent.failure, fatal: sent.fatal };
		const answer = readAnswer(sent.body);
		if (!answer.ok) {
			return {
				fatal: false,
				failure: {
					message: redact(`MoEngage answered 200 but not with the documented JSON: ${answer.problem}`, workspace.secrets),
					description: 'A proxy in front of MoEngage may have answered instead: check the Custom URL.',
					httpCode: 200,
				},
			};
		}
		return { outcomes: matchAnswer(batch, answer.value) };
	};

	const worker = async () => {
		while (next < batches.length) {
			const batchIndex = next++;
			if (halt) {
				batchResults[batchIndex] = { failure: halt.failure, fatal: true };
				continue;
			}
			batchResults[batchIndex] = await sendOne(batches[batchIndex]);
			const result = batchResults[batchIndex];
			if ('failure' in result && (result.fatal || !continueOnFail)) halt ??= { failure: result.failure };
		}
	};
	await Promise.all(
		Array.from({ length: Math.min(MAX_REQUESTS_IN_FLIGHT, batches.length) }, async () => await worker()),
	);
}
