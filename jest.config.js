/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// the real-n8n suites run with their own configs (npm run test:e2e, test:ui, test:queue)
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/', '/test/ui/', '/test/queue/'],
	// n8n-core leaves timers (its config and telemetry helpers) running after a workflow ends.
	forceExit: true,
	testTimeout: 60_000,
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }] },
};
