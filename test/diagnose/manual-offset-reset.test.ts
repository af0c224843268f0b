import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manualOffsetReset } from '../../src/diagnose/rules/manual-offset-reset.js';
import { offsetRegression } from '../../src/diagnose/rules/offset-regression.js';
import { RULES } from '../../src/diagnose/rules/index.js';
import { contextFrom, diagnoseWith, fixtureContext, incidentsOf, type Diagnosis } from '../rule-helpers.js';

const T = 'pos_create_pos_cooperate_sale_order';
const G = 'pos-provider';
const MQ = (q: number): string => `MessageQueue [topic=${T}, brokerName=broker-b, queueId=${q}]`;
const CID3 = '172.66.6.3@12345#1289456702398741';
const c = (ts: string, level: string, msg: string): string => `2024-05-10 ${ts} ${level} RocketmqClient - ${msg}\r\n`;
const b = (ts: string, level: string, thread: string, msg: string): string => `2024-05-10 ${ts} ${level} ${thread} - ${msg}\n`;
const persist = (ts: string, q: number, off: number, mode = 'persistAll'): string => c(ts, 'INFO', `[${mode}] Group: ${G} ClientId: ${CID3} updateConsumeOffsetToBroker ${MQ(q)} ${off}`);
const notifyme = (ts: string, client: string, q: number, req: number, store: number): string =>
  b(ts, 'WARN', 'ConsumerManageThread_5', `[NOTIFYME]update consumer offset less than store. clientHost=${client}, key=${T}@${G}, queueId=${q}, requestOffset=${req}, storeOffset=${store}`);
const heartbeat = (ts: string): string => c(ts, 'INFO', 'send heart beat to broker[broker-b 0 172.66.1.31:10911] success');
const STARTED = b('15:00:00', 'INFO', 'AdminBrokerThread_1', `[reset-offset] reset offset started by 172.66.1.50:61234. topic=${T}, group=${G}, timestamp=1715323200000, isForce=true`);

/** The consumer on 172.66.6.3 with its offsets before 15:00 (queue 0 at 1250). */
function consumerLog(after: string): string {
  return heartbeat('14:56:10,013') + persist('14:59:50,012', 0, 1248) + persist('14:59:55,012', 0, 1250) + after;
}

const resets = (d: Diagnosis) => incidentsOf(d, 'manual-offset-reset');

describe('manual-offset-reset', () => {
  describe('valid', () => {
    it('fixture: mqadmin resetOffsetByTime to 14:40 → one incident per rewound queue of broker-b, blast radius reset offset → previous position', async () => {
      const ctx = await fixtureContext('manual-offset-reset');
      const d = diagnoseWith(ctx, [...RULES]);
      const incs = resets(d).sort((x, y) => x.queue!.queueId - y.queue!.queueId);
      assert.equal(d.incidents.length, 4, d.incidents.map((i) => `${i.cause}: ${i.summary}`).join('\n'));
      assert.deepEqual(
        incs.map((i) => [i.queue!.queueId, i.offsetRange, i.redeliveredCount, i.confidence]),
        [
          [0, { from: 1180, to: 1249 }, 70, 'high'],
          [1, { from: 1130, to: 1197 }, 68, 'high'],
          [2, { from: 1240, to: 1300 }, 61, 'high'],
          [3, { from: 1215, to: 1276 }, 62, 'high'],
        ],
      );
      const q0 = incs[0]!;
      assert.deepEqual(q0.queue, { group: G, topic: T, brokerName: 'broker-b', queueId: 0 });
      const kinds: string[] = q0.chain.map((l) => l.event.kind);
      assert.equal(kinds[0], 'offset-reset', 'the chain starts with the operator request');
      assert.match(q0.chain[0]!.event.raw, /reset offset started by 172\.66\.1\.50:61234/);
      for (const k of ['offset-regression', 'offset-persist', 'queue-added', 'trace-delivery']) assert.ok(kinds.includes(k), `chain has ${k}: ${kinds.join(',')}`);
      assert.ok(q0.chain.some((l) => l.event.kind === 'offset-reset' && l.event.host === '172.66.6.3' && /suspend this consumer/.test(l.event.raw)));
      assert.deepEqual(q0.messageIds, ['AC42020D00016267C3BB3179C31004B0']);
      assert.equal(q0.anchor.kind, 'offset-regression');
      assert.deepEqual(q0.missingEvidence, []);
      // The generic rule must not report the same [NOTIFYME] lines.
      assert.equal(d.incidents.filter((i) => i.cause === 'offset-regression').length, 0);
      assert.deepEqual(d.redeliveries.map((r) => [r.messageId, r.cause]), [['AC42020D00016267C3BB3179C31004B0', 'manual-offset-reset']]);
    });

    it('offline group: [NOTIFYME] written from a host that is no consumer (the mqadmin host) → medium confidence, "strong hint"', async () => {
      const ctx = await contextFrom({
        '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log': consumerLog(c('15:02:10,101', 'INFO', `doRebalance, ${G}, add a new pull request PullRequest [consumerGroup=${G}, messageQueue=${MQ(0)}, nextOffset=1180]`)),
        '172.66.1.31/logs/rocketmqlogs/broker.log':
          b('15:00:00', 'ERROR', 'AdminBrokerThread_1', `Consumer not online, so can not reset offset, Group: ${G} Topic: ${T} Timestamp: 1715323200000`) +
          notifyme('15:00:01', '172.66.1.50:61240', 0, 1180, 1250),
      });
      const d = diagnoseWith(ctx, [manualOffsetReset, offsetRegression]);
      assert.equal(d.incidents.length, 1, d.incidents.map((i) => `${i.cause}: ${i.summary}`).join('\n'));
      const inc = d.incidents[0]!;
      assert.equal(inc.cause, 'manual-offset-reset');
      assert.equal(inc.confidence, 'medium');
      assert.match(inc.summary, /strong hint/);
      assert.deepEqual(inc.offsetRange, { from: 1180, to: 1249 });
      assert.deepEqual(
        inc.chain.map((l) => l.event.kind),
        ['offset-reset', 'offset-regression', 'queue-added'],
      );
    });

    it('client log only (no broker.log): the reset is known from the client, the rewind from its [persist]', async () => {
      const ctx = await contextFrom({
        '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log': consumerLog(
          c('15:00:00,013', 'INFO', `invoke reset offset operation from broker. brokerAddr=172.66.1.31:10911, topic=${T}, group=${G}, timestamp=1715323200000`) +
            c('15:00:00,014', 'INFO', `suspend this consumer, ${G}`) +
            persist('15:00:10,020', 0, 1180, 'persist') +
            c('15:00:10,023', 'INFO', `resume this consumer, ${G}`) +
            c('15:00:13,592', 'INFO', `doRebalance, ${G}, add a new pull request PullRequest [consumerGroup=${G}, messageQueue=${MQ(0)}, nextOffset=1180]`),
        ),
      });
      const incs = resets(diagnoseWith(ctx, [manualOffsetReset]));
      assert.equal(incs.length, 1);
      assert.equal(incs[0]!.confidence, 'medium');
      assert.deepEqual(incs[0]!.offsetRange, { from: 1180, to: 1249 });
      assert.ok(incs[0]!.missingEvidence.some((m) => /no \[reset-offset\] line/.test(m)));
      assert.ok(incs[0]!.missingEvidence.some((m) => /no broker\.log from broker-b/.test(m)));
    });
  });

  describe('invalid', () => {
    it('a [NOTIFYME] committed by a known consumer, with no reset anywhere, is not a manual reset', async () => {
      const ctx = await contextFrom({
        '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log': consumerLog(persist('15:00:05,012', 0, 1180)),
        '172.66.1.31/logs/rocketmqlogs/broker.log': notifyme('15:00:05', '172.66.6.3:52814', 0, 1180, 1250),
      });
      const d = diagnoseWith(ctx, [manualOffsetReset, offsetRegression]);
      assert.equal(resets(d).length, 0);
      assert.deepEqual(d.incidents.map((i) => i.cause), ['offset-regression'], 'the generic rule keeps it');
    });

    it('a reset to the max offset (timestamp=-1) skips messages: no rewind, no incident', async () => {
      const ctx = await contextFrom({
        '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log': consumerLog(
          c('15:00:00,013', 'INFO', `invoke reset offset operation from broker. brokerAddr=172.66.1.31:10911, topic=${T}, group=${G}, timestamp=-1`) +
            c('15:00:00,014', 'INFO', `suspend this consumer, ${G}`) +
            persist('15:00:10,020', 0, 1302, 'persist') +
            c('15:00:10,023', 'INFO', `resume this consumer, ${G}`),
        ),
        '172.66.1.31/logs/rocketmqlogs/broker.log':
          b('15:00:00', 'INFO', 'AdminBrokerThread_1', `[reset-offset] reset offset started by 172.66.1.50:61234. topic=${T}, group=${G}, timestamp=-1, isForce=true`) +
          b('15:00:00', 'INFO', 'AdminBrokerThread_1', `[reset-offset] reset offset success. topic=${T}, group=${G}, clientId=${CID3}`),
      });
      assert.equal(resets(diagnoseWith(ctx, [manualOffsetReset])).length, 0);
    });

    it('the broker request without any rewound queue (no [NOTIFYME], no lower [persist]) claims nothing', async () => {
      const ctx = await contextFrom({
        '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log': consumerLog(persist('15:00:05,012', 0, 1252)),
        '172.66.1.31/logs/rocketmqlogs/broker.log': STARTED,
      });
      assert.equal(resets(diagnoseWith(ctx, [manualOffsetReset])).length, 0);
    });

    it('without any consumer evidence, a [NOTIFYME] from an unknown host is not called a manual reset', async () => {
      const ctx = await contextFrom({
        '172.66.1.31/logs/rocketmqlogs/broker.log':
          b('14:59:00', 'INFO', 'main', 'The broker[broker-b, 172.66.1.31:10911] boot success. serializeType=JSON and name server is 172.66.1.10:9876') +
          notifyme('15:00:01', '172.66.1.50:61240', 0, 1180, 1250),
      });
      assert.equal(resets(diagnoseWith(ctx, [manualOffsetReset])).length, 0);
    });
  });
});
