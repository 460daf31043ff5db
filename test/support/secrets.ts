/** Every run of `length` characters of each secret: none may appear in anything a user or a log sees. */
export function fragmentsOf(secrets: readonly string[], length = 8): string[] {
	const fragments = new Set<string>();
	for (const secret of secrets) {
		for (let start = 0; start + length <= secret.length; start++)
			fragments.add(secret.slice(start, start + length));
	}
	return [...fragments];
}

/** The fragments of `secrets` that `text` contains. */
export const leakedFragments = (text: string, secrets: readonly string[]): string[] =>
	fragmentsOf(secrets).filter((fragment) => text.includes(fragment));
