import { defineResource } from '../resource';
import { sendMessage } from './send';

export const message = defineResource('message', 'Message', 'send', [sendMessage]);
