/**
 * User → Get: look up users by customer ID or MoEngage ID. Each distinct identifier is asked once,
 * up to 20 a request; found users go to Found, the others to Not Found.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { groupUnits, itemProblem } from '../../../pipeline/items';
import { defineOperation } from '../../../pipeline/execute';
import {
	needParameter,
	readSending,
	sendingOptions,
	type PerMinute,
	type Sending,
} from '../../../pipeline/options';
import type { Endpoint, Planned } from '../../../pipeline/operation';
import {
	checkIdentifierType,
	checkWholeNumber,
	identifierProperty,
	identifierTypeProperty,
	normaliseIdentifier,
	parseFields,
	type IdentifierType,
} from '../../../shared/identifiers';
import { DEFAULT_USERS_PER_MINUTE, MAX_IDENTIFIERS_PER_REQUEST } from '../../../shared/limits';
import { packBatches } from '../../../shared/packing';
import {
	EXPORT_HINTS,
	fieldsToExport,
	keyOf,
	matchAnswer,
	readAnswer,
	type ExportAnswer,
	type Lookup,
	type Outcome,
} from './answers';
import { spelledSending } from './identifier-spelling';
import { placeLookup, type OutputFormat } from './outputs';

const PER_MINUTE: PerMinute = {
	name: 'usersPerMinute',
	displayName: 'Users per Minute',
	default: DEFAULT_USERS_PER_MINUTE,
	description:
		'The workspace rate limit to stay under (MoEngage allows 1000 unless it raised yours). Shared by every execution on this workspace in this n8n process.',
};

interface Settings {
	sending: Sending;
	fields: string[] | undefined;
	outputFormat: OutputFormat;
	userField: string;
	batchSize: number;
}

function settings(context: IExecuteFunctions): Settings {
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const outputFormat = options.outputFormat ?? 'attributes';
	if (outputFormat !== 'attributes' && outputFormat !== 'enrich') {
		needParameter(context, 'Output Format', {
			ok: false,
			problem: `is "${String(outputFormat)}"; use "attributes" or "enrich"`,
		});
	}
	const userField = String(options.userField ?? 'moengageUser').trim();
	if (userField === '')
		needParameter(context, 'User Field', {
			ok: false,
			problem: 'is empty; name the field that receives the user',
		});
	return {
		fields: needParameter(
			context,
			'Fields',
			parseFields(context.getNodeParameter('fields', 0, '')),
		),
		outputFormat: outputFormat as OutputFormat,
		userField,
		batchSize: needParameter(
			context,
			'Batch Size',
			checkWholeNumber(
				options.batchSize ?? MAX_IDENTIFIERS_PER_REQUEST,
				1,
				MAX_IDENTIFIERS_PER_REQUEST,
			),
		),
		sending: readSending(context, PER_MINUTE),
	};
}

/** Get User counts users, one per identifier; a 400 about `identifiers` is about one of them. */
export const blame400: NonNullable<Endpoint<Lookup, ExportAnswer, Outcome>['io']['blame400']> = (
	exchange,
) =>
	exchange.blames === undefined
		? 'unknown'
		: exchange.blames === 'identifiers'
			? 'units'
			: 'request';

const FIX =
	'Set "Identifier" to an expression that gives each item\'s ID, e.g. {{ $json.customer_id }}, or filter out items without one before this node.';

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

type LookupPart = { type: IdentifierType; identifier: string };

/** Each distinct (identifier type, identifier) once, with every item that carries it, in input order. */
export const planLookups = (planned: ReadonlyArray<Planned<LookupPart>>) =>
	groupUnits(
		planned,
		(part) => keyOf(part.type, part.identifier),
		(part): Lookup => ({ ...part, itemIndexes: [] }),
	);

export const operation = defineOperation<Settings, LookupPart, Lookup, Outcome>({
	value: 'get',
	name: 'Get',
	action: 'Get users',
	description:
		'Look up users by customer ID or MoEngage ID; found users go to the first output, the others to the second',
	outputs: ['Found', 'Not Found'],
	properties: [
		identifierTypeProperty(),
		identifierProperty(
			"The user to look up for each item, usually an expression that reads the item's ID field. Numbers are sent as text; each distinct identifier is requested once.",
		),
		{
			displayName: 'Fields',
			name: 'fields',
			type: 'string',
			default: '',
			placeholder: 'e.g. name, email, first_seen',
			description:
				'User attributes to return, separated by commas. Empty returns every attribute MoEngage exports.',
		},
		sendingOptions(PER_MINUTE, {
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
								"A Found item is the user's attributes; a Not Found item is {identifier_type, identifier}",
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
					description:
						'With Output Format "Enrich Input Item": the field that receives the user\'s attributes',
				},
			],
		}),
	],
	fix: FIX,
	settings,

	plan: (run) => (itemIndex) => {
		const rawType = run.read('identifierType', itemIndex);
		const rawIdentifier = run.read('identifier', itemIndex, undefined);
		const about = { type: text(rawType), identifier: text(rawIdentifier) };
		const type = checkIdentifierType(rawType);
		if (!type.ok) return itemProblem(itemIndex, `the identifier type ${type.problem}`, FIX, about);
		const identifier = normaliseIdentifier(rawIdentifier);
		if (!identifier.ok)
			return itemProblem(itemIndex, `the identifier ${identifier.problem}`, FIX, about);
		return { ok: true, part: { type: type.value, identifier: identifier.value } };
	},

	group: (_, planned) => planLookups(planned),

	async send(run, lookups) {
		const { workspace, settings } = run;
		return await run.send(
			packBatches(lookups, Math.min(settings.batchSize, settings.sending.perMinute)),
			{
				budget: 'export',
				unit: 'users',
				io: {
					...spelledSending(workspace.key, async (identifiers, batch, signal) => {
						const data: IDataObject = { identifiers };
						const fields = fieldsToExport(settings.fields, batch);
						if (fields !== undefined) data.user_fields_to_export = fields;
						// MoEngage expects the identifiers inside `data`, not at the root.
						return await run.request(
							{ path: '/v1/customers/export', qs: { app_id: workspace.appId }, body: { data } },
							readAnswer,
							EXPORT_HINTS,
							signal,
						);
					}),
					settle: matchAnswer,
					weight: (batch) => batch.length,
					blame400,
				},
			},
		);
	},

	place: (run, outcome, item, lookup) => placeLookup(outcome, item, lookup, run.settings),
});
