import type { Context } from '../../correlate/index.js';
import type { IncidentDraft, Rule } from '../types.js';

// PLACEHOLDER (being implemented in this session): meta and detect() to be written.
export const consumeTimeout: Rule = {
  meta: {
    code: 'consume-timeout',
    title: 'consume-timeout',
    description: '',
    remediation: '',
    references: [],
    byDesign: false,
    priority: 55,
  },
  detect(_ctx: Context): IncidentDraft[] {
    return [];
  },
};
