/** The MoEngage node run in n8n's engine against a simulator, and what tests read of its items. */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { runMoEngage, type MoEngageParameters, type RunOptions } from '../engine';
import { credentialsFor, type Simulator } from './simulators';

/** Rows into the MoEngage node with `parameters`, its credential pointing at `simulator`. */
export async function runOnSimulator(
	simulator: Simulator,
	rows: IDataObject[],
	parameters: MoEngageParameters = {},
	extra: Partial<RunOptions> = {},
) {
	return await runMoEngage({ rows, parameters, credentials: credentialsFor(simulator), ...extra });
}

/** The input item each output item is linked to (its pairedItem). */
export const paired = (items: INodeExecutionData[]) =>
	items.map((item) => (item.pairedItem as { item: number }).item);

/** The error of an error item (continue-on-fail). */
export const errorOf = (item: INodeExecutionData) => item.json.error as IDataObject;
