import type { Context } from '../../correlate/index.js';
import type { IncidentDraft, Rule } from '../types.js';

// PLACEHOLDER (being implemented in this session): meta and detect() to be written.
export const consumeFailureRetry: Rule = {
  meta: {
    code: 'consume-failure-retry',
    title: 'consume-failure-retry',
    description: '',
    remediation: '',
    references: [],
    byDesign: true,
    priority: 50,
  },
  detect(_ctx: Context): IncidentDraft[] {
    return [];
  },
};
