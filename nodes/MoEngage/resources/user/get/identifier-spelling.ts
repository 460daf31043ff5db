/**
 * How a MoEngage ID's identifier_type is spelled on the wire (docs/moengage-api.md#moengage-id-spelling). MoEngage's prose and its only example
 * say "id", its OpenAPI enum says "moengage_id", and which one its server accepts is not documented.
 * The node sends "id"; when MoEngage refuses a request that holds MoEngage IDs before either spelling
 * has worked for the workspace, it sends that request again spelled the other way, and the spelling
 * MoEngage answered is kept for the workspace for the life of the process.
 */
import type { Endpoint } from '../../../pipeline/operation';
import type { Exchange, Refusal } from '../../../shared/transport';
import type { ExportAnswer, Lookup, Outcome } from './answers';

export type IdSpelling = 'id' | 'moengage_id';

const DOCUMENTED: IdSpelling = 'id';
const other = (spelling: IdSpelling): IdSpelling => (spelling === 'id' ? 'moengage_id' : 'id');

/** Per workspace: the spelling MoEngage answered a request with. A few bytes a workspace. */
const answered = new Map<string, IdSpelling>();

export interface SpellingForRun {
	/** The spelling to send now. */
	readonly current: IdSpelling;
	/** MoEngage answered a request sent with `sent`: keep it for the workspace. */
	answered(sent: IdSpelling): void;
	/** MoEngage refused (400) a request with MoEngage IDs sent with `sent`: true to send it again as `current`. */
	refused(sent: IdSpelling): boolean;
}

/** The spelling of one run on a workspace; other runs on it learn from what MoEngage answered. */
export function spellingFor(workspace: string): SpellingForRun {
	let current = answered.get(workspace) ?? DOCUMENTED;
	let switched = false;
	return {
		get current() {
			return answered.get(workspace) ?? current;
		},
		answered(sent) {
			if (!answered.has(workspace)) answered.set(workspace, sent);
		},
		refused(sent) {
			if (answered.has(workspace)) return false;
			// Sent before this run switched: the other spelling has not been tried on it yet.
			if (sent !== current) return true;
			if (switched) {
				// Both spellings refused: the cause is something else (a bad identifier), and the
				// documented spelling is kept for the rest of the run.
				current = DOCUMENTED;
				return false;
			}
			switched = true;
			current = other(sent);
			return true;
		},
	};
}

/** A 400 that may be about the identifier type: it blames the identifiers, or nothing in particular. */
const mayBlameType = (exchange: Refusal) =>
	exchange.status === 400 && (exchange.blames === undefined || /identifier/i.test(exchange.blames));

/**
 * The dispatcher's `send` and `anotherForm` for Get Users: `send` gets the identifiers as they go on
 * the wire, each MoEngage ID spelled as the run now spells it.
 */
export function spelledSending(
	workspace: string,
	send: (
		identifiers: Array<{ identifier_type: string; identifier: string }>,
		batch: readonly Lookup[],
		signal: AbortSignal,
	) => Promise<Exchange<ExportAnswer>>,
): Pick<Endpoint<Lookup, ExportAnswer, Outcome>['io'], 'send' | 'anotherForm'> {
	const spelling = spellingFor(workspace);
	const sentWith = new WeakMap<readonly Lookup[], IdSpelling>();
	const hasMoEngageIds = (batch: readonly Lookup[]) => batch.some((lookup) => lookup.type === 'id');
	return {
		send: async (batch, signal) => {
			const spelled = spelling.current;
			sentWith.set(batch, spelled);
			const exchange = await send(
				batch.map((lookup) => ({
					identifier_type: lookup.type === 'id' ? spelled : lookup.type,
					identifier: lookup.identifier,
				})),
				batch,
				signal,
			);
			if (exchange.kind === 'answer' && hasMoEngageIds(batch)) spelling.answered(spelled);
			return exchange;
		},
		anotherForm: (batch, exchange) =>
			hasMoEngageIds(batch) &&
			mayBlameType(exchange) &&
			spelling.refused(sentWith.get(batch) ?? spelling.current)
				? `MoEngage ID sent as identifier_type "${spelling.current}"`
				: undefined,
	};
}
