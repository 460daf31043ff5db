import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks on an incoming call, as n8n's Webhook node makes them (Webhook/utils.ts): missing Basic
 * credentials get 401 with a challenge, wrong ones 401 too (as n8n 2.x answers, and RFC 9110
 * §15.5.2: the credentials are not valid); a missing or wrong header gets 403, as n8n answers.
 * MoEngage's alert signature (docs/moengage-api.md#alert-webhooks): missing gets 401, wrong 403.
 * Secrets are compared in constant time, which n8n's Webhook node does not do.
 */
export interface Refusal {
	status: 401 | 403;
	message: string;
	/** Send `WWW-Authenticate: Basic`, so that a client knows to authenticate. */
	challenge?: boolean;
}

/** Equal secrets, compared without revealing how much of them matched (the lengths included). */
export function sameSecret(given: string, expected: string) {
	const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
	return timingSafeEqual(digest(given), digest(expected));
}

export interface BasicAuth {
	user: string;
	password: string;
}

export function checkBasicAuth(
	authorization: string | undefined,
	expected: BasicAuth,
): Refusal | undefined {
	const match = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '');
	if (!match) {
		return { status: 401, challenge: true, message: 'Authorization is required' };
	}
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	const user = colon < 0 ? decoded : decoded.slice(0, colon);
	const password = colon < 0 ? '' : decoded.slice(colon + 1);
	// Both compared every time, so that a wrong user takes as long as a wrong password.
	const userMatches = sameSecret(user, expected.user);
	const passwordMatches = sameSecret(password, expected.password);
	if (userMatches && passwordMatches) return undefined;
	return { status: 401, challenge: true, message: 'Authorization data is wrong!' };
}

export interface HeaderAuth {
	name: string;
	secret: string;
}

export function checkHeaderAuth(
	headers: Record<string, string | string[] | undefined>,
	expected: HeaderAuth,
): Refusal | undefined {
	const given = headers[expected.name.trim().toLowerCase()];
	if (typeof given !== 'string') {
		return { status: 403, message: 'Authorization data is wrong!' };
	}
	return sameSecret(given, expected.secret)
		? undefined
		: { status: 403, message: 'Authorization data is wrong!' };
}

/**
 * The signatures MoEngage may send for a body: hex SHA-256 of the Campaign Report API key, "|"
 * and the raw body (the documented steps and their Python sample), or of the key and the body
 * joined without it (the page's prose: "your API key concatenated with the raw request body").
 */
export function alertSignatures(key: string, rawBody: Buffer) {
	const sign = (separator: string) =>
		createHash('sha256').update(`${key}${separator}`, 'utf8').update(rawBody).digest('hex');
	return [sign('|'), sign('')];
}

export function checkSignature(
	signature: string | string[] | undefined,
	key: string,
	rawBody: Buffer,
): Refusal | undefined {
	if (typeof signature !== 'string' || signature.trim() === '') {
		return {
			status: 401,
			message: 'The Signature header is missing: MoEngage signs every alert it sends',
		};
	}
	const given = signature.trim().toLowerCase();
	// Every reading is compared, so that the time taken does not say which one came close.
	const matches = alertSignatures(key, rawBody).map((expected) => sameSecret(given, expected));
	return matches.includes(true)
		? undefined
		: {
				status: 403,
				message:
					"The Signature header does not match the body: check the trigger's Campaign Report API key",
			};
}
