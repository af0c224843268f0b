import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { main } from '../../src/cli/main.js';
import { writeBundle } from '../ingest/bundle.js';
import { ROOT } from '../helpers.js';

/**
 * The process around the CLI: `… | head` is quiet (EPIPE: no message, no stack, the command's own
 * exit status), Ctrl-C exits 130 promptly, and a stack trace is printed for an internal error only
 * with --debug. The CLI is spawned through bin/rmq-forensics.js itself, copied next to a temp dir
 * with its import pointed at this build's compiled main (the launcher imports ../dist/…).
 */

const BIN = path.join(ROOT, 'bin', 'rmq-forensics.js');
const MAIN_JS = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js')).href;
const STACK = /^\s+at .+:\d+/m;

let tmp: string;
let wrapper: string;
let crashing: string;

/** `n` persist lines per file over `files` client hosts (each line is one offset-persist event). */
function clientBundle(dir: string, files: number, n: number): void {
  for (let f = 0; f < files; f++) {
    const host = `host-${f}`;
    mkdirSync(path.join(dir, host), { recursive: true });
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const s = i % 86_400;
      const t = `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')}`;
      lines.push(
        `2024-05-10 ${t} INFO RocketmqClient - [persistAll] Group: pos-provider ClientId: 172.66.6.${f % 250}@12345 updateConsumeOffsetToBroker MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=${i % 8}] ${i}\r\n`,
      );
    }
    writeFileSync(path.join(dir, host, 'rocketmq_client.log'), lines.join(''));
  }
}

before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rmqf-proc-'));
  wrapper = path.join(tmp, 'cli.mjs');
  const launcher = readFileSync(BIN, 'utf8');
  assert.ok(launcher.includes("'../dist/src/cli/main.js'"), 'the launcher loads ../dist/src/cli/main.js');
  writeFileSync(wrapper, launcher.replace("'../dist/src/cli/main.js'", JSON.stringify(MAIN_JS)));
  // An internal error no command can provoke on purpose: thrown from a microtask once the CLI runs
  // (before it has read anything: its walk of a small bundle needs no timer turn).
  crashing = path.join(tmp, 'crash.mjs');
  writeFileSync(
    crashing,
    `import { runCli } from ${JSON.stringify(MAIN_JS)};\nrunCli(process.argv);\nqueueMicrotask(() => { throw new Error('kaboom: internal'); });\n`,
  );
});

after(() => rmSync(tmp, { recursive: true, force: true }));

/** Every run on the main thread, and every run on its own thread (src/cli/thread.ts). */
const MODES = [
  { name: 'main thread', env: { RMQ_FORENSICS_THREAD: '0' } },
  { name: 'own thread', env: { RMQ_FORENSICS_THREAD_FROM: '0' } },
];

for (const mode of MODES) describe(`process (${mode.name}): pipes, signals`, () => {
  const env = { ...process.env, ...mode.env };

  it('`analyze … | head` and `timeline … | head` exit quietly with the command status (EPIPE is not an error)', () => {
    const dir = path.join(tmp, 'wide');
    clientBundle(dir, 150, 40); // analyze --format json: ~150 inputs, far more than a pipe buffer
    for (const [cmd, reader] of [
      ['analyze', 'head -c 100'],
      ['analyze --format json', 'head -n 2'],
      ['timeline --format json', 'head -c 10'],
      ['inputs', 'head -n 1'],
    ]) {
      const errFile = path.join(tmp, 'stderr.txt');
      const script = `set -o pipefail; "${process.execPath}" "${wrapper}" ${cmd} "${dir}" --tz Asia/Shanghai 2>"${errFile}" | ${reader} >/dev/null; echo "status=\${PIPESTATUS[0]}"`;
      const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 30_000, env });
      const stderr = readFileSync(errFile, 'utf8');
      assert.match(r.stdout, /status=0\b/, `${cmd} | ${reader}: ${r.stdout} ${stderr}`);
      assert.equal(stderr, '', `${cmd} | ${reader} printed on stderr`);
    }
  });

  it('a closed stdout keeps --fail-on-findings: exit 1, still quiet', () => {
    const dir = writeBundle({
      '172.66.1.31/broker.log':
        '2023-09-05 03:21:20 WARN ConsumerManageThread_3 - [NOTIFYME]update consumer offset less than store. clientHost=172.66.6.3:52814, key=pos_create_pos_cooperate_sale_order@pos-provider, queueId=0, requestOffset=65, storeOffset=108\n',
    });
    const script = `"${process.execPath}" "${wrapper}" analyze "${dir}" --fail-on-findings 2>&1 | head -c 1 >/dev/null; echo "status=\${PIPESTATUS[0]}"`;
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 30_000, env });
    assert.match(r.stdout, /status=1\b/, r.stdout);
  });

  it('Ctrl-C (SIGINT) on a large bundle exits 130 within 2 s, without a stack trace, its spill directory removed', async () => {
    const dir = path.join(tmp, 'large');
    if (!existsSync(dir)) clientBundle(dir, 4, 40_000); // ~35 MB: ingest alone takes seconds
    // (its own temp dir: what the run spilled, and whether it is gone)
    const spills = mkdtempSync(path.join(tmp, 'spills-'));
    const child = spawn(process.execPath, [wrapper, 'analyze', dir, '--tz', 'Asia/Shanghai'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, TMPDIR: spills } });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(child.exitCode, null, 'the analysis finished before the signal: make the bundle larger');
    for (let i = 0; i < 50 && readdirSync(spills).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(readdirSync(spills).length, 1, 'the run spilled to its temp dir before the signal');
    const sent = performance.now();
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    const r = await exited;
    clearTimeout(timer);
    assert.equal(r.code, 130, `exit ${r.code} signal ${r.signal}; stderr: ${stderr}`);
    assert.ok(r.at - sent < 2000, `took ${Math.round(r.at - sent)} ms to stop`);
    assert.doesNotMatch(stderr, STACK);
    assert.doesNotMatch(stdout, /incident/);
    assert.deepEqual(readdirSync(spills), [], 'the spill directory was left behind');
  });
});

describe('process: internal errors, --debug', () => {
  it('the heap limit reached on the run\'s own thread is one line on stderr and exit 2, not a V8 crash dump', () => {
    // 200,000 heartbeat lines: each an event kept for the rules, far more than a 12 MB heap holds
    const dir = path.join(tmp, 'heartbeats');
    mkdirSync(path.join(dir, 'host-1'), { recursive: true });
    const lines: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const s = i % 86_400;
      const t = `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')}`;
      lines.push(`2024-05-10 ${t} INFO RocketmqClient - send heart beat to broker[broker-b 0 172.66.1.31:10911] success\n`);
    }
    writeFileSync(path.join(dir, 'host-1', 'rocketmq_client.log'), lines.join(''));
    const r = spawnSync(process.execPath, ['--max-old-space-size=12', wrapper, 'analyze', dir, '--tz', 'Asia/Shanghai'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, RMQ_FORENSICS_THREAD_FROM: '0', RMQ_FORENSICS_WORKERS: '0' },
    });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, 'rmq-forensics: out of memory: the run reached the JavaScript heap limit (read less with --max-bytes, or raise the limit: NODE_OPTIONS=--max-old-space-size=<MB>)\n');
    assert.equal(r.stdout, '');
  });

  it('an internal error is one line on stderr and exit 2; the stack trace only with --debug', () => {
    const dir = writeBundle({ 'notes.txt': 'hello\n' });
    const plain = spawnSync(process.execPath, [crashing, 'inputs', dir], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(plain.status, 2, plain.stderr);
    assert.match(plain.stderr, /^rmq-forensics: internal error: kaboom: internal\n$/);
    assert.doesNotMatch(plain.stderr, STACK);
    const debug = spawnSync(process.execPath, [crashing, 'inputs', dir, '--debug'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(debug.status, 2, debug.stderr);
    assert.match(debug.stderr, /^rmq-forensics: internal error: kaboom: internal\n/);
    assert.match(debug.stderr, STACK);
  });

  it('in process: an exception inside a command is one line without --debug, with its stack with --debug', async () => {
    const dir = writeBundle({
      '172.66.1.31/broker.log':
        '2023-09-05 03:21:20 WARN ConsumerManageThread_3 - [NOTIFYME]update consumer offset less than store. clientHost=172.66.6.3:52814, key=t@g, queueId=0, requestOffset=65, storeOffset=108\n',
    });
    for (const debug of [false, true]) {
      let err = '';
      const code = await main(['node', 'rmq-forensics', 'analyze', dir, ...(debug ? ['--debug'] : [])], {
        out: () => {
          throw new Error('renderer exploded');
        },
        err: (s) => {
          err += s;
        },
        isTTY: false,
      });
      assert.equal(code, 2);
      assert.match(err, /^rmq-forensics: renderer exploded\n/);
      if (debug) assert.match(err, STACK);
      else assert.equal(err, 'rmq-forensics: renderer exploded\n');
    }
  });

  it('usage errors never print a stack, with or without --debug', async () => {
    for (const extra of [[], ['--debug']]) {
      let err = '';
      const code = await main(['node', 'rmq-forensics', 'analyze', '.', '--format', 'yaml', ...extra], { out: () => undefined, err: (s) => (err += s), isTTY: false });
      assert.equal(code, 2);
      assert.doesNotMatch(err, STACK);
    }
  });
});
