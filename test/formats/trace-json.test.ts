import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TRACE_ALI_FORMAT, TRACE_HUAWEI_FORMAT } from '../../src/formats/trace-cloud.js';
import { TRACE_DASHBOARD_FORMAT } from '../../src/formats/trace-dashboard.js';
import { parseJsonDocument } from '../../src/formats/trace-json.js';

import { balanced, deliveries, parseWith, publications, sample } from '../helpers.js';

const MSG = 'AC42020D00016267C3BB316F58CCBF10';

describe('JSON reader', () => {
  it('remembers the line of every object and reads JSON Lines', () => {
    const doc = parseJsonDocument(['{"a": [', '  {"b": 1},', '  {"c": "x"}', ']}', '{"d": true}']);
    assert.equal(doc.roots.length, 2);
    const first = doc.roots[0] as { a: object[] };
    assert.equal(doc.lineOf.get(first.a[0]!), 2);
    assert.equal(doc.lineOf.get(first.a[1]!), 3);
    assert.equal(doc.lineOf.get(doc.roots[1] as object), 5);
  });
  it('throws a one-line reason on bad JSON', () => {
    assert.throws(() => parseJsonDocument(['{"a": 1,', '  "b" 2}']), /^Error: invalid JSON at line 2: expected ':'/);
    assert.throws(() => parseJsonDocument(['[1, 2']), /invalid JSON at line 1/);
    assert.throws(() => parseJsonDocument(['   ']), /empty document/);
  });
});

describe('trace-dashboard-json', () => {
  it('reads a MessageTraceGraph inside a JsonResult', () => {
    const r = parseWith(TRACE_DASHBOARD_FORMAT, sample('dashboard-graph.json'));
    assert.deepEqual(r.counts, { total: 65, recognised: 3, unrecognised: 0, continuation: 62, skipped: 0 });
    balanced(r.counts);
    const [pub] = publications(r.events);
    assert.equal(pub!.line, 4);
    assert.deepEqual(pub!.fields, {
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
      origin: 'dashboard',
    });
    const d = deliveries(r.events);
    assert.deepEqual(
      d.map((e) => [e.line, e.instant, e.fields.client, e.fields.success, e.fields.costMs, e.fields.requestId]),
      [
        [31, 1715322182011, '172.66.6.4', true, 35, 'AC4206040000000000A2'],
        [45, 1715322181240, '172.66.6.3', null, null, 'AC420603303900000001'],
      ],
    );
    assert.equal(d[0]!.fields.group, 'pos-provider');
    assert.equal(d[0]!.fields.msgId, MSG);
    assert.equal(d[0]!.fields.retryTimes, 0);
  });

  it('reads the MessageTraceView list (viewMessageTraceDetail) and pairs SubBefore/SubAfter', () => {
    const r = parseWith(TRACE_DASHBOARD_FORMAT, sample('dashboard-views.json'));
    assert.deepEqual(r.counts, { total: 1, recognised: 1, unrecognised: 0, continuation: 0, skipped: 0 });
    assert.equal(publications(r.events).length, 1);
    const d = deliveries(r.events);
    assert.deepEqual(
      d.map((e) => [e.instant, e.fields.client, e.fields.success, e.fields.costMs]),
      [
        [1715322181240, '172.66.6.3', true, 2210],
        [1715322182011, '172.66.6.4', false, 35],
      ],
    );
  });

  it('turns bad JSON and an error JsonResult into a file problem', () => {
    const bad = parseWith(TRACE_DASHBOARD_FORMAT, '{"status":0,\n"data":{"producerNode":');
    assert.equal(bad.events.length, 0);
    assert.equal(bad.counts.unrecognised, 2);
    assert.match(bad.unrecognised[0]!.text, /^trace-dashboard-json: invalid JSON at line 2/);
    const err = parseWith(TRACE_DASHBOARD_FORMAT, '{"status":-1,"data":null,"errMsg":"topic not exist"}');
    assert.match(err.unrecognised[0]!.text, /status -1: topic not exist/);
    balanced(err.counts);
  });
});

describe('trace-huawei-dms-json', () => {
  it('reads ListMessageTrace and pairs SubBefore/SubAfter by request_id', () => {
    const r = parseWith(TRACE_HUAWEI_FORMAT, sample('huawei-dms-trace.json'));
    assert.deepEqual(r.counts, { total: 111, recognised: 3, unrecognised: 0, continuation: 108, skipped: 0 });
    const [pub] = publications(r.events);
    assert.equal(pub!.line, 5);
    assert.equal(pub!.fields.offsetMsgId, 'AC42011F00002A9F0000001CBE991A14');
    assert.equal(pub!.fields.storeHost, '172.66.1.31:10911');
    assert.equal(pub!.fields.origin, 'huawei-dms');
    const d = deliveries(r.events);
    assert.deepEqual(
      d.map((e) => [e.line, e.instant, e.fields.group, e.fields.client, e.fields.retryTimes, e.fields.success, e.fields.costMs]),
      [
        [26, 1715322181240, 'pos-provider', '172.66.6.3', 0, true, 2210],
        [68, 1715322212011, 'pos-provider', '172.66.6.4', 1, false, 35],
      ],
    );
  });
  it('accepts the bare array of the page example', () => {
    const text = JSON.stringify([
      { success: true, trace_type: 'SubBefore', timestamp: 1715322181240, group_name: 'g', request_id: 'R', msg_id: MSG, client_host: '10.0.0.1', retry_times: '2' },
    ]);
    const r = parseWith(TRACE_HUAWEI_FORMAT, text);
    const d = deliveries(r.events);
    assert.equal(d.length, 1);
    assert.equal(d[0]!.fields.retryTimes, 2);
    assert.equal(d[0]!.fields.success, null);
  });
});

describe('trace-ali-ons-json', () => {
  it('reads OnsTraceGetResult (TraceMapDo / SubMapDo / SubClientInfoDo)', () => {
    const r = parseWith(TRACE_ALI_FORMAT, sample('ali-ons-trace.json'));
    assert.deepEqual(r.counts, { total: 58, recognised: 3, unrecognised: 0, continuation: 55, skipped: 0 });
    const [pub] = publications(r.events);
    assert.deepEqual(
      [pub!.line, pub!.instant, pub!.fields.producerGroup, pub!.fields.success, pub!.fields.keys, pub!.fields.storeHost],
      [15, 1715322180812, 'GID_pos_order_producer', true, 'SO202405100001', null],
    );
    const d = deliveries(r.events);
    assert.deepEqual(
      d.map((e) => [e.line, e.instant, e.fields.group, e.fields.client, e.fields.retryTimes, e.fields.success, e.fields.costMs, e.fields.topic]),
      [
        [33, 1715322181240, 'GID_pos_provider', '172.66.6.3', 0, true, 2210, 'pos_create_pos_cooperate_sale_order'],
        [41, 1715322182011, 'GID_pos_provider', '172.66.6.4', 0, true, 35, 'pos_create_pos_cooperate_sale_order'],
      ],
    );
  });
  it('accepts the lowerCamelCase spelling with plain lists', () => {
    const text = JSON.stringify({
      traceData: {
        status: 'finish',
        traceList: [{ pubTime: 1715322180812, topic: 't', pubGroupName: 'GID_p', msgId: MSG, status: 'SEND_FAILED', subList: [{ subGroupName: 'GID_c', clientList: [{ subTime: 1715322181000, clientHost: '10.0.0.2', reconsumeTimes: 3, status: 'CONSUME_FAILED' }] }] }],
      },
    });
    const r = parseWith(TRACE_ALI_FORMAT, text);
    assert.equal(publications(r.events)[0]!.fields.success, false);
    const d = deliveries(r.events);
    assert.deepEqual([d[0]!.fields.group, d[0]!.fields.retryTimes, d[0]!.fields.success], ['GID_c', 3, false]);
  });
  it('says when the query task is still working', () => {
    const r = parseWith(TRACE_ALI_FORMAT, '{"RequestId":"x","TraceData":{"Status":"working","TraceList":{"TraceMapDo":[]}}}');
    assert.match(r.unrecognised[0]!.text, /still "working"/);
  });
});
