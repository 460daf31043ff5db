/**
 * What one operation's runs did, from MoEngage's side (the simulator's log) and n8n's (which worker
 * ran which execution): the figures the test prints and the targets it asserts.
 */
import type { LogEntry } from '../../../simulator/simulator';
import { idealMs, type Operation } from './operations';
import type { Worker } from './stack';

export interface Timing {
	/** When the first webhook POST of the operation left, and each run's answer after it. */
	started: number;
	responses: Array<{ run: number; status: number; ms: number }>;
}

export interface Figures {
	elapsedMs: number;
	idealMs: number;
	ratio: number;
	requests: LogEntry[];
	answered: LogEntry[];
	refused: LogEntry[];
	refusedShare: number;
	busiestWindow: number;
	lines: string[];
}

export function figuresOf(options: {
	version: string;
	op: Operation;
	timing: Timing;
	log: LogEntry[];
	windowMs: number;
	workers: Worker[];
	runsPerWorker: number[];
	items: number;
	workerOfRequest: (entry: LogEntry) => string | undefined;
	budgetLines: (worker: Worker) => string[];
}): Figures {
	const { op, timing, workers, runsPerWorker } = options;
	const elapsedMs = Math.max(...timing.responses.map((response) => response.ms));
	const ideal = idealMs(op.units, op.limit);
	const requests = options.log.filter(op.isMine);
	const answered = requests.filter((entry) => entry.status === 200);
	const refused = requests.filter((entry) => entry.status === 429);
	const unitsIn = (entries: LogEntry[]) =>
		entries.reduce((sum, entry) => sum + op.unitsOf(entry), 0);
	// By the simulator's own accounting: the units it accepted in the rolling window ending at each acceptance.
	const busiestWindow = Math.max(
		0,
		...answered.map((last) =>
			unitsIn(
				answered.filter((entry) => entry.at > last.at - options.windowMs && entry.at <= last.at),
			),
		),
	);
	const refusedShare = requests.length === 0 ? 0 : refused.length / requests.length;
	const ratio = elapsedMs / ideal;
	const perWorker = workers.map((worker, index) => {
		const mine = requests.filter((entry) => options.workerOfRequest(entry) === worker.name);
		const budget = options.budgetLines(worker);
		return [
			`  ${worker.name}: ${runsPerWorker[index]} runs, ${unitsIn(mine.filter((entry) => entry.status === 200))} ${op.unit} accepted, ` +
				`${mine.length} requests, ${mine.filter((entry) => entry.status === 429).length} answered 429`,
			...budget.map((line) => `    ${line}`),
		].join('\n');
	});
	const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
	const lines = [
		`n8n ${options.version} · ${op.title}: ${timing.responses.length} runs, ${options.items} items, ${op.units} ${op.unit} at ${op.limit} ${op.unit} per rolling minute`,
		`  elapsed ${(elapsedMs / 1000).toFixed(1)} s; ideal ${ideal / 1000} s; ratio ${ratio.toFixed(3)} (target ≤ 1.15: ${met(ratio <= 1.15)}); busiest rolling minute ${busiestWindow} ${op.unit}`,
		`  requests ${requests.length}, answered 429: ${refused.length} = ${(refusedShare * 100).toFixed(1)}% (target ≤ 5%: ${met(refusedShare <= 0.05)}); retries (requests sent again) ${requests.length - answered.length}`,
		...perWorker,
	];
	return {
		elapsedMs,
		idealMs: ideal,
		ratio,
		requests,
		answered,
		refused,
		refusedShare,
		busiestWindow,
		lines,
	};
}
