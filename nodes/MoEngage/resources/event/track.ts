/**
 * Event → Track: one event per item through Bulk Import. The events of one customer in a request
 * share one element (`actions[]`), in item order; each item keeps its own verdict.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { defineOperation } from '../../pipeline/execute';
import { groupUnits, itemProblem } from '../../pipeline/items';
import { passOn, type Planned, type Unit } from '../../pipeline/operation';
import { readSending, type Sending } from '../../pipeline/options';
import { fieldsReadBy } from '../../pipeline/parameters';
import { attributesInput, readAttributes } from '../../shared/attributes-input';
import {
	checkEventAttributes,
	checkEventName,
	checkTimezoneOffset,
	parseEventTime,
	PLATFORMS,
} from '../../shared/attributes';
import {
	bulkAnswers,
	bulkPerMinute,
	bulkSendingOptions,
	MAX_ELEMENT_BYTES,
	readResends,
	sendBulk,
} from '../../shared/bulk';
import { checkCustomerId, customerIdProperty } from '../../shared/identifiers';
import { BULK_EVENTS_PER_MINUTE } from '../../shared/limits';
import { jsonBytes, packEvents } from '../../shared/packing';

const PER_MINUTE = bulkPerMinute(
	'eventsPerMinute',
	'Events per Minute',
	'events',
	BULK_EVENTS_PER_MINUTE,
);

interface TrackedEvent extends Unit {
	action: IDataObject;
	/** The event's element as sent alone. */
	bytes: number;
	/** Its action alone, what it adds to an element its customer already has in the request. */
	actionBytes: number;
}

interface Settings {
	sending: Sending;
	resends: number;
}

const FIX =
	'Fix this item\'s Customer ID, Event Name, Event Time or attributes; with "Continue" on error the other items are still sent.';

/** The events of a batch as Bulk Import elements: one per customer, its actions in item order. */
function elementsOf(batch: readonly TrackedEvent[]): IDataObject[] {
	const byCustomer = new Map<string, IDataObject[]>();
	for (const event of batch) {
		const actions = byCustomer.get(event.identifier) ?? [];
		byCustomer.set(event.identifier, actions);
		actions.push(event.action);
	}
	return [...byCustomer].map(([customerId, actions]) => ({
		type: 'event',
		customer_id: customerId,
		actions,
	}));
}

export const operation = defineOperation<Settings, TrackedEvent, TrackedEvent, 'accepted'>({
	value: 'track',
	name: 'Track',
	action: 'Track an event',
	description: 'Record an event (an action) of a user, one per item, through Bulk Import',
	outputs: ['Accepted'],
	properties: [
		customerIdProperty('The customer ID of the user the event belongs to'),
		{
			displayName: 'Event Name',
			name: 'eventName',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. Order Placed',
			description: "The event (action) name; names starting with moe_ are MoEngage's own",
		},
		{
			displayName: 'Event Time',
			name: 'eventTime',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ $json.created_at }}',
			description:
				"When the event happened: ISO 8601 (2026-05-31T16:33:35Z, 2026-05-31 16:33:35; without an offset it is UTC), or epoch seconds or milliseconds. Empty, or up to a minute ahead of this n8n's clock (e.g. {{ $now }}): MoEngage stamps it on arrival. Later times are refused: MoEngage drops future-dated events.",
		},
		...attributesInput('pairs', 'event attributes', 'Customer ID, Event Name and Event Time'),
		{
			displayName: 'Additional Fields',
			name: 'additionalFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			options: [
				{
					displayName: 'App Version',
					name: 'appVersion',
					type: 'string',
					default: '',
					placeholder: 'e.g. 1.2.3',
				},
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
					description:
						"MoEngage's platform enum; an expression's value is matched without case (android is sent as ANDROID)",
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
		bulkSendingOptions(PER_MINUTE, 'the events'),
	],
	fix: FIX,
	settings: (context: IExecuteFunctions) => ({
		sending: readSending(context, PER_MINUTE),
		resends: readResends(context),
	}),

	plan(run) {
		const mapped = fieldsReadBy(run.context.getNode().parameters, [
			'customerId',
			'eventName',
			'eventTime',
		]);
		return (itemIndex, item): Planned<TrackedEvent> => {
			const customerId = checkCustomerId(run.read('customerId', itemIndex, undefined));
			if (!customerId.ok)
				return itemProblem(itemIndex, `the Customer ID ${customerId.problem}`, FIX);
			const about = { type: 'customer_id', identifier: customerId.value };
			const name = checkEventName(run.read('eventName', itemIndex, undefined));
			if (!name.ok) return itemProblem(itemIndex, name.problem, FIX, about);
			const action: IDataObject = { action: name.value };
			const given = readAttributes(run.read, itemIndex, item, mapped);
			const attributes = given.ok ? checkEventAttributes(given.value) : given;
			if (!attributes.ok) return itemProblem(itemIndex, attributes.problem, FIX, about);
			if (Object.keys(attributes.value).length > 0) action.attributes = attributes.value;
			const time = run.read('eventTime', itemIndex, '') as unknown;
			if (time !== '' && time !== undefined && time !== null) {
				// The clock is read after the item's expressions ran: {{ $now }} is never ahead of it.
				const at = parseEventTime(time, Date.now());
				if (!at.ok) return itemProblem(itemIndex, at.problem, FIX, about);
				// current_time is the UTC instant; user_time would be the user's local clock, which
				// MoEngage works out from user_timezone_offset (or the profile's timezone) itself.
				if (at.value !== undefined) action.current_time = at.value;
			}
			const fields = run.read('additionalFields', itemIndex, {}) as IDataObject;
			if (fields.platform !== undefined && fields.platform !== '') {
				const platform = PLATFORMS.find(
					(known) => known.toLowerCase() === String(fields.platform).trim().toLowerCase(),
				);
				if (platform === undefined) {
					return itemProblem(
						itemIndex,
						`the platform is "${String(fields.platform)}"; use one of ${PLATFORMS.join(', ')}`,
						FIX,
						about,
					);
				}
				action.platform = platform;
			}
			if (fields.appVersion !== undefined && fields.appVersion !== '')
				action.app_version = String(fields.appVersion);
			const offset = checkTimezoneOffset(fields.timezoneOffset);
			if (!offset.ok) return itemProblem(itemIndex, offset.problem, FIX, about);
			if (offset.value !== undefined) action.user_timezone_offset = offset.value;
			const event: TrackedEvent = {
				itemIndexes: [],
				...about,
				action,
				bytes: 0,
				actionBytes: jsonBytes(action),
			};
			event.bytes = jsonBytes(elementsOf([event])[0]);
			if (event.bytes > MAX_ELEMENT_BYTES) {
				return itemProblem(
					itemIndex,
					`the event takes ${event.bytes} bytes; Bulk Import takes at most ${MAX_ELEMENT_BYTES}`,
					FIX,
					about,
				);
			}
			return { ok: true, part: event };
		};
	},

	// Every event is sent, even two alike: MoEngage counts them as two.
	group: (_, planned) =>
		groupUnits(
			planned,
			(__, itemIndex) => String(itemIndex),
			(event) => event,
		),

	send: async (run, events) =>
		await run.send(packEvents(events, run.settings.sending.perMinute, MAX_ELEMENT_BYTES), {
			budget: 'bulk events',
			unit: 'events',
			io: {
				send: async (batch, signal) => await sendBulk(run, elementsOf(batch), signal),
				...bulkAnswers<TrackedEvent>(),
				resendsAfterLostAnswer: () => run.settings.resends,
			},
		}),

	place: (_, __, item) => passOn(0, item),
	repeating: 'MoEngage records their events once more',
});
