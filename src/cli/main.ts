import { Command, CommanderError } from 'commander';
import type { Readable } from 'node:stream';
import { registerInputs } from './inputs.js';
import { registerFormats } from './formats.js';
import { UsageError } from './options.js';
import { registerAnalyze } from './analyze.js';
import { registerScan } from './scan.js';
import { registerExplain, registerTimeline } from './explain.js';
import { VERSION } from './version.js';
import { guardOutput, guardStderr } from '../report/sanitize.js';
import { forwardSignal, RanOnThread, relocator, type RelocateHint } from './thread.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  setExit(code: number): void;
  stdin: Readable;
  /** stdout is a terminal. */
  isTTY: boolean;
  /** stderr is a terminal (the progress line is drawn only then). */
  errIsTTY: boolean;
  /**
   * stderr without the terminal guard: only for the progress line (src/cli/progress.ts), whose
   * `\r` and erase-line must reach the terminal; its own text is guarded there.
   */
  errRaw(text: string): void;
  /** Resolves once stdout has room again (a long output written in pieces waits on a slow reader). */
  drain?(): Promise<void>;
  /**
   * Given the inputs a command is about to read: runs the whole command on a thread of its own
   * when they are big (thread.ts) and gives its exit status, or null to go on here. Only the
   * process's own CLI (runCli) sets it.
   */
  relocate?(paths: readonly string[], hint?: RelocateHint): Promise<number | null>;
}

export { VERSION };

export function buildProgram(io: Io): Command {
  const program = new Command();
  program
    .name('rmq-forensics')
    .description('Explain why a RocketMQ message was consumed twice, from an incident log bundle.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .addHelpText('after', '\nAny command takes --debug: print the stack trace of an internal error (never printed otherwise), and say when a big run goes on a thread of its own.');
  registerAnalyze(program, io);
  registerExplain(program, io);
  registerTimeline(program, io);
  registerScan(program, io);
  registerInputs(program, io);
  registerFormats(program, io);
  return program;
}

/** Set once stdout's reader has gone away (`… | head`): the rest of the output is dropped. */
let stdoutClosed = false;

/**
 * Runs the CLI; returns the exit code. Never throws for usage or input errors. Everything written
 * passes a last terminal guard (sanitize.ts): log text was neutralised by the renderers already,
 * this catches whatever a renderer missed without touching the tool's own colour codes.
 */
export async function main(argv: string[], ioOverride?: Partial<Io>): Promise<number> {
  let exit = 0;
  const merged: Omit<Io, 'errRaw'> & Partial<Pick<Io, 'errRaw'>> = {
    out: (s) => {
      if (!stdoutClosed) process.stdout.write(s);
    },
    err: (s) => process.stderr.write(s),
    drain: () =>
      stdoutClosed || !process.stdout.writableNeedDrain
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const done = (): void => {
              process.stdout.off('drain', done);
              process.stdout.off('close', done);
              resolve();
            };
            process.stdout.once('drain', done);
            process.stdout.once('close', done);
          }),
    setExit: (c) => {
      exit = Math.max(exit, c);
    },
    stdin: process.stdin,
    isTTY: Boolean(process.stdout.isTTY),
    // A stderr of the caller's own (tests, embedding) is no terminal unless it says so.
    errIsTTY: ioOverride?.err ? false : Boolean(process.stderr.isTTY),
    ...ioOverride,
  };
  const base: Io = { ...merged, errRaw: merged.errRaw ?? merged.err };
  const io: Io = { ...base, out: (s) => base.out(guardOutput(s)), err: (s) => base.err(guardStderr(s)) };
  const program = buildProgram(io);
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv.filter((a) => a !== '--debug'));
  } catch (e) {
    if (e instanceof RanOnThread) return e.code;
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof UsageError) {
      io.err(`rmq-forensics: ${e.message}\n`);
      return 2;
    }
    io.err(`rmq-forensics: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
    if (debug && e instanceof Error && e.stack) io.err(e.stack + '\n');
    return 2;
  }
  return exit;
}

/** Exit status after SIGINT (128 + 2), as a shell reports a process killed by Ctrl-C. */
export const EXIT_SIGINT = 130;
/** Exit status after SIGTERM (128 + 15). */
export const EXIT_SIGTERM = 143;
/** Exit status of an internal error (the same as main's for an unexpected exception). */
export const EXIT_INTERNAL = 2;

function firstLine(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

/**
 * The process around `main` (bin/rmq-forensics.js calls this):
 * - stdout's reader going away (`rmq-forensics analyze … | head`, EPIPE) is not an error: the rest
 *   of the output is dropped silently and the exit status is the command's own (0, or 1 with
 *   --fail-on-findings and findings), never an error message or a stack trace;
 * - SIGINT (Ctrl-C) exits 130 and SIGTERM 143 at once, quietly;
 * - a big run goes on a thread of its own, with a bounded young generation (thread.ts);
 * - an internal error is one line on stderr and exit 2; its stack trace only with --debug.
 */
export async function runCli(argv: string[] = process.argv): Promise<void> {
  const debug = argv.includes('--debug');
  const internal = (e: unknown): void => internalError(e, debug);
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED' || e.code === 'ECONNRESET') {
      stdoutClosed = true;
      return;
    }
    internal(e);
  });
  // stderr closed too: nowhere left to report anything.
  process.stderr.on('error', () => undefined);
  // (a run on its own thread exits there first, so its exit hooks run)
  const onSignal = (code: number) => (): void => {
    if (!forwardSignal(code)) process.exit(code);
  };
  process.once('SIGINT', onSignal(EXIT_SIGINT));
  process.once('SIGTERM', onSignal(EXIT_SIGTERM));
  process.on('uncaughtException', internal);
  process.on('unhandledRejection', internal);
  const isTTY = Boolean(process.stdout.isTTY);
  const errIsTTY = Boolean(process.stderr.isTTY);
  const relocate = relocator(argv, { isTTY, errIsTTY, err: (s) => process.stderr.write(guardStderr(s)), internal });
  try {
    process.exitCode = await main(argv, { relocate });
  } catch (e) {
    internal(e);
  }
}

/** An internal error: one line on stderr (its stack trace too with --debug), exit 2. */
export function internalError(e: unknown, debug: boolean): void {
  process.stderr.write(guardStderr(`rmq-forensics: internal error: ${firstLine(e)}\n`));
  if (debug && e instanceof Error && e.stack) process.stderr.write(guardStderr(e.stack + '\n'));
  process.exit(EXIT_INTERNAL);
}
