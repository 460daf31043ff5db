/** The simulator stands in for MoEngage, so it must refuse everything MoEngage documents refusing. */
import { withSimulator } from './support/simulators';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createSimulator } = require('./simulator/simulator');

let simulator: ReturnType<typeof createSimulator>;
beforeAll(async () => {
	simulator = createSimulator({ users: 30, usersPerWindow: 25, workspaceId: 'WS1', apiKey: 'key1' });
	await simulator.start();
});
afterAll(async () => await simulator.stop());
beforeEach(() => simulator.reset());

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const identifiers = (count: number, type = 'customer_id') =>
	Array.from({ length: count }, (_, n) => ({ identifier_type: type, identifier: `x-${n}` }));

async function post({
	url = simulator.url as string,
	query = '?app_id=WS1',
	auth = basic('WS1', 'key1'),
	contentType = 'application/json',
	body = JSON.stringify({ data: { identifiers: identifiers(1) } }) as string,
} = {}) {
	const response = await fetch(`${url}/v1/customers/export${query}`, {
		method: 'POST',
		headers: { ...(auth ? { Authorization: auth } : {}), ...(contentType ? { 'Content-Type': contentType } : {}) },
		body,
	});
	return { status: response.status, body: await response.json() };
}

describe('the MoEngage simulator', () => {
	it('answers a valid request with found users (only the asked fields) and echoes the others', async () => {
		const user = simulator.users[0];
		const { status, body } = await post({
			body: JSON.stringify({
				data: {
					identifiers: [
						{ identifier_type: 'customer_id', identifier: user.customer_id },
						{ identifier_type: 'id', identifier: 'nope' },
					],
					user_fields_to_export: ['name'],
				},
			}),
		});
		expect(status).toBe(200);
		expect(body).toEqual({
			status: 'success',
			type: 'export_users',
			data: { users: [{ user_attributes: { name: user.name } }], users_not_found: [{ identifier_type: 'id', identifier: 'nope' }] },
		});
	});

	it.each([
		['app_id is missing', { query: '' }, 400, 'ParamsRequired'],
		['there is no Authorization header', { auth: '' }, 401, 'Authentication required'],
		['the auth is not Basic', { auth: 'Bearer key1' }, 401, 'Authentication required'],
		['the key is wrong', { auth: basic('WS1', 'nope') }, 401, 'Authentication required'],
		['app_id differs from the auth user', { query: '?app_id=OTHER' }, 409, 'Authentication required.'],
		['Content-Type is missing', { contentType: '' }, 415, 'MediaTypeError'],
		['Content-Type is not JSON', { contentType: 'text/plain' }, 415, 'MediaTypeError'],
		['the JSON is malformed', { body: '{"data": [' }, 400, 'Malformed JSON'],
		['there is no data wrapper', { body: JSON.stringify({ identifiers: identifiers(1) }) }, 400, 'MissingAttributeError'],
		['there are no identifiers', { body: JSON.stringify({ data: { identifiers: [] } }) }, 400, 'MissingAttributeError'],
		['there are 21 identifiers', { body: JSON.stringify({ data: { identifiers: identifiers(21) } }) }, 400, 'LimitBreached'],
		['an identifier type is unknown', { body: JSON.stringify({ data: { identifiers: identifiers(1, 'email') } }) }, 400, 'InvalidParams'],
		[
			'an identifier is a number',
			{ body: JSON.stringify({ data: { identifiers: [{ identifier_type: 'customer_id', identifier: 5 }] } }) },
			400,
			'InvalidParams',
		],
		[
			'the fields are not a list of strings',
			{ body: JSON.stringify({ data: { identifiers: identifiers(1), user_fields_to_export: 'name' } }) },
			400,
			'InvalidParams',
		],
		['the payload is over 128 KB', { body: JSON.stringify({ data: { identifiers: identifiers(1), pad: 'x'.repeat(131072) } }) }, 413, 'PayloadTooLarge'],
	])('refuses a request when %s', async (_, request, status, type) => {
		const answer = await post(request);
		expect(answer.status).toBe(status);
		expect(answer.body).toMatchObject({ status: 'fail', error: { type, request_id: expect.any(String) } });
	});

	it('answers 429 once a rolling window holds more users than the limit, and does not count refused requests', async () => {
		const twenty = JSON.stringify({ data: { identifiers: identifiers(20) } });
		expect((await post({ body: twenty })).status).toBe(200);
		expect((await post({ body: JSON.stringify({ data: { identifiers: identifiers(6) } }) })).status).toBe(429);
		expect((await post({ body: JSON.stringify({ data: { identifiers: identifiers(5) } }) })).status).toBe(200);
	});

	it('can answer 429 in the title/description shape', async () => {
		await withSimulator({ usersPerWindow: 1, rateLimitShape: 'title', workspaceId: 'WS1', apiKey: 'key1' }, async (titled) => {
			const answer = await post({ url: titled.url, body: JSON.stringify({ data: { identifiers: identifiers(2) } }) });
			expect(answer).toEqual({
				status: 429,
				body: { status: 'fail', title: 'Rate limit exceeded', description: 'Exceeded rate limit for this url' },
			});
		});
	});

	it('answers 403 for a blocked workspace', async () => {
		await withSimulator({ blocked: true, workspaceId: 'WS1', apiKey: 'key1' }, async (blocked) => {
			expect((await post({ url: blocked.url })).status).toBe(403);
		});
	});

	it('builds the same user base from the same seed', () => {
		const again = createSimulator({ users: 30 });
		expect(again.users).toEqual(simulator.users);
		expect(createSimulator({ users: 30, seed: 2 }).users).not.toEqual(simulator.users);
	});
});
