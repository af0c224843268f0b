import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { FORMATS } from '../../src/formats/index.js';
import { allEvents, ingest, type FileReport, type IngestResult } from '../../src/ingest/index.js';
import { resolveZone } from '../../src/model/time.js';
import { FIXTURES } from '../helpers.js';

/** `fixtures/ingest-mix`: one bundle with every input format; `expected-inputs.json` says what ingest must report per file. */
const DIR = path.join(FIXTURES, 'ingest-mix');

interface ExpectedFile {
  format: string | null;
  host: string | null;
  hostFrom: 'path' | 'content' | null;
  zone: string | null;
  lines?: { total: number; recognised: number; unrecognised: number; continuation: number; skipped: number };
  eventsByKind: Record<string, number>;
  skipped: string | null;
}
interface ExpectedInputs {
  tz: string;
  files: Record<string, ExpectedFile>;
}

const expected = JSON.parse(readFileSync(path.join(DIR, 'expected-inputs.json'), 'utf8')) as ExpectedInputs;

/** Path of a report entry relative to the fixture directory (archive entries keep `!/`). */
function relOf(f: FileReport): string {
  return path.relative(DIR, f.file).split(path.sep).join('/');
}

/** Every regular file under the fixture directory, relative, `/`-separated. */
function filesOnDisk(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(p).isDirectory()) out.push(...filesOnDisk(p, rel));
    else out.push(rel);
  }
  return out;
}

describe('ingest: fixtures/ingest-mix (every input format in one bundle)', () => {
  let r: IngestResult;
  const byRel = new Map<string, FileReport>();

  before(async () => {
    r = await ingest([DIR], { tz: resolveZone(expected.tz), tzFrom: 'tz', tzFor: [], inputFormats: [], consumePattern: null, year: null });
    for (const f of r.files) byRel.set(relOf(f), f);
  });

  it('reads the bundle without walk problems', () => {
    assert.deepEqual(r.problems, []);
  });

  it('lists every file of the bundle, archive entries included, and nothing else', () => {
    const reported = [...byRel.keys()].sort();
    assert.equal(reported.length, r.files.length, 'no file reported twice');
    assert.deepEqual(reported, Object.keys(expected.files).sort());
    // No file on disk silently dropped: each is reported itself, or (archives) through its entries.
    for (const rel of filesOnDisk(DIR)) {
      const hit = byRel.has(rel) || reported.some((p) => p.startsWith(`${rel}!/`));
      assert.ok(hit, `${rel} is not in the inputs report`);
    }
    assert.ok(reported.some((p) => p.startsWith('bundle/extra-host.tar.gz!/')), 'the .tar.gz is read in place');
    assert.ok(reported.some((p) => p.startsWith('bundle/more.zip!/')), 'the .zip is read in place');
  });

  for (const [rel, e] of Object.entries(expected.files)) {
    it(`${rel}: ${e.skipped ? `skipped (${e.skipped})` : e.format}`, () => {
      const f = byRel.get(rel);
      assert.ok(f, `${rel} not reported`);
      assert.equal(f.format, e.format, 'format');
      assert.equal(f.host, e.host, 'host');
      assert.equal(f.hostFrom, e.hostFrom, 'hostFrom');
      assert.equal(f.zone?.zone ?? null, e.zone, 'zone');
      if (e.lines) assert.deepEqual(f.lines, e.lines, 'lines');
      assert.deepEqual({ ...f.eventsByKind }, e.eventsByKind, 'eventsByKind');
      assert.equal(f.skipped, e.skipped, 'skipped');
      assert.deepEqual(f.problems, [], 'problems');
    });
  }

  it('garbage is skipped with a reason and yields nothing', () => {
    const skipped = r.files.filter((f) => f.skipped !== null);
    assert.ok(skipped.length >= 3);
    for (const f of skipped) {
      assert.ok(f.skipped && f.skipped.length > 0, `${relOf(f)}: a reason`);
      assert.equal(f.format, null);
      assert.deepEqual(f.eventsByKind, {});
      assert.equal(f.lines.skipped, f.lines.total, `${relOf(f)}: every line skipped`);
    }
    assert.match(byRel.get('172.66.6.4/core.23456')!.skipped ?? '', /^binary content/);
    assert.equal(byRel.get('172.66.6.3/logs/rocketmqlogs/watchdog.log')!.skipped, 'empty file');
    assert.equal(byRel.get('README.txt')!.skipped, 'no format recognises its first lines');
  });

  it('line accounting adds up for every file', () => {
    for (const f of r.files) {
      const l = f.lines;
      assert.equal(l.recognised + l.unrecognised + l.continuation + l.skipped, l.total, `${relOf(f)}: ${JSON.stringify(l)}`);
      const events = Object.values(f.eventsByKind).reduce((a, n) => a + (n ?? 0), 0);
      if (f.skipped === null && events > 0) assert.ok(l.recognised > 0, `${relOf(f)}: events without a recognised line`);
    }
  });

  it('every format except app-log is represented by at least one file', () => {
    const seen = new Set(r.files.map((f) => f.format).filter((x): x is string => x !== null));
    const missing = FORMATS.map((f) => f.id).filter((id) => id !== 'app-log' && !seen.has(id));
    assert.deepEqual(missing, []);
  });

  it('events are time-ordered, and every event belongs to a reported file', () => {
    assert.ok(allEvents(r).length > 0);
    // Several events of one line (a snapshot line names four queues) share their seq.
    for (let i = 1; i < allEvents(r).length; i++) {
      const a = allEvents(r)[i - 1]!;
      const b = allEvents(r)[i]!;
      assert.ok(a.instant < b.instant || (a.instant === b.instant && a.seq <= b.seq), `event ${i} out of order: ${a.file}:${a.line} / ${b.file}:${b.line}`);
    }
    const files = new Set(r.files.map((f) => f.file));
    for (const e of allEvents(r)) assert.ok(files.has(e.file), e.file);
    const total = r.files.reduce((a, f) => a + Object.values(f.eventsByKind).reduce((x, n) => x + (n ?? 0), 0), 0);
    assert.equal(allEvents(r).length, total, 'events by kind add up to the event stream');
  });

  it('takes the host from the client id when the path names none, for every event of that file', () => {
    const f = byRel.get('home/admin/logs/rocketmqlogs/rocketmq_client.log')!;
    assert.equal(f.hostFrom, 'content');
    for (const e of allEvents(r).filter((x) => x.file === f.file)) assert.equal(e.host, '172.66.2.15');
  });

  it('times: host-local layouts in --tz, GMT+8 layouts pinned, 4.7.1 fraction read as seconds', () => {
    const first = (rel: string): number => byRel.get(rel)!.firstInstant!;
    // 4.7.1 `03:04:00,000` (seconds again), Asia/Shanghai.
    assert.equal(new Date(first('172.66.6.4/logs/rocketmqlogs/rocketmq_client.log.1')).toISOString(), '2023-09-04T19:04:00.000Z');
    assert.match(byRel.get('172.66.6.4/logs/rocketmqlogs/rocketmq_client.log.1')!.detection, /seconds-as-fraction/);
    assert.equal(new Date(first('172.66.6.4/logs/rocketmqlogs/rocketmq_client.log')).toISOString(), '2023-09-04T19:05:20.101Z');
    assert.equal(new Date(first('172.66.6.3/logs/rocketmqlogs/other_days/rocketmq_client-1.log.gz')).toISOString(), '2023-09-04T19:08:00.008Z');
    assert.equal(new Date(first('smp-rest3/logs/rocketmqlogs/otherdays/rocketmq_client.1.log')).toISOString(), '2023-09-04T19:08:50.000Z');
    assert.equal(new Date(first('172.66.6.6/logs/pos-web/app.log')).toISOString(), '2023-09-04T19:09:40.000Z');
    assert.equal(new Date(first('traces/mqadmin-queryMsgTraceById.txt')).toISOString(), '2023-09-04T19:10:55.000Z');
  });
});
