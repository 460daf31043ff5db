/**
 * Bulk Import (`POST /v1/transition/{Workspace_ID}`), which Create or Update and Track Event send
 * through: many users or events a request, 60,000 of each a minute. It answers 200 for what it
 * accepts and drops invalid elements without a word, so the operations check every element first (docs/moengage-api.md#bulk-import).
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { OperationRun } from '../pipeline/operation';
import { sendingOptions, type PerMinute, type Sending } from '../pipeline/options';
import type { DispatchIo } from './dispatcher';
import { BULK_MAX_BYTES } from './limits';
import { jsonBytes, packBySize } from './packing';
import { readAccepted, type Accepted, type Exchange, type Hints } from './transport';

/** The body around the elements: `{"type":"transition","elements":[…]}`. */
const ENVELOPE_BYTES = jsonBytes({ type: 'transition', elements: [] });

/** The most an element may weigh to be sent at all. */
export const MAX_ELEMENT_BYTES = BULK_MAX_BYTES - ENVELOPE_BYTES;

/** Units into requests within Bulk Import's 100 KB; `bytesOf` gives the unit's element(s) as sent alone. */
export const packBulk = <U>(
	units: readonly U[],
	maxUnits: number,
	bytesOf: (unit: U) => number,
): U[][] => packBySize(units, maxUnits, MAX_ELEMENT_BYTES, (unit) => bytesOf(unit) + 1);

/**
 * What a Bulk Import answer means for the units of a request, whatever they are: a 200 accepts
 * every one (it names none it drops), each unit counts once in the budget (a user or an event), and
 * a 400 that names an attribute is about one element, while one that names none may be the request's.
 */
export const bulkAnswers = <U>(): Pick<
	DispatchIo<U, Accepted, 'accepted'>,
	'settle' | 'weight' | 'blame400'
> => ({
	settle: (batch) => batch.map(() => 'accepted'),
	weight: (batch) => batch.length,
	blame400: (exchange) => (exchange.blames === undefined ? 'unknown' : 'units'),
});

/**
 * MoEngage documents no idempotency key for Bulk Import, so a request whose answer was lost (a
 * timeout, a reset, a cut-off 200) may already be recorded, and sending it again records an event,
 * or an addition to an array, a second time. On (the default): sent once more, so nothing is lost
 * and nothing is recorded more than twice. Off: never sent again; the items fail, saying so.
 */
function resendOption(what: string): INodeProperties {
	return {
		displayName: 'Resend After a Lost Answer',
		name: 'resendAfterLostAnswer',
		type: 'boolean',
		default: true,
		description: `Whether to send ${what} once more when MoEngage's answer is lost (a timeout, a dropped connection): on, nothing is lost but MoEngage may record it twice; off, it is never sent twice and the item fails instead, saying MoEngage may have recorded it`,
	};
}

/** An operation's Bulk Import limit, which counts `unit` (users or events). */
export const bulkPerMinute = (
	name: string,
	displayName: string,
	unit: string,
	limit: number,
): PerMinute => ({
	name,
	displayName,
	default: limit,
	description: `The Bulk Import limit to stay under: MoEngage allows 60,000 ${unit} a minute per workspace unless it raised yours. Shared by every execution on this workspace in this n8n process.`,
});

/** The Options of an operation that sends through Bulk Import. */
export const bulkSendingOptions = (perMinute: PerMinute, resendWhat: string): INodeProperties =>
	sendingOptions(perMinute, { extra: [resendOption(resendWhat)] });

/** How often a Bulk request of events or array changes may go again after a lost answer: 1, or 0 when the option is off. */
export function readResends(context: IExecuteFunctions): number {
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	return options.resendAfterLostAnswer === false ? 0 : 1;
}

const HINTS: Hints = {
	400: {
		what: 'MoEngage rejected the request',
		todo: 'Check the values of these items that MoEngage names; the node sends each item alone to find the one it refuses.',
	},
	413: {
		what: 'The request was larger than MoEngage accepts (Bulk Import: 100 KB)',
		todo: 'These items carry unusually large attributes: send fewer or smaller attributes.',
	},
};

export async function sendBulk(
	run: OperationRun<{ sending: Sending }>,
	elements: IDataObject[],
	signal: AbortSignal,
): Promise<Exchange<Accepted>> {
	return await run.request(
		{
			path: `/v1/transition/${encodeURIComponent(run.workspace.appId)}`,
			body: { type: 'transition', elements },
		},
		readAccepted,
		HINTS,
		signal,
	);
}
