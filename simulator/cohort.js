'use strict';
/**
 * Cohort Sync (docs/moengage-api.md#cohort-sync; api/cohort-audience/cohort-audience.yaml): POST
 * /v1/integrations/cohortsync adds users to, or removes them from, a custom segment. simulator.js
 * authenticates it (Basic auth and the MOE-APPKEY header: it names no app_id) and then answers it
 * as it answers every write; this module says how it checks a body, what it costs, how it words its
 * refusals, and what it changes. Its 200 only says "accepted and will be processed soon", so an
 * accepted sync waits in a queue and is processed, in arrival order, config.cohortProcessingMs
 * after it was accepted. ./writes.js creates it and shares its rate window and its `ignored` list;
 * its types are in ./cohort.d.ts.
 */

const COHORT_SYNC_PATH = '/v1/integrations/cohortsync';
/**
 * "The payload size cannot exceed 128KB", read here as 131,072 bytes, the larger reading: the
 * node packs to 128,000 bytes, the smaller one, so it is safe under either.
 */
const COHORT_MAX_BYTES = 128 * 1024;
const ACTIONS = ['add_members', 'remove_members'];
/** cohort_name "must not start with a period (.)" nor contain | * ? \ : < > = $ ". */
const NAME_BREAKS_RULES = /^\.|[|*?\\:<>=$"]/;
const ACCEPTED = 'Your request has been accepted and will be processed soon.';
const DASHBOARD_SEGMENT =
	'a segment made on the dashboard or with the File Segment API, which Cohort Sync cannot change';
const NO_SUCH_USER = 'no user has this customer ID, and Cohort Sync creates no users';

const isPlainObject = (value) =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
const violation = (type, message, attribute) => ({ type, message, attribute });

/*
 * The yaml words one body refusal, a missing required key ("action is not found in the payload",
 * MissingAttributeError). How MoEngage words the others (a value of the wrong type, an action
 * outside the enum, a cohort_name that breaks the name rules) is undocumented: these say what is
 * wrong in the same envelope, with the documented InvalidParams type of the Data API.
 */
const missing = (key) =>
	violation('MissingAttributeError', `${key} is not found in the payload`, key);
const invalid = (key, problem) => violation('InvalidParams', `${key} ${problem}`, key);

/** A required string of the schema: there, a string, and not empty. */
function stringViolation(object, key) {
	if (object[key] === undefined) return missing(key);
	if (typeof object[key] !== 'string' || object[key] === '')
		return invalid(key, 'is expected to be a non-empty String');
	return undefined;
}

/** The first thing CohortSyncRequest's schema (and the name rules) refuse in a body, if any. */
function bodyViolation(payload) {
	if (payload.action === undefined) return missing('action');
	if (!ACTIONS.includes(payload.action))
		return invalid('action', `should be ${ACTIONS.join(' or ')}`);
	const partner = stringViolation(payload, 'partner');
	if (partner) return partner;
	const { parameters } = payload;
	if (parameters === undefined) return missing('parameters');
	if (!isPlainObject(parameters)) return invalid('parameters', 'is expected to be an object');
	for (const key of ['cohort_name', 'cohort_id']) {
		const wrong = stringViolation(parameters, key);
		if (wrong) return wrong;
	}
	if (NAME_BREAKS_RULES.test(parameters.cohort_name)) {
		return invalid(
			'cohort_name',
			'must not start with a period (.) nor contain any of | * ? \\ : < > = $ "',
		);
	}
	const description = parameters.cohort_description;
	if (description !== undefined && typeof description !== 'string')
		return invalid('cohort_description', 'is expected to be a String');
	const { members } = parameters;
	if (members === undefined) return missing('members');
	if (!Array.isArray(members) || members.length === 0)
		return invalid('members', 'is expected to be a non-empty Array');
	for (const member of members) {
		// The schema requires uid and forbids no other key: an extra one is let through, unread.
		if (!isPlainObject(member)) return invalid('members', 'is expected to hold {"uid": …} objects');
		const uid = stringViolation(member, 'uid');
		if (uid) return uid;
	}
	return undefined;
}

/**
 * context: config (with cohortProcessingMs and dashboardSegments), store ({find(type, value)}),
 * failBody(status, type, message, attribute), window (the rolling window of
 * config.limits.cohortRequests requests) and ignored (the writes' list of what they accepted but
 * did not apply, which this adds to).
 */
function createCohortSync({ config, store, failBody, window, ignored }) {
	/** cohort_id → {cohort_id, cohort_name, partner, description?, members: a Set of profiles, in the order they joined}. */
	const segments = new Map();
	/** Every accepted sync, in arrival order; processedAt is set once it is processed. */
	const syncs = [];
	/** The accepted syncs not processed yet, in arrival order, each with the time it comes due. */
	const queue = [];

	/** A member stays one while its profile lives: a user deleted (and created again) has left. */
	const live = (profile) => store.find('customer_id', profile.customer_id) === profile;

	/** What one sync does, as of `at`, the time it came due. */
	function processSync(sync, at) {
		sync.processedAt = at;
		const skip = (reason, uid) =>
			ignored.push({
				endpoint: 'cohortSync',
				cohort_id: sync.cohort_id,
				cohort_name: sync.cohort_name,
				...(uid === undefined ? {} : { uid }),
				reason,
				at,
			});
		// What MoEngage answers or does for such a segment is undocumented: accepted, then left alone.
		if (config.dashboardSegments.includes(sync.cohort_name)) return skip(DASHBOARD_SEGMENT);
		// "only matches users already present in MoEngage based on the User ID (uid)".
		const profiles = [];
		for (const uid of sync.uids) {
			const profile = store.find('customer_id', uid);
			if (profile) profiles.push(profile);
			else skip(NO_SUCH_USER, uid);
		}
		let segment = segments.get(sync.cohort_id);
		// "All segments generated using this call…": an add creates its segment when none exists; a
		// removal from none has nothing to change, and whether it creates one is undocumented.
		if (!segment && sync.action === 'remove_members') return undefined;
		if (!segment) {
			segment = { cohort_id: sync.cohort_id, members: new Set() };
			segments.set(sync.cohort_id, segment);
		}
		segment.cohort_name = sync.cohort_name;
		segment.partner = sync.partner;
		// A sync without a description keeps the one given before: none says to clear it.
		if (sync.description !== undefined) segment.description = sync.description;
		// A Set keeps the order members joined in, and a member added again keeps its place.
		for (const profile of profiles) {
			if (sync.action === 'add_members') segment.members.add(profile);
			else segment.members.delete(profile);
		}
		return undefined;
	}

	const endpoint = {
		name: 'cohortSync',
		maxBytes: COHORT_MAX_BYTES,
		blocked: () =>
			failBody(403, 'BlockedClient', 'Your account is suspended. Please contact MoEngage team.'),
		tooLarge: () => failBody(413, 'Payload too large', 'Payload can not exceed 128KB'),
		unsupported: () => failBody(415, 'Unsupported media type', 'Content type is not supported'),
		rateLimited: () =>
			failBody(
				429,
				'Rate Limits Exceeded',
				'Rate limits for customers exceeded. Please Try After Some Time',
			),
		serverError: () =>
			failBody(
				500,
				'Server Error',
				'An unexpected error was encountered while processing this request. Please contact MoEngage Team',
			),
		check(payload) {
			const found = bodyViolation(payload);
			if (found) return { refusal: failBody(400, found.type, found.message, found.attribute) };
			const { action, partner, parameters } = payload;
			return {
				plan: {
					action,
					partner,
					cohort_id: parameters.cohort_id,
					cohort_name: parameters.cohort_name,
					description: parameters.cohort_description,
					uids: parameters.members.map((member) => member.uid),
				},
			};
		},
		// "300 requests per minute", whatever each request carries.
		cost: () => [[window, 1]],
		headerWindow: () => window,
		/** Accepted, not applied: the sync waits until process() finds it due. */
		apply(plan, now) {
			const { description, ...sent } = plan;
			const sync = {
				...sent,
				...(description === undefined ? {} : { description }),
				acceptedAt: now,
			};
			syncs.push(sync);
			queue.push({ sync, dueAt: now + config.cohortProcessingMs });
			return undefined;
		},
		accepted: () => ({ status: 'success', message: ACCEPTED }),
	};

	return {
		endpoint,
		syncs,
		/** Processes, in arrival order, the accepted syncs due by `now`, each as of the time it came due. */
		process(now) {
			while (queue.length > 0 && queue[0].dueAt <= now) {
				const { sync, dueAt } = queue.shift();
				processSync(sync, dueAt);
			}
		},
		/** A segment as it stands, its members as customer IDs in the order they joined; undefined for none. */
		segment(cohortId) {
			const segment = segments.get(cohortId);
			if (!segment) return undefined;
			const { members, description, ...named } = segment;
			return {
				...named,
				...(description === undefined ? {} : { description }),
				members: [...members].filter(live).map((profile) => profile.customer_id),
			};
		},
		reset() {
			segments.clear();
			syncs.length = 0;
			queue.length = 0;
		},
	};
}

module.exports = { createCohortSync, COHORT_SYNC_PATH, COHORT_MAX_BYTES };
