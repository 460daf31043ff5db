/**
 * The editor in a real browser (Debian's Chromium driven by playwright-core), against the n8n that
 * `npm start` runs: what a user sees when they create the credential, drag the node in and run the
 * demo. Each step saves a screenshot to test/screenshots/ (git-ignored); the assertions are on the page.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { chromium, type Browser, type Dialog, type Locator, type Page } from 'playwright-core';

import { MoEngageTrigger } from '../../nodes/MoEngageTrigger/MoEngageTrigger.node';
import { createStreamsSender, streamEvents } from '../../simulator/streams';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { start, STREAMS_AUTH } = require('../../scripts/start');
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
		// With the MoEngage Trigger in the package, n8n opens MoEngage with its trigger first and the actions folded.
		await page.locator('[data-test-id=node-creator-category-item]', { hasText: 'Actions' }).click();
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

	// The MoEngage node's panel, as steps 6 and 6b use it. The node renames itself after its action,
	// so it is found by its type.
	const canvasNode = () =>
		page.locator('[data-test-id=canvas-node][data-node-type="n8n-nodes-moengage.moEngage"]');
	/** Closes the node's panel, waits for the canvas to show `expected` as its outputs, reopens it. */
	const expectOutputs = async (expected: string[], name: string) => {
		const ndv = page.locator('[data-test-id=ndv]');
		// A focused option list keeps Escape for itself: the panel closes only when nothing in it has focus.
		await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
		await page.keyboard.press('Escape');
		await ndv.waitFor({ state: 'hidden' });
		const handles = canvasNode().locator('[data-test-id=canvas-node-output-handle]');
		let labels: string[] = [];
		for (let attempt = 0; attempt < 50; attempt++) {
			labels = (await handles.allTextContents()).map((text) => text.trim());
			if (JSON.stringify(labels) === JSON.stringify(expected)) break;
			await page.waitForTimeout(200);
		}
		await shot(name);
		expect(labels).toEqual(expected);
		await canvasNode().dblclick();
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
		(await page.locator('[data-test-id=ndv] [data-test-id=parameter-item] label').allTextContents())
			.map((text) => text.replace(/FixedExpression$/, '').trim())
			.filter((text) => text !== 'Fixed' && text !== 'Expression');
	const shows = async (names: string[]) => {
		for (const name of names)
			await page.locator(`[data-test-id=parameter-input-${name}]`).first().waitFor();
	};

	it('6. switches the node through every operation: each shows its parameters, notices and outputs', async () => {
		await page.goto(`${session.editor.url}/workflow/new`);
		await page.click('[data-test-id=canvas-add-button]');
		await page.keyboard.type('moengage');
		await page.locator('[data-test-id=node-creator-action-item]', { hasText: 'MoEngage' }).click();
		// With the MoEngage Trigger in the package, n8n opens MoEngage with its trigger first and the actions folded.
		await page.locator('[data-test-id=node-creator-category-item]', { hasText: 'Actions' }).click();
		const actions = page.locator('[data-test-id=node-creator-item-name]');
		await actions.filter({ hasText: 'Get users' }).waitFor();
		for (const action of [
			'Add or remove users in a segment',
			'Add users to a segment',
			'Create or update users',
			'Delete users',
			'Get campaign stats',
			'Get users',
			'Merge users',
			'Remove users from a segment',
			'Send a transactional message',
			'Track an event',
		]) {
			expect(await actions.filter({ hasText: action }).count()).toBe(1);
		}
		// The panel slides in: shot once the segment actions stand still.
		await actions.filter({ hasText: 'Remove users from a segment' }).scrollIntoViewIfNeeded();
		await shot('10b-segment-actions');
		await actions.filter({ hasText: 'Get users' }).click();
		await page.waitForSelector('[data-test-id=parameter-input-identifierType]');
		const ndv = page.locator('[data-test-id=ndv]');
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

	/**
	 * Creates a new credential from the node and checks that it is the one whose key is labelled
	 * `keyLabel`, then fills `fields` and saves: n8n tests it.
	 */
	const newCredential = async (keyLabel: string, fields: Record<string, string>) => {
		// 2.x offers "Connect to MoEngage …" while no credential of the type exists; 1.x a list with "Create new".
		const connect = page.getByRole('button', { name: /^Connect to MoEngage/ });
		const list = page.locator('[data-test-id=node-credentials-select]').first();
		await connect.or(list).first().waitFor();
		if (await connect.isVisible()) {
			await connect.click();
		} else {
			await list.click();
			await page.locator('[data-test-id=node-credentials-select-item-new]').first().click();
		}
		const dialog = page.locator('[data-test-id=credential-edit-dialog]');
		await dialog.waitFor();
		await shot(`26-new-credential-${keyLabel.split(' ')[0].toLowerCase()}`);
		// The dialog's own fields say which type it is: each key is labelled with its tile's name.
		await dialog.getByText(keyLabel).first().waitFor({ timeout: 15_000 });
		await dialog.locator('[data-test-id=parameter-input-dataCenter]').click();
		await page.locator('.el-select-dropdown__item:visible', { hasText: 'Custom URL' }).click();
		for (const [name, value] of Object.entries(fields))
			await dialog.locator(`[data-test-id=parameter-input-${name}] input`).first().fill(value);
		await page.click('[data-test-id=credential-save-button]');
		return dialog;
	};
	/**
	 * Waits for the Test of a saved credential to pass, and closes its dialog: 1.x shows "Connection
	 * tested successfully"; 2.x closes a credential made from the node as soon as its Test passed
	 * (and keeps it open on a failure, as in 26c).
	 */
	const passedAndClosed = async (dialog: Locator, name: string) => {
		const passed = dialog.getByText('Connection tested successfully');
		for (let attempt = 0; attempt < 300; attempt++) {
			if (!(await dialog.isVisible()) || (await passed.isVisible())) break;
			await page.waitForTimeout(200);
		}
		await shot(name);
		if (await dialog.isVisible()) {
			expect(await passed.isVisible()).toBe(true);
			await page.keyboard.press('Escape');
			await dialog.waitFor({ state: 'hidden' });
		}
	};

	it('6b. Message → Send and Report → Get Campaign Stats ask for their own credential (Inform, Campaign report), made and tested from the node', async () => {
		await leaveWithoutSaving(`${session.editor.url}/workflow/new`);
		await page.click('[data-test-id=canvas-add-button]');
		await page.keyboard.type('moengage');
		await page.locator('[data-test-id=node-creator-action-item]', { hasText: 'MoEngage' }).click();
		await page.locator('[data-test-id=node-creator-category-item]', { hasText: 'Actions' }).click();
		await page
			.locator('[data-test-id=node-creator-item-name]', { hasText: 'Send a transactional message' })
			.click();
		await shows(['alertBy', 'alertId', 'userId', 'transactionId', 'channels', 'smsRecipient']);
		expect(await labels()).toEqual(
			expect.arrayContaining([
				'Alert By',
				'Alert ID',
				'User ID',
				'Transaction ID',
				'Channels',
				'Personalized Attributes From',
				'SMS Recipient',
				'SMS Personalized Attributes',
				'SMS Sender Attributes',
				'Send as Test Alert',
			]),
		);
		await page
			.locator('[data-test-id=ndv] [role=alert]', {
				hasText: 'A message is sent at most once per Transaction ID',
			})
			.waitFor();
		await shot('26b-message-send');
		const { simulator } = session;
		const inform = await newCredential('Inform API Key', {
			baseUrl: session.simulatorUrl,
			sandboxUrl: `${session.simulatorUrl}/sandbox`,
			appId: simulator.config.workspaceId,
			apiKey: simulator.config.apiKey,
		});
		// The Data key is not the Inform key: MoEngage's 401, in the Test's words.
		await inform.getByText('Couldn’t connect with these settings').waitFor();
		await inform.getByText('More details').click();
		await inform.getByText('Invalid App Key or Basic Auth').first().waitFor();
		await shot('26c-inform-credential-data-key');
		await inform
			.locator('[data-test-id=parameter-input-apiKey] input')
			.fill(simulator.config.informKey);
		await page.click('[data-test-id=credential-save-button]');
		await passedAndClosed(inform, '26d-inform-credential-ok');
		// The Test's test alert: 401 to the Data key, then 400 "Invalid Alert ID" to the Inform key; nothing sent.
		const informTests = simulator.log.filter(
			(entry: { endpoint: string }) => entry.endpoint === 'inform',
		);
		expect(informTests.map((entry: { status: number }) => entry.status).slice(-2)).toEqual([
			401, 400,
		]);
		expect(simulator.testAlerts).toEqual([]);
		await expectOutputs(['Sent'], '26e-message-outputs');

		await choose('resource', 'Report');
		await shows(['campaignIds', 'startDate', 'endDate', 'attributionType', 'metricType', 'output']);
		expect(await page.locator('[data-test-id=parameter-input-operation] input').inputValue()).toBe(
			'Get Campaign Stats',
		);
		expect(await page.locator('[data-test-id=parameter-input-smsRecipient]').count()).toBe(0);
		const report = await newCredential('Campaign Report API Key', {
			baseUrl: session.simulatorUrl,
			appId: simulator.config.workspaceId,
			apiKey: simulator.config.reportKey,
		});
		await passedAndClosed(report, '26f-report-credential-ok');
		const reportTests = simulator.log.filter(
			(entry: { endpoint: string }) => entry.endpoint === 'campaignStats',
		);
		expect(reportTests.map((entry: { status: number }) => entry.status).slice(-1)).toEqual([200]);
		await expectOutputs(['Stats'], '26g-report-outputs');
		await page.keyboard.press('Escape');
	});

	// The Streams demo (examples/demo-streams.json), imported and active: its first node is the
	// MoEngage Trigger, with Basic auth and the credential "MoEngage Streams (demo)".
	const triggerProperties = new MoEngageTrigger().description.properties;
	/** A notice's text, as the node defines it. */
	const noticeText = (name: string) =>
		triggerProperties.find((property) => property.name === name)?.displayName ?? name;
	const TRIGGER_NODE =
		'[data-test-id=canvas-node][data-node-type="n8n-nodes-moengage.moEngageTrigger"]';
	const triggerPanel = () => page.locator('[data-test-id=ndv]');
	const textOf = async (locator: Locator) =>
		((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
	/** The notice `name`, once shown, with the whole text the node gives it. */
	const noticeShown = async (name: string) => {
		const notice = triggerPanel().locator('[role=alert]', {
			hasText: noticeText(name).slice(0, 60),
		});
		await notice.waitFor();
		expect(await textOf(notice)).toBe(noticeText(name));
	};
	const noticeCount = async (name: string) =>
		await triggerPanel()
			.locator('[role=alert]', { hasText: noticeText(name).slice(0, 60) })
			.count();
	const triggerLabels = async () =>
		(await triggerPanel().locator('[data-test-id=parameter-item] label').allTextContents())
			.map((text) => text.replace(/FixedExpression$/, '').trim())
			.filter((text) => text !== 'Fixed' && text !== 'Expression');
	/** The texts of the open option list, once it has opened. */
	const openOptions = async () => {
		const options = page.locator('.el-select-dropdown__item:visible');
		await options.first().waitFor({ timeout: 10_000 });
		return options;
	};
	const listedTexts = async (options: Locator) =>
		(await options.allTextContents()).map((text) => text.trim());
	/** Closes the node's panel: nothing in it may keep focus, or Escape only closes an option list. */
	const closeTriggerPanel = async () => {
		await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
		await page.keyboard.press('Escape');
		await triggerPanel().waitFor({ state: 'hidden' });
	};
	/**
	 * Goes to `url` without saving what was changed on the way: 1.x asks before leaving a workflow
	 * with unsaved changes (the browser's "leave site?", accepted here); 2.x asks nothing, having
	 * saved each change to the workflow's draft already.
	 */
	const leaveWithoutSaving = async (url: string) => {
		const leave = (dialog: Dialog) => {
			if (dialog.type() === 'beforeunload') void dialog.accept();
			else void dialog.dismiss();
		};
		page.on('dialog', leave);
		try {
			await page.goto(url);
		} finally {
			page.off('dialog', leave);
		}
	};
	/** Opens the Streams demo and its trigger's panel, once its parameters are shown. */
	const openStreamsTrigger = async () => {
		await leaveWithoutSaving(`${session.editor.url}/workflow/${session.streams.workflow.id}`);
		const node = page.locator(TRIGGER_NODE);
		await node.waitFor();
		await node.dblclick();
		await triggerPanel().waitFor();
		await triggerPanel().locator('[data-test-id=parameter-input-authentication]').waitFor();
		return node;
	};

	it("7. opens the Streams demo's MoEngage Trigger: its Production URL, Basic auth, filters and options", async () => {
		const node = await openStreamsTrigger();
		// the canvas names the source under the node
		expect(await textOf(node)).toContain('from streams');
		const ndv = triggerPanel();

		// n8n's "Webhook URLs": a Test URL and a Production URL toggle, the method and the URL.
		const webhooks = ndv.locator('.webhooks');
		const headline = webhooks.locator('.headline');
		if (!((await headline.getAttribute('class')) ?? '').includes('expanded'))
			await headline.click();
		await webhooks.locator('[data-test-id=radio-button-test]').waitFor();
		await webhooks.locator('[data-test-id=radio-button-production]').click();
		const checked = webhooks.locator('[role=radio][aria-checked=true]');
		await checked.filter({ hasText: 'Production URL' }).waitFor();
		expect(await checked.count()).toBe(1);
		await page.waitForFunction(() =>
			document
				.querySelector('[data-test-id=ndv] .webhooks .webhook-url')
				?.textContent?.includes('/webhook/'),
		);
		const shownUrl = await textOf(webhooks.locator('.webhook-url'));
		// n8n writes the URLs it shows with its host setting (N8N_HOST, "localhost" unless set: start()
		// sets neither it nor WEBHOOK_URL) while it listens on 127.0.0.1: the same port and path.
		expect(shownUrl.replace('://localhost:', '://127.0.0.1:')).toBe(session.streams.url);
		expect(await textOf(webhooks.locator('.http-method'))).toBe('POST');

		await noticeShown('streamsNotice');
		expect(await noticeCount('connectorNotice')).toBe(0);
		expect(await noticeCount('alertNotice')).toBe(0);
		expect(
			await ndv.locator('[data-test-id=parameter-input-authentication] input').inputValue(),
		).toBe('Basic Auth');
		expect(await ndv.locator('[data-test-id=node-credentials-select] input').inputValue()).toBe(
			'MoEngage Streams (demo)',
		);
		for (const name of ['eventTypes', 'campaignEvents', 'otherEvents']) {
			await ndv.locator(`[data-test-id=parameter-input-${name}]`).waitFor();
		}
		expect(await triggerLabels()).toEqual(
			expect.arrayContaining([
				'Authentication',
				'Event Types',
				'Campaign Events',
				'Other Event Names or Codes',
				'Options',
			]),
		);
		expect(await ndv.locator('[data-test-id=parameter-input-httpMethod]').count()).toBe(0);
		await shot('27-trigger-streams');

		// Campaign Events offers MoEngage's documented events, by name.
		const campaignEvents = triggerProperties.find((property) => property.name === 'campaignEvents');
		await ndv.locator('[data-test-id=parameter-input-campaignEvents]').click();
		const events = await openOptions();
		expect(await events.count()).toBe(campaignEvents?.options?.length);
		expect(await events.filter({ hasText: /^\s*Email Bounced/ }).count()).toBe(1);
		await shot('28-trigger-campaign-events');
		await page.keyboard.press('Escape');
		await events.first().waitFor({ state: 'hidden' });

		// Options offers both, Remember Event IDs for (Minutes) first. Nothing is picked: the demo is
		// left as imported (2.x saves every change to its draft at once).
		await ndv.getByPlaceholder('Add option').click();
		const options = await openOptions();
		expect(await listedTexts(options)).toEqual([
			'Remember Event IDs for (Minutes)',
			'Remember at Most (Event IDs)',
		]);
		await page.waitForFunction(() => document.querySelector('[class*="-enter-active"]') === null);
		await shot('29-trigger-options');
		await page.keyboard.press('Escape');
		await closeTriggerPanel();
	});

	it("7b. switches the trigger's Source: Connector Campaign asks for the HTTP method, Alert Webhook for the Campaign Report API key", async () => {
		await openStreamsTrigger();
		const ndv = triggerPanel();
		const source = ndv.locator('[data-test-id=parameter-input-source]');
		// n8n's editor hides a parameter it takes for the authentication field: Source must not be one.
		expect(await triggerLabels()).toContain('Source');
		expect(await source.locator('input').inputValue()).toBe('Streams');
		const choose = async (parameter: string, option: string) => {
			await ndv.locator(`[data-test-id=parameter-input-${parameter}]`).click();
			const options = await openOptions();
			await options.filter({ hasText: option }).first().click();
			await options.first().waitFor({ state: 'hidden' });
		};

		await choose('source', 'Connector Campaign');
		const httpMethod = ndv.locator('[data-test-id=parameter-input-httpMethod]');
		await httpMethod.waitFor();
		await noticeShown('connectorNotice');
		expect(await noticeCount('streamsNotice')).toBe(0);
		for (const name of ['eventTypes', 'campaignEvents', 'otherEvents']) {
			expect(await ndv.locator(`[data-test-id=parameter-input-${name}]`).count()).toBe(0);
		}
		await ndv.locator('[data-test-id=parameter-input-authentication]').waitFor();
		expect(await triggerLabels()).toEqual(
			expect.arrayContaining(['HTTP Method', 'Authentication']),
		);
		expect(await httpMethod.locator('input').inputValue()).toBe('POST');
		await httpMethod.click();
		const methods = await openOptions();
		expect(await listedTexts(methods)).toEqual(['DELETE', 'GET', 'POST', 'PUT']);
		await page.keyboard.press('Escape');
		await methods.first().waitFor({ state: 'hidden' });
		await shot('30-trigger-connector');

		await choose('source', 'Alert Webhook');
		await noticeShown('alertNotice');
		expect(await noticeCount('connectorNotice')).toBe(0);
		expect(await ndv.locator('[data-test-id=parameter-input-authentication]').count()).toBe(0);
		expect(await httpMethod.count()).toBe(0);
		// The credential field asks for the Campaign Report API key; none exists yet, so 1.x shows an
		// empty select and 2.x a "Connect to MoEngage Campaign Report" button.
		await ndv
			.locator('[data-test-id=credentials-label]', {
				hasText: 'Credential for MoEngage Campaign Report API',
			})
			.waitFor();
		expect(await ndv.getByText('MoEngage Streams (demo)').count()).toBe(0);
		await shot('31-trigger-alert');

		// Back to Streams and Basic Auth, as imported. 1.x saves nothing until asked (and the next step
		// leaves without saving), but 2.x has saved each change to the workflow's draft at once (its
		// published version, the one that runs, stays as imported): the draft is set back too.
		await choose('source', 'Streams');
		await noticeShown('streamsNotice');
		expect(await noticeCount('alertNotice')).toBe(0);
		// Authentication was dropped with the Alert Webhook source: n8n shows its default again
		expect(
			await ndv.locator('[data-test-id=parameter-input-authentication] input').inputValue(),
		).toBe('None');
		await choose('authentication', 'Basic Auth');
		// n8n picks the only Basic Auth credential there is
		const credential = ndv.locator('[data-test-id=node-credentials-select] input');
		await credential.waitFor();
		let picked = '';
		for (let attempt = 0; attempt < 50 && picked !== 'MoEngage Streams (demo)'; attempt++) {
			if (attempt > 0) await page.waitForTimeout(200);
			picked = await credential.inputValue();
		}
		expect(picked).toBe('MoEngage Streams (demo)');
		await closeTriggerPanel();
	});

	it('8. lists the trigger when a new workflow\'s first step is searched for "MoEngage": "On new MoEngage event"', async () => {
		await leaveWithoutSaving(`${session.editor.url}/workflow/new`);
		await page.click('[data-test-id=canvas-add-button]');
		const creator = page.locator('[data-test-id=node-creator]');
		// a new workflow's first step is a trigger: the panel lists triggers
		await creator.getByText('What triggers this workflow?').waitFor();
		await page.keyboard.type('MoEngage');
		// n8n files the trigger under its app, MoEngage (the node's name less "Trigger")
		const app = creator.locator('[data-test-id=node-creator-action-item]', { hasText: 'MoEngage' });
		await app.waitFor();
		expect(await app.count()).toBe(1);
		expect(await textOf(app.locator('[data-test-id=node-creator-item-name]'))).toBe('MoEngage');
		await page.waitForFunction(() => document.querySelector('[class*="-enter-active"]') === null);
		await shot('32-trigger-search');
		await app.click();
		const triggers = creator.locator('[data-test-id=node-creator-category-item]', {
			hasText: 'Triggers',
		});
		await triggers.waitFor();
		expect(await textOf(triggers)).toBe('Triggers (1)');
		const onEvent = creator.locator('[data-test-id=node-creator-item-name]', {
			hasText: 'On new MoEngage event',
		});
		await onEvent.waitFor();
		expect(await onEvent.count()).toBe(1);
		await page.waitForFunction(() => document.querySelector('[class*="-enter-active"]') === null);
		await shot('33-trigger-in-node-panel');

		// Picked, it is the MoEngage Trigger, for Streams with no authentication until one is chosen.
		await onEvent.click();
		const ndv = triggerPanel();
		await ndv.locator('[data-test-id=parameter-input-authentication]').waitFor();
		expect(await page.locator(TRIGGER_NODE).count()).toBe(1);
		expect(
			await ndv.locator('[data-test-id=parameter-input-authentication] input').inputValue(),
		).toBe('None');
		await noticeShown('streamsNotice');
		await ndv.getByPlaceholder('Add option').click();
		const options = await openOptions();
		await options.filter({ hasText: 'Remember Event IDs for (Minutes)' }).click();
		const rememberMinutes = ndv.locator('[data-test-id=parameter-input-rememberMinutes] input');
		await rememberMinutes.waitFor();
		expect(await rememberMinutes.inputValue()).toBe('15');
		await shot('34-trigger-new-node');
		await closeTriggerPanel();
	});

	it('9. shows the execution a Streams batch starts while the editor is open', async () => {
		await leaveWithoutSaving(`${session.editor.url}/workflow/${session.streams.workflow.id}`);
		await page.locator(TRIGGER_NODE).waitFor();
		const events = streamEvents({ count: 100, seed: 5 });
		const report = await createStreamsSender({
			to: session.streams.url,
			auth: STREAMS_AUTH,
		}).send(events);
		expect(report.delivered).toBe(1);
		expect(report.batches[0].attempts.map((attempt) => attempt.status)).toEqual([200]);

		await page.goto(`${session.editor.url}/workflow/${session.streams.workflow.id}/executions`);
		// The list refreshes itself every few seconds; a busy machine may take longer to finish and
		// save the execution, so the page is reloaded now and then.
		const listed = page.locator('[data-test-id^=execution-details-]');
		const succeeded = listed.filter({ hasText: 'Succeeded' });
		for (let attempt = 0; attempt < 12 && (await succeeded.count()) === 0; attempt++) {
			try {
				await succeeded.first().waitFor({ timeout: 10_000 });
			} catch {
				await page.reload();
			}
		}
		expect(await listed.count()).toBe(1);
		expect(await succeeded.count()).toBe(1);
		// Opened as its card opens it: 2.x lays its "Production Checklist" over the list once a
		// workflow has run in production, where a click could land on it.
		const id = ((await succeeded.getAttribute('data-test-id')) ?? '').replace(
			'execution-details-',
			'',
		);
		await page.goto(
			`${session.editor.url}/workflow/${session.streams.workflow.id}/executions/${id}`,
		);
		await page.locator(`[data-test-id=execution-preview-details-${id}]`).waitFor();
		expect(await textOf(page.locator('[data-test-id=execution-preview-label]'))).toBe('Succeeded');
		const checklist = page.locator('[data-test-id=suggested-actions-close]');
		const offered = await checklist.waitFor({ timeout: 5000 }).then(
			() => true,
			() => false,
		);
		if (offered) await checklist.click();
		// 1.x shows the execution's canvas in an iframe, 2.x in the page
		const preview =
			major === 1
				? page.frameLocator('iframe[src*="workflows/demo"]')
				: page.locator('[data-test-id=execution-preview-host]');
		const edgeLabel = preview.locator('[data-test-id=edge-label]');
		await edgeLabel.filter({ hasText: '100 items' }).waitFor();
		expect((await edgeLabel.allTextContents()).map((text) => text.trim())).toEqual(['100 items']);
		// one item per event name, from the Summarize node
		const names = new Set(events.map((event) => event.event_name)).size;
		const summary = preview.locator('[data-test-id=canvas-node]', { hasText: 'Events by name' });
		expect(await textOf(summary)).toContain(`${names} items`);
		await page.waitForTimeout(500);
		await shot('35-trigger-execution');
	});
});
