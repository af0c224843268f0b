import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, ROOT } from '../helpers.js';

/**
 * Spill directories: a run removes its own at exit, and the next run removes those of runs killed
 * outright (which cannot), but never a live run's, another machine's or one that is not a dir.
 */

const BIN = path.join(ROOT, 'bin', 'rmq-forensics.js');
const host = (os.hostname().replace(/[^A-Za-z0-9.]/g, '_') || 'host').slice(0, 40);
let tmp: string;
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rmqf-spill-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The spill directories in a temp dir. */
const spills = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith('rmq-forensics-')).sort();

/** A pid no process has: one of a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function analyze(tmpdir: string, bundle: string): Promise<number | null> {
  const child = spawn(process.execPath, [BIN, 'analyze', bundle, '--tz', 'Asia/Shanghai', '--quiet'], { stdio: 'ignore', env: { ...process.env, TMPDIR: tmpdir } });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('spill directories', () => {
  it("a run removes its own directory, and a killed run's; it keeps a live run's and other machines'", async () => {
    const t = mkdtempSync(path.join(tmp, 't-'));
    const dead = `rmq-forensics-${host}-${deadPid()}-AbC123`;
    const live = `rmq-forensics-${host}-${process.pid}-XyZ789`;
    const other = `rmq-forensics-other.host-${deadPid()}-QwE456`;
    const old = 'rmq-forensics-Zx9aB2'; // the name before the pid was in it: not known dead, kept
    for (const d of [dead, live, other, old]) mkdirSync(path.join(t, d, 'sub'), { recursive: true });
    assert.equal(await analyze(t, path.join(FIXTURES, 'seed-000')), 0);
    assert.deepEqual(spills(t), [live, old, other].sort());
  });

  it('a run killed mid-way leaves its directory to the next run, which removes it', async () => {
    const t = mkdtempSync(path.join(tmp, 'k-'));
    const bundle = path.join(tmp, 'big');
    if (!existsSync(bundle)) {
      // enough text that a run is still reading when it is killed
      for (let i = 0; i < 12; i++) cpSync(path.join(FIXTURES, 'seed-000'), path.join(bundle, `copy-${i}`), { recursive: true });
    }
    let killedWithDir = 0;
    for (const delay of [150, 250, 400, 600, 900, 1300]) {
      if (killedWithDir >= 2) break;
      const child = spawn(process.execPath, [BIN, 'analyze', bundle, '--tz', 'Asia/Shanghai', '--quiet'], { stdio: 'ignore', env: { ...process.env, TMPDIR: t } });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, sig) => resolve(sig)));
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      if ((await exited) === 'SIGKILL' && spills(t).length > 0) killedWithDir++;
      await analyze(t, path.join(FIXTURES, 'seed-000'));
      assert.deepEqual(spills(t), [], `after a run killed at ${delay} ms`);
    }
    assert.ok(killedWithDir > 0, 'no run was killed while it had a spill directory: make the bundle larger');
  });
});
