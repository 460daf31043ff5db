/**
 * User → Delete: one request per distinct user (MoEngage takes one a request). MoEngage answers an
 * unknown user with 400 "Not Found": that is the Not Found output, not an error
 * (docs/moengage-api.md#delete-user).
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { defineOperation } from '../../pipeline/execute';
import { groupUnits, itemProblem } from '../../pipeline/items';
import { passOn, type Unit } from '../../pipeline/operation';
import { readSending, sendingOptions, type PerMinute, type Sending } from '../../pipeline/options';
import {
	checkIdentifierType,
	identifierProperty,
	identifierTypeProperty,
	normaliseIdentifier,
	type IdentifierType,
} from '../../shared/identifiers';
import { DELETE_REQUESTS_PER_MINUTE, oneUnitRequestsInFlight } from '../../shared/limits';
import { readAccepted, type Hints } from '../../shared/transport';

const PER_MINUTE: PerMinute = {
	name: 'requestsPerMinute',
	displayName: 'Requests per Minute',
	default: DELETE_REQUESTS_PER_MINUTE,
	description:
		'The Delete User limit to stay under: MoEngage allows 5,000 requests (one user each) a minute per workspace. Shared by every execution on this workspace in this n8n process.',
};

const DELETED = 0;
const NOT_FOUND = 1;

/** Delete's enum spells a MoEngage ID `moengage_id` (checkIdentifierType reads either spelling as `id`). */
const WIRE_TYPES: Record<IdentifierType, string> = {
	customer_id: 'customer_id',
	id: 'moengage_id',
};

const HINTS: Hints = {
	400: {
		what: 'MoEngage rejected the request',
		todo: "Check this item's identifier and Identifier Type.",
	},
};

const FIX =
	'Set "Identifier" to an expression that gives each item\'s ID, e.g. {{ $json.customer_id }}, and "Identifier Type" to customer_id or moengage_id.';

type Outcome = 'deleted' | 'notFound';

export const operation = defineOperation<
	{ sending: Sending },
	{ type: string; identifier: string },
	Unit,
	Outcome
>({
	value: 'delete',
	name: 'Delete',
	action: 'Delete users',
	description:
		'Delete users for good (after 24 hours); deleted users go to the first output, unknown ones to the second',
	outputs: ['Deleted', 'Not Found'],
	properties: [
		{
			displayName:
				"Deleting is irreversible. MoEngage deletes each user for good 24 hours after the request, with no undo; the user's events are kept but can no longer be reached.",
			name: 'deleteNotice',
			type: 'notice',
			default: '',
		},
		identifierTypeProperty(),
		identifierProperty('The user to delete for each item; each distinct user is sent once'),
		sendingOptions(PER_MINUTE),
	],
	fix: FIX,
	settings: (context: IExecuteFunctions) => ({ sending: readSending(context, PER_MINUTE) }),

	plan: (run) => (itemIndex) => {
		const type = checkIdentifierType(run.read('identifierType', itemIndex));
		if (!type.ok) return itemProblem(itemIndex, `the identifier type ${type.problem}`, FIX);
		const identifier = normaliseIdentifier(run.read('identifier', itemIndex, undefined));
		if (!identifier.ok) return itemProblem(itemIndex, `the identifier ${identifier.problem}`, FIX);
		return { ok: true, part: { type: WIRE_TYPES[type.value], identifier: identifier.value } };
	},

	group: (_, planned) =>
		groupUnits(
			planned,
			(part) => `${part.type}\u0000${part.identifier}`,
			(part): Unit => ({ itemIndexes: [], ...part }),
		),

	send: async (run, users) =>
		await run.send(
			users.map((user) => [user]),
			{
				budget: 'delete',
				unit: 'requests',
				requestsInFlight: oneUnitRequestsInFlight(run.settings.sending.perMinute),
				io: {
					send: async ([user], signal) =>
						await run.request(
							{
								path: '/v1/customer/delete',
								qs: { app_id: run.workspace.appId },
								body: { identity_type: user.type, identity_value: user.identifier },
							},
							readAccepted,
							HINTS,
							signal,
						),
					settle: (): Outcome[] => ['deleted'],
					weight: () => 1,
					// Deleting again is harmless (accepted again within the 24 hours): resent after a lost answer as often as Max Retries allows.
					resendsAfterLostAnswer: () => Infinity,
					verdict: (_, exchange) =>
						exchange.status === 400 && exchange.failure.type === 'Not Found'
							? 'notFound'
							: undefined,
				},
			},
		),

	place: (_, outcome, item) => passOn(outcome === 'deleted' ? DELETED : NOT_FOUND, item),
	repeating:
		'harmless, MoEngage accepts a deletion again within the 24 hours, or answers Not Found',
});
