import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RULES } from '../../src/diagnose/rules/index.js';
import { contextFrom, diagnoseWith, fixtureContext } from '../rule-helpers.js';

const T = 'pos_create_pos_cooperate_sale_order';
const MID = 'AC42020D00016267C3BF3198FCCF14B5';
const row = (a: string, b: string, c: string, d: string, e: string, f: string): string => `${a.padEnd(10)} ${b.padEnd(20)} ${c.padEnd(20)} ${d.padEnd(20)} ${e.padEnd(10)} ${f.padEnd(10)}\n`;
const HEAD = row('#Type', '#ConsumerGroup', '#ClientHost', '#ConsumerTime', '#CostTimes', '#Status');
const trace = (rows: string): string => `$ sh bin/mqadmin queryMsgTraceById -n 172.66.1.10:9876 -i ${MID}\n${HEAD}${rows}\n`;
const c = (ts: string, msg: string): string => `2024-05-14 ${ts} INFO RocketmqClient - ${msg}\r\n`;

describe('not-a-duplicate', () => {
  describe('valid (dismissed, never an incident)', () => {
    it('fixture clean-two-groups: each message consumed once by pos-provider and once by pos-audit → dismissed', async () => {
      const ctx = await fixtureContext('clean-two-groups');
      const d = diagnoseWith(ctx, [...RULES]);
      assert.deepEqual(d.incidents, []);
      assert.deepEqual(d.redeliveries, []);
      assert.deepEqual(d.dismissed.map((x) => x.messageId).sort(), [MID, 'AC42020D00016267C3BF3198FEC214B6']);
      for (const x of d.dismissed) {
        assert.equal(x.cause, 'not-a-duplicate');
        assert.match(x.reason, /2 consumer groups \((?:pos-provider, pos-audit|pos-audit, pos-provider)\)/);
        assert.deepEqual(x.deliveries.map((dl) => dl.client).sort(), ['172.66.6.3', '172.66.6.9']);
      }
    });

    it('fixture clean-scale-out: a normal scale-out rebalance with offsets committed first yields nothing', async () => {
      const ctx = await fixtureContext('clean-scale-out');
      const d = diagnoseWith(ctx, [...RULES]);
      assert.deepEqual(d.incidents.map((i) => `${i.cause}: ${i.summary}`), []);
      assert.deepEqual(d.redeliveries, []);
      assert.deepEqual(d.dismissed, []);
    });

    it('BROADCASTING group: every client gets every message → dismissed, not re-delivered', async () => {
      const ctx = await contextFrom({
        '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log': c('16:40:00,102', 'the consumer [pos-cache] start beginning. messageModel=BROADCASTING, isUnitMode=false'),
        '172.66.6.4/logs/rocketmqlogs/rocketmq_client.log': c('16:40:01,311', 'the consumer [pos-cache] start beginning. messageModel=BROADCASTING, isUnitMode=false'),
        [`mqadmin/queryMsgTraceById-${MID}.txt`]: trace(row('Sub', 'pos-cache', '172.66.6.3', '2024-05-14 16:41:03', '12ms', 'success') + row('Sub', 'pos-cache', '172.66.6.4', '2024-05-14 16:41:03', '9ms', 'success')),
      });
      const d = diagnoseWith(ctx, [...RULES]);
      assert.deepEqual(d.incidents, []);
      assert.deepEqual(d.redeliveries, []);
      assert.equal(d.dismissed.length, 1);
      assert.equal(d.dismissed[0]!.messageId, MID);
      assert.match(d.dismissed[0]!.reason, /BROADCASTING/);
    });
  });

  describe('invalid (a real duplicate is not dismissed)', () => {
    it('two consumptions in one CLUSTERING group are not dismissed even if another group also consumed it', async () => {
      const ctx = await contextFrom({
        '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log': c('16:40:00,102', `the consumer [pos-provider] start beginning. messageModel=CLUSTERING, isUnitMode=false`),
        [`mqadmin/queryMsgTraceById-${MID}.txt`]: trace(
          row('Sub', 'pos-provider', '172.66.6.3', '2024-05-14 16:41:03', '12ms', 'success') +
            row('Sub', 'pos-provider', '172.66.6.4', '2024-05-14 16:41:40', '9ms', 'success') +
            row('Sub', 'pos-audit', '172.66.6.9', '2024-05-14 16:41:04', '7ms', 'success'),
        ),
      });
      const d = diagnoseWith(ctx, [...RULES]);
      assert.deepEqual(d.dismissed, []);
      assert.deepEqual(d.redeliveries.map((r) => [r.messageId, r.group]), [[MID, 'pos-provider']]);
    });

    it('BROADCASTING of another group does not excuse a CLUSTERING group', async () => {
      const ctx = await contextFrom({
        '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log': c('16:40:00,102', 'the consumer [pos-cache] start beginning. messageModel=BROADCASTING, isUnitMode=false'),
        [`mqadmin/queryMsgTraceById-${MID}.txt`]: trace(row('Sub', 'pos-provider', '172.66.6.3', '2024-05-14 16:41:03', '12ms', 'success') + row('Sub', 'pos-provider', '172.66.6.4', '2024-05-14 16:41:40', '9ms', 'success')),
      });
      const d = diagnoseWith(ctx, [...RULES]);
      assert.deepEqual(d.dismissed, []);
      assert.equal(d.redeliveries.length, 1);
      assert.ok(d.incidents.length >= 1);
      void T;
    });
  });
});
