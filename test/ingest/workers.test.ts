import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { allEvents, ingest, type IngestOptions, type IngestResult } from '../../src/ingest/index.js';
import { resolveZone } from '../../src/model/time.js';
import { FIXTURES } from '../helpers.js';

function opts(over: Partial<IngestOptions> = {}): IngestOptions {
  return { tz: resolveZone('Asia/Shanghai'), tzFrom: 'tz', tzFor: [], inputFormats: [], consumePattern: null, year: null, ...over };
}

/** Runs ingest with the worker settings given (env vars are read when ingest starts). */
async function withWorkers(workers: string, minBytes: string | undefined, run: () => Promise<IngestResult>): Promise<IngestResult> {
  const before = { w: process.env.RMQ_FORENSICS_WORKERS, m: process.env.RMQ_FORENSICS_WORKER_MIN_BYTES };
  process.env.RMQ_FORENSICS_WORKERS = workers;
  if (minBytes === undefined) delete process.env.RMQ_FORENSICS_WORKER_MIN_BYTES;
  else process.env.RMQ_FORENSICS_WORKER_MIN_BYTES = minBytes;
  try {
    return await run();
  } finally {
    for (const [k, v] of [['RMQ_FORENSICS_WORKERS', before.w], ['RMQ_FORENSICS_WORKER_MIN_BYTES', before.m]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Everything ingest concluded, as comparable data. */
function summary(r: IngestResult): unknown {
  return JSON.parse(JSON.stringify({ files: r.files, problems: r.problems, events: allEvents(r), persists: r.persists.count, cold: r.cold.count }));
}

const bundles = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((d) => existsSync(path.join(FIXTURES, d, 'expected.json'))).sort() : [];

describe('reader threads: a file read on a worker gives what the main thread gives', () => {
  for (const name of ['seed-000', 'ingest-mix', 'broker-offset-loss', 'slave-offset-lag'].filter((n) => bundles.includes(n))) {
    it(name, async () => {
      const dir = path.join(FIXTURES, name);
      const inProcess = await withWorkers('0', undefined, () => ingest([dir], opts()));
      const threaded = await withWorkers('2', '0', () => ingest([dir], opts()));
      assert.deepEqual(summary(threaded), summary(inProcess));
    });
  }

  it('per-file --max-bytes and --tz-for apply on the worker too', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rmq-workers-'));
    try {
      const host = path.join(dir, '172.66.6.3');
      const lines: string[] = [];
      for (let i = 0; i < 400; i++) {
        const s = String(i % 60).padStart(2, '0');
        lines.push(`2023-09-05 03:05:${s},${String(i % 1000).padStart(3, '0')} INFO RocketmqClient - [persistAll] Group: g ClientId: 172.66.6.3@1 updateConsumeOffsetToBroker MessageQueue [topic=t, brokerName=broker-b, queueId=0] ${1000 + i}`);
      }
      const { mkdirSync } = await import('node:fs');
      mkdirSync(host, { recursive: true });
      writeFileSync(path.join(host, 'rocketmq_client.log'), lines.join('\n') + '\n');
      const o = opts({ maxBytes: { file: 20_000, run: 1_000_000 }, tzFor: [{ glob: '**/172.66.6.3/**', zone: resolveZone('Asia/Tokyo') }] });
      const inProcess = await withWorkers('0', undefined, () => ingest([dir], o));
      const threaded = await withWorkers('2', '0', () => ingest([dir], o));
      assert.deepEqual(summary(threaded), summary(inProcess));
      assert.ok(inProcess.files[0]!.problems.some((p) => p.includes('--max-bytes')));
      assert.equal(inProcess.files[0]!.zone?.zone, 'Asia/Tokyo');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the run bound is shared exactly by the main thread and a reader thread reading at the same time', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rmq-workers-run-'));
    try {
      const { mkdirSync } = await import('node:fs');
      // four hosts' logs of about 1.6 MB each; the run may read 3.5 MB of them
      for (const h of ['172.66.6.3', '172.66.6.4', '172.66.6.5', '172.66.6.6']) {
        const lines: string[] = [];
        for (let i = 0; i < 9000; i++) {
          const s = String(i % 60).padStart(2, '0');
          lines.push(`2023-09-05 03:${String(5 + Math.floor(i / 600)).padStart(2, '0')}:${s},${String(i % 1000).padStart(3, '0')} INFO RocketmqClient - [persistAll] Group: g ClientId: ${h}@1 updateConsumeOffsetToBroker MessageQueue [topic=t, brokerName=broker-b, queueId=${i % 4}] ${1000 + i}`);
        }
        mkdirSync(path.join(dir, h), { recursive: true });
        writeFileSync(path.join(dir, h, 'rocketmq_client.log'), lines.join('\n') + '\n');
      }
      const run = 3_500_000;
      const progress = { filesSeen: 0, filesDone: 0, diskBytesDone: 0, bytesRead: 0, finished: false };
      const r = await withWorkers('1', '0', () => ingest([dir], opts({ maxBytes: { file: 2 ** 31, run }, progress })));
      assert.equal(progress.bytesRead, run, 'exactly the bound was read, by both threads together');
      const complete = r.files.reduce((n, f) => n + (f.identity?.bytesRead ?? 0), 0);
      assert.ok(complete <= run && complete > run - 4 * 300, `${complete} bytes of complete lines`);
      assert.ok(r.files.some((f) => f.problems.some((p) => p.includes('per run was reached'))) || r.problems.some((p) => p.problem.includes('per run')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scan resumes: a reader thread resumes a file where an earlier run stopped, as the main thread does', async () => {
    const dir = path.join(FIXTURES, 'seed-000');
    const first = await withWorkers('0', undefined, () => ingest([dir], opts()));
    // resume every file half-way through (at the end of a line), as if the last run stopped there
    const resumeFrom = first.files
      .filter((f) => f.identity !== null && f.format !== null)
      .map((f) => ({ headHash: f.identity!.headHash, headLength: f.identity!.headLength, bytesRead: f.identity!.bytesRead, linesRead: f.identity!.linesRead }));
    assert.ok(resumeFrom.length > 5);
    const inProcess = await withWorkers('0', undefined, () => ingest([dir], opts({ resumeFrom })));
    const threaded = await withWorkers('2', '0', () => ingest([dir], opts({ resumeFrom })));
    assert.deepEqual(summary(threaded), summary(inProcess));
    const logs = threaded.files.filter((f) => f.format !== null && !f.format.includes('json') && f.resumedAt !== null);
    assert.ok(logs.length > 5, 'files were resumed');
    for (const f of logs) assert.equal(f.resumedAt!.bytes, f.identity!.bytesRead);
  });

  it('a file an earlier scan read to its end does not start a reader thread; its new text does', async () => {
    const { workerPool } = await import('../../src/ingest/pool.js');
    const { PassThrough } = await import('node:stream');
    const before = { w: process.env.RMQ_FORENSICS_WORKERS, m: process.env.RMQ_FORENSICS_WORKER_MIN_BYTES };
    process.env.RMQ_FORENSICS_WORKERS = '1';
    process.env.RMQ_FORENSICS_WORKER_MIN_BYTES = String(1024 * 1024);
    try {
      const pool = workerPool(opts())!;
      const src = (size: number, gz = false): Parameters<typeof pool.wants>[0] => ({ path: `/b/${size}.log`, rel: `${size}.log`, size, mtimeMs: 0, stream: new PassThrough(), gzipped: gz, problem: null, independent: true, textSize: gz ? size * 25 : undefined });
      assert.equal(pool.wants(src(8_000_000), 8_000_000), false, 'read to its end before');
      assert.equal(pool.wants(src(8_000_000), 7_500_000), false, 'half a MiB new');
      assert.equal(pool.wants(src(8_000_000), 2_000_000), true, 'six MB new');
      assert.equal(pool.wants(src(200_000, true), 0), true, 'a gzipped piece holding 5 MB of text');
      await pool.close();
    } finally {
      for (const [k, v] of [['RMQ_FORENSICS_WORKERS', before.w], ['RMQ_FORENSICS_WORKER_MIN_BYTES', before.m]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
