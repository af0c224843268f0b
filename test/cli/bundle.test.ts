import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, ROOT, runCli } from '../helpers.js';

/**
 * The bundled CLI (scripts/bundle.mjs → dist/bundle/cli): bin/rmq-forensics.js loads it when it is
 * at least as new as the modules, and it gives what the modules give — its reader threads too.
 */

const BIN = path.join(ROOT, 'bin', 'rmq-forensics.js');
const BUNDLE = path.join(ROOT, 'dist', 'bundle', 'cli', 'main.js');
const MODULES = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

let tmp: string;
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rmqf-bundle-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the real launcher, in a copy of the project whose two CLIs only say which one they are. */
function launcher(setup: { bundle: 'newer' | 'older' | 'none' }, env: Record<string, string> = {}, args: string[] = []): string {
  const dir = mkdtempSync(path.join(tmp, 'proj-'));
  mkdirSync(path.join(dir, 'bin'));
  copyFileSync(BIN, path.join(dir, 'bin', 'rmq-forensics.js'));
  const stub = (name: string): string =>
    `export function runCli() { process.stdout.write(${JSON.stringify(name)} + (process.argv.includes('--debug') ? ' maps=' + process.sourceMapsEnabled : '')); }\n`;
  const modules = path.join(dir, 'dist', 'src', 'cli', 'main.js');
  mkdirSync(path.dirname(modules), { recursive: true });
  writeFileSync(modules, stub('modules'));
  if (setup.bundle !== 'none') {
    const bundle = path.join(dir, 'dist', 'bundle', 'cli', 'main.js');
    mkdirSync(path.dirname(bundle), { recursive: true });
    writeFileSync(bundle, stub('bundle'));
    const t = statSync(modules).mtime.getTime() / 1000;
    utimesSync(bundle, t + (setup.bundle === 'newer' ? 5 : -5), t + (setup.bundle === 'newer' ? 5 : -5));
  }
  const r = spawnSync(process.execPath, [path.join(dir, 'bin', 'rmq-forensics.js'), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(r.stderr, '');
  return r.stdout;
}

/** A report as comparable data: the time it was made is the one field that differs by run. */
function report(json: string): unknown {
  const r = JSON.parse(json) as Record<string, unknown>;
  delete r.generatedAt;
  return r;
}

describe('bundle: the launcher and the bundled CLI', () => {
  it('the launcher takes the bundle when it is at least as new as the modules, else the modules', () => {
    assert.equal(launcher({ bundle: 'newer' }), 'bundle');
    assert.equal(launcher({ bundle: 'older' }), 'modules');
    assert.equal(launcher({ bundle: 'none' }), 'modules');
    assert.equal(launcher({ bundle: 'newer' }, { RMQ_FORENSICS_BUNDLE: '0' }), 'modules');
  });

  it('--debug turns source maps on (a stack trace from the bundle then names the .ts sources)', () => {
    assert.equal(launcher({ bundle: 'newer' }, {}, ['--debug']), 'bundle maps=true');
    assert.equal(launcher({ bundle: 'newer' }, {}, ['analyze', '--debug']), 'bundle maps=true');
    assert.equal(launcher({ bundle: 'newer' }), 'bundle');
  });

  it('the build leaves the bundle in use (npm test builds both)', () => {
    assert.ok(statSync(BUNDLE).mtimeMs >= statSync(MODULES).mtimeMs, 'dist/bundle is older than dist/src: run npm run build');
    assert.ok(statSync(path.join(ROOT, 'dist', 'bundle', 'cli', 'worker.js')).isFile());
    assert.ok(statSync(path.join(ROOT, 'dist', 'bundle', 'cli', 'cli-thread.js')).isFile());
  });

  it('--version from the bundle is the package version', () => {
    const r = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(r.stdout.trim(), pkg.version);
  });

  for (const name of ['ingest-mix', 'slave-offset-lag']) {
    it(`${name}: the bundled CLI gives the in-process report`, async () => {
      const dir = path.join(FIXTURES, name);
      const { code, out } = await runCli(['analyze', dir, '--format', 'json', '--tz', 'Asia/Shanghai']);
      const r = spawnSync(process.execPath, [BIN, 'analyze', dir, '--format', 'json', '--tz', 'Asia/Shanghai'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      assert.equal(r.status, code, r.stderr);
      assert.deepEqual(report(r.stdout), report(out));
    });
  }

  it('the bundled CLI, its bundled reader threads and a run on its own thread give the in-process report', async () => {
    const dir = path.join(FIXTURES, 'seed-000');
    const { code, out } = await runCli(['analyze', dir, '--format', 'json', '--tz', 'Asia/Shanghai']);
    assert.equal(code, 0);
    for (const env of [
      { RMQ_FORENSICS_WORKERS: '0', RMQ_FORENSICS_THREAD: '0' },
      { RMQ_FORENSICS_WORKERS: '2', RMQ_FORENSICS_WORKER_MIN_BYTES: '0', RMQ_FORENSICS_THREAD: '0' },
      { RMQ_FORENSICS_WORKERS: '2', RMQ_FORENSICS_WORKER_MIN_BYTES: '0', RMQ_FORENSICS_THREAD_FROM: '0' },
    ]) {
      const r = spawnSync(process.execPath, [BIN, 'analyze', dir, '--format', 'json', '--tz', 'Asia/Shanghai'], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
        maxBuffer: 256 * 1024 * 1024,
      });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(report(r.stdout), report(out), JSON.stringify(env));
    }
  });
});
