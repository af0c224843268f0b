import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { slowMessageOffsetHold } from '../../src/diagnose/rules/slow-message-offset-hold.js';
import { RULES } from '../../src/diagnose/rules/index.js';
import { contextFrom, diagnoseWith, fixtureFiles, fixtureContext, sole } from '../rule-helpers.js';

const A = '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log';
const C = '172.66.6.2/logs/rocketmqlogs/rocketmq_client.log';
const MQ0 = 'MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]';
const CID = '172.66.6.3@12345#1289456702398741';
const line = (t: string, level: string, msg: string): string => `2024-05-10 ${t} ${level} RocketmqClient - ${msg}\r\n`;
const drop = (text: string, what: string): string => text.split('\r\n').filter((l) => !l.includes(what)).join('\r\n');

/** A commit of broker-b:0 pinned at 2101 for two minutes, optionally with span lines and a takeover. */
function inline(opts: { span: boolean; takeover: number | null }): Record<string, string> {
  let a = '';
  for (let s = 0; s <= 120; s += 5) {
    const t = `14:${String(12 + Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')},012`;
    a += line(t, 'INFO', `[persistAll] Group: pos-provider ClientId: ${CID} updateConsumeOffsetToBroker ${MQ0} 2101`);
  }
  if (opts.span) {
    a += line('14:12:50,331', 'WARN', `the queue's messages, span too long, so do flow control, minOffset=2101, maxOffset=4132, maxSpan=2031, pullRequest=PullRequest [consumerGroup=pos-provider, messageQueue=${MQ0}, nextOffset=4133], flowControlTimes=1`);
  }
  a += line('14:14:01,030', 'INFO', `[persist] Group: pos-provider ClientId: ${CID} updateConsumeOffsetToBroker ${MQ0} 2101`);
  a += line('14:14:01,031', 'INFO', `doRebalance, pos-provider, remove unnecessary mq, ${MQ0}`);
  const files: Record<string, string> = { [A]: a.split('\r\n').filter(Boolean).sort().join('\r\n') + '\r\n' };
  if (opts.takeover !== null) {
    files[C] =
      line('14:14:01,412', 'INFO', `doRebalance, pos-provider, add a new mq, ${MQ0}`) +
      line('14:14:01,413', 'INFO', `doRebalance, pos-provider, add a new pull request PullRequest [consumerGroup=pos-provider, messageQueue=${MQ0}, nextOffset=${opts.takeover}]`) +
      line('14:14:40,250', 'INFO', `[persistAll] Group: pos-provider ClientId: 172.66.6.2@45678#1290555666777888 updateConsumeOffsetToBroker ${MQ0} 4133`);
  }
  return files;
}

describe('rule slow-message-offset-hold', () => {
  describe('valid: a pinned commit and a handover re-deliver the whole window', () => {
    it('fixture slow-message-offset-hold: broker-b:0 offsets 2101–4132 re-delivered to 172.66.6.2', async () => {
      const ctx = await fixtureContext('slow-message-offset-hold');
      const drafts = slowMessageOffsetHold.detect(ctx);
      const d = sole(drafts);
      assert.equal(d.confidence, 'high');
      assert.deepEqual(d.queue, { group: 'pos-provider', topic: 'pos_create_pos_cooperate_sale_order', brokerName: 'broker-b', queueId: 0 });
      assert.deepEqual(d.offsetRange, { from: 2101, to: 4132 });
      assert.equal(d.redeliveredCount, 2032);
      assert.ok(d.messageIds.includes('AC42020D00016267C3BB316F58CC0600'), 'the slow message is named');
      const kinds = d.chain.map((l) => `${l.event.kind}@${l.event.host ?? '?'}`);
      for (const k of ['flow-control@172.66.6.3', 'queue-removed@172.66.6.3', 'queue-added@172.66.6.2', 'dropped-without-result@172.66.6.3']) assert.ok(kinds.includes(k), `${k} in ${kinds.join(', ')}`);
      const r = diagnoseWith(ctx, [...RULES]);
      assert.deepEqual(r.incidents.map((i) => i.cause), ['slow-message-offset-hold']);
      assert.equal(r.redeliveries.length, 3);
    });

    it('inline: pinned commit + span flow control + takeover at the pinned offset', async () => {
      const ctx = await contextFrom(inline({ span: true, takeover: 2101 }));
      const drafts = slowMessageOffsetHold.detect(ctx);
      assert.equal(drafts.length, 1);
      assert.deepEqual(drafts[0]!.offsetRange, { from: 2101, to: 4132 });
      assert.equal(drafts[0]!.confidence, 'high');
    });
  });

  describe('invalid: near misses that must not yield slow-message-offset-hold', () => {
    it('inline: an idle queue repeats its commit too (no span line, no trace)', async () => {
      const ctx = await contextFrom(inline({ span: false, takeover: 2101 }));
      assert.deepEqual(slowMessageOffsetHold.detect(ctx), []);
    });

    it('inline: pinned and flow-controlled, but nobody took the queue over', async () => {
      const ctx = await contextFrom(inline({ span: true, takeover: null }));
      assert.deepEqual(slowMessageOffsetHold.detect(ctx), []);
    });

    it('fixture edited: without span lines and traces the pin is not proven; the handover falls to rebalance-uncommitted', async () => {
      const files = fixtureFiles('slow-message-offset-hold');
      for (const k of Object.keys(files)) if (k.startsWith('trace')) delete files[k];
      files[A] = drop(files[A]!, 'span too long');
      const ctx = await contextFrom(files);
      assert.deepEqual(slowMessageOffsetHold.detect(ctx), []);
      const r = diagnoseWith(ctx, [...RULES]);
      assert.deepEqual(r.incidents.map((i) => `${i.cause} ${i.offsetRange?.from}-${i.offsetRange?.to}`), ['rebalance-uncommitted 2101-2101']);
    });

    it('the rebalance and restart fixtures have no pinned commit', async () => {
      for (const name of ['rebalance-uncommitted', 'consumer-restart-uncommitted', 'rebalance-uncommitted-graceful']) {
        const ctx = await fixtureContext(name);
        assert.deepEqual(slowMessageOffsetHold.detect(ctx), [], name);
      }
    });
  });

  it('meta is complete', () => {
    const m = slowMessageOffsetHold.meta;
    assert.equal(m.code, 'slow-message-offset-hold');
    assert.equal(m.priority, 70);
    assert.ok(m.title && m.description.length > 100 && m.remediation.length > 100 && m.references.length > 0);
  });
});
