/**
 * Scenario 4 in a process of its own, so CPU and peak RSS are this run's alone:
 * node <this> <simulator url> node|bare. Prints one JSON line.
 */
import type * as SimulatorModule from '../simulator/simulator';
import { bareExport } from './bare-client';

// Compiled to bench/.build/bench/; the simulator is plain JavaScript, loaded from the source tree and typed by its .d.ts.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { makeUsers }: typeof SimulatorModule = require('../../../simulator/simulator.js');

const [url, mode] = process.argv.slice(2);
const WORKSPACE = 'SIMWORKSPACE01';
const KEY = 'sim-data-api-key-0123456789';

async function main() {
	const known: string[] = makeUsers(25_000, 1).map(
		(user: { customer_id: string }) => user.customer_id,
	);
	const distinct = [...known, ...Array.from({ length: 25_000 }, (_, n) => `unknown-${n}`)];
	const rows = [...distinct, ...distinct].map((customer_id) => ({ customer_id }));
	global.gc?.();
	const rssBefore = process.memoryUsage().rss;
	const cpuBefore = process.cpuUsage();
	const started = performance.now();
	let nodeMs: number;
	let found = 0;
	let notFound = 0;
	if (mode === 'bare') {
		const batches: string[][] = [];
		for (let start = 0; start < distinct.length; start += 20)
			batches.push(distinct.slice(start, start + 20));
		nodeMs = (await bareExport(url, WORKSPACE, KEY, batches, 4)).ms;
	} else {
		const { runMoEngage } = await import('../test/engine');
		const result = await runMoEngage({
			rows,
			parameters: { options: { usersPerMinute: 1e9 } },
			credentials: { dataCenter: 'custom', baseUrl: url, appId: WORKSPACE, apiKey: KEY },
			downstream: false,
		});
		if (result.error) throw result.error;
		nodeMs = result.nodeMs;
		found = result.outputs[0].length;
		notFound = result.outputs[1].length;
	}
	const wallMs = performance.now() - started;
	const cpu = process.cpuUsage(cpuBefore);
	const peakRss = process.resourceUsage().maxRSS * 1024;
	console.log(
		JSON.stringify({
			mode,
			nodeMs,
			wallMs,
			cpuUs: cpu.user + cpu.system,
			items: rows.length,
			found,
			notFound,
			rssBefore,
			peakRss,
		}),
	);
	process.exit(0);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
