import type { Context } from '../../correlate/index.js';
import type { IncidentDraft, Rule } from '../types.js';

// PLACEHOLDER (being implemented in this session): meta and detect() to be written.
export const slaveOffsetLag: Rule = {
  meta: {
    code: 'slave-offset-lag',
    title: 'slave-offset-lag',
    description: '',
    remediation: '',
    references: [],
    byDesign: false,
    priority: 75,
  },
  detect(_ctx: Context): IncidentDraft[] {
    return [];
  },
};
