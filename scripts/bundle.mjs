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
//
// esbuild runs from its platform package (an optional dependency; its own postinstall, which only
// checks for or fetches that package, is not needed). Where it cannot run, the build goes on
// without a bundle: the CLI then loads its modules, slower to start but the same.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'bundle', 'cli');

const skip = (why) => {
  rmSync(out, { recursive: true, force: true });
  process.stderr.write(`scripts/bundle.mjs: no bundle (${why}); the CLI will load its modules\n`);
  process.exit(0);
};
let build;
try {
  ({ build } = await import('esbuild'));
} catch (e) {
  skip(`esbuild cannot load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
}

await build({
  entryPoints: {
    main: path.join(root, 'dist', 'src', 'cli', 'main.js'),
    'cli-thread': path.join(root, 'dist', 'src', 'cli', 'cli-thread.js'),
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
