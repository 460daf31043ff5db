/**
 * The trigger's credentials hold what MoEngage sends to n8n; there is no request to test them
 * with, so their Test checks what can be wrong before MoEngage calls.
 */
import type { ICredentialTestFunctions, ICredentialsDecrypted } from 'n8n-workflow';

import { webhookBasicAuth, webhookHeaderAuth } from '../../nodes/MoEngageTrigger/credential-checks';

const test = async (check: typeof webhookBasicAuth, data: Record<string, string>) =>
	await check.call(
		{} as ICredentialTestFunctions,
		{
			id: '1',
			name: 'c',
			type: 't',
			data,
		} as ICredentialsDecrypted,
	);

describe('MoEngage Webhook Basic Auth API: Test', () => {
	it('passes a user and password, and says MoEngage cannot check them beforehand', async () => {
		const result = await test(webhookBasicAuth, { user: 'moengage', password: 'p' });
		expect(result.status).toBe('OK');
		expect(result.message).toContain('MoEngage has no way to check them beforehand');
	});

	it.each([
		[{ user: '', password: 'p' }, 'Enter the user'],
		[{ user: 'mo:engage', password: 'p' }, 'contains ":"'],
		[{ user: 'moengage', password: '' }, 'Enter the password'],
	])('refuses %j', async (data, message) => {
		const result = await test(webhookBasicAuth, data);
		expect(result.status).toBe('Error');
		expect(result.message).toContain(message);
	});
});

describe('MoEngage Webhook Header Auth API: Test', () => {
	it('passes a header name and value', async () => {
		expect((await test(webhookHeaderAuth, { name: 'X-Api-Key', secret: 's' })).status).toBe('OK');
	});

	it.each([
		[{ name: 'X Api Key', secret: 's' }, 'not a valid HTTP header name'],
		[{ name: 'Content-Type', secret: 's' }, 'set by HTTP or by MoEngage'],
		[{ name: 'Signature', secret: 's' }, 'set by HTTP or by MoEngage'],
		[{ name: 'X-Api-Key', secret: '' }, 'Enter the value'],
	])('refuses %j', async (data, message) => {
		const result = await test(webhookHeaderAuth, data);
		expect(result.status).toBe('Error');
		expect(result.message).toContain(message);
	});
});
