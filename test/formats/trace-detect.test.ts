import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectFormat } from '../../src/formats/index.js';
import { EXTRA_FORMATS } from '../../src/formats/extra.js';
import { sample } from '../helpers.js';

const head = (text: string): string[] => text.split('\n').slice(0, 200).map((l) => l.replace(/\r$/, ''));
const MINE = new Set(EXTRA_FORMATS.map((f) => f.id));

const EXPECTED: [string, string][] = [
  ['trace-raw.txt', 'trace-raw'],
  ['dashboard-graph.json', 'trace-dashboard-json'],
  ['dashboard-views.json', 'trace-dashboard-json'],
  ['huawei-dms-trace.json', 'trace-huawei-dms-json'],
  ['ali-ons-trace.json', 'trace-ali-ons-json'],
  ['otlp-spans.json', 'trace-otlp-json'],
  ['jaeger-trace.json', 'trace-jaeger-json'],
  ['zipkin-spans.json', 'trace-zipkin-json'],
  ['mqadmin-trace.txt', 'mqadmin-trace'],
  ['mqadmin-msg-uniqkey.txt', 'mqadmin-msg'],
  ['mqadmin-msg-byid.txt', 'mqadmin-msg'],
  ['mqadmin-progress-4.8.txt', 'mqadmin-progress'],
  ['mqadmin-progress-4.9.2.txt', 'mqadmin-progress'],
  ['mqadmin-progress-4.9.4.txt', 'mqadmin-progress'],
  ['mqadmin-progress-5.1.txt', 'mqadmin-progress'],
  ['mqadmin-progress-5.1-noclient.txt', 'mqadmin-progress'],
  ['mqadmin-consume-stats.txt', 'mqadmin-consume-stats'],
];

describe('detection of the trace / mqadmin formats', () => {
  for (const [file, id] of EXPECTED) {
    it(`${file} → ${id} (by content, under a neutral name)`, () => {
      assert.equal(detectFormat(head(sample(file)), 'export.txt').format?.id, id);
    });
  }

  it('every extra format id is unique', () => {
    assert.equal(MINE.size, EXTRA_FORMATS.length);
  });

  const CLIENT_LINES = [
    '2024-05-10 14:23:01,234 WARN RocketmqClient - fetchConsumeOffsetFromBroker exception, MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]',
    '2024-05-10 14:23:01,234 INFO RocketmqClient - rebalanced result changed. allocateMessageQueueStrategyName=AVG, group=pos-provider, topic=pos_create_pos_cooperate_sale_order, clientId=172.66.6.3@12345#1289456702398741, mqAllSize=4, cidAllSize=2, rebalanceResultSize=2, rebalanceResultSet=[MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]]',
    // The trace producer's failure line carries a trace body with \x01 separators.
    '2024-05-10 14:23:01,234 ERROR RocketmqClient - send trace data failed, the traceData is TraceTransferBean{transData=\'Pub\u00011715322180812\u0001DefaultRegion\u0001pos-order-producer\u0002\', transKey=[AC42020D00016267C3BB316F58CCBF10]}',
  ];
  const BROKER_LINES = [
    '2024-05-10 14:23:05 WARN ConsumerManageThread_3 - [NOTIFYME]update consumer offset less than store. clientHost=172.66.6.3:52814, key=pos_create_pos_cooperate_sale_order@pos-provider, queueId=0, requestOffset=1200, storeOffset=1250',
    '2024-05-10 14:23:02 INFO PullMessageThread_7 - the request offset too small. group=pos-provider, topic=pos_create_pos_cooperate_sale_order, requestOffset=-1, brokerMinOffset=0, clientIp=/172.66.6.3:52814',
  ];
  it('does not claim a plain rocketmq_client.log line', () => {
    for (const l of CLIENT_LINES) {
      const d = detectFormat([l], 'rocketmq_client.log');
      assert.ok(!MINE.has(d.format?.id ?? ''), `${d.format?.id} claimed: ${l.slice(0, 80)}`);
      for (const f of EXTRA_FORMATS) assert.equal(f.sniff([l], 'rocketmq_client.log').score, 0, `${f.id} sniffed ${l.slice(0, 60)}`);
    }
    const d = detectFormat(CLIENT_LINES, 'rocketmq_client.log');
    assert.ok(!MINE.has(d.format?.id ?? ''));
  });
  it('does not claim a broker.log line', () => {
    for (const l of BROKER_LINES) {
      for (const f of EXTRA_FORMATS) assert.equal(f.sniff([l], 'broker.log').score, 0, `${f.id} sniffed ${l.slice(0, 60)}`);
    }
    assert.ok(!MINE.has(detectFormat(BROKER_LINES, 'broker.log').format?.id ?? ''));
  });
  it('does not claim unrelated JSON (consumerOffset.json, generic arrays)', () => {
    const off = ['{', '\t"offsetTable":{', '\t\t"pos_create_pos_cooperate_sale_order@pos-provider":{0:1250,1:1198}', '\t}', '}'];
    assert.equal(detectFormat(off, 'consumerOffset.json').format?.id, 'consumer-offset-json');
    for (const f of EXTRA_FORMATS) assert.equal(f.sniff(['[{"id": 1, "name": "x"}]'], 'a.json').score, 0, f.id);
  });
});
