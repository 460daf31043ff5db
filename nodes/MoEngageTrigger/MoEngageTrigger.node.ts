import {
	NodeConnectionTypes,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { webhookBasicAuth, webhookHeaderAuth } from './credential-checks';
import { CAMPAIGN_EVENTS } from './events';
import { receive } from './receive';
import {
	DEFAULT_REMEMBER_AT_MOST,
	DEFAULT_REMEMBER_MINUTES,
	MIN_REMEMBER_MINUTES,
} from './seen-events';

const forSource = (...source: string[]) => ({ show: { source } });
/** Alerts are signed, so Authentication and its credentials are for Streams and connector calls. */
const notForAlerts = { source: ['alert'] };

export class MoEngageTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MoEngage Trigger',
		name: 'moEngageTrigger',
		icon: { light: 'file:moengage.svg', dark: 'file:moengage.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "from " + $parameter["source"] }}',
		description:
			'Starts the workflow when MoEngage sends events (Streams), calls from a connector campaign, or an alert',
		defaults: { name: 'MoEngage Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// n8n's editor moves a parameter into the credential dialog when the credentials' `show`
		// conditions cover every one of its values (getMainAuthField). Shown by their source, the
		// credentials would do that to Source: the webhook ones show by Authentication and hide for alerts.
		credentials: [
			{
				name: 'moEngageWebhookBasicAuthApi',
				required: true,
				testedBy: 'webhookBasicAuth',
				displayOptions: { show: { authentication: ['basicAuth'] }, hide: notForAlerts },
			},
			{
				name: 'moEngageWebhookHeaderAuthApi',
				required: true,
				testedBy: 'webhookHeaderAuth',
				displayOptions: { show: { authentication: ['headerAuth'] }, hide: notForAlerts },
			},
			{
				// Its own Test asks MoEngage for a one-day campaign report: the same key signs the alerts.
				name: 'moEngageCampaignReportApi',
				required: true,
				displayOptions: forSource('alert'),
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod:
					'={{ $parameter["source"] === "connector" ? $parameter["httpMethod"] : "POST" }}',
				// n8n answers as soon as receive() has read the call (Streams resends a batch on any
				// non-2xx; a connector campaign waits 5 s for a 200). An empty responseData makes the
				// answer's body the counts receive() gives, where n8n would send its own text.
				responseMode: 'onReceived',
				responseData: '',
				path: 'moengage',
			},
		],
		properties: [
			{
				displayName: 'Source',
				name: 'source',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Streams',
						value: 'streams',
						description:
							'Batches of user and campaign events, as they happen (a paid MoEngage add-on)',
					},
					{
						name: 'Connector Campaign',
						value: 'connector',
						description: 'A campaign whose message is an HTTP call to this trigger, one per user',
					},
					{
						name: 'Alert Webhook',
						value: 'alert',
						description: 'Campaign and flow stats alerts, and token expiry warnings',
					},
				],
				default: 'streams',
			},
			{
				displayName:
					'MoEngage turns Streams on for one URL per workspace, through its support: give them the Production URL above and the authentication you chose. Each new event becomes one item. A batch MoEngage sends again (after 30, 60 and 120 s, when it got no 2xx) starts no event twice.',
				name: 'streamsNotice',
				type: 'notice',
				default: '',
				displayOptions: forSource('streams'),
			},
			{
				displayName:
					'In MoEngage, create a Connector campaign with the Production URL above and this method. Each call becomes one item: its body, query parameters and headers. MoEngage counts a call delivered only on a 200 within 5 seconds, which the trigger gives as soon as it has read the call.',
				name: 'connectorNotice',
				type: 'notice',
				default: '',
				displayOptions: forSource('connector'),
			},
			{
				displayName:
					'In MoEngage, App Marketplace → Alert management → Webhooks: paste the Production URL above. MoEngage signs every alert with the Campaign Report API key; a call whose Signature does not match is refused and starts nothing.',
				name: 'alertNotice',
				type: 'notice',
				default: '',
				displayOptions: forSource('alert'),
			},
			{
				displayName: 'HTTP Method',
				name: 'httpMethod',
				type: 'options',
				options: [
					{ name: 'DELETE', value: 'DELETE' },
					{ name: 'GET', value: 'GET' },
					{ name: 'POST', value: 'POST' },
					{ name: 'PUT', value: 'PUT' },
				],
				default: 'POST',
				description: 'The method the connector campaign is set to send',
				displayOptions: forSource('connector'),
			},
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{ name: 'Basic Auth', value: 'basicAuth' },
					{ name: 'Header Auth', value: 'headerAuth' },
					{ name: 'None', value: 'none' },
				],
				default: 'none',
				description:
					'How MoEngage proves a call is its own: the user and password, or the fixed header, it was given. A call without them is refused (401 or 403) and starts nothing.',
				displayOptions: { hide: notForAlerts },
			},
			{
				displayName: 'Event Types',
				name: 'eventTypes',
				type: 'multiOptions',
				options: [
					{
						name: 'Campaign Events',
						value: 'campaign',
						description: 'Sent, delivered, opened, clicked, bounced, … (CAMPAIGN_EVENT)',
					},
					{
						name: 'User Action Events',
						value: 'userAction',
						description: "Your users' own events, such as Purchase (USER_ACTION_EVENT)",
					},
					{
						name: 'Other Types',
						value: 'other',
						description: 'Lifecycle, acquisition, reachability and uninstall events',
					},
				],
				default: [],
				description: 'Which types of event start the workflow. None chosen: all.',
				displayOptions: forSource('streams'),
			},
			{
				displayName: 'Campaign Events',
				name: 'campaignEvents',
				type: 'multiOptions',
				options: CAMPAIGN_EVENTS.map(({ name, code, channel }) => ({
					name,
					value: code,
					description: `${code} (${channel})`,
				})),
				default: [],
				description:
					'Only these campaign events start the workflow, with any typed below. None chosen and none typed: every event.',
				displayOptions: forSource('streams'),
			},
			{
				displayName: 'Other Event Names or Codes',
				name: 'otherEvents',
				type: 'string',
				default: '',
				placeholder: 'Purchase, MOE_WHATSAPP_READ',
				description:
					'Comma-separated event names or codes (case does not matter), e.g. your own events such as Purchase',
				displayOptions: forSource('streams'),
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				displayOptions: forSource('streams'),
				options: [
					{
						displayName: 'Remember Event IDs for (Minutes)',
						name: 'rememberMinutes',
						type: 'number',
						typeOptions: { minValue: MIN_REMEMBER_MINUTES },
						default: DEFAULT_REMEMBER_MINUTES,
						description:
							"How long an event's ID keeps a resent batch from starting it again. MoEngage's last retry comes 3.5 minutes after the first failure.",
					},
					{
						displayName: 'Remember at Most (Event IDs)',
						name: 'rememberAtMost',
						type: 'number',
						typeOptions: { minValue: 1000 },
						default: DEFAULT_REMEMBER_AT_MOST,
						description:
							'The most event IDs kept in memory (about 130 bytes each): when full, the oldest are forgotten first',
					},
				],
			},
		],
	};

	methods = {
		credentialTest: { webhookBasicAuth, webhookHeaderAuth },
	};

	/*
	 * MoEngage has no API to register a webhook: Streams is pointed at a URL by MoEngage's support,
	 * connector campaigns and alert webhooks by hand in the dashboard. n8n's own Webhook node has no
	 * lifecycle either. So there is nothing to look up, create or delete: each method says so.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				// MoEngage has no webhook registry to look in: the URL is set on MoEngage's side.
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				// MoEngage has no API to register a URL: the notice above says where to paste it.
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				// Nothing was registered; MoEngage keeps calling until the URL is removed there.
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receive.call(this);
	}
}
