import { LISTED } from '../report/render-text.js';
import { neutralize } from '../report/sanitize.js';
import type { Io } from './main.js';

/** Input problems beyond this many are summed up in one line on stderr (as in the text report). */
export const STDERR_PROBLEMS = LISTED;

/**
 * The input problems on stderr, one line each up to STDERR_PROBLEMS, then one line for the rest:
 * a fleet bundle of thousands of rotated files must not bury the terminal or a cron mail.
 */
export function reportProblems(io: Pick<Io, 'err'>, problems: readonly { path: string; problem: string }[], whereAll: string): void {
  for (const p of problems.slice(0, STDERR_PROBLEMS)) io.err(`rmq-forensics: ${neutralize(p.path)}: ${neutralize(p.problem)}\n`);
  const more = problems.length - STDERR_PROBLEMS;
  if (more > 0) io.err(`rmq-forensics: … and ${more} more input problem${more === 1 ? '' : 's'}; ${whereAll}\n`);
}
