import type { Context } from '../../correlate/index.js';
import type { IncidentDraft, Rule } from '../types.js';

// PLACEHOLDER (being implemented in this session): meta and detect() to be written.
export const manualOffsetReset: Rule = {
  meta: {
    code: 'manual-offset-reset',
    title: 'manual-offset-reset',
    description: '',
    remediation: '',
    references: [],
    byDesign: false,
    priority: 85,
  },
  detect(_ctx: Context): IncidentDraft[] {
    return [];
  },
};
