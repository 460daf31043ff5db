import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * MoEngage's Campaign Report API key, one of the workspace's per-feature keys
 * (docs/moengage-api.md#alert-webhooks): MoEngage signs every alert webhook with it, and the
 * MoEngage Trigger checks that signature. Nothing is sent with it; its credential test checks its
 * form.
 */
export class MoEngageCampaignReportApi implements ICredentialType {
	name = 'moEngageCampaignReportApi';

	displayName = 'MoEngage Campaign Report API';

	icon = { light: 'file:moengage.svg', dark: 'file:moengage.dark.svg' } as const;

	documentationUrl =
		'https://www.moengage.com/docs/user-guide/settings/reports-and-alerts/alert-management/alert-destination/webhooks';

	properties: INodeProperties[] = [
		{
			displayName: 'Campaign Report API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'MoEngage dashboard → Settings → Account → APIs → API Keys → Campaign report. MoEngage signs its alert webhooks with it.',
		},
	];
}
