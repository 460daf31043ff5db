/**
 * Every resource of the node. The node's Resource list, Operation lists, parameters, subtitle,
 * outputs and router are all built from this list: a new resource is one line here.
 */
import { event } from './event';
import { message } from './message';
import { report } from './report';
import type { Resource } from './resource';
import { segment } from './segment';
import { user } from './user';

/** The resource a saved node without one runs: Get Users workflows from before resources existed. */
export const DEFAULT_RESOURCE = 'user';

export const resources: Resource[] = [user, event, segment, message, report];
