/**
 * A big run moves to a thread of its own, whose young generation is bounded.
 *
 * V8 grows the main thread's young generation (the space every new object is made in) to 16 MB
 * per semi-space, 33.6 MB in all, once a run has allocated for a few seconds; its size can only be
 * set on node's command line (`--max-semi-space-size`; `v8.setFlagsFromString` at run time is
 * read too late, measured), and a shebang cannot pass it portably. A Worker takes it as a
 * resource limit. So once the inputs are known (the commands that read them all go through
 * `withProgress`), a run estimated at THREAD_FROM bytes of text or more starts the CLI again, same
 * arguments, on a thread with a 12 MB young generation, and the main thread waits for it:
 * measured with the bench bundles, peak RSS at 1 GiB went from 159–174 to 142–152 MB, at 4 GiB
 * from 181–188 to 148–160 MB, at 16 GiB (`--max-bytes 32G`) from 255 to 222 MB, at the same
 * speed (the thread's start, ~30 ms plus loading the CLI again, is paid only by runs of a second
 * or more). `scan` counts only the text its state says is new; `timeline` stays (RelocateHint).
 *
 * What the main thread still does for the run: its terminal state (stdout/stderr a TTY, the
 * terminal's width) goes with it; Ctrl-C and SIGTERM are passed on so the thread exits the way
 * the main thread would (its exit hooks erase the progress line and remove the spill directory);
 * the thread's exit status becomes the process's. The thread writes stdout and stderr to their
 * descriptors itself (cli-thread.ts). Standard input (`-`) is not passed to threads: a run
 * reading it stays where it is.
 *
 * `RMQ_FORENSICS_THREAD=0` keeps every run on the main thread; `RMQ_FORENSICS_THREAD_FROM` sets
 * the bound in bytes (tests set 0).
 */
import { Worker } from 'node:worker_threads';
import { estimateInputs, formatBytes, type InputEstimate } from './progress.js';
import { textReadBefore } from '../scan/state.js';
import { GZIP_TEXT_GUESS } from '../ingest/pool.js';

/** Estimated bytes of text from which a run moves (the reader threads start at the same size). */
export const THREAD_FROM = 128 * 1024 * 1024;
/** The run's thread's young generation, in MB (V8 splits it into two semi-spaces and a large-object space). */
export const THREAD_YOUNG_MB = 12;
/** How long the thread may take to act on a signal before the process exits without it. */
const SIGNAL_GRACE_MS = 2000;

/** What the run's thread is started with (plain data). */
export interface CliThreadData {
  kind: 'rmq-forensics-cli';
  argv: string[];
  isTTY: boolean;
  errIsTTY: boolean;
  columns: number | undefined;
}

/** Messages from the main thread to the run's thread. */
export type CliThreadMessage = { type: 'signal'; code: number } | { type: 'columns'; columns: number | undefined };

/** Thrown by withProgress once the run has been done on its thread: the command stops there, with this exit status. */
export class RanOnThread extends Error {
  constructor(readonly code: number) {
    super('the run was done on its own thread');
  }
}

/**
 * The text an estimate stands for: plain files their size, compressed ones GZIP_TEXT_GUESS times
 * theirs, less what an earlier scan read of them.
 */
export function estimatedText(e: InputEstimate): number {
  return Math.max(0, e.bytes - e.compressedBytes + GZIP_TEXT_GUESS * e.compressedBytes - (e.knownText ?? 0));
}

/** What a command knows of its run. */
export interface RelocateHint {
  /** `scan`'s state file: only the text it has not read counts. */
  state?: string | null;
  /**
   * The run stays on the main thread: `timeline`, whose output (2.4 GB of JSON at 1 GiB) is made
   * of short-lived objects a bounded young generation promotes (29 s on the thread, 22 s here).
   */
  stay?: boolean;
}

function threadFrom(env: NodeJS.ProcessEnv): number | null {
  if (env.RMQ_FORENSICS_THREAD === '0') return null;
  const set = env.RMQ_FORENSICS_THREAD_FROM;
  const n = set === undefined || set === '' ? NaN : Number(set);
  return Number.isFinite(n) && n >= 0 ? n : THREAD_FROM;
}

let running: Worker | null = null;

/**
 * Passes a signal's exit status to the run's thread, if one runs: it exits with it (its exit
 * hooks run), and so does the process; after SIGNAL_GRACE_MS the process exits regardless.
 * False when no thread runs (the caller exits itself).
 */
export function forwardSignal(code: number): boolean {
  const w = running;
  if (w === null) return false;
  w.postMessage({ type: 'signal', code } satisfies CliThreadMessage);
  setTimeout(() => process.exit(code), SIGNAL_GRACE_MS).unref();
  w.once('exit', () => process.exit(code));
  return true;
}

export interface ThreadHost {
  isTTY: boolean;
  errIsTTY: boolean;
  err(text: string): void;
  /** Reports an error of the thread itself (it could not start, or died): one line, exit 2. */
  internal(e: unknown): void;
}

/**
 * For the CLI's `Io.relocate`: runs `argv` on a thread of its own when the inputs are big enough
 * and returns its exit status, or null to go on here.
 */
export function relocator(argv: readonly string[], host: ThreadHost, env: NodeJS.ProcessEnv = process.env): (paths: readonly string[], hint?: RelocateHint) => Promise<number | null> {
  return async (paths, hint = {}) => {
    const from = threadFrom(env);
    if (from === null || hint.stay || paths.includes('-') || running !== null) return null;
    // (at most 20,000 entries: ~10 µs each; a tree past that stays here)
    const estimate = (known?: ReadonlyMap<string, number>): Promise<InputEstimate | null> =>
      estimateInputs(paths, { enough: (so) => estimatedText(so) >= from, maxEntries: 20_000, known });
    let est = await estimate();
    if (est === null || estimatedText(est) < from) return null;
    // A scan reads only what is new: its state says what was read (parsed only when the run
    // looked big; a scan with nothing new over 1 GiB took 0.15 s and 15 MB more on a thread).
    if (hint.state) {
      const known = await textReadBefore(hint.state);
      if (known) est = await estimate(known);
      if (est === null || estimatedText(est) < from) return null;
    }
    if (argv.includes('--debug')) {
      host.err(`rmq-forensics: debug: about ${formatBytes(estimatedText(est))} of text or more: the run goes on a thread with a ${THREAD_YOUNG_MB} MB young generation (RMQ_FORENSICS_THREAD=0 keeps it here)\n`);
    }
    return runOnThread(argv, host);
  };
}

function runOnThread(argv: readonly string[], host: ThreadHost): Promise<number> {
  const data: CliThreadData = { kind: 'rmq-forensics-cli', argv: [...argv], isTTY: host.isTTY, errIsTTY: host.errIsTTY, columns: process.stderr.columns };
  const worker = new Worker(new URL('./cli-thread.js', import.meta.url), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_MB } });
  running = worker;
  const onResize = (): void => worker.postMessage({ type: 'columns', columns: process.stderr.columns } satisfies CliThreadMessage);
  if (host.errIsTTY) process.stderr.on('resize', onResize);
  return new Promise<number>((resolve) => {
    let failed = false;
    worker.on('error', (e: NodeJS.ErrnoException) => {
      failed = true;
      // On the main thread this would be V8's fatal error and a native stack dump.
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') host.err(`rmq-forensics: out of memory: the run reached the JavaScript heap limit (read less with --max-bytes, or raise the limit: NODE_OPTIONS=--max-old-space-size=<MB>)\n`);
      // (an exception the thread's own handlers did not take)
      else host.internal(e);
    });
    worker.on('exit', (code) => {
      running = null;
      process.stderr.off('resize', onResize);
      resolve(failed ? Math.max(code, 2) : code);
    });
  });
}
