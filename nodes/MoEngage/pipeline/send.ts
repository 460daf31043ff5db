/**
 * Units to MoEngage through the dispatcher, inside n8n: the endpoint's budget for the workspace,
 * the execution's cancel signal and n8n's log around the operation's batches.
 */
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import { budgetFor, requestsInFlightFor } from '../shared/budget';
import { dispatch } from '../shared/dispatcher';
import { MAX_REQUESTS_IN_FLIGHT } from '../shared/limits';
import type { Workspace } from '../shared/transport';
import type { Endpoint, Environment, Sent, Unit } from './operation';
import type { Sending } from './options';

/** The units an average request of the run carries. */
const meanWeight = <U>(batches: readonly U[][], weight: (batch: readonly U[]) => number) =>
	batches.length === 0
		? 1
		: batches.reduce((sum, batch) => sum + weight(batch), 0) / batches.length;

/**
 * Sends the units' batches and returns each unit's result. Without continue-on-fail the first
 * failure stops the sending; the run then fails, saying what MoEngage already has.
 */
export async function sendUnits<U extends Unit, A, O>(
	context: IExecuteFunctions,
	environment: Environment,
	workspace: Workspace,
	sending: Sending,
	batches: U[][],
	endpoint: Endpoint<U, A, O>,
): Promise<Sent<U, O>> {
	const name = `workspace ${workspace.appId} (${endpoint.budget})`;
	try {
		return await dispatch(
			batches,
			{
				unitsPerMinute: sending.perMinute,
				maxRetries: sending.maxRetries,
				concurrency: endpoint.requestsInFlight ?? MAX_REQUESTS_IN_FLIGHT,
				stopOnFailure: !context.continueOnFail(),
				unit: endpoint.unit,
				requestsInFlight:
					endpoint.requestsInFlight ??
					requestsInFlightFor(sending.perMinute, meanWeight(batches, endpoint.io.weight)),
			},
			{
				...endpoint.io,
				budget: budgetFor(
					`${workspace.key} ${endpoint.budget}`,
					name,
					environment.clock.now(),
					endpoint.unit,
				),
				clock: environment.clock,
				random: environment.random,
				signal: context.getExecutionCancelSignal(),
				log: (message: string) => context.logger.info(message),
			},
		);
	} catch (error) {
		// Only a cancelled wait ends up here: a failed request is a result, not an exception.
		throw new NodeOperationError(context.getNode(), error as Error);
	}
}
