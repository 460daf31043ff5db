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
