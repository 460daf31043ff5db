/**
 * The one path every operation's items take: settings and credential, then each item planned,
 * grouped into units, sent, and routed to exactly one output. Continue-on-fail is decided here, the
 * same way for every operation.
 */
import {
	NodeOperationError,
	sleep,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { errorItemJson, type Failure } from '../shared/results';
import { DATA_CREDENTIAL, requestMoEngage, workspaceOf, type Workspace } from '../shared/transport';
import { itemError, planItems } from './items';
import type {
	CredentialUse,
	Environment,
	Operation,
	OperationEntry,
	OperationRun,
	Unit,
} from './operation';
import { rateLimitHint, type Sending } from './options';
import { parameterReader } from './parameters';
import { routeItems } from './route';
import { sendUnits } from './send';

/** n8n's clock: the one an execution runs on. */
export const n8nEnvironment: Environment = {
	clock: { now: () => Date.now(), sleep },
	random: Math.random,
};

/** An operation as the node's router and description see it, whatever its hooks' types. */
export interface OperationModule extends OperationEntry {
	execute(context: IExecuteFunctions, environment?: Environment): Promise<INodeExecutionData[][]>;
}

/** The Data API credential: every operation's, unless it names another. */
const dataApi: CredentialUse<unknown> = {
	kind: DATA_CREDENTIAL,
	workspace: (credentials) => workspaceOf(credentials),
};

export const defineOperation = <S extends { sending: Sending }, P, U extends Unit, O>(
	operation: Operation<S, P, U, O>,
): OperationModule => ({
	...operation,
	credentialType: (operation.credential ?? dataApi).kind.type,
	execute: async (context, environment = n8nEnvironment) =>
		await executeOperation(context, operation, environment),
});

async function readWorkspace<S>(
	context: IExecuteFunctions,
	credential: CredentialUse<S>,
	settings: S,
): Promise<Workspace> {
	const checked = credential.workspace(
		await context.getCredentials(credential.kind.type),
		settings,
	);
	if (!checked.ok) {
		throw new NodeOperationError(context.getNode(), `Cannot call MoEngage: ${checked.problem}`, {
			description: `Open the ${credential.kind.displayName} credential and correct it.`,
		});
	}
	return checked.value;
}

/**
 * A problem of the whole node (a parameter, the credential) with continue-on-fail: every item
 * becomes an error item saying it, on the last output, so none of them passes on as if MoEngage
 * had taken it.
 */
function everyItemFails(
	items: readonly INodeExecutionData[],
	error: Error & { description?: string | null },
	outputs: number,
): INodeExecutionData[][] {
	const failure: Failure = { message: error.message };
	if (error.description) failure.description = error.description;
	const failed = items.map((_, itemIndex) => ({
		json: errorItemJson({ failure }),
		pairedItem: { item: itemIndex },
	}));
	return [...Array.from({ length: outputs - 1 }, () => []), failed];
}

export async function executeOperation<S extends { sending: Sending }, P, U extends Unit, O>(
	context: IExecuteFunctions,
	operation: Operation<S, P, U, O>,
	environment: Environment = n8nEnvironment,
): Promise<INodeExecutionData[][]> {
	const outputs = operation.outputs.length;
	const items = context.getInputData();
	if (items.length === 0) return Array.from({ length: outputs }, () => []);
	const continueOnFail = context.continueOnFail();

	let settings: S;
	let workspace: Workspace;
	try {
		settings = operation.settings(context);
		workspace = await readWorkspace(context, operation.credential ?? dataApi, settings);
	} catch (error) {
		if (!continueOnFail) throw new NodeOperationError(context.getNode(), error as Error);
		return everyItemFails(items, error as Error, outputs);
	}

	const { sending } = settings;
	const displayNames = new Map(
		operation.properties.map((property) => [property.name, property.displayName]),
	);
	const run: OperationRun<S> = {
		context,
		settings,
		workspace,
		read: parameterReader(context, items, displayNames),
		request: async (request, read, hints, signal) =>
			await requestMoEngage(
				context,
				workspace,
				{ ...request, forwardedFor: sending.forwardedFor, timeoutMs: sending.timeoutMs, signal },
				read,
				{ 429: rateLimitHint(sending.perMinuteName), ...hints },
			),
		send: async (batches, endpoint) =>
			await sendUnits(context, environment, workspace, sending, batches, endpoint),
	};

	const planned = planItems(context, items, continueOnFail, operation.fix, operation.plan(run));
	const { units, unitOf, refused } = operation.group(run, planned);
	for (const [itemIndex, problem] of refused ?? []) {
		if (!continueOnFail) throw itemError(context, itemIndex, problem);
		planned[itemIndex] = problem;
	}
	const sent = await operation.send(run, units);
	return routeItems(context, items, planned, unitOf, sent, {
		outputs,
		place: (outcome, item, unit) => operation.place(run, outcome, item, unit),
		repeating: operation.repeating,
	});
}
