import type { Context } from '../../correlate/index.js';
import type { IncidentDraft, Rule } from '../types.js';

// PLACEHOLDER (being implemented in this session): meta and detect() to be written.
export const rebalanceUncommitted: Rule = {
  meta: {
    code: 'rebalance-uncommitted',
    title: 'rebalance-uncommitted',
    description: '',
    remediation: '',
    references: [],
    byDesign: false,
    priority: 60,
  },
  detect(_ctx: Context): IncidentDraft[] {
    return [];
  },
};
