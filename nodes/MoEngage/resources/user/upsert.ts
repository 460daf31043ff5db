/**
 * User → Create or Update: one profile per customer ID through Bulk Import. Items of the same
 * customer become one element, their attributes applied in item order (a later item's value wins,
 * array additions and removals add up), so one run never races two updates of a profile against
 * each other. Where MoEngage would refuse two items in one element (one adds to an array the other
 * removes from), the later item starts a new element, sent only once the earlier one is answered.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { defineOperation } from '../../pipeline/execute';
import { itemProblem } from '../../pipeline/items';
import { passOn, type Grouped, type Planned, type Refused } from '../../pipeline/operation';
import { readSending, type Sending } from '../../pipeline/options';
import { sendInRounds, type InRound } from '../../pipeline/rounds';
import { fieldsReadBy } from '../../pipeline/parameters';
import { attributesInput, readAttributes } from '../../shared/attributes-input';
import {
	canJoin,
	changesArrays,
	checkUserAttributes,
	joinInto,
	type Attributes,
} from '../../shared/attributes';
import {
	bulkAnswers,
	bulkPerMinute,
	bulkSendingOptions,
	MAX_ELEMENT_BYTES,
	packBulk,
	readResends,
	sendBulk,
} from '../../shared/bulk';
import { checkCustomerId, customerIdProperty } from '../../shared/identifiers';
import { BULK_USERS_PER_MINUTE } from '../../shared/limits';
import { jsonBytes } from '../../shared/packing';

const PER_MINUTE = bulkPerMinute(
	'usersPerMinute',
	'Users per Minute',
	'users',
	BULK_USERS_PER_MINUTE,
);

const FIX =
	'Fix this item\'s Customer ID or attributes; with "Continue" on error the other items are still sent.';

const problemOf = (itemIndex: number, problem: string, customerId?: string) =>
	itemProblem(
		itemIndex,
		problem,
		FIX,
		customerId === undefined ? undefined : { type: 'customer_id', identifier: customerId },
	);

interface Settings {
	sending: Sending;
	resends: number;
	updateExistingOnly: boolean;
}

interface Part {
	customerId: string;
	attributes: Attributes;
}

/** A customer's element; its round is 0 for the customer's first, and a later one goes only after the earlier is answered. */
interface Profile extends InRound {
	attributes: Attributes;
	bytes: number;
}

/**
 * The items' parts as elements, in item order: a customer's items join its latest element while
 * MoEngage would take them together, and start a new one where it would not.
 */
function profilesOf(planned: ReadonlyArray<Planned<Part>>): Grouped<Profile> {
	const latest = new Map<string, Profile>();
	const profiles: Profile[] = [];
	const unitOf = new Map<number, Profile>();
	planned.forEach((plan, itemIndex) => {
		if (!plan.ok) return;
		const { customerId, attributes } = plan.part;
		let profile = latest.get(customerId);
		if (profile === undefined || !canJoin(profile.attributes, attributes)) {
			const round = profile === undefined ? 0 : profile.round + 1;
			profile = {
				itemIndexes: [],
				type: 'customer_id',
				identifier: customerId,
				attributes: {},
				bytes: 0,
				round,
			};
			latest.set(customerId, profile);
			profiles.push(profile);
		}
		profile.itemIndexes.push(itemIndex);
		joinInto(profile.attributes, attributes);
		unitOf.set(itemIndex, profile);
	});
	return { units: profiles, unitOf };
}

const elementOf = (profile: Profile, updateExistingOnly: boolean) => ({
	type: 'customer',
	customer_id: profile.identifier,
	attributes: profile.attributes,
	...(updateExistingOnly ? { update_existing_only: true } : {}),
});

/**
 * A profile whose element alone exceeds Bulk Import's 100 KB can never be sent: its items are
 * refused here, by name, instead of failing as a 413 from MoEngage.
 */
function withoutTooLarge(grouped: Grouped<Profile>, updateExistingOnly: boolean): Grouped<Profile> {
	const refused = new Map<number, Refused>();
	const units = grouped.units.filter((profile) => {
		profile.bytes = jsonBytes(elementOf(profile, updateExistingOnly));
		if (profile.bytes <= MAX_ELEMENT_BYTES) return true;
		for (const itemIndex of profile.itemIndexes) {
			const problem = `the attributes of customer_id "${profile.identifier}" take ${profile.bytes} bytes; Bulk Import takes at most ${MAX_ELEMENT_BYTES} for one user`;
			refused.set(itemIndex, problemOf(itemIndex, problem, profile.identifier));
			grouped.unitOf.delete(itemIndex);
		}
		return false;
	});
	return { units, unitOf: grouped.unitOf, refused };
}

export const operation = defineOperation<Settings, Part, Profile, 'accepted'>({
	value: 'upsert',
	name: 'Create or Update',
	action: 'Create or update users',
	description: 'Create a new record, or update the current one if it already exists (upsert)',
	outputs: ['Accepted'],
	properties: [
		customerIdProperty(
			"The user's customer ID (the ID field of the profile); a new ID creates a user unless Update Existing Only is on",
		),
		...attributesInput('item', 'user attributes', 'Customer ID'),
		{
			displayName: 'Update Existing Only',
			name: 'updateExistingOnly',
			type: 'boolean',
			default: false,
			description:
				'Whether to update only users MoEngage already has; MoEngage then ignores unknown customer IDs without saying so',
		},
		bulkSendingOptions(
			PER_MINUTE,
			'profiles that add to or remove from arrays (addValueToArrayField, removeValueFromArrayField); other profile updates are harmless to repeat and are always resent',
		),
	],
	fix: FIX,
	settings: (context: IExecuteFunctions) => ({
		sending: readSending(context, PER_MINUTE),
		resends: readResends(context),
		updateExistingOnly: context.getNodeParameter('updateExistingOnly', 0, false) as boolean,
	}),

	plan(run) {
		const mapped = fieldsReadBy(run.context.getNode().parameters, ['customerId']);
		return (itemIndex, item): Planned<Part> => {
			const customerId = checkCustomerId(run.read('customerId', itemIndex, undefined));
			if (!customerId.ok) return problemOf(itemIndex, `the Customer ID ${customerId.problem}`);
			const given = readAttributes(run.read, itemIndex, item, mapped);
			const attributes = given.ok ? checkUserAttributes(given.value) : given;
			if (!attributes.ok) return problemOf(itemIndex, attributes.problem, customerId.value);
			return { ok: true, part: { customerId: customerId.value, attributes: attributes.value } };
		};
	},

	group: (run, planned) => withoutTooLarge(profilesOf(planned), run.settings.updateExistingOnly),

	send: async (run, profiles) => {
		const { sending, resends, updateExistingOnly } = run.settings;
		return await sendInRounds(profiles, async (these) => {
			// Array changes go in requests of their own: only those may not be resent freely after a lost answer.
			const pack = (arrays: boolean) =>
				packBulk(
					these.filter((profile) => changesArrays(profile.attributes) === arrays),
					sending.perMinute,
					(profile) => profile.bytes,
				);
			return await run.send([...pack(false), ...pack(true)], {
				budget: 'bulk users',
				unit: 'users',
				io: {
					send: async (batch, signal) =>
						await sendBulk(
							run,
							batch.map((profile) => elementOf(profile, updateExistingOnly)),
							signal,
						),
					...bulkAnswers<Profile>(),
					resendsAfterLostAnswer: (batch) =>
						batch.some((profile) => changesArrays(profile.attributes)) ? resends : Infinity,
				},
			});
		});
	},

	place: (_, __, item) => passOn(0, item),
	repeating:
		'setting attributes again is harmless, but additions to and removals from arrays are made again',
});
