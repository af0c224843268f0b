import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TRACE_JAEGER_FORMAT, TRACE_OTLP_FORMAT, TRACE_ZIPKIN_FORMAT } from '../../src/formats/trace-spans.js';

import { balanced, deliveries, parseWith, publications, sample } from '../helpers.js';

const MSG = 'AC42020D00016267C3BB316F58CCBF10';

describe('trace-otlp-json', () => {
  it('turns consumer spans into deliveries and producer spans into publications', () => {
    const r = parseWith(TRACE_OTLP_FORMAT, sample('otlp-spans.json'));
    assert.deepEqual(r.counts, { total: 115, recognised: 3, unrecognised: 0, continuation: 112, skipped: 0 });
    const d = deliveries(r.events);
    // The receive span of the first message is folded into its process span; the HTTP span is ignored.
    assert.equal(d.length, 2);
    assert.deepEqual(d[0]!.fields, {
      msgId: MSG,
      group: 'pos-provider',
      client: '172.66.6.3',
      topic: 'pos_create_pos_cooperate_sale_order',
      brokerName: null,
      queueId: 0,
      queueOffset: 1250,
      retryTimes: null,
      success: null,
      requestId: null,
      costMs: 2210,
      origin: 'otlp',
    });
    assert.equal(d[0]!.line, 15);
    assert.equal(d[0]!.instant, 1715322181240);
    assert.equal(d[0]!.timestampText, '1715322181240123456');
    assert.equal(d[1]!.fields.group, 'pos-provider', 'messaging.consumer.group.name');
    assert.equal(d[1]!.fields.success, false, 'status code 2');
    assert.equal(d[1]!.fields.queueOffset, 1250, 'messaging.rocketmq.message.queue_offset');
    const [p] = publications(r.events);
    assert.deepEqual(
      [p!.fields.msgId, p!.fields.topic, p!.fields.producerGroup, p!.fields.storeHost, p!.fields.keys, p!.fields.success],
      [MSG, 'pos_create_pos_cooperate_sale_order', 'pos-order-producer', '172.66.1.31:10911', 'SO202405100001', true],
    );
  });
  it('reports non-OTLP JSON as a problem', () => {
    const r = parseWith(TRACE_OTLP_FORMAT, '{"foo": 1}');
    assert.match(r.unrecognised[0]!.text, /resourceSpans/);
    balanced(r.counts);
  });
});

describe('trace-jaeger-json', () => {
  it('reads spans with tags and process tags', () => {
    const r = parseWith(TRACE_JAEGER_FORMAT, sample('jaeger-trace.json'));
    assert.deepEqual(r.counts, { total: 76, recognised: 3, unrecognised: 0, continuation: 73, skipped: 0 });
    const d = deliveries(r.events);
    assert.deepEqual(
      d.map((e) => [e.line, e.instant, e.fields.group, e.fields.client, e.fields.queueId, e.fields.queueOffset, e.fields.success, e.fields.costMs]),
      [
        [6, 1715322181240, 'pos-provider', '172.66.6.3', 0, 1250, null, 2210],
        [44, 1715322242011, 'pos-provider', '172.66.6.5', null, null, false, 35],
      ],
    );
    const [p] = publications(r.events);
    assert.equal(p!.fields.producerGroup, 'pos-order-producer');
    assert.equal(p!.instant, 1715322180812);
  });
});

describe('trace-zipkin-json', () => {
  it('reads v2 spans with localEndpoint and tags', () => {
    const r = parseWith(TRACE_ZIPKIN_FORMAT, sample('zipkin-spans.json'));
    assert.deepEqual(r.counts, { total: 52, recognised: 3, unrecognised: 0, continuation: 49, skipped: 0 });
    const d = deliveries(r.events);
    assert.deepEqual(
      d.map((e) => [e.line, e.instant, e.fields.client, e.fields.queueOffset, e.fields.success]),
      [
        [2, 1715322181240, '172.66.6.3', 1250, true],
        [36, 1715322242011, '172.66.6.5', null, false],
      ],
    );
    assert.equal(publications(r.events).length, 1);
  });
});
