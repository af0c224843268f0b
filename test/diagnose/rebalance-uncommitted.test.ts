import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rebalanceUncommitted } from '../../src/diagnose/rules/rebalance-uncommitted.js';
import { RULES } from '../../src/diagnose/rules/index.js';
import { contextFrom, diagnoseWith, fixtureFiles, fixtureContext, sole } from '../rule-helpers.js';

const A = '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log';
const B = '172.66.6.4/logs/rocketmqlogs/rocketmq_client.log';
const MQ3 = 'MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-a, queueId=3]';
const A_CID = '172.66.6.3@12345#1289456702398741';
const B_CID = '172.66.6.4@23456#1290012345678901';
const line = (t: string, level: string, msg: string): string => `2024-05-10 ${t} ${level} RocketmqClient - ${msg}\r\n`;
const ext = (off: number, uniq: string): string =>
  `MessageExt [brokerName=broker-a, queueId=3, storeSize=312, queueOffset=${off}, sysFlag=0, bornTimestamp=1715323374480, bornHost=/172.66.2.13:50412, storeTimestamp=1715323374483, storeHost=/172.66.1.29:10911, msgId=AC42011D00002A9F0000001484F0A${off}, commitLogOffset=88123450000, bodyCRC=1822540310, reconsumeTimes=0, preparedTransactionOffset=0, toString()=Message{topic='pos_create_pos_cooperate_sale_order', flag=0, properties={MIN_OFFSET=0, MAX_OFFSET=1204, KEYS=SO1, CONSUME_START_TIME=1715323374612, UNIQ_KEY=${uniq}, CLUSTER=DefaultCluster, WAIT=true, TAGS=create}, body=[123, 125], transactionId='null'}]`;

/** A small hand-written handover of broker-a:3 from A to B; `dropped` adds A's discarded listener results. */
function inline(opts: { aCommit: number; bStart: number; dropped: number[] }): Record<string, string> {
  let a = '';
  a += line('14:22:50,015', 'INFO', `[persistAll] Group: pos-provider ClientId: ${A_CID} updateConsumeOffsetToBroker ${MQ3} ${opts.aCommit}`);
  a += line('14:22:55,015', 'INFO', `[persistAll] Group: pos-provider ClientId: ${A_CID} updateConsumeOffsetToBroker ${MQ3} ${opts.aCommit}`);
  a += line('14:22:58,030', 'INFO', `[persist] Group: pos-provider ClientId: ${A_CID} updateConsumeOffsetToBroker ${MQ3} ${opts.aCommit}`);
  a += line('14:22:58,031', 'INFO', `doRebalance, pos-provider, remove unnecessary mq, ${MQ3}`);
  opts.dropped.forEach((off, i) => {
    a += line(`14:22:59,${600 + i}`, 'WARN', `processQueue is dropped without process consume result. messageQueue=${MQ3}, msgs=[${ext(off, `AC42020D00016267C3BB316F58CC0${off}`)}]`);
  });
  let b = '';
  b += line('14:22:58,262', 'INFO', `doRebalance, pos-provider, add a new mq, ${MQ3}`);
  b += line('14:22:58,263', 'INFO', `doRebalance, pos-provider, add a new pull request PullRequest [consumerGroup=pos-provider, messageQueue=${MQ3}, nextOffset=${opts.bStart}]`);
  b += line('14:23:00,511', 'INFO', `[persistAll] Group: pos-provider ClientId: ${B_CID} updateConsumeOffsetToBroker ${MQ3} ${opts.bStart + 4}`);
  return { [A]: a, [B]: b };
}

describe('rule rebalance-uncommitted', () => {
  describe('valid: the queue moved while consumed offsets were uncommitted', () => {
    it('fixture rebalance-uncommitted: broker-a:3 offsets 1200–1203, A → B, high confidence', async () => {
      const ctx = await fixtureContext('rebalance-uncommitted');
      const drafts = rebalanceUncommitted.detect(ctx);
      const d = sole(drafts);
      assert.equal(d.cause, 'rebalance-uncommitted');
      assert.equal(d.confidence, 'high');
      assert.deepEqual(d.queue, { group: 'pos-provider', topic: 'pos_create_pos_cooperate_sale_order', brokerName: 'broker-a', queueId: 3 });
      assert.deepEqual(d.offsetRange, { from: 1200, to: 1203 });
      assert.equal(d.redeliveredCount, 4);
      assert.deepEqual([...d.messageIds].sort(), ['AC42020D00016267C3BB316F58CC0200', 'AC42020D00016267C3BB316F58CC0201', 'AC42020D00016267C3BB316F58CC0202', 'AC42020D00016267C3BB316F58CC0203']);
      const kinds = d.chain.map((l) => `${l.event.kind}@${l.event.host ?? '?'}`);
      for (const k of ['queue-removed@172.66.6.3', 'queue-added@172.66.6.4', 'dropped-without-result@172.66.6.3', 'consumer-registered@172.66.1.31']) assert.ok(kinds.includes(k), `${k} in ${kinds.join(', ')}`);
      // The chain is in time order.
      for (let i = 1; i < d.chain.length; i++) assert.ok(d.chain[i - 1]!.event.instant <= d.chain[i]!.event.instant);
      assert.equal(d.anchor.kind, 'dropped-without-result');
      assert.deepEqual(d.missingEvidence, []);
    });

    it('the engine attributes the four re-delivered message ids to it', async () => {
      const ctx = await fixtureContext('rebalance-uncommitted');
      const r = diagnoseWith(ctx, [...RULES]);
      assert.deepEqual(r.incidents.map((i) => i.cause), ['rebalance-uncommitted']);
      assert.equal(r.redeliveries.length, 4);
      assert.ok(r.redeliveries.every((x) => x.cause === 'rebalance-uncommitted' && x.group === 'pos-provider'));
    });

    it('inline: a dropped listener result above the new owner start offset', async () => {
      const ctx = await contextFrom(inline({ aCommit: 1200, bStart: 1200, dropped: [1200, 1201] }));
      const drafts = rebalanceUncommitted.detect(ctx);
      assert.equal(drafts.length, 1);
      assert.deepEqual(drafts[0]!.offsetRange, { from: 1200, to: 1201 });
      assert.equal(drafts[0]!.confidence, 'high');
    });
  });

  describe('invalid: near misses that must not yield rebalance-uncommitted', () => {
    it('fixture rebalance-uncommitted-graceful: A committed everything before the removal', async () => {
      const ctx = await fixtureContext('rebalance-uncommitted-graceful');
      assert.deepEqual(rebalanceUncommitted.detect(ctx), []);
    });

    it('inline: the same handover without the dropped listener results', async () => {
      const ctx = await contextFrom(inline({ aCommit: 1200, bStart: 1200, dropped: [] }));
      assert.deepEqual(rebalanceUncommitted.detect(ctx), []);
    });

    it('inline: dropped results below the offset the new owner starts from', async () => {
      const ctx = await contextFrom(inline({ aCommit: 1204, bStart: 1204, dropped: [1202, 1203] }));
      assert.deepEqual(rebalanceUncommitted.detect(ctx), []);
    });

    it('fixture edited: without the dropped-pq lines and the traces nothing proves A consumed past its commit', async () => {
      const files = fixtureFiles('rebalance-uncommitted');
      for (const k of Object.keys(files)) if (k.startsWith('trace')) delete files[k];
      files[A] = files[A]!.split('\r\n').filter((l) => !l.includes('processQueue is dropped')).join('\r\n');
      const ctx = await contextFrom(files);
      assert.deepEqual(rebalanceUncommitted.detect(ctx), []);
    });

    it('a handover after a pinned commit belongs to slow-message-offset-hold (priority)', async () => {
      const ctx = await fixtureContext('slow-message-offset-hold');
      // The rule alone sees the handover …
      assert.equal(rebalanceUncommitted.detect(ctx).length, 1);
      // … but the slow-message rule claims the same lines.
      const r = diagnoseWith(ctx, [...RULES]);
      assert.deepEqual(r.incidents.map((i) => i.cause), ['slow-message-offset-hold']);
    });

    it('a handover after an abrupt death belongs to consumer-restart-uncommitted (priority)', async () => {
      const ctx = await fixtureContext('consumer-restart-uncommitted');
      assert.equal(rebalanceUncommitted.detect(ctx).length, 1);
      const r = diagnoseWith(ctx, [...RULES]);
      assert.deepEqual(r.incidents.map((i) => i.cause), ['consumer-restart-uncommitted']);
    });
  });

  it('meta is complete', () => {
    const m = rebalanceUncommitted.meta;
    assert.equal(m.code, 'rebalance-uncommitted');
    assert.equal(m.priority, 60);
    assert.ok(m.title && m.description.length > 100 && m.remediation.length > 100 && m.references.length > 0);
  });
});
