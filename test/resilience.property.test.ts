/**
 * Property: whatever the input (repeats, unknown users, both identifier types, invalid values,
 * poison identifiers) and whatever MoEngage does (a random seeded schedule of 429s, 5xx, resets,
 * hangs, garbled answers), every input item ends in exactly one place, on the right side, linked to
 * the right input item — and no identifier is answered twice. The Get operation runs whole, as n8n
 * runs it (executeOperation: plan, group, send, route), on a fake n8n context and a fake clock.
 */
import fc from 'fast-check';

import { operation as get } from '../nodes/MoEngage/resources/user/get';
import { createSimulator, FAULT_KINDS, makeUsers } from '../simulator/simulator';
import { FakeClock } from './support/fake-clock';
import { fakeExecuteFunctions, freshWorkspace } from './support/fake-n8n';

/** An item as it reaches the node: its identifier type and identifier, read by the node's expressions. */
type RawItem = { type: string; identifier: unknown };

const USERS = makeUsers(60, 3);
const POISON = ['poison-a', 'poison-b'];

type Expected =
	| { side: 'found'; user: Record<string, unknown> }
	| { side: 'notFound'; type: string; identifier: string }
	| { side: 'error'; mentions: string };

const user = fc.constantFrom(...USERS);
const candidate: fc.Arbitrary<{ raw: RawItem; expected: Expected }> = fc.oneof(
	user.map((u) => ({
		raw: { type: 'customer_id', identifier: u.customer_id },
		expected: { side: 'found', user: u } as Expected,
	})),
	user
		.filter((u) => /^\d+$/.test(String(u.customer_id)))
		.map((u) => ({
			raw: { type: 'customer_id', identifier: Number(u.customer_id) },
			expected: { side: 'found', user: u } as Expected,
		})),
	user.map((u) => ({
		raw: { type: 'customer_id', identifier: `  ${u.customer_id} ` },
		expected: { side: 'found', user: u } as Expected,
	})),
	user.map((u) => ({
		raw: { type: 'id', identifier: u.id },
		expected: { side: 'found', user: u } as Expected,
	})),
	fc.nat(30).map((n) => ({
		raw: { type: 'customer_id', identifier: `nobody-${n}` },
		expected: { side: 'notFound', type: 'customer_id', identifier: `nobody-${n}` } as Expected,
	})),
	fc.nat(30).map((n) => ({
		raw: { type: 'id', identifier: `ffff${n}` },
		expected: { side: 'notFound', type: 'id', identifier: `ffff${n}` } as Expected,
	})),
	fc.constantFrom(...POISON).map((p) => ({
		raw: { type: 'customer_id', identifier: p },
		expected: { side: 'error', mentions: `identifier "${p}" is not valid` } as Expected,
	})),
	fc.constantFrom<unknown>('', '   ', null, true, { id: 1 }, ['x']).map((bad) => ({
		raw: { type: 'customer_id', identifier: bad },
		expected: { side: 'error', mentions: 'the identifier is' } as Expected,
	})),
	fc.constant({
		raw: { type: 'email', identifier: 'a@b.c' },
		expected: { side: 'error', mentions: 'the identifier type is "email"' } as Expected,
	}),
);

/** A pool of candidates, then items drawn from it: repeats are the rule, as in real sheets. */
const input = fc
	.array(candidate, { minLength: 1, maxLength: 25 })
	.chain((pool) =>
		fc
			.array(fc.nat(pool.length - 1), { minLength: 1, maxLength: 70 })
			.map((picks) => picks.map((pick) => pool[pick])),
	);

const faults = fc.record({
	rate: fc.double({ min: 0, max: 0.45, noNaN: true }),
	seed: fc.nat(),
	kinds: fc.subarray(FAULT_KINDS, { minLength: 1 }),
});

describe('every input item ends in exactly one place', () => {
	it('under random inputs and random fault schedules', async () => {
		await fc.assert(
			fc.asyncProperty(
				input,
				faults,
				fc.integer({ min: 1, max: 20 }),
				async (items, faultPlan, batchSize) => {
					const clock = new FakeClock();
					const simulator = createSimulator({
						...freshWorkspace(),
						userList: USERS,
						usersPerWindow: 1e9,
						poison: POISON,
						faults: faultPlan,
						now: clock.now,
					});
					const { context } = fakeExecuteFunctions({
						simulator,
						items: items.map((item) => item.raw),
						parameters: {
							identifierType: '={{ $json.type }}',
							identifier: '={{ $json.identifier }}',
							// Bounds high enough that a random schedule cannot exhaust them: the outcome must be exact.
							options: { batchSize, usersPerMinute: 1e9, maxRetries: 20 },
						},
						properties: get.properties,
						continueOnFail: true,
						clock,
					});
					const [found, notFound] = await get.execute(context, { clock, random: Math.random });

					const placed = [...found, ...notFound]
						.map((item) => (item.pairedItem as { item: number }).item)
						.sort((a, b) => a - b);
					expect(placed).toEqual(items.map((_, index) => index));

					for (const item of found) {
						const expected = items[(item.pairedItem as { item: number }).item].expected;
						expect(expected.side).toBe('found');
						expect(item.json).toEqual((expected as { user: object }).user);
					}
					for (const item of notFound) {
						const expected = items[(item.pairedItem as { item: number }).item].expected;
						if (expected.side === 'notFound') {
							expect(item.json).toEqual({
								identifier_type: expected.type,
								identifier: expected.identifier,
							});
						} else {
							expect(expected.side).toBe('error');
							const error = item.json.error as { message: string };
							expect(error.message).toContain((expected as { mentions: string }).mentions);
						}
					}

					const answered = simulator.log
						.filter((entry) => entry.status === 200 && !entry.fault)
						.flatMap(
							(entry) =>
								entry.identifiers?.map((id) => `${id.identifier_type}:${id.identifier}`) ?? [],
						);
					expect(new Set(answered).size).toBe(answered.length);

					const { workspaceId, apiKey } = simulator.config;
					const shown = JSON.stringify([found, notFound]);
					expect(shown).not.toContain(apiKey);
					expect(shown).not.toContain(Buffer.from(`${workspaceId}:${apiKey}`).toString('base64'));
				},
			),
			{ numRuns: 200 },
		);
	});
});
