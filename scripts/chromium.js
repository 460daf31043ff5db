'use strict';
/**
 * Jest global setup of the editor tests (npm run test:ui): they drive Debian's Chromium, since no
 * browser download is possible here. Installs it when missing, or stops before any test with the
 * command to run.
 */
const fs = require('node:fs');
const { ensureDebianPackages } = require('./install');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

module.exports = async function ensureChromium() {
	if (fs.existsSync(CHROMIUM)) return;
	if (process.env.CHROMIUM_PATH) {
		throw new Error(
			`CHROMIUM_PATH is ${CHROMIUM}, which does not exist: point it at a Chromium binary, or unset it to use Debian's /usr/bin/chromium.`,
		);
	}
	ensureDebianPackages(
		['chromium', 'fonts-liberation'],
		'the editor tests drive a real Chromium (/usr/bin/chromium).',
	);
	if (!fs.existsSync(CHROMIUM))
		throw new Error(`Debian's chromium was installed but ${CHROMIUM} does not exist.`);
};
module.exports.CHROMIUM = CHROMIUM;
