import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import {
	BASIC_AUTH,
	WORKSPACE_ID,
	apiKeyProperty,
	customUrlProperty,
	dataCenterProperty,
	workspaceIdProperty,
} from './data-centers';

/**
 * Inform's sandbox, where test alerts go (docs/moengage-api.md#inform). The node derives the same
 * URLs in resources/message/send.ts (informPlace). MoEngage documents two hosts: api-0X/v1.0/alerts
 * in its current pages, inform-api-0X/v1 in the older ones and its own Python client.
 */
const PREFIX = '($credentials.endpoint === "older" ? "/v1" : "/v1.0/alerts")';
const SANDBOX_URL = `={{ ($credentials.dataCenter === "custom" ? String($credentials.sandboxUrl || $credentials.baseUrl).trim().replace(/\\/+$/, "") : "https://sandbox-" + ($credentials.endpoint === "older" ? "inform-" : "") + "api-" + $credentials.dataCenter + ".moengage.com") + ${PREFIX} }}`;

const CHECK =
	'Check the Workspace ID, the Inform API key and the data center (dashboard-02.moengage.com → DC-02).';

export class MoEngageInformApi implements ICredentialType {
	name = 'moEngageInformApi';

	displayName = 'MoEngage Inform API';

	icon = { light: 'file:moengage.svg', dark: 'file:moengage.dark.svg' } as const;

	documentationUrl = 'https://www.moengage.com/docs/api/inform/inform-overview';

	properties: INodeProperties[] = [
		dataCenterProperty,
		customUrlProperty('Base URL', 'baseUrl', 'https://api-0X.moengage.com (live alerts)'),
		{
			...customUrlProperty(
				'Sandbox Base URL',
				'sandboxUrl',
				'https://sandbox-api-0X.moengage.com (test alerts)',
				'. Empty: test alerts cannot be sent (the Test then uses the Base URL).',
			),
			required: false,
		},
		{
			displayName: 'Inform Endpoint',
			name: 'endpoint',
			type: 'options',
			options: [
				{
					name: 'api-0X.moengage.com/v1.0/alerts/send',
					value: 'current',
					description: "MoEngage's current documentation",
				},
				{
					name: 'inform-api-0X.moengage.com/v1/send',
					value: 'older',
					description: "MoEngage's older help pages and its Python client",
				},
			],
			default: 'current',
			description:
				'MoEngage documents two addresses for Inform. Keep the current one unless MoEngage told you to use the other.',
		},
		workspaceIdProperty,
		apiKeyProperty(
			'Inform API Key',
			'Inform',
			'. Not the Data key: MoEngage gives each feature its own key.',
		),
	];

	authenticate: IAuthenticateGeneric = BASIC_AUTH;

	// A test alert for an alert ID that cannot exist, on the sandbox: MoEngage checks the key first,
	// so 400 "Invalid Alert ID" proves the key without sending anything, and 401 refuses it. n8n's
	// rules read the body only, and a body no rule matches passes.
	test: ICredentialTestRequest = {
		request: {
			baseURL: SANDBOX_URL,
			url: '/send',
			method: 'POST',
			headers: { 'Content-Type': 'application/json', 'MOE-APPKEY': WORKSPACE_ID },
			body: {
				alert_id: 'n8n-credential-test-no-such-alert',
				transaction_id: 'n8n-credential-test',
				payloads: { SMS: { recipient: '0' } },
			},
			json: true,
			ignoreHttpStatusErrors: true,
		},
		rules: [
			...['UNAUTHORIZED', 120001].map((value) => ({
				type: 'responseSuccessBody' as const,
				properties: {
					key: value === 120001 ? 'status_code' : 'err_code',
					value,
					message: `MoEngage answered 401 "Invalid App Key or Basic Auth": it refused the key. ${CHECK}`,
				},
			})),
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'status_code',
					value: 140110,
					message:
						"MoEngage answered 429: the workspace's Inform limit is spent for this minute. Test again in a minute.",
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'message',
					value: undefined,
					message:
						"The answer did not come from MoEngage's Inform (it is not Inform's JSON): check the data center, the Inform Endpoint or the Sandbox Base URL.",
				},
			},
		],
	};
}
