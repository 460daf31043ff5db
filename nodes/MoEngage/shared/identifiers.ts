/**
 * What a user typed or mapped, checked and put in the form MoEngage expects. Pure functions:
 * each returns a value or a plain-language problem, and the n8n layer decides how to report it.
 */
import type { INodeProperties } from 'n8n-workflow';

import type { Checked } from './checked';

export type IdentifierType = 'customer_id' | 'id';

/**
 * Identifier Type as Get and Delete show it: one spelling of a MoEngage ID, `moengage_id` (the
 * enum of both endpoints), so a node switched from one operation to the other keeps its value.
 * Saved workflows may hold Get's earlier `id`: both operations take either.
 */
export function identifierTypeProperty(): INodeProperties {
	return {
		displayName: 'Identifier Type',
		name: 'identifierType',
		type: 'options',
		options: [
			{
				name: 'Customer ID',
				value: 'customer_id',
				description: 'The ID field of the user profile, as your app sets it',
			},
			{ name: 'MoEngage ID', value: 'moengage_id', description: 'The ID MoEngage gave the user' },
		],
		default: 'customer_id',
		description: 'What the identifier of each item is. An expression may give either per item.',
	};
}

/** The Identifier of Get and Delete: the user of each item, as Identifier Type says. */
export const identifierProperty = (description: string): INodeProperties => ({
	displayName: 'Identifier',
	name: 'identifier',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. {{ $json.customer_id }}',
	description,
});

/** A customer ID parameter: Customer ID of Create or Update and Track, the two of Merge. */
export const customerIdProperty = (
	description: string,
	{
		name = 'customerId',
		displayName = 'Customer ID',
		placeholder = 'e.g. {{ $json.customer_id }}',
	} = {},
): INodeProperties => ({
	displayName,
	name,
	type: 'string',
	required: true,
	default: '',
	placeholder,
	description,
});

/** How each spelling a user may give reads for Get: `id` internally, whichever way it is sent. */
const IDENTIFIER_TYPES: Record<string, IdentifierType> = {
	customer_id: 'customer_id',
	id: 'id',
	moengage_id: 'id',
};

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (value === undefined) return 'nothing (undefined)';
	if (Array.isArray(value)) return `an array (${JSON.stringify(value).slice(0, 60)})`;
	if (typeof value === 'object') return `an object (${JSON.stringify(value).slice(0, 60)})`;
	if (typeof value === 'string') return `"${value}"`;
	return `a ${typeof value} (${String(value)})`;
}

/** Numbers from spreadsheets become strings; surrounding whitespace never belongs to an ID. */
export function normaliseIdentifier(value: unknown): Checked<string> {
	if (typeof value === 'string') {
		const trimmed = value.trim();
		return trimmed === ''
			? {
					ok: false,
					problem: value === '' ? 'is empty' : `is only whitespace (${describe(value)})`,
				}
			: { ok: true, value: trimmed };
	}
	if (typeof value === 'number') {
		return Number.isFinite(value)
			? { ok: true, value: String(value) }
			: { ok: false, problem: `is not a usable number (${String(value)})` };
	}
	if (typeof value === 'bigint') return { ok: true, value: value.toString() };
	return { ok: false, problem: `is ${describe(value)}, not a text or number` };
}

export function checkIdentifierType(value: unknown): Checked<IdentifierType> {
	const type = typeof value === 'string' ? IDENTIFIER_TYPES[value] : undefined;
	return type !== undefined
		? { ok: true, value: type }
		: {
				ok: false,
				problem: `is ${describe(value)}; use "customer_id" (Customer ID) or "moengage_id" (MoEngage ID)`,
			};
}

/**
 * The attributes to export: a comma-separated text or an array of names. Empty means every
 * attribute MoEngage exports, which is what omitting user_fields_to_export asks for.
 */
export function parseFields(value: unknown): Checked<string[] | undefined> {
	if (value === undefined || value === null || value === '') return { ok: true, value: undefined };
	let names: unknown[];
	if (typeof value === 'string') names = value.split(',');
	else if (Array.isArray(value)) names = value;
	else {
		return {
			ok: false,
			problem: `is ${describe(value)}; give attribute names separated by commas, e.g. "name, email"`,
		};
	}
	const fields: string[] = [];
	for (const name of names) {
		if (typeof name !== 'string') {
			return {
				ok: false,
				problem: `contains ${describe(name)}; every attribute name must be text`,
			};
		}
		const trimmed = name.trim();
		if (trimmed !== '' && !fields.includes(trimmed)) fields.push(trimmed);
	}
	return { ok: true, value: fields.length > 0 ? fields : undefined };
}

function isIPv4(text: string): boolean {
	const parts = text.split('.');
	return (
		parts.length === 4 &&
		parts.every((part) => /^(0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255)
	);
}

function isIPv6(text: string): boolean {
	if (!/^[0-9a-fA-F:.]+$/.test(text)) return false;
	const halves = text.split('::');
	if (halves.length > 2) return false;
	const groups = (half: string) => (half === '' ? [] : half.split(':'));
	const all = halves.flatMap(groups);
	const last = all[all.length - 1];
	const tailIsIPv4 = last !== undefined && last.includes('.');
	if (tailIsIPv4 && !isIPv4(last)) return false;
	const hexGroups = tailIsIPv4 ? all.slice(0, -1) : all;
	if (!hexGroups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return false;
	const width = hexGroups.length + (tailIsIPv4 ? 2 : 0);
	return halves.length === 2 ? width < 8 : width === 8;
}

/** X-Forwarded-For carries one or more client IP addresses, separated by commas. */
export function parseForwardedFor(value: unknown): Checked<string | undefined> {
	if (value === undefined || value === null || value === '') return { ok: true, value: undefined };
	if (typeof value !== 'string') {
		return { ok: false, problem: `is ${describe(value)}; give IP addresses separated by commas` };
	}
	const addresses = value.split(',').map((part) => part.trim());
	const bad = addresses.find((address) => !isIPv4(address) && !isIPv6(address));
	if (bad !== undefined) {
		return {
			ok: false,
			problem: `has ${bad === '' ? 'an empty entry' : `"${bad}"`}, which is not an IP address; give addresses such as "203.0.113.7, 2001:db8::1"`,
		};
	}
	return { ok: true, value: addresses.join(', ') };
}

/** A whole number within bounds, for options that an expression could set to anything. */
export function checkWholeNumber(value: unknown, min: number, max: number): Checked<number> {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
		const range = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
		return { ok: false, problem: `is ${describe(value)}; use a whole number ${range}` };
	}
	return { ok: true, value: number };
}

/**
 * Values MoEngage refuses as a customer ID (its data overview), compared without case. A customer
 * ID must also be longer than one character.
 */
const DISALLOWED_CUSTOMER_IDS = new Set([
	'unknown',
	'guest',
	'null',
	'0',
	'1',
	'true',
	'false',
	'user_attribute_unique_id',
	'(empty)',
	'na',
	'n/a',
	'',
	'dummy_seller_code',
	'user_id',
	'id',
	'customer_id',
	'uid',
	'userid',
	'none',
	'-2',
	'-1',
	'2',
]);

/** A customer ID to write: what MoEngage would refuse (or, in Bulk Import, silently drop) is a problem here. */
export function checkCustomerId(value: unknown): Checked<string> {
	const normalised = normaliseIdentifier(value);
	if (!normalised.ok) return normalised;
	const id = normalised.value;
	if (id.length < 2)
		return {
			ok: false,
			problem: `is "${id}"; MoEngage needs a customer ID longer than one character`,
		};
	if (DISALLOWED_CUSTOMER_IDS.has(id.toLowerCase())) {
		return {
			ok: false,
			problem: `is "${id}", a placeholder value MoEngage refuses as a customer ID`,
		};
	}
	return { ok: true, value: id };
}
