import { defineResource } from '../resource';
import { operation as track } from './track';

export const event = defineResource('event', 'Event', 'track', [track]);
