import js from '@eslint/js';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The rule sets n8n's community package scanner applies, run locally: the scanner only scans
// packages published with provenance, so this is where a violation is caught first.
const rulesOf = (set) => n8nNodesBase.configs[set].rules;

// The package's own code: what n8n loads, and what the scanner checks.
const PACKAGE_FILES = ['nodes/**/*.ts', 'credentials/**/*.ts', 'package.json'];
// Tests and benchmarks in TypeScript: checked for real mistakes, not against n8n's node rules.
const TOOLING_TS = ['test/**/*.ts', 'bench/**/*.ts'];
// Plain Node scripts (CommonJS): the project's scripts and the MoEngage simulator.
const TOOLING_JS = ['scripts/**/*.js', 'simulator/**/*.js', 'test/simulator/**/*.js'];

// An unused name is a mistake unless it says it is meant (`_`), or leaves a key out of a rest copy.
const unusedVars = {
	args: 'after-used',
	argsIgnorePattern: '^_',
	varsIgnorePattern: '^_',
	caughtErrorsIgnorePattern: '^_',
	destructuredArrayIgnorePattern: '^_',
	ignoreRestSiblings: true,
};

export default [
	{
		ignores: [
			'dist/**',
			'bench/.build/**',
			'bench/results/**',
			'node_modules/**',
			'coverage/**',
			'test/screenshots/**',
			'.cache/**',
			// Root config files (eslint.config.mjs, gulpfile.js, jest configs, index.js) are not linted.
			'*.js',
			'*.mjs',
		],
	},

	// nodes/, credentials/ and package.json: n8n's community-node rules, as before.
	{
		files: PACKAGE_FILES,
		languageOptions: { parser: tseslint.parser, parserOptions: { sourceType: 'module' } },
	},
	{ files: PACKAGE_FILES, ...n8nCommunityNodesPlugin.configs.recommended },
	{
		files: ['package.json'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: rulesOf('community'),
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...rulesOf('credentials'),
			// This rule expects a slug of n8n's own docs; a community credential links to MoEngage's
			// page, the URL form the scanner's credential-documentation-url rule accepts.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...rulesOf('nodes'),
			// The two plugins disagree on connection types: n8n-nodes-base wants the string 'main',
			// @n8n/community-nodes (the scanner's current set) wants NodeConnectionTypes.Main. We follow the latter.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},

	// test/ and bench/ (TypeScript): ESLint's and typescript-eslint's recommended rules, without type
	// information (fast; tsc checks types, see `npm run typecheck`). Type-aware rules such as
	// no-floating-promises triple the run time and found nothing here. Non-null assertions are allowed
	// (not in the recommended set); a require() of the JavaScript tooling (simulator, scripts) carries an
	// `eslint-disable-next-line @typescript-eslint/no-require-imports`, so any other require() is flagged.
	...[js.configs.recommended, ...tseslint.configs.recommended].map((config) => ({
		...config,
		files: TOOLING_TS,
	})),
	{
		files: TOOLING_TS,
		languageOptions: {
			ecmaVersion: 'latest',
			sourceType: 'module',
			globals: { ...globals.node, ...globals.jest },
		},
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', unusedVars],
			// Test doubles stand in for n8n's and MoEngage's objects with loose shapes: flagged, not fatal.
			'@typescript-eslint/no-explicit-any': 'warn',
		},
	},

	// scripts/ and the simulator: CommonJS Node scripts.
	{
		files: TOOLING_JS,
		...js.configs.recommended,
		languageOptions: {
			ecmaVersion: 'latest',
			sourceType: 'commonjs',
			globals: { ...globals.node },
		},
		rules: {
			...js.configs.recommended.rules,
			'no-unused-vars': ['error', unusedVars],
		},
	},
];
