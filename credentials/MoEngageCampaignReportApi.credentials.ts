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
	baseUrlExpression,
	customUrlProperty,
	dataCenterProperty,
	workspaceIdProperty,
} from './data-centers';

const CHECK =
	'Check the Workspace ID, the Campaign report key and the data center (dashboard-02.moengage.com → DC-02).';

/**
 * MoEngage's Campaign report key, one of the workspace's per-feature keys: the MoEngage node reads
 * campaign stats with it (docs/moengage-api.md#campaign-stats), and MoEngage signs every alert
 * webhook with it, which the MoEngage Trigger checks (#alert-webhooks; the trigger needs the key only).
 */
export class MoEngageCampaignReportApi implements ICredentialType {
	name = 'moEngageCampaignReportApi';

	displayName = 'MoEngage Campaign Report API';

	icon = { light: 'file:moengage.svg', dark: 'file:moengage.dark.svg' } as const;

	documentationUrl = 'https://www.moengage.com/docs/api/stats-report/stats-report-overview';

	properties: INodeProperties[] = [
		dataCenterProperty,
		customUrlProperty('Base URL', 'baseUrl', 'https://api-0X.moengage.com'),
		workspaceIdProperty,
		apiKeyProperty(
			'Campaign Report API Key',
			'Campaign report',
			'. MoEngage reads campaign stats with it and signs its alert webhooks with it.',
		),
	];

	authenticate: IAuthenticateGeneric = BASIC_AUTH;

	// A one-day report of every campaign, one campaign a page: it reads, changes nothing, and a
	// valid key gets MoEngage's 200 whatever the workspace holds. The date is MoEngage's own example.
	test: ICredentialTestRequest = {
		request: {
			baseURL: baseUrlExpression(
				'baseUrl',
				'"https://api-" + $credentials.dataCenter + ".moengage.com"',
			),
			url: '/core-services/v1/campaign-stats',
			method: 'POST',
			headers: { 'Content-Type': 'application/json', 'MOE-APPKEY': WORKSPACE_ID },
			body: {
				request_id: 'n8n-credential-test',
				start_date: '2024-12-22',
				end_date: '2024-12-22',
				attribution_type: 'VIEW_THROUGH',
				metric_type: 'TOTAL',
				limit: 1,
			},
			json: true,
			ignoreHttpStatusErrors: true,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'title',
					value: 'Authentication required',
					message: `MoEngage answered 401 "Authentication required": it refused the key. ${CHECK}`,
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'title',
					value: 'Forbidden Request',
					message:
						'MoEngage answered 403 "Forbidden Request": campaign stats are not enabled for this workspace. Ask MoEngage support to enable the Campaign Stats API.',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'title',
					value: 'Invalid Field Value',
					message:
						'MoEngage answered 400 "Invalid Field Value" to a one-day report: check the Workspace ID, which the request carries as MOE-APPKEY.',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'response_id',
					value: undefined,
					message:
						"The answer is not MoEngage's campaign stats: check the data center or the Base URL.",
				},
			},
		],
	};
}
