import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brokerOffsetLoss } from '../../src/diagnose/rules/broker-offset-loss.js';
import { RULES } from '../../src/diagnose/rules/index.js';
import { contextFrom, diagnoseWith, fixtureContext, incidentsOf, sole, type Diagnosis } from '../rule-helpers.js';

const T = 'pos_create_pos_cooperate_sale_order';
const MQ = (bn: string, q: number): string => `MessageQueue [topic=${T}, brokerName=${bn}, queueId=${q}]`;
const PR = (bn: string, q: number, n: number): string => `PullRequest [consumerGroup=pos-provider, messageQueue=${MQ(bn, q)}, nextOffset=${n}]`;
const CID = '172.66.6.3@12345#1289456702398741';
const c = (ts: string, level: string, msg: string): string => `2024-05-10 ${ts} ${level} RocketmqClient - ${msg}\r\n`;
const b = (ts: string, level: string, thread: string, msg: string): string => `2024-05-10 ${ts} ${level} ${thread} - ${msg}\n`;
const persist = (ts: string, off: number): string => c(ts, 'INFO', `[persistAll] Group: pos-provider ClientId: ${CID} updateConsumeOffsetToBroker ${MQ('broker-b', 0)} ${off}`);

/**
 * broker-b restarts at 14:23:35; the client committed 1190 then 1200 before it went down and reads
 * `read` after it (rebalance line, or the orderly first pull when `orderly`).
 */
function restartBundle(o: { clean: boolean; read: number; orderly?: boolean; storeLog?: boolean }): Record<string, string> {
  const broker =
    b('14:22:40', 'INFO', 'HeartbeatThread_3', `new consumer connected, group: pos-provider CONSUME_PASSIVELY CLUSTERING channel: ClientChannelInfo [channel=[id: 0x5e9f8a3c, L:/172.66.1.31:10911 - R:/172.66.6.3:52814], clientId=${CID}, language=JAVA, version=401, lastUpdateTimestamp=1715322160001]`) +
    (o.clean ? b('14:23:07', 'INFO', 'ShutdownHook', 'Shutdown hook was invoked, 1') + b('14:23:09', 'INFO', 'ShutdownHook', 'Shutdown hook over, consuming total time(ms): 2012') : '') +
    b('14:23:30', 'INFO', 'main', 'load /root/store/config/consumerOffset.json OK') +
    b('14:23:35', 'INFO', 'main', 'The broker[broker-b, 172.66.1.31:10911] boot success. serializeType=JSON and name server is 172.66.1.10:9876');
  const files: Record<string, string> = {
    '172.66.1.31/logs/rocketmqlogs/broker.log': broker,
    '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log':
      persist('14:22:55,012', 1170) +
      persist('14:23:00,012', 1190) +
      persist('14:23:05,012', 1200) +
      c('14:23:17,303', 'INFO', `doRebalance, pos-provider, remove unnecessary mq, ${MQ('broker-b', 0)}`) +
      c('14:23:44,041', 'INFO', `doRebalance, pos-provider, add a new mq, ${MQ('broker-b', 0)}`) +
      (o.orderly
        ? c('14:23:44,901', 'INFO', `the first time to pull message, so fix offset from broker. pullRequest: ${PR('broker-b', 0, 1200)} NewOffset: ${o.read} brokerBusy: false`)
        : c('14:23:44,043', 'INFO', `doRebalance, pos-provider, add a new pull request ${PR('broker-b', 0, o.read)}`)) +
      persist('14:23:49,012', o.read + 20) +
      persist('14:23:54,012', o.read + 41),
  };
  if (o.storeLog !== false) {
    files['172.66.1.31/logs/rocketmqlogs/store.log'] = b('14:23:31', 'INFO', 'main', `last shutdown ${o.clean ? 'normally' : 'abnormally'}`) + b('14:23:33', 'INFO', 'main', 'load over, and the max phy offset = 123456823520');
  }
  return files;
}

const losses = (d: Diagnosis) => incidentsOf(d, 'broker-offset-loss');

describe('broker-offset-loss', () => {
  describe('valid', () => {
    it('fixture: broker-b killed (no shutdown hook, last shutdown abnormally) → queue 0 re-read at 1190 below the committed 1200', async () => {
      const ctx = await fixtureContext('broker-offset-loss');
      const incs = losses(diagnoseWith(ctx, [brokerOffsetLoss]));
      const inc = sole(incs);
      assert.deepEqual(inc.queue, { group: 'pos-provider', topic: T, brokerName: 'broker-b', queueId: 0 });
      assert.deepEqual(inc.offsetRange, { from: 1190, to: 1199 });
      assert.equal(inc.redeliveredCount, 10);
      assert.equal(inc.confidence, 'high');
      const kinds = inc.chain.map((l) => l.event.kind);
      for (const k of ['offset-persist', 'broker-last-shutdown', 'broker-start', 'queue-added', 'trace-delivery'] as const) assert.ok(kinds.includes(k), `chain lacks ${k}`);
      const read = inc.chain.find((l) => l.event.kind === 'queue-added')!;
      assert.equal(read.event.line, 132);
      assert.equal(inc.anchor, read.event);
      assert.deepEqual([...inc.messageIds].sort(), ['AC42020D00016267C3BB316F58CD04A8', 'AC42020D00016267C3BB316F58CD04B2']);
      // broker-b queue 1 read back 1305 = its last commit: nothing lost there.
      assert.ok(!incs.some((i) => i.queue?.queueId === 1));
    });

    it('fixture with every rule: exactly this incident and its two messages', async () => {
      const ctx = await fixtureContext('broker-offset-loss');
      const d = diagnoseWith(ctx, [...RULES]);
      assert.deepEqual(d.incidents.map((i) => `${i.cause}|${i.queue?.brokerName}:${i.queue?.queueId}`), ['broker-offset-loss|broker-b:0']);
      assert.deepEqual(d.redeliveries.map((r) => r.cause), ['broker-offset-loss', 'broker-offset-loss']);
    });

    it('an orderly first pull (NewOffset below the last [persistAll]) after an abnormal restart', async () => {
      const ctx = await contextFrom(restartBundle({ clean: false, read: 1190, orderly: true }));
      const incs = losses(diagnoseWith(ctx, [brokerOffsetLoss]));
      assert.equal(incs.length, 1);
      assert.deepEqual(incs[0]!.offsetRange, { from: 1190, to: 1199 });
      assert.equal(incs[0]!.anchor.kind, 'first-pull-offset');
    });

    it('without store.log the missing shutdown hook alone marks the restart abnormal, with the gap reported', async () => {
      const ctx = await contextFrom(restartBundle({ clean: false, read: 1190, storeLog: false }));
      const incs = losses(diagnoseWith(ctx, [brokerOffsetLoss]));
      assert.equal(incs.length, 1);
      assert.ok(incs[0]!.missingEvidence.some((m) => m.startsWith('no store.log')));
    });
  });

  describe('invalid', () => {
    it('a plain restart with offsets flushed (the offset read afterwards is the last commit) yields nothing', async () => {
      const ctx = await contextFrom(restartBundle({ clean: false, read: 1200 }));
      assert.equal(losses(diagnoseWith(ctx, [brokerOffsetLoss])).length, 0);
    });

    it('a clean shutdown (hook invoked, last shutdown normally) persists the offsets: no incident even for a lower read', async () => {
      const ctx = await contextFrom(restartBundle({ clean: true, read: 1190 }));
      assert.equal(losses(diagnoseWith(ctx, [brokerOffsetLoss])).length, 0);
    });

    it('a lower offset that is the broker\'s OFFSET_ILLEGAL correction belongs to offset-overflow-reset', async () => {
      const ctx = await fixtureContext('offset-overflow-reset');
      assert.equal(losses(diagnoseWith(ctx, [brokerOffsetLoss])).length, 0);
    });

    it('a master/slave failover without a master restart belongs to slave-offset-lag', async () => {
      const ctx = await fixtureContext('slave-offset-lag');
      assert.equal(losses(diagnoseWith(ctx, [brokerOffsetLoss])).length, 0);
    });
  });
});
