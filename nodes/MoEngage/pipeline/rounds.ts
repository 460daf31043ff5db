/**
 * Units that must reach MoEngage in item order (a customer's later change after its earlier one)
 * carry a round: a round is sent only once every unit of the rounds before it has its answer.
 */
import type { Sent, Unit } from './operation';

/** A unit with its round: 0 for the first change of what it is about, one more for each later change. */
export interface InRound extends Unit {
	round: number;
}

/**
 * Sends the units round by round with `sendRound`, and gathers every unit's result. Once a round
 * stops the run (without continue-on-fail), no later round is sent. Any number of units and
 * rounds: no call takes them all as arguments.
 */
export async function sendInRounds<U extends InRound, O>(
	units: readonly U[],
	sendRound: (units: U[]) => Promise<Sent<U, O>>,
): Promise<Sent<U, O>> {
	const rounds = new Map<number, U[]>();
	for (const unit of units) {
		const round = rounds.get(unit.round);
		if (round === undefined) rounds.set(unit.round, [unit]);
		else round.push(unit);
	}
	const sent: Sent<U, O> = { results: new Map() };
	for (const round of [...rounds.keys()].sort((a, b) => a - b)) {
		const next = await sendRound(rounds.get(round)!);
		for (const [unit, result] of next.results) sent.results.set(unit, result);
		if (next.stoppedBy) {
			sent.stoppedBy = next.stoppedBy;
			break;
		}
	}
	return sent;
}
