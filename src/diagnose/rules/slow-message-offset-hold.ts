import type { Context } from '../../correlate/index.js';
import type { IncidentDraft, Rule } from '../types.js';

// PLACEHOLDER (being implemented in this session): meta and detect() to be written.
export const slowMessageOffsetHold: Rule = {
  meta: {
    code: 'slow-message-offset-hold',
    title: 'slow-message-offset-hold',
    description: '',
    remediation: '',
    references: [],
    byDesign: false,
    priority: 70,
  },
  detect(_ctx: Context): IncidentDraft[] {
    return [];
  },
};
