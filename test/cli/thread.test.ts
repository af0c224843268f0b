import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { estimateInputs } from '../../src/cli/progress.js';
import { estimatedText, THREAD_FROM } from '../../src/cli/thread.js';
import { FIXTURES, ROOT } from '../helpers.js';

/**
 * A big run goes on a thread of its own with a bounded young generation (src/cli/thread.ts). What
 * the user sees must not change: the same report, exit status and stderr as on the main thread,
 * for every command that reads inputs; Ctrl-C, `| head` and internal errors are in
 * test/security/process.test.ts (run both ways there).
 */

const BIN = path.join(ROOT, 'bin', 'rmq-forensics.js');
const MOVED = /^rmq-forensics: debug: about .* of text or more: the run goes on a thread with a 12 MB young generation.*\r?\n/m;

/** Runs the real launcher; `thread`: always move (a bound of 0), or never. */
function cli(args: string[], thread: boolean, opts: { input?: string; env?: Record<string, string> } = {}): { status: number | null; stdout: string; stderr: string } {
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  delete env.RMQ_FORENSICS_THREAD;
  delete env.RMQ_FORENSICS_THREAD_FROM;
  if (thread) env.RMQ_FORENSICS_THREAD_FROM = '0';
  else env.RMQ_FORENSICS_THREAD = '0';
  Object.assign(env, opts.env);
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, input: opts.input, maxBuffer: 256 * 1024 * 1024, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** JSON output without the time it was made (the one field that differs by run). */
function data(text: string): unknown {
  const r = JSON.parse(text) as Record<string, unknown>;
  delete r.generatedAt;
  return r;
}

let tmp: string;
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rmqf-thread-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('thread: a big run on its own thread', () => {
  const seed = path.join(FIXTURES, 'seed-000');
  const tz = ['--tz', 'Asia/Shanghai'];

  it('analyze, explain and inputs give the same output, exit status and stderr on the thread', () => {
    for (const args of [
      ['analyze', seed, ...tz, '--format', 'json'],
      ['analyze', seed, ...tz, '--format', 'json', '--fail-on-findings'],
      ['analyze', path.join(FIXTURES, 'ingest-mix'), ...tz, '--format', 'json'],
      ['explain', 'AC42020D00016267C3BB043EAE03BEF9', seed, ...tz, '--format', 'json'],
      ['inputs', seed, ...tz, '--format', 'json'],
    ]) {
      const here = cli(args, false);
      const moved = cli(args, true);
      assert.equal(moved.status, here.status, `${args.join(' ')}: ${moved.stderr}`);
      assert.deepEqual(data(moved.stdout), data(here.stdout), args.join(' '));
      assert.equal(moved.stderr, here.stderr, args.join(' '));
    }
    assert.equal(cli(['analyze', seed, ...tz, '--fail-on-findings'], true).status, 1);
  });

  it('an output larger than a pipe holds, to a reader that starts late, arrives whole (the thread writes to the descriptor, waiting while it is full)', () => {
    const run = (env: string): string => {
      const script = `${env} "${process.execPath}" "${BIN}" inputs "${FIXTURES}" --format json 2>/dev/null | (sleep 0.5; cat)`;
      const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const here = run('RMQ_FORENSICS_THREAD=0');
    assert.ok(here.length > 2 * 65536, `${here.length} bytes: not more than a pipe holds`);
    assert.deepEqual(data(run('RMQ_FORENSICS_THREAD_FROM=0')), data(here));
  });

  it('timeline stays on the main thread (its output is made of short-lived objects a bounded young generation promotes)', () => {
    const r = cli(['timeline', seed, ...tz, '--format', 'json', '--debug'], true);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, MOVED);
    assert.deepEqual(data(r.stdout), data(cli(['timeline', seed, ...tz, '--format', 'json'], false).stdout));
  });

  it('the text report is the same, and --debug says the run moved (only when it did)', () => {
    const here = cli(['analyze', seed, ...tz, '--debug'], false);
    const moved = cli(['analyze', seed, ...tz, '--debug'], true);
    assert.equal(moved.status, 0, moved.stderr);
    assert.equal(moved.stdout, here.stdout);
    assert.match(here.stdout, /offset-fetch-failure/);
    assert.match(moved.stderr, MOVED);
    assert.doesNotMatch(here.stderr, MOVED);
    assert.equal(moved.stderr.replace(MOVED, ''), here.stderr);
  });

  it('scan: the same findings and state on the thread; its second run finds nothing new', () => {
    const runs = [false, true].map((thread) => {
      const state = path.join(tmp, `state-${thread}.json`);
      const first = cli(['scan', seed, ...tz, '--state', state, '--format', 'json'], thread);
      const again = cli(['scan', seed, ...tz, '--state', state, '--format', 'json'], thread);
      const saved = JSON.parse(readFileSync(state, 'utf8')) as { reported: Record<string, { cause: string; redeliveredCount: number | null; offsetRange: unknown }>; explained: string[]; carried: unknown[] };
      const reported = Object.entries(saved.reported).map(([id, r]) => [id, r.cause, r.redeliveredCount, r.offsetRange]);
      return { first, again, state: { reported, explained: saved.explained, carried: saved.carried.length } };
    });
    const [here, moved] = runs as [(typeof runs)[0], (typeof runs)[0]];
    assert.equal(moved.first.status, here.first.status, moved.first.stderr);
    assert.equal(here.first.status, 1, 'the seed incident is a new finding');
    assert.deepEqual(data(moved.first.stdout), data(here.first.stdout));
    assert.equal(moved.again.status, 0, moved.again.stderr);
    assert.equal(moved.again.stdout, here.again.stdout);
    assert.deepEqual(moved.state, here.state);
    assert.equal(here.state.reported.length, 1);
  });

  it('on a terminal, the thread knows it is one: the same coloured report (script(1) gives the pty)', { skip: spawnSync('script', ['--version']).status !== 0 && 'no script(1) here' }, () => {
    const shown = (thread: boolean): string => {
      const env: Record<string, string | undefined> = { ...process.env, TERM: 'xterm', RMQ_FORENSICS_THREAD: thread ? '' : '0', RMQ_FORENSICS_THREAD_FROM: thread ? '0' : '' };
      delete env.NO_COLOR;
      const cmd = [process.execPath, BIN, 'analyze', seed, ...tz, '--debug'].map((a) => `'${a}'`).join(' ');
      const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env, timeout: 60_000 });
      assert.equal(r.status, 0, r.stdout);
      return r.stdout;
    };
    const here = shown(false);
    const moved = shown(true);
    assert.match(here, /\u001b\[1m/, 'bold on a terminal');
    assert.match(moved, MOVED);
    assert.equal(moved.replace(MOVED, ''), here);
  });

  it('scan counts only the text its state says is new: its first run moves, a run with nothing new stays', async () => {
    const est = await estimateInputs([seed]);
    assert.ok(est);
    const env = { RMQ_FORENSICS_THREAD: '', RMQ_FORENSICS_THREAD_FROM: String(estimatedText(est)) };
    const state = path.join(tmp, 'state-bound.json');
    const first = cli(['scan', seed, ...tz, '--state', state, '--format', 'json', '--debug'], false, { env });
    assert.equal(first.status, 1, first.stderr);
    assert.match(first.stderr, MOVED);
    const again = cli(['scan', seed, ...tz, '--state', state, '--format', 'json', '--debug'], false, { env });
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stderr, MOVED);
    // (analyze has no state: the same bundle moves)
    assert.match(cli(['analyze', seed, ...tz, '--format', 'json', '--debug'], false, { env }).stderr, MOVED);
  });

  it('a run reading stdin stays on the main thread (standard input is not passed to threads)', () => {
    const log = readFileSync(path.join(seed, '172.66.1.31', 'logs', 'rocketmqlogs', 'broker.log'), 'utf8');
    const here = cli(['analyze', '-', ...tz, '--format', 'json', '--debug'], false, { input: log });
    const stays = cli(['analyze', '-', ...tz, '--format', 'json', '--debug'], true, { input: log });
    assert.equal(stays.status, here.status, stays.stderr);
    assert.doesNotMatch(stays.stderr, MOVED);
    assert.deepEqual(data(stays.stdout), data(here.stdout));
    assert.ok((data(stays.stdout) as { inputs: unknown[] }).inputs.length > 0);
  });

  it('moves from THREAD_FROM bytes of estimated text (a compressed file counting ten times its size); RMQ_FORENSICS_THREAD=0 never', async () => {
    const dir = path.join(tmp, 'sized');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'a.log'), 'x'.repeat(1000));
    writeFileSync(path.join(dir, 'b.log.gz'), Buffer.alloc(100));
    const est = await estimateInputs([dir]);
    assert.ok(est);
    assert.equal(estimatedText(est), 1000 + 10 * 100);
    const debug = (env: Record<string, string>): string => cli(['inputs', dir, '--debug'], false, { env: { RMQ_FORENSICS_THREAD: '', ...env } }).stderr;
    assert.match(debug({ RMQ_FORENSICS_THREAD_FROM: '2000' }), MOVED);
    assert.doesNotMatch(debug({ RMQ_FORENSICS_THREAD_FROM: '2001' }), MOVED);
    assert.doesNotMatch(debug({ RMQ_FORENSICS_THREAD_FROM: '0', RMQ_FORENSICS_THREAD: '0' }), MOVED);
    // (the default: a fixture is far below it)
    assert.ok(THREAD_FROM >= 64 * 1024 * 1024);
    assert.doesNotMatch(debug({}), MOVED);
  });
});
