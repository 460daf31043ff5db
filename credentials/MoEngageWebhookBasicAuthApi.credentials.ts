import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The user and password MoEngage sends to the MoEngage Trigger with Basic auth: Streams takes them
 * in its enablement ticket, a connector campaign in its request. Nothing is sent with them: the
 * trigger compares them with each incoming call, and its credential test checks their form.
 */
export class MoEngageWebhookBasicAuthApi implements ICredentialType {
	name = 'moEngageWebhookBasicAuthApi';

	displayName = 'MoEngage Webhook Basic Auth API';

	icon = { light: 'file:moengage.svg', dark: 'file:moengage.dark.svg' } as const;

	documentationUrl = 'https://www.moengage.com/docs/api/data/moengage-streams';

	properties: INodeProperties[] = [
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			required: true,
			description: 'The user MoEngage is given for this webhook',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The password MoEngage is given for this webhook',
		},
	];
}
