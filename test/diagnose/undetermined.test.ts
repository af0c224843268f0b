import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RULES } from '../../src/diagnose/rules/index.js';
import { contextFrom, diagnoseWith, fixtureContext } from '../rule-helpers.js';

const T = 'pos_create_pos_cooperate_sale_order';
const MID = 'AC42020D00016267C3C0319F393817E8';
const row = (a: string, b: string, c: string, d: string, e: string, f: string): string => `${a.padEnd(10)} ${b.padEnd(20)} ${c.padEnd(20)} ${d.padEnd(20)} ${e.padEnd(10)} ${f.padEnd(10)}\n`;
const HEAD = row('#Type', '#ConsumerGroup', '#ClientHost', '#ConsumerTime', '#CostTimes', '#Status');
const trace = (rows: string): string => `$ sh bin/mqadmin queryMsgTraceById -n 172.66.1.10:9876 -i ${MID}\n${HEAD}${rows}\n`;
const TWICE = row('Sub', 'pos-provider', '172.66.6.3', '2024-05-15 11:04:42', '61ms', 'success') + row('Sub', 'pos-provider', '172.66.6.4', '2024-05-15 11:05:30', '44ms', 'success');

describe('undetermined', () => {
  describe('valid', () => {
    it('fixture: a trace shows one msgId consumed twice by pos-provider on two clients, no logs of those clients nor of broker-b', async () => {
      const ctx = await fixtureContext('undetermined');
      const d = diagnoseWith(ctx, [...RULES]);
      assert.equal(d.incidents.length, 1, d.incidents.map((i) => `${i.cause}: ${i.summary}`).join('\n'));
      const inc = d.incidents[0]!;
      assert.equal(inc.cause, 'undetermined');
      assert.equal(inc.confidence, 'low');
      assert.deepEqual(inc.queue, { group: 'pos-provider', topic: T, brokerName: 'broker-b', queueId: 2 });
      assert.deepEqual(inc.offsetRange, { from: 845, to: 845 });
      assert.deepEqual(inc.messageIds, [MID]);
      assert.deepEqual(inc.missingEvidence, ['no rocketmq_client.log from 172.66.6.3', 'no rocketmq_client.log from 172.66.6.4', 'no broker.log from broker-b (172.66.1.31)']);
      assert.deepEqual(inc.chain.map((l) => l.what), ['delivered to 172.66.6.3', 'delivered to 172.66.6.4']);
      assert.deepEqual(d.redeliveries.map((r) => [r.messageId, r.cause, r.queueOffset]), [[MID, 'undetermined', 845]]);
    });

    it('trace only, location unknown: still undetermined, queue null, the consumers named as missing', async () => {
      const ctx = await contextFrom({ [`mqadmin/queryMsgTraceById-${MID}.txt`]: trace(TWICE) });
      const d = diagnoseWith(ctx, [...RULES]);
      assert.equal(d.incidents.length, 1);
      assert.equal(d.incidents[0]!.cause, 'undetermined');
      assert.equal(d.incidents[0]!.queue, null);
      assert.deepEqual(d.incidents[0]!.missingEvidence, ['no rocketmq_client.log from 172.66.6.3', 'no rocketmq_client.log from 172.66.6.4']);
    });
  });

  describe('invalid', () => {
    it('a single consumption is no re-delivery', async () => {
      const ctx = await contextFrom({ [`mqadmin/queryMsgTraceById-${MID}.txt`]: trace(row('Sub', 'pos-provider', '172.66.6.3', '2024-05-15 11:04:42', '61ms', 'success')) });
      const d = diagnoseWith(ctx, [...RULES]);
      assert.deepEqual(d.incidents, []);
      assert.deepEqual(d.redeliveries, []);
    });

    it('two consumptions in two different groups are dismissed, not undetermined', async () => {
      const ctx = await contextFrom({
        [`mqadmin/queryMsgTraceById-${MID}.txt`]: trace(row('Sub', 'pos-provider', '172.66.6.3', '2024-05-15 11:04:42', '61ms', 'success') + row('Sub', 'pos-audit', '172.66.6.9', '2024-05-15 11:04:43', '8ms', 'success')),
      });
      const d = diagnoseWith(ctx, [...RULES]);
      assert.deepEqual(d.incidents, []);
      assert.equal(d.dismissed.length, 1);
    });

    it('a rule that explains the queue+offset takes the message: no undetermined incident', async () => {
      const b = (ts: string, msg: string): string => `2024-05-15 ${ts} WARN ConsumerManageThread_2 - ${msg}\n`;
      const ctx = await contextFrom({
        [`mqadmin/queryMsgTraceById-${MID}.txt`]: trace(TWICE),
        'mqadmin/queryMsgByUniqueKey.txt':
          `$ sh bin/mqadmin queryMsgByUniqueKey -n 172.66.1.10:9876 -t ${T} -i ${MID}\nTopic:               ${T}\nQueue ID:            2\nQueue Offset:        845\nCommitLog Offset:    126000445566\nStore Timestamp:     2024-05-15 11:04:41,211\nStore Host:          172.66.1.31:10911\nProperties:          {UNIQ_KEY=${MID}, TAGS=create}\n`,
        '172.66.1.31/logs/rocketmqlogs/broker.log':
          '2024-05-15 10:00:00 INFO main - The broker[broker-b, 172.66.1.31:10911] boot success. serializeType=JSON and name server is 172.66.1.10:9876\n' +
          b('11:05:20', `[NOTIFYME]update consumer offset less than store. clientHost=172.66.6.4:41022, key=${T}@pos-provider, queueId=2, requestOffset=840, storeOffset=850`),
      });
      const d = diagnoseWith(ctx, [...RULES]);
      assert.deepEqual(d.incidents.map((i) => i.cause), ['offset-regression']);
      assert.deepEqual(d.redeliveries.map((r) => r.cause), ['offset-regression']);
    });
  });
});
