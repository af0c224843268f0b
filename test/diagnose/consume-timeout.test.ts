import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consumeTimeout } from '../../src/diagnose/rules/consume-timeout.js';
import { RULES } from '../../src/diagnose/rules/index.js';
import { contextFrom, diagnoseWith, fixtureContext, incidentsOf, sole, type Diagnosis } from '../rule-helpers.js';

const T = 'pos_create_pos_cooperate_sale_order';
const G = 'pos-provider';
const MQ = (bn: string, q: number): string => `MessageQueue [topic=${T}, brokerName=${bn}, queueId=${q}]`;
const c = (ts: string, level: string, msg: string): string => `2024-05-10 ${ts} ${level} RocketmqClient - ${msg}\r\n`;
const ms = (ts: string): number => Date.parse(`2024-05-10T${ts.replace(',', '.')}+08:00`);
const F = '\u0001';
const R = '\u0002';
const before = (ts: string, req: string, id: string, retry: number): string => ['SubBefore', ms(ts), 'DefaultRegion', G, req, id, retry, 'SO1'].join(F) + R;
const after = (ts: string, req: string, id: string, cost: number, ok: boolean): string => ['SubAfter', req, id, cost, ok, 'SO1', ok ? 0 : 2, ms(ts), G].join(F) + R;
const CID = '172.66.6.3@12345#1289456702398741';
const hb = c('14:21:31,307', 'INFO', 'send heart beat to broker[broker-b 0 172.66.1.31:10911] success');
const persist = (ts: string, off: number): string => c(ts, 'INFO', `[persistAll] Group: ${G} ClientId: ${CID} updateConsumeOffsetToBroker ${MQ('broker-b', 0)} ${off}`);
const expire = (ts: string, id: string, off: number): string =>
  c(ts, 'INFO', `send expire msg back. topic=${T}, msgId=${id}, storeHost=/172.66.1.31:10911, queueId=0, queueOffset=${off}`);
const X = 'AC42020D00016267C3BB316F58CCBF10';
const Y = 'AC42020D00016267C3BB316F58CCBF11';
const CLIENT = '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log';
const TRACE = 'trace/RMQ_SYS_TRACE_TOPIC.bodies.txt';

const mine = (d: Diagnosis) => incidentsOf(d, 'consume-timeout');

describe('consume-timeout', () => {
  describe('valid', () => {
    it('fixture: consumption started 14:21:10, sent back at 14:36:30, re-delivered with reconsumeTimes 1 → high', async () => {
      const ctx = await fixtureContext('consume-timeout');
      const incs = mine(diagnoseWith(ctx, [...RULES]));
      const inc = sole(incs);
      assert.deepEqual(inc.queue, { group: G, topic: T, brokerName: 'broker-b', queueId: 0 });
      assert.deepEqual(inc.offsetRange, { from: 1250, to: 1250 });
      assert.deepEqual(inc.messageIds, ['AC42020D00016267C3BB3255B1A00C31']);
      assert.equal(inc.confidence, 'high');
      assert.deepEqual(inc.chain.map((l) => l.event.kind), ['trace-delivery', 'expired-send-back', 'trace-delivery']);
      assert.equal(inc.chain[1]!.event.line, 398);
      // the 9-minute consumption of the other message is not a timeout
      assert.ok(!inc.messageIds.includes('AC42020D00016267C3BB3255F9D20C7E'));
    });

    it('two expire lines of one cleanExpiredMsg pass → one incident over the contiguous offsets', async () => {
      const ctx = await contextFrom({
        [CLIENT]: hb + persist('14:21:35,012', 1250) + expire('14:36:30,611', X, 1250) + expire('14:36:30,612', Y, 1251) + persist('14:36:35,012', 1302),
      });
      const incs = mine(diagnoseWith(ctx, [consumeTimeout]));
      assert.equal(incs.length, 1);
      assert.deepEqual(incs[0]!.offsetRange, { from: 1250, to: 1251 });
      assert.deepEqual(incs[0]!.messageIds, [X, Y]);
      // the expire lines alone: the start and the re-delivery are not shown
      assert.equal(incs[0]!.confidence, 'low');
      assert.equal(incs[0]!.missingEvidence.length, 2, incs[0]!.missingEvidence.join('\n'));
    });

    it('expire line + the re-delivery in the trace, start unknown → medium', async () => {
      const ctx = await contextFrom({
        [CLIENT]: hb + persist('14:21:35,012', 1250) + expire('14:36:30,611', X, 1250),
        [TRACE]: before('14:36:40,918', 'AC420603000000000000000000000A02', X, 1) + after('14:36:42,098', 'AC420603000000000000000000000A02', X, 1180, true) + '\n',
      });
      const incs = mine(diagnoseWith(ctx, [consumeTimeout]));
      assert.equal(incs.length, 1);
      assert.equal(incs[0]!.confidence, 'medium');
      assert.equal(incs[0]!.chain[incs[0]!.chain.length - 1]!.event.kind, 'trace-delivery');
    });
  });

  describe('invalid', () => {
    it('a slow consumption (9 min) below consumeTimeout, no expire line → nothing', async () => {
      const ctx = await contextFrom({
        [CLIENT]: hb + persist('14:21:35,012', 1250) + persist('14:31:35,012', 1251),
        [TRACE]: before('14:21:40,000', 'AC420603000000000000000000000B01', X, 0) + after('14:30:42,000', 'AC420603000000000000000000000B01', X, 542_000, true) + '\n',
      });
      assert.equal(mine(diagnoseWith(ctx, [consumeTimeout])).length, 0);
    });

    it('a retry after a consume failure (reconsumeTimes 1, no expire line) is not a timeout', async () => {
      const ext = `MessageExt [brokerName=broker-b, queueId=0, storeSize=312, queueOffset=1250, sysFlag=0, bornTimestamp=1715322180812, bornHost=/172.66.2.13:50412, storeTimestamp=1715322180815, storeHost=/172.66.1.31:10911, msgId=AC42011F00002A9F0000001CBE991A14, commitLogOffset=123456789012, bodyCRC=1822540310, reconsumeTimes=0, preparedTransactionOffset=0, toString()=Message{topic='${T}', flag=0, properties={UNIQ_KEY=${X}, TAGS=create}, body=[123, 125], transactionId='null'}]`;
      const ctx = await contextFrom({
        [CLIENT]: hb + persist('14:21:35,012', 1250) + c('14:36:20,100', 'WARN', `consumeMessage return null, Group: ${G} Msgs: [${ext}] MQ: ${MQ('broker-b', 0)}`),
        [TRACE]: before('14:36:40,918', 'AC420603000000000000000000000C02', X, 1) + after('14:36:42,098', 'AC420603000000000000000000000C02', X, 1180, true) + '\n',
      });
      assert.equal(mine(diagnoseWith(ctx, [consumeTimeout])).length, 0);
    });
  });
});
