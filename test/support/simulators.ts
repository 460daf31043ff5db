// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createSimulator } = require('../simulator/simulator');

export type Simulator = ReturnType<typeof createSimulator>;

/** A simulator of its own for one test, on a free port, stopped whatever happens. */
export async function withSimulator<T>(options: object, use: (simulator: Simulator) => Promise<T>): Promise<T> {
	const simulator = createSimulator(options);
	await simulator.start();
	try {
		return await use(simulator);
	} finally {
		await simulator.stop();
	}
}

/**
 * A factory of simulators for one test file: each starts on a free port with `defaults` under the
 * test's own options, and all are stopped after the file's tests.
 */
export function simulatorFactory(defaults: object): (options?: object) => Promise<Simulator> {
	const started: Simulator[] = [];
	afterAll(async () => {
		for (const simulator of started) await simulator.stop();
	});
	return async (options = {}) => {
		const simulator = createSimulator({ ...defaults, ...options });
		await simulator.start();
		started.push(simulator);
		return simulator;
	};
}
