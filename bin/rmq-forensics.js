#!/usr/bin/env node
// Tiny launcher: the CLI lives in dist/src/cli (built by `npm ci` / `npm run build`).
// runCli handles the process around the CLI: EPIPE on stdout (`… | head`) is quiet, Ctrl-C exits
// 130, an internal error is one line on stderr (its stack trace only with --debug).

import { spawn } from 'node:child_process';
import { totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

// Node's default heap limit (about 4 GB) is below what a multi-GiB bundle needs today (issue 5):
// run the CLI in a child with a heap limit of 3/4 of the machine's memory, unless the user chose one.
const chose = process.execArgv.some((a) => a.startsWith('--max-old-space-size')) || /max-old-space-size/.test(process.env.NODE_OPTIONS ?? '');
if (!chose && process.env.RMQ_FORENSICS_CHILD !== '1') {
  const heapMb = Math.max(4096, Math.floor((totalmem() / 1048576) * 0.75));
  const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, RMQ_FORENSICS_CHILD: '1' },
  });
  // A terminal's Ctrl-C reaches both; a signal sent to this process alone is passed on.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('error', (err) => {
    process.stderr.write(`rmq-forensics: cannot start: ${err.message}\n`);
    process.exit(2);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 2)));
} else {
  await run();
}

async function run() {
// Ctrl-C while the CLI is still loading exits as it does later: status 130, nothing printed.
const onSigint = () => process.exit(130);
process.once('SIGINT', onSigint);

let cli;
try {
  cli = await import('../dist/src/cli/main.js');
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
}
