/**
 * The Options collection every operation has (its per-minute limit, Max Retries, Timeout,
 * X-Forwarded-For), and the run-wide parameters read from it, each checked by name.
 */
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeProperties,
} from 'n8n-workflow';

import type { Checked } from '../shared/checked';
import { checkWholeNumber, parseForwardedFor } from '../shared/identifiers';
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from '../shared/limits';

/** An operation's per-minute limit: its option's name, label and documented default. */
export interface PerMinute {
	name: string;
	displayName: string;
	default: number;
	/** The least the editor lets a user set, e.g. Merge's 2 (a pair counts twice). */
	min?: number;
	/** Which MoEngage limit it is, for its description. */
	description: string;
	/** Max Retries' default, where MoEngage advises one (Inform: 3). */
	maxRetries?: number;
}

export interface Sending {
	perMinute: number;
	/** The per-minute option's label, for the hint of a 429. */
	perMinuteName: string;
	maxRetries: number;
	timeoutMs: number;
	forwardedFor: string | undefined;
}

/** A checked parameter's value, or the node-wide error that names the parameter. */
export function needParameter<T>(
	context: Pick<IExecuteFunctions, 'getNode'>,
	name: string,
	checked: Checked<T>,
): T {
	if (checked.ok) return checked.value;
	throw new NodeOperationError(context.getNode(), `The parameter "${name}" ${checked.problem}`, {
		description: `Fix "${name}" in the node's parameters.`,
	});
}

/**
 * The Options collection of an operation, sorted by name: `perMinute` is its budget in the unit its
 * endpoint counts, `extra` its own options. Merge documents no X-Forwarded-For, so it offers none.
 */
export function sendingOptions(
	perMinute: PerMinute,
	{ extra = [], forwardedFor = true }: { extra?: INodeProperties[]; forwardedFor?: boolean } = {},
): INodeProperties {
	const { min = 1, maxRetries = DEFAULT_MAX_RETRIES, ...limit } = perMinute;
	const options: INodeProperties[] = [
		...extra,
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 20 },
			default: maxRetries,
			description:
				'How often a request is sent again after a 5xx answer, a network error, a timeout or a garbled answer. Rate-limit (429) waits do not count.',
		},
		{ ...limit, type: 'number', typeOptions: { minValue: min } },
		{
			displayName: 'Timeout',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 100 },
			default: DEFAULT_TIMEOUT_MS,
			description: 'Milliseconds to wait for each MoEngage answer before retrying',
		},
	];
	if (forwardedFor) {
		options.push({
			displayName: 'X-Forwarded-For',
			name: 'xForwardedFor',
			type: 'string',
			default: '',
			placeholder: 'e.g. 203.0.113.7',
			description:
				'IP address(es) of the original client, separated by commas, sent as X-Forwarded-For',
		});
	}
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: options.sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

export function readSending(context: IExecuteFunctions, perMinute: PerMinute): Sending {
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	return {
		perMinute: needParameter(
			context,
			perMinute.displayName,
			checkWholeNumber(options[perMinute.name] ?? perMinute.default, 1, Infinity),
		),
		perMinuteName: perMinute.displayName,
		maxRetries: needParameter(
			context,
			'Max Retries',
			checkWholeNumber(options.maxRetries ?? perMinute.maxRetries ?? DEFAULT_MAX_RETRIES, 0, 20),
		),
		timeoutMs: needParameter(
			context,
			'Timeout',
			checkWholeNumber(options.timeout ?? DEFAULT_TIMEOUT_MS, 100, 600_000),
		),
		forwardedFor: needParameter(
			context,
			'X-Forwarded-For',
			parseForwardedFor(options.xForwardedFor),
		),
	};
}

/** What to do about a 429, naming the option that sets the operation's limit. */
export const rateLimitHint = (perMinuteName: string) => ({
	what: "MoEngage's rate limit was exceeded",
	todo: `Another workflow or app is spending the same workspace limit: lower ${perMinuteName}, or schedule the workflows apart.`,
});
