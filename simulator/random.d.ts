/**
 * Types of ./random.js, the simulator's seeded randomness. The module stays plain JavaScript so
 * that scripts run it without compiling; this file only describes it.
 */

/** A small deterministic PRNG (mulberry32): numbers in [0, 1), the same for the same seed. */
export function randomFrom(seed: number): () => number;
/** A 32-bit seed from a text (FNV-1a). */
export function seedOf(text: string): number;
/** `length` (default 24) hex characters drawn from `random`. */
export function hexOf(random: () => number, length?: number): string;
