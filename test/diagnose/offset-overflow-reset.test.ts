import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RULES } from '../../src/diagnose/rules/index.js';
import { offsetOverflowReset } from '../../src/diagnose/rules/offset-overflow-reset.js';
import { contextFrom, diagnoseWith, fixtureContext, sole } from '../rule-helpers.js';

const T = 'pos_create_pos_cooperate_sale_order';
const MQ = (b: string, q: number): string => `MessageQueue [topic=${T}, brokerName=${b}, queueId=${q}]`;
const PR = (b: string, q: number, n: number): string => `PullRequest [consumerGroup=pos-provider, messageQueue=${MQ(b, q)}, nextOffset=${n}]`;
const CID = '172.66.6.3@12345#1289456702398741';
const c = (ts: string, level: string, msg: string): string => `2024-05-10 ${ts} ${level} RocketmqClient - ${msg}\r\n`;
const b = (ts: string, level: string, thread: string, msg: string): string => `2024-05-10 ${ts} ${level} ${thread} - ${msg}\n`;
const persist = (ts: string, off: number, mode = 'persistAll'): string => c(ts, 'INFO', `[${mode}] Group: pos-provider ClientId: ${CID} updateConsumeOffsetToBroker ${MQ('broker-b', 0)} ${off}`);
const BOOT = b('14:21:42', 'INFO', 'main', 'The broker[broker-b, 172.66.1.31:10911] boot success. serializeType=JSON and name server is 172.66.1.10:9876');

/** A 4.9.4+ broker corrects an overflowing pull to maxOffset; the client follows it down. */
function correctionBundle(o: { request: number; next: number; min: number; max: number; reason: 'overflow' | 'too-small' }): Record<string, string> {
  const brokerLine =
    o.reason === 'overflow'
      ? b('14:21:44', 'INFO', 'PullMessageThread_7', `the request offset: ${o.request} over flow badly, broker max offset: ${o.max}, consumer: /172.66.6.3:53122`)
      : b('14:21:44', 'INFO', 'PullMessageThread_7', `the request offset too small. group=pos-provider, topic=${T}, requestOffset=${o.request}, brokerMinOffset=${o.min}, clientIp=/172.66.6.3:53122`);
  return {
    '172.66.1.31/logs/rocketmqlogs/broker.log':
      BOOT +
      brokerLine +
      b('14:21:44', 'WARN', 'PullMessageThread_7', `PULL_OFFSET_MOVED:correction offset. topic=${T}, groupId=pos-provider, requestOffset=${o.request}, newOffset=${o.next}, suggestBrokerId=0`) +
      (o.next < o.request
        ? b('14:21:54', 'WARN', 'ConsumerManageThread_3', `[NOTIFYME]update consumer offset less than store. clientHost=172.66.6.3:53122, key=${T}@pos-provider, queueId=0, requestOffset=${o.next}, storeOffset=${o.request}`)
        : ''),
    '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log':
      persist('14:21:40,012', o.request) +
      c('14:21:44,127', 'WARN', `the pull request offset illegal, ${PR('broker-b', 0, o.request)} PullResult [pullStatus=OFFSET_ILLEGAL, nextBeginOffset=${o.next}, minOffset=${o.min}, maxOffset=${o.max}, msgFoundList=0]`) +
      persist('14:21:54,130', o.next, 'persist') +
      c('14:21:54,131', 'WARN', `fix the pull request offset, ${PR('broker-b', 0, o.next)}`) +
      c('14:22:01,503', 'INFO', `doRebalance, pos-provider, add a new pull request ${PR('broker-b', 0, o.next)}`) +
      persist('14:22:05,013', o.next + 32) +
      persist('14:22:10,013', o.next + 96),
  };
}

describe('offset-overflow-reset', () => {
  describe('valid', () => {
    it('fixture: a 4.9.2 broker corrects OFFSET_OVERFLOW_BADLY to 0 after losing its tail → queue 0 consumed again from 0', async () => {
      const ctx = await fixtureContext('offset-overflow-reset');
      const d = diagnoseWith(ctx, [offsetOverflowReset]);
      const incs = d.incidents.filter((i) => i.cause === 'offset-overflow-reset');
      const inc = sole(incs);
      assert.deepEqual(inc.queue, { group: 'pos-provider', topic: T, brokerName: 'broker-b', queueId: 0 });
      // Offsets 1180–1249 went with the lost tail: they are not re-delivered.
      assert.deepEqual(inc.offsetRange, { from: 0, to: 1179 });
      assert.equal(inc.redeliveredCount, 1180);
      assert.equal(inc.confidence, 'high');
      const kinds = inc.chain.map((l) => l.event.kind);
      for (const k of ['broker-last-shutdown', 'broker-start', 'pull-offset-corrected', 'pull-offset-illegal', 'offset-regression', 'pull-offset-fixed', 'queue-added'] as const) {
        assert.ok(kinds.includes(k), `chain lacks ${k}: ${kinds.join(', ')}`);
      }
      // In time order: the restart comes before the correction, the correction before the client accepts it.
      assert.ok(kinds.indexOf('broker-start') < kinds.indexOf('pull-offset-corrected'));
      assert.ok(kinds.indexOf('pull-offset-corrected') < kinds.indexOf('pull-offset-illegal'));
      assert.equal(inc.anchor.kind, 'pull-offset-illegal');
      assert.deepEqual([...inc.messageIds].sort(), ['AC42020D00016267C3BB2A1F0B2C0011', 'AC42020D00016267C3BB2A1F0B2C0280', 'AC42020D00016267C3BB2A1F0B2C048E']);
      assert.ok(inc.claims.some((e) => e.kind === 'offset-regression'), 'claims the [NOTIFYME] so offset-regression does not report it again');
      assert.ok(!inc.claims.some((e) => e.kind === 'broker-start'), 'the restart is context, not claimed (another queue may lose offsets in the same restart)');
    });

    it('fixture with every rule: only offset-overflow-reset, no broker-offset-loss for the lower read after the restart', async () => {
      const ctx = await fixtureContext('offset-overflow-reset');
      const d = diagnoseWith(ctx, [...RULES]);
      assert.deepEqual(d.incidents.map((i) => `${i.cause}|${i.queue?.brokerName}:${i.queue?.queueId}`), ['offset-overflow-reset|broker-b:0']);
      assert.equal(d.redeliveries.length, 3);
      assert.ok(d.redeliveries.every((r) => r.cause === 'offset-overflow-reset'));
    });

    it('broker lines alone (no client log) still name the queue through the [NOTIFYME] commit', async () => {
      const files = correctionBundle({ request: 1250, next: 0, min: 0, max: 1180, reason: 'overflow' });
      const ctx = await contextFrom({ '172.66.1.31/logs/rocketmqlogs/broker.log': files['172.66.1.31/logs/rocketmqlogs/broker.log']! });
      const incs = diagnoseWith(ctx, [offsetOverflowReset]).incidents.filter((i) => i.cause === 'offset-overflow-reset');
      assert.equal(incs.length, 1);
      assert.equal(incs[0]!.queue?.queueId, 0);
      assert.notEqual(incs[0]!.confidence, 'high');
      assert.ok(incs[0]!.missingEvidence.some((m) => m.includes('the pull request offset illegal')));
    });
  });

  describe('invalid', () => {
    it('a 4.9.4+ broker corrects to maxOffset: the offsets above it were lost, nothing stored is consumed again', async () => {
      const ctx = await contextFrom(correctionBundle({ request: 1250, next: 600, min: 0, max: 600, reason: 'overflow' }));
      assert.equal(diagnoseWith(ctx, [offsetOverflowReset]).incidents.filter((i) => i.cause === 'offset-overflow-reset').length, 0);
      // Nor does the generic rule count its [NOTIFYME] (600 < 1250) as a re-delivery.
      assert.deepEqual(diagnoseWith(ctx, [...RULES]).incidents.map((i) => i.cause), []);
    });

    it('a pull below minOffset corrected upward (OFFSET_TOO_SMALL) re-delivers nothing', async () => {
      const ctx = await contextFrom(correctionBundle({ request: 100, next: 500, min: 500, max: 1300, reason: 'too-small' }));
      assert.equal(diagnoseWith(ctx, [offsetOverflowReset]).incidents.filter((i) => i.cause === 'offset-overflow-reset').length, 0);
    });

    it('the -1 pull of a failed offset read belongs to offset-fetch-failure, not here', async () => {
      const ctx = await contextFrom(correctionBundle({ request: -1, next: 65, min: 65, max: 1300, reason: 'too-small' }));
      assert.equal(diagnoseWith(ctx, [offsetOverflowReset]).incidents.filter((i) => i.cause === 'offset-overflow-reset').length, 0);
    });

    it('a broker restart with no correction (the pull resumes at the committed offset) yields nothing', async () => {
      const ctx = await fixtureContext('broker-offset-loss');
      assert.equal(diagnoseWith(ctx, [offsetOverflowReset]).incidents.filter((i) => i.cause === 'offset-overflow-reset').length, 0);
    });

    it('a slave failover without OFFSET_ILLEGAL yields nothing', async () => {
      const ctx = await fixtureContext('slave-offset-lag');
      assert.equal(diagnoseWith(ctx, [offsetOverflowReset]).incidents.filter((i) => i.cause === 'offset-overflow-reset').length, 0);
    });
  });
});
