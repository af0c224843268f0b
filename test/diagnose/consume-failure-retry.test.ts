import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consumeFailureRetry } from '../../src/diagnose/rules/consume-failure-retry.js';
import { RULES } from '../../src/diagnose/rules/index.js';
import { contextFrom, diagnoseWith, fixtureContext, incidentsOf, type Diagnosis } from '../rule-helpers.js';

const T = 'pos_create_pos_cooperate_sale_order';
const G = 'pos-provider';
const MQ = (topic: string, bn: string, q: number): string => `MessageQueue [topic=${topic}, brokerName=${bn}, queueId=${q}]`;
const c = (ts: string, level: string, msg: string): string => `2024-05-10 ${ts} ${level} RocketmqClient - ${msg}\r\n`;
const ms = (ts: string): number => Date.parse(`2024-05-10T${ts.replace(',', '.')}+08:00`);
const ext = (o: { id: string; q: number; off: number; re?: number; bn?: string }): string =>
  `MessageExt [brokerName=${o.bn ?? 'broker-b'}, queueId=${o.q}, storeSize=312, queueOffset=${o.off}, sysFlag=0, bornTimestamp=1715322180812, bornHost=/172.66.2.13:50412, storeTimestamp=1715322180815, storeHost=/172.66.1.31:10911, msgId=AC42011F00002A9F0000001CBE991A14, commitLogOffset=123456789012, bodyCRC=1822540310, reconsumeTimes=${o.re ?? 0}, preparedTransactionOffset=0, toString()=Message{topic='${T}', flag=0, properties={MIN_OFFSET=0, MAX_OFFSET=1300, KEYS=SO1, UNIQ_KEY=${o.id}, CLUSTER=DefaultCluster, WAIT=true, TAGS=create}, body=[123, 125], transactionId='null'}]`;
const F = '\u0001';
const R = '\u0002';
const before = (ts: string, group: string, req: string, id: string, retry: number): string => ['SubBefore', ms(ts), 'DefaultRegion', group, req, id, retry, 'SO1'].join(F) + R;
const after = (ts: string, group: string, req: string, id: string, ok: boolean): string => ['SubAfter', req, id, 20, ok, 'SO1', ok ? 0 : 2, ms(ts), group].join(F) + R;
const persist = (ts: string, off: number): string =>
  c(ts, 'INFO', `[persistAll] Group: ${G} ClientId: 172.66.6.3@12345#1289456702398741 updateConsumeOffsetToBroker ${MQ(T, 'broker-b', 0)} ${off}`);

const X = 'AC42020D00016267C3BB316F58CCBF10';
const Y = 'AC42020D00016267C3BB316F58CCBF11';
const CLIENT = '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log';
const TRACE = 'trace/RMQ_SYS_TRACE_TOPIC.bodies.txt';
const failLine = (ts: string, msgs: string[], mq = MQ(T, 'broker-b', 0)): string =>
  c(ts, 'WARN', `consumeMessage exception: java.lang.IllegalStateException: boom, com.acme.L.consume(L.java:12) Group: ${G} Msgs: [${msgs.join(', ')}] MQ: ${mq}`) +
  'java.lang.IllegalStateException: boom\r\n\tat com.acme.L.consume(L.java:12)\r\n\r\n';

const mine = (d: Diagnosis) => incidentsOf(d, 'consume-failure-retry');

describe('consume-failure-retry', () => {
  describe('valid', () => {
    it('fixture: a failed batch of 3 (whole batch sent back) and a message failing twice (one incident) → two by-design incidents', async () => {
      const ctx = await fixtureContext('consume-failure-retry');
      const d = diagnoseWith(ctx, [...RULES]);
      const incs = mine(d).sort((a, b) => a.window.start - b.window.start);
      assert.equal(incs.length, 2, incs.map((i) => i.summary).join('\n'));
      const [batch, twice] = incs as [(typeof incs)[0], (typeof incs)[0]];
      assert.deepEqual(batch.queue, { group: G, topic: T, brokerName: 'broker-a', queueId: 1 });
      assert.deepEqual(batch.offsetRange, { from: 4410, to: 4412 });
      assert.equal(batch.redeliveredCount, 3);
      assert.equal(batch.messageIds.length, 3);
      assert.equal(batch.confidence, 'high');
      assert.match(batch.summary, /whole batch was sent back/);
      assert.deepEqual(twice.queue, { group: G, topic: T, brokerName: 'broker-b', queueId: 2 });
      assert.deepEqual(twice.messageIds, ['AC42020D00016267C3BB31A3E0C21A07']);
      // both failure lines of the message are in its one chain, then the successful retry 2
      const kinds = twice.chain.map((l) => `${l.event.kind}:${l.event.line}`);
      assert.ok(kinds.includes('consume-failed:165') && kinds.includes('consume-failed:176'), kinds.join(' '));
      assert.equal(twice.chain[twice.chain.length - 1]!.event.kind, 'trace-delivery');
      assert.equal(consumeFailureRetry.meta.byDesign, true);
      // the failure at 14:25:50 without a retry in the bundle gives nothing; the pos-audit copy is dismissed
      assert.ok(!d.incidents.some((i) => i.messageIds.includes('AC42020D00016267C3BB31A4F8122B01')));
      assert.deepEqual(d.dismissed.map((x) => x.messageId), ['AC42020D00016267C3BB31A3A5111C4D']);
    });

    it('client failure line + trace SubBefore with retryTimes 1 → high, messageIds the whole failed batch', async () => {
      const ctx = await contextFrom({
        [CLIENT]: persist('14:23:00,012', 1249) + failLine('14:23:01,512', [ext({ id: X, q: 0, off: 1250 }), ext({ id: Y, q: 0, off: 1251 })]) + persist('14:23:05,012', 1252),
        [TRACE]: before('14:23:11,900', G, 'AC4206030000000000000000000000A1', X, 1) + after('14:23:11,950', G, 'AC4206030000000000000000000000A1', X, true) + '\n',
      });
      const incs = mine(diagnoseWith(ctx, [consumeFailureRetry]));
      assert.equal(incs.length, 1);
      assert.equal(incs[0]!.confidence, 'high');
      assert.deepEqual(incs[0]!.messageIds.sort(), [X, Y]);
      assert.deepEqual(incs[0]!.offsetRange, { from: 1250, to: 1251 });
      assert.match(incs[0]!.missingEvidence.join(' '), /1 of the 2 message/);
    });

    it('a failing delivery that is itself a retry (reconsumeTimes 3) proves the earlier delivery → medium', async () => {
      const ctx = await contextFrom({
        [CLIENT]: persist('14:23:00,012', 56) + failLine('14:23:01,512', [ext({ id: X, q: 0, off: 57, re: 3 })], MQ(`%RETRY%${G}`, 'broker-b', 0)),
      });
      const incs = mine(diagnoseWith(ctx, [consumeFailureRetry]));
      assert.equal(incs.length, 1);
      assert.equal(incs[0]!.confidence, 'medium');
      assert.equal(incs[0]!.offsetRange, null); // an offset of the retry queue, not of the original queue
      assert.match(incs[0]!.missingEvidence.join(' '), /first \(reconsumeTimes 0\) delivery/);
    });

    it('trace only: SubAfter success=false then SubBefore retryTimes 1 in the same group', async () => {
      const ctx = await contextFrom({
        [TRACE]:
          before('14:23:01,400', G, 'AC4206030000000000000000000000B1', X, 0) + after('14:23:01,430', G, 'AC4206030000000000000000000000B1', X, false) + '\n' +
          before('14:23:11,500', G, 'AC4206030000000000000000000000B2', X, 1) + after('14:23:11,530', G, 'AC4206030000000000000000000000B2', X, true) + '\n',
      });
      const incs = mine(diagnoseWith(ctx, [consumeFailureRetry]));
      assert.equal(incs.length, 1);
      assert.deepEqual(incs[0]!.messageIds, [X]);
      assert.match(incs[0]!.missingEvidence.join(' '), /no rocketmq_client\.log line of pos-provider shows the failure/);
    });
  });

  describe('invalid', () => {
    it('a consume failure whose re-delivery is not in the bundle → no incident (documented decision)', async () => {
      const ctx = await contextFrom({
        [CLIENT]: persist('14:23:00,012', 1249) + failLine('14:23:01,512', [ext({ id: X, q: 0, off: 1250 })]) + persist('14:23:05,012', 1251),
        [TRACE]: before('14:23:01,400', G, 'AC4206030000000000000000000000C1', X, 0) + after('14:23:01,512', G, 'AC4206030000000000000000000000C1', X, false) + '\n',
      });
      assert.equal(mine(diagnoseWith(ctx, [consumeFailureRetry])).length, 0);
    });

    it('two groups each consuming once (one of them failing) → not a retry, dismissed as not-a-duplicate', async () => {
      const ctx = await contextFrom({
        [TRACE]:
          before('14:23:01,400', G, 'AC4206030000000000000000000000D1', X, 0) + after('14:23:01,430', G, 'AC4206030000000000000000000000D1', X, false) + '\n' +
          before('14:23:11,500', 'pos-audit', 'AC4206090000000000000000000000D2', X, 1) + after('14:23:11,530', 'pos-audit', 'AC4206090000000000000000000000D2', X, true) + '\n',
      });
      const d = diagnoseWith(ctx, [consumeFailureRetry]);
      assert.equal(mine(d).length, 0);
      assert.deepEqual(d.dismissed.map((x) => x.messageId), [X]);
    });

    it('a retry explained by a consumeTimeout send-back is not claimed by this rule', async () => {
      const ctx = await contextFrom({
        [CLIENT]:
          persist('14:23:00,012', 1249) +
          c('14:38:01,240', 'INFO', `send expire msg back. topic=${T}, msgId=${X}, storeHost=/172.66.1.31:10911, queueId=0, queueOffset=1250`) +
          failLine('14:38:02,100', [ext({ id: X, q: 0, off: 1250 })]),
        [TRACE]: before('14:38:11,300', G, 'AC4206030000000000000000000000E1', X, 1) + after('14:38:11,330', G, 'AC4206030000000000000000000000E1', X, true) + '\n',
      });
      assert.equal(mine(diagnoseWith(ctx, [consumeFailureRetry])).length, 0);
    });

    it('a BROADCASTING consumer drops failed messages: no retry incident', async () => {
      const ctx = await contextFrom({
        [CLIENT]:
          c('14:21:40,102', 'INFO', `the consumer [${G}] start beginning. messageModel=BROADCASTING, isUnitMode=false`) +
          failLine('14:23:01,512', [ext({ id: X, q: 0, off: 1250 })]) +
          c('14:23:01,513', 'WARN', `BROADCASTING, the message consume failed, drop it, ${ext({ id: X, q: 0, off: 1250 })}`),
        [TRACE]: before('14:23:21,300', G, 'AC4206030000000000000000000000F1', X, 1) + after('14:23:21,330', G, 'AC4206030000000000000000000000F1', X, true) + '\n',
      });
      assert.equal(mine(diagnoseWith(ctx, [consumeFailureRetry])).length, 0);
    });
  });
});
