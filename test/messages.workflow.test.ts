/**
 * Message → Send (Inform) in n8n's engine over real HTTP against the simulator. Each expectation is
 * Inform's documentation (docs/moengage-api.md#inform, from api/inform/inform.yaml and the Inform
 * guides) or what a user sees: one message per item, on Sent with its pairedItem and MoEngage's
 * request_id; what Inform would refuse refused by name first; and a message never delivered twice
 * because the node sent it again.
 */
import type { IDataObject } from 'n8n-workflow';

import { DEFAULT_ALERTS } from '../simulator/simulator';
import { runMoEngage, type MoEngageParameters, type RunOptions } from './engine';
import { errorOf, paired } from './support/run';
import { leakedFragments } from './support/secrets';
import {
	informCredentialsFor,
	requestsTo,
	simulatorFactory,
	type Simulator,
} from './support/simulators';

const simulatorWith = simulatorFactory({
	users: 10,
	informKey: 'inform-secret-key-7d1e0a9c',
	apiKey: 'data-secret-key-3b8f2c61',
});

const ORDER_SHIPPED = DEFAULT_ALERTS.find((alert) => alert.referenceName === 'order_shipped')!;

/** The order_shipped alert by SMS and email, its placeholders filled from each row. */
const SEND: MoEngageParameters = {
	resource: 'message',
	operation: 'send',
	alertBy: 'referenceName',
	alertReferenceName: 'order_shipped',
	userId: '={{ $json.customer_id }}',
	transactionId: '={{ $json.order_id }}',
	channels: ['SMS', 'EMAIL'],
	personalizedFrom: 'pairs',
	smsRecipient: '={{ $json.phone }}',
	smsAttributes: {
		attribute: [
			{ name: 'first_name', value: '={{ $json.first_name }}' },
			{ name: 'order_id', value: '={{ $json.order_id }}' },
		],
	},
	emailRecipient: '={{ $json.email }}',
	emailAttributes: { attribute: [{ name: 'order_id', value: '={{ $json.order_id }}' }] },
};

const order = (n: number): IDataObject => ({
	order_id: `ORD-${1000 + n}`,
	customer_id: `cust-${n}`,
	first_name: `Name ${n}`,
	phone: `+4915112345${String(n).padStart(3, '0')}`,
	email: `buyer${n}@example.com`,
});

async function send(
	simulator: Simulator,
	rows: IDataObject[],
	parameters: MoEngageParameters = {},
	extra: Partial<RunOptions> = {},
	credentials: Record<string, unknown> = {},
) {
	return await runMoEngage({
		rows,
		parameters: { ...SEND, ...parameters },
		credentials: informCredentialsFor(simulator, credentials),
		credentialType: 'moEngageInformApi',
		...extra,
	});
}

const moengageOf = (item: { json: IDataObject }) => item.json.moengage as IDataObject;

describe('Message → Send', () => {
	it('sends one message per item with the documented body, and passes each item on to Sent with its request_id', async () => {
		const simulator = await simulatorWith();
		const rows = [order(1), order(2), order(3)];
		const { outputs, error } = await send(simulator, rows);
		expect(error).toBeUndefined();
		expect(outputs).toHaveLength(1);
		expect(paired(outputs[0])).toEqual([0, 1, 2]);
		// inform.yaml: alert_reference_name, user_id, transaction_id, payloads keyed by channel.
		expect(
			simulator.informMessages.map((message) => [message.transactionId, message.userId]),
		).toEqual(rows.map((row) => [row.order_id, row.customer_id]));
		expect(simulator.informMessages[0].alertReferenceName).toBe('order_shipped');
		expect(simulator.informMessages[0].payloads).toEqual({
			SMS: {
				recipient: rows[0].phone,
				personalized_attributes: { first_name: 'Name 1', order_id: 'ORD-1001' },
			},
			EMAIL: { recipient: rows[0].email, personalized_attributes: { order_id: 'ORD-1001' } },
		});
		expect(simulator.informMessages[0].path).toBe('/v1.0/alerts/send');
		// Every request carries MOE-APPKEY, as Inform requires.
		expect(requestsTo(simulator, 'inform').map((entry) => entry.appKey)).toEqual(
			rows.map(() => simulator.config.workspaceId),
		);
		outputs[0].forEach((item, n) => {
			expect(item.json).toMatchObject(rows[n]);
			expect(moengageOf(item)).toEqual({
				transaction_id: rows[n].order_id,
				request_id: simulator.informMessages[n].requestId,
				message: 'Successfully Received',
			});
		});
	});

	it("sends to the older inform-api host's /v1/send when the credential chooses it", async () => {
		const simulator = await simulatorWith();
		const { error } = await send(simulator, [order(1)], {}, {}, { endpoint: 'older' });
		expect(error).toBeUndefined();
		expect(simulator.informMessages.map((message) => message.path)).toEqual(['/v1/send']);
	});

	it("sends a test alert to the sandbox with the alert's test ID, and nothing live", async () => {
		const simulator = await simulatorWith();
		const { outputs, error } = await send(simulator, [order(1)], {
			alertBy: 'id',
			alertId: ORDER_SHIPPED.testId,
			testAlert: true,
		});
		expect(error).toBeUndefined();
		expect(simulator.informMessages).toEqual([]);
		expect(simulator.testAlerts.map((message) => message.alertId)).toEqual([ORDER_SHIPPED.testId]);
		expect(moengageOf(outputs[0][0]).test_alert).toBe(true);
	});

	it("gives MoEngage's per-channel status on Sent where the account has it enabled", async () => {
		const simulator = await simulatorWith({ informChannelDetails: true });
		const { outputs } = await send(simulator, [order(1)]);
		expect(moengageOf(outputs[0][0])).toMatchObject({
			SMS: expect.objectContaining({ err_code: expect.any(String) }),
			EMAIL: expect.objectContaining({ err_code: expect.any(String) }),
		});
	});

	it('takes what users type: a phone number as a number, a blank placeholder value, {{ $now }} in an attribute', async () => {
		const simulator = await simulatorWith();
		const row = { ...order(1), phone: 4915112345001, first_name: '' };
		const { error } = await send(simulator, [row], {
			smsAttributes: {
				attribute: [
					{ name: 'first_name', value: '={{ $json.first_name }}' },
					{ name: 'sent_at', value: '={{ $now }}' },
				],
			},
		});
		expect(error).toBeUndefined();
		const sms = simulator.informMessages[0].payloads.SMS!;
		expect(sms.recipient).toBe('4915112345001');
		expect(sms.personalized_attributes!.first_name).toBe('');
		expect(String(sms.personalized_attributes!.sent_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d/);
	});

	it('sends sender attributes as typed, in either shape MoEngage documents', async () => {
		const simulator = await simulatorWith();
		await send(simulator, [order(1), order(2)], {
			smsSenderAttributes:
				'={{ $json.order_id === "ORD-1001" ? \'["Transactional"]\' : \'{"campaign_type": "Transactional"}\' }}',
		});
		expect(
			simulator.informMessages.map((message) => message.payloads.SMS!.sender_attributes),
		).toEqual([['Transactional'], { campaign_type: 'Transactional' }]);
	});

	it("attaches the item's binary file to the email, base64 under the alert's attachment key", async () => {
		const simulator = await simulatorWith();
		const pdf = Buffer.from('%PDF-1.4 invoice ORD-1001');
		const row = {
			...order(1),
			$binary: {
				invoice: {
					base64: pdf.toString('base64'),
					mimeType: 'application/pdf',
					fileName: 'invoice.pdf',
				},
			},
		};
		const { outputs, error } = await send(simulator, [row], {
			channels: ['EMAIL'],
			emailAttachments: { attachment: [{ key: 'invoice', binaryProperty: 'invoice' }] },
		});
		expect(error).toBeUndefined();
		expect(simulator.informMessages[0].payloads.EMAIL!.personalized_attachments).toEqual({
			invoice: pdf.toString('base64'),
		});
		expect(outputs[0][0].binary?.invoice).toBeDefined();
	});
});

describe('Message → Send: exactly once', () => {
	it('sends a message whose answer was lost after MoEngage took it again with the same transaction_id: one message, the item on Sent', async () => {
		const simulator = await simulatorWith({ scriptedFaults: { inform: ['applied-reset'] } });
		const { outputs, error } = await send(simulator, [order(1)]);
		expect(error).toBeUndefined();
		expect(simulator.informMessages.map((message) => message.transactionId)).toEqual(['ORD-1001']);
		const requests = requestsTo(simulator, 'inform');
		expect(requests.map((entry) => entry.status)).toEqual([0, 409]);
		expect(requests.map((entry) => (entry.body as IDataObject).transaction_id)).toEqual([
			'ORD-1001',
			'ORD-1001',
		]);
		expect(moengageOf(outputs[0][0])).toEqual({
			transaction_id: 'ORD-1001',
			accepted_earlier: true,
		});
	});

	it('does the same after a timeout: the hung copy was taken, its resend answers 409, one message', async () => {
		const simulator = await simulatorWith({
			scriptedFaults: { inform: ['applied-hang'] },
			faults: { hangMs: 3000 },
		});
		const { outputs, error } = await send(simulator, [order(1), order(2)], {
			options: { timeout: 500 },
		});
		expect(error).toBeUndefined();
		expect(simulator.informMessages.map((message) => message.transactionId).sort()).toEqual([
			'ORD-1001',
			'ORD-1002',
		]);
		expect(outputs[0]).toHaveLength(2);
	});

	it('refuses, as not sent, a message whose transaction ID MoEngage took from another run within 5 minutes', async () => {
		const simulator = await simulatorWith();
		await send(simulator, [order(1)]);
		const { outputs } = await send(
			simulator,
			[order(1), order(2)],
			{},
			{ onError: 'continueRegularOutput' },
		);
		expect(simulator.informMessages.map((message) => message.transactionId)).toEqual([
			'ORD-1001',
			'ORD-1002',
		]);
		const [refused, sent] = outputs[0];
		expect(errorOf(refused).message).toBe(
			'MoEngage refused transaction_id "ORD-1001" as a duplicate (409 Duplicate Transaction ID): it took a message with this ID within the last 5 minutes, so this one was not sent',
		);
		expect(errorOf(refused).identifier).toBe('ORD-1001');
		expect(moengageOf(sent).transaction_id).toBe('ORD-1002');
	});

	it("makes transaction IDs per execution, node and item, so n8n's Retry On Fail in the same execution sends nothing twice", async () => {
		const simulator = await simulatorWith();
		const rows = [order(1), order(2)];
		const first = await send(simulator, rows, { transactionId: '' });
		const ids = simulator.informMessages.map((message) => message.transactionId);
		expect(ids).toHaveLength(2);
		expect(new Set(ids).size).toBe(2);
		for (const id of ids) expect(id.length).toBeLessThanOrEqual(50);
		expect(first.outputs[0].map((item) => moengageOf(item).transaction_id)).toEqual(ids);
		// The engine runs every test as execution "1": a second run is the same execution retried.
		const again = await send(simulator, rows, { transactionId: '' });
		expect(again.error).toBeUndefined();
		expect(simulator.informMessages).toHaveLength(2);
		expect(again.outputs[0].map((item) => moengageOf(item))).toEqual(
			ids.map((id) => ({ transaction_id: id, accepted_earlier: true })),
		);
	});

	it('sends a message repeated by two items once, both on Sent; refuses an item giving another message the same ID', async () => {
		const simulator = await simulatorWith();
		const rows = [order(1), order(1), { ...order(1), phone: '+4915100000000' }];
		const { outputs } = await send(simulator, rows, {}, { onError: 'continueRegularOutput' });
		expect(simulator.informMessages).toHaveLength(1);
		expect(paired(outputs[0])).toEqual([0, 1, 2]);
		expect(moengageOf(outputs[0][1]).request_id).toBe(simulator.informMessages[0].requestId);
		expect(errorOf(outputs[0][2]).message).toBe(
			'Item 2: the Transaction ID "ORD-1001" is item 0\'s too, with another message; MoEngage sends one message per transaction ID and refuses a second within 5 minutes as a duplicate',
		);
	});
});

describe('Message → Send: what Inform would refuse, refused by name first', () => {
	it.each([
		[
			'a blank recipient cell',
			{ ...order(1), phone: '' },
			'Item 0: the SMS Recipient (mobile number) is empty',
		],
		[
			'a transaction ID over 50 characters',
			{ ...order(1), order_id: 'x'.repeat(51) },
			`Item 0: the Transaction ID "${'x'.repeat(51)}" has 51 characters; Inform takes at most 50`,
		],
		[
			'a transaction ID an expression gives empty',
			{ ...order(1), order_id: '  ' },
			'Item 0: the Transaction ID is only whitespace',
		],
	])('%s', async (_, row, message) => {
		const simulator = await simulatorWith();
		const { error } = await send(simulator, [row]);
		expect(error?.message).toContain(message);
		expect(requestsTo(simulator, 'inform')).toEqual([]);
	});

	it('an email attachment whose binary field the item lacks, naming the fields it has', async () => {
		const simulator = await simulatorWith();
		const row = {
			...order(1),
			$binary: { data: { base64: 'aGk=', mimeType: 'text/plain', fileName: 'hi.txt' } },
		};
		const { error } = await send(simulator, [row], {
			channels: ['EMAIL'],
			emailAttachments: { attachment: [{ key: 'invoice', binaryProperty: 'invoice' }] },
		});
		expect(error?.message).toBe(
			'Item 0: the Email Attachments: the item has no binary field "invoice" for attachment "invoice" (it has "data")',
		);
	});

	it('attachments of 4 MB or more in all, after reading them, as an error item while the others go', async () => {
		const simulator = await simulatorWith();
		const big = Buffer.alloc(4_000_000, 1).toString('base64');
		const rows = [
			{
				...order(1),
				$binary: { invoice: { base64: big, mimeType: 'application/pdf', fileName: 'a.pdf' } },
			},
			{
				...order(2),
				$binary: { invoice: { base64: 'aGk=', mimeType: 'application/pdf', fileName: 'b.pdf' } },
			},
		];
		const { outputs } = await send(
			simulator,
			rows,
			{
				channels: ['EMAIL'],
				emailAttachments: { attachment: [{ key: 'invoice', binaryProperty: 'invoice' }] },
			},
			{ onError: 'continueRegularOutput' },
		);
		expect(errorOf(outputs[0][0]).message).toBe(
			'Item 0: its attachments are 4000000 bytes in all; Inform takes less than 4 MB (4000000 bytes)',
		);
		expect(simulator.informMessages.map((message) => message.transactionId)).toEqual(['ORD-1002']);
	});

	it('an alert MoEngage does not know: its 400 names the alert', async () => {
		const simulator = await simulatorWith();
		const { error } = await send(simulator, [order(1)], { alertReferenceName: 'order_shiped' });
		expect(error?.message).toContain(
			'MoEngage rejected the message of alert reference name "order_shiped" (400 BAD_REQUEST): Invalid Alert ID',
		);
	});

	it('the Data key in the Inform credential: 401 says which key, and no key reaches the error', async () => {
		const simulator = await simulatorWith();
		const { error } = await send(
			simulator,
			[order(1), order(2)],
			{},
			{},
			{
				apiKey: simulator.config.apiKey,
			},
		);
		expect(error?.message).toContain('MoEngage rejected the Inform credentials (401 UNAUTHORIZED)');
		expect(String((error as { description?: string }).description)).toContain('Inform API key');
		expect(requestsTo(simulator, 'inform')).toHaveLength(1);
		expect(leakedFragments(JSON.stringify(error), [simulator.config.apiKey])).toEqual([]);
	});

	it('a test alert with a Custom URL credential without a Sandbox Base URL', async () => {
		const simulator = await simulatorWith();
		const { error } = await send(
			simulator,
			[order(1)],
			{ testAlert: true },
			{},
			{ sandboxUrl: '' },
		);
		expect(error?.message).toBe(
			'Cannot call MoEngage: test alerts go to the Sandbox Base URL, which the MoEngage Inform API credential leaves empty',
		);
	});
});
