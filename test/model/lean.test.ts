import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CLIENT_LOGBACK_FORMAT } from '../../src/formats/client-log.js';
import { fastPath } from '../../src/ingest/fastpath.js';
import { allEvents, ingest, type IngestOptions } from '../../src/ingest/index.js';
import type { RmqEvent } from '../../src/model/events.js';
import { Interner, RawTexts, leanEvents } from '../../src/model/lean.js';
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

  it('an event made lean serialises as before, keeps every property but raw as an own one, and reads raw back', () => {
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
    // the same field value is one string, shared by the events
    assert.equal(e0.fields.brokerAddr, e2.fields.brokerAddr);
    assert.equal(strings.intern('broker-b'), e0.fields.brokerName);
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
