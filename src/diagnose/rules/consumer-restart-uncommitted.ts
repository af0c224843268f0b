import type { Context } from '../../correlate/index.js';
import type { IncidentDraft, Rule } from '../types.js';

// PLACEHOLDER (being implemented in this session): meta and detect() to be written.
export const consumerRestartUncommitted: Rule = {
  meta: {
    code: 'consumer-restart-uncommitted',
    title: 'consumer-restart-uncommitted',
    description: '',
    remediation: '',
    references: [],
    byDesign: false,
    priority: 65,
  },
  detect(_ctx: Context): IncidentDraft[] {
    return [];
  },
};
