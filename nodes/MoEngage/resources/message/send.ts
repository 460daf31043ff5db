/**
 * Message → Send: one Inform request per message (docs/moengage-api.md#inform), SMS, email and
 * push in one call. Exactly once rests on Inform's transaction_id: MoEngage answers 409 "Duplicate
 * Transaction ID" to a transaction_id it took within 5 minutes, so every copy of a message carries
 * the same one, a resend after a lost answer leaves only inside that window, and a 409 to a copy
 * the node itself sent again means the earlier copy went through.
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { defineOperation } from '../../pipeline/execute';
import { itemProblem } from '../../pipeline/items';
import type {
	Grouped,
	OperationRun,
	Placed,
	Planned,
	Refused,
	Sent,
	Unit,
} from '../../pipeline/operation';
import {
	needParameter,
	readSending,
	sendingOptions,
	type PerMinute,
	type Sending,
} from '../../pipeline/options';
import { type Checked, isRecord } from '../../shared/checked';
import { normaliseIdentifier } from '../../shared/identifiers';
import {
	INFORM_MAX_RETRIES,
	INFORM_REQUESTS_PER_MINUTE,
	INFORM_RESEND_WITHIN_MS,
	MAX_ATTACHMENT_BYTES,
	MAX_ATTACHMENTS,
	MAX_TRANSACTION_ID_LENGTH,
	oneUnitRequestsInFlight,
} from '../../shared/limits';
import type { Failure } from '../../shared/results';
import { workspaceOf, type CredentialKind, type Hints, type Place } from '../../shared/transport';

export const INFORM_CREDENTIAL: CredentialKind = {
	type: 'moEngageInformApi',
	displayName: 'MoEngage Inform API',
	keyName: 'Inform API key',
};

const PER_MINUTE: PerMinute = {
	name: 'requestsPerMinute',
	displayName: 'Requests per Minute',
	default: INFORM_REQUESTS_PER_MINUTE,
	maxRetries: INFORM_MAX_RETRIES,
	description:
		'The Inform limit to stay under: MoEngage allows 10,000 requests a minute per workspace, one message each. Shared by every execution on this workspace in this n8n process.',
};

type Channel = 'SMS' | 'EMAIL' | 'PUSH';

const CHANNELS: ReadonlyArray<{ value: Channel; name: string; recipient: string; key: string }> = [
	{ value: 'SMS', name: 'SMS', recipient: 'mobile number', key: 'sms' },
	{ value: 'EMAIL', name: 'Email', recipient: 'email address', key: 'email' },
	{ value: 'PUSH', name: 'Push', recipient: 'push token', key: 'push' },
];

/** Inform documents sender attributes for SMS and email only, and attachments for email only. */
const WITH_SENDER: readonly Channel[] = ['SMS', 'EMAIL'];

const FIX =
	"Set the Alert, the Transaction ID (e.g. {{ $json.order_id }}) and each chosen channel's Recipient for every item.";

/**
 * Inform documents a transaction_id, once as "successful", once as "successful or in-progress"
 * within 5 minutes; either way a 409 means MoEngage holds a message with it.
 */
const DUPLICATE_STATUS = 409;

interface Attachment {
	key: string;
	property: string;
}

interface Part {
	transactionId: string;
	/** The node made the transaction_id: only this node, in this execution, ever sends it. */
	generated: boolean;
	alert: string;
	body: IDataObject;
	attachments: Attachment[];
}

/** One message: its request body, and the attachments still to be read from its item. */
interface Message extends Unit {
	alert: string;
	generated: boolean;
	body: IDataObject;
	attachments: Attachment[];
	/** The body's JSON, to tell a repeat of the message from another message with its ID. */
	bodyJson: string;
}

type Outcome =
	| { kind: 'accepted'; answer: IDataObject }
	/** 409 to a copy the node sent again, or to an ID only this node sends: an earlier copy went through. */
	| { kind: 'accepted earlier' }
	/** 409 to a message MoEngage took from someone else (another run, another item) within 5 minutes. */
	| { kind: 'duplicate' };

interface Settings {
	sending: Sending;
	channels: Channel[];
	testAlert: boolean;
	alertBy: 'id' | 'referenceName';
	personalizedFrom: 'pairs' | 'json' | 'none';
	/** The start of the transaction_id the node makes for an item without one. */
	generatedPrefix: string;
}

/** cyrb53: a 53-bit string hash, so that two nodes' transaction IDs practically never meet. */
function hash53(text: string): number {
	let h1 = 0xdeadbeef;
	let h2 = 0x41c6ce57;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		h1 = Math.imul(h1 ^ code, 2654435761);
		h2 = Math.imul(h2 ^ code, 1597334677);
	}
	h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
	h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
	return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * The transaction IDs the node makes: stable per execution, node and item, so n8n's Retry On Fail
 * reuses them; the node's hash keeps two Inform nodes of a workflow (and two n8n instances whose
 * execution numbers meet) apart. A manual run without an execution ID gets a random one.
 */
export function generatedPrefix(context: IExecuteFunctions): string {
	const execution = String(
		context.getExecutionId() ?? Math.floor(Math.random() * 2 ** 52).toString(36),
	);
	const node = context.getNode();
	const owner = `${context.getInstanceId()}/${context.getWorkflow().id ?? ''}/${node.id ?? node.name}`;
	const readable = `n8n-${execution}-${hash53(owner).toString(36)}`;
	// Room for "-" and an item number of up to 7 digits.
	return readable.length <= MAX_TRANSACTION_ID_LENGTH - 8
		? readable
		: `n8n-${hash53(`${owner}/${execution}`).toString(36)}`;
}

/** Where Inform is: its current or older address, live or test alerts (the sandbox). */
export function informPlace(older: boolean, testAlert: boolean): Place {
	return {
		hostOf: (dataCenter) =>
			`https://${testAlert ? 'sandbox-' : ''}${older ? 'inform-' : ''}api-${dataCenter}.moengage.com`,
		customUrlField: testAlert ? 'sandboxUrl' : 'baseUrl',
		customUrlName: testAlert ? 'Sandbox Base URL' : 'Base URL',
		pathPrefix: older ? '/v1' : '/v1.0/alerts',
	};
}

function informWorkspace(credentials: ICredentialDataDecryptedObject, settings: Settings) {
	if (
		settings.testAlert &&
		credentials.dataCenter === 'custom' &&
		String(credentials.sandboxUrl ?? '').trim() === ''
	) {
		return {
			ok: false as const,
			problem:
				'test alerts go to the Sandbox Base URL, which the MoEngage Inform API credential leaves empty',
		};
	}
	return workspaceOf(
		credentials,
		INFORM_CREDENTIAL,
		informPlace(credentials.endpoint === 'older', settings.testAlert),
	);
}

function settings(context: IExecuteFunctions): Settings {
	const sending = readSending(context, PER_MINUTE);
	const chosen = context.getNodeParameter('channels', 0, []) as string[];
	const channels = CHANNELS.map(({ value }) => value).filter((value) => chosen.includes(value));
	if (channels.length === 0) {
		needParameter(context, 'Channels', {
			ok: false,
			problem: 'names no channel: choose SMS, Email or Push',
		});
	}
	return {
		sending,
		channels,
		testAlert: context.getNodeParameter('testAlert', 0, false) === true,
		alertBy: context.getNodeParameter('alertBy', 0, 'id') as Settings['alertBy'],
		personalizedFrom: context.getNodeParameter(
			'personalizedFrom',
			0,
			'pairs',
		) as Settings['personalizedFrom'],
		generatedPrefix: generatedPrefix(context),
	};
}

function parseJson(value: unknown): Checked<unknown> {
	if (typeof value !== 'string') return { ok: true, value };
	if (value.trim() === '') return { ok: true, value: undefined };
	try {
		return { ok: true, value: JSON.parse(value) as unknown };
	} catch (error) {
		return { ok: false, problem: `does not parse as JSON: ${(error as Error).message}` };
	}
}

/** Personalized attributes from pairs or JSON: each fills a placeholder of the alert's template. */
function readAttributes(
	run: OperationRun<Settings>,
	channel: (typeof CHANNELS)[number],
	itemIndex: number,
): Checked<IDataObject> {
	const { personalizedFrom } = run.settings;
	if (personalizedFrom === 'none') return { ok: true, value: {} };
	if (personalizedFrom === 'json') {
		const parsed = parseJson(run.read(`${channel.key}AttributesJson`, itemIndex, '{}'));
		if (!parsed.ok) return parsed;
		if (parsed.value === undefined) return { ok: true, value: {} };
		return isRecord(parsed.value)
			? { ok: true, value: parsed.value as IDataObject }
			: { ok: false, problem: 'is not a JSON object such as {"order_id": "A-1"}' };
	}
	const pairs = (run.read(`${channel.key}Attributes`, itemIndex, {}) as IDataObject).attribute;
	const attributes: IDataObject = {};
	for (const pair of (pairs ?? []) as Array<{ name?: unknown; value?: unknown }>) {
		const name = typeof pair.name === 'string' ? pair.name.trim() : '';
		if (name === '') return { ok: false, problem: 'has an attribute without a name' };
		attributes[name] = pair.value as IDataObject[string];
	}
	return { ok: true, value: attributes };
}

/**
 * Inform's yaml types sender_attributes as a list of strings, its Test Alert guide as an object of
 * attributes: the node sends what the user typed, either of the two.
 */
function readSenderAttributes(value: unknown): Checked<unknown> {
	const parsed = parseJson(value);
	if (!parsed.ok || parsed.value === undefined) return parsed;
	const list = parsed.value;
	if (Array.isArray(list) && list.every((entry) => typeof entry === 'string'))
		return { ok: true, value: list };
	if (isRecord(list) && Object.values(list).every((entry) => typeof entry !== 'object'))
		return { ok: true, value: list };
	return {
		ok: false,
		problem:
			'is neither a list of texts such as ["Transactional"] nor an object such as {"campaign_type": "Transactional"}',
	};
}

function readAttachments(
	run: OperationRun<Settings>,
	itemIndex: number,
	item: INodeExecutionData,
): Checked<Attachment[]> {
	const given = (run.read('emailAttachments', itemIndex, {}) as IDataObject).attachment;
	const attachments: Attachment[] = [];
	for (const entry of (given ?? []) as Array<{ key?: unknown; binaryProperty?: unknown }>) {
		const key = normaliseIdentifier(entry.key);
		if (!key.ok) return { ok: false, problem: `an attachment's Attachment Key ${key.problem}` };
		const property = normaliseIdentifier(entry.binaryProperty);
		if (!property.ok)
			return { ok: false, problem: `the Input Binary Field of "${key.value}" ${property.problem}` };
		if (item.binary?.[property.value] === undefined) {
			const held = Object.keys(item.binary ?? {});
			return {
				ok: false,
				problem: `the item has no binary field "${property.value}" for attachment "${key.value}" (${held.length === 0 ? 'it has no binary data' : `it has ${held.map((name) => `"${name}"`).join(', ')}`})`,
			};
		}
		attachments.push({ key: key.value, property: property.value });
	}
	if (attachments.length > MAX_ATTACHMENTS) {
		return {
			ok: false,
			problem: `has ${attachments.length} attachments; Inform takes at most ${MAX_ATTACHMENTS}`,
		};
	}
	return { ok: true, value: attachments };
}

function plan(run: OperationRun<Settings>) {
	const { channels, alertBy, generatedPrefix: prefix } = run.settings;
	// A Transaction ID left empty in the editor is made by the node; one an expression gives empty is refused.
	const { transactionId: typedId } = run.context.getNode().parameters;
	const generatedIds = typedId === undefined || typedId === '';
	const alertField = alertBy === 'id' ? 'alert_id' : 'alert_reference_name';
	const alertName = alertBy === 'id' ? 'Alert ID' : 'Alert Reference Name';
	return (itemIndex: number, item: INodeExecutionData): Planned<Part> => {
		const problem = (text: string, about?: string) =>
			itemProblem(
				itemIndex,
				text,
				FIX,
				about === undefined ? undefined : { type: 'transaction_id', identifier: about },
			);
		const transactionId = generatedIds
			? { ok: true as const, value: `${prefix}-${itemIndex}` }
			: normaliseIdentifier(run.read('transactionId', itemIndex, ''));
		if (!transactionId.ok)
			return problem(
				`the Transaction ID ${transactionId.problem}; map it to an ID of the message such as the order ID, or leave the field empty for the node to make one`,
			);
		const id = transactionId.value;
		if (id.length > MAX_TRANSACTION_ID_LENGTH) {
			return problem(
				`the Transaction ID "${id}" has ${id.length} characters; Inform takes at most ${MAX_TRANSACTION_ID_LENGTH}`,
				id,
			);
		}
		const alert = normaliseIdentifier(
			run.read(alertBy === 'id' ? 'alertId' : 'alertReferenceName', itemIndex, ''),
		);
		if (!alert.ok) return problem(`the ${alertName} ${alert.problem}`, id);
		const userId = run.read('userId', itemIndex, '');
		const body: IDataObject = { [alertField]: alert.value, transaction_id: id };
		if (userId !== '' && userId !== undefined && userId !== null) {
			const user = normaliseIdentifier(userId);
			if (!user.ok) return problem(`the User ID ${user.problem}`, id);
			body.user_id = user.value;
		}
		const payloads: IDataObject = {};
		let attachments: Attachment[] = [];
		for (const channel of CHANNELS.filter(({ value }) => channels.includes(value))) {
			const recipient = normaliseIdentifier(run.read(`${channel.key}Recipient`, itemIndex, ''));
			if (!recipient.ok)
				return problem(
					`the ${channel.name} Recipient (${channel.recipient}) ${recipient.problem}`,
					id,
				);
			const payload: IDataObject = { recipient: recipient.value };
			const attributes = readAttributes(run, channel, itemIndex);
			if (!attributes.ok)
				return problem(`the ${channel.name} Personalized Attributes ${attributes.problem}`, id);
			if (Object.keys(attributes.value).length > 0)
				payload.personalized_attributes = attributes.value;
			if (WITH_SENDER.includes(channel.value)) {
				const sender = readSenderAttributes(
					run.read(`${channel.key}SenderAttributes`, itemIndex, ''),
				);
				if (!sender.ok)
					return problem(`the ${channel.name} Sender Attributes ${sender.problem}`, id);
				if (sender.value !== undefined) payload.sender_attributes = sender.value as IDataObject;
			}
			if (channel.value === 'EMAIL') {
				const read = readAttachments(run, itemIndex, item);
				if (!read.ok) return problem(`the Email Attachments: ${read.problem}`, id);
				attachments = read.value;
			}
			payloads[channel.value] = payload;
		}
		body.payloads = payloads;
		return {
			ok: true,
			part: { transactionId: id, generated: generatedIds, alert: alert.value, body, attachments },
		};
	};
}

/**
 * One message per transaction ID: items that repeat a message (the same ID, the same content, no
 * attachments) share it; an item that gives another message an ID already used is refused, since
 * MoEngage would refuse its copy as a duplicate.
 */
function group(_: OperationRun<Settings>, planned: ReadonlyArray<Planned<Part>>): Grouped<Message> {
	const byId = new Map<string, { message: Message; itemIndex: number }>();
	const units: Message[] = [];
	const unitOf = new Map<number, Message>();
	const refused = new Map<number, Refused>();
	planned.forEach((plan, itemIndex) => {
		if (!plan.ok) return;
		const { transactionId, generated, alert, body, attachments } = plan.part;
		const bodyJson = JSON.stringify(body);
		const earlier = byId.get(transactionId);
		if (earlier !== undefined) {
			const same =
				earlier.message.bodyJson === bodyJson &&
				attachments.length === 0 &&
				earlier.message.attachments.length === 0;
			if (!same) {
				refused.set(
					itemIndex,
					itemProblem(
						itemIndex,
						`the Transaction ID "${transactionId}" is item ${earlier.itemIndex}'s too, with another message; MoEngage sends one message per transaction ID and refuses a second within 5 minutes as a duplicate`,
						'Give each message its own Transaction ID, e.g. {{ $json.order_id }}-sms.',
						{ type: 'transaction_id', identifier: transactionId },
					),
				);
				return;
			}
			earlier.message.itemIndexes.push(itemIndex);
			unitOf.set(itemIndex, earlier.message);
			return;
		}
		const message: Message = {
			itemIndexes: [itemIndex],
			type: 'transaction_id',
			identifier: transactionId,
			alert,
			generated,
			body,
			attachments,
			bodyJson,
		};
		byId.set(transactionId, { message, itemIndex });
		units.push(message);
		unitOf.set(itemIndex, message);
	});
	return { units, unitOf, refused };
}

/** Inform's 200: `{message, request_id}`, and per channel `{message, err_code, status_code}` where MoEngage enabled them. */
function readSent(body: unknown): Checked<IDataObject> {
	if (!isRecord(body) || (typeof body.message !== 'string' && typeof body.request_id !== 'string'))
		return { ok: false, problem: 'it names neither a message nor a request_id' };
	return { ok: true, value: body as IDataObject };
}

/** Messages that carry attachments are read and sent this many at a time, so memory holds only these. */
const ATTACHMENT_ROUND = 100;

/** The message's attachments, read from its item's binary data as Inform takes them: base64. */
async function withAttachments(
	context: IExecuteFunctions,
	message: Message,
): Promise<Checked<IDataObject>> {
	const itemIndex = message.itemIndexes[0];
	const attachments: IDataObject = {};
	let bytes = 0;
	for (const { key, property } of message.attachments) {
		const buffer = await context.helpers.getBinaryDataBuffer(itemIndex, property);
		bytes += buffer.length;
		attachments[key] = buffer.toString('base64');
	}
	if (bytes >= MAX_ATTACHMENT_BYTES) {
		return {
			ok: false,
			problem: `Item ${itemIndex}: its attachments are ${bytes} bytes in all; Inform takes less than 4 MB (${MAX_ATTACHMENT_BYTES} bytes)`,
		};
	}
	const payloads = message.body.payloads as IDataObject;
	return {
		ok: true,
		value: {
			...message.body,
			payloads: {
				...payloads,
				EMAIL: { ...(payloads.EMAIL as IDataObject), personalized_attachments: attachments },
			},
		},
	};
}

function hintsFor(message: Message, settings: Settings): Hints {
	const alert = `${settings.alertBy === 'id' ? 'alert ID' : 'alert reference name'} "${message.alert}"`;
	return {
		400: {
			what: `MoEngage rejected the message of ${alert}`,
			todo: settings.testAlert
				? "A test alert takes the alert's test ID (Inform → the alert → Test), not its live ID; otherwise check the item's recipients and attributes."
				: "Check the alert: it must be live (not paused or in draft) in this workspace; otherwise check the item's recipients and attributes.",
		},
		401: {
			what: 'MoEngage rejected the Inform credentials',
			todo: 'Check the Workspace ID and the Inform API key (Settings → Account → APIs → Inform, not the Data key), and that the data center matches your dashboard URL (dashboard-02 → DC 02).',
		},
	};
}

async function send(
	run: OperationRun<Settings>,
	messages: Message[],
): Promise<Sent<Message, Outcome>> {
	const { settings, context } = run;
	const endpoint = {
		budget: 'inform',
		unit: 'requests',
		requestsInFlight: oneUnitRequestsInFlight(settings.sending.perMinute),
		io: {
			send: async (batch: readonly Message[], signal: AbortSignal) =>
				await run.request(
					{
						path: '/send',
						headers: { 'MOE-APPKEY': run.workspace.appId },
						body: bodies.get(batch[0]) ?? batch[0].body,
					},
					readSent,
					hintsFor(batch[0], settings),
					signal,
				),
			settle: (_: readonly Message[], answer: IDataObject): Outcome[] => [
				{ kind: 'accepted', answer },
			],
			weight: () => 1,
			verdict: (batch: readonly Message[], exchange: { status: number }, unanswered: number) =>
				exchange.status !== DUPLICATE_STATUS
					? undefined
					: unanswered > 0 || batch[0].generated
						? ({ kind: 'accepted earlier' } as const)
						: ({ kind: 'duplicate' } as const),
			// Every copy carries the transaction_id, so MoEngage refuses a repeat within 5 minutes…
			resendsAfterLostAnswer: () => Infinity,
			// …and no copy leaves after that.
			resendWithinMs: INFORM_RESEND_WITHIN_MS,
		},
	};
	const bodies = new Map<Message, IDataObject>();
	const plain = messages.filter((message) => message.attachments.length === 0);
	const attached = messages.filter((message) => message.attachments.length > 0);
	const sent: Sent<Message, Outcome> = await run.send(
		plain.map((message) => [message]),
		endpoint,
	);
	for (let start = 0; start < attached.length && !sent.stoppedBy; start += ATTACHMENT_ROUND) {
		const round: Message[] = [];
		for (const message of attached.slice(start, start + ATTACHMENT_ROUND)) {
			const body = await withAttachments(context, message);
			if (body.ok) {
				bodies.set(message, body.value);
				round.push(message);
			} else {
				const failure: Failure = {
					message: body.problem,
					description: 'Send smaller files, or fewer of them, with this message.',
				};
				sent.results.set(message, { kind: 'failed', failure });
			}
		}
		const next = await run.send(
			round.map((message) => [message]),
			endpoint,
		);
		round.forEach((message) => bodies.delete(message));
		for (const [message, result] of next.results) sent.results.set(message, result);
		if (next.stoppedBy) sent.stoppedBy = next.stoppedBy;
	}
	return sent;
}

function place(
	run: OperationRun<Settings>,
	outcome: Outcome,
	item: INodeExecutionData,
	message: Message,
): Placed {
	const transaction = message.identifier;
	if (outcome.kind === 'duplicate') {
		return {
			failure: {
				message: `MoEngage refused transaction_id "${transaction}" as a duplicate (409 Duplicate Transaction ID): it took a message with this ID within the last 5 minutes, so this one was not sent`,
				description:
					'If it is the same message, it has already been sent. To send another message, give it its own Transaction ID.',
				httpCode: DUPLICATE_STATUS,
				type: 'DUPLICATE_REQUEST_RECEIVED',
			},
		};
	}
	const moengage: IDataObject = { transaction_id: transaction };
	if (outcome.kind === 'accepted') {
		for (const key of ['request_id', 'message', ...CHANNELS.map(({ value }) => value)]) {
			if (outcome.answer[key] !== undefined) moengage[key] = outcome.answer[key];
		}
	} else {
		// The answer to an earlier copy was lost; MoEngage's 409 to this one says that copy went through.
		moengage.accepted_earlier = true;
	}
	if (run.settings.testAlert) moengage.test_alert = true;
	return {
		output: 0,
		json: { ...item.json, moengage },
		...(item.binary ? { binary: item.binary } : {}),
	};
}

const attributePairs = (channel: (typeof CHANNELS)[number]): INodeProperties => ({
	displayName: `${channel.name} Personalized Attributes`,
	name: `${channel.key}Attributes`,
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Attribute',
	default: {},
	description: "Values for the placeholders of the alert's template",
	displayOptions: { show: { channels: [channel.value], personalizedFrom: ['pairs'] } },
	options: [
		{
			name: 'attribute',
			displayName: 'Attribute',
			values: [
				{
					displayName: 'Name',
					name: 'name',
					type: 'string',
					default: '',
					placeholder: 'e.g. order_id',
				},
				{
					displayName: 'Value',
					name: 'value',
					type: 'string',
					default: '',
					placeholder: 'e.g. {{ $json.order_id }}',
				},
			],
		},
	],
});

function channelProperties(channel: (typeof CHANNELS)[number]): INodeProperties[] {
	const shown = { show: { channels: [channel.value] } };
	const properties: INodeProperties[] = [
		{
			displayName: `${channel.name} Recipient`,
			name: `${channel.key}Recipient`,
			type: 'string',
			required: true,
			default: '',
			placeholder:
				channel.value === 'SMS'
					? 'e.g. {{ $json.phone }}'
					: channel.value === 'EMAIL'
						? 'e.g. {{ $json.email }}'
						: 'e.g. {{ $json.push_token }}',
			description: `The ${channel.recipient} to send to`,
			displayOptions: shown,
		},
		attributePairs(channel),
		{
			displayName: `${channel.name} Personalized Attributes (JSON)`,
			name: `${channel.key}AttributesJson`,
			type: 'json',
			default: '{}',
			placeholder: '{"order_id": "A-1001"}',
			displayOptions: { show: { channels: [channel.value], personalizedFrom: ['json'] } },
		},
	];
	if (WITH_SENDER.includes(channel.value)) {
		properties.push({
			displayName: `${channel.name} Sender Attributes`,
			name: `${channel.key}SenderAttributes`,
			type: 'json',
			default: '',
			placeholder: '{"campaign_type": "Transactional"}',
			description:
				"The API attributes the alert's sender rules choose a sender by. MoEngage documents them both as a list of texts and as an object; the node sends what you type. Empty: MoEngage's default sender.",
			displayOptions: shown,
		});
	}
	if (channel.value === 'EMAIL') {
		properties.push({
			displayName: 'Email Attachments',
			name: 'emailAttachments',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Attachment',
			default: {},
			description: `Files from the item's binary data, sent as the alert's "Attach via API" attachments: at most ${MAX_ATTACHMENTS}, less than 4 MB in all`,
			displayOptions: shown,
			options: [
				{
					name: 'attachment',
					displayName: 'Attachment',
					values: [
						{
							displayName: 'Attachment Key',
							name: 'key',
							type: 'string',
							default: '',
							placeholder: 'e.g. invoice',
							description: 'The attachment key set on the alert in MoEngage',
						},
						{
							displayName: 'Input Binary Field',
							name: 'binaryProperty',
							type: 'string',
							default: 'data',
							description: 'The binary field of the item that holds the file',
						},
					],
				},
			],
		});
	}
	return properties;
}

export const sendMessage = defineOperation<Settings, Part, Message, Outcome>({
	value: 'send',
	name: 'Send',
	action: 'Send a transactional message',
	description: "Send an Inform alert by SMS, email or push to each item's recipient",
	outputs: ['Sent'],
	credential: { kind: INFORM_CREDENTIAL, workspace: informWorkspace },
	properties: [
		{
			displayName: `Each item sends one message through an Inform alert you made in MoEngage. A message is sent at most once per Transaction ID: MoEngage refuses the same ID again within 5 minutes, and the node resends a message whose answer was lost only within that time.`,
			name: 'informNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Alert By',
			name: 'alertBy',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Alert ID', value: 'id' },
				{ name: 'Alert Reference Name', value: 'referenceName' },
			],
			default: 'id',
			description: 'How to name the Inform alert',
		},
		{
			displayName: 'Alert ID',
			name: 'alertId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. 636b77e6e2cf83277195fb60',
			description: "The alert's ID from Inform in MoEngage; a test alert takes the alert's test ID",
			displayOptions: { show: { alertBy: ['id'] } },
		},
		{
			displayName: 'Alert Reference Name',
			name: 'alertReferenceName',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. order_shipped',
			displayOptions: { show: { alertBy: ['referenceName'] } },
		},
		{
			displayName: 'User ID',
			name: 'userId',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ $json.customer_id }}',
			description:
				"The user's customer ID in MoEngage: MoEngage logs the message's events on this user. Empty: the message is sent, and logged on no user.",
		},
		{
			displayName: 'Transaction ID',
			name: 'transactionId',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ $json.order_id }}',
			description: `Your ID of this message, at most ${MAX_TRANSACTION_ID_LENGTH} characters: MoEngage sends one message per ID within 5 minutes. Empty: the node makes one per execution and item, which protects retries within this execution only.`,
		},
		{
			displayName: 'Channels',
			name: 'channels',
			type: 'multiOptions',
			noDataExpression: true,
			required: true,
			options: CHANNELS.map(({ name, value }) => ({ name, value })),
			default: ['SMS'],
			description: 'The channels of the alert to send the message on',
		},
		{
			displayName: 'Personalized Attributes From',
			name: 'personalizedFrom',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Fields Below', value: 'pairs', description: 'Name and value pairs' },
				{ name: 'JSON', value: 'json', description: 'A JSON object per channel' },
				{ name: 'None', value: 'none', description: 'The template has no placeholders' },
			],
			default: 'pairs',
		},
		...CHANNELS.flatMap(channelProperties),
		{
			displayName: 'Send as Test Alert',
			name: 'testAlert',
			type: 'boolean',
			noDataExpression: true,
			default: false,
			description:
				"Whether to send through MoEngage's sandbox, to test the alert: it takes the alert's test ID",
		},
		sendingOptions(PER_MINUTE, { forwardedFor: false }),
	],
	fix: FIX,
	settings,
	plan,
	group,
	send,
	place,
	repeating:
		'within 5 minutes MoEngage refuses a transaction ID it already took, so each such item fails as a duplicate and no message goes twice; after that, or with the Transaction IDs the node makes, the messages are sent again',
});
