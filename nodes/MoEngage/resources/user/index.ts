import { defineResource } from '../resource';
import { operation as del } from './delete';
import { operation as get } from './get';
import { operation as merge } from './merge';
import { operation as upsert } from './upsert';

export const user = defineResource('user', 'User', 'get', [get, upsert, del, merge]);
