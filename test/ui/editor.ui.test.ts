/**
 * The editor in a real browser (Debian's Chromium driven by playwright-core), against the n8n that
 * `npm start` runs: what a user sees when they create the credential, drag the node in and run the
 * demo. Each step saves a screenshot to test/screenshots/ (git-ignored); the assertions are on the page.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { start } = require('../../scripts/start');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { CHROMIUM } = require('../../scripts/chromium');

const SHOTS = path.join(__dirname, '..', 'screenshots');
const majors = (process.env.N8N_UI_MAJORS ?? '1,2').split(',').map(Number);

describe.each(majors)('the editor of n8n %i.x', (major) => {
	let session: Awaited<ReturnType<typeof start>>;
	let browser: Browser;
	let page: Page;
	const shot = async (name: string) =>
		await page.screenshot({ path: path.join(SHOTS, `n8n${major}-${name}.png`) });

	beforeAll(async () => {
		mkdirSync(SHOTS, { recursive: true });
		session = await start({ major, port: 5700 + major });
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: [
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--no-first-run',
			],
		});
		page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
		// A busy CI machine can take far longer than a desktop to serve the editor's first page.
		page.setDefaultTimeout(60_000);
	}, 20 * 60_000);

	afterAll(async () => {
		await browser?.close();
		await session?.stop();
	});

	it('1. logs in as the owner', async () => {
		await page.goto(`${session.editor.url}/signin`);
		await page.waitForSelector('input[name=emailOrLdapLoginId]', { timeout: 180_000 });
		await page.fill('input[name=emailOrLdapLoginId]', session.owner.email);
		await page.fill('input[name=password]', session.owner.password);
		await shot('01-sign-in');
		await page.click('[data-test-id=form-submit-button]');
		await page.waitForURL((url) => !url.pathname.includes('signin'));
		// the owner's home, with its workflows: the imported demo is listed (1.x and 2.x alike)
		await page.locator('[data-test-id=project-home-menu-item]').waitFor();
		await page
			.locator('[data-test-id=workflow-card-name]', { hasText: session.workflow.name })
			.waitFor();
	});

	it('2. creates a MoEngage API credential: data centers, Custom URL, a failing and a passing Test (Test Connection)', async () => {
		await page.goto(`${session.editor.url}/home/credentials`);
		await page.click('[data-test-id=add-resource-credential]');
		await page.keyboard.type('MoEngage');
		await page
			.locator('[data-test-id=new-credential-type-select-option]', { hasText: 'MoEngage API' })
			.click();
		await page.click('[data-test-id=new-credential-type-button]');
		await page.waitForSelector('[data-test-id=parameter-input-dataCenter]');
		expect(await page.locator('[data-test-id=parameter-input-baseUrl]').count()).toBe(0);
		await page.click('[data-test-id=parameter-input-dataCenter]');
		const options = page.locator('.el-select-dropdown__item:visible');
		await options.first().waitFor();
		expect(await options.allTextContents()).toEqual([
			'DC-01 (US)',
			'DC-02 (EU)',
			'DC-03 (India)',
			'DC-04 (US)',
			'DC-05 (Singapore)',
			'DC-06 (Indonesia)',
			'DC-101',
			'Custom URL',
		]);
		await shot('02-data-centers');
		await options.filter({ hasText: 'Custom URL' }).click();
		await page.locator('[data-test-id=parameter-input-baseUrl] input').waitFor();
		// the data center a proxy leads to, sent by the Test as Test Connection's region
		expect(await page.locator('[data-test-id=parameter-input-region] input').inputValue()).toBe(
			'DC-01 (US)',
		);
		await page.locator('[data-test-id=parameter-input-baseUrl] input').fill(session.simulatorUrl);
		await page
			.locator('[data-test-id=parameter-input-appId] input')
			.fill(session.simulator.config.workspaceId);
		await page.locator('[data-test-id=parameter-input-apiKey] input').fill('not-the-key');
		await page.click('[data-test-id=credential-save-button]');
		await page.getByText('Couldn’t connect with these settings').waitFor();
		await page.getByText('More details').click();
		await page.getByText('MoEngage answered 401 "Authentication required"').waitFor();
		expect(await page.getByText('dashboard-02.moengage.com → DC-02').count()).toBeGreaterThan(0);
		await shot('03-credential-wrong-key');
		await page
			.locator('[data-test-id=parameter-input-apiKey] input')
			.fill(session.simulator.config.apiKey);
		await page.click('[data-test-id=credential-save-button]');
		await page.getByText('Connection tested successfully').waitFor();
		// the Test is MoEngage's Test Connection, not a Get User request
		const tests = session.simulator.log.filter(
			(entry: { endpoint: string }) => entry.endpoint === 'testConnection',
		);
		expect(tests.map((entry: { status: number }) => entry.status).slice(-2)).toEqual([401, 200]);
		expect(
			session.simulator.log.some((entry: { endpoint: string }) => entry.endpoint === 'export'),
		).toBe(false);
		await shot('04-credential-ok');
		await page.keyboard.press('Escape');
	});

	it('3. adds the MoEngage node from the node panel: icon, "Get users", parameters and options', async () => {
		await page.goto(`${session.editor.url}/workflow/new`);
		await page.click('[data-test-id=canvas-add-button]');
		await page.keyboard.type('moengage');
		const item = page.locator('[data-test-id=node-creator-action-item]', { hasText: 'MoEngage' });
		await item.waitFor();
		const icon = item.locator('img').first();
		expect(await icon.getAttribute('src')).toContain(
			'/icons/n8n-nodes-moengage/dist/nodes/MoEngage/moengage.svg',
		);
		await page.waitForFunction(
			(element) => (element as HTMLImageElement).complete,
			await icon.elementHandle(),
		);
		expect(
			await icon.evaluate((image) => (image as HTMLImageElement).naturalWidth),
		).toBeGreaterThan(0);
		await shot('05-node-panel');
		await item.click();
		const action = page.locator('[data-test-id=node-creator-item-name]', { hasText: 'Get users' });
		await action.waitFor();
		await shot('06-actions');
		await action.click();
		await page.waitForSelector('[data-test-id=parameter-input-identifierType]');
		for (const name of ['resource', 'operation', 'identifierType', 'identifier', 'fields']) {
			await page.locator(`[data-test-id=parameter-input-${name}]`).waitFor();
		}
		const identifierLabel = page
			.locator('[data-test-id=parameter-item]', { hasText: 'Identifier' })
			.filter({ hasNotText: 'Identifier Type' });
		await identifierLabel.locator('label').first().hover();
		await identifierLabel.locator('svg[data-icon=circle-help]').first().hover();
		await page.getByText('The user to look up for each item').first().waitFor({ timeout: 5000 });
		await shot('07-parameters');
		await page.getByPlaceholder('Add option').click();
		const optionNames = page.locator('.el-select-dropdown__item:visible');
		await optionNames.first().waitFor({ timeout: 5000 });
		expect((await optionNames.allTextContents()).map((text) => text.trim())).toEqual([
			'Batch Size',
			'Max Retries',
			'Output Format',
			'Timeout',
			'User Field',
			'Users per Minute',
			'X-Forwarded-For',
		]);
		await shot('08-options');
		await page.keyboard.press('Escape');
	});

	it('4. runs the demo workflow and shows 9 items on Found and 3 on Not Found', async () => {
		await page.goto(`${session.editor.url}/workflow/${session.workflow.id}`);
		await page.locator('[data-test-id=execute-workflow-button]').click();
		const edgeLabels = page.locator('[data-test-id=edge-label]');
		await page.waitForFunction(() =>
			Array.from(document.querySelectorAll('[data-test-id=edge-label]')).some((label) =>
				label.textContent?.includes('9 items'),
			),
		);
		await shot('09-demo-run');
		expect((await edgeLabels.allTextContents()).map((text) => text.trim())).toEqual([
			'1 item',
			'12 items',
			'9 items',
			'3 items',
		]);
		const found = page.locator('[data-test-id=canvas-node]', { hasText: 'Update CRM' });
		const missing = page.locator('[data-test-id=canvas-node]', { hasText: 'Add to missing list' });
		expect(await found.count()).toBe(1);
		expect(await missing.count()).toBe(1);
	});

	it('5. looks right in dark mode too', async () => {
		await page.evaluate(() => localStorage.setItem('N8N_THEME', 'dark'));
		await page.reload();
		await page.locator('[data-test-id=canvas-node]', { hasText: 'MoEngage' }).first().waitFor();
		await page.waitForTimeout(1000);
		const icon = page
			.locator('[data-test-id=canvas-node]', { hasText: 'MoEngage' })
			.locator('img')
			.first();
		expect(await icon.getAttribute('src')).toContain('moengage.dark.svg');
		await shot('10-dark-canvas');
		await page.evaluate(() => localStorage.setItem('N8N_THEME', 'light'));
	});

	it('6. switches the node through every operation: each shows its parameters, notices and outputs', async () => {
		await page.goto(`${session.editor.url}/workflow/new`);
		await page.click('[data-test-id=canvas-add-button]');
		await page.keyboard.type('moengage');
		await page.locator('[data-test-id=node-creator-action-item]', { hasText: 'MoEngage' }).click();
		const actions = page.locator('[data-test-id=node-creator-item-name]');
		await actions.filter({ hasText: 'Get users' }).waitFor();
		for (const action of [
			'Add or remove users in a segment',
			'Add users to a segment',
			'Create or update users',
			'Delete users',
			'Get users',
			'Merge users',
			'Remove users from a segment',
			'Track an event',
		]) {
			expect(await actions.filter({ hasText: action }).count()).toBe(1);
		}
		// The panel slides in: shot once the segment actions stand still.
		await actions.filter({ hasText: 'Remove users from a segment' }).scrollIntoViewIfNeeded();
		await shot('10b-segment-actions');
		await actions.filter({ hasText: 'Get users' }).click();
		await page.waitForSelector('[data-test-id=parameter-input-identifierType]');
		// the node renames itself after its action, so it is found by its type
		const canvasNode = page.locator(
			'[data-test-id=canvas-node][data-node-type="n8n-nodes-moengage.moEngage"]',
		);
		const ndv = page.locator('[data-test-id=ndv]');
		/** Closes the node's panel, waits for the canvas to show `expected` as its outputs, reopens it. */
		const expectOutputs = async (expected: string[], name: string) => {
			// A focused option list keeps Escape for itself: the panel closes only when nothing in it has focus.
			await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
			await page.keyboard.press('Escape');
			await ndv.waitFor({ state: 'hidden' });
			const handles = canvasNode.locator('[data-test-id=canvas-node-output-handle]');
			let labels: string[] = [];
			for (let attempt = 0; attempt < 50; attempt++) {
				labels = (await handles.allTextContents()).map((text) => text.trim());
				if (JSON.stringify(labels) === JSON.stringify(expected)) break;
				await page.waitForTimeout(200);
			}
			await shot(name);
			expect(labels).toEqual(expected);
			await canvasNode.dblclick();
			await ndv.waitFor();
		};
		const choose = async (parameter: string, option: string | RegExp) => {
			await page.click(`[data-test-id=parameter-input-${parameter}]`);
			const options = page.locator('.el-select-dropdown__item:visible');
			await options.first().waitFor();
			await options.filter({ hasText: option }).first().click();
			await page.locator('.el-select-dropdown__item:visible').first().waitFor({ state: 'hidden' });
		};
		const labels = async () =>
			(await ndv.locator('[data-test-id=parameter-item] label').allTextContents())
				.map((text) => text.replace(/FixedExpression$/, '').trim())
				.filter((text) => text !== 'Fixed' && text !== 'Expression');
		const shows = async (names: string[]) => {
			for (const name of names)
				await page.locator(`[data-test-id=parameter-input-${name}]`).first().waitFor();
		};
		const DELETE_NOTICE =
			'Deleting is irreversible. MoEngage deletes each user for good 24 hours after the request';
		const MERGE_NOTICE = 'Merging is irreversible. The merged user keeps only its MoEngage ID';
		const SEGMENT_NOTICE = 'MoEngage only matches users it already has, by customer ID';

		await expectOutputs(['Found', 'Not Found'], '11-get-outputs');

		// A Get node set to MoEngage IDs and switched to Delete keeps its choice: both offer the same values.
		const identifierType = page.locator('[data-test-id=parameter-input-identifierType] input');
		await choose('identifierType', 'MoEngage ID');
		await choose('operation', 'Delete');
		await shows(['identifierType', 'identifier']);
		expect(await identifierType.inputValue()).toBe('MoEngage ID');
		await shot('11b-get-to-delete-keeps-identifier-type');
		await choose('operation', 'Get');
		expect(await identifierType.inputValue()).toBe('MoEngage ID');

		await choose('operation', 'Create or Update');
		await shows([
			'customerId',
			'attributesFrom',
			'excludeFields',
			'sendMappedFields',
			'updateExistingOnly',
			'sendEmptyValues',
		]);
		expect(await labels()).toEqual(
			expect.arrayContaining([
				'Customer ID',
				'Attributes From',
				'Exclude Fields',
				'Send Mapped Fields',
				'Send Empty Values',
				'Update Existing Only',
			]),
		);
		expect(await page.locator('[data-test-id=parameter-input-identifierType]').count()).toBe(0);
		await shot('12-create-or-update');
		await expectOutputs(['Accepted'], '13-create-or-update-outputs');

		await choose('operation', 'Delete');
		await shows(['identifierType', 'identifier']);
		await ndv.getByText(DELETE_NOTICE).waitFor();
		expect(await page.locator('[data-test-id=parameter-input-customerId]').count()).toBe(0);
		await shot('14-delete');
		await expectOutputs(['Deleted', 'Not Found'], '15-delete-outputs');

		await choose('operation', 'Merge');
		await shows(['mergedCustomerId', 'retainedCustomerId']);
		await ndv.getByText(MERGE_NOTICE).waitFor();
		expect(await ndv.getByText(DELETE_NOTICE).count()).toBe(0);
		expect(await labels()).toEqual(
			expect.arrayContaining(['Merged Customer ID', 'Retained Customer ID']),
		);
		await shot('16-merge');
		await expectOutputs(['Accepted'], '17-merge-outputs');

		await choose('resource', 'Event');
		await shows(['customerId', 'eventName', 'eventTime', 'attributesFrom']);
		expect(await page.locator('[data-test-id=parameter-input-operation] input').inputValue()).toBe(
			'Track',
		);
		expect(await labels()).toEqual(
			expect.arrayContaining([
				'Customer ID',
				'Event Name',
				'Event Time',
				'Attributes From',
				'Attributes',
				'Additional Fields',
			]),
		);
		expect(await ndv.getByText(MERGE_NOTICE).count()).toBe(0);
		await page.getByPlaceholder('Add option').click();
		const trackOptions = page.locator('.el-select-dropdown__item:visible');
		await trackOptions.first().waitFor({ timeout: 5000 });
		expect((await trackOptions.allTextContents()).map((text) => text.trim())).toContain(
			'Resend After a Lost Answer',
		);
		await page.keyboard.press('Escape');
		await shot('18-track');
		await expectOutputs(['Accepted'], '19-track-outputs');

		const operation = page.locator('[data-test-id=parameter-input-operation] input');
		const memberAction = page.locator('[data-test-id=parameter-input-memberAction]');
		await choose('resource', 'Segment');
		await shows(['customerId', 'segmentName', 'segmentId']);
		expect(await operation.inputValue()).toBe('Add Users');
		expect(await labels()).toEqual(
			expect.arrayContaining(['Customer ID', 'Segment Name', 'Segment ID']),
		);
		expect(await labels()).not.toContain('Action');
		expect(await memberAction.count()).toBe(0);
		expect(await page.locator('[data-test-id=parameter-input-eventName]').count()).toBe(0);
		// What MoEngage documents of Cohort Sync (docs/moengage-api.md#cohort-sync): it only matches
		// users it already has and creates none, its segments belong to the Default Team, and it cannot
		// change segments made on the dashboard or with the File Segment API.
		const notice = ndv.locator('[role=alert]', { hasText: SEGMENT_NOTICE });
		await notice.waitFor();
		const noticeText = ((await notice.textContent()) ?? '').replace(/\s+/g, ' ').trim();
		expect(noticeText.startsWith(SEGMENT_NOTICE)).toBe(true);
		expect(noticeText).toContain('this creates no users, and an unknown ID is ignored');
		expect(noticeText).toContain('creates it, in the Default Team');
		expect(noticeText).toContain(
			'Segments made on the dashboard or with the File Segment API cannot be changed this way',
		);
		await shot('20-segment-add-users');
		// Cohort Sync documents no X-Forwarded-For, and requires a partner (docs/moengage-api.md#cohort-sync)
		await page.getByPlaceholder('Add option').click();
		const segmentOptions = page.locator('.el-select-dropdown__item:visible');
		await segmentOptions.first().waitFor({ timeout: 5000 });
		expect((await segmentOptions.allTextContents()).map((text) => text.trim())).toEqual([
			'Max Retries',
			'Partner',
			'Requests per Minute',
			'Timeout',
		]);
		// The list fades in (an upward one over Segment ID): shot once no transition is running.
		await page.waitForFunction(() => document.querySelector('[class*="-enter-active"]') === null);
		await shot('21-segment-options');
		await page.keyboard.press('Escape');
		await expectOutputs(['Accepted'], '22-segment-outputs');

		await choose('operation', /^Add or Remove Users/);
		await shows(['memberAction', 'customerId', 'segmentName', 'segmentId']);
		expect(await labels()).toEqual(
			expect.arrayContaining(['Action', 'Customer ID', 'Segment Name', 'Segment ID']),
		);
		await choose('memberAction', /^Remove/);
		expect(await memberAction.locator('input').inputValue()).toBe('Remove');
		await notice.waitFor();
		await shot('23-segment-add-or-remove');
		await expectOutputs(['Accepted'], '24-segment-add-or-remove-outputs');

		await choose('operation', /^Remove Users/);
		await shows(['customerId', 'segmentName', 'segmentId']);
		expect(await memberAction.count()).toBe(0);
		expect(await labels()).not.toContain('Action');
		await notice.waitFor();
		await shot('25-segment-remove-users');
		await expectOutputs(['Accepted'], '26-segment-remove-outputs');
		await page.keyboard.press('Escape');
	});
});
