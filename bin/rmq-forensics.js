#!/usr/bin/env node
// Tiny launcher: the CLI lives in dist/src/cli, and bundled in dist/bundle/cli (both built by
// `npm ci` / `npm run build`).
// runCli handles the process around the CLI: EPIPE on stdout (`… | head`) is quiet, Ctrl-C exits
// 130, an internal error is one line on stderr (its stack trace only with --debug).

import { statSync } from 'node:fs';
import v8 from 'node:v8';

// The old generation may grow by 30% past what a full GC left live, not by V8's own factor (up to
// 4×): a bundle of 3,000 small files peaked at 225–290 MB, 200–215 MB with this (its first scan
// 231 MB; with 60%, 268–288 MB); 1 and 4 GiB as fast (1 GiB, seven runs each: 2.83–3.22 s with
// 30%, 2.89–3.25 s with 60%). V8 reads it at each full GC.
v8.setFlagsFromString('--heap-growing-percent=30');

// With --debug, a stack trace names the TypeScript sources (the bundle's source map leads there).
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);

// Ctrl-C while the CLI is still loading exits as it does later: status 130, nothing printed.
const onSigint = () => process.exit(130);
process.once('SIGINT', onSigint);

// The CLI bundled into one file (scripts/bundle.mjs) loads in a sixth of the time of its ~100
// modules; it is used when it is at least as new as the modules (a bare `tsc` leaves it stale).
const MODULES = new URL('../dist/src/cli/main.js', import.meta.url);
const BUNDLE = new URL('../dist/bundle/cli/main.js', import.meta.url);
const mtime = (url) => statSync(url, { throwIfNoEntry: false })?.mtimeMs ?? -1;

let cli;
try {
  const bundled = process.env.RMQ_FORENSICS_BUNDLE !== '0' && mtime(BUNDLE) >= mtime(MODULES);
  cli = await import((bundled ? BUNDLE : MODULES).href);
} catch (err) {
  process.stderr.write(`rmq-forensics: cannot load the CLI (run \`npm run build\`): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
  if (process.argv.includes('--debug') && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  process.exit(2);
}
process.removeListener('SIGINT', onSigint);

if (typeof cli.runCli === 'function') {
  cli.runCli(process.argv);
} else {
  // A dist built before runCli existed.
  cli.main(process.argv).then(
    (code) => { process.exitCode = code; },
    (err) => {
      process.stderr.write(`rmq-forensics: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
      if (process.argv.includes('--debug') && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
      process.exitCode = 2;
    },
  );
}
