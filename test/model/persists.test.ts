import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { allEvents, ingest, type IngestOptions } from '../../src/ingest/index.js';
import { fastPath } from '../../src/ingest/fastpath.js';
import { ColumnarSeries, ObjectSeries, PersistStore, type Persist, type PersistRow, type PersistSeries, type PersistTemplate, type SeriesHead } from '../../src/model/persists.js';
import { resolveZone } from '../../src/model/time.js';
import { spillWriter } from '../../src/model/spill.js';
import { FIXTURES } from '../helpers.js';

const SHANGHAI = resolveZone('Asia/Shanghai');

function head(over: Partial<SeriesHead> = {}): SeriesHead {
  return {
    file: '/b/172.66.6.3/rocketmq_client.log',
    host: '172.66.6.3',
    group: 'order-consumer',
    clientId: '172.66.6.3@4711',
    mq: { topic: 'order_topic', brokerName: 'broker-b', queueId: 0 },
    mode: 'persistAll',
    zoneRule: { zone: 'Asia/Shanghai', from: 'tz' },
    zone: SHANGHAI,
    rank: 2,
    ...over,
  };
}

const TEMPLATE: PersistTemplate = { sep: ',', rest: ' INFO RocketmqClient - ', level: 'INFO', thread: null };

/** Rows with the awkward cases: big offsets, regressions, a clock step back, chunk boundaries. */
function rows(): { instant: number; offset: number; line: number }[] {
  const out: { instant: number; offset: number; line: number }[] = [];
  let t = Date.UTC(2023, 8, 5, 2, 40, 0, 123);
  let offset = 2 ** 40 + 17;
  for (let i = 0; i < 5000; i++) {
    t += i === 150 || i === 2100 ? -7 * 60_000 : 5000 + (i % 7);
    offset += i % 50 === 49 ? -43 : i % 3;
    out.push({ instant: t, offset, line: 10 + i * 101 });
  }
  return out;
}

describe('persist store: columnar series', () => {
  it('gives back every row exactly, across chunk and spilled-block boundaries, big offsets, regressions and a clock step back', () => {
    const s = new ColumnarSeries(head());
    const want = rows();
    for (const r of want) s.add(r.instant, r.offset, r.line, TEMPLATE);
    s.seal();
    const got: { instant: number; offset: number; line: number; seq: number; index: number }[] = [];
    s.scan(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, (r) => {
      got.push({ ...r });
    });
    assert.deepEqual(
      got.map(({ instant, offset, line }) => ({ instant, offset, line })),
      want,
    );
    assert.deepEqual(
      got.map((r) => r.index),
      want.map((_, i) => i),
    );
    assert.equal(got[7]!.seq, 2 * 1e8 + want[7]!.line);
    assert.equal(s.count, 5000);
    // random access into spilled blocks and the block still in memory
    for (const i of [0, 63, 64, 127, 128, 511, 512, 513, 1023, 1024, 2100, 4095, 4096, 4999]) {
      assert.equal(s.at(i).fields.offset, want[i]!.offset, `row ${i}`);
      assert.equal(s.at(i).line, want[i]!.line, `row ${i}`);
    }
    // and after a round trip through plain data (as from a reader thread)
    const back = ColumnarSeries.restore(structuredClone(s.snapshot()));
    const again: number[] = [];
    back.scan(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, (r) => {
      again.push(r.offset);
    });
    assert.deepEqual(again, want.map((r) => r.offset));
    assert.equal(s.min, Math.min(...want.map((r) => r.instant)));
    assert.equal(s.max, Math.max(...want.map((r) => r.instant)));
  });

  it('a spill file that stops taking writes (a full disk) leaves the rest of the rows in memory, all still readable', () => {
    const w = spillWriter();
    const s = new ColumnarSeries(head());
    const want = rows();
    try {
      want.forEach((r, i) => {
        if (i === 2500 && w) w.ok = false;
        s.add(r.instant, r.offset, r.line, TEMPLATE);
      });
    } finally {
      if (w) w.ok = true;
    }
    const got: number[] = [];
    s.scan(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, (r) => {
      got.push(r.offset);
    });
    assert.deepEqual(got, want.map((r) => r.offset));
    assert.equal(s.at(1500).fields.offset, want[1500]!.offset);
    assert.equal(s.at(4000).fields.offset, want[4000]!.offset);
  });

  it('scans a window only (rows outside it are never handed out), and stops when asked', () => {
    const s = new ColumnarSeries(head());
    const want = rows();
    for (const r of want) s.add(r.instant, r.offset, r.line, TEMPLATE);
    const from = want[100]!.instant;
    const to = want[120]!.instant;
    const seen: number[] = [];
    s.scan(from, to, (r) => {
      seen.push(r.index);
    });
    const expected = want.map((r, i) => ({ r, i })).filter(({ r }) => r.instant >= from && r.instant <= to).map(({ i }) => i);
    assert.deepEqual(seen, expected);
    let n = 0;
    s.scan(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, () => ++n < 3);
    assert.equal(n, 3);
  });

  it('materialises the exact line: raw text, timestamp text, fields, seq; one object per row', () => {
    const s = new ColumnarSeries(head());
    const instant = Date.UTC(2023, 8, 5, 3, 21, 42, 7) - 8 * 3_600_000; // 03:21:42.007 in Shanghai
    s.add(instant, 108, 42, TEMPLATE);
    const e = s.at(0);
    assert.equal(e.timestampText, '2023-09-05 03:21:42.007');
    assert.equal(
      e.raw,
      '2023-09-05 03:21:42,007 INFO RocketmqClient - [persistAll] Group: order-consumer ClientId: 172.66.6.3@4711 updateConsumeOffsetToBroker MessageQueue [topic=order_topic, brokerName=broker-b, queueId=0] 108',
    );
    assert.deepEqual(e.fields, { group: 'order-consumer', clientId: '172.66.6.3@4711', mq: { topic: 'order_topic', brokerName: 'broker-b', queueId: 0 }, offset: 108, mode: 'persistAll' });
    assert.equal(e.seq, 2 * 1e8 + 42);
    assert.equal(e.level, 'INFO');
    let viaScan: Persist | null = null;
    s.scan(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, (r) => {
      viaScan = s.event(r);
    });
    assert.equal(viaScan, e, 'the same row gives the same object');
  });
});

describe('persist store: queries', () => {
  const mk = (host: string, rank: number, data: [number, number, number][]): ObjectSeries => {
    const s = new ObjectSeries(head({ host, rank, file: `/b/${host}/rocketmq_client.log` }));
    for (const [instant, offset, line] of data) {
      s.add({
        kind: 'offset-persist',
        fields: { group: 'order-consumer', clientId: `${host}@1`, mq: { topic: 'order_topic', brokerName: 'broker-b', queueId: 0 }, offset, mode: 'persistAll' },
        file: `/b/${host}/rocketmq_client.log`,
        line,
        host,
        timestampText: '',
        instant,
        precision: 'ms',
        zone: { zone: 'UTC', from: 'tz' },
        raw: '',
        exception: null,
        level: null,
        thread: null,
        seq: rank * 1e8 + line,
      });
    }
    return s;
  };
  const store = new PersistStore();
  store.add(mk('10.0.0.1', 0, [[1000, 5, 1], [2000, 9, 2], [3000, 9, 3], [4000, 7, 4]]));
  store.add(mk('10.0.0.2', 1, [[1500, 9, 1], [2500, 12, 2], [2500, 12, 3], [9000, 3, 4]]));
  const q = { group: 'order-consumer', topic: 'order_topic', brokerName: 'broker-b', queueId: 0 };

  it('a queue window comes back in time order, then read order, across series', () => {
    const got = store.onQueue(q, 1000, 4000).map((e) => `${e.host}:${e.line}`);
    assert.deepEqual(got, ['10.0.0.1:1', '10.0.0.2:1', '10.0.0.1:2', '10.0.0.2:2', '10.0.0.2:3', '10.0.0.1:3', '10.0.0.1:4']);
  });

  it('best: the first of the highest offset, the last row, a filtered first', () => {
    const highest = store.best(store.ofQueue(q), 0, 5000, (r, cur) => r.offset > cur.offset);
    assert.deepEqual([highest?.event().host, highest?.event().line], ['10.0.0.2', 2]);
    const last = store.best(store.ofQueue(q), 0, Number.POSITIVE_INFINITY, () => true);
    assert.deepEqual([last?.event().host, last?.event().line], ['10.0.0.2', 4]);
    const firstNine = store.best(store.ofQueue(q), 0, 5000, () => false, (r) => r.offset === 9);
    assert.deepEqual([firstNine?.event().host, firstNine?.event().line], ['10.0.0.2', 1]);
    assert.equal(store.best(store.ofQueue(q), 5000, 8000, () => true), null);
  });

  it('counts, hosts and the last row of a series', () => {
    assert.equal(store.ofHost('10.0.0.2').length, 1);
    assert.equal(store.ofHost('10.0.0.9').length, 0);
    assert.equal(store.count, 8);
    assert.equal(store.lastOf(store.ofHost('10.0.0.1')[0]!)?.line, 4);
  });
});

const bundles = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((d) => existsSync(path.join(FIXTURES, d, 'expected.json'))).sort() : [];

function opts(): IngestOptions {
  return { tz: SHANGHAI, tzFrom: 'tz', tzFor: [], inputFormats: [], consumePattern: null, year: null };
}

describe('persist store: the columnar lines are the lines the simple path reads', () => {
  for (const name of bundles) {
    it(name, async () => {
      const dir = path.join(FIXTURES, name);
      const before = fastPath.enabled;
      try {
        fastPath.enabled = false;
        const simple = allEvents(await ingest([dir], opts()));
        fastPath.enabled = true;
        const fast = await ingest([dir], opts());
        const columnar = fast.persists.series.filter((s) => s instanceof ColumnarSeries).reduce((n, s) => n + s.count, 0);
        // (lines with millisecond times; the 4.3–4.7.1 seconds-only lines stay objects)
        const persists = simple.filter((e) => e.kind === 'offset-persist' && e.precision === 'ms').length;
        // (ingest-mix gives most of its client logs twice: files compared line by line keep objects)
        if (name !== 'ingest-mix') assert.ok(columnar >= persists * 0.9, `commit lines with millisecond times are columnar (${columnar} of ${persists})`);
        const plain = (e: object): string => JSON.stringify(e);
        assert.deepEqual(allEvents(fast).map(plain), simple.map(plain));
      } finally {
        fastPath.enabled = before;
      }
    });
  }
});

describe('persist store: the last row before a time, searched backwards', () => {
  it('equals a full fold on every bound, across hours, days and an empty series', () => {
    const s = new ColumnarSeries(head());
    const want = rows(); // 5000 rows 5 s apart (~7 h), with two clock steps back
    for (const r of want) s.add(r.instant, r.offset, r.line, TEMPLATE);
    const empty = new ColumnarSeries(head({ file: '/b/other.log' }));
    const store = new PersistStore();
    const series = [s, empty];
    const first = Math.min(...want.map((r) => r.instant));
    const lastT = Math.max(...want.map((r) => r.instant));
    for (const to of [first - 1, first, first + 7, want[2100]!.instant, want[2100]!.instant - 1, lastT - 86_400_000, lastT, lastT + 86_400_000 * 30, Number.POSITIVE_INFINITY]) {
      for (const from of [Number.NEGATIVE_INFINITY, first + 3_600_000]) {
        const full = store.best(series, from, to, () => true);
        const back = store.last(series, from, to);
        assert.equal(back?.index ?? null, full?.index ?? null, `from ${from} to ${to}`);
      }
    }
    assert.equal(store.last([empty], Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY), null);
  });
});

describe('persist store: a queue history one event at a time (timelines)', () => {
  it('gives what onQueue over all time gives, in the same order, across columnar series (one with a clock step back) and object series; keeps none', () => {
    const store = new PersistStore();
    const want = rows();
    // two hosts' columnar series: one whose clock steps back (read whole and sorted), one in order
    const back = new ColumnarSeries(head());
    for (const r of want) back.add(r.instant, r.offset, r.line, TEMPLATE);
    back.seal();
    const ordered = new ColumnarSeries(head({ host: '172.66.6.4', clientId: '172.66.6.4@99', file: '/b/172.66.6.4/rocketmq_client.log', rank: 5 }));
    let t = Date.UTC(2023, 8, 5, 2, 0, 0, 0);
    for (let i = 0; i < 3000; i++) ordered.add((t += 4999), 9000 + i, 3 + i * 7, TEMPLATE);
    ordered.seal();
    assert.equal(back.ordered, false);
    assert.equal(ordered.ordered, true);
    assert.equal(ColumnarSeries.restore(structuredClone(back.snapshot())).ordered, false);
    const objects = new ObjectSeries(head({ host: '172.66.6.5', file: '/b/172.66.6.5/rocketmq_client.log', rank: 7 }));
    for (const e of ordered.events().slice(0, 40)) objects.add({ ...e, host: '172.66.6.5', file: '/b/172.66.6.5/rocketmq_client.log', seq: 7 * 1e8 + e.line, instant: e.instant + 2500 });
    for (const s of [back, ordered, objects]) store.add(s);
    const q = { group: 'order-consumer', topic: 'order_topic', brokerName: 'broker-b', queueId: 0 };
    const next = store.queueCursor(q);
    const streamed: Persist[] = [];
    for (let e = next(); e !== null; e = next()) streamed.push(e);
    const whole = store.onQueue(q, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
    assert.equal(streamed.length, 5000 + 3000 + 40);
    assert.deepEqual(
      streamed.map((e) => JSON.stringify(e)),
      whole.map((e) => JSON.stringify(e)),
    );
    // the in-order columnar series built its events fresh: asking the series again gives other objects
    const fresh = ordered.cursor()();
    assert.notEqual(fresh, ordered.cursor()());
    assert.deepEqual(fresh, ordered.at(0));
  });
});

describe('persist store: the first row in time order', () => {
  it('equals a full fold (smallest instant, then seq): in order, with a clock step back below row 0, with ties at the start, restored, and object series', () => {
    const fold = (s: PersistSeries): PersistRow | null => {
      let best: PersistRow | null = null;
      s.scan(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, (r) => {
        if (best === null || r.instant < best.instant || (r.instant === best.instant && r.seq < best.seq)) best = { ...r };
      });
      return best;
    };
    const t0 = Date.UTC(2023, 8, 5, 2, 0, 0, 0);
    const ordered = new ColumnarSeries(head({ rank: 5 }));
    for (let i = 0; i < 3000; i++) ordered.add(t0 + i * 4999, 9000 + i, 3 + i * 7, TEMPLATE);
    ordered.seal();
    const ties = new ColumnarSeries(head({ rank: 6 }));
    for (let i = 0; i < 1200; i++) ties.add(t0 + Math.max(0, i - 600) * 1000, 100 + i, 1 + i, TEMPLATE); // 600 rows at the first instant, across a chunk
    ties.seal();
    const back = new ColumnarSeries(head());
    for (const r of rows()) back.add(r.instant, r.offset, r.line, TEMPLATE); // steps back 7 min at rows 150 and 2100
    back.seal();
    const below = new ColumnarSeries(head({ rank: 8 }));
    for (let i = 0; i < 1500; i++) below.add(t0 + (i === 1400 ? -3_600_000 : i * 1000), 50 + i, 2 + i, TEMPLATE); // the earliest row is deep inside
    below.seal();
    const objects = new ObjectSeries(head({ rank: 7 }));
    for (const e of below.events().slice(1390, 1410)) objects.add({ ...e, seq: 7 * 1e8 + e.line });
    const empty = new ColumnarSeries(head({ rank: 9 }));
    empty.seal();
    assert.equal(ordered.ordered && ties.ordered, true);
    assert.equal(back.ordered || below.ordered, false);
    for (const [name, s] of [
      ['ordered', ordered],
      ['ties', ties],
      ['back', back],
      ['below', below],
      ['objects', objects],
      ['restored', ColumnarSeries.restore(structuredClone(ordered.snapshot()))],
      ['empty', empty],
    ] as const) {
      assert.deepEqual(s.first(), fold(s), name);
    }
    assert.equal(below.first()!.index, 1400);
    assert.equal(empty.first(), null);
  });
});
