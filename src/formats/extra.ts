import type { Format } from './types.js';

/** Structured formats (traces, mqadmin output, APM spans) register here. */
export const EXTRA_FORMATS: readonly Format[] = [];
