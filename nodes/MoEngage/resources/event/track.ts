/**
 * Event → Track: one event per item through Bulk Import. The events of one customer in a request
 * share one element (`actions[]`), in item order; each item keeps its own verdict.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { attributesInput, readAttributes } from '../../shared/attributes-input';
import {
	checkEventAttributes,
	checkEventName,
	checkTimezoneOffset,
	jsonBytes,
	parseEventTime,
	PLATFORMS,
} from '../../shared/attributes';
import { bulkAnswers, bulkSendingOptions, MAX_ELEMENT_BYTES, readResends, sendBulk } from '../../shared/bulk';
import { checkCustomerId } from '../../shared/identifiers';
import { BULK_EVENTS_PER_MINUTE } from '../../shared/limits';
import {
	beginRun,
	fieldsReadBy,
	groupUnits,
	itemProblem,
	parameterReader,
	planItems,
	readSending,
	routeWrites,
	sendUnits,
	type Planned,
	type Unit,
} from '../../shared/run';

const show = { resource: ['event'], operation: ['track'] };

const PER_MINUTE = { name: 'eventsPerMinute', displayName: 'Events per Minute', default: BULK_EVENTS_PER_MINUTE };

export const description: INodeProperties[] = [
	{
		displayName: 'Customer ID',
		name: 'customerId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.customer_id }}',
		description: 'The customer ID of the user the event belongs to',
		displayOptions: { show },
	},
	{
		displayName: 'Event Name',
		name: 'eventName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Order Placed',
		description: 'The event (action) name; names starting with moe_ are MoEngage\'s own',
		displayOptions: { show },
	},
	{
		displayName: 'Event Time',
		name: 'eventTime',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.created_at }}',
		description:
			'When the event happened: ISO 8601 (2026-05-31T16:33:35Z, 2026-05-31 16:33:35; without an offset it is UTC), or epoch seconds or milliseconds. Empty, or up to a minute ahead of this n8n\'s clock (e.g. {{ $now }}): MoEngage stamps it on arrival. Later times are refused: MoEngage drops future-dated events.',
		displayOptions: { show },
	},
	...attributesInput(show, 'pairs', 'event attributes', 'Customer ID, Event Name and Event Time'),
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show },
		options: [
			{ displayName: 'App Version', name: 'appVersion', type: 'string', default: '', placeholder: 'e.g. 1.2.3' },
			{
				displayName: 'Platform',
				name: 'platform',
				type: 'options',
				options: [
					{ name: 'Android', value: 'ANDROID' },
					{ name: 'iOS', value: 'iOS' },
					{ name: 'TV', value: 'TV' },
					{ name: 'Unknown', value: 'unknown' },
					{ name: 'Web', value: 'web' },
				],
				default: 'web',
				description: "MoEngage's platform enum; an expression's value is matched without case (android is sent as ANDROID)",
			},
			{
				displayName: 'Timezone Offset',
				name: 'timezoneOffset',
				type: 'number',
				typeOptions: { minValue: -54000, maxValue: 54000 },
				default: 0,
				description:
					"The user's offset from UTC in seconds, e.g. 19800 for UTC+5:30; MoEngage works out the user's local time from it. Leave it out unless you know each user's timezone: MoEngage then uses the profile's.",
			},
		],
	},
	bulkSendingOptions(show, PER_MINUTE, 'events', 'the events'),
];

interface TrackedEvent extends Unit {
	action: IDataObject;
	bytes: number;
}

const TODO = 'Fix this item\'s Customer ID, Event Name, Event Time or attributes; with "Continue" on error the other items are still sent.';

/** The events of a batch as Bulk Import elements: one per customer, its actions in item order. */
function elementsOf(batch: readonly TrackedEvent[]): IDataObject[] {
	const byCustomer = new Map<string, IDataObject[]>();
	for (const event of batch) {
		const actions = byCustomer.get(event.identifier) ?? [];
		byCustomer.set(event.identifier, actions);
		actions.push(event.action);
	}
	return [...byCustomer].map(([customerId, actions]) => ({ type: 'event', customer_id: customerId, actions }));
}

/**
 * Events into requests within Bulk Import's 100 KB. A customer's first event in a request costs its
 * whole element; each further one only its action, since they share the element's `actions[]`.
 */
function packEvents(events: readonly TrackedEvent[], maxEvents: number): TrackedEvent[][] {
	const batches: TrackedEvent[][] = [];
	let batch: TrackedEvent[] = [];
	let customers = new Set<string>();
	let bytes = 0;
	for (const event of events) {
		let size = customers.has(event.identifier) ? jsonBytes(event.action) + 1 : event.bytes + 1;
		if (batch.length > 0 && (batch.length >= maxEvents || bytes + size > MAX_ELEMENT_BYTES)) {
			batches.push(batch);
			batch = [];
			customers = new Set();
			bytes = 0;
			size = event.bytes + 1;
		}
		batch.push(event);
		customers.add(event.identifier);
		bytes += size;
	}
	if (batch.length > 0) batches.push(batch);
	return batches;
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const run = await beginRun(this, 1, () => ({ sending: readSending(this, PER_MINUTE), resends: readResends(this) }));
	if (Array.isArray(run)) return run;
	const { items, continueOnFail, workspace } = run;
	const { sending, resends } = run.settings;
	const read = parameterReader(this, items);
	const mapped = fieldsReadBy(this.getNode().parameters, ['customerId', 'eventName', 'eventTime']);
	const planned = planItems(this, items, continueOnFail, (itemIndex, item): Planned<TrackedEvent> => {
		const customerId = checkCustomerId(read('customerId', itemIndex, undefined));
		if (!customerId.ok) return itemProblem(itemIndex, `the Customer ID ${customerId.problem}`, TODO);
		const about = { type: 'customer_id', identifier: customerId.value };
		const name = checkEventName(read('eventName', itemIndex, undefined));
		if (!name.ok) return itemProblem(itemIndex, name.problem, TODO, about);
		const action: IDataObject = { action: name.value };
		const given = readAttributes(read, itemIndex, item, mapped);
		const attributes = given.ok ? checkEventAttributes(given.value) : given;
		if (!attributes.ok) return itemProblem(itemIndex, attributes.problem, TODO, about);
		if (Object.keys(attributes.value).length > 0) action.attributes = attributes.value;
		const time = read('eventTime', itemIndex, '') as unknown;
		if (time !== '' && time !== undefined && time !== null) {
			// The clock is read after the item's expressions ran: {{ $now }} is never ahead of it.
			const at = parseEventTime(time, Date.now());
			if (!at.ok) return itemProblem(itemIndex, at.problem, TODO, about);
			// current_time is the UTC instant; user_time would be the user's local clock, which
			// MoEngage works out from user_timezone_offset (or the profile's timezone) itself.
			if (at.value !== undefined) action.current_time = at.value;
		}
		const fields = read('additionalFields', itemIndex, {}) as IDataObject;
		if (fields.platform !== undefined && fields.platform !== '') {
			const platform = PLATFORMS.find((known) => known.toLowerCase() === String(fields.platform).trim().toLowerCase());
			if (platform === undefined) {
				return itemProblem(itemIndex, `the platform is "${String(fields.platform)}"; use one of ${PLATFORMS.join(', ')}`, TODO, about);
			}
			action.platform = platform;
		}
		if (fields.appVersion !== undefined && fields.appVersion !== '') action.app_version = String(fields.appVersion);
		const offset = checkTimezoneOffset(fields.timezoneOffset);
		if (!offset.ok) return itemProblem(itemIndex, offset.problem, TODO, about);
		if (offset.value !== undefined) action.user_timezone_offset = offset.value;
		const event: TrackedEvent = { itemIndexes: [], ...about, action, bytes: 0 };
		event.bytes = jsonBytes(elementsOf([event])[0]);
		if (event.bytes > MAX_ELEMENT_BYTES) {
			return itemProblem(itemIndex, `the event takes ${event.bytes} bytes; Bulk Import takes at most ${MAX_ELEMENT_BYTES}`, TODO, about);
		}
		return { ok: true, part: event };
	});

	// Every event is sent, even two alike: MoEngage counts them as two.
	const { units: events, unitOf } = groupUnits(planned, (_, itemIndex) => String(itemIndex), (event) => event);

	const sent = await sendUnits(this, workspace, sending, packEvents(events, sending.perMinute), {
		budget: 'bulk events',
		unit: 'events',
		io: {
			send: async (batch, signal) => await sendBulk(this, workspace, sending, elementsOf(batch), signal),
			...bulkAnswers<TrackedEvent>(),
			resendsAfterLostAnswer: () => resends,
		},
	});
	return routeWrites(this, planned, unitOf, sent, {
		outputs: 1,
		outputOf: () => 0,
		repeating: 'MoEngage records their events once more',
	});
}
