import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * A fixed header MoEngage sends to the MoEngage Trigger: Streams takes "the Header key and static
 * value" in its enablement ticket, a connector campaign in its headers. Nothing is sent with it:
 * the trigger compares it with each incoming call, and its credential test checks its form.
 */
export class MoEngageWebhookHeaderAuthApi implements ICredentialType {
	name = 'moEngageWebhookHeaderAuthApi';

	displayName = 'MoEngage Webhook Header Auth API';

	icon = { light: 'file:moengage.svg', dark: 'file:moengage.dark.svg' } as const;

	documentationUrl = 'https://www.moengage.com/docs/api/data/moengage-streams';

	properties: INodeProperties[] = [
		{
			displayName: 'Header Name',
			name: 'name',
			type: 'string',
			default: '',
			placeholder: 'X-Api-Key',
			required: true,
			description: 'The header MoEngage is told to send, e.g. X-Api-Key',
		},
		{
			displayName: 'Header Value',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The fixed value MoEngage is told to send in that header',
		},
	];
}
