import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consumerRestartUncommitted } from '../../src/diagnose/rules/consumer-restart-uncommitted.js';
import { RULES } from '../../src/diagnose/rules/index.js';
import { contextFrom, diagnoseWith, fixtureFiles, fixtureContext, sole } from '../rule-helpers.js';

const A = '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log';
const MQ0 = 'MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]';
const OLD = '172.66.6.3@12345#1289456702398741';
const line = (t: string, level: string, msg: string): string => `2024-05-10 ${t} ${level} RocketmqClient - ${msg}\r\n`;

/** Inserts lines into the old process's log just before the new process starts. */
function beforeRestart(text: string, lines: string): string {
  const at = text.indexOf('register consumeMessageHook Hook');
  const start = text.lastIndexOf('\r\n', at) + 2;
  return text.slice(0, start) + lines + text.slice(start);
}

describe('rule consumer-restart-uncommitted', () => {
  describe('valid: a consumer died before committing and its messages were consumed again', () => {
    it('fixture consumer-restart-uncommitted: broker-b:0 offsets 1200–1215 re-delivered to 172.66.6.4', async () => {
      const ctx = await fixtureContext('consumer-restart-uncommitted');
      const drafts = consumerRestartUncommitted.detect(ctx);
      const d = sole(drafts);
      assert.equal(d.confidence, 'high');
      assert.deepEqual(d.queue, { group: 'pos-provider', topic: 'pos_create_pos_cooperate_sale_order', brokerName: 'broker-b', queueId: 0 });
      assert.deepEqual(d.offsetRange, { from: 1200, to: 1215 });
      assert.equal(d.redeliveredCount, 16);
      assert.equal(d.messageIds.length, 4);
      const kinds = d.chain.map((l) => `${l.event.kind}@${l.event.host ?? '?'}`);
      for (const k of ['offset-persist@172.66.6.3', 'channel-closed@172.66.1.31', 'queue-added@172.66.6.4', 'client-start@172.66.6.3']) assert.ok(kinds.includes(k), `${k} in ${kinds.join(', ')}`);
      assert.equal(d.anchor.kind, 'client-start');
      // The new client id is named (the pid changed).
      assert.ok(d.chain.some((l) => /172\.66\.6\.3@13579#/.test(l.what) && /was 172\.66\.6\.3@12345#/.test(l.what)));
      // The restart rule wins the handover that is also a rebalance.
      const r = diagnoseWith(ctx, [...RULES]);
      assert.deepEqual(r.incidents.map((i) => i.cause), ['consumer-restart-uncommitted']);
      assert.equal(r.redeliveries.length, 4);
    });

    it('inline: the same bundle without the broker log still yields it, with the broker log listed as missing evidence', async () => {
      const files = fixtureFiles('consumer-restart-uncommitted');
      delete files['172.66.1.31/logs/rocketmqlogs/broker.log'];
      const ctx = await contextFrom(files);
      const drafts = consumerRestartUncommitted.detect(ctx);
      assert.equal(drafts.length, 1);
      assert.ok(drafts[0]!.missingEvidence.some((m) => /broker/.test(m)));
    });
  });

  describe('invalid: near misses that must not yield consumer-restart-uncommitted', () => {
    it('fixture consumer-restart-uncommitted-graceful: shutdown OK before the restart', async () => {
      const ctx = await fixtureContext('consumer-restart-uncommitted-graceful');
      assert.deepEqual(consumerRestartUncommitted.detect(ctx), []);
      assert.deepEqual(diagnoseWith(ctx, [...RULES]).incidents, []);
    });

    it('fixture edited: a clean shutdown line inserted before the restart', async () => {
      const files = fixtureFiles('consumer-restart-uncommitted');
      files[A] = beforeRestart(files[A]!, line('14:23:03,411', 'INFO', 'the consumer [pos-provider] shutdown OK') + line('14:23:03,420', 'INFO', `the client factory [${OLD}] shutdown OK`));
      const ctx = await contextFrom(files);
      assert.deepEqual(consumerRestartUncommitted.detect(ctx), []);
    });

    it('fixture edited: no trace shows consumption after the last commit', async () => {
      const files = fixtureFiles('consumer-restart-uncommitted');
      for (const k of Object.keys(files)) if (k.startsWith('trace')) delete files[k];
      const ctx = await contextFrom(files);
      assert.deepEqual(consumerRestartUncommitted.detect(ctx), []);
    });

    it('inline: a first start (no earlier commits on the host) is not a restart', async () => {
      const ctx = await contextFrom({
        [A]:
          line('14:24:10,512', 'INFO', 'the consumer [pos-provider] start beginning. messageModel=CLUSTERING, isUnitMode=false') +
          line('14:24:12,480', 'INFO', `doRebalance, pos-provider, add a new mq, ${MQ0}`) +
          line('14:24:12,481', 'INFO', `doRebalance, pos-provider, add a new pull request PullRequest [consumerGroup=pos-provider, messageQueue=${MQ0}, nextOffset=1200]`) +
          line('14:24:20,118', 'INFO', `[persistAll] Group: pos-provider ClientId: 172.66.6.3@13579#1290233445566778 updateConsumeOffsetToBroker ${MQ0} 1230`),
      });
      assert.deepEqual(consumerRestartUncommitted.detect(ctx), []);
    });
  });

  it('meta is complete', () => {
    const m = consumerRestartUncommitted.meta;
    assert.equal(m.code, 'consumer-restart-uncommitted');
    assert.equal(m.priority, 65);
    assert.ok(m.title && m.description.length > 100 && m.remediation.length > 100 && m.references.length > 0);
  });
});
