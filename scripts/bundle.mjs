// Bundles the compiled CLI (dist/src, from tsc) into two files: the CLI and its reader thread.
// Why: Node 20 loads ESM one file at a time — resolve, read, compile — and the CLI's ~100 files
// (its own and its dependencies') took ~0.19 s before the first line of a bundle was read; one
// file loads in ~0.02 s. Every invocation pays it (a cron job over many small bundles, `--help`),
// and so does each reader thread when it starts.
//
// The bundles sit at the same depth below the project as dist/src/cli, so the two paths the code
// resolves from its own URL hold in both: '../../../package.json' (the version) and './worker.js'
// (the reader thread, next to the CLI). bin/rmq-forensics.js loads the bundle when it is at least
// as new as dist/src/cli/main.js, and the modules otherwise (a bare `tsc` leaves the bundle stale).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'bundle', 'cli');

await build({
  entryPoints: {
    main: path.join(root, 'dist', 'src', 'cli', 'main.js'),
    worker: path.join(root, 'dist', 'src', 'ingest', 'worker.js'),
  },
  outdir: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // The dependencies written as CommonJS call require() for Node's own modules.
  banner: { js: "import { createRequire as __rmqfRequire } from 'node:module'; const require = __rmqfRequire(import.meta.url);" },
  sourcemap: 'linked',
  legalComments: 'linked',
  minifyWhitespace: true,
  logLevel: 'warning',
});
