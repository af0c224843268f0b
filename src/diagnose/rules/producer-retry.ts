import type { Context } from '../../correlate/index.js';
import type { IncidentDraft, Rule } from '../types.js';

// PLACEHOLDER (being implemented in this session): meta and detect() to be written.
export const producerRetry: Rule = {
  meta: {
    code: 'producer-retry',
    title: 'producer-retry',
    description: '',
    remediation: '',
    references: [],
    byDesign: false,
    priority: 50,
  },
  detect(_ctx: Context): IncidentDraft[] {
    return [];
  },
};
