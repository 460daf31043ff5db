/** What `npm install n8n-nodes-moengage` puts on a user's disk: the built package, nothing else. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');

const packed = (): string[] => {
	const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: ROOT,
		encoding: 'utf8',
	});
	return (JSON.parse(output)[0].files as Array<{ path: string }>).map((file) => file.path).sort();
};

describe('the npm package', () => {
	const files = packed();

	it('holds the built node, credential, icons, codex, README, LICENSE and package.json', () => {
		expect(files).toEqual(
			expect.arrayContaining([
				'LICENSE',
				'README.md',
				'package.json',
				'dist/credentials/MoEngageApi.credentials.js',
				'dist/credentials/moengage.svg',
				'dist/credentials/moengage.dark.svg',
				'dist/nodes/MoEngage/MoEngage.node.js',
				'dist/nodes/MoEngage/MoEngage.node.json',
				'dist/nodes/MoEngage/moengage.svg',
				'dist/nodes/MoEngage/moengage.dark.svg',
				'dist/nodes/MoEngage/shared/transport.js',
			]),
		);
	});

	it('holds no sources, tests, maps, fixtures or secrets', () => {
		const unwanted = files.filter(
			(file) =>
				/\.ts$/.test(file) ||
				/\.map$/.test(file) ||
				/(^|\/)(test|tests|__tests__|fixtures|examples|scripts|simulator|\.ci|\.github)\//.test(
					file,
				) ||
				/(^|\/)\.env|\.npmrc$|\.pem$|\.key$/.test(file),
		);
		expect(unwanted).toEqual([]);
	});

	it('every file n8n loads from package.json is in it', () => {
		const { n8n } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
			n8n: { nodes: string[]; credentials: string[] };
		};
		expect(files).toEqual(expect.arrayContaining([...n8n.nodes, ...n8n.credentials]));
	});
});
