import type { IDataObject } from 'n8n-workflow';

import type { Checked } from '../MoEngage/shared/checked';
import { EVENT_TYPE_GROUPS } from './events';

/**
 * A MoEngage Streams request (docs/moengage-api.md#streams): `{app_name, source, moe_request_id,
 * events: [...]}`, up to 100 events, each with its `event_uuid`.
 */
export interface StreamsBatch {
	appName: unknown;
	requestId: unknown;
	events: IDataObject[];
}

const EXPECTED =
	'Expected a MoEngage Streams batch: a JSON object with an "events" array of event objects ({"app_name", "source": "MOENGAGE", "moe_request_id", "events": [{"event_name", "event_code", "event_uuid", "event_time", "event_type", …}]})';

const isObject = (value: unknown): value is IDataObject =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** The batch in a request body, or what is wrong with it, in words MoEngage's support can act on. */
export function readBatch(body: unknown): Checked<StreamsBatch> {
	if (!isObject(body)) {
		const got = body === undefined || body === '' ? 'an empty body' : `${describe(body)}`;
		return { ok: false, problem: `${EXPECTED}; got ${got}.` };
	}
	const { events } = body;
	if (!Array.isArray(events)) {
		return {
			ok: false,
			problem: `${EXPECTED}; got an object whose "events" is ${events === undefined ? 'missing' : describe(events)}.`,
		};
	}
	const notEvent = events.findIndex((event) => !isObject(event));
	if (notEvent >= 0) {
		return {
			ok: false,
			problem: `${EXPECTED}; events[${notEvent}] is ${describe(events[notEvent])}, not an event object.`,
		};
	}
	return {
		ok: true,
		value: {
			appName: body.app_name,
			requestId: body.moe_request_id,
			events: events as IDataObject[],
		},
	};
}

function describe(value: unknown) {
	if (Array.isArray(value)) return 'an array';
	if (value === null) return 'null';
	if (typeof value === 'string') return 'text, not JSON';
	if (typeof value === 'object') return 'an object';
	return `a ${typeof value}`;
}

/** Which events start the workflow: by type, and by code or name. Empty lists let all through. */
export interface EventFilter {
	/** Groups of event types: `campaign`, `userAction`, `other` (EVENT_TYPE_GROUPS). */
	types: readonly string[];
	/** Codes and names, compared without regard to case or surrounding spaces. */
	namesOrCodes: readonly string[];
}

const comparable = (value: unknown) =>
	typeof value === 'string' || typeof value === 'number'
		? String(value).trim().toLowerCase()
		: undefined;

/** The group of an event's type: MoEngage's pages spell types in more than one way and case. */
function typeGroup(event: IDataObject) {
	const type = String(event.event_type ?? '')
		.trim()
		.toUpperCase();
	const group = Object.entries(EVENT_TYPE_GROUPS).find(([, types]) => types.includes(type));
	return group ? group[0] : 'other';
}

export function passes(filter: EventFilter) {
	const types = new Set(filter.types);
	const wanted = new Set(filter.namesOrCodes.map(comparable).filter(Boolean));
	return (event: IDataObject) => {
		if (types.size > 0 && !types.has(typeGroup(event))) return false;
		if (wanted.size === 0) return true;
		const code = comparable(event.event_code);
		const name = comparable(event.event_name);
		return (code !== undefined && wanted.has(code)) || (name !== undefined && wanted.has(name));
	};
}

/** The de-duplication key of an event: its `event_uuid`, when it has one. */
export const eventId = (event: IDataObject) =>
	typeof event.event_uuid === 'string' && event.event_uuid !== ''
		? event.event_uuid
		: typeof event.event_uuid === 'number'
			? String(event.event_uuid)
			: undefined;

/** One item's JSON: the event's own fields at the top, with the batch's app and request ID beside them. */
export const eventItem = (batch: StreamsBatch, event: IDataObject): IDataObject => ({
	...event,
	...(batch.appName !== undefined && { app_name: batch.appName as IDataObject[string] }),
	...(batch.requestId !== undefined && { moe_request_id: batch.requestId as IDataObject[string] }),
});
