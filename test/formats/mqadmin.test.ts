import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MQADMIN_CONSUME_STATS_FORMAT,
  MQADMIN_MSG_FORMAT,
  MQADMIN_PROGRESS_FORMAT,
  MQADMIN_TRACE_FORMAT,
  offsetMsgIdOf,
} from '../../src/formats/mqadmin.js';
import type { EventOf, RmqEvent } from '../../src/model/events.js';
import { resolveZone } from '../../src/model/time.js';
import { balanced, parseWith, sample } from '../helpers.js';

const of = <K extends RmqEvent['kind']>(es: RmqEvent[], k: K): EventOf<K>[] => es.filter((e): e is EventOf<K> => e.kind === k);
const MSG = 'AC42020D00016267C3BB316F58CCBF10';
const MTIME = Date.UTC(2024, 4, 10, 6, 25, 0);

describe('mqadmin-trace (queryMsgTraceById)', () => {
  it('reads Pub and Sub rows in the mqadmin host zone, msgId from the command line', () => {
    const r = parseWith(MQADMIN_TRACE_FORMAT, sample('mqadmin-trace.txt'));
    assert.deepEqual(r.counts, { total: 13, recognised: 4, unrecognised: 0, continuation: 9, skipped: 0 });
    const [p] = of(r.events, 'trace-publication');
    assert.deepEqual([p!.line, p!.fields.msgId, p!.fields.producerGroup, p!.fields.success], [5, MSG, 'pos-order-producer', true]);
    // 2024-05-10 14:23:00 Asia/Shanghai
    assert.equal(p!.instant, Date.UTC(2024, 4, 10, 6, 23, 0));
    assert.equal(p!.precision, 's');
    assert.deepEqual(p!.zone, { zone: 'Asia/Shanghai', from: 'tz' });
    const d = of(r.events, 'trace-delivery');
    assert.deepEqual(
      d.map((e) => [e.line, e.fields.group, e.fields.client, e.fields.costMs, e.fields.success, e.timestampText]),
      [
        [8, 'pos-provider', '172.66.6.3', 2210, true, '2024-05-10 14:23:03'],
        [9, 'pos-provider', '172.66.6.4', 35, true, '2024-05-10 14:23:02'],
        [12, 'pos-audit', '172.66.6.9', 12, false, '2024-05-10 14:23:12'],
      ],
    );
  });
  it('uses the zone it is given and the file name when the command line is missing', () => {
    const text = sample('mqadmin-trace.txt').split('\n').slice(3).join('\n');
    const r = parseWith(MQADMIN_TRACE_FORMAT, text, { file: `bundle/trace-${MSG}.txt`, hostZone: resolveZone('UTC'), hostZoneRule: { zone: 'UTC', from: 'tz' } });
    const [p] = of(r.events, 'trace-publication');
    assert.equal(p!.fields.msgId, MSG);
    assert.equal(p!.instant, Date.UTC(2024, 4, 10, 14, 23, 0));
    const none = parseWith(MQADMIN_TRACE_FORMAT, text, { file: 'trace.txt' });
    assert.equal(none.events.length, 0);
    assert.match(none.unrecognised[0]!.text, /does not print the message id/);
    balanced(none.counts);
  });
});

describe('mqadmin-msg (queryMsgById / queryMsgByUniqueKey)', () => {
  it('one publication per stored copy of queryMsgByUniqueKey -a, offsetMsgId computed', () => {
    const r = parseWith(MQADMIN_MSG_FORMAT, sample('mqadmin-msg-uniqkey.txt'));
    assert.deepEqual(r.counts, { total: 37, recognised: 2, unrecognised: 0, continuation: 35, skipped: 0 });
    const p = of(r.events, 'trace-publication');
    assert.deepEqual(p[0]!.fields, {
      msgId: MSG,
      offsetMsgId: 'AC42011F00002A9F0000001CBE991A14',
      topic: 'pos_create_pos_cooperate_sale_order',
      producerGroup: null,
      storeHost: '172.66.1.31:10911',
      brokerName: null,
      queueId: 0,
      queueOffset: 1250,
      success: true,
      keys: 'SO202405100001',
      origin: 'mqadmin-msg',
    });
    assert.equal(p[0]!.line, 2);
    assert.equal(p[0]!.timestampText, '2024-05-10 14:23:00,815');
    assert.equal(p[0]!.instant, Date.UTC(2024, 4, 10, 6, 23, 0, 815));
    assert.equal(p[0]!.precision, 'ms');
    assert.deepEqual([p[1]!.line, p[1]!.fields.storeHost, p[1]!.fields.queueId, p[1]!.fields.queueOffset], [20, '172.66.1.33:10911', 2, 877]);
    assert.equal(p[1]!.fields.offsetMsgId, offsetMsgIdOf('172.66.1.33:10911', 98765432100));
  });
  it('queryMsgById with the OffsetID line printed twice (≤ 4.5.2) is one message', () => {
    const r = parseWith(MQADMIN_MSG_FORMAT, sample('mqadmin-msg-byid.txt'));
    assert.deepEqual(r.counts, { total: 19, recognised: 1, unrecognised: 0, continuation: 18, skipped: 0 });
    const [p] = of(r.events, 'trace-publication');
    assert.deepEqual([p!.fields.msgId, p!.fields.offsetMsgId, p!.line], [MSG, 'AC42011F00002A9F0000001CBE991A14', 1]);
  });
  it('computes offsetMsgId as in MessageDecoder.createMessageId', () => {
    assert.equal(offsetMsgIdOf('172.66.1.31:10911', 123456789012), 'AC42011F00002A9F0000001CBE991A14');
    assert.equal(offsetMsgIdOf('[::1]:10911', 1), null);
  });
  it('"Message not found!" yields nothing and no problem', () => {
    const r = parseWith(MQADMIN_MSG_FORMAT, '\nMessage not found!\n');
    assert.equal(r.events.length, 0);
    assert.equal(r.unrecognised.length, 0);
    balanced(r.counts);
  });
});

describe('mqadmin-progress (consumerProgress -g)', () => {
  const cases: [string, number, number, string | null, string, string | null][] = [
    // file, rows, first row line, group, topic, client ip of first row
    ['mqadmin-progress-4.8.txt', 3, 3, 'pos-provider', 'pos_create_pos_cooperate_sale_or', '172.66.6.4'],
    ['mqadmin-progress-4.9.2.txt', 1, 3, 'pos-provider', 'pos_create_pos_cooperate_sale_or', null],
    ['mqadmin-progress-4.9.4.txt', 1, 2, null, 'pos_create_pos_cooperate_sale_order', '172.66.6.4'],
    ['mqadmin-progress-5.1.txt', 2, 3, 'pos-provider', 'pos_create_pos_cooperate_sale_order', '172.66.6.4'],
    ['mqadmin-progress-5.1-noclient.txt', 1, 2, null, 'pos_create_pos_cooperate_sale_order', null],
  ];
  for (const [file, rows, line, group, topic, ip] of cases) {
    it(file, () => {
      const text = sample(file);
      const r = parseWith(MQADMIN_PROGRESS_FORMAT, text, { fileMtimeMs: MTIME });
      const total = text.split('\n').length - 1;
      assert.deepEqual(r.counts, { total, recognised: rows, unrecognised: 0, continuation: total - rows, skipped: 0 });
      const s = of(r.events, 'offset-snapshot');
      assert.equal(s.length, rows);
      assert.deepEqual(s[0]!.fields, {
        source: 'consumerProgress',
        group,
        topic,
        brokerName: 'broker-b',
        queueId: 0,
        consumerOffset: 1250,
        brokerOffset: 1300,
        clientIp: ip,
      });
      assert.equal(s[0]!.line, line);
      assert.equal(s[0]!.instant, MTIME);
    });
  }
  it('N/A client and the retry topic row', () => {
    const r = parseWith(MQADMIN_PROGRESS_FORMAT, sample('mqadmin-progress-4.8.txt'));
    const s = of(r.events, 'offset-snapshot');
    assert.deepEqual([s[2]!.fields.topic, s[2]!.fields.clientIp, s[2]!.fields.consumerOffset], ['%RETRY%pos-provider', null, 12]);
  });
});

describe('mqadmin-consume-stats (brokerConsumeStats)', () => {
  it('one snapshot per row with the group of the row', () => {
    const r = parseWith(MQADMIN_CONSUME_STATS_FORMAT, sample('mqadmin-consume-stats.txt'), { fileMtimeMs: MTIME });
    assert.deepEqual(r.counts, { total: 7, recognised: 3, unrecognised: 0, continuation: 4, skipped: 0 });
    const s = of(r.events, 'offset-snapshot');
    assert.deepEqual(s[0]!.fields, {
      source: 'brokerConsumeStats',
      group: 'pos-provider',
      topic: 'pos_create_pos_cooperate_sale_order',
      brokerName: 'broker-b',
      queueId: 0,
      consumerOffset: 1250,
      brokerOffset: 1300,
      clientIp: null,
    });
    assert.deepEqual(s.map((e) => e.line), [3, 4, 5]);
  });
});
