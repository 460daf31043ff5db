import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

// The rule sets n8n's community package scanner applies, run locally: the scanner only scans
// packages published with provenance, so this is where a violation is caught first.
const rulesOf = (set) => n8nNodesBase.configs[set].rules;

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', '*.js', '*.mjs'] },
	{
		files: ['**/*.ts', 'package.json'],
		languageOptions: { parser: tseslint.parser, parserOptions: { sourceType: 'module' } },
	},
	{ files: ['**/*.ts', 'package.json'], ...n8nCommunityNodesPlugin.configs.recommended },
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
];
