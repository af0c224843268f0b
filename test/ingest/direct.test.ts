import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { fastPath } from '../../src/ingest/fastpath.js';
import { allEvents, ingest, type IngestOptions, type IngestResult } from '../../src/ingest/index.js';
import { headHash } from '../../src/ingest/resume.js';
import { DIRECT_CHUNK } from '../../src/ingest/stream.js';
import type { RmqEvent } from '../../src/model/events.js';
import { resolveZone } from '../../src/model/time.js';

/**
 * Plain files are read with synchronous reads into one reused buffer (stream.ts, directChunks):
 * the first 64 KiB, then DIRECT_CHUNK at a time. A commit line taken from the bytes is held until
 * the next line shows it has no continuation, so one that ends a chunk must survive the buffer
 * being overwritten. These files put such lines exactly at the chunk boundaries.
 */
const HEAD = 64 * 1024;

function opts(over: Partial<IngestOptions> = {}): IngestOptions {
  return { tz: resolveZone('Asia/Shanghai'), tzFrom: 'tz', tzFor: [], inputFormats: [], consumePattern: null, year: null, ...over };
}

const QUEUES = [0, 1, 2, 3, 4, 5, 6, 7];
const header = (sec: number, ms: number, level = 'INFO ', thread = 'MQClientFactoryScheduledThread', logger = 'o.a.r.c.c.s.RemoteBrokerOffsetStore#?:?'): string => {
  const s = 5 + sec;
  const wall = `2023-09-05 03:${String(10 + Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}.${String(ms).padStart(3, '0')}`;
  return `${wall} ${level} [2212] [${thread}] [${logger}] - `;
};
const commit = (q: number, offset: number): string =>
  `[persistAll] Group: pos-provider ClientId: 172.66.6.4@2212#1893742981726 updateConsumeOffsetToBroker MessageQueue [topic=pos_order, brokerName=broker-b, queueId=${q}] ${offset}`;
const TRACE = [
  'org.apache.rocketmq.remoting.exception.RemotingTooMuchRequestException: sendDefaultImpl call timeout',
  '\tat org.apache.rocketmq.client.impl.MQClientAPIImpl.updateConsumerOffsetOneway(MQClientAPIImpl.java:1199)',
  '\tat org.apache.rocketmq.client.consumer.store.RemoteBrokerOffsetStore.persistAll(RemoteBrokerOffsetStore.java:150)',
];

/**
 * About 1.2 MB of commit bursts (eight queues every 5 s) with noise between them. `traceAt`:
 * boundaries where a commit line ends the chunk and a stack trace begins the next; `splitAt`:
 * boundaries a commit line straddles.
 */
function content(traceAt: number[], splitAt: number[]): { text: string; traced: number[] } {
  const lines: string[] = [];
  let size = 0;
  const push = (l: string): void => {
    lines.push(l);
    size += Buffer.byteLength(l) + 1;
  };
  const traced: number[] = [];
  let offset = 1_000_000;
  let sec = 0;
  let pendingTrace = [...traceAt];
  let pendingSplit = [...splitAt];
  while (size < HEAD + 4 * DIRECT_CHUNK) {
    for (const q of QUEUES) {
      const line = header(sec, q * 3) + commit(q, offset + q * 7 + (sec % 13));
      const len = Buffer.byteLength(line) + 1;
      const b = pendingTrace[0];
      if (b !== undefined && size + len + 400 > b) {
        // a noise line that makes this commit line's LF the last byte before the boundary
        const fill = b - size - len - 1;
        const base = header(sec, q * 3, 'INFO ', 'NettyClientPublicExecutor_1', 'RocketmqClient#?:?') + 'noise ';
        if (fill > Buffer.byteLength(base)) {
          push(base + 'x'.repeat(fill - Buffer.byteLength(base)));
          push(line);
          assert.equal(size, b);
          traced.push(lines.length);
          for (const t of TRACE) push(t);
          pendingTrace = pendingTrace.slice(1);
          continue;
        }
      }
      const s = pendingSplit[0];
      if (s !== undefined && size + len > s && size < s) pendingSplit = pendingSplit.slice(1);
      push(line);
    }
    push(header(sec, 950, 'INFO ', 'NettyClientPublicExecutor_1', 'o.a.r.c.i.f.MQClientInstance#?:?') + `send heart beat to broker[broker-b 0 172.66.1.31:10911] success`);
    sec += 5;
    offset += 11;
  }
  assert.equal(pendingTrace.length, 0, 'every trace boundary placed');
  assert.equal(pendingSplit.length, 0, 'every split boundary straddled');
  return { text: lines.join('\n') + '\n', traced };
}

/** The text as a host's plain client log under root/plain, and gzipped under root/gz. */
function writeBoth(root: string, text: string): void {
  for (const [dir, name, data] of [['plain', 'rocketmq_client.log', Buffer.from(text)], ['gz', 'rocketmq_client.log.gz', gzipSync(text)]] as const) {
    const logs = path.join(root, dir, '172.66.6.4', 'logs', 'rocketmqlogs');
    mkdirSync(logs, { recursive: true });
    writeFileSync(path.join(logs, name), data);
  }
}

/** Events (commit lines materialised) with the file name left out, and the line counts. */
function concluded(r: IngestResult): unknown {
  const events = (JSON.parse(JSON.stringify(allEvents(r))) as RmqEvent[]).map((e) => ({ ...e, file: path.basename(e.file).replace(/\.gz$/, '') }));
  return JSON.parse(JSON.stringify({ events, lines: r.files.map((f) => f.lines), kinds: r.files.map((f) => f.eventsByKind) }));
}

async function read(dir: string, fast: boolean): Promise<IngestResult> {
  const before = fastPath.enabled;
  fastPath.enabled = fast;
  try {
    return await ingest([dir], opts());
  } finally {
    fastPath.enabled = before;
  }
}

describe('plain files read directly, one reused buffer', () => {
  it('a commit line that ends a chunk, a stack trace that begins the next, a line across a boundary: as the simple path and as the same file gzipped', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'rmq-direct-'));
    try {
      const b1 = HEAD;
      const b2 = HEAD + DIRECT_CHUNK;
      const b3 = HEAD + 2 * DIRECT_CHUNK;
      const b4 = HEAD + 3 * DIRECT_CHUNK;
      const { text, traced } = content([b1, b3], [b2, b4]);
      writeBoth(root, text);

      const direct = await read(path.join(root, 'plain'), true);
      const simple = await read(path.join(root, 'plain'), false);
      const streamed = await read(path.join(root, 'gz'), true);
      assert.deepEqual(concluded(direct), concluded(simple));
      assert.deepEqual(concluded(direct), concluded(streamed));

      // The boundary cases happened: commit lines folded with the trace after them, every line counted.
      const lines = direct.files[0]!.lines;
      assert.equal(lines.total, text.split('\n').length - 1);
      // (the two fillers are business lines no signature knows)
      assert.equal(lines.unrecognised, traced.length);
      const all = allEvents(direct);
      for (const n of traced) {
        const e = all.find((x) => x.line === n);
        assert.ok(e, `line ${n} read`);
        assert.equal(e.kind, 'offset-persist');
        assert.equal(e.exception?.className, 'org.apache.rocketmq.remoting.exception.RemotingTooMuchRequestException');
      }
      // (most commit lines are stored as columns, not events: the byte path was taken)
      const commits = text.split('\n').filter((l) => l.includes('[persistAll]')).length;
      assert.ok(commits > 3000);
      assert.equal(direct.persists.count, commits);
      assert.equal(all.filter((e) => e.kind === 'offset-persist').length, commits);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('scan resuming a plain file seeks past what an earlier run read', () => {
  it('the same events and counts as resuming the gzipped copy, which reads and discards', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'rmq-resume-'));
    try {
      const { text } = content([], []);
      // resume at the start of a line well past the first 64 KiB read for the file's identity
      const lines = text.split('\n');
      let skipBytes = 0;
      let startLine = 0;
      while (skipBytes < HEAD + DIRECT_CHUNK / 2) skipBytes += Buffer.byteLength(lines[startLine++]!) + 1;
      writeBoth(root, text);
      // (what an earlier run of the file recorded: the identity of its first 4 KiB, where it stopped)
      const resumeFrom = [{ headHash: headHash(Buffer.from(text), 4096), headLength: 4096, bytesRead: skipBytes, linesRead: startLine }];
      const seeked = await ingest([path.join(root, 'plain')], opts({ resumeFrom }));
      const discarded = await ingest([path.join(root, 'gz')], opts({ resumeFrom }));
      assert.deepEqual(concluded(seeked), concluded(discarded));
      const f = seeked.files[0]!;
      assert.deepEqual(f.resumedAt, { bytes: skipBytes, line: startLine });
      assert.equal(f.lines.total, lines.length - 1 - startLine);
      assert.equal(f.identity!.bytesRead, Buffer.byteLength(text));
      assert.equal(Math.min(...allEvents(seeked).map((e) => e.line)), startLine + 1);
      // a run that finds nothing new keeps the point it resumed at (the next run starts there)
      const end = [{ ...resumeFrom[0]!, bytesRead: Buffer.byteLength(text), linesRead: lines.length - 1 }];
      for (const dirName of ['plain', 'gz']) {
        const again = await ingest([path.join(root, dirName)], opts({ resumeFrom: end }));
        const g = again.files[0]!;
        assert.equal(g.lines.total, 0, dirName);
        assert.equal(g.identity!.bytesRead, Buffer.byteLength(text), dirName);
        assert.equal(g.identity!.linesRead, lines.length - 1, dirName);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the walker: what it knows of a file before reading it', () => {
  it('a plain file is read directly; a gzipped one gives its text size from its trailer (a damaged trailer gives none)', async () => {
    const { walkInputs } = await import('../../src/ingest/walk.js');
    const root = mkdtempSync(path.join(os.tmpdir(), 'rmq-walk-'));
    try {
      const text = content([], []).text;
      writeFileSync(path.join(root, 'a.log'), text);
      writeFileSync(path.join(root, 'b.log.gz'), gzipSync(text));
      const broken = gzipSync(text);
      broken.writeUInt32LE(7, broken.length - 4);
      writeFileSync(path.join(root, 'c.log.gz'), broken);
      const seen = new Map<string, { direct: boolean; textSize: number | null | undefined; gzipped: boolean }>();
      for await (const item of walkInputs([root])) {
        if (item.type !== 'file') continue;
        seen.set(path.basename(item.file.path), { direct: Boolean(item.file.direct), textSize: item.file.textSize, gzipped: item.file.gzipped });
        item.file.stream.destroy();
      }
      assert.deepEqual(seen.get('a.log'), { direct: true, textSize: undefined, gzipped: false });
      assert.deepEqual(seen.get('b.log.gz'), { direct: false, textSize: Buffer.byteLength(text), gzipped: true });
      assert.deepEqual(seen.get('c.log.gz'), { direct: false, textSize: null, gzipped: true });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the synchronous walk gives the event loop turns', () => {
  it('timers run while a bundle of many small files is read (Ctrl-C, progress, reader threads wait on them)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rmq-turns-'));
    try {
      const lines: string[] = [];
      for (let i = 0; i < 400; i++) lines.push(`2023-09-05 03:05:${String(i % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')} INFO RocketmqClient - send heart beat to broker[broker-a 0 10.0.0.1:10911] success`);
      for (let h = 0; h < 30; h++) {
        const host = path.join(dir, `10.1.0.${h}`);
        mkdirSync(host);
        for (let f = 0; f < 10; f++) writeFileSync(path.join(host, `rocketmq_client.log.${f}`), lines.join('\n') + '\n');
      }
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      const t0 = performance.now();
      const r = await ingest([dir], opts());
      const took = performance.now() - t0;
      clearInterval(timer);
      assert.equal(r.files.length, 300);
      // a turn between files once TURN_MS has passed; none at all would leave the timer at 0 or 1
      // (the bound is loose: under a loaded test run a file alone can take tens of milliseconds)
      assert.ok(ticks >= Math.max(5, Math.floor(took / 100)), `${ticks} timer turns in ${Math.round(took)} ms`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
