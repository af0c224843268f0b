import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { offsetRegression } from '../../src/diagnose/rules/offset-regression.js';
import { contextFrom, diagnoseWith, fixtureContext, incidentsOf, sole, type Diagnosis } from '../rule-helpers.js';

const T = 'pos_create_pos_cooperate_sale_order';
const G = 'pos-provider';
const MQ = (q: number): string => `MessageQueue [topic=${T}, brokerName=broker-b, queueId=${q}]`;
const CID4 = '172.66.6.4@23456#1290012345678901';
const c = (ts: string, level: string, msg: string): string => `2024-05-11 ${ts} ${level} RocketmqClient - ${msg}\r\n`;
const b = (ts: string, level: string, thread: string, msg: string): string => `2024-05-11 ${ts} ${level} ${thread} - ${msg}\n`;
const persist = (ts: string, off: number): string => c(ts, 'INFO', `[persistAll] Group: ${G} ClientId: ${CID4} updateConsumeOffsetToBroker ${MQ(3)} ${off}`);
const BOOT = b('10:00:00', 'INFO', 'main', 'The broker[broker-b, 172.66.1.31:10911] boot success. serializeType=JSON and name server is 172.66.1.10:9876');
const notifyme = (ts: string, client: string, req: number, store: number): string =>
  b(ts, 'WARN', 'ConsumerManageThread_2', `[NOTIFYME]update consumer offset less than store. clientHost=${client}, key=${T}@${G}, queueId=3, requestOffset=${req}, storeOffset=${store}`);

const regressions = (d: Diagnosis) => incidentsOf(d, 'offset-regression');

describe('offset-regression', () => {
  describe('valid', () => {
    it('fixture: stale ex-owner 172.66.6.4 commits 1180 over 1250 after queue 3 moved to 172.66.6.7, which consumes 1180–1249 again', async () => {
      const ctx = await fixtureContext('offset-regression');
      const incs = regressions(diagnoseWith(ctx, [offsetRegression]));
      const inc = sole(incs);
      assert.deepEqual(inc.queue, { group: G, topic: T, brokerName: 'broker-b', queueId: 3 });
      assert.deepEqual(inc.offsetRange, { from: 1180, to: 1249 });
      assert.equal(inc.redeliveredCount, 70);
      assert.equal(inc.confidence, 'medium');
      assert.match(inc.summary, /stale ex-owner/);
      assert.match(inc.summary, /on 172\.66\.6\.7/);
      const seq = inc.chain.map((l) => `${l.event.kind}@${l.event.host ?? '?'}`);
      assert.deepEqual(seq.slice(0, 6), [
        'offset-persist@172.66.6.4',
        'offset-persist@172.66.6.4',
        'queue-removed@172.66.6.4',
        'offset-regression@172.66.1.31',
        'queue-added@172.66.6.7',
        'trace-delivery@?',
      ]);
      assert.match(inc.chain[0]!.what, /applies it \d+ s later/);
      // The re-delivery link is the new owner's consumption, not the original one.
      assert.match(inc.chain[5]!.event.raw, /172\.66\.6\.7/);
      assert.deepEqual(inc.messageIds, ['AC42020D00016267C3BD3188FD800C80']);
      assert.deepEqual(inc.missingEvidence, []);
    });

    it('the committing client log missing → low confidence, and the missing log is named', async () => {
      const ctx = await contextFrom({ '172.66.1.31/logs/rocketmqlogs/broker.log': BOOT + notifyme('10:15:01', '172.66.6.4:41022', 1180, 1250) });
      const incs = regressions(diagnoseWith(ctx, [offsetRegression]));
      assert.equal(incs.length, 1);
      assert.equal(incs[0]!.confidence, 'low');
      assert.ok(incs[0]!.missingEvidence.includes('no rocketmq_client.log from 172.66.6.4'));
      assert.ok(incs[0]!.missingEvidence.some((m) => /consumed again from 1180/.test(m)));
    });
  });

  describe('invalid', () => {
    it('a commit equal to the stored offset is no regression', async () => {
      const ctx = await contextFrom({
        '172.66.6.4/logs/rocketmqlogs/rocketmq_client.log': persist('10:14:55,407', 1250),
        '172.66.1.31/logs/rocketmqlogs/broker.log': BOOT + notifyme('10:15:01', '172.66.6.4:41022', 1250, 1250),
      });
      assert.equal(regressions(diagnoseWith(ctx, [offsetRegression])).length, 0);
    });

    it('commits that only move forward (no [NOTIFYME]) give nothing', async () => {
      const ctx = await contextFrom({
        '172.66.6.4/logs/rocketmqlogs/rocketmq_client.log': persist('10:14:55,407', 1180) + persist('10:15:00,407', 1250) + persist('10:15:05,407', 1262),
        '172.66.1.31/logs/rocketmqlogs/broker.log': BOOT,
      });
      assert.equal(regressions(diagnoseWith(ctx, [offsetRegression])).length, 0);
    });
  });
});
