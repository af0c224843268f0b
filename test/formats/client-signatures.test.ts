import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLIENT_INNER, CLIENT_LOG4J, CLIENT_LOGBACK5, CLIENT_SLF4J, LOGBACK_GMT8 } from '../../src/formats/layouts.js';
import { CLIENT_SIGNATURES, clientHostProbe } from '../../src/formats/signatures/client.js';
import { matchSignature } from '../../src/formats/text.js';
import type { Entry } from '../../src/formats/types.js';
import type { EventFieldMap, EventKind } from '../../src/model/events.js';
import { lineEntry } from '../helpers.js';

/**
 * Field-level checks of the client signature table: the typed fields the diagnosis relies on,
 * from full catalog lines (prefix + message, stack trace after `\n`).
 */
const LAYOUTS = [CLIENT_INNER, CLIENT_LOGBACK5, CLIENT_LOG4J, LOGBACK_GMT8, CLIENT_SLF4J];

function entryOf(line: string): Entry {
  const r = lineEntry(line, LAYOUTS);
  if (!r) throw new Error(`no layout fits: ${line.slice(0, 80)}`);
  return r.entry;
}

function parse<K extends EventKind>(line: string, kind: K): { id: string; fields: EventFieldMap[K]; entry: Entry } {
  const entry = entryOf(line);
  const hit = matchSignature(CLIENT_SIGNATURES, entry);
  assert.ok(hit, `no signature matched: ${line.slice(0, 120)}`);
  assert.equal(hit.sig.kind, kind, `${hit.sig.id} is ${hit.sig.kind}, expected ${kind}`);
  return { id: hit.sig.id, fields: hit.fields as EventFieldMap[K], entry };
}

const Q0 = 'MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]';
const MQ0 = { topic: 'pos_create_pos_cooperate_sale_order', brokerName: 'broker-b', queueId: 0 };
const P4 = '2024-05-10 14:23:01,234 WARN RocketmqClient - ';
const P5 = '2024-05-10 14:23:01.234 WARN  [12345] [RebalanceService] [o.a.r.c.i.c.RebalanceImpl#?:?] - ';
const MSG_EXT =
  "MessageExt [brokerName=broker-b, queueId=0, storeSize=312, queueOffset=1250, sysFlag=0, bornTimestamp=1715322180812, bornHost=/172.66.2.13:50412, storeTimestamp=1715322180815, storeHost=/172.66.1.31:10911, msgId=AC42011F00002A9F0000001CBE991A14, commitLogOffset=123456789012, bodyCRC=1822540310, reconsumeTimes=0, preparedTransactionOffset=0, toString()=Message{topic='pos_create_pos_cooperate_sale_order', flag=0, properties={MIN_OFFSET=0, MAX_OFFSET=1300, KEYS=SO202405100001, CONSUME_START_TIME=1715322181240, UNIQ_KEY=AC42020D00016267C3BB316F58CCBF10, CLUSTER=DefaultCluster, WAIT=true, TAGS=create}, body=[123, 34, 111, 114, 100, 101, 114, 73, 100, 34, 58, 49, 125], transactionId='null'}]";

describe('client signatures: fields', () => {
  it('fetch-offset-failed carries the queue, the variant and the attached exception', () => {
    const r = parse(
      `${P4}fetchConsumeOffsetFromBroker exception, ${Q0}\norg.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel <172.66.1.31:10911> timeout, 5000(ms)\n\tat org.apache.rocketmq.remoting.netty.NettyRemotingAbstract.invokeSyncImpl(NettyRemotingAbstract.java:438)\n\t...\n`,
      'fetch-offset-failed',
    );
    assert.deepEqual(r.fields, { mq: MQ0, variant: 'fetch', cause: null });
    assert.equal(r.entry.exception?.className, 'org.apache.rocketmq.remoting.exception.RemotingTimeoutException');
    assert.match(r.entry.exception?.message ?? '', /5000\(ms\)/);

    assert.deepEqual(parse(`${P4}Compute consume offset exception, mq=${Q0}`, 'fetch-offset-failed').fields, { mq: MQ0, variant: 'compute', cause: null });
    assert.deepEqual(
      parse(
        `${P4}Compute consume offset from last offset exception, mq=${Q0}, exception=org.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel <172.66.1.31:10911> timeout, 3000(ms)`,
        'fetch-offset-failed',
      ).fields,
      { mq: MQ0, variant: 'compute-last', cause: 'RemotingTimeoutException' },
    );
    assert.deepEqual(
      parse(
        `${P4}Failed to compute pull offset, pullResult: PullRequest [consumerGroup=pos-provider, messageQueue=${Q0}, nextOffset=1250]\norg.apache.rocketmq.client.exception.MQClientException: CODE: 1  DESC: Unexpected offset -1\n`,
        'fetch-offset-failed',
      ).fields,
      { mq: MQ0, variant: 'first-pull', cause: null },
    );
  });

  it('rebalance-result lists the allocated queues in both wordings', () => {
    const set = `[${Q0}, MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=1]]`;
    for (const prefix of [`${P4}`, `${P5}client `]) {
      const r = parse(
        `${prefix}rebalanced result changed. allocateMessageQueueStrategyName=AVG, group=pos-provider, topic=pos_create_pos_cooperate_sale_order, clientId=172.66.6.3@12345#1289456702398741, mqAllSize=4, cidAllSize=2, rebalanceResultSize=2, rebalanceResultSet=${set}`,
        'rebalance-result',
      );
      assert.equal(r.fields.group, 'pos-provider');
      assert.equal(r.fields.clientId, '172.66.6.3@12345#1289456702398741');
      assert.equal(r.fields.strategy, 'AVG');
      assert.equal(r.fields.mqAllSize, 4);
      assert.equal(r.fields.cidAllSize, 2);
      assert.deepEqual(r.fields.queues, [MQ0, { ...MQ0, queueId: 1 }]);
    }
  });

  it('queue add/remove variants carry their reason and step', () => {
    assert.deepEqual(parse(`${P4}doRebalance, pos-provider, remove unnecessary mq, ${Q0}`, 'queue-removed').fields, {
      group: 'pos-provider',
      mq: MQ0,
      reason: 'rebalance',
    });
    assert.equal(
      parse(`${P4}[BUG]doRebalance, pos-provider, remove unnecessary mq, ${Q0}, because pull is pause, so try to fixed it`, 'queue-removed').fields.reason,
      'pull-paused',
    );
    assert.equal(parse(`${P4}doRebalance, pos-provider, truncateMessageQueueNotMyTopic remove unnecessary mq, ${Q0}`, 'queue-removed').fields.reason, 'not-my-topic');
    assert.equal(parse(`${P4}Fix Offset, pos-provider, remove unnecessary mq, ${Q0} Droped: true`, 'queue-removed').fields.reason, 'fix-offset');
    assert.deepEqual(
      parse(`${P4}doRebalance, pos-provider, add a new pull request PullRequest [consumerGroup=pos-provider, messageQueue=${Q0}, nextOffset=1200]`, 'queue-added').fields,
      { group: 'pos-provider', mq: MQ0, nextOffset: 1200, step: 'pull-request' },
    );
    assert.equal(parse(`${P4}doRebalance, pos-provider, add a new mq failed, ${Q0}, because lock failed`, 'queue-add-failed').fields.reason, 'lock');
    assert.equal(parse(`${P4}doRebalance, pos-provider, add new mq failed, ${Q0}`, 'queue-add-failed').fields.reason, 'offset');
    assert.equal(parse(`${P4}doRebalance, pos-provider, compute offset failed, ${Q0}`, 'queue-add-failed').fields.reason, 'compute');
  });

  it('offset-persist gives group, client, queue, offset and mode', () => {
    const r = parse(
      `${P4}[persistAll] Group: pos-provider ClientId: 172.66.6.3@12345#1289456702398741 updateConsumeOffsetToBroker ${Q0} 1200`,
      'offset-persist',
    );
    assert.deepEqual(r.fields, { group: 'pos-provider', clientId: '172.66.6.3@12345#1289456702398741', mq: MQ0, offset: 1200, mode: 'persistAll' });
    assert.equal(parse(`${P4}[persist] Group: pos-provider ClientId: 172.66.6.3@12345 updateConsumeOffsetToBroker ${Q0} 65`, 'offset-persist').fields.mode, 'persist');
    assert.deepEqual(parse(`${P4}updateConsumeOffsetToBroker exception, ${Q0}`, 'offset-persist-failed').fields, { mq: MQ0, group: null });
  });

  it('first-pull-offset keeps NewOffset -1 and the [NOTIFYME] companion', () => {
    const pr = `PullRequest [consumerGroup=pos-provider, messageQueue=${Q0}, nextOffset=1250]`;
    assert.deepEqual(parse(`${P4}the first time to pull message, so fix offset from broker. pullRequest: ${pr} NewOffset: -1 brokerBusy: true`, 'first-pull-offset').fields, {
      group: 'pos-provider',
      mq: MQ0,
      requestOffset: 1250,
      newOffset: -1,
      brokerBusy: true,
    });
    const c = parse(`${P4}[NOTIFYME]the first time to pull message, but pull request offset larger than broker consume offset. pullRequest: ${pr} NewOffset: -1`, 'first-pull-offset');
    assert.equal(c.id, 'client.first-pull-offset-backwards');
    assert.equal(c.fields.newOffset, -1);
    assert.equal(c.fields.brokerBusy, null);
  });

  it('pull-offset-illegal parses PullRequest and PullResult; pull-offset-fixed the new offset', () => {
    const r = parse(
      `${P4}the pull request offset illegal, PullRequest [consumerGroup=pos-provider, messageQueue=${Q0}, nextOffset=1250] PullResult [pullStatus=OFFSET_ILLEGAL, nextBeginOffset=600, minOffset=0, maxOffset=600, msgFoundList=0]`,
      'pull-offset-illegal',
    );
    assert.deepEqual(r.fields, { group: 'pos-provider', mq: MQ0, requestOffset: 1250, nextBeginOffset: 600, minOffset: 0, maxOffset: 600 });
    assert.deepEqual(parse(`${P4}fix the pull request offset, PullRequest [consumerGroup=pos-provider, messageQueue=${Q0}, nextOffset=600]`, 'pull-offset-fixed').fields, {
      group: 'pos-provider',
      mq: MQ0,
      offset: 600,
    });
    assert.deepEqual(parse(`${P4}[BUG] pull message result maybe data wrong, nextBeginOffset: 1300 firstMsgOffset: 1200 prevRequestOffset: 1250`, 'pull-data-wrong').fields, {
      nextBeginOffset: 1300,
      firstMsgOffset: 1200,
      prevRequestOffset: 1250,
    });
  });

  it('pull exceptions split by their exception: timeout, failure, other', () => {
    const t = parse(
      `${P4}execute the pull request exception\norg.apache.rocketmq.client.exception.MQClientException: wait response from 172.66.1.31:10911 timeout :30000ms. Request: RemotingCommand [code=11]\nFor more information, please visit the url, http://rocketmq.apache.org/docs/faq/\n\t...\n`,
      'remote-timeout',
    );
    assert.deepEqual(t.fields, { remote: '172.66.1.31:10911', timeoutMs: 30000, op: 'pull' });
    const f = parse(
      `${P5}execute the pull request exception, group=pos-provider, messageQueue=${Q0}\norg.apache.rocketmq.remoting.exception.RemotingSendRequestException: send request to </172.66.1.31:10911> failed\n`,
      'connection-failure',
    );
    assert.deepEqual(f.fields, { remote: '172.66.1.31:10911', op: 'pull' });
    parse(`${P4}execute the pull request exception\norg.apache.rocketmq.client.exception.MQBrokerException: CODE: 25  DESC: the consumer's subscription not latest\n`, 'info');
  });

  it('consume-failed parses messages with UNIQ_KEY and queueOffset', () => {
    const r = parse(`${P4}consumeMessage exception: java.lang.NullPointerException Group: pos-provider Msgs: [${MSG_EXT}, ${MSG_EXT}] MQ: ${Q0}\njava.lang.NullPointerException\n`, 'consume-failed');
    assert.equal(r.fields.group, 'pos-provider');
    assert.equal(r.fields.reason, 'exception');
    assert.deepEqual(r.fields.mq, MQ0);
    assert.equal(r.fields.messages.length, 2);
    assert.equal(r.fields.messages[0]!.msgId, 'AC42020D00016267C3BB316F58CCBF10');
    assert.equal(r.fields.messages[0]!.offsetMsgId, 'AC42011F00002A9F0000001CBE991A14');
    assert.equal(r.fields.messages[0]!.queueOffset, 1250);
    assert.equal(r.fields.messages[0]!.reconsumeTimes, 0);
    assert.equal(parse(`${P4}consumeMessage return null, Group: pos-provider Msgs: [${MSG_EXT}] MQ: ${Q0}`, 'consume-failed').fields.reason, 'null');
    assert.equal(parse(`${P4}consumeMessage Orderly return not OK, Group: pos-provider Msgs: [${MSG_EXT}] MQ: ${Q0}`, 'consume-failed').fields.reason, 'orderly-not-ok');

    const d = parse(`${P4}processQueue is dropped without process consume result. messageQueue=${Q0}, msgs=[${MSG_EXT}]`, 'dropped-without-result');
    assert.deepEqual(d.fields.mq, MQ0);
    assert.equal(d.fields.messages[0]!.msgId, 'AC42020D00016267C3BB316F58CCBF10');
    assert.deepEqual(
      parse(
        `${P4}send expire msg back. topic=pos_create_pos_cooperate_sale_order, msgId=AC42020D00016267C3BB316F58CCBF10, storeHost=/172.66.1.31:10911, queueId=0, queueOffset=1250`,
        'expired-send-back',
      ).fields,
      { topic: 'pos_create_pos_cooperate_sale_order', msgId: 'AC42020D00016267C3BB316F58CCBF10', storeHost: '/172.66.1.31:10911', queueId: 0, queueOffset: 1250 },
    );
  });

  it('producer-send-failed in all three generations, and the Message{} dump', () => {
    const ex = '\norg.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel <172.66.1.31:10911> timeout, 3000(ms)\n';
    assert.deepEqual(
      parse(`${P4}sendKernelImpl exception, resend at once, InvokeID: -5276712343821119212, RT: 3001ms, Broker: ${Q0}${ex}`, 'producer-send-failed').fields,
      { invokeId: '-5276712343821119212', rtMs: 3001, mq: MQ0, brokerAddr: '172.66.1.31:10911', retry: 'resend' },
    );
    assert.deepEqual(parse(`${P5}sendKernelImpl exception, resend at once, InvokeID: %s, RT: %sms, Broker: %s${ex}`, 'producer-send-failed').fields, {
      invokeId: null,
      rtMs: null,
      mq: null,
      brokerAddr: '172.66.1.31:10911',
      retry: 'resend',
    });
    assert.equal(
      parse(`${P4}sendKernelImpl exception, throw exception, InvokeID: 42, RT: 12ms, Broker: ${Q0}\njava.lang.InterruptedException\n`, 'producer-send-failed').fields.retry,
      'throw',
    );
    assert.deepEqual(
      parse(`${P4}async send msg by retry 1 times. topic=pos_create_pos_cooperate_sale_order, brokerAddr=172.66.1.31:10911, brokerName=broker-b`, 'producer-send-failed').fields,
      { invokeId: null, rtMs: null, mq: null, brokerAddr: '172.66.1.31:10911', retry: 'async-retry' },
    );
    assert.deepEqual(
      parse(
        `${P4}Message{topic='pos_create_pos_cooperate_sale_order', flag=0, properties={KEYS=SO202405100001, UNIQ_KEY=AC42020D00016267C3BB316F58CCBF10, WAIT=true, TAGS=create}, body=[123, 34], transactionId='null'}`,
        'producer-message',
      ).fields,
      { topic: 'pos_create_pos_cooperate_sale_order', msgId: 'AC42020D00016267C3BB316F58CCBF10', keys: 'SO202405100001' },
    );
  });

  it('network, lock, lifecycle, reset and discard lines', () => {
    assert.deepEqual(parse(`${P4}invokeSync: wait response timeout exception, the channel[addr=172.66.1.31:10911, id=8f3a2c1d]`, 'remote-timeout').fields, {
      remote: '172.66.1.31:10911',
      timeoutMs: null,
      op: 'invokeSync',
    });
    assert.deepEqual(parse(`${P4}receive response, but not matched any request, 172.66.1.31:10911`, 'late-response').fields, { remote: '172.66.1.31:10911' });
    assert.deepEqual(
      parse(`${P4}receive response, cmd=RemotingCommand [code=0, language=JAVA, opaque=1183], but not matched any request, address=172.66.1.31:10911, channelId=8f3a2c1d`, 'late-response').fields,
      { remote: '172.66.1.31:10911' },
    );
    parse(`${P4}RemotingCommand [code=0, language=JAVA, version=401, opaque=1183, flag(B)=1, remark=null, extFields={}, serializeTypeCurrentRPC=JSON]`, 'info');
    assert.deepEqual(
      parse(
        `${P4}remove timeout request, ResponseFuture [responseCommand=null, sendRequestOK=true, cause=null, opaque=1183, processChannel=[id: 0x8f3a2c1d, L:/172.66.6.3:52814 - R:/172.66.1.31:10911], timeoutMillis=30000, invokeCallback=x, beginTimestamp=1, countDownLatch=y]`,
        'remote-timeout',
      ).fields,
      { remote: '172.66.1.31:10911', timeoutMs: 30000, op: 'remove timeout request' },
    );
    assert.equal(parse(`${P4}NETTY CLIENT PIPELINE: exceptionCaught 172.66.1.31:10911`, 'connection-failure').fields.remote, '172.66.1.31:10911');
    parse(`${P4}NETTY CLIENT PIPELINE: exceptionCaught exception.\njava.io.IOException: Connection reset by peer\n`, 'info');

    const lock = parse(`${P4}unlock messageQueue. group:pos-provider, clientId:172.66.6.3@12345#1289456702398741, mq:${Q0}`, 'lock');
    assert.deepEqual(lock.fields, { side: 'client', result: 'unlock', group: 'pos-provider', mq: MQ0, clientId: '172.66.6.3@12345#1289456702398741', otherClientId: null });
    assert.equal(parse(`${P4}pull message later because not locked in broker, PullRequest [consumerGroup=pos-provider, messageQueue=${Q0}, nextOffset=65]`, 'lock').fields.result, 'not-locked');
    assert.equal(parse(`${P4}the message queue lock expired, so consume later, ${Q0}`, 'lock').fields.result, 'lease-expired');

    const start = parse(
      `${P4}Created a new client Instance, InstanceIndex:0, ClientID:172.66.6.3@12345#1289456702398741, ClientConfig:ClientConfig [namesrvAddr=172.66.1.10:9876, clientIP=172.66.6.3], ClientVersion:V4_9_4, SerializerType:JSON`,
      'client-start',
    );
    assert.deepEqual(start.fields, { role: 'instance', group: null, clientId: '172.66.6.3@12345#1289456702398741', version: 'V4_9_4', messageModel: null });
    assert.equal(
      parse(`${P4}created a new client Instance, FactoryIndex: 0 ClinetID: 172.66.6.3@12345 ClientConfig [namesrvAddr=172.66.1.10:9876] V4_3_0, serializeType=JSON`, 'client-start').fields.version,
      'V4_3_0',
    );
    assert.equal(parse(`${P4}the consumer [pos-provider] start beginning. messageModel=CLUSTERING, isUnitMode=false`, 'client-start').fields.messageModel, 'CLUSTERING');

    assert.deepEqual(
      parse(`${P4}invoke reset offset operation from broker. brokerAddr=172.66.1.31:10911, topic=pos_create_pos_cooperate_sale_order, group=pos-provider, timestamp=1715320800000`, 'offset-reset').fields,
      { side: 'client', phase: 'pushed', topic: 'pos_create_pos_cooperate_sale_order', group: 'pos-provider', timestamp: 1715320800000, by: '172.66.1.31:10911', clientId: null },
    );
    assert.deepEqual(parse(`${P4}receive broker's notification[172.66.1.31:10911], the consumer group: pos-provider changed, rebalance immediately`, 'rebalance-notified').fields, {
      brokerAddr: '172.66.1.31:10911',
      group: 'pos-provider',
    });
    assert.deepEqual(parse(`${P4}Discarded 1,234 messages due to full event buffer including: x`, 'log-discarded').fields, { count: 1234 });
  });
});

describe('client signatures: host probe', () => {
  it('finds the host in client-id bearing lines', () => {
    assert.equal(clientHostProbe('[persistAll] Group: pos-provider ClientId: 172.66.6.3@12345 updateConsumeOffsetToBroker x 1'), '172.66.6.3');
    assert.equal(clientHostProbe('the client factory [172.66.6.5@23456#1290012345678901] start OK'), '172.66.6.5');
    assert.equal(clientHostProbe('HeartbeatData [clientID=172.66.6.2@777, producerDataSet=[]'), '172.66.6.2');
    assert.equal(clientHostProbe('created a new client Instance, FactoryIndex: 0 ClinetID: 172.66.6.4@1 x V4_3_0, serializeType=JSON'), '172.66.6.4');
    assert.equal(clientHostProbe('doRebalance, pos-provider, add a new mq, x'), null);
  });
});

describe('client signatures: linear time', () => {
  it('no pattern backtracks badly on long near-miss messages', () => {
    const fillers = ['a'.repeat(20000), ', '.repeat(10000), ' Group: x Msgs: '.repeat(1500), ']'.repeat(20000), '['.repeat(20000)];
    for (const s of CLIENT_SIGNATURES) {
      for (const f of fillers) {
        // The anchor followed by filler, and the anchor twice around filler: the regex runs.
        for (const msg of [`${s.anchor}${f}`, `${s.anchor}${f}${s.anchor}${f}!`]) {
          const t0 = performance.now();
          s.pattern.exec(msg);
          const ms = performance.now() - t0;
          assert.ok(ms < 200, `${s.id} took ${ms.toFixed(0)} ms on a ${msg.length}-char message`);
        }
      }
    }
  });
});
