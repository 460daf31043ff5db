'use strict';
/**
 * The simulator's seeded randomness, in a module of its own so that every part of it (users,
 * faults, campaigns and their figures) draws from the same generator without requiring
 * ./simulator.js. Types: ./random.d.ts.
 */

/** A small deterministic PRNG (mulberry32): the same seed gives the same users and the same faults. */
function randomFrom(seed) {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** A seed from a text (FNV-1a): figures keyed by what they are for, whatever order they are drawn in. */
function seedOf(text) {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193);
	}
	return hash >>> 0;
}

/** `length` hex characters, as MoEngage's IDs (24 of them) are. */
const hexOf = (random, length = 24) =>
	Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');

module.exports = { randomFrom, seedOf, hexOf };
