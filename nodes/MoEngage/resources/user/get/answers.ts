/**
 * Get User's answers: a 200 read strictly, matched back to the lookups of its request, and what a
 * refusal means to a user. Pure functions.
 */
import { type Checked, isRecord } from '../../../shared/checked';
import type { IdentifierType } from '../../../shared/identifiers';
import type { Hints } from '../../../shared/transport';

/** A distinct (identifier type, identifier), asked once for every item that carries it. */
export interface Lookup {
	type: IdentifierType;
	identifier: string;
	/** Every input item that carries this identifier, in input order. */
	itemIndexes: number[];
}

export type Attributes = Record<string, unknown>;

export type Outcome =
	| { kind: 'found'; attributes: Attributes }
	| { kind: 'notFound' }
	/** MoEngage's answer named the identifier in neither list: never guessed, reported as an error. */
	| { kind: 'missing' };

export interface ExportAnswer {
	users: Array<{ user_attributes: Attributes }>;
	usersNotFound: Array<{ identifier_type: string; identifier: string }>;
}

/**
 * The attributes of a found user that may carry the identifier it was looked up by, in order of
 * preference. Get User's examples use `customer_id` and `id`; MoEngage's OpenAPI enum calls the
 * MoEngage ID `moengage_id`, its attribute table calls the customer ID `uid`, and profiles carry `_id`
 * (docs/moengage-api.md#matching-the-answer).
 */
const KEY_ATTRIBUTES: Record<IdentifierType, readonly string[]> = {
	customer_id: ['customer_id', 'uid'],
	id: ['id', 'moengage_id', '_id'],
};

/** identifier_type as MoEngage may echo it in users_not_found, to the type the node asked by. */
const ECHOED_TYPE: Record<string, IdentifierType> = {
	customer_id: 'customer_id',
	id: 'id',
	moengage_id: 'id',
};

export const keyOf = (type: string, identifier: string) => `${type}\u0000${identifier}`;

/**
 * Found users come back without the identifier they were asked by, so the attributes the node
 * matches on must be exported, under each name the answer may use, even when the user asked only
 * for other fields.
 */
export function fieldsToExport(
	fields: string[] | undefined,
	batch: readonly Lookup[],
): string[] | undefined {
	if (fields === undefined) return undefined;
	const asked = [...fields];
	for (const type of new Set(batch.map((lookup) => lookup.type))) {
		for (const attribute of KEY_ATTRIBUTES[type])
			if (!asked.includes(attribute)) asked.push(attribute);
	}
	return asked;
}

/** Exactly the fields the user asked for, in their order; all attributes when they asked for none. */
export function pickFields(attributes: Attributes, fields: string[] | undefined): Attributes {
	if (fields === undefined) return { ...attributes };
	const picked: Attributes = {};
	for (const field of fields) {
		if (Object.prototype.hasOwnProperty.call(attributes, field)) picked[field] = attributes[field];
	}
	return picked;
}

/** Reads a 200 answer; anything but the documented shape is a problem, not an empty result. */
export function readAnswer(body: unknown): Checked<ExportAnswer> {
	if (!isRecord(body)) {
		const shown = typeof body === 'string' ? `"${body.slice(0, 80)}"` : String(body);
		return { ok: false, problem: `the body is not JSON: ${shown}` };
	}
	const data = body.data;
	if (body.status !== 'success' || !isRecord(data)) {
		return {
			ok: false,
			problem: `status is "${String(body.status)}" and data is ${isRecord(data) ? 'an object' : 'missing'}`,
		};
	}
	const users = data.users ?? [];
	const usersNotFound = data.users_not_found ?? [];
	if (
		!Array.isArray(users) ||
		!users.every((user) => isRecord(user) && isRecord(user.user_attributes))
	) {
		return { ok: false, problem: 'data.users is not a list of {user_attributes}' };
	}
	if (
		!Array.isArray(usersNotFound) ||
		!usersNotFound.every((entry) => isRecord(entry) && entry.identifier !== undefined)
	) {
		return {
			ok: false,
			problem: 'data.users_not_found is not a list of {identifier_type, identifier}',
		};
	}
	return {
		ok: true,
		value: {
			users: users as ExportAnswer['users'],
			usersNotFound: usersNotFound.map((entry) => ({
				identifier_type: String(entry.identifier_type),
				identifier: String(entry.identifier),
			})),
		},
	};
}

/** One outcome per lookup of the batch, in the batch's order. The order of MoEngage's lists is not promised. */
export function matchAnswer(batch: readonly Lookup[], answer: ExportAnswer): Outcome[] {
	const found = new Map<string, Attributes>();
	for (const { user_attributes: attributes } of answer.users) {
		for (const type of Object.keys(KEY_ATTRIBUTES) as IdentifierType[]) {
			const key = KEY_ATTRIBUTES[type].find(
				(name) => attributes[name] !== undefined && attributes[name] !== null,
			);
			if (key !== undefined) found.set(keyOf(type, String(attributes[key])), attributes);
		}
	}
	const notFound = new Set(
		answer.usersNotFound.map((entry) =>
			keyOf(ECHOED_TYPE[entry.identifier_type] ?? entry.identifier_type, entry.identifier),
		),
	);
	return batch.map((lookup): Outcome => {
		const key = keyOf(lookup.type, lookup.identifier);
		const attributes = found.get(key);
		if (attributes) return { kind: 'found', attributes };
		if (notFound.has(key)) return { kind: 'notFound' };
		return { kind: 'missing' };
	});
}

/** What a refusal of Get User means to a user, where it differs from the other endpoints. */
export const EXPORT_HINTS: Hints = {
	400: {
		what: 'MoEngage rejected the request',
		todo: 'Check the identifiers of these items and the Fields parameter.',
	},
	// MoEngage enables Get User per workspace on request and documents no answer of its own for a
	// workspace without it, only that a key the API does not cover "gets 401 or 403"
	// (docs/moengage-api.md#when-get-user-is-not-enabled): the node cannot
	// tell that from a wrong key or a suspension, so both hints name it. The credential's Test does
	// not use Get User, so a Test that succeeds tells the user which it is.
	401: {
		what: 'MoEngage rejected the credentials',
		todo: "Check the Workspace ID and Data API key, and that the data center matches your dashboard URL (dashboard-02 → DC 02). If the credential's Test succeeds, the key is right and the Get User API is not enabled for this workspace: MoEngage enables it on request, ask your CSM or MoEngage support.",
	},
	403: {
		what: 'MoEngage refused Get User for this workspace',
		todo: "The Get User API is not enabled for this workspace, or the workspace is blocked or suspended (MoEngage's message above says which, if it does). MoEngage enables Get User per workspace on request: ask your CSM or MoEngage support.",
	},
	413: {
		what: 'The request was larger than MoEngage accepts (128 KB)',
		todo: 'Some identifiers or field names are unusually long: lower Batch Size, or check the Identifier parameter.',
	},
};
