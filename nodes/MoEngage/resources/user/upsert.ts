/**
 * User → Create or Update: one profile per customer ID through Bulk Import. Items of the same
 * customer become one element, their attributes applied in item order (a later item's value wins,
 * array additions and removals add up), so one run never races two updates of a profile against
 * each other. Where MoEngage would refuse two items in one element (one adds to an array the other
 * removes from), the later item starts a new element, sent only once the earlier one is answered.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { attributesInput, readAttributes } from '../../shared/attributes-input';
import { canJoin, changesArrays, checkUserAttributes, joinInto, jsonBytes, type Attributes } from '../../shared/attributes';
import { bulkAnswers, bulkSendingOptions, MAX_ELEMENT_BYTES, packBulk, readResends, sendBulk } from '../../shared/bulk';
import { checkCustomerId } from '../../shared/identifiers';
import { BULK_USERS_PER_MINUTE } from '../../shared/limits';
import {
	beginRun,
	fieldsReadBy,
	itemError,
	itemProblem,
	parameterReader,
	planItems,
	readSending,
	routeWrites,
	sendUnits,
	type Planned,
	type Sent,
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
	...attributesInput(show, 'item', 'user attributes', 'Customer ID'),
	{
		displayName: 'Update Existing Only',
		name: 'updateExistingOnly',
		type: 'boolean',
		default: false,
		description: 'Whether to update only users MoEngage already has; MoEngage then ignores unknown customer IDs without saying so',
		displayOptions: { show },
	},
	bulkSendingOptions(show, PER_MINUTE, 'users', 'profiles that add to or remove from arrays (addValueToArrayField, removeValueFromArrayField); other profile updates are harmless to repeat and are always resent'),
];

interface Part {
	customerId: string;
	attributes: Attributes;
}

interface Profile extends Unit {
	attributes: Attributes;
	bytes: number;
	/** 0 for a customer's first element; a later one goes only after the earlier is answered. */
	round: number;
}

/**
 * The items' parts as elements, in item order: a customer's items join its latest element while
 * MoEngage would take them together, and start a new one where it would not.
 */
function profilesOf(planned: ReadonlyArray<Planned<Part>>): { profiles: Profile[]; unitOf: Map<number, Profile> } {
	const latest = new Map<string, Profile>();
	const profiles: Profile[] = [];
	const unitOf = new Map<number, Profile>();
	planned.forEach((plan, itemIndex) => {
		if (!plan.ok) return;
		const { customerId, attributes } = plan.part;
		let profile = latest.get(customerId);
		if (profile === undefined || !canJoin(profile.attributes, attributes)) {
			const round = profile === undefined ? 0 : profile.round + 1;
			profile = { itemIndexes: [], type: 'customer_id', identifier: customerId, attributes: {}, bytes: 0, round };
			latest.set(customerId, profile);
			profiles.push(profile);
		}
		profile.itemIndexes.push(itemIndex);
		joinInto(profile.attributes, attributes);
		unitOf.set(itemIndex, profile);
	});
	return { profiles, unitOf };
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
		resends: readResends(this),
		updateExistingOnly: this.getNodeParameter('updateExistingOnly', 0, false) as boolean,
	}));
	if (Array.isArray(run)) return run;
	const { items, continueOnFail, workspace } = run;
	const { sending, resends, updateExistingOnly } = run.settings;

	const read = parameterReader(this, items);
	const mapped = fieldsReadBy(this.getNode().parameters, ['customerId']);
	const planned = planItems(this, items, continueOnFail, (itemIndex, item): Planned<Part> => {
		const customerId = checkCustomerId(read('customerId', itemIndex, undefined));
		if (!customerId.ok) return problemOf(itemIndex, `the Customer ID ${customerId.problem}`);
		const given = readAttributes(read, itemIndex, item, mapped);
		const attributes = given.ok ? checkUserAttributes(given.value) : given;
		if (!attributes.ok) return problemOf(itemIndex, attributes.problem, customerId.value);
		return { ok: true, part: { customerId: customerId.value, attributes: attributes.value } };
	});

	const { profiles, unitOf } = profilesOf(planned);
	const sized = tooLarge(this, profiles, updateExistingOnly, continueOnFail, planned, unitOf);

	const sent: Sent<Profile, 'accepted'> = { results: new Map() };
	const rounds = Math.max(-1, ...sized.map((profile) => profile.round)) + 1;
	for (let round = 0; round < rounds && !sent.stoppedBy; round++) {
		const these = sized.filter((profile) => profile.round === round);
		// Array changes go in requests of their own: only those may not be resent freely after a lost answer.
		const pack = (arrays: boolean) =>
			packBulk(these.filter((profile) => changesArrays(profile.attributes) === arrays), sending.perMinute, (profile) => profile.bytes);
		const next = await sendUnits(this, workspace, sending, [...pack(false), ...pack(true)], {
			budget: 'bulk users',
			unit: 'users',
			io: {
				send: async (batch, signal) =>
					await sendBulk(this, workspace, sending, batch.map((profile) => elementOf(profile, updateExistingOnly)), signal),
				...bulkAnswers<Profile>(),
				resendsAfterLostAnswer: (batch) => (batch.some((profile) => changesArrays(profile.attributes)) ? resends : Infinity),
			},
		});
		for (const [profile, result] of next.results) sent.results.set(profile, result);
		if (next.stoppedBy) sent.stoppedBy = next.stoppedBy;
	}
	return routeWrites(this, planned, unitOf, sent, {
		outputs: 1,
		outputOf: () => 0,
		repeating: 'setting attributes again is harmless, but additions to and removals from arrays are made again',
	});
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
