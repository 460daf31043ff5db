/**
 * Scenario 12, the MoEngage Trigger's own cost: the time webhook() takes for one Streams batch of
 * 100 events (n8n has parsed the body by then), new and resent, and the memory its de-duplication
 * keeps at its bound (DEFAULT_REMEMBER_AT_MOST event IDs of MoEngage's length).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { DEFAULT_REMEMBER_AT_MOST, SeenEvents } from '../nodes/MoEngageTrigger/seen-events';
import { callTrigger, streamsBatch } from '../test/support/webhook';

const ROOT = path.join(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { streamEvents } = require(path.join(ROOT, 'simulator/streams.js'));

export interface Figure {
	figure: string;
	value: string;
	target: string;
	met: boolean | null;
	runs: number;
}

const BATCHES = 1000;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const micro = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;

function collect() {
	(globalThis as { gc?: () => void }).gc?.();
	(globalThis as { gc?: () => void }).gc?.();
	return process.memoryUsage().heapUsed;
}

/** webhook() for each batch, in order; the times in ms. */
async function timeBatches(batches: object[], workflowId: string, parameters: IDataObject = {}) {
	const times: number[] = [];
	for (const batch of batches) {
		const raw = JSON.stringify(batch);
		const started = performance.now();
		const outcome = await callTrigger({
			workflowId,
			parameters: { source: 'streams', ...parameters },
			raw,
			body: batch,
			headers: { 'content-type': 'application/json' },
		});
		times.push(performance.now() - started);
		if (outcome.status !== 200) throw new Error(`batch answered ${outcome.status}`);
	}
	return times;
}

export async function triggerCost(): Promise<{ figures: Figure[]; raw: IDataObject }> {
	const events: IDataObject[] = streamEvents({ count: BATCHES * 100, seed: 12 });
	const batches = Array.from({ length: BATCHES }, (_, index) =>
		streamsBatch(events.slice(index * 100, index * 100 + 100), `req-${index}`),
	);
	// Warm up the JIT on another trigger's memory.
	await timeBatches(batches.slice(0, 50), 'bench-warm-up');

	const fresh = await timeBatches(batches, 'bench-new');
	const resent = await timeBatches(batches, 'bench-new');
	const filtered = await timeBatches(batches, 'bench-filtered', {
		eventTypes: ['campaign'],
		campaignEvents: ['MOE_EMAIL_HARD_BOUNCE', 'MOE_EMAIL_SOFT_BOUNCE'],
		otherEvents: 'Purchase',
	});

	// The memory at its bound: IDs as long as MoEngage's (UUIDs, 36 characters), one memory full.
	const before = collect();
	const memory = new SeenEvents({ windowMs: 15 * 60_000, capacity: DEFAULT_REMEMBER_AT_MOST });
	for (let index = 0; index < DEFAULT_REMEMBER_AT_MOST * 2; index += 100) {
		// Parsed from JSON, as n8n hands them over: flat strings (randomUUID's own are built by concatenation).
		const ids: string[] = JSON.parse(
			JSON.stringify(Array.from({ length: 100 }, () => randomUUID())),
		);
		memory.sort(ids, index);
	}
	const bytes = collect() - before;
	const held = memory.size;
	const perId = bytes / held;

	const figures: Figure[] = [
		{
			figure: `one batch of 100 new events: webhook() time (median of ${BATCHES}, memory filling to 100,000 IDs)`,
			value: micro(median(fresh)),
			target: '—',
			met: null,
			runs: BATCHES,
		},
		{
			figure: 'one resent batch of 100 (all repeated, no execution): webhook() time',
			value: micro(median(resent)),
			target: '—',
			met: null,
			runs: BATCHES,
		},
		{
			figure: 'one batch of 100 with three filters set: webhook() time',
			value: micro(median(filtered)),
			target: '—',
			met: null,
			runs: BATCHES,
		},
		{
			figure: `de-duplication memory at its bound (${DEFAULT_REMEMBER_AT_MOST.toLocaleString('en-US')} IDs of 36 characters held after ${(DEFAULT_REMEMBER_AT_MOST * 2).toLocaleString('en-US')} sent)`,
			value: `${(bytes / 2 ** 20).toFixed(1)} MiB (${perId.toFixed(0)} bytes an ID), ${held.toLocaleString('en-US')} held`,
			target: `bounded: ${DEFAULT_REMEMBER_AT_MOST.toLocaleString('en-US')} held`,
			met: held === DEFAULT_REMEMBER_AT_MOST,
			runs: 1,
		},
	];
	return {
		figures,
		raw: {
			freshMs: { median: median(fresh), max: Math.max(...fresh) },
			resentMs: { median: median(resent), max: Math.max(...resent) },
			filteredMs: { median: median(filtered), max: Math.max(...filtered) },
			memory: { held, bytes, perId },
		},
	};
}
