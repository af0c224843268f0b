import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APP_LOG_FORMAT, consumePatternScore, parseLenientTime } from '../../src/formats/app-log.js';

import { resolveZone } from '../../src/model/time.js';
import { deliveries, parseWith, sample } from '../helpers.js';

const PATTERN = /^(?<time>\S+ \S+) .*consume start msgId=(?<msgId>[0-9A-F]+) topic=(?<topic>\S+) queueId=(?<queueId>\d+) queueOffset=(?<queueOffset>\d+)/g;
const SH = resolveZone('Asia/Shanghai');

describe('app-log (--consume-pattern)', () => {
  it('one delivery per matching line; other lines skipped; unreadable times unrecognised', () => {
    const r = parseWith(APP_LOG_FORMAT, sample('app-consumer.log'), { consumePattern: PATTERN, host: '172.66.6.3' });
    assert.deepEqual(r.counts, { total: 6, recognised: 2, unrecognised: 1, continuation: 0, skipped: 3 });
    const d = deliveries(r.events);
    assert.deepEqual(d[0]!.fields, {
      msgId: 'AC42020D00016267C3BB316F58CCBF10',
      group: null,
      client: '172.66.6.3',
      topic: 'pos_create_pos_cooperate_sale_order',
      brokerName: null,
      queueId: 0,
      queueOffset: 1250,
      retryTimes: null,
      success: null,
      requestId: null,
      costMs: null,
      origin: 'consume-pattern',
    });
    assert.deepEqual(d.map((e) => [e.line, e.instant, e.precision]), [
      [1, Date.UTC(2024, 4, 10, 6, 23, 1, 240), 'ms'],
      [5, Date.UTC(2024, 4, 10, 6, 23, 42, 46), 'ms'],
    ]);
    assert.deepEqual(d[0]!.zone, { zone: 'Asia/Shanghai', from: 'tz' });
    assert.equal(r.unrecognised[0]!.line, 6);
  });
  it('skips everything (and says why) without a pattern', () => {
    const r = parseWith(APP_LOG_FORMAT, sample('app-consumer.log'));
    assert.deepEqual(r.counts, { total: 6, recognised: 0, unrecognised: 0, continuation: 0, skipped: 6 });
    assert.match(r.unrecognised[0]!.text, /consume-pattern/);
  });
  it('sniffs 0 on its own; consumePatternScore is 0.35 when the pattern matches the head', () => {
    const head = sample('app-consumer.log').split('\n');
    assert.equal(APP_LOG_FORMAT.sniff(head, 'app.log').score, 0);
    assert.equal(consumePatternScore(head, PATTERN), 0.35);
    assert.equal(consumePatternScore(head, /msgId=(?<msgId>X+) at (?<time>\d+)/), 0);
    assert.equal(consumePatternScore(head, null), 0);
  });
  it('parses times leniently', () => {
    assert.deepEqual(parseLenientTime('2024-05-10 14:23:01', SH, 2024), { instant: Date.UTC(2024, 4, 10, 6, 23, 1), precision: 's', zone: null });
    assert.equal(parseLenientTime('2024-05-10T14:23:01.5', SH, 2024)!.instant, Date.UTC(2024, 4, 10, 6, 23, 1, 500));
    assert.equal(parseLenientTime('05-10 14:23:01,007', SH, 2023)!.instant, Date.UTC(2023, 4, 10, 6, 23, 1, 7));
    assert.deepEqual(parseLenientTime('2024-05-10T06:23:01.240Z', SH, 2024), { instant: Date.UTC(2024, 4, 10, 6, 23, 1, 240), precision: 'ms', zone: { zone: 'offset', from: 'rfc3339' } });
    assert.equal(parseLenientTime('2024-05-10 14:23:01,240+0800', SH, 2024)!.instant, Date.UTC(2024, 4, 10, 6, 23, 1, 240));
    assert.deepEqual(parseLenientTime('1715322181240', SH, 2024), { instant: 1715322181240, precision: 'ms', zone: { zone: 'UTC', from: 'epoch' } });
    assert.deepEqual(parseLenientTime('1715322181', SH, 2024), { instant: 1715322181000, precision: 's', zone: { zone: 'UTC', from: 'epoch' } });
    assert.equal(parseLenientTime('1715322181.25', SH, 2024)!.instant, 1715322181250);
    assert.equal(parseLenientTime('yesterday', SH, 2024), null);
    assert.equal(parseLenientTime('2024-13-10 14:23:01', SH, 2024), null);
  });
});
