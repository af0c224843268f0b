import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { producerRetry } from '../../src/diagnose/rules/producer-retry.js';
import { RULES } from '../../src/diagnose/rules/index.js';
import { contextFrom, diagnoseWith, fixtureContext, incidentsOf, sole, type Diagnosis } from '../rule-helpers.js';

const T = 'pos_create_pos_cooperate_sale_order';
const MQ = (bn: string, q: number): string => `MessageQueue [topic=${T}, brokerName=${bn}, queueId=${q}]`;
const p = (ts: string, level: string, msg: string, logger = 'RocketmqClient'): string => `2024-05-10 ${ts} ${level} ${logger} - ${msg}\r\n`;
const X = 'AC42020D00016267C3BB316F58CCBF10';
const PRODUCER = '172.66.2.13/logs/rocketmqlogs/rocketmq_client.log';
const resend = (ts: string, q: number): string =>
  p(ts, 'WARN', `sendKernelImpl exception, resend at once, InvokeID: -5276712343821119212, RT: 3001ms, Broker: ${MQ('broker-b', q)}`) +
  'org.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel <172.66.1.31:10911> timeout, 3000(ms)\r\n' +
  '\tat org.apache.rocketmq.remoting.netty.NettyRemotingAbstract.invokeSyncImpl(NettyRemotingAbstract.java:427)\r\n\r\n' +
  p(ts, 'WARN', `Message{topic='${T}', flag=0, properties={KEYS=SO1, UNIQ_KEY=${X}, WAIT=true, TAGS=create}, body=[123, 125], transactionId='null'}`);
const late = (ts: string): string => p(ts, 'WARN', 'receive response, but not matched any request, 172.66.1.31:10911', 'RocketmqRemoting');
const hb = p('14:20:13,705', 'INFO', 'send heart beat to broker[broker-b 0 172.66.1.31:10911] success') + p('14:20:13,708', 'INFO', 'send heart beat to broker[broker-c 0 172.66.1.33:10911] success');
const copy = (o: { topic?: string; q: number; off: number; clo: number; store: string; host: string; re?: number }): string =>
  [
    `Topic:               ${o.topic ?? T}`,
    'Tags:                [create]',
    'Keys:                [SO1]',
    `Queue ID:            ${o.q}`,
    `Queue Offset:        ${o.off}`,
    `CommitLog Offset:    ${o.clo}`,
    `Reconsume Times:     ${o.re ?? 0}`,
    'Born Timestamp:      2024-05-10 14:23:00,812',
    `Store Timestamp:     ${o.store}`,
    'Born Host:           172.66.2.13:50412',
    `Store Host:          ${o.host}`,
    'System Flag:         0',
    `Properties:          {KEYS=SO1, UNIQ_KEY=${X}, CLUSTER=DefaultCluster, WAIT=true, TAGS=create}`,
    `Message Body Path:   /tmp/rocketmq/msgbodys/${X}0`,
    '',
    '',
  ].join('\n') + '\n';
const listing = (...copies: string[]): string => `$ sh bin/mqadmin queryMsgByUniqueKey -n 172.66.1.10:9876 -t ${T} -i ${X} -a\n` + copies.join('');
const FIRST = copy({ q: 0, off: 1250, clo: 123456789012, store: '2024-05-10 14:23:00,815', host: '172.66.1.31:10911' });
const SECOND = copy({ q: 2, off: 877, clo: 98765432100, store: '2024-05-10 14:23:03,821', host: '172.66.1.33:10911' });
const UNIQ = `mqadmin/queryMsgByUniqueKey-${X}.txt`;

const mine = (d: Diagnosis) => incidentsOf(d, 'producer-retry');

describe('producer-retry', () => {
  describe('valid', () => {
    it('fixture: timed-out attempt stored on broker-b q0, re-sent to broker-c q2, both copies consumed → high', async () => {
      const ctx = await fixtureContext('producer-retry');
      const incs = mine(diagnoseWith(ctx, [...RULES]));
      const inc = sole(incs);
      assert.deepEqual(inc.queue, { group: 'pos-provider', topic: T, brokerName: 'broker-b', queueId: 0 });
      assert.deepEqual(inc.messageIds, [X]);
      assert.deepEqual(inc.offsetRange, { from: 1250, to: 1250 });
      assert.equal(inc.confidence, 'high');
      const kinds = inc.chain.map((l) => l.event.kind);
      for (const k of ['producer-send-failed', 'producer-message', 'late-response', 'trace-publication', 'trace-delivery', 'info']) assert.ok((kinds as string[]).includes(k), `${k} in ${kinds.join(' ')}`);
      // the resend whose first attempt was lost (one stored copy) is not an incident
      assert.ok(!incs.some((i) => i.messageIds.includes('AC42020D00016267C3BB316F6F2ABF31')));
    });

    it('resend + late response + two copies listed, no consumption shown → medium', async () => {
      const ctx = await contextFrom({ [PRODUCER]: hb + resend('14:23:03,815', 0) + late('14:23:03,902'), [UNIQ]: listing(FIRST, SECOND) });
      const incs = mine(diagnoseWith(ctx, [producerRetry]));
      assert.equal(incs.length, 1);
      assert.equal(incs[0]!.confidence, 'medium');
      assert.deepEqual(incs[0]!.queue, null); // no consumer group shown
      assert.match(incs[0]!.missingEvidence.join(' '), /no delivery of both copies/);
    });

    it('two stored copies and no producer log → low, the producer host decoded from the msgId', async () => {
      const ctx = await contextFrom({ [UNIQ]: listing(FIRST, SECOND) });
      const incs = mine(diagnoseWith(ctx, [producerRetry]));
      assert.equal(incs.length, 1);
      assert.equal(incs[0]!.confidence, 'low');
      assert.match(incs[0]!.missingEvidence.join(' '), /no rocketmq_client\.log from the producer 172\.66\.2\.13 \(decoded from the msgId\)/);
    });
  });

  describe('invalid', () => {
    it('a resend whose first attempt was not stored (queryMsgByUniqueKey -a lists one copy) → nothing', async () => {
      const ctx = await contextFrom({ [PRODUCER]: hb + resend('14:23:03,815', 0), [UNIQ]: listing(SECOND) });
      assert.equal(mine(diagnoseWith(ctx, [producerRetry])).length, 0);
    });

    it('the original plus its %RETRY% copy (a consume retry keeps the UNIQ_KEY) is not a producer duplicate', async () => {
      const retryCopy = copy({ topic: '%RETRY%pos-provider', q: 0, off: 311, clo: 98765499001, store: '2024-05-10 14:23:11,400', host: '172.66.1.31:10911', re: 1 });
      const ctx = await contextFrom({ [UNIQ]: listing(FIRST, retryCopy) });
      assert.equal(mine(diagnoseWith(ctx, [producerRetry])).length, 0);
    });

    it('one copy consumed once by each of two groups → not-a-duplicate, no producer-retry', async () => {
      const trace = [
        `$ sh bin/mqadmin queryMsgTraceById -n 172.66.1.10:9876 -i ${X}`,
        '#Type      #ProducerGroup       #ClientHost          #SendTime            #CostTimes #Status   ',
        'Pub        pos-order-producer   172.66.2.13          2024-05-10 14:23:00  3ms        success   ',
        '',
        '#Type      #ConsumerGroup       #ClientHost          #ConsumerTime        #CostTimes #Status   ',
        'Sub        pos-provider         172.66.6.3           2024-05-10 14:23:03  35ms       success   ',
        '',
        '#Type      #ConsumerGroup       #ClientHost          #ConsumerTime        #CostTimes #Status   ',
        'Sub        pos-audit            172.66.6.9           2024-05-10 14:23:04  12ms       success   ',
        '',
      ].join('\n');
      const ctx = await contextFrom({ [UNIQ]: listing(FIRST), [`mqadmin/queryMsgTraceById-${X}.txt`]: trace });
      const d = diagnoseWith(ctx, [producerRetry]);
      assert.equal(mine(d).length, 0);
      assert.deepEqual(d.dismissed.map((x) => x.messageId), [X]);
    });
  });
});
