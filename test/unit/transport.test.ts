import {
	classifyResponse,
	describeFailure,
	parseRateLimit,
	parseRetryAfter,
	redact,
	workspaceOf,
} from '../../nodes/MoEngage/shared/transport';
import { rateLimitHint } from '../../nodes/MoEngage/pipeline/options';
import { EXPORT_HINTS, readAnswer } from '../../nodes/MoEngage/resources/user/get/answers';
import { leakedFragments } from '../support/secrets';

describe('workspaceOf', () => {
	it('derives the MoEngage host from the data center, api-101 included', () => {
		const dc = (dataCenter: string) => workspaceOf({ dataCenter, appId: 'APP', apiKey: 'k' });
		expect(dc('02')).toMatchObject({ ok: true, value: { baseUrl: 'https://api-02.moengage.com' } });
		expect(dc('101')).toMatchObject({
			ok: true,
			value: { baseUrl: 'https://api-101.moengage.com' },
		});
	});

	it('takes a custom http(s) URL without its trailing slash', () => {
		const checked = workspaceOf({
			dataCenter: 'custom',
			baseUrl: ' http://127.0.0.1:4010/ ',
			appId: 'APP',
			apiKey: 'k',
		});
		expect(checked).toMatchObject({ ok: true, value: { baseUrl: 'http://127.0.0.1:4010' } });
	});

	it.each(['ftp://host', '127.0.0.1:4010', '', 'http://'])(
		'refuses the custom URL %p',
		(baseUrl) => {
			const checked = workspaceOf({ dataCenter: 'custom', baseUrl, appId: 'APP', apiKey: 'k' });
			expect(!checked.ok && checked.problem).toContain('is not an http(s) URL');
		},
	);

	it('keeps one budget per workspace: the same App ID behind another URL is another workspace', () => {
		const a = workspaceOf({ dataCenter: '01', appId: 'APP', apiKey: 'k' });
		const b = workspaceOf({ dataCenter: '02', appId: 'APP', apiKey: 'k' });
		expect(a.ok && b.ok && a.value.key !== b.value.key).toBe(true);
	});

	it('lists the key and the Basic auth value as secrets', () => {
		const checked = workspaceOf({ dataCenter: '01', appId: 'APP', apiKey: 'sekret' });
		expect(checked.ok && [...checked.value.secrets].sort()).toEqual(
			[Buffer.from('APP:sekret').toString('base64'), 'sekret'].sort(),
		);
	});

	it('shows neither user nor password of a Custom URL it refuses', () => {
		const checked = workspaceOf({
			dataCenter: 'custom',
			baseUrl: 'admin:hunter2-pw@127.0.0.1:4010',
			appId: 'APP',
			apiKey: 'k',
		});
		expect(!checked.ok && checked.problem).toBe(
			'the credential\'s Base URL "127.0.0.1:4010" is not an http(s) URL such as http://127.0.0.1:4010 (field "Base URL")',
		);
	});

	it('lists the untrimmed forms too, and the user:password of a Custom URL, which messages never show', () => {
		const checked = workspaceOf({
			dataCenter: 'custom',
			baseUrl: 'http://proxy-user:proxy%40pass@127.0.0.1:4010/',
			appId: ' APP\n',
			apiKey: 'sekret-key ',
		});
		if (!checked.ok) throw new Error(checked.problem);
		expect(checked.value.appId).toBe('APP');
		expect(checked.value.shownUrl).toBe('http://127.0.0.1:4010');
		for (const form of [
			'sekret-key',
			'sekret-key ',
			Buffer.from('APP:sekret-key').toString('base64'),
			Buffer.from(' APP\n:sekret-key ').toString('base64'),
			'proxy-user:proxy%40pass',
			'proxy%40pass',
			'proxy@pass',
		]) {
			expect(checked.value.secrets).toContain(form);
		}
	});
});

describe('describeFailure', () => {
	it('reads the documented error body and adds the data-center hint to a 401', () => {
		const failure = describeFailure(
			401,
			{
				status: 'fail',
				error: {
					message: 'Authentication required',
					type: 'Authentication required',
					request_id: 'r-1',
				},
			},
			[],
		);
		expect(failure).toEqual({
			message:
				'MoEngage rejected the credentials (401 Authentication required): Authentication required',
			description: expect.stringContaining(
				'data center matches your dashboard URL (dashboard-02 → DC 02)',
			),
			httpCode: 401,
			type: 'Authentication required',
			requestId: 'r-1',
		});
	});

	it('reads the title/description shape of some 429 and 5xx answers', () => {
		const body = {
			status: 'fail',
			title: 'Rate limit exceeded',
			description: 'Exceeded rate limit for this url',
		};
		const failure = describeFailure(429, body, [], {
			...EXPORT_HINTS,
			429: rateLimitHint('Users per Minute'),
		});
		expect(failure.message).toBe(
			"MoEngage's rate limit was exceeded (429 Rate limit exceeded): Exceeded rate limit for this url",
		);
		expect(failure.description).toContain('lower Users per Minute');
		expect(describeFailure(429, body, []).description).toContain('lower the per-minute option');
	});

	it("gives one error type of a status its own hint, the status's other types the status's hint", () => {
		// Cohort Sync's 401s (api/cohort-audience/cohort-audience.yaml): a wrong key, and a MOE-APPKEY
		// that differs from the authentication, which no change of key mends.
		const hints = {
			401: { what: 'Rejected', todo: 'Check the key.' },
			'401 Authentication Mismatch': { what: 'Mismatch', todo: 'Check MOE-APPKEY.' },
		};
		const said = (type: string, message: string) => ({
			status: 'fail',
			error: { message, type, request_id: 'r' },
		});
		const mismatch = describeFailure(
			401,
			said('Authentication Mismatch', 'App key mismatch in params and authentication'),
			[],
			hints,
		);
		expect(mismatch.message).toBe(
			'Mismatch (401 Authentication Mismatch): App key mismatch in params and authentication',
		);
		expect(mismatch.description).toBe('Check MOE-APPKEY.');
		const wrongKey = describeFailure(
			401,
			said(
				'Authentication required',
				'App Secret key mismatch. Please login to the dashboard to verify key',
			),
			[],
			hints,
		);
		expect(wrongKey.description).toBe('Check the key.');
	});

	it('names the attribute MoEngage blames on a 400', () => {
		const failure = describeFailure(
			400,
			{
				status: 'fail',
				error: {
					attribute: 'identifiers',
					message: 'max limit allowed is 20',
					type: 'LimitBreached',
					request_id: 'r',
				},
			},
			[],
		);
		expect(failure.message).toBe(
			'MoEngage rejected the request (400 LimitBreached): max limit allowed is 20 (attribute "identifiers")',
		);
	});

	it.each([
		[403, 'Get User API is not enabled'],
		[409, 'Generate and save the Data API key'],
		[413, 'lower Batch Size'],
		[415, 'Content-Type'],
		[503, "MoEngage's side"],
	])('explains what to do about a %i from Get User', (status, hint) => {
		expect(describeFailure(status, undefined, [], EXPORT_HINTS).description).toContain(hint);
	});

	it('gives the operation-neutral advice where an operation has none of its own', () => {
		expect(describeFailure(403, undefined, []).description).toContain('this API is not enabled');
		expect(describeFailure(400, undefined, []).description).toBe(
			'Check the values of these items that MoEngage names.',
		);
	});

	it('reads HTML and empty bodies from a proxy', () => {
		expect(
			describeFailure(502, '<html><body><h1>502 Bad Gateway</h1></body></html>', []).message,
		).toBe('MoEngage failed to answer (502): 502 Bad Gateway');
		expect(describeFailure(500, '', []).message).toBe(
			'MoEngage failed to answer (500): an empty body',
		);
	});

	it('never repeats a secret that an answer echoes', () => {
		const failure = describeFailure(
			400,
			{ status: 'fail', error: { message: 'bad key sekret', type: 'X' } },
			['sekret'],
		);
		expect(failure.message).not.toContain('sekret');
		expect(redact('a sekret b sekret', ['sekret'])).toBe('a [redacted] b [redacted]');
	});
});

describe('parseRetryAfter', () => {
	it('reads seconds and HTTP dates, and ignores anything else', () => {
		const now = Date.parse('2026-11-28T12:00:00Z');
		expect(parseRetryAfter('2', now)).toBe(2000);
		expect(parseRetryAfter('0.5', now)).toBe(500);
		expect(parseRetryAfter('Sat, 28 Nov 2026 12:00:07 GMT', now)).toBe(7000);
		expect(parseRetryAfter('Sat, 28 Nov 2026 11:59:00 GMT', now)).toBe(0);
		expect(parseRetryAfter('soon', now)).toBeUndefined();
		expect(parseRetryAfter(undefined, now)).toBeUndefined();
	});
});

describe('classifyResponse', () => {
	it('takes a documented 200 as an answer and anything else with 200 as malformed', () => {
		const ok = { status: 'success', data: { users: [], users_not_found: [] } };
		expect(classifyResponse(200, ok, {}, [], 0, readAnswer)).toEqual({
			kind: 'answer',
			answer: { users: [], usersNotFound: [] },
		});
		expect(classifyResponse(200, '{"status":"succ', {}, [], 0, readAnswer)).toMatchObject({
			kind: 'malformed',
			failure: {
				message:
					'MoEngage answered 200 but not with the documented JSON: the body is not JSON: "{"status":"succ"',
			},
		});
	});

	it("takes a 5xx in MoEngage's words as proof nothing was recorded, and a proxy's 5xx page as an answer that may have been lost", () => {
		const moengage = {
			status: 'fail',
			error: { message: 'An unexpected error was encountered', type: 'ServerError' },
		};
		const title = {
			status: 'fail',
			title: 'Internal Error',
			description: 'Please contact the MoEngage team.',
		};
		expect(classifyResponse(500, moengage, {}, [], 0, readAnswer)).not.toHaveProperty(
			'mayHaveArrived',
		);
		expect(classifyResponse(500, title, {}, [], 0, readAnswer)).not.toHaveProperty(
			'mayHaveArrived',
		);
		expect(
			classifyResponse(504, '<html>504 Gateway Time-out</html>', {}, [], 0, readAnswer),
		).toMatchObject({ kind: 'refused', mayHaveArrived: true });
		expect(classifyResponse(400, '<html>400</html>', {}, [], 0, readAnswer)).not.toHaveProperty(
			'mayHaveArrived',
		);
	});

	it('keeps the attribute MoEngage blames and the Retry-After of a refusal', () => {
		const body = {
			status: 'fail',
			error: { attribute: 'identifiers', message: 'm', type: 'InvalidParams' },
		};
		expect(classifyResponse(400, body, {}, [], 0, readAnswer)).toMatchObject({
			kind: 'refused',
			status: 400,
			blames: 'identifiers',
		});
		expect(classifyResponse(429, {}, { 'retry-after': '3' }, [], 0, readAnswer)).toMatchObject({
			kind: 'refused',
			retryAfterMs: 3000,
		});
	});
});

describe('secrets in what MoEngage or a proxy sends back', () => {
	const appId = 'SIMWORKSPACE01';
	const apiKey = 'sim-data-api-key-0123456789';
	const basic = Buffer.from(`${appId}:${apiKey}`).toString('base64');
	const workspace = workspaceOf({ dataCenter: '01', appId: `${appId} `, apiKey: `${apiKey}\n` });
	if (!workspace.ok) throw new Error(workspace.problem);
	const { secrets } = workspace.value;
	const shown = (exchange: ReturnType<typeof classifyResponse>) => JSON.stringify(exchange);

	it.each(Array.from({ length: 40 }, (_, shift) => shift * 5))(
		'leaves no 8-character piece of the key or the Basic header in the message, whatever the cut (header at %i)',
		(shift) => {
			const page = `<html><body><h1>502 Bad Gateway</h1><pre>${'x'.repeat(shift)} Authorization: Basic ${basic} key=${apiKey}</pre></body></html>`;
			expect(
				leakedFragments(shown(classifyResponse(502, page, {}, secrets, 0, readAnswer)), [
					basic,
					apiKey,
				]),
			).toEqual([]);
			const json = { status: 'fail', echo: `${'y'.repeat(shift)}Basic ${basic} ${apiKey}` };
			expect(
				leakedFragments(shown(classifyResponse(400, json, {}, secrets, 0, readAnswer)), [
					basic,
					apiKey,
				]),
			).toEqual([]);
			const text = `${'z'.repeat(shift)} ${apiKey}`;
			expect(
				leakedFragments(shown(classifyResponse(200, text, {}, secrets, 0, readAnswer)), [apiKey]),
			).toEqual([]);
		},
	);

	it('also redacts the header n8n built from an untrimmed Workspace ID and key', () => {
		const untrimmed = Buffer.from(`${appId} :${apiKey}\n`).toString('base64');
		const exchange = classifyResponse(
			500,
			`upstream said: Authorization: Basic ${untrimmed}`,
			{},
			secrets,
			0,
			readAnswer,
		);
		expect(leakedFragments(shown(exchange), [untrimmed])).toEqual([]);
	});
});

describe('parseRateLimit', () => {
	const now = Date.parse('2026-11-28T12:00:00Z');
	it('reads x-ratelimit-reset as seconds until the reset when small, as a UTC epoch second when large', () => {
		expect(
			parseRateLimit({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '30' }, now),
		).toEqual({ remaining: 0, resetMs: 30_000 });
		expect(
			parseRateLimit(
				{ 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': String(now / 1000 + 12) },
				now,
			),
		).toEqual({
			remaining: 5,
			resetMs: 12_000,
		});
		expect(parseRateLimit({ 'x-ratelimit-reset': String(now / 1000 - 5) }, now)).toEqual({
			resetMs: 0,
		});
	});

	it('ignores answers without them or with values that are not numbers', () => {
		expect(parseRateLimit({}, now)).toBeUndefined();
		expect(parseRateLimit({ 'x-ratelimit-remaining': 'lots' }, now)).toBeUndefined();
	});

	it('comes with answers and refusals alike', () => {
		const headers = { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '7' };
		const answer = classifyResponse(
			200,
			{ status: 'success', data: { users: [], users_not_found: [] } },
			headers,
			[],
			now,
			readAnswer,
		);
		expect(answer).toMatchObject({ kind: 'answer', rateLimit: { remaining: 0, resetMs: 7000 } });
		expect(classifyResponse(429, {}, headers, [], now, readAnswer)).toMatchObject({
			kind: 'refused',
			rateLimit: { remaining: 0, resetMs: 7000 },
		});
	});
});
