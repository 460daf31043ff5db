/**
 * Cohort Sync's rules for a segment name and the Action of Add or Remove Users, as the node checks
 * them before sending (api/cohort-audience/cohort-audience.yaml, docs/moengage-api.md#cohort-sync:
 * "must not start with a period (.) and must not contain … | * ? \ : < > = $ "").
 */
import { checkAction, checkSegmentName } from '../../nodes/MoEngage/resources/segment/members';

describe('checkSegmentName', () => {
	it('takes names MoEngage takes, trimmed, numbers from a sheet as text', () => {
		expect(checkSegmentName('Newsletter sign-ups')).toEqual({
			ok: true,
			value: 'Newsletter sign-ups',
		});
		expect(checkSegmentName('  VIP (2026) & friends.  ')).toEqual({
			ok: true,
			value: 'VIP (2026) & friends.',
		});
		expect(checkSegmentName(2026)).toEqual({ ok: true, value: '2026' });
	});

	it('refuses a name starting with "."', () => {
		expect(checkSegmentName('.internal')).toEqual({
			ok: false,
			problem: 'is ".internal"; MoEngage refuses a name that starts with "."',
		});
	});

	it.each(['|', '*', '?', '\\', ':', '<', '>', '=', '$', '"'])(
		'refuses a name with %s',
		(character) => {
			expect(checkSegmentName(`a${character}b`)).toEqual({
				ok: false,
				problem: `is "a${character}b"; MoEngage refuses a name with "${character}"`,
			});
		},
	);

	it('refuses an empty name, naming what it got', () => {
		expect(checkSegmentName('')).toEqual({ ok: false, problem: 'is empty' });
		expect(checkSegmentName(undefined)).toEqual({
			ok: false,
			problem: 'is nothing (undefined), not a text or number',
		});
	});
});

describe('checkAction', () => {
	it("takes the editor's values and MoEngage's, in any case", () => {
		expect(checkAction('add')).toEqual({ ok: true, value: 'add_members' });
		expect(checkAction(' Remove ')).toEqual({ ok: true, value: 'remove_members' });
		expect(checkAction('remove_members')).toEqual({ ok: true, value: 'remove_members' });
	});

	it('refuses anything else', () => {
		expect(checkAction('unsubscribe')).toEqual({
			ok: false,
			problem: 'is "unsubscribe"; use "add" or "remove"',
		});
		expect(checkAction('constructor')).toEqual({
			ok: false,
			problem: 'is "constructor"; use "add" or "remove"',
		});
		expect(checkAction(true)).toEqual({ ok: false, problem: 'is true; use "add" or "remove"' });
		expect(checkAction(undefined)).toEqual({
			ok: false,
			problem: 'is nothing; use "add" or "remove"',
		});
	});
});
