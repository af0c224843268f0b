import type { Rule } from '../types.js';
import { offsetFetchFailure } from './offset-fetch-failure.js';
import { offsetRegression } from './offset-regression.js';

/** Every root-cause rule. Adding one: a file in this folder, one line here, a fixture, a test. */
export const RULES: readonly Rule[] = [offsetFetchFailure, offsetRegression];
