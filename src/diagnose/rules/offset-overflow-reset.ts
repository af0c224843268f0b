import type { Context } from '../../correlate/index.js';
import type { IncidentDraft, Rule } from '../types.js';

// PLACEHOLDER (being implemented in this session): meta and detect() to be written.
export const offsetOverflowReset: Rule = {
  meta: {
    code: 'offset-overflow-reset',
    title: 'offset-overflow-reset',
    description: '',
    remediation: '',
    references: [],
    byDesign: false,
    priority: 80,
  },
  detect(_ctx: Context): IncidentDraft[] {
    return [];
  },
};
