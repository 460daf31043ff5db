/**
 * sendInRounds: what Create or Update and the Segment operations send in item order (a customer's
 * later change after its earlier one) goes round by round, whatever the number of items.
 */
import type { Sent } from '../../nodes/MoEngage/pipeline/operation';
import { sendInRounds, type InRound } from '../../nodes/MoEngage/pipeline/rounds';

const unit = (identifier: string, round: number): InRound => ({
	itemIndexes: [],
	type: 'customer_id',
	identifier,
	round,
});

const accepting = (calls: string[][]) => async (units: InRound[]) => {
	calls.push(units.map((each) => `${each.identifier}@${each.round}`));
	const sent: Sent<InRound, 'accepted'> = { results: new Map() };
	for (const each of units) sent.results.set(each, { kind: 'settled', outcome: 'accepted' });
	return sent;
};

describe('sendInRounds', () => {
	it('sends round 0, then round 1, then round 2, each with its units in item order', async () => {
		const units = [
			unit('a', 0),
			unit('b', 0),
			unit('a', 1),
			unit('c', 0),
			unit('a', 2),
			unit('b', 1),
		];
		const calls: string[][] = [];
		const sent = await sendInRounds(units, accepting(calls));
		expect(calls).toEqual([['a@0', 'b@0', 'c@0'], ['a@1', 'b@1'], ['a@2']]);
		expect([...sent.results.keys()]).toHaveLength(6);
	});

	it('sends no later round once a round stopped the run', async () => {
		const calls: string[][] = [];
		const stopping = async (units: InRound[]) => {
			calls.push(units.map((each) => each.identifier));
			return {
				results: new Map(),
				stoppedBy: { failure: { message: 'MoEngage refused the credentials' }, batch: units },
			};
		};
		const sent = await sendInRounds([unit('a', 0), unit('a', 1)], stopping);
		expect(calls).toEqual([['a']]);
		expect(sent.stoppedBy?.failure.message).toBe('MoEngage refused the credentials');
	});

	it('takes 300,000 units and 100,000 rounds (one customer changed back and forth): no call overflows', async () => {
		const many = Array.from({ length: 300_000 }, (_, n) => unit(`c-${n}`, 0));
		const calls: string[][] = [];
		expect((await sendInRounds(many, accepting(calls))).results.size).toBe(300_000);
		expect(calls).toHaveLength(1);
		const flips = Array.from({ length: 100_000 }, (_, n) => unit('same', n));
		const flipCalls: string[][] = [];
		await sendInRounds(flips, accepting(flipCalls));
		expect(flipCalls).toHaveLength(100_000);
		expect(flipCalls[99_999]).toEqual(['same@99999']);
	});
});
