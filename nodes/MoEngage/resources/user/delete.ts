/**
 * User → Delete: one request per distinct user (MoEngage takes one a request). MoEngage answers an
 * unknown user with 400 "Not Found": that is the Not Found output, not an error.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { checkIdentifierType, identifierTypeProperty, normaliseIdentifier, type IdentifierType } from '../../shared/identifiers';
import { DELETE_REQUESTS_PER_MINUTE, deleteRequestsInFlight } from '../../shared/limits';
import {
	beginRun,
	groupUnits,
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
import { readAccepted, requestMoEngage, type Hints } from '../../shared/transport';

const show = { resource: ['user'], operation: ['delete'] };

const PER_MINUTE = { name: 'requestsPerMinute', displayName: 'Requests per Minute', default: DELETE_REQUESTS_PER_MINUTE };

const DELETED = 0;
const NOT_FOUND = 1;

export const description: INodeProperties[] = [
	{
		displayName:
			'Deleting is irreversible. MoEngage deletes each user for good 24 hours after the request, with no undo; the user\'s events are kept but can no longer be reached.',
		name: 'deleteNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	identifierTypeProperty(show),
	{
		displayName: 'Identifier',
		name: 'identifier',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.customer_id }}',
		description: 'The user to delete for each item; each distinct user is sent once',
		displayOptions: { show },
	},
	sendingOptions(show, {
		...PER_MINUTE,
		type: 'number',
		typeOptions: { minValue: 1 },
		description:
			'The Delete User limit to stay under: MoEngage allows 5,000 requests (one user each) a minute per workspace. Shared by every execution on this workspace in this n8n process.',
	}),
];

/** Delete's enum spells a MoEngage ID `moengage_id` (checkIdentifierType reads either spelling as `id`). */
const WIRE_TYPES: Record<IdentifierType, string> = { customer_id: 'customer_id', id: 'moengage_id' };

const HINTS: Hints = {
	400: { what: 'MoEngage rejected the request', todo: "Check this item's identifier and Identifier Type." },
	429: {
		what: "MoEngage's rate limit was exceeded",
		todo: 'Another workflow or app is spending the same workspace limit: lower Requests per Minute, or schedule the workflows apart.',
	},
};

type Outcome = 'deleted' | 'notFound';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const run = await beginRun(this, 2, () => readSending(this, PER_MINUTE));
	if (Array.isArray(run)) return run;
	const { items, continueOnFail, workspace, settings: sending } = run;
	const todo = 'Set "Identifier" to an expression that gives each item\'s ID, e.g. {{ $json.customer_id }}, and "Identifier Type" to customer_id or moengage_id.';
	const read = parameterReader(this, items);
	const planned = planItems(this, items, continueOnFail, (itemIndex): Planned<{ type: string; identifier: string }> => {
		const type = checkIdentifierType(read('identifierType', itemIndex));
		if (!type.ok) return itemProblem(itemIndex, `the identifier type ${type.problem}`, todo);
		const identifier = normaliseIdentifier(read('identifier', itemIndex, undefined));
		if (!identifier.ok) return itemProblem(itemIndex, `the identifier ${identifier.problem}`, todo);
		return { ok: true, part: { type: WIRE_TYPES[type.value], identifier: identifier.value } };
	});

	const { units: users, unitOf } = groupUnits(
		planned,
		(part) => `${part.type}\u0000${part.identifier}`,
		(part): Unit => ({ itemIndexes: [], ...part }),
	);

	const sent = await sendUnits<Unit, unknown, Outcome>(this, workspace, sending, users.map((user) => [user]), {
		budget: 'delete',
		unit: 'requests',
		requestsInFlight: deleteRequestsInFlight(sending.perMinute),
		io: {
			send: async ([user], signal) =>
				await requestMoEngage(
					this,
					workspace,
					{
						path: '/v1/customer/delete',
						qs: { app_id: workspace.appId },
						body: { identity_type: user.type, identity_value: user.identifier },
						forwardedFor: sending.forwardedFor,
						timeoutMs: sending.timeoutMs,
						signal,
					},
					readAccepted,
					HINTS,
				),
			settle: () => ['deleted'],
			weight: () => 1,
			// Deleting again is harmless (accepted again within the 24 hours): resent after a lost answer as often as Max Retries allows.
			resendsAfterLostAnswer: () => Infinity,
			verdict: (_, exchange) => (exchange.status === 400 && exchange.failure.type === 'Not Found' ? 'notFound' : undefined),
		},
	});
	return routeWrites(this, planned, unitOf, sent, {
		outputs: 2,
		outputOf: (outcome) => (outcome === 'deleted' ? DELETED : NOT_FOUND),
		repeating: 'harmless, MoEngage accepts a deletion again within the 24 hours, or answers Not Found',
	});
}
