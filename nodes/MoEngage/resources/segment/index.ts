import { defineResource } from '../resource';
import { addOrRemoveUsers, addUsers, removeUsers } from './members';

export const segment = defineResource('segment', 'Segment', 'add', [
	addUsers,
	removeUsers,
	addOrRemoveUsers,
]);
