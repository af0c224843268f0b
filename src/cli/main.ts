import { Command, CommanderError } from 'commander';
import type { Readable } from 'node:stream';
import { registerInputs } from './inputs.js';
import { registerFormats } from './formats.js';
import { UsageError } from './options.js';
import { registerAnalyze } from './analyze.js';
import { registerExplain, registerTimeline } from './explain.js';
import { VERSION } from './version.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  setExit(code: number): void;
  stdin: Readable;
  isTTY: boolean;
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
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  registerAnalyze(program, io);
  registerExplain(program, io);
  registerTimeline(program, io);
  registerInputs(program, io);
  registerFormats(program, io);
  return program;
}

/** Runs the CLI; returns the exit code. Never throws for usage or input errors. */
export async function main(argv: string[], ioOverride?: Partial<Io>): Promise<number> {
  let exit = 0;
  const io: Io = {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    setExit: (c) => {
      exit = Math.max(exit, c);
    },
    stdin: process.stdin,
    isTTY: Boolean(process.stdout.isTTY),
    ...ioOverride,
  };
  const program = buildProgram(io);
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv.filter((a) => a !== '--debug'));
  } catch (e) {
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
