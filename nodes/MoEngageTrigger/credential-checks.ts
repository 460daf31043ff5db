import type { ICredentialTestFunction, INodeCredentialTestResult } from 'n8n-workflow';

/**
 * The trigger's webhook credentials are secrets MoEngage sends to n8n, not keys n8n sends anywhere: there
 * is no request to test them with. Each test checks what can be wrong before MoEngage calls.
 */
const ok = (message: string): INodeCredentialTestResult => ({ status: 'OK', message });
const error = (message: string): INodeCredentialTestResult => ({ status: 'Error', message });
const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** RFC 9110 §5.1: a field name is a token. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers HTTP or MoEngage itself sets on every call: a secret cannot ride in them. */
const RESERVED_HEADERS = new Set([
	'content-type',
	'content-length',
	'host',
	'connection',
	'transfer-encoding',
	'user-agent',
	'accept',
	'accept-encoding',
	'signature',
]);

const NOT_CHECKED_BY_MOENGAGE =
	'The trigger compares them with every call MoEngage makes; MoEngage has no way to check them beforehand.';

export const webhookBasicAuth: ICredentialTestFunction = async function (credential) {
	const user = text(credential.data?.user);
	const password = text(credential.data?.password);
	if (user === '') return error('Enter the user MoEngage is given.');
	// RFC 7617 §2: "a user-id containing a colon character is invalid".
	if (user.includes(':')) {
		return error(
			'The user contains ":", which Basic auth cannot carry (RFC 7617). Choose another.',
		);
	}
	if (password === '') return error('Enter the password MoEngage is given.');
	return ok(`User and password are well formed. ${NOT_CHECKED_BY_MOENGAGE}`);
};

export const webhookHeaderAuth: ICredentialTestFunction = async function (credential) {
	const name = text(credential.data?.name).trim();
	const value = text(credential.data?.secret);
	if (!HEADER_NAME.test(name)) {
		return error(`"${name}" is not a valid HTTP header name: use one such as X-Api-Key.`);
	}
	if (RESERVED_HEADERS.has(name.toLowerCase())) {
		return error(
			`${name} is set by HTTP or by MoEngage on every call: choose another name, e.g. X-Api-Key.`,
		);
	}
	if (value === '') return error('Enter the value MoEngage sends in the header.');
	return ok(`Header name and value are well formed. ${NOT_CHECKED_BY_MOENGAGE}`);
};
