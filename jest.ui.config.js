/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/ui'],
	testMatch: ['**/*.ui.test.ts'],
	testTimeout: 5 * 60_000,
	// installs Debian's Chromium when missing, or stops with the command to run
	globalSetup: '<rootDir>/scripts/chromium.js',
	forceExit: true,
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }] },
};
