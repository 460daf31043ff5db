/**
 * What an operation gives the pipeline, and what the pipeline gives it back. An operation is its
 * parameters and five hooks: read the run's settings, plan one item, group the planned items into
 * units, send the units, and place an item of a settled unit on an output. The pipeline does the
 * rest the same way for every operation: reading parameters fast, continue-on-fail, the rate budget,
 * retries, and every item on exactly one output.
 */
import {
	deepCopy,
	type IBinaryKeyData,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import type { Clock } from '../shared/budget';
import type { Checked } from '../shared/checked';
import type { DispatchIo, UnitResult } from '../shared/dispatcher';
import type { Failure, ItemFailure } from '../shared/results';
import type {
	CredentialKind,
	Exchange,
	Hints,
	MoEngageRequest,
	ReadAnswer,
	Workspace,
} from '../shared/transport';
import type { Sending } from './options';
import type { ReadParameter } from './parameters';

/** What an operation sends: the items that carry it, and how error messages name it. */
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

/** The planned items as units; `refused`: items a unit turned out not to fit (too large to send). */
export interface Grouped<U extends Unit> {
	units: U[];
	unitOf: Map<number, U>;
	refused?: Map<number, Refused>;
}

/**
 * Where an item of a settled unit goes, and as what (a report: as its rows, each paired with the
 * item); or why it failed after all.
 */
export type Placed =
	| { output: number; json: IDataObject; binary?: IBinaryKeyData }
	| { output: number; rows: IDataObject[] }
	| { failure: Failure };

/** The credential an operation sends with (one per MoEngage key), and where it leads. */
export interface CredentialUse<S> {
	kind: CredentialKind;
	/** The workspace and base URL, from the credential and the run's settings (Inform's test alerts). */
	workspace(credentials: ICredentialDataDecryptedObject, settings: S): Checked<Workspace>;
}

/** An endpoint as the dispatcher meets it: its budget, what it counts, and what its answers mean. */
export interface Endpoint<U extends Unit, A, O> {
	/** Names the endpoint's budget: one per workspace and endpoint (and unit, for Bulk Import). */
	budget: string;
	/** What the budget counts, for log lines. */
	unit: string;
	/** Requests in flight at once, where the default (by the per-minute limit, up to 4) does not fit. */
	requestsInFlight?: number;
	io: Pick<
		DispatchIo<U, A, O>,
		| 'send'
		| 'settle'
		| 'weight'
		| 'blame400'
		| 'verdict'
		| 'resendsAfterLostAnswer'
		| 'resendWithinMs'
		| 'anotherForm'
	>;
}

/** What sending came to: each unit's result, and with stop-on-failure the failure that stopped the run. */
export interface Sent<U extends Unit, O> {
	results: Map<U, UnitResult<O>>;
	stoppedBy?: { failure: Failure; batch: readonly U[] };
}

/** The clock and randomness the pipeline runs on: n8n's own, or a test's. */
export interface Environment {
	clock: Clock;
	random(): number;
}

/** One run of an operation, as its hooks see it. */
export interface OperationRun<S extends { sending: Sending }> {
	context: IExecuteFunctions;
	settings: S;
	workspace: Workspace;
	/** Reads a parameter for an item as getNodeParameter does, at a fraction of the cost. */
	read: ReadParameter;
	/** The run's request to MoEngage: its timeout, X-Forwarded-For, and a 429 hint naming its per-minute option. */
	request<A>(
		request: Pick<MoEngageRequest, 'path' | 'qs' | 'headers' | 'body'>,
		read: ReadAnswer<A>,
		hints: Hints,
		signal: AbortSignal,
	): Promise<Exchange<A>>;
	/** Sends batches of units through the workspace's budget, with retries; one result per unit. */
	send<U extends Unit, A, O>(batches: U[][], endpoint: Endpoint<U, A, O>): Promise<Sent<U, O>>;
}

/** An operation as the node's description shows it. */
export interface OperationEntry {
	/** As the Operation list shows it. */
	value: string;
	name: string;
	action: string;
	description: string;
	/** The outputs' names; the last one also takes the items that failed. */
	outputs: readonly string[];
	/** Its parameters: its resource shows them for this operation only. */
	properties: INodeProperties[];
	/** The n8n credential type it sends with, when not the Data API's. */
	credentialType?: string;
}

export interface Operation<
	S extends { sending: Sending },
	P,
	U extends Unit,
	O,
> extends OperationEntry {
	/** What to do about an item the operation refuses, e.g. which parameters to fix. */
	fix: string;
	/** The Data API credential unless it says otherwise. */
	credential?: CredentialUse<S>;
	/** The run's settings, read once before any item; a bad one names its parameter (needParameter). */
	settings(context: IExecuteFunctions): S;
	/**
	 * How the run checks each item, read through `run.read`: its part in a unit, or the problem
	 * (itemProblem). What every item shares (fields the parameters map, pairs seen so far) lives here.
	 */
	plan(run: OperationRun<S>): (itemIndex: number, item: INodeExecutionData) => Planned<P>;
	/** The planned items as units: items that go together (the same user, the same pair) share one. */
	group(run: OperationRun<S>, planned: ReadonlyArray<Planned<P>>): Grouped<U>;
	/** Sends the units through `run.send`, in batches the endpoint takes. */
	send(run: OperationRun<S>, units: U[]): Promise<Sent<U, O>>;
	/** Where an item of a settled unit goes. */
	place(run: OperationRun<S>, outcome: O, item: INodeExecutionData, unit: U): Placed;
	/**
	 * Writes: what sending the items again does to what MoEngage already holds, said when a run
	 * stops part-way. A read has none.
	 */
	repeating?: string;
}

/** The item as it came in, on `output`: a write's outputs say what became of it. */
export const passOn = (output: number, item: INodeExecutionData): Placed => ({
	output,
	json: deepCopy(item.json),
	...(item.binary ? { binary: item.binary } : {}),
});
