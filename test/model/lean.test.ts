import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CLIENT_LOGBACK_FORMAT } from '../../src/formats/client-log.js';
import { fastPath } from '../../src/ingest/fastpath.js';
import { allEvents, ingest, type IngestOptions } from '../../src/ingest/index.js';
import type { RmqEvent } from '../../src/model/events.js';
import { Interner, RawTexts, WarmTable, leanEvents, leanFrom } from '../../src/model/lean.js';
import { packLines, unpackLines } from '../../src/model/pack.js';
import { resolveZone } from '../../src/model/time.js';
import { FIXTURES, parseWith } from '../helpers.js';

function opts(): IngestOptions {
  return { tz: resolveZone('Asia/Shanghai'), tzFrom: 'tz', tzFor: [], inputFormats: [], consumePattern: null, year: null };
}

const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('lean events: first lines kept compressed per file, field strings shared', () => {
  it('RawTexts gives back every text, from full blocks (in memory or spilled) and from the pending one, in any order', () => {
    const texts = new RawTexts();
    const want: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const t = `2023-09-05 03:05:${String(i % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')} WARN RocketmqClient - line ${i} ${'x'.repeat(i % 97)} 消费 ${i}`;
      want.push(t);
      assert.equal(texts.add(t), i);
    }
    // before sealing: blocks and the pending tail
    for (const i of [0, 1, 2999, 2998, 1500, 17, 2400]) assert.equal(texts.text(i), want[i], `text ${i}`);
    texts.seal();
    for (let i = want.length - 1; i >= 0; i -= 7) assert.equal(texts.text(i), want[i]);
    for (let i = 0; i < want.length; i++) assert.equal(texts.text(i), want[i]);
    assert.throws(() => texts.text(3000), RangeError);
  });

  it("many files' texts read in time order (each file's turn in a row) all come back exactly, past what stays decompressed", () => {
    const files = Array.from({ length: 400 }, () => new RawTexts());
    const want: string[][] = files.map(() => []);
    for (let i = 0; i < 40; i++)
      files.forEach((f, k) => {
        const t = `2023-09-05 03:05:${String(i % 60).padStart(2, '0')},${String(k % 1000).padStart(3, '0')} INFO RocketmqClient - file ${k} line ${i} ${'y'.repeat((k * 7 + i) % 180)}`;
        want[k]!.push(t);
        f.add(t);
      });
    for (const f of files) f.seal();
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 40; i++) files.forEach((f, k) => assert.equal(f.text(i), want[k]![i], `file ${k} text ${i}`));
  });

  it('a block of lines: a short one kept as it is, a long one deflated, both read back exactly', () => {
    const short = ['2023-09-05 03:05:30,012 INFO RocketmqClient - a', '', '消费 b\u2028c'];
    const long = Array.from({ length: 400 }, (_, i) => `2023-09-05 03:05:${String(i % 60).padStart(2, '0')},012 INFO RocketmqClient - line ${i} 消费`);
    const a = packLines(short);
    const b = packLines(long);
    assert.equal(a.packed, false);
    assert.equal(b.packed, true);
    assert.ok(b.data.length < Buffer.byteLength(long.join('\n')) / 3);
    assert.deepEqual(unpackLines(a.data, a.packed), short);
    assert.deepEqual(unpackLines(b.data, b.packed), long);
  });

  it('an event made lean serialises as before, keeps every property but raw and timestampText as an own one, and reads raw back', () => {
    const line = (ms: string, broker: string): string =>
      `2023-09-05 03:10:00.${ms} INFO  [2212] [MQClientFactoryScheduledThread] [o.a.r.c.i.f.MQClientInstance#?:?] - send heart beat to broker[${broker} 0 172.66.1.31:10911] success`;
    const text = [line('008', 'broker-b'), line('009', 'broker-a'), 'not a header line', line('010', 'broker-b')].join('\n') + '\n';
    const parsed = parseWith(CLIENT_LOGBACK_FORMAT, text, { host: '172.66.6.4' }).events;
    assert.equal(parsed.length, 3);
    const before = json(parsed);
    const strings = new Interner();
    const lean = leanEvents(parsed, strings);
    assert.deepEqual(json(lean), before);
    assert.deepEqual(
      lean.map((e) => e.raw),
      parsed.map((e) => e.raw),
    );
    const e0 = lean[0] as RmqEvent & { kind: 'heartbeat-ok' };
    const e2 = lean[2] as RmqEvent & { kind: 'heartbeat-ok' };
    assert.ok(!Object.keys(e0).includes('raw'));
    assert.ok(!Object.keys(e0).includes('timestampText'));
    // the same field value is one string, shared by the events; equal fields are one object
    assert.equal(e0.fields.brokerAddr, e2.fields.brokerAddr);
    assert.equal(strings.intern('broker-b'), e0.fields.brokerName);
    assert.equal(e0.fields, e2.fields);
    assert.notEqual(e0.fields, lean[1]!.fields);
  });

  /** An event as the line parsers make it (their key order), of a kind and a first line. */
  const made = (kind: string, fields: Record<string, unknown>, raw: string, timestampText: string, line = 1): RmqEvent =>
    ({
      kind,
      fields,
      file: '/b/172.66.6.4/rocketmq_client.log',
      line,
      host: '172.66.6.4',
      timestampText,
      instant: Date.UTC(2023, 8, 4, 19, 10, 0, 8),
      precision: 'ms',
      zone: { zone: 'Asia/Shanghai', from: 'tz' },
      raw,
      exception: null,
      level: 'INFO',
      thread: null,
      seq: 2e8 + line,
    }) as unknown as RmqEvent;

  it('timestampText is read back from the line: comma or dot, space or T, a bracket before, no fraction; kept as it is when the line does not have it', () => {
    const cases: [raw: string, text: string][] = [
      ['2023-09-05 03:10:00,008 INFO RocketmqClient - send heart beat to broker[broker-b 0 172.66.1.31:10911] success', '2023-09-05 03:10:00.008'],
      ['2023-09-05 03:10:00.008 INFO  [2212] [main] [o.a.r.c.i.f.MQClientInstance#?:?] - x', '2023-09-05 03:10:00.008'],
      ['[2023-09-05T03:10:00,008+08:00] [INFO] - x', '2023-09-05 03:10:00.008'],
      ['2023-09-05T03:10:00 INFO x', '2023-09-05 03:10:00'],
      ['2023-09-05 03:10:00.123456 INFO x', '2023-09-05 03:10:00.123456'],
      ['09-05 03:10:00,008 INFO x', '09-05 03:10:00.008'],
      ['{"bornTimestamp":1693854600008,"topic":"t"}', '1693854600008'],
      ['2023-09-05 03:10:00,008 INFO x', '2023-09-05 03:10:01.000'],
      ['short', '2023-09-05 03:10:00.008'],
    ];
    const events = cases.map(([raw, text], i) => made('info', { what: 'x' }, raw, text, i + 1));
    const before = json(events);
    const lean = leanEvents(events, new Interner());
    assert.deepEqual(json(lean), before);
    for (let i = 0; i < cases.length; i++) assert.equal(lean[i]!.timestampText, cases[i]![1], cases[i]![0]);
  });

  it('events parsed again from a store of their lines read their text from it; one whose text differs keeps its own', () => {
    const lines = ['2023-09-05 03:10:00,008 WARN RocketmqRemoting - a', '2023-09-05 03:10:01,009 WARN RocketmqRemoting - b', '2023-09-05 03:10:02,010 WARN RocketmqRemoting - c'];
    let reads = 0;
    const store = {
      text(i: number): string {
        reads++;
        return lines[i]!;
      },
    };
    const parsed = lines.map((text, at) => ({ event: made('connection-failure', { remote: null, op: 'x' }, at === 1 ? `${text} (as parsed)` : text, `2023-09-05 03:10:0${at}.00${8 + at}`, at + 1), text, at }));
    const before = json(parsed.map((p) => p.event));
    const out = leanFrom(parsed, store, new Interner(), new WarmTable(parsed.length));
    assert.equal(reads, 0, 'nothing is read while the events are made');
    assert.deepEqual(json(out), before);
    assert.equal(out[0]!.raw, lines[0]);
    assert.equal(out[1]!.raw, `${lines[1]} (as parsed)`);
    const afterJson = reads;
    reads = 0;
    void out[2]!.raw;
    void out[1]!.raw;
    assert.equal(reads, 1, 'the event whose text matched reads the store; the other its own copy');
    assert.ok(afterJson >= 2);
  });

  it('events parsed again are rows of one table: the same as the events, across kinds, levels, threads and stamps not in the line; host and seq can be set, nothing else', () => {
    const lines = [
      '2023-09-05 03:10:00,008 INFO RocketmqClient - send heart beat to broker[broker-b 0 172.66.1.31:10911] success',
      '2023-09-05T03:10:01,009 WARN RocketmqRemoting - closeChannel: close the connection to remote address[172.66.1.31:10911] result: true',
      '2023-09-05 03:10:02,010 WARN RocketmqRemoting - no stamp of its own',
    ];
    const parsed = lines.map((text, at) => {
      const e = made(at === 0 ? 'heartbeat-ok' : 'connection-failure', at === 0 ? { brokerName: 'broker-b', brokerId: 0, brokerAddr: '172.66.1.31:10911' } : { remote: '172.66.1.31:10911', op: 'closeChannel' }, text, at === 2 ? '2023-09-05 03:10:09.999' : `2023-09-05 03:10:0${at}.00${8 + at}`, (at + 1) * 7);
      (e as { level: string | null }).level = at === 0 ? 'INFO' : 'WARN';
      (e as { thread: string | null }).thread = at === 1 ? 'NettyClientSelector_1' : null;
      (e as { host: string | null }).host = '172.66.6.3';
      (e as { instant: number }).instant = 1693854600008 + at * 1001;
      return { event: e, text, at };
    });
    // (one more than it may hold: the last stays as it was made)
    const extra = { event: made('info', { what: 'x' }, 'x', '2023-09-05 03:10:03.000', 99), text: 'x', at: 3 };
    const before = json([...parsed.map((p) => p.event), extra.event]);
    const out = leanFrom([...parsed, extra], { text: (i: number) => lines[i]! }, new Interner(), new WarmTable(3));
    assert.deepEqual(json(out), before);
    assert.equal(out[3], extra.event);
    assert.equal(out[2]!.timestampText, '2023-09-05 03:10:09.999');
    assert.equal(out[1]!.timestampText, '2023-09-05 03:10:01.009');
    assert.equal(out[0]!.kind, 'heartbeat-ok');
    assert.equal(out[1]!.thread, 'NettyClientSelector_1');
    assert.equal(out[0]!.instant, 1693854600008);
    out[1]!.seq = 3e8 + 14;
    out[1]!.host = '172.66.6.4';
    assert.equal(out[1]!.seq, 3e8 + 14);
    assert.equal(out[1]!.host, '172.66.6.4');
    assert.equal(out[0]!.host, '172.66.6.3', 'one row set, not the others');
    assert.throws(() => {
      (out[0] as { instant: number }).instant = 1;
    }, TypeError);
  });

  it('a column of more than 256, then more than 65,536 distinct values still reads each row back', () => {
    const n = 70_000;
    const raw = '2023-09-05 03:10:00,008 WARN RocketmqRemoting - x';
    const parsed = Array.from({ length: n }, (_, i) => {
      const e = made('connection-failure', { remote: null, op: 'x' }, raw, '2023-09-05 03:10:00.008', i + 1);
      (e as { thread: string | null }).thread = `T${i}`;
      return { event: e, text: raw, at: i };
    });
    const out = leanFrom(parsed, { text: () => raw }, new Interner(), new WarmTable(n));
    for (const i of [0, 255, 256, 257, 65_535, 65_536, 65_537, n - 1]) {
      assert.equal(out[i]!.thread, `T${i}`);
      assert.equal(out[i]!.line, i + 1);
    }
  });

  it('fields equal to the ones shared last are that object (as the map would give); names in another order, other types, arrays are not', () => {
    const strings = new Interner();
    const q = (id: number): Record<string, unknown> => ({ topic: 't', brokerName: 'broker-b', queueId: id });
    const a = strings.fields('k', { group: 'g', mq: q(0), n: 1 });
    assert.equal(strings.fields('k', { group: 'g', mq: q(0), n: 1 }), a);
    const b = strings.fields('k', { group: 'g', mq: q(1), n: 1 });
    assert.notEqual(b, a);
    assert.equal(strings.fields('k', { group: 'g', mq: q(0), n: 1 }), a, 'from the map again');
    assert.equal(strings.fields('k', { group: 'g', mq: q(0), n: 1 }), a, 'and then as the last one');
    const swapped = { n: 1, group: 'g', mq: q(0) };
    assert.equal(strings.fields('k', swapped), swapped);
    const typed = { group: 'g', mq: q(0), n: '1' };
    assert.equal(strings.fields('k', typed), typed);
    const listed = { group: 'g', mq: [q(0)], n: 1 };
    assert.equal(strings.fields('k', listed), listed);
    assert.equal(strings.fields('k', { group: 'g', mq: q(0), n: 1 }), a);
    // (-0 and 0 make one key: the map's answer, not the last object's)
    const zero = strings.fields('z', { n: 0 });
    assert.equal(strings.fields('z', { n: -0 }), zero);
  });

  it('equal fields are shared within a kind, never across kinds; a kind of mostly distinct fields stops being looked up', () => {
    const strings = new Interner();
    const raw = '2023-09-05 03:10:00,008 WARN RocketmqRemoting - x';
    const ts = '2023-09-05 03:10:00.008';
    const a = leanEvents([made('connection-failure', { remote: '10.0.0.1:10911', op: 'send' }, raw, ts), made('connection-failure', { remote: '10.0.0.1:10911', op: 'send' }, raw, ts, 2)], strings);
    assert.equal(a[0]!.fields, a[1]!.fields);
    const other = leanEvents([made('remote-timeout', { remote: '10.0.0.1:10911', op: 'send' }, raw, ts)], strings);
    assert.notEqual(other[0]!.fields, a[0]!.fields);
    // same names and values but a number for a string, or a null for a missing name: not equal
    const typed = leanEvents([made('connection-failure', { remote: '10.0.0.1:10911', op: 7 }, raw, ts), made('connection-failure', { remote: '10.0.0.1:10911', op: '7' }, raw, ts)], strings);
    assert.notEqual(typed[0]!.fields, typed[1]!.fields);
    // values that hold what a key is made of cannot pass for other values
    const crafted = leanEvents(
      [
        made('connection-failure', { remote: 'x;op=s4:send', op: 'y' }, raw, ts),
        made('connection-failure', { remote: 'x', op: 's4:send;op=y' }, raw, ts),
        made('connection-failure', { remote: 'x\u0002op\u0001sy', op: 'z' }, raw, ts),
        made('connection-failure', { remote: 'x', op: 'y\u0002op\u0001sz' }, raw, ts),
      ],
      strings,
    );
    assert.equal(new Set(crafted.map((e) => e.fields)).size, 4);
    assert.deepEqual(crafted.map((e) => (e.fields as { remote: string }).remote), ['x;op=s4:send', 'x', 'x\u0002op\u0001sy', 'x']);
    // a queue one level down counts
    const mq = (q: number): Record<string, unknown> => ({ group: 'g', mq: { topic: 't', brokerName: 'broker-b', queueId: q }, reason: 'span' });
    const flow = leanEvents([made('flow-control', mq(1), raw, ts), made('flow-control', mq(1), raw, ts), made('flow-control', mq(2), raw, ts)], strings);
    assert.equal(flow[0]!.fields, flow[1]!.fields);
    assert.notEqual(flow[1]!.fields, flow[2]!.fields);
    // offsets: every fields object distinct; past 2,000 the kind is no longer looked up, and every event is still itself
    const many = Array.from({ length: 2500 }, (_, i) => made('pull-offset-fixed', { offset: i }, raw, ts, i + 1));
    const twins = [made('pull-offset-fixed', { offset: -1 }, raw, ts), made('pull-offset-fixed', { offset: -1 }, raw, ts)];
    const before = json([...many, ...twins]);
    const out = leanEvents([...many, ...twins], strings);
    assert.deepEqual(json(out), before);
    assert.notEqual(out[2500]!.fields, out[2501]!.fields);
  });

  it('events of another shape (a document, a trace) are left as they are', () => {
    const doc = { kind: 'offset-snapshot', fields: {}, raw: '{"offsetTable":{}}', file: 'consumerOffset.json', line: 1 } as unknown as RmqEvent;
    const [out] = leanEvents([doc], new Interner());
    assert.equal(out, doc);
  });

  const bundles = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((d) => existsSync(path.join(FIXTURES, d, 'expected.json'))).sort() : [];
  for (const name of bundles.slice(0, 6)) {
    it(`${name}: ingest's events (lean) serialise as the simple path's`, async () => {
      const dir = path.join(FIXTURES, name);
      const before = fastPath.enabled;
      try {
        fastPath.enabled = false;
        const simple = await ingest([dir], opts());
        fastPath.enabled = true;
        const fast = await ingest([dir], opts());
        const all = allEvents(fast);
        assert.ok(fast.events.length > 0);
        assert.deepEqual(json(all), json(allEvents(simple)));
        assert.deepEqual(
          all.map((e) => e.raw),
          allEvents(simple).map((e) => e.raw),
        );
      } finally {
        fastPath.enabled = before;
      }
    });
  }
});
