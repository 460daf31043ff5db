/**
 * The simulator's API without HTTP, answering through the node's own response classification:
 * lets the retry and split policy run thousands of requests under a fake clock.
 */
import {
	readAnswer,
	type ExportAnswer,
	type Lookup,
} from '../../nodes/MoEngage/resources/user/get/answers';
import { classifyResponse, type Exchange } from '../../nodes/MoEngage/shared/transport';

import { createSimulator, type Simulator } from '../../simulator/simulator';

export type { Simulator };
export { createSimulator };

export function inMemorySend(
	simulator: Simulator,
	fields?: string[],
	now: () => number = Date.now,
) {
	const { workspaceId, apiKey } = simulator.config;
	const basic = Buffer.from(`${workspaceId}:${apiKey}`).toString('base64');
	return async (batch: readonly Lookup[]): Promise<Exchange<ExportAnswer>> => {
		const data: Record<string, unknown> = {
			identifiers: batch.map((lookup) => ({
				identifier_type: lookup.type,
				identifier: lookup.identifier,
			})),
		};
		if (fields) data.user_fields_to_export = fields;
		const result = simulator.handle({
			method: 'POST',
			url: new URL(
				`http://simulator/v1/customers/export?app_id=${encodeURIComponent(workspaceId)}`,
			),
			headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
			raw: Buffer.from(JSON.stringify({ data })),
		});
		// A dropped connection comes after the request arrived: its answer is lost, as the transport says.
		if (result.destroy) {
			return {
				kind: 'lost',
				failure: {
					message:
						'No answer from MoEngage at http://simulator: the request was sent and its answer lost',
					description: result.delayMs ? 'timeout' : 'socket hang up',
				},
			};
		}
		let body = result.body;
		if (typeof body === 'string') {
			try {
				body = JSON.parse(body);
			} catch {
				// a body that is not JSON reaches the node as text, as axios gives it
			}
		}
		const headers = Object.fromEntries(
			Object.entries(result.headers ?? {}).map(([key, value]) => [key.toLowerCase(), value]),
		);
		return classifyResponse(result.status, body, headers, [apiKey, basic], now(), readAnswer);
	};
}
