/**
 * The data centers MoEngage serves a workspace from, shared by every MoEngage credential. The
 * hosts are api-01 … api-06 and api-101: the "api-0X" pattern on MoEngage's pages only holds for
 * 01–06.
 */
import type { INodeProperties } from 'n8n-workflow';

export const DATA_CENTERS = [
	{ name: 'DC-01 (US)', value: '01' },
	{ name: 'DC-02 (EU)', value: '02' },
	{ name: 'DC-03 (India)', value: '03' },
	{ name: 'DC-04 (US)', value: '04' },
	{ name: 'DC-05 (Singapore)', value: '05' },
	{ name: 'DC-06 (Indonesia)', value: '06' },
	{ name: 'DC-101', value: '101' },
];

export const dataCenterProperty: INodeProperties = {
	displayName: 'Data Center',
	name: 'dataCenter',
	type: 'options',
	options: [...DATA_CENTERS, { name: 'Custom URL', value: 'custom' }],
	default: '01',
	description:
		'Where your workspace lives: the number in your dashboard URL (dashboard-02.moengage.com → DC-02). Custom URL is for a proxy or a local test server.',
};

/** A Custom URL field: shown for the Custom URL data center, standing in for `standsFor`. */
export const customUrlProperty = (
	displayName: string,
	name: string,
	standsFor: string,
	description = '',
): INodeProperties => ({
	displayName,
	name,
	type: 'string',
	default: '',
	placeholder: 'http://127.0.0.1:4010',
	description: `The http(s) URL that stands in for ${standsFor}, without a trailing path${description}`,
	required: true,
	displayOptions: { show: { dataCenter: ['custom'] } },
});

export const workspaceIdProperty: INodeProperties = {
	displayName: 'Workspace ID',
	name: 'appId',
	type: 'string',
	default: '',
	required: true,
	description:
		'Formerly "App ID". MoEngage dashboard → Settings → Account → APIs → Workspace ID (App ID).',
};

/** A MoEngage key: Settings → Account → APIs → API Keys → `tile`. */
export const apiKeyProperty = (displayName: string, tile: string, more = ''): INodeProperties => ({
	displayName,
	name: 'apiKey',
	type: 'string',
	typeOptions: { password: true },
	default: '',
	required: true,
	description: `MoEngage dashboard → Settings → Account → APIs → API Keys → ${tile}${more}`,
});

/** The Workspace ID and key as n8n sends them: trimmed, so a pasted space or line break just works. */
export const WORKSPACE_ID = '={{ String($credentials.appId).trim() }}';
export const API_KEY = '={{ String($credentials.apiKey).trim() }}';

export const BASIC_AUTH = {
	type: 'generic',
	properties: { auth: { username: WORKSPACE_ID, password: API_KEY } },
} as const;

/** A base URL expression: the Custom URL field `field`, or the data center's host made by `host` (an expression of $credentials.dataCenter). */
export const baseUrlExpression = (field: string, host: string) =>
	`={{ $credentials.dataCenter === "custom" ? String($credentials.${field}).trim().replace(/\\/+$/, "") : ${host} }}`;
