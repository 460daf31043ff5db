import { defineResource } from '../resource';
import { getCampaignStats } from './campaign-stats';

export const report = defineResource('report', 'Report', 'getCampaignStats', [getCampaignStats]);
