/**
 * A value that passed its check, or the problem with it in plain words ("is empty"). Checks are
 * pure; the n8n layer decides whether a problem fails an item or names a parameter.
 */
export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** A JSON object: not null, not an array. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
