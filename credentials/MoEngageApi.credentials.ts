import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

// One expression for the test request; the node derives the same URL in transport.ts (baseUrlOf).
// The host is api-01 … api-06 and api-101: the "api-0X" pattern on MoEngage's page only holds for 01–06.
const BASE_URL_EXPRESSION =
	'={{ $credentials.dataCenter === "custom" ? String($credentials.baseUrl).trim().replace(/\\/+$/, "") : "https://api-" + $credentials.dataCenter + ".moengage.com" }}';

export class MoEngageApi implements ICredentialType {
	name = 'moEngageApi';

	displayName = 'MoEngage API';

	icon = { light: 'file:moengage.svg', dark: 'file:moengage.dark.svg' } as const;

	documentationUrl =
		'https://developers.moengage.com/hc/en-us/articles/4413174104852-Get-User';

	properties: INodeProperties[] = [
		{
			displayName: 'Data Center',
			name: 'dataCenter',
			type: 'options',
			options: [
				{ name: 'DC-01 (US)', value: '01' },
				{ name: 'DC-02 (EU)', value: '02' },
				{ name: 'DC-03 (India)', value: '03' },
				{ name: 'DC-04 (US)', value: '04' },
				{ name: 'DC-05 (Singapore)', value: '05' },
				{ name: 'DC-06 (Indonesia)', value: '06' },
				{ name: 'DC-101', value: '101' },
				{ name: 'Custom URL', value: 'custom' },
			],
			default: '01',
			description:
				'Where your workspace lives: the number in your dashboard URL (dashboard-02.moengage.com → DC-02). Custom URL is for a proxy or a local test server.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'http://127.0.0.1:4010',
			description:
				'The http(s) URL that stands in for https://api-0X.moengage.com, without a trailing path',
			required: true,
			displayOptions: { show: { dataCenter: ['custom'] } },
		},
		{
			displayName: 'Workspace ID',
			name: 'appId',
			type: 'string',
			default: '',
			required: true,
			description:
				'Formerly "App ID". MoEngage dashboard → Settings → Account → APIs → Workspace ID (App ID).',
		},
		{
			displayName: 'Data API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'MoEngage dashboard → Settings → Account → APIs → API Keys → Data (Generate Key, then Save)',
		},
	];

	// A Workspace ID or key pasted with a space or line break just works: the node trims them, and
	// so does the header n8n builds from them.
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			auth: {
				username: '={{ String($credentials.appId).trim() }}',
				password: '={{ String($credentials.apiKey).trim() }}',
			},
		},
	};

	// n8n's credential tester loses the response of a failed request (NodeApiError drops its axios
	// cause), so a 401 would only read "Authorization failed". The test therefore takes every status
	// as an answer and reads MoEngage's own error body; the last rule refuses anything that is not
	// MoEngage's JSON (a proxy's HTML page, an empty body), so no wrong URL passes as "successful".
	test: ICredentialTestRequest = {
		request: {
			baseURL: BASE_URL_EXPRESSION,
			url: '/v1/customers/export',
			method: 'POST',
			qs: { app_id: '={{ String($credentials.appId).trim() }}' },
			headers: { 'Content-Type': 'application/json' },
			body: {
				data: {
					identifiers: [{ identifier_type: 'customer_id', identifier: 'n8n-credential-test' }],
					user_fields_to_export: ['customer_id'],
				},
			},
			json: true,
			ignoreHttpStatusErrors: true,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error.type',
					value: 'Authentication required',
					message:
						'MoEngage answered 401 "Authentication required": the Workspace ID or Data API key is wrong, or the workspace lives in another data center (dashboard-02.moengage.com → DC-02).',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error.type',
					value: 'Authentication required.',
					message:
						'MoEngage answered 409 "Authentication required.": the Data API key is not generated and saved on the dashboard, or the Workspace ID is not the one this key belongs to.',
				},
			},
			...['BlockedClient', 'Account Suspended', 'Account Temporarily Suspended'].map((type) => ({
				type: 'responseSuccessBody' as const,
				properties: {
					key: 'error.type',
					value: type,
					message: `MoEngage answered 403 "${type}": the workspace is blocked or suspended, or the Get User API is not enabled for it. Ask MoEngage support to enable the Get User API.`,
				},
			})),
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'title',
					value: 'Rate limit exceeded',
					message:
						"MoEngage answered 429 \"Rate limit exceeded\": the workspace's users-per-minute budget is spent right now. Test again in a minute.",
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'status',
					value: 'fail',
					message:
						'MoEngage refused the test request. Check the Workspace ID, the Data API key and the data center, and that the Get User API is enabled for the workspace.',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'status',
					value: undefined,
					message:
						"The answer did not come from MoEngage's Data API (it is not MoEngage's JSON): check the data center or the Custom URL.",
				},
			},
		],
	};
}
