/**
 * User → Create or Update: one profile per customer ID through Bulk Import. Items of the same
 * customer become one element, their attributes applied in item order (a later item's value wins),
 * so one run never races two updates of a profile against each other.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { attributesInput, readAttributes } from '../../shared/attributes-input';
import { checkUserAttributes, jsonBytes, type Attributes } from '../../shared/attributes';
import { bulkAnswers, MAX_ELEMENT_BYTES, packBulk, sendBulk } from '../../shared/bulk';
import { checkCustomerId } from '../../shared/identifiers';
import { BULK_USERS_PER_MINUTE } from '../../shared/limits';
import {
	beginRun,
	groupUnits,
	itemError,
	itemProblem,
	parameterReader,
	planItems,
	readSending,
	routeWrites,
	sendingOptions,
	sendUnits,
	type Planned,
	type Unit,
} from '../../shared/run';

const show = { resource: ['user'], operation: ['upsert'] };

const PER_MINUTE = { name: 'usersPerMinute', displayName: 'Users per Minute', default: BULK_USERS_PER_MINUTE };

export const description: INodeProperties[] = [
	{
		displayName: 'Customer ID',
		name: 'customerId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.customer_id }}',
		description: "The user's customer ID (the ID field of the profile); a new ID creates a user unless Update Existing Only is on",
		displayOptions: { show },
	},
	...attributesInput(show, 'item', 'user attributes'),
	{
		displayName: 'Update Existing Only',
		name: 'updateExistingOnly',
		type: 'boolean',
		default: false,
		description: 'Whether to update only users MoEngage already has; MoEngage then ignores unknown customer IDs without saying so',
		displayOptions: { show },
	},
	sendingOptions(show, {
		...PER_MINUTE,
		type: 'number',
		typeOptions: { minValue: 1 },
		description:
			'The Bulk Import limit to stay under: MoEngage allows 60,000 users a minute per workspace unless it raised yours. Shared by every execution on this workspace in this n8n process.',
	}),
];

interface Part {
	customerId: string;
	attributes: Attributes;
}

interface Profile extends Unit {
	attributes: Attributes;
	bytes: number;
}

const elementOf = (profile: Profile, updateExistingOnly: boolean) => ({
	type: 'customer',
	customer_id: profile.identifier,
	attributes: profile.attributes,
	...(updateExistingOnly ? { update_existing_only: true } : {}),
});

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const run = await beginRun(this, 1, () => ({
		sending: readSending(this, PER_MINUTE),
		updateExistingOnly: this.getNodeParameter('updateExistingOnly', 0, false) as boolean,
	}));
	if (Array.isArray(run)) return run;
	const { items, continueOnFail, workspace } = run;
	const { sending, updateExistingOnly } = run.settings;

	const read = parameterReader(this, items);
	const planned = planItems(this, items, continueOnFail, (itemIndex, item): Planned<Part> => {
		const customerId = checkCustomerId(read('customerId', itemIndex, undefined));
		if (!customerId.ok) return problemOf(itemIndex, `the Customer ID ${customerId.problem}`);
		const given = readAttributes(read, itemIndex, item);
		const attributes = given.ok ? checkUserAttributes(given.value) : given;
		if (!attributes.ok) return problemOf(itemIndex, attributes.problem, customerId.value);
		return { ok: true, part: { customerId: customerId.value, attributes: attributes.value } };
	});

	const { units: profiles, unitOf } = groupUnits(
		planned,
		(part) => part.customerId,
		(part): Profile => ({ itemIndexes: [], type: 'customer_id', identifier: part.customerId, attributes: {}, bytes: 0 }),
		(profile, part) => Object.assign(profile.attributes, part.attributes),
	);
	const sized = tooLarge(this, profiles, updateExistingOnly, continueOnFail, planned, unitOf);

	const results = await sendUnits(this, workspace, sending, packBulk(sized, sending.perMinute, (profile) => profile.bytes), {
		budget: 'bulk users',
		unit: 'users',
		io: {
			send: async (batch, signal) =>
				await sendBulk(this, workspace, sending, batch.map((profile) => elementOf(profile, updateExistingOnly)), signal),
			...bulkAnswers<Profile>(),
		},
	});
	return routeWrites(items, planned, unitOf, results, 1, () => 0);
}

const TODO = 'Fix this item\'s Customer ID or attributes; with "Continue" on error the other items are still sent.';

const problemOf = (itemIndex: number, problem: string, customerId?: string) =>
	itemProblem(itemIndex, problem, TODO, customerId === undefined ? undefined : { type: 'customer_id', identifier: customerId });

/**
 * A profile whose element alone exceeds Bulk Import's 100 KB can never be sent: its items fail
 * here, by name, instead of as a 413 from MoEngage.
 */
function tooLarge(
	context: IExecuteFunctions,
	profiles: Profile[],
	updateExistingOnly: boolean,
	continueOnFail: boolean,
	planned: Array<Planned<Part>>,
	unitOf: Map<number, Profile>,
): Profile[] {
	return profiles.filter((profile) => {
		profile.bytes = jsonBytes(elementOf(profile, updateExistingOnly));
		if (profile.bytes <= MAX_ELEMENT_BYTES) return true;
		for (const itemIndex of profile.itemIndexes) {
			const problem = problemOf(
				itemIndex,
				`the attributes of customer_id "${profile.identifier}" take ${profile.bytes} bytes; Bulk Import takes at most ${MAX_ELEMENT_BYTES} for one user`,
				profile.identifier,
			);
			if (!continueOnFail) throw itemError(context, itemIndex, problem);
			planned[itemIndex] = problem;
			unitOf.delete(itemIndex);
		}
		return false;
	});
}
