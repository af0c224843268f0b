import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TRACE_RAW_FORMAT } from '../../src/formats/trace-raw.js';

import { balanced, deliveries, parseWith, sample } from '../helpers.js';

const MSG = 'AC42020D00016267C3BB316F58CCBF10';

describe('trace-raw', () => {
  it('parses Pub, paired SubBefore/SubAfter (4.8+ and 4.4–4.7 forms), EndTransaction and Recall', () => {
    const r = parseWith(TRACE_RAW_FORMAT, sample('trace-raw.txt'));
    assert.deepEqual(r.counts, { total: 8, recognised: 6, unrecognised: 0, continuation: 2, skipped: 0 });
    balanced(r.counts);
    assert.deepEqual(
      r.events.map((e) => [e.line, e.kind]),
      [
        [1, 'trace-publication'],
        [2, 'trace-delivery'],
        [5, 'trace-delivery'],
        [6, 'trace-delivery'],
        [7, 'info'],
        [8, 'info'],
      ],
    );
    const pub = r.events[0]!;
    assert.equal(pub.kind, 'trace-publication');
    if (pub.kind === 'trace-publication') {
      assert.deepEqual(pub.fields, {
        msgId: MSG,
        offsetMsgId: 'AC42011F00002A9F0000001CBE991A14',
        topic: 'pos_create_pos_cooperate_sale_order',
        producerGroup: 'pos-order-producer',
        storeHost: '172.66.1.31:10911',
        brokerName: null,
        queueId: null,
        queueOffset: null,
        success: true,
        keys: 'SO202405100001',
        origin: 'trace-raw',
      });
      assert.equal(pub.instant, 1715322180812);
      assert.deepEqual(pub.zone, { zone: 'UTC', from: 'epoch' });
    }
    const d = deliveries(r.events);
    assert.deepEqual(d[0]!.fields, {
      msgId: MSG,
      group: 'pos-provider',
      client: null,
      topic: 'pos_create_pos_cooperate_sale_order',
      brokerName: null,
      queueId: null,
      queueOffset: null,
      retryTimes: 0,
      success: true,
      requestId: 'AC420603303900000001',
      costMs: 2210,
      origin: 'trace-raw',
    });
    assert.equal(d[0]!.instant, 1715322181240, 'time of the SubBefore');
    // Second consumption in one body on one line.
    assert.equal(d[1]!.fields.requestId, 'AC4206040000000000A2');
    assert.equal(d[1]!.instant, 1715322182011);
    // 4.7 short SubAfter: success=false, retryTimes from SubBefore, group from SubBefore.
    assert.equal(d[2]!.fields.group, 'pos-audit');
    assert.equal(d[2]!.fields.success, false);
    assert.equal(d[2]!.fields.retryTimes, 1);
    assert.equal(d[2]!.fields.costMs, 12);
    const infos = r.events.filter((e) => e.kind === 'info');
    assert.equal(infos.length, 2);
  });

  it('pairs a SubAfter that comes before its SubBefore and keeps an unpaired long SubAfter', () => {
    const A = '\u0001';
    const B = '\u0002';
    const body =
      ['SubAfter', 'R1', MSG, '40', 'true', 'k', '0', '1715322183450', 'g1'].join(A) + B +
      ['SubBefore', '1715322183410', 'DefaultRegion', 'g1', 'R1', MSG, '2', 'k'].join(A) + B +
      ['SubAfter', 'R2', MSG, '10', 'false', 'k', '4', '1715322190000', 'g2'].join(A) + B;
    const r = parseWith(TRACE_RAW_FORMAT, body + '\n');
    const d = deliveries(r.events);
    assert.equal(d.length, 2);
    assert.equal(d[0]!.fields.retryTimes, 2);
    assert.equal(d[0]!.fields.success, true);
    assert.equal(d[0]!.instant, 1715322183410);
    assert.equal(d[1]!.fields.group, 'g2');
    assert.equal(d[1]!.fields.success, false);
    assert.equal(d[1]!.instant, 1715322190000);
    assert.deepEqual(r.counts, { total: 1, recognised: 1, unrecognised: 0, continuation: 0, skipped: 0 });
  });

  it('reports a file without trace records as a problem, without crashing', () => {
    const r = parseWith(TRACE_RAW_FORMAT, 'hello\nworld\n');
    assert.equal(r.events.length, 0);
    assert.equal(r.counts.unrecognised, 2);
    balanced(r.counts);
    assert.match(r.unrecognised[0]!.text, /no trace record/);
  });

  it('survives truncated and odd records', () => {
    const A = '\u0001';
    const text = ['Pub', '17153'].join(A) + '\u0002\n' + ['SubBefore', 'x', 'y'].join(A) + '\n' + ['SubAfter', 'R', MSG, 'x', 'maybe'].join(A) + '\n';
    const r = parseWith(TRACE_RAW_FORMAT, text);
    assert.equal(r.events.length, 0);
    balanced(r.counts);
  });
});
