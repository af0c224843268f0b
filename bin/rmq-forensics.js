#!/usr/bin/env node
// Tiny launcher: the CLI lives in dist/src/cli (built by `npm ci` / `npm run build`).
// runCli handles the process around the CLI: EPIPE on stdout (`… | head`) is quiet, Ctrl-C exits
// 130, an internal error is one line on stderr (its stack trace only with --debug).

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
