/**
 * Reading parameters per item as getNodeParameter does, at a fraction of the cost: evaluating an
 * expression costs n8n about 100 µs an item, most of a write operation's own time on 30,000 items.
 */
import {
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeParameters,
} from 'n8n-workflow';

export type ReadParameter = (name: string, itemIndex: number, fallback?: unknown) => unknown;

/** How an expression reads a field of the item: `$json.customer_id` or `$json["customer id"]` (name in group 1 or 3). */
const JSON_FIELD = /\$json(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"])([^'"\\]*)\2\s*\])/.source;

/** A parameter that only reads one field of the item: `{{ $json.customer_id }}` or `{{ $json["customer id"] }}`. */
const PLAIN_FIELD = new RegExp(`^=\\{\\{\\s*${JSON_FIELD}\\s*\\}\\}$`);

const holdsExpression = (value: unknown): boolean =>
	typeof value === 'string'
		? value.startsWith('=')
		: typeof value === 'object' && value !== null && Object.values(value).some(holdsExpression);

/** The parameter (as the editor names it) whose expression failed, for the item's error message. */
const failedParameter = new WeakMap<Error, string>();

/** The parameter whose expression failed with `error` while a reader read it, if one did. */
export const parameterThatFailed = (error: unknown): string | undefined =>
	error instanceof Error ? failedParameter.get(error) : undefined;

/**
 * A parameter (or collection) without an expression is read once; one that only reads a field of
 * the item is read from the item; anything else goes through n8n's expression engine per item.
 * `displayNames` names the parameters in the errors of their expressions.
 */
export function parameterReader(
	context: Pick<IExecuteFunctions, 'getNode' | 'getNodeParameter'>,
	items: readonly INodeExecutionData[],
	displayNames: ReadonlyMap<string, string> = new Map(),
): ReadParameter {
	const { parameters } = context.getNode();
	const once = new Map<string, unknown>();
	return (name, itemIndex, fallback) => {
		const raw = parameters[name];
		const field = typeof raw === 'string' ? PLAIN_FIELD.exec(raw) : null;
		if (field) return items[itemIndex].json[field[1] ?? field[3]];
		if (holdsExpression(raw)) {
			try {
				return context.getNodeParameter(name, itemIndex, fallback);
			} catch (error) {
				// n8n's own expression error, which points at the expression, with the parameter remembered.
				const failed = new NodeOperationError(context.getNode(), error as Error, { itemIndex });
				failedParameter.set(failed, displayNames.get(name) ?? name);
				throw failed;
			}
		}
		if (!once.has(name)) once.set(name, context.getNodeParameter(name, 0, fallback));
		return once.get(name);
	};
}

/** The item fields that the named parameters read in their expressions (`$json.field`, `$json["field"]`). */
export function fieldsReadBy(parameters: INodeParameters, names: readonly string[]): string[] {
	const fields: string[] = [];
	for (const name of names) {
		const raw = parameters[name];
		if (typeof raw !== 'string' || !raw.startsWith('=')) continue;
		for (const match of raw.matchAll(new RegExp(JSON_FIELD, 'g')))
			fields.push(match[1] ?? match[3]);
	}
	return fields;
}
