import { Command, CommanderError } from 'commander';
import type { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import { registerInputs } from './inputs.js';
import { registerFormats } from './formats.js';
import { UsageError } from './options.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  setExit(code: number): void;
  stdin: Readable;
  isTTY: boolean;
}

const require = createRequire(import.meta.url);
export const VERSION: string = (require('../../../package.json') as { version: string }).version;

export function buildProgram(io: Io): Command {
  const program = new Command();
  program
    .name('rmq-forensics')
    .description('Explain why a RocketMQ message was consumed twice, from an incident log bundle.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
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
