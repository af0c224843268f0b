import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { offsetFetchFailure } from '../../src/diagnose/rules/offset-fetch-failure.js';
import { contextFrom, fixtureContext, sole } from '../rule-helpers.js';

const MQ0 = 'MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]';
const PR = (next: number): string => `PullRequest [consumerGroup=pos-provider, messageQueue=${MQ0}, nextOffset=${next}]`;
const c = (t: string, level: string, msg: string): string => `2023-09-05 ${t} ${level} RocketmqClient - ${msg}`;
const TIMEOUT_STACK = [
  'org.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel <172.66.1.31:10911> timeout, 5000(ms)',
  '\tat org.apache.rocketmq.remoting.netty.NettyRemotingAbstract.invokeSyncImpl(NettyRemotingAbstract.java:438)',
  '',
];

/** A compact offset-fetch-failure story; `drop` removes lines by a substring to build near misses. */
function bundle(drop: string[] = []): Record<string, string> {
  const client = [
    c('03:18:50,001', 'INFO', `[persistAll] Group: pos-provider ClientId: 172.66.6.3@18732 updateConsumeOffsetToBroker ${MQ0} 108`),
    '2023-09-05 03:19:40,100 WARN RocketmqRemoting - invokeSync: wait response timeout exception, the channel[172.66.1.31:10911]',
    c('03:19:41,349', 'INFO', `doRebalance, pos-provider, add a new mq, ${MQ0}`),
    c('03:19:51,462', 'WARN', `fetchConsumeOffsetFromBroker exception, ${MQ0}`),
    ...TIMEOUT_STACK,
    c('03:19:51,463', 'INFO', `the first time to pull message, so fix offset from broker. pullRequest: ${PR(108)} NewOffset: -1 brokerBusy: true`),
    c('03:21:10,231', 'WARN', `the pull request offset illegal, ${PR(-1)} PullResult [pullStatus=OFFSET_ILLEGAL, nextBeginOffset=65, minOffset=65, maxOffset=108, msgFoundList=0]`),
    c('03:21:20,412', 'INFO', `[persist] Group: pos-provider ClientId: 172.66.6.3@18732 updateConsumeOffsetToBroker ${MQ0} 65`),
    c('03:21:20,435', 'WARN', `fix the pull request offset, ${PR(65)}`),
  ].filter((l) => !drop.some((d) => l.includes(d)));
  const broker = [
    '2023-09-05 03:21:10 INFO PullMessageThread_12 - the request offset too small. group=pos-provider, topic=pos_create_pos_cooperate_sale_order, requestOffset=-1, brokerMinOffset=65, clientIp=/172.66.6.3:52814',
    '2023-09-05 03:21:10 WARN PullMessageThread_12 - PULL_OFFSET_MOVED:correction offset. topic=pos_create_pos_cooperate_sale_order, groupId=pos-provider, requestOffset=-1, newOffset=65, suggestBrokerId=0',
    '2023-09-05 03:21:20 WARN ConsumerManageThread_3 - [NOTIFYME]update consumer offset less than store. clientHost=172.66.6.3:52814, key=pos_create_pos_cooperate_sale_order@pos-provider, queueId=0, requestOffset=65, storeOffset=108',
  ].filter((l) => !drop.some((d) => l.includes(d)));
  const other = [
    '2023-09-05 03:21:27,292 INFO RocketmqClient - doRebalance, pos-provider, add a new pull request ' + PR(65),
    `2023-09-05 03:22:01,047 INFO RocketmqClient - [persistAll] Group: pos-provider ClientId: 172.66.6.5@9823 updateConsumeOffsetToBroker ${MQ0} 108`,
  ].filter((l) => !drop.some((d) => l.includes(d)));
  return {
    '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log': client.join('\r\n') + '\r\n',
    '172.66.6.5/logs/rocketmqlogs/rocketmq_client.log': other.join('\r\n') + '\r\n',
    '172.66.1.31/logs/rocketmqlogs/broker.log': broker.join('\n') + '\n',
  };
}

describe('offset-fetch-failure', () => {
  it('seed-000: one incident, offsets 65–107 of broker-b:0, high confidence, the chain from the first timeout to the re-delivery', async () => {
    const ctx = await fixtureContext('seed-000');
    const drafts = offsetFetchFailure.detect(ctx);
    const d = sole(drafts);
    assert.deepEqual(d.queue, { group: 'pos-provider', topic: 'pos_create_pos_cooperate_sale_order', brokerName: 'broker-b', queueId: 0 });
    assert.deepEqual(d.offsetRange, { from: 65, to: 107 });
    assert.equal(d.redeliveredCount, 43);
    assert.equal(d.confidence, 'high');
    assert.deepEqual(d.messageIds, ['AC42020D00016267C3BB043EAE03BEF9']);
    const kinds = d.chain.map((l) => l.event.kind);
    assert.equal(kinds[0], 'remote-timeout');
    for (const k of ['heartbeat-failed', 'fetch-offset-failed', 'first-pull-offset', 'pull-offset-corrected', 'pull-offset-illegal', 'offset-persist', 'offset-regression', 'trace-delivery']) {
      assert.ok(kinds.includes(k as (typeof kinds)[number]), `chain has ${k}`);
    }
    assert.ok(kinds.indexOf('fetch-offset-failed') < kinds.indexOf('offset-regression'));
  });

  it('inline story: found, with the committer, the rewind and the next owner', async () => {
    const drafts = offsetFetchFailure.detect(await contextFrom(bundle()));
    const d = sole(drafts);
    assert.deepEqual(d.offsetRange, { from: 65, to: 107 });
    assert.ok(d.chain.some((l) => l.event.kind === 'queue-added' && l.event.host === '172.66.6.5'));
    assert.deepEqual(d.missingEvidence, []);
  });

  it('without the broker log the rewind is inferred from the client, with lower confidence and the missing log named', async () => {
    const files = bundle();
    delete files['172.66.1.31/logs/rocketmqlogs/broker.log'];
    const drafts = offsetFetchFailure.detect(await contextFrom(files));
    assert.equal(drafts.length, 1);
    assert.notEqual(drafts[0]!.confidence, 'high');
    assert.ok(drafts[0]!.missingEvidence.some((m) => /broker/.test(m)));
  });

  it('invalid: an offset-read failure that never reached a pull (no -1 anywhere) is not this cause', async () => {
    const drafts = offsetFetchFailure.detect(
      await contextFrom(bundle(['NewOffset: -1', 'pull request offset illegal', 'too small', 'PULL_OFFSET_MOVED', '[NOTIFYME]', 'updateConsumeOffsetToBroker ' + MQ0 + ' 65'])),
    );
    assert.deepEqual(drafts, []);
  });

  it('invalid: a -1 pull with no offset-read failure is not this cause', async () => {
    assert.deepEqual(offsetFetchFailure.detect(await contextFrom(bundle(['fetchConsumeOffsetFromBroker']))), []);
  });

  it('invalid: a correction that moved the offset forward (no regression) is not this cause', async () => {
    const files = bundle();
    for (const k of Object.keys(files)) files[k] = files[k]!.replace(/\b108\b/g, '60');
    assert.deepEqual(offsetFetchFailure.detect(await contextFrom(files)), []);
  });

  it('a broker clock two minutes behind: the measured skew widens the matching tolerance, the chain stays whole', async () => {
    const files = bundle();
    const b = '172.66.1.31/logs/rocketmqlogs/broker.log';
    files[b] = files[b]!.replace('2023-09-05 03:21:10', '2023-09-05 03:19:10').replace('2023-09-05 03:21:10', '2023-09-05 03:19:10').replace('2023-09-05 03:21:20', '2023-09-05 03:19:20');
    const ctx = await contextFrom(files);
    assert.ok(ctx.skewMs > 120_000, `tolerance ${ctx.skewMs} ms`);
    assert.ok([...ctx.skewEstimates.values()].some((v) => Math.abs(v + 120_412) < 1000));
    const drafts = offsetFetchFailure.detect(ctx);
    assert.equal(drafts.length, 1);
    const kinds = drafts[0]!.chain.map((l) => l.event.kind);
    assert.ok(kinds.includes('pull-offset-corrected') && kinds.includes('offset-regression'), kinds.join(', '));
    assert.equal(drafts[0]!.confidence, 'high');
  });
});

