#!/usr/bin/env node
// Tiny launcher: the CLI lives in dist/src/cli (built by `npm ci` / `npm run build`).
import { main } from '../dist/src/cli/main.js';

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`rmq-forensics: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
