import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import {
	API_KEY,
	BASIC_AUTH,
	DATA_CENTERS,
	WORKSPACE_ID,
	apiKeyProperty,
	baseUrlExpression,
	customUrlProperty,
	dataCenterProperty,
	workspaceIdProperty,
} from './data-centers';

// One expression for the test request; the node derives the same URL in transport.ts (workspaceOf).
const BASE_URL_EXPRESSION = baseUrlExpression(
	'baseUrl',
	'"https://api-" + $credentials.dataCenter + ".moengage.com"',
);

const CHECK_ALL =
	'Check the Workspace ID, the Data API key and the data center (dashboard-02.moengage.com → DC-02).';

export class MoEngageApi implements ICredentialType {
	name = 'moEngageApi';

	displayName = 'MoEngage API';

	icon = { light: 'file:moengage.svg', dark: 'file:moengage.dark.svg' } as const;

	documentationUrl = 'https://developers.moengage.com/hc/en-us/articles/4413174104852-Get-User';

	properties: INodeProperties[] = [
		dataCenterProperty,
		customUrlProperty('Base URL', 'baseUrl', 'https://api-0X.moengage.com'),
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
		workspaceIdProperty,
		apiKeyProperty('Data API Key', 'Data (Generate Key, then Save)'),
	];

	// A Workspace ID or key pasted with a space or line break just works: the node trims them, and
	// so does the header n8n builds from them.
	authenticate: IAuthenticateGeneric = BASIC_AUTH;

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
				app_secret: API_KEY,
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
