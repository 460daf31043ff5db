/**
 * What every operation's execute shares: the credential read as a workspace, the options every
 * operation has, node-wide problems under continue-on-fail, and the run of units through the
 * dispatcher to one result per item. The n8n layer; what a unit is stays with each operation.
 */
import {
	NodeOperationError,
	deepCopy,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeParameters,
	type INodeProperties,
} from 'n8n-workflow';

import { budgetFor } from './budget';
import { dispatch, type DispatchIo, type UnitResult } from './dispatcher';
import { checkWholeNumber, parseForwardedFor, type Checked } from './identifiers';
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, MAX_REQUESTS_IN_FLIGHT } from './limits';
import { errorItemJson, type Failure, type ItemFailure } from './results';
import { CREDENTIAL_TYPE, toNodeApiError, workspaceOf, type Workspace } from './transport';

async function readWorkspace(context: IExecuteFunctions): Promise<Workspace> {
	const checked = workspaceOf(await context.getCredentials(CREDENTIAL_TYPE));
	if (!checked.ok) {
		throw new NodeOperationError(context.getNode(), `Cannot call MoEngage: ${checked.problem}`, {
			description: 'Open the MoEngage API credential and correct it.',
		});
	}
	return checked.value;
}

/** A checked parameter's value, or the node-wide error that names the parameter. */
export function needParameter<T>(context: IExecuteFunctions, name: string, checked: Checked<T>): T {
	if (checked.ok) return checked.value;
	throw new NodeOperationError(context.getNode(), `The parameter "${name}" ${checked.problem}`, {
		description: `Fix "${name}" in the node's parameters.`,
	});
}

export interface Run<S> {
	items: INodeExecutionData[];
	continueOnFail: boolean;
	settings: S;
	workspace: Workspace;
}

/**
 * What every operation reads before any item: the input, its settings (`readSettings`) and the
 * workspace. Returns the outputs at once when there is nothing to do: no items, or a node-wide
 * problem under continue-on-fail (every item an error item on the last of `outputs` outputs).
 */
export async function beginRun<S>(
	context: IExecuteFunctions,
	outputs: number,
	readSettings: () => S,
): Promise<Run<S> | INodeExecutionData[][]> {
	const items = context.getInputData();
	if (items.length === 0) return Array.from({ length: outputs }, () => []);
	const continueOnFail = context.continueOnFail();
	try {
		const settings = readSettings();
		return { items, continueOnFail, settings, workspace: await readWorkspace(context) };
	} catch (error) {
		if (!continueOnFail) throw new NodeOperationError(context.getNode(), error as Error);
		return everyItemFails(items, error as Error, outputs);
	}
}

/**
 * A problem of the whole node (a parameter, the credential) with continue-on-fail: every item
 * becomes an error item saying it, on the last of `outputs` outputs, so none of them passes on as
 * if MoEngage had taken it.
 */
function everyItemFails(
	items: INodeExecutionData[],
	error: Error & { description?: string | null },
	outputs: number,
): INodeExecutionData[][] {
	const failure: Failure = { message: error.message };
	if (error.description) failure.description = error.description;
	const failed = items.map((_, itemIndex) => ({ json: errorItemJson({ failure }), pairedItem: { item: itemIndex } }));
	return [...Array.from({ length: outputs - 1 }, () => []), failed];
}

/**
 * The Options collection of an operation, sorted by name: `perMinute` names its budget in the unit
 * its endpoint counts, `extra` adds the operation's own. Merge documents no X-Forwarded-For, so it
 * does not offer one.
 */
export function sendingOptions(
	show: IDataObject,
	perMinute: INodeProperties,
	{ extra = [], forwardedFor = true }: { extra?: INodeProperties[]; forwardedFor?: boolean } = {},
): INodeProperties {
	const options: INodeProperties[] = [
		...extra,
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 20 },
			default: DEFAULT_MAX_RETRIES,
			description:
				'How often a request is sent again after a 5xx answer, a network error, a timeout or a garbled answer. Rate-limit (429) waits do not count.',
		},
		perMinute,
		{
			displayName: 'Timeout',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 100 },
			default: DEFAULT_TIMEOUT_MS,
			description: 'Milliseconds to wait for each MoEngage answer before retrying',
		},
		{
			displayName: 'X-Forwarded-For',
			name: 'xForwardedFor',
			type: 'string',
			default: '',
			placeholder: 'e.g. 203.0.113.7',
			description: 'IP address(es) of the original client, separated by commas, sent as X-Forwarded-For',
		},
	];
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: show as NonNullable<INodeProperties['displayOptions']>['show'] },
		options: options
			.filter((option) => forwardedFor || option.name !== 'xForwardedFor')
			.sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

export interface Sending {
	perMinute: number;
	maxRetries: number;
	timeoutMs: number;
	forwardedFor: string | undefined;
}

export function readSending(
	context: IExecuteFunctions,
	perMinute: { name: string; displayName: string; default: number },
): Sending {
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	return {
		perMinute: needParameter(
			context,
			perMinute.displayName,
			checkWholeNumber(options[perMinute.name] ?? perMinute.default, 1, Infinity),
		),
		maxRetries: needParameter(context, 'Max Retries', checkWholeNumber(options.maxRetries ?? DEFAULT_MAX_RETRIES, 0, 20)),
		timeoutMs: needParameter(context, 'Timeout', checkWholeNumber(options.timeout ?? DEFAULT_TIMEOUT_MS, 100, 600_000)),
		forwardedFor: needParameter(context, 'X-Forwarded-For', parseForwardedFor(options.xForwardedFor)),
	};
}

/**
 * The dispatcher's surroundings in n8n: the endpoint's budget for the workspace (`endpoint` keys it,
 * `name` labels its log lines), the clock, the execution's cancel signal and n8n's log.
 */
export function dispatchEnvironment(
	context: IExecuteFunctions,
	workspace: Workspace,
	endpoint: string,
	name: string,
	unit = 'users',
) {
	return {
		budget: budgetFor(`${workspace.key} ${endpoint}`, name, Date.now(), unit),
		clock: { now: () => Date.now(), sleep },
		signal: context.getExecutionCancelSignal(),
		log: (message: string) => context.logger.info(message),
		random: Math.random,
	};
}

/** What a write operation sends: the items that carry it, and how error messages name it. */
export interface Unit {
	itemIndexes: number[];
	/** What the unit is about, as error messages and error items name it: customer_id "u-1". */
	type: string;
	identifier: string;
}

/** An item that cannot be sent, and why. */
export type Refused = { ok: false; failure: ItemFailure };

/** One item's part in an operation, checked: what it adds to a unit, or why it cannot be sent. */
export type Planned<P> = { ok: true; part: P } | Refused;

/** How an expression reads a field of the item: `$json.customer_id` or `$json["customer id"]` (name in group 1 or 3). */
const JSON_FIELD = /\$json(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"])([^'"\\]*)\2\s*\])/.source;

/** A parameter that only reads one field of the item: `{{ $json.customer_id }}` or `{{ $json["customer id"] }}`. */
const PLAIN_FIELD = new RegExp(`^=\\{\\{\\s*${JSON_FIELD}\\s*\\}\\}$`);

const holdsExpression = (value: unknown): boolean =>
	typeof value === 'string'
		? value.startsWith('=')
		: typeof value === 'object' && value !== null && Object.values(value).some(holdsExpression);

export type ReadParameter = (name: string, itemIndex: number, fallback?: unknown) => unknown;

/**
 * Reads parameters per item as getNodeParameter does, at a fraction of the cost: evaluating an
 * expression costs n8n about 100 µs an item, most of a write operation's own time on 30,000 items.
 * A parameter (or collection) without an expression is read once; one that only reads a field of
 * the item is read from the item; anything else goes through n8n's expression engine per item.
 */
export function parameterReader(context: IExecuteFunctions, items: readonly INodeExecutionData[]): ReadParameter {
	const { parameters } = context.getNode();
	const once = new Map<string, unknown>();
	return (name, itemIndex, fallback) => {
		const raw = parameters[name];
		const field = typeof raw === 'string' ? PLAIN_FIELD.exec(raw) : null;
		if (field) return items[itemIndex].json[field[1] ?? field[3]];
		if (holdsExpression(raw)) return context.getNodeParameter(name, itemIndex, fallback);
		if (!once.has(name)) once.set(name, context.getNodeParameter(name, 0, fallback));
		return once.get(name);
	};
}

/** The item fields that the named parameters read in their expressions (`$json.field`, `$json["field"]`). */
export function fieldsReadBy(parameters: INodeParameters, names: readonly string[]): string[] {
	const fields: string[] = [];
	for (const name of names) {
		const raw = parameters[name];
		if (typeof raw !== 'string' || !raw.startsWith('=')) continue;
		for (const match of raw.matchAll(new RegExp(JSON_FIELD, 'g'))) fields.push(match[1] ?? match[3]);
	}
	return fields;
}

/** An item that cannot be sent: the problem with its item number, what to do, and what it is about. */
export function itemProblem(
	itemIndex: number,
	problem: string,
	todo: string,
	about?: { type: string; identifier: string },
): Refused {
	return { ok: false, failure: { failure: { message: `Item ${itemIndex}: ${problem}`, description: todo }, ...about } };
}

/** The error that stops the node at a bad item when the user did not choose to continue on errors. */
export const itemError = (context: IExecuteFunctions, itemIndex: number, planned: Refused) =>
	new NodeOperationError(context.getNode(), planned.failure.failure.message, {
		itemIndex,
		description: [planned.failure.failure.description, 'Nothing was sent to MoEngage.'].filter(Boolean).join(' '),
	});

/**
 * Reads each item with `read`; an expression that throws, or a value that fails its check, fails
 * that item. Without continue-on-fail the first bad item stops the node before anything is sent.
 */
export function planItems<P>(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	continueOnFail: boolean,
	read: (itemIndex: number, item: INodeExecutionData) => Planned<P>,
): Array<Planned<P>> {
	return items.map((item, itemIndex) => {
		let planned: Planned<P>;
		try {
			planned = read(itemIndex, item);
		} catch (error) {
			// Without continue-on-fail n8n shows its own expression error, which points at the expression.
			if (!continueOnFail) throw new NodeOperationError(context.getNode(), error as Error, { itemIndex });
			planned = { ok: false, failure: { failure: { message: `Item ${itemIndex}: ${(error as Error).message}` } } };
		}
		if (!planned.ok && !continueOnFail) throw itemError(context, itemIndex, planned);
		return planned;
	});
}

/**
 * The items that passed their checks as units: items whose parts share a key (the same customer, the
 * same pair) become one unit, made by `unitFor` from the first and given each further part by `join`.
 */
export function groupUnits<P, U extends Unit>(
	planned: ReadonlyArray<Planned<P>>,
	keyOf: (part: P, itemIndex: number) => string,
	unitFor: (part: P) => U,
	join: (unit: U, part: P) => void = () => {},
): { units: U[]; unitOf: Map<number, U> } {
	const byKey = new Map<string, U>();
	const unitOf = new Map<number, U>();
	planned.forEach((plan, itemIndex) => {
		if (!plan.ok) return;
		const key = keyOf(plan.part, itemIndex);
		let unit = byKey.get(key);
		if (unit === undefined) {
			unit = unitFor(plan.part);
			byKey.set(key, unit);
		}
		unit.itemIndexes.push(itemIndex);
		join(unit, plan.part);
		unitOf.set(itemIndex, unit);
	});
	return { units: [...byKey.values()], unitOf };
}

export interface Endpoint<U extends Unit, A, O> {
	/** Names the endpoint's budget: one per workspace and endpoint (and unit, for Bulk). */
	budget: string;
	/** What the budget counts, for log lines. */
	unit: string;
	/** Requests in flight at once, where the default (by users per minute, up to 4) does not fit. */
	requestsInFlight?: number;
	io: Pick<DispatchIo<U, A, O>, 'send' | 'settle' | 'weight' | 'blame400' | 'verdict' | 'resendsAfterLostAnswer'>;
}

/** What sending came to: each unit's result, and with stop-on-failure the failure that stopped the run. */
export interface Sent<U extends Unit, O> {
	results: Map<U, UnitResult<O>>;
	stoppedBy?: { failure: Failure; batch: readonly U[] };
}

/**
 * Sends the units' batches and returns each unit's result. Without continue-on-fail the first
 * failure stops the sending; routeWrites then fails the run, saying what MoEngage already has.
 */
export async function sendUnits<U extends Unit, A, O>(
	context: IExecuteFunctions,
	workspace: Workspace,
	sending: Sending,
	batches: U[][],
	endpoint: Endpoint<U, A, O>,
): Promise<Sent<U, O>> {
	try {
		return await dispatch(
			batches,
			{
				usersPerMinute: sending.perMinute,
				maxRetries: sending.maxRetries,
				concurrency: endpoint.requestsInFlight ?? MAX_REQUESTS_IN_FLIGHT,
				stopOnFailure: !context.continueOnFail(),
				unit: endpoint.unit,
				...(endpoint.requestsInFlight === undefined ? {} : { requestsInFlight: endpoint.requestsInFlight }),
			},
			{
				...endpoint.io,
				...dispatchEnvironment(context, workspace, endpoint.budget, `workspace ${workspace.appId} (${endpoint.budget})`, endpoint.unit),
			},
		);
	} catch (error) {
		// Only a cancelled wait ends up here: a failed request is a result, not an exception.
		throw new NodeOperationError(context.getNode(), error as Error);
	}
}

/** The error of a run that MoEngage stopped: its failure, naming the items of the batch it refused. */
export function stoppedError(context: IExecuteFunctions, failure: Failure, batch: readonly Unit[], written = '') {
	const itemIndex = Math.min(...batch.map((unit) => unit.itemIndexes[0]));
	return toNodeApiError(context.getNode(), { ...failure, description: [failure.description, written].filter(Boolean).join(' ') }, itemIndex, describeUnits(batch));
}

function describeUnits(units: readonly Unit[]): string {
	const first = units[0];
	const count = units.reduce((sum, unit) => sum + unit.itemIndexes.length, 0);
	const more = count > 1 ? ` and ${count - 1} more item${count > 2 ? 's' : ''}` : '';
	return `item ${first.itemIndexes[0]} (${first.type} "${first.identifier}")${more}`;
}

/** Item numbers as ranges: "items 0–4, 7 and 9–11". */
function itemRanges(indexes: readonly number[]): string {
	const sorted = [...indexes].sort((a, b) => a - b);
	const ranges: string[] = [];
	for (let start = 0; start < sorted.length; ) {
		let end = start;
		while (end + 1 < sorted.length && sorted[end + 1] === sorted[end] + 1) end++;
		ranges.push(end === start ? String(sorted[start]) : `${sorted[start]}–${sorted[end]}`);
		start = end + 1;
	}
	const list = ranges.length > 1 ? `${ranges.slice(0, -1).join(', ')} and ${ranges[ranges.length - 1]}` : ranges[0];
	return `item${sorted.length > 1 ? 's' : ''} ${list}`;
}

const capitalised = (text: string) => `${text[0].toUpperCase()}${text.slice(1)}`;

/**
 * What MoEngage holds of a run that stopped: the items it accepted, those whose answer was lost,
 * those never sent, what sending them again does (`repeating`), and the On Error setting that keeps
 * a run going past one refused item.
 */
function writtenBeforeStop<U extends Unit, O>(
	items: readonly INodeExecutionData[],
	unitOf: ReadonlyMap<number, U>,
	results: ReadonlyMap<U, UnitResult<O>>,
	stoppedBy: readonly U[],
	repeating: string,
): string {
	const accepted: number[] = [];
	const uncertain: number[] = [];
	const unsent: number[] = [];
	for (const [itemIndex, unit] of unitOf) {
		const result = results.get(unit);
		if (result?.kind === 'settled') accepted.push(itemIndex);
		else if (result?.maybeRecorded) uncertain.push(itemIndex);
		else if (!stoppedBy.includes(unit)) unsent.push(itemIndex);
	}
	const said = [
		accepted.length === 0
			? 'MoEngage had accepted none of the items before this failure.'
			: `Before this failure MoEngage had accepted ${accepted.length} of ${items.length} items (${itemRanges(accepted)}).`,
	];
	if (uncertain.length > 0) said.push(`MoEngage may have recorded ${itemRanges(uncertain)}: the answer was lost.`);
	if (unsent.length > 0) said.push(`${capitalised(itemRanges(unsent))} ${unsent.length > 1 ? 'were' : 'was'} not sent.`);
	if (accepted.length + uncertain.length > 0) said.push(`Running the workflow again sends them again: ${repeating}.`);
	said.push('To let the other items go on when one fails, set the node\'s On Error to "Continue (using error output)".');
	return said.join(' ');
}

/**
 * Every item to exactly one output: `outputOf` picks the output for a settled unit's outcome;
 * items that failed (before sending or at MoEngage) become error items on the last output. An item
 * goes on as it came in: the operation's outputs say what became of it. A run that stopped (no
 * continue-on-fail) fails here, saying what MoEngage already has and what `repeating` them does.
 */
export function routeWrites<U extends Unit, O>(
	context: IExecuteFunctions,
	planned: ReadonlyArray<Planned<unknown>>,
	unitOf: ReadonlyMap<number, U>,
	sent: Sent<U, O>,
	{ outputs, outputOf, repeating }: { outputs: number; outputOf: (outcome: O) => number; repeating: string },
): INodeExecutionData[][] {
	const items = context.getInputData();
	const { results, stoppedBy } = sent;
	if (stoppedBy && !context.continueOnFail()) {
		throw stoppedError(context, stoppedBy.failure, stoppedBy.batch, writtenBeforeStop(items, unitOf, results, stoppedBy.batch, repeating));
	}
	const routed: INodeExecutionData[][] = Array.from({ length: outputs }, () => []);
	items.forEach((item, itemIndex) => {
		const pairedItem = { item: itemIndex };
		const plan = planned[itemIndex];
		const unit = unitOf.get(itemIndex);
		const result = unit === undefined ? undefined : results.get(unit);
		if (!plan.ok || result === undefined || result.kind === 'failed') {
			const failure: ItemFailure = !plan.ok
				? plan.failure
				: {
						failure:
							result?.kind === 'failed'
								? result.failure
								: { message: `Item ${itemIndex} was not sent: the run ended before it` },
						type: unit?.type,
						identifier: unit?.identifier,
					};
			routed[outputs - 1].push({ json: errorItemJson(failure), pairedItem });
			return;
		}
		const json = deepCopy(item.json);
		routed[outputOf(result.outcome)].push({ json, pairedItem, ...(item.binary ? { binary: item.binary } : {}) });
	});
	return routed;
}
