import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import {
  CLEAR_LINE,
  estimateInputs,
  formatBytes,
  formatDuration,
  newIngestProgress,
  ProgressDisplay,
  progressWanted,
  startProgress,
  type ProgressTimers,
} from '../../src/cli/progress.js';
import type { IngestProgress } from '../../src/ingest/index.js';
import { FIXTURES, runCli } from '../helpers.js';

const MiB = 1024 * 1024;
const SEED = path.join(FIXTURES, 'seed-000');
// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /\r|\u001b/;

/** A clock that moves only when told to, and an interval the test fires by hand. */
function fakeTimers(): ProgressTimers & { t: number; fn: (() => void) | null; cleared: number; advance(ms: number): void } {
  const f = {
    t: 1_000_000,
    fn: null as (() => void) | null,
    cleared: 0,
    now: () => f.t,
    setInterval: (fn: () => void) => {
      f.fn = fn;
      return 'handle';
    },
    clearInterval: (h: unknown) => {
      assert.equal(h, 'handle');
      f.cleared++;
      f.fn = null;
    },
    /** Moves the clock in 200 ms polls, firing the interval each time. */
    advance(ms: number) {
      for (let done = 0; done < ms; done += 200) {
        f.t += 200;
        f.fn?.();
      }
    },
  };
  return f;
}

function counters(over: Partial<IngestProgress> = {}): IngestProgress {
  return { filesSeen: 0, filesDone: 0, diskBytesDone: 0, bytesRead: 0, finished: false, ...over };
}

describe('progress display', () => {
  it('draws nothing before the delay, then one line with bytes, files, rate and ETA', () => {
    const timers = fakeTimers();
    const writes: string[] = [];
    const p = counters({ filesSeen: 34 });
    const d = new ProgressDisplay(p, {
      write: (s) => writes.push(s),
      estimate: { bytes: 400 * MiB, compressedBytes: 0, files: 34, compressed: false, archives: false },
      timers,
    }).start();
    // 100 MiB/s, 12 of 34 files done.
    const step = (ms: number): void => {
      for (let i = 0; i < ms / 200; i++) {
        p.bytesRead += 20 * MiB;
        p.diskBytesDone = p.bytesRead;
        timers.advance(200);
      }
    };
    step(800);
    assert.equal(writes.length, 0, 'nothing drawn before 1 s');
    p.filesDone = 12;
    step(400);
    assert.ok(writes.length >= 1, 'drawn once the delay has passed');
    const last = writes[writes.length - 1]!;
    assert.ok(last.startsWith(CLEAR_LINE), JSON.stringify(last));
    assert.ok(!last.includes('\n'), 'one line, redrawn in place');
    // 1.2 s at 100 MiB/s: 120 MiB of ~400 MiB, 280 MiB left at 100 MiB/s.
    assert.match(last, /reading 120 MiB of ~400 MiB \(30%\)/);
    assert.match(last, /12\/34 files/);
    assert.match(last, /100 MiB\/s/);
    assert.match(last, /ETA 3 s/);
    d.stop();
  });

  it('stop() erases the drawn line once, stops polling, and is idempotent', () => {
    const timers = fakeTimers();
    const writes: string[] = [];
    const p = counters({ filesSeen: 1 });
    const d = new ProgressDisplay(p, { write: (s) => writes.push(s), estimate: null, timers }).start();
    p.bytesRead = 5 * MiB;
    timers.advance(1200);
    const drawn = writes.length;
    assert.ok(drawn > 0);
    assert.match(writes[drawn - 1]!, /reading 5\.0 MiB · 0\/1\+ files/);
    assert.doesNotMatch(writes[drawn - 1]!, /ETA|~/, 'no total, no ETA');
    d.stop();
    assert.equal(writes.length, drawn + 1);
    assert.equal(writes[drawn], CLEAR_LINE);
    d.stop();
    assert.equal(writes.length, drawn + 1, 'a second stop writes nothing');
    assert.equal(timers.cleared, 1);
    assert.equal(d.active, false);
    timers.fn?.();
    assert.equal(writes.length, drawn + 1);
  });

  it('a run that ends within the delay writes nothing at all, not even an erase', () => {
    const timers = fakeTimers();
    const writes: string[] = [];
    const p = newIngestProgress();
    const d = new ProgressDisplay(p, { write: (s) => writes.push(s), timers }).start();
    timers.advance(600);
    d.stop();
    d.stop();
    assert.deepEqual(writes, []);
  });

  it('erases itself the poll after ingest says finished', () => {
    const timers = fakeTimers();
    const writes: string[] = [];
    const p = counters({ filesSeen: 2 });
    const d = new ProgressDisplay(p, { write: (s) => writes.push(s), timers }).start();
    timers.advance(1400);
    assert.ok(writes.length > 0);
    p.finished = true;
    timers.advance(200);
    assert.equal(writes[writes.length - 1], CLEAR_LINE);
    assert.equal(d.active, false);
  });

  it('newIngestProgress runs its callback the moment finished is set (as ingest does)', () => {
    let calls = 0;
    const p = newIngestProgress(() => calls++);
    assert.equal(p.finished, false);
    p.filesSeen++;
    assert.equal(calls, 0);
    p.finished = true;
    assert.equal(calls, 1);
    assert.equal(p.finished, true);
  });

  it('compressed inputs: done counts completed files, the decompressed bytes besides; the ETA counts down while a big file is read', () => {
    const timers = fakeTimers();
    const writes: string[] = [];
    const p = counters({ filesSeen: 3, bytesRead: 50 * MiB });
    new ProgressDisplay(p, { write: (s) => writes.push(s), estimate: { bytes: 40 * MiB, compressedBytes: 40 * MiB, files: 3, compressed: true, archives: false }, timers }).start();
    timers.advance(1000);
    // A .gz of 10 MiB on disk completes after 1 s (its decompressed bytes: far more).
    p.filesDone = 1;
    p.diskBytesDone = 10 * MiB;
    p.bytesRead = 200 * MiB;
    timers.advance(200);
    const at = writes[writes.length - 1]!;
    assert.match(at, /reading 10 MiB of ~40 MiB \(25%\) · 200 MiB decompressed · 1\/3 files · \d+ MiB\/s · ETA 4 s$/);
    // Nothing completes for 2 s: the ETA goes down (never up), then is left out.
    p.bytesRead = 300 * MiB;
    timers.advance(1000);
    assert.match(writes[writes.length - 1]!, /reading 10 MiB of ~40 MiB \(25%\) · 300 MiB decompressed .*ETA 3 s$/);
    timers.advance(3000);
    assert.doesNotMatch(writes[writes.length - 1]!, /ETA/);
  });

  it('archives: no on-disk total (entries count unpacked sizes), no ETA, files seen so far', () => {
    const timers = fakeTimers();
    const writes: string[] = [];
    const p = counters({ filesSeen: 7, filesDone: 6, diskBytesDone: 900 * MiB, bytesRead: 900 * MiB });
    new ProgressDisplay(p, { write: (s) => writes.push(s), estimate: { bytes: 80 * MiB, compressedBytes: 80 * MiB, files: 1, compressed: true, archives: true }, timers }).start();
    p.bytesRead = 950 * MiB;
    timers.advance(1200);
    assert.match(writes[writes.length - 1]!, /^\r\u001b\[2Kreading 950 MiB · 6\/7\+ files · \d+ MiB\/s$/);
  });

  it('the line is cut to the terminal width (so erasing it erases all of it)', () => {
    const timers = fakeTimers();
    const writes: string[] = [];
    const p = counters({ filesSeen: 3, bytesRead: 3 * MiB });
    new ProgressDisplay(p, { write: (s) => writes.push(s), timers, columns: () => 20 }).start();
    timers.advance(1200);
    const text = writes[writes.length - 1]!.slice(CLEAR_LINE.length);
    assert.ok(text.length <= 19, JSON.stringify(text));
    assert.ok(text.endsWith('…'));
  });

  it('works on real timers: a short interval draws, stop erases', async () => {
    const writes: string[] = [];
    const p = counters({ filesSeen: 1, bytesRead: 1234 });
    const d = new ProgressDisplay(p, { write: (s) => writes.push(s), intervalMs: 10, delayMs: 30 }).start();
    await new Promise((r) => setTimeout(r, 120));
    d.stop();
    assert.ok(writes.length >= 2, String(writes.length));
    assert.match(writes[0]!, /reading 1\.2 KiB/);
    assert.equal(writes[writes.length - 1], CLEAR_LINE);
  });

  it('formats sizes and durations', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(85 * MiB), '85 MiB');
    assert.equal(formatBytes(9.97 * MiB), '10 MiB');
    assert.equal(formatBytes(1.2 * 1024 * MiB), '1.2 GiB');
    assert.equal(formatDuration(27), '27 s');
    assert.equal(formatDuration(185), '3 min 5 s');
    assert.equal(formatDuration(4380), '1 h 13 min');
  });
});

describe('progress: when it is shown', () => {
  it('only on a terminal stderr, without --quiet, outside CI, not with TERM=dumb', () => {
    const tty = { errIsTTY: true };
    assert.equal(progressWanted(tty, false, { TERM: 'xterm-256color' }), true);
    assert.equal(progressWanted({ errIsTTY: false }, false, { TERM: 'xterm' }), false);
    assert.equal(progressWanted(tty, true, { TERM: 'xterm' }), false);
    assert.equal(progressWanted(tty, false, { TERM: 'xterm', CI: 'true' }), false);
    assert.equal(progressWanted(tty, false, { TERM: 'xterm', CI: '1' }), false);
    assert.equal(progressWanted(tty, false, { TERM: 'xterm', CI: 'false' }), true);
    assert.equal(progressWanted(tty, false, { TERM: 'dumb' }), false);
  });

  it('not wanted: no counters for ingest, and stop is harmless', () => {
    let raw = 0;
    const s = startProgress([SEED], { errIsTTY: false, errRaw: () => raw++ }, false, {});
    assert.equal(s.progress, undefined);
    s.stop();
    s.stop();
    assert.equal(raw, 0);
  });

  it('main: stderr is a terminal only when the real one is, or when the caller says so', async () => {
    // An overridden stderr never gets the line: nothing raw is written on a long run either.
    let raw = '';
    const code = await main(['node', 'rmq-forensics', 'analyze', SEED, '--tz', 'Asia/Shanghai'], {
      out: () => undefined,
      err: () => undefined,
      errRaw: (s) => void (raw += s),
      isTTY: false,
    });
    assert.equal(code, 0);
    assert.equal(raw, '');
  });
});

describe('progress: total estimate', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rmq-progress-'));
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'one.log'), 'x'.repeat(1000));
    fs.writeFileSync(path.join(dir, 'a', 'two.log'), 'y'.repeat(2345));
    fs.writeFileSync(path.join(dir, 'a', 'b', 'three.log.gz'), Buffer.alloc(77));
    fs.writeFileSync(path.join(dir, 'a', 'b', 'empty.log'), '');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('sums the regular files of a directory, recursively', async () => {
    const e = await estimateInputs([dir]);
    assert.deepEqual(e, { bytes: 1000 + 2345 + 77, compressedBytes: 77, files: 4, compressed: true, archives: false });
  });

  it('files count their size; several inputs add up; archives are noted', async () => {
    const zip = path.join(dir, 'bundle.zip');
    fs.writeFileSync(zip, Buffer.alloc(10));
    try {
      const e = await estimateInputs([path.join(dir, 'one.log'), path.join(dir, 'a'), zip]);
      assert.deepEqual(e, { bytes: 1000 + 2345 + 77 + 10, compressedBytes: 77 + 10, files: 5, compressed: true, archives: true });
      assert.deepEqual(await estimateInputs([path.join(dir, 'a', 'two.log')]), { bytes: 2345, compressedBytes: 0, files: 1, compressed: false, archives: false });
    } finally {
      fs.rmSync(zip);
    }
  });

  it('stops walking once `enough` holds: a lower bound, without the rest of the walk', async () => {
    const seen: number[] = [];
    const e = await estimateInputs([path.join(dir, 'one.log'), path.join(dir, 'a')], {
      enough: (so) => {
        seen.push(so.files);
        return so.bytes >= 1000;
      },
    });
    assert.deepEqual(e, { bytes: 1000, compressedBytes: 0, files: 1, compressed: false, archives: false });
    assert.deepEqual(seen, [1]);
    // (not enough: the whole walk, as without it)
    assert.deepEqual(await estimateInputs([dir], { enough: () => false }), await estimateInputs([dir]));
  });

  it('`known`: the text earlier runs read of the files found, by path', async () => {
    const known = new Map([
      [path.join(dir, 'one.log'), 900],
      [path.join(dir, 'a', 'b', 'three.log.gz'), 500],
      [path.join(dir, 'elsewhere.log'), 7],
    ]);
    const e = await estimateInputs([dir], { known });
    assert.deepEqual(e, { bytes: 1000 + 2345 + 77, compressedBytes: 77, files: 4, compressed: true, archives: false, knownText: 1400 });
  });

  it('unknown (null, never an error) for stdin, a missing path, too many entries, or when cancelled', async () => {
    assert.equal(await estimateInputs(['-']), null);
    assert.equal(await estimateInputs([dir, '-']), null);
    assert.equal(await estimateInputs([path.join(dir, 'no-such-file')]), null);
    assert.equal(await estimateInputs([dir], { maxEntries: 2 }), null);
    const abort = new AbortController();
    abort.abort();
    assert.equal(await estimateInputs([dir], { signal: abort.signal }), null);
  });

  it('a directory symlinked into itself is counted once', async (t) => {
    const link = path.join(dir, 'a', 'b', 'loop');
    try {
      fs.symlinkSync(path.join(dir, 'a'), link);
    } catch {
      t.skip('no symlinks here');
      return;
    }
    try {
      const e = await estimateInputs([dir]);
      assert.equal(e?.bytes, 1000 + 2345 + 77);
    } finally {
      fs.rmSync(link);
    }
  });
});

describe('progress: end to end', () => {
  it('a non-terminal stderr gets no \\r and no escape sequence', async () => {
    for (const cmd of [['analyze'], ['scan']]) {
      const r = await runCli([...cmd, SEED, '--tz', 'Asia/Shanghai']);
      assert.ok(r.code === 0 || r.code === 1, `${cmd[0]}: ${r.code} ${r.err}`);
      assert.doesNotMatch(r.err, TERMINAL_CONTROL, `${cmd[0]} stderr: ${JSON.stringify(r.err)}`);
    }
  });

  it('--quiet is accepted by analyze, explain, timeline, scan and inputs, and changes nothing else', async () => {
    const plain = await runCli(['analyze', SEED, '--tz', 'Asia/Shanghai', '--format', 'json']);
    const quiet = await runCli(['analyze', SEED, '--tz', 'Asia/Shanghai', '--format', 'json', '--quiet']);
    assert.equal(quiet.code, plain.code, quiet.err);
    const strip = (s: string): unknown => {
      const j = JSON.parse(s) as Record<string, unknown>;
      delete j.generatedAt;
      return j;
    };
    assert.deepEqual(strip(quiet.out), strip(plain.out));
    const scan = await runCli(['scan', SEED, '--tz', 'Asia/Shanghai', '--quiet']);
    assert.ok(scan.code === 0 || scan.code === 1, scan.err);
    assert.doesNotMatch(scan.err, /unknown option/);
    const tl = await runCli(['timeline', SEED, '--tz', 'Asia/Shanghai', '--quiet', '--format', 'json']);
    assert.equal(tl.code, 0, tl.err);
    const ex = await runCli(['explain', 'AC42020D00016267C3BB043EAE03BEF9', SEED, '--tz', 'Asia/Shanghai', '--quiet']);
    assert.equal(ex.code, 0, ex.err);
    const inputs = await runCli(['inputs', SEED, '--tz', 'Asia/Shanghai', '--format', 'json']);
    const inputsQuiet = await runCli(['inputs', SEED, '--tz', 'Asia/Shanghai', '--format', 'json', '--quiet']);
    assert.equal(inputsQuiet.code, 0, inputsQuiet.err);
    assert.equal(inputsQuiet.out, inputs.out);
    // An unknown option is still refused (the check above can fail).
    assert.equal((await runCli(['analyze', SEED, '--quiett'])).code, 2);
  });

  it('--help says what --quiet does', async () => {
    for (const cmd of ['analyze', 'explain', 'timeline', 'scan', 'inputs']) {
      const r = await runCli([cmd, '--help']);
      assert.match(r.out.replace(/\s+/g, ' '), /--quiet no progress line on stderr/, cmd);
    }
  });

  describe('on a terminal (errIsTTY), a slow run', () => {
    const saved = { CI: process.env.CI, TERM: process.env.TERM };
    before(() => {
      delete process.env.CI;
      process.env.TERM = 'xterm';
    });
    after(() => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });

    /** The fixture's broker log (40 times over, ~230 KB) on stdin: the first 96 KiB at once, the rest over ~1.6 s. */
    function slowStdin(): Readable {
      const log = fs.readFileSync(path.join(SEED, '172.66.1.31', 'logs', 'rocketmqlogs', 'broker.log'));
      const text = Buffer.concat(Array.from({ length: 40 }, () => log));
      const first = 96 * 1024;
      const pieces = 8;
      return Readable.from(
        (async function* () {
          yield text.subarray(0, first);
          for (let i = 0; i < pieces; i++) {
            await new Promise((r) => setTimeout(r, 200));
            yield text.subarray(first + Math.floor((i * (text.length - first)) / pieces), first + Math.floor(((i + 1) * (text.length - first)) / pieces));
          }
        })(),
      );
    }

    async function run(args: string[], quiet: boolean): Promise<{ code: number; log: { to: string; s: string }[] }> {
      const log: { to: string; s: string }[] = [];
      const code = await main(['node', 'rmq-forensics', ...args, '-', '--tz', 'Asia/Shanghai', ...(quiet ? ['--quiet'] : [])], {
        out: (s) => log.push({ to: 'out', s }),
        err: (s) => log.push({ to: 'err', s }),
        errRaw: (s) => log.push({ to: 'raw', s }),
        stdin: slowStdin(),
        isTTY: false,
        errIsTTY: true,
      });
      return { code, log };
    }

    for (const cmd of [['analyze'], ['scan']]) {
      it(`${cmd[0]}: shows the line after a second, erases it before anything else is written`, async () => {
        const { code, log } = await run(cmd, false);
        assert.ok(code === 0 || code === 1, JSON.stringify(log.filter((l) => l.to === 'err')));
        const raw = log.filter((l) => l.to === 'raw');
        assert.ok(raw.length >= 2, JSON.stringify(raw));
        // stdin: no total, so no ETA; the counters ingest updates (bytes, one file) and a rate.
        const lines = raw.slice(0, -1).map((l) => l.s);
        assert.ok(lines.length > 0 && lines.every((l) => /^\r\u001b\[2Kreading [1-9][\d.]* KiB · 0\/1\+ files · [1-9][\d.]* (?:B|KiB)\/s$/.test(l)), JSON.stringify(lines));
        assert.equal(raw[raw.length - 1]!.s, CLEAR_LINE);
        // Everything else comes after the erase: the line never stays under (or in) the report.
        const lastRaw = log.lastIndexOf(raw[raw.length - 1]!);
        assert.ok(log.slice(0, lastRaw).every((l) => l.to === 'raw'), JSON.stringify(log.slice(0, lastRaw + 1)));
        assert.ok(log.slice(lastRaw + 1).every((l) => l.to !== 'raw'));
      });

      it(`${cmd[0]} --quiet: no line at all`, async () => {
        const { code, log } = await run(cmd, true);
        assert.ok(code === 0 || code === 1);
        assert.deepEqual(log.filter((l) => l.to === 'raw'), []);
      });
    }

    it('startProgress: stop() before ingest finishes (an error) erases the drawn line and lets go of the process', async () => {
      const exitListeners = process.listenerCount('exit');
      const raw: string[] = [];
      const s = startProgress([SEED], { errIsTTY: true, errRaw: (x) => raw.push(x) }, false);
      assert.ok(s.progress, 'counters for ingest');
      assert.equal(process.listenerCount('exit'), exitListeners + 1, 'erases on exit (Ctrl-C) too');
      s.progress.filesSeen = 3;
      s.progress.bytesRead = 4096;
      await new Promise((r) => setTimeout(r, 1400));
      assert.ok(raw.length >= 1, 'drawn after a second');
      // The estimate of the fixture's size is known by now: a total and its share.
      assert.match(raw[raw.length - 1]!, /reading \S+ \S+ of ~\S+ \S+ \(\d+%\) · 0\/\d+ files/);
      const n = raw.length;
      s.stop();
      s.stop();
      assert.deepEqual(raw.slice(n), [CLEAR_LINE]);
      assert.equal(process.listenerCount('exit'), exitListeners);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(raw.length, n + 1, 'nothing after stop');
    });
  });
});
