#!/usr/bin/env node
'use strict';
/**
 * npm run release -- <x.y.z>: dates CHANGELOG's [Unreleased] section as x.y.z, sets the version in
 * package.json and package-lock.json, commits and tags vx.y.z. `git push --follow-tags` then lets
 * .github/workflows/publish.yml publish to npm with provenance.
 * (The project's .npmrc sets ignore-scripts, so npm's own `version` lifecycle hook would not run.)
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const version = process.argv[2];
const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });

if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version ?? '')) {
	console.error('usage: npm run release -- <x.y.z>');
	process.exit(2);
}
if (git('status', '--porcelain').trim() !== '') {
	console.error('Commit or stash your changes first: a release is cut from a clean tree.');
	process.exit(1);
}
const changelog = path.join(ROOT, 'CHANGELOG.md');
const text = fs.readFileSync(changelog, 'utf8');
if (text.includes(`## [${version}]`)) {
	console.error(`CHANGELOG.md already has a section for ${version}.`);
	process.exit(1);
}
const today = new Date().toISOString().slice(0, 10);
fs.writeFileSync(
	changelog,
	text.replace('## [Unreleased]', `## [Unreleased]\n\n## [${version}] - ${today}`),
);
execFileSync('npm', ['version', version, '--no-git-tag-version'], { cwd: ROOT, stdio: 'inherit' });
git('add', 'CHANGELOG.md', 'package.json', 'package-lock.json');
git('commit', '-m', `Release v${version}`);
git('tag', `v${version}`);
console.log(`Tagged v${version}. Push with: git push --follow-tags`);
