import { spellingFor } from '../../nodes/MoEngage/resources/user/get/identifier-spelling';

let workspace = 0;
const fresh = () => `http://spelling-test workspace-${++workspace}`;

describe('the spelling of a MoEngage ID', () => {
	it('is "id" (MoEngage\'s prose and example) until MoEngage has answered', () => {
		expect(spellingFor(fresh()).current).toBe('id');
	});

	it('switches to "moengage_id" once when MoEngage refuses "id", and every later run on the workspace keeps what worked', () => {
		const key = fresh();
		const run = spellingFor(key);
		expect(run.refused('id')).toBe(true);
		expect(run.current).toBe('moengage_id');
		run.answered('moengage_id');
		expect(spellingFor(key).current).toBe('moengage_id');
		// a spelling MoEngage answered is never the cause of a later 400
		expect(spellingFor(key).refused('moengage_id')).toBe(false);
	});

	it('sends again, in the new spelling, a request that went out before the run switched', () => {
		const run = spellingFor(fresh());
		run.refused('id');
		expect(run.refused('id')).toBe(true);
	});

	it('goes back to "id" for the rest of the run when both spellings are refused (the cause is something else)', () => {
		const run = spellingFor(fresh());
		expect(run.refused('id')).toBe(true);
		expect(run.refused('moengage_id')).toBe(false);
		expect(run.current).toBe('id');
		expect(run.refused('id')).toBe(false);
	});

	it('keeps "id" for the workspace once MoEngage answered it', () => {
		const key = fresh();
		spellingFor(key).answered('id');
		const run = spellingFor(key);
		expect(run.refused('id')).toBe(false);
		expect(run.current).toBe('id');
	});
});
