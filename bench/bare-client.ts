/**
 * The lower bound for the node's own cost: the same export requests over the same keep-alive HTTP
 * stack of Node, the same number in flight, and nothing else — no n8n, no parsing of items.
 */
import http from 'node:http';

export async function bareExport(
	baseUrl: string,
	appId: string,
	apiKey: string,
	batches: string[][],
	concurrency: number,
): Promise<{ ms: number; requests: number }> {
	const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	const auth = `Basic ${Buffer.from(`${appId}:${apiKey}`).toString('base64')}`;
	const url = new URL(`${baseUrl}/v1/customers/export?app_id=${encodeURIComponent(appId)}`);
	const send = (identifiers: string[]) =>
		new Promise<void>((resolve, reject) => {
			const body = JSON.stringify({
				data: {
					identifiers: identifiers.map((identifier) => ({
						identifier_type: 'customer_id',
						identifier,
					})),
				},
			});
			const request = http.request(
				url,
				{
					method: 'POST',
					agent,
					headers: { Authorization: auth, 'Content-Type': 'application/json' },
				},
				(response) => {
					const chunks: Buffer[] = [];
					response.on('data', (chunk) => chunks.push(chunk));
					response.on('end', () => {
						if (response.statusCode !== 200)
							reject(new Error(`bare client got ${response.statusCode}`));
						else {
							JSON.parse(Buffer.concat(chunks).toString('utf8'));
							resolve();
						}
					});
				},
			);
			request.on('error', reject);
			request.end(body);
		});
	const started = performance.now();
	let next = 0;
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < batches.length) await send(batches[next++]);
		}),
	);
	agent.destroy();
	return { ms: performance.now() - started, requests: batches.length };
}
