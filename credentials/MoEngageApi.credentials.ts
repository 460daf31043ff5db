import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

// One expression for the test request; the node derives the same URL in transport.ts (workspaceOf).
// The host is api-01 … api-06 and api-101: the "api-0X" pattern on MoEngage's page only holds for 01–06.
const BASE_URL_EXPRESSION =
	'={{ $credentials.dataCenter === "custom" ? String($credentials.baseUrl).trim().replace(/\\/+$/, "") : "https://api-" + $credentials.dataCenter + ".moengage.com" }}';

const WORKSPACE_ID = '={{ String($credentials.appId).trim() }}';

const DATA_CENTERS = [
	{ name: 'DC-01 (US)', value: '01' },
	{ name: 'DC-02 (EU)', value: '02' },
	{ name: 'DC-03 (India)', value: '03' },
	{ name: 'DC-04 (US)', value: '04' },
	{ name: 'DC-05 (Singapore)', value: '05' },
	{ name: 'DC-06 (Indonesia)', value: '06' },
	{ name: 'DC-101', value: '101' },
];

const CHECK_ALL =
	'Check the Workspace ID, the Data API key and the data center (dashboard-02.moengage.com → DC-02).';

export class MoEngageApi implements ICredentialType {
	name = 'moEngageApi';

	displayName = 'MoEngage API';

	icon = { light: 'file:moengage.svg', dark: 'file:moengage.dark.svg' } as const;

	documentationUrl = 'https://developers.moengage.com/hc/en-us/articles/4413174104852-Get-User';

	properties: INodeProperties[] = [
		{
			displayName: 'Data Center',
			name: 'dataCenter',
			type: 'options',
			options: [...DATA_CENTERS, { name: 'Custom URL', value: 'custom' }],
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
			displayName: 'Data Center Behind the URL',
			name: 'region',
			type: 'options',
			options: DATA_CENTERS,
			default: '01',
			description:
				"The data center of the workspace this URL leads to. Only the credential's Test uses it: MoEngage's Test Connection asks for it as region.",
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

	// MoEngage's Test Connection (docs/moengage-api.md#test-connection): it answers for any workspace, with
	// or without Get User enabled. The key goes where MoEngage asks for it, the Basic auth and the
	// body's app_secret, and nowhere else. n8n's credential tester loses the response of a failed
	// request (NodeApiError drops its axios cause), so a 401 would only read "Authorization failed":
	// the test takes every status as an answer and reads MoEngage's own body. Its rules can only give
	// fixed messages, and a success always reads "Connection successful!" (the editor shows
	// "Connection tested successfully"): a test function could say more, but n8n gives it only the
	// deprecated helpers.request, which n8n's package scanner refuses.
	test: ICredentialTestRequest = {
		request: {
			baseURL: BASE_URL_EXPRESSION,
			url: '/v1/integrations/authentication',
			method: 'POST',
			headers: { 'Content-Type': 'application/json', 'MOE-APPKEY': WORKSPACE_ID },
			body: {
				app_id: WORKSPACE_ID,
				app_secret: '={{ String($credentials.apiKey).trim() }}',
				source: 'n8n',
				region:
					'={{ $credentials.dataCenter === "custom" ? $credentials.region : $credentials.dataCenter }}',
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
			...['BlockedClient', 'Account Suspended', 'Account Temporarily Suspended'].map((type) => ({
				type: 'responseSuccessBody' as const,
				properties: {
					key: 'error.type',
					value: type,
					message: `MoEngage answered 403 "${type}": the workspace is blocked or suspended. Contact MoEngage support.`,
				},
			})),
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'status',
					value: 'error',
					message: `MoEngage answered "status": "error" to Test Connection: it did not confirm the workspace. ${CHECK_ALL} If they are right, ask MoEngage support why Test Connection answers "error" for this workspace.`,
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'status',
					value: 'fail',
					message: `MoEngage refused the test request. ${CHECK_ALL}`,
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'app_name',
					value: undefined,
					message:
						"The answer did not come from MoEngage's Test Connection (it is not MoEngage's JSON and names no workspace): check the data center or the Custom URL.",
				},
			},
		],
	};
}
