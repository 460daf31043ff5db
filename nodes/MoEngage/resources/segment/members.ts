/**
 * Segment → Add Users, Remove Users, Add or Remove Users: Cohort Sync (docs/moengage-api.md#cohort-sync).
 * A request is one segment and one action; items of the same segment and action share requests as
 * full as 128 KB allows, and a customer named twice is sent once. Where one customer's action in a
 * segment changes between items (added, then removed), the later action waits for MoEngage's answer
 * to the earlier one, so MoEngage receives them in item order.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { defineOperation, type OperationModule } from '../../pipeline/execute';
import { itemProblem } from '../../pipeline/items';
import {
	passOn,
	type Grouped,
	type OperationRun,
	type Planned,
	type Refused,
	type Sent,
} from '../../pipeline/operation';
import {
	needParameter,
	readSending,
	sendingOptions,
	type PerMinute,
	type Sending,
} from '../../pipeline/options';
import { sendInRounds, type InRound } from '../../pipeline/rounds';
import type { Checked } from '../../shared/checked';
import { checkCustomerId, customerIdProperty, normaliseIdentifier } from '../../shared/identifiers';
import { COHORT_REQUESTS_PER_MINUTE, MAX_REQUEST_BYTES } from '../../shared/limits';
import { jsonBytes, packBySize } from '../../shared/packing';
import { readAccepted, type Hints } from '../../shared/transport';

const PER_MINUTE: PerMinute = {
	name: 'requestsPerMinute',
	displayName: 'Requests per Minute',
	default: COHORT_REQUESTS_PER_MINUTE,
	description:
		'The Cohort Sync limit to stay under: MoEngage allows 300 requests a minute per workspace, each carrying up to 128 KB of customer IDs. Shared by every execution on this workspace in this n8n process.',
};

const DEFAULT_PARTNER = 'n8n';

/** Cohort Sync's name rules: "must not start with a period (.)" nor contain these characters. */
const RESTRICTED_NAME_CHARACTERS = ['|', '*', '?', '\\', ':', '<', '>', '=', '$', '"'];

type Action = 'add_members' | 'remove_members';

/** What an item may say in Action (or an expression may give): the editor's values and MoEngage's. */
const ACTIONS: Record<string, Action> = {
	add: 'add_members',
	remove: 'remove_members',
	add_members: 'add_members',
	remove_members: 'remove_members',
};

const HINTS: Hints = {
	400: {
		what: 'MoEngage rejected the request',
		todo: "Check this item's Customer ID, Segment Name and Segment ID.",
	},
	'401 Authentication Mismatch': {
		what: 'MoEngage found a different Workspace ID in the MOE-APPKEY header than in the authentication',
		todo: "The node sends the credential's Workspace ID in both, so a proxy in front of MoEngage (Custom URL) may be changing one of them; otherwise check the Workspace ID in the MoEngage API credential (Settings → Account → APIs).",
	},
	413: {
		what: 'The request was larger than MoEngage accepts (128 KB)',
		todo: 'Some customer IDs or segment names are unusually long: check them.',
	},
};

const FIX =
	'Set "Customer ID" to each item\'s customer ID, e.g. {{ $json.customer_id }}, and "Segment Name" to a name without a leading "." and without | * ? \\ : < > = $ ".';

interface Segment {
	name: string;
	id: string;
}

interface Part {
	action: Action;
	segment: Segment;
	customerId: string;
}

/** A customer's change in a segment; its round is 0 for its first change there, one more for each later one. */
interface Member extends InRound {
	action: Action;
	segment: Segment;
	/** Its share of a request: `{"uid": …}` and a comma. */
	bytes: number;
}

interface Settings {
	sending: Sending;
	partner: string;
}

export function checkSegmentName(value: unknown): Checked<string> {
	const name = normaliseIdentifier(value);
	if (!name.ok) return name;
	if (name.value.startsWith('.'))
		return {
			ok: false,
			problem: `is "${name.value}"; MoEngage refuses a name that starts with "."`,
		};
	const restricted = RESTRICTED_NAME_CHARACTERS.filter((character) =>
		name.value.includes(character),
	);
	if (restricted.length > 0) {
		return {
			ok: false,
			problem: `is "${name.value}"; MoEngage refuses a name with ${restricted.map((character) => `"${character}"`).join(', ')}`,
		};
	}
	return name;
}

export function checkAction(value: unknown): Checked<Action> {
	const given = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
	const action = given !== undefined && Object.hasOwn(ACTIONS, given) ? ACTIONS[given] : undefined;
	return action !== undefined
		? { ok: true, value: action }
		: {
				ok: false,
				problem: `is ${JSON.stringify(value) ?? 'nothing'}; use "add" or "remove"`,
			};
}

function settings(context: IExecuteFunctions): Settings {
	const sending = readSending(context, PER_MINUTE);
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const partner = needParameter(
		context,
		'Partner',
		normaliseIdentifier(options.partner ?? DEFAULT_PARTNER),
	);
	return { sending, partner };
}

const envelopeOf = (action: Action, partner: string, segment: Segment, members: unknown[]) => ({
	action,
	partner,
	parameters: { cohort_name: segment.name, cohort_id: segment.id, members },
});

/**
 * The items' parts as members, in item order: a customer joins its latest member in the segment
 * while the action is the same (sent once), and starts a new round where the action changes.
 * A segment ID that an earlier item gave another name is refused: one ID, one segment.
 */
function membersOf(planned: ReadonlyArray<Planned<Part>>, partner: string): Grouped<Member> {
	const latest = new Map<string, Member>();
	const named = new Map<string, { name: string; itemIndex: number }>();
	const members: Member[] = [];
	const unitOf = new Map<number, Member>();
	const refused = new Map<number, Refused>();
	planned.forEach((plan, itemIndex) => {
		if (!plan.ok) return;
		const { action, segment, customerId } = plan.part;
		const about = { type: 'customer_id', identifier: customerId };
		const earlier = named.get(segment.id);
		if (earlier !== undefined && earlier.name !== segment.name) {
			const problem = `the Segment ID "${segment.id}" is named "${earlier.name}" by item ${earlier.itemIndex}, and "${segment.name}" here; one segment ID takes one name in a run`;
			refused.set(itemIndex, itemProblem(itemIndex, problem, FIX, about));
			return;
		}
		named.set(segment.id, earlier ?? { name: segment.name, itemIndex });
		const key = `${segment.id}\u0000${customerId}`;
		let member = latest.get(key);
		if (member === undefined || member.action !== action) {
			member = {
				itemIndexes: [],
				type: 'customer_id',
				identifier: customerId,
				action,
				segment,
				round: member === undefined ? 0 : member.round + 1,
				bytes: jsonBytes({ uid: customerId }) + 1,
			};
			const alone = jsonBytes(envelopeOf(action, partner, segment, [{ uid: customerId }]));
			if (alone > MAX_REQUEST_BYTES) {
				const problem = `customer_id "${customerId}" in segment "${segment.name}" makes a request of ${alone} bytes; Cohort Sync takes at most ${MAX_REQUEST_BYTES}`;
				refused.set(itemIndex, itemProblem(itemIndex, problem, FIX, about));
				return;
			}
			latest.set(key, member);
			members.push(member);
		}
		member.itemIndexes.push(itemIndex);
		unitOf.set(itemIndex, member);
	});
	return { units: members, unitOf, refused };
}

/** A round's members as requests: one segment and one action each, as full as 128 KB allows. */
function requestsOf(members: readonly Member[], partner: string): Member[][] {
	const bySegmentAndAction = new Map<string, Member[]>();
	for (const member of members) {
		const key = `${member.action}\u0000${member.segment.id}`;
		const list = bySegmentAndAction.get(key) ?? [];
		if (list.length === 0) bySegmentAndAction.set(key, list);
		list.push(member);
	}
	return [...bySegmentAndAction.values()].flatMap((list) => {
		const envelope = jsonBytes(envelopeOf(list[0].action, partner, list[0].segment, []));
		// Each member counts a comma; the last one has none, so the request may hold one byte more.
		return packBySize(list, Infinity, MAX_REQUEST_BYTES - envelope + 1, (member) => member.bytes);
	});
}

/** Sends the members round by round: a customer's later change in a segment after its earlier one. */
async function send(
	run: OperationRun<Settings>,
	members: Member[],
): Promise<Sent<Member, 'accepted'>> {
	const { partner } = run.settings;
	return await sendInRounds(
		members,
		async (round) =>
			await run.send(requestsOf(round, partner), {
				budget: 'cohort sync',
				unit: 'requests',
				io: {
					send: async (batch, signal) =>
						await run.request(
							{
								path: '/v1/integrations/cohortsync',
								headers: { 'MOE-APPKEY': run.workspace.appId },
								body: envelopeOf(
									batch[0].action,
									partner,
									batch[0].segment,
									batch.map((member) => ({ uid: member.identifier })),
								),
							},
							readAccepted,
							HINTS,
							signal,
						),
					settle: (batch) => batch.map(() => 'accepted' as const),
					weight: () => 1,
					// Adding a member again, or removing one already gone, changes nothing: resent after a lost answer as often as Max Retries allows.
					resendsAfterLostAnswer: () => Infinity,
					// A 400 naming the members (or a uid) is some member's fault: split to find it.
					blame400: (exchange) =>
						exchange.blames === 'members' || exchange.blames === 'uid'
							? 'units'
							: exchange.blames === undefined
								? 'unknown'
								: 'request',
				},
			}),
	);
}

const NOTICE: INodeProperties = {
	displayName:
		'MoEngage only matches users it already has, by customer ID: this creates no users, and an unknown ID is ignored without a word. Adding users to a segment that does not exist yet creates it, in the Default Team. Segments made on the dashboard or with the File Segment API cannot be changed this way. MoEngage accepts each request at once and applies it soon after.',
	name: 'segmentNotice',
	type: 'notice',
	default: '',
};

const SEGMENT_PROPERTIES: INodeProperties[] = [
	{
		displayName: 'Segment Name',
		name: 'segmentName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Newsletter sign-ups',
		description:
			'The custom segment in MoEngage, created the first time users are added to it. It may not start with "." nor contain | * ? \\ : &lt; &gt; = $ ". An expression may give each item its own.',
	},
	{
		displayName: 'Segment ID',
		name: 'segmentId',
		type: 'string',
		default: '',
		placeholder: 'Same as Segment Name',
		description:
			"Your own stable key for the segment (MoEngage's cohort_id). Empty: the Segment Name. Keep it the same across runs so that every run fills the same segment.",
	},
];

const partnerOption: INodeProperties = {
	displayName: 'Partner',
	name: 'partner',
	type: 'string',
	default: DEFAULT_PARTNER,
	description:
		"Sent as Cohort Sync's partner, which MoEngage documents as the name of the partner whose cohort is synced: the system the segment comes from",
};

function membersOperation(entry: {
	value: string;
	name: string;
	action: string;
	description: string;
	/** The Action of every item, or undefined: read per item from the Action parameter. */
	fixed?: Action;
}): OperationModule {
	const actionProperty: INodeProperties[] =
		entry.fixed === undefined
			? [
					{
						displayName: 'Action',
						name: 'memberAction',
						type: 'options',
						options: [
							{ name: 'Add', value: 'add', description: 'Add the user to the segment' },
							{ name: 'Remove', value: 'remove', description: 'Remove the user from the segment' },
						],
						default: 'add',
						description:
							"Whether to add each item's user or remove it. An expression may give add or remove per item.",
					},
				]
			: [];
	return defineOperation<Settings, Part, Member, 'accepted'>({
		value: entry.value,
		name: entry.name,
		action: entry.action,
		description: entry.description,
		outputs: ['Accepted'],
		properties: [
			NOTICE,
			...actionProperty,
			customerIdProperty("The user's customer ID; each user is sent once per segment and action"),
			...SEGMENT_PROPERTIES,
			sendingOptions(PER_MINUTE, { forwardedFor: false, extra: [partnerOption] }),
		],
		fix: FIX,
		settings,

		plan(run) {
			// A Segment ID left empty in the editor is the Segment Name; one that an expression gives empty is refused.
			const { segmentId } = run.context.getNode().parameters;
			const idFromName = segmentId === undefined || segmentId === '';
			return (itemIndex): Planned<Part> => {
				let action = entry.fixed;
				if (action === undefined) {
					const checked = checkAction(run.read('memberAction', itemIndex, undefined));
					if (!checked.ok) return itemProblem(itemIndex, `the Action ${checked.problem}`, FIX);
					action = checked.value;
				}
				const customerId = checkCustomerId(run.read('customerId', itemIndex, undefined));
				if (!customerId.ok)
					return itemProblem(itemIndex, `the Customer ID ${customerId.problem}`, FIX);
				const about = { type: 'customer_id', identifier: customerId.value };
				const name = checkSegmentName(run.read('segmentName', itemIndex, undefined));
				if (!name.ok) return itemProblem(itemIndex, `the Segment Name ${name.problem}`, FIX, about);
				const id = idFromName ? name : normaliseIdentifier(run.read('segmentId', itemIndex, ''));
				if (!id.ok) return itemProblem(itemIndex, `the Segment ID ${id.problem}`, FIX, about);
				const segment = { name: name.value, id: id.value };
				return { ok: true, part: { action, segment, customerId: customerId.value } };
			};
		},

		group: (run, planned) => membersOf(planned, run.settings.partner),
		send,
		place: (_, __, item) => passOn(0, item),
		repeating: 'harmless, adding a member again or removing one already gone changes nothing',
	});
}

export const addUsers = membersOperation({
	value: 'add',
	name: 'Add Users',
	action: 'Add users to a segment',
	description: "Add each item's user to a custom segment, created if missing",
	fixed: 'add_members',
});

export const removeUsers = membersOperation({
	value: 'remove',
	name: 'Remove Users',
	action: 'Remove users from a segment',
	description: "Remove each item's user from a custom segment",
	fixed: 'remove_members',
});

export const addOrRemoveUsers = membersOperation({
	value: 'addOrRemove',
	name: 'Add or Remove Users',
	action: 'Add or remove users in a segment',
	description: "Add or remove each item's user as its Action says, in item order",
});
