import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BROKER_PLAIN, BROKER_STATS, LOGBACK_GMT8 } from '../../src/formats/layouts.js';
import { BROKER_SIGNATURES, brokerHostProbe } from '../../src/formats/signatures/broker.js';
import { matchSignature } from '../../src/formats/text.js';
import type { Entry } from '../../src/formats/types.js';
import { lineEntry } from '../helpers.js';

/** Field-level checks of the broker signature table (the generic test checks exclusivity). */

function entryOf(line: string): Entry {
  const r = lineEntry(line, [LOGBACK_GMT8, BROKER_STATS, BROKER_PLAIN]);
  if (!r) throw new Error(`no broker layout fits: ${line}`);
  return r.entry;
}

function parse(line: string): { id: string; kind: string; fields: Record<string, unknown> } {
  const hit = matchSignature(BROKER_SIGNATURES, entryOf(line));
  assert.ok(hit, `unrecognised: ${line}`);
  return { id: hit.sig.id, kind: hit.sig.kind, fields: hit.fields as Record<string, unknown> };
}

const MQ0 = { topic: 'pos_create_pos_cooperate_sale_order', brokerName: 'broker-b', queueId: 0 };
const CID3 = '172.66.6.3@12345#1289456702398741';
const CID4 = '172.66.6.4@23456#1290012345678901';

describe('broker signatures: offsets (§11)', () => {
  it('[NOTIFYME] regression', () => {
    const r = parse(
      '2024-05-10 14:23:05 WARN ConsumerManageThread_3 - [NOTIFYME]update consumer offset less than store. clientHost=172.66.6.3:52814, key=pos_create_pos_cooperate_sale_order@pos-provider, queueId=0, requestOffset=65, storeOffset=108',
    );
    assert.equal(r.kind, 'offset-regression');
    assert.deepEqual(r.fields, {
      clientHost: '172.66.6.3:52814',
      topic: 'pos_create_pos_cooperate_sale_order',
      group: 'pos-provider',
      queueId: 0,
      requestOffset: 65,
      storeOffset: 108,
    });
  });
  it('offset commit rejected after a server-side reset', () => {
    const r = parse(
      '2024-05-10 15:00:05 INFO ConsumerManageThread_3 - Update consumer offset is rejected because of previous offset-reset. Group=pos-provider, Topic=pos_create_pos_cooperate_sale_order, QueueId=0, Offset=1250',
    );
    assert.equal(r.kind, 'offset-commit-rejected');
    assert.deepEqual(r.fields, { group: 'pos-provider', topic: 'pos_create_pos_cooperate_sale_order', queueId: 0, offset: 1250 });
  });
  it('config load fallback to .bak is an abnormal recovery; load OK is info', () => {
    const bad = parse('2024-05-10 14:20:11 ERROR main - load /root/store/config/consumerOffset.json failed, and try to load backup file');
    assert.equal(bad.kind, 'broker-recovery');
    assert.equal(bad.fields.abnormal, true);
    const ok = parse('2024-05-10 14:20:11 INFO main - load /root/store/config/consumerOffset.json OK');
    assert.deepEqual(ok.fields, { what: 'config-load', detail: '/root/store/config/consumerOffset.json' });
  });
});

describe('broker signatures: pull corrections (§12)', () => {
  const cases: [string, Record<string, unknown>][] = [
    [
      '2024-05-10 14:23:02 INFO PullMessageThread_7 - the request offset too small. group=pos-provider, topic=pos_create_pos_cooperate_sale_order, requestOffset=-1, brokerMinOffset=65, clientIp=/172.66.6.3:52814',
      { reason: 'too-small', group: 'pos-provider', topic: 'pos_create_pos_cooperate_sale_order', requestOffset: -1, newOffset: 65, minOffset: 65, client: '172.66.6.3:52814' },
    ],
    [
      '2024-05-10 14:23:02 INFO PullMessageThread_7 - the request offset: 1250 over flow badly, broker max offset: 600, consumer: /172.66.6.3:52814',
      { reason: 'overflow-badly', requestOffset: 1250, newOffset: null, maxOffset: 600, client: '172.66.6.3:52814' },
    ],
    [
      '2024-05-10 14:23:02 INFO PullMessageThread_7 - the request offset: 1250 over flow badly, fix to 600, broker max offset: 600, consumer: 172.66.6.3:52814',
      { reason: 'overflow-badly', requestOffset: 1250, newOffset: 600, maxOffset: 600, client: '172.66.6.3:52814' },
    ],
    [
      '2024-05-10 14:23:02 INFO PullMessageThread_7 - the broker store no queue data, fix the request offset 1250 to 0, Topic: pos_create_pos_cooperate_sale_order QueueId: 0 Consumer Group: pos-provider',
      { reason: 'no-queue-data', topic: 'pos_create_pos_cooperate_sale_order', group: 'pos-provider', queueId: 0, requestOffset: 1250, newOffset: 0 },
    ],
    [
      '2024-05-10 14:23:02 INFO PullMessageThread_7 - the broker stores no queue data, fix the request offset 1250 to 0, Topic: pos_create_pos_cooperate_sale_order QueueId: 3 Consumer Group: pos-provider',
      { reason: 'no-queue-data', queueId: 3, requestOffset: 1250, newOffset: 0 },
    ],
    [
      '2024-05-10 14:23:02 WARN PullMessageThread_7 - PULL_OFFSET_MOVED:correction offset. topic=pos_create_pos_cooperate_sale_order, groupId=pos-provider, requestOffset=1250, newOffset=0, suggestBrokerId=0',
      { reason: 'moved', topic: 'pos_create_pos_cooperate_sale_order', group: 'pos-provider', requestOffset: 1250, newOffset: 0 },
    ],
    [
      '2024-05-10 14:23:02 WARN PullMessageThread_7 - PULL_OFFSET_MOVED:none correction. topic=pos_create_pos_cooperate_sale_order, groupId=pos-provider, requestOffset=1250, suggestBrokerId=0',
      { reason: 'none-correction', group: 'pos-provider', requestOffset: 1250, newOffset: null },
    ],
    [
      '2024-05-10 15:00:03 INFO PullMessageThread_7 - The queue under pulling was previously reset to start from 1200',
      { reason: 'reset', newOffset: 1200, requestOffset: null },
    ],
  ];
  for (const [line, want] of cases) {
    it(`${String(want.reason)}: ${line.slice(47, 110)}`, () => {
      const r = parse(line);
      assert.equal(r.kind, 'pull-offset-corrected');
      for (const [k, v] of Object.entries(want)) assert.deepEqual(r.fields[k], v, k);
    });
  }
});

describe('broker signatures: consumer registry (§13)', () => {
  it('SCAN expired channel', () => {
    const r = parse(
      '2024-05-10 14:25:11 WARN ClientHousekeepingScheduledThread1 - SCAN: remove expired channel from ConsumerManager consumerTable. channel=172.66.6.3:52814, consumerGroup=pos-provider',
    );
    assert.equal(r.kind, 'channel-expired');
    assert.deepEqual(r.fields, { channel: '172.66.6.3:52814', group: 'pos-provider' });
  });
  it('SCAN all clear names the group only', () => {
    const r = parse(
      '2024-05-10 14:25:11 WARN ClientHousekeepingScheduledThread1 - SCAN: remove expired channel from ConsumerManager consumerTable, all clear, consumerGroup=pos-provider',
    );
    assert.equal(r.kind, 'channel-expired');
    assert.deepEqual(r.fields, { channel: null, group: 'pos-provider' });
  });
  it('NETTY EVENT remove not active channel: clientId, R: address, group', () => {
    const r = parse(
      '2024-05-10 14:25:11 WARN NettyEventExecutor - NETTY EVENT: remove not active channel[ClientChannelInfo [channel=[id: 0x5e9f8a3c, L:/172.66.1.31:10911 ! R:/172.66.6.3:52814], clientId=172.66.6.3@12345#1289456702398741, language=JAVA, version=401, lastUpdateTimestamp=1715322181240]] from ConsumerGroupInfo groupChannelTable, consumer group: pos-provider',
    );
    assert.equal(r.kind, 'channel-closed');
    assert.deepEqual(r.fields, { channel: '172.66.6.3:52814', clientId: CID3, group: 'pos-provider' });
  });
  it('new consumer connected', () => {
    const r = parse(
      '2024-05-10 14:22:58 INFO HeartbeatThread_2 - new consumer connected, group: pos-provider CONSUME_PASSIVELY CLUSTERING channel: ClientChannelInfo [channel=[id: 0x8f3a2c1d, L:/172.66.1.31:10911 - R:/172.66.6.4:41022], clientId=172.66.6.4@23456#1290012345678901, language=JAVA, version=401, lastUpdateTimestamp=1715322178004]',
    );
    assert.equal(r.kind, 'consumer-registered');
    assert.deepEqual(r.fields, { group: 'pos-provider', clientId: CID4, channel: '172.66.6.4:41022', messageModel: 'CLUSTERING' });
  });
  it('unregister a consumer / group removed', () => {
    const a = parse(
      `2024-05-10 14:30:00 INFO ClientManageThread_1 - unregister a consumer[pos-provider] from consumerGroupInfo ClientChannelInfo [channel=[id: 0x5e9f8a3c, L:/172.66.1.31:10911 - R:/172.66.6.3:52814], clientId=${CID3}, language=JAVA, version=401, lastUpdateTimestamp=1715322181240]`,
    );
    assert.equal(a.kind, 'consumer-unregistered');
    assert.deepEqual(a.fields, { group: 'pos-provider', clientId: CID3 });
    const b = parse('2024-05-10 14:25:11 INFO NettyEventExecutor - unregister consumer ok, no any connection, and remove consumer group, pos-provider');
    assert.deepEqual(b.fields, { group: 'pos-provider', clientId: null });
  });
  it('remoting.log exceptionCaught: first line is a connection failure, second is context', () => {
    const a = parse('2024-05-10 14:25:11 WARN NettyServerCodecThread_1 - NETTY SERVER PIPELINE: exceptionCaught 172.66.6.3:52814');
    assert.equal(a.kind, 'connection-failure');
    assert.deepEqual(a.fields, { remote: '172.66.6.3:52814', op: 'exceptionCaught' });
    const b = parse(
      '2024-05-10 14:25:11 WARN NettyServerCodecThread_1 - NETTY SERVER PIPELINE: exceptionCaught exception.\njava.io.IOException: Connection reset by peer\n\tat sun.nio.ch.FileDispatcherImpl.read0(Native Method)',
    );
    assert.equal(b.kind, 'info');
    assert.deepEqual(b.fields, { what: 'netty-server-exception', detail: 'java.io.IOException: Connection reset by peer' });
  });
});

describe('broker signatures: lock.log (§3.2)', () => {
  it('4.x lock expired, I got it: new and old client ids', () => {
    const r = parse(
      '2024-05-10 14:24:02 WARN AdminBrokerThread_2 - tryLockBatch, message queue lock expired, I got it. Group: pos-provider OldClientId: 172.66.6.3@12345#1289456702398741 NewClientId: 172.66.6.4@23456#1290012345678901 MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]',
    );
    assert.equal(r.kind, 'lock');
    assert.deepEqual(r.fields, { side: 'broker', result: 'expired-takeover', group: 'pos-provider', mq: MQ0, clientId: CID4, otherClientId: CID3 });
  });
  it('5.x try to lock a expired message queue: new and old client ids', () => {
    const r = parse(
      `2024-05-10 14:24:02 WARN AdminBrokerThread_2 - RebalanceLockManager#tryLock: try to lock a expired message queue, group=pos-provider, mq=MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0], old client id=${CID3}, new client id=${CID4}`,
    );
    assert.deepEqual(r.fields, { side: 'broker', result: 'expired-takeover', group: 'pos-provider', mq: MQ0, clientId: CID4, otherClientId: CID3 });
  });
  it('not locked → ok; locked by other → held-by-other; unlockBatch → unlock', () => {
    const ok = parse(
      `2024-05-10 14:23:01 INFO AdminBrokerThread_2 - tryLockBatch, message queue not locked, I got it. Group: pos-provider NewClientId: ${CID3} MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]`,
    );
    assert.equal(ok.fields.result, 'ok');
    assert.equal(ok.fields.clientId, CID3);
    assert.equal(ok.fields.otherClientId, null);
    const other = parse(
      `2024-05-10 14:23:21 WARN AdminBrokerThread_2 - RebalanceLockManager#tryLockBatch: message queue has been locked by other client, group=pos-provider, mq=MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0], locked client id=${CID3}, current client id=${CID4}`,
    );
    assert.equal(other.fields.result, 'held-by-other');
    assert.equal(other.fields.otherClientId, CID3);
    assert.equal(other.fields.clientId, CID4);
    const un = parse(
      `2024-05-10 14:30:00 INFO AdminBrokerThread_2 - unlockBatch, Group: pos-provider MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0] ${CID3}`,
    );
    assert.deepEqual(un.fields, { side: 'broker', result: 'unlock', group: 'pos-provider', mq: MQ0, clientId: CID3, otherClientId: null });
  });
});

describe('broker signatures: reset (§14.1)', () => {
  it('reset offset started by the mqadmin host', () => {
    const r = parse(
      '2024-05-10 15:00:00 INFO AdminBrokerThread_1 - [reset-offset] reset offset started by 172.66.1.50:61234. topic=pos_create_pos_cooperate_sale_order, group=pos-provider, timestamp=1715320800000, isForce=true',
    );
    assert.equal(r.kind, 'offset-reset');
    assert.deepEqual(r.fields, {
      side: 'broker',
      phase: 'requested',
      topic: 'pos_create_pos_cooperate_sale_order',
      group: 'pos-provider',
      timestamp: 1715320800000,
      by: '172.66.1.50:61234',
      clientId: null,
    });
  });
  it('reset offset success names the client', () => {
    const r = parse(
      `2024-05-10 15:00:00 INFO AdminBrokerThread_1 - [reset-offset] reset offset success. topic=pos_create_pos_cooperate_sale_order, group=pos-provider, clientId=${CID3}`,
    );
    assert.equal(r.fields.phase, 'pushed');
    assert.equal(r.fields.clientId, CID3);
  });
});

describe('broker signatures: lifecycle and HA (§15)', () => {
  it('boot success (with and without name server) and the host probe', () => {
    const line = 'The broker[broker-b, 172.66.1.31:10911] boot success. serializeType=JSON and name server is 172.66.1.10:9876';
    const r = parse(`2024-05-10 14:20:15 INFO main - ${line}`);
    assert.equal(r.kind, 'broker-start');
    assert.deepEqual(r.fields, { brokerName: 'broker-b', brokerAddr: '172.66.1.31:10911' });
    const r2 = parse('2024-05-10 14:20:15 INFO main - The broker[broker-b, 172.66.1.31:10911] boot success. serializeType=ROCKETMQ');
    assert.deepEqual(r2.fields, { brokerName: 'broker-b', brokerAddr: '172.66.1.31:10911' });
    assert.equal(brokerHostProbe(line), '172.66.1.31');
  });
  it('last shutdown, both generations', () => {
    assert.deepEqual(parse('2024-05-10 14:20:11 INFO main - last shutdown abnormally').fields, { abnormal: true });
    assert.deepEqual(parse('2024-05-10 14:20:11 INFO main - last shutdown normally').fields, { abnormal: false });
    const r = parse('2024-05-10 14:20:11 INFO main - last shutdown abnormally, store path root dir: /root/store');
    assert.equal(r.kind, 'broker-last-shutdown');
    assert.deepEqual(r.fields, { abnormal: true });
  });
  it('shutdown hook begin/end', () => {
    assert.deepEqual(parse('2024-05-10 14:19:50 INFO ShutdownHook - Shutdown hook was invoked, 1').fields, { phase: 'begin' });
    assert.deepEqual(parse('2024-05-10 14:19:53 INFO ShutdownHook - Shutdown hook over, consuming total time(ms): 3012').fields, { phase: 'end' });
  });
  it('abnormal recovery lines', () => {
    const r = parse('2024-05-10 14:20:12 INFO main - recover from this mapped file /root/store/commitlog/00000000122406567936');
    assert.equal(r.kind, 'broker-recovery');
    assert.equal(r.fields.abnormal, true);
    const n = parse('2024-05-10 14:20:12 INFO main - recover last 3 physics file over, last mapped file /root/store/commitlog/00000000122406567936');
    assert.equal(n.fields.abnormal, false);
  });
  it('role change: DLedger, 4.x, 5.x controller', () => {
    assert.deepEqual(parse('2024-05-10 14:26:00 INFO BrokerControllerScheduledThread1 - Begin to change to slave brokerName=broker-b brokerId=1').fields, {
      role: 'slave',
      phase: 'begin',
      brokerName: 'broker-b',
    });
    assert.deepEqual(parse('2024-05-10 14:26:01 INFO BrokerControllerScheduledThread1 - Finish to change to master brokerName=broker-b').fields, {
      role: 'master',
      phase: 'finish',
      brokerName: 'broker-b',
    });
    assert.deepEqual(
      parse('2024-05-10 14:26:01 INFO BrokerControllerScheduledThread1 - Finish handling broker role change succ=false term=3 role=FOLLOWER currStoreRole=SYNC_MASTER cost=1012').fields,
      { role: 'slave', phase: 'failed', brokerName: null },
    );
    assert.deepEqual(
      parse(
        '2024-05-10 14:26:00 INFO BrokerControllerScheduledThread1 - Begin to change to master, brokerName:broker-b, replicas:172.66.1.31:10911, new Epoch:2',
      ).fields,
      { role: 'master', phase: 'begin', brokerName: 'broker-b' },
    );
  });
  it('slave sync ok / failed', () => {
    const ok = parse('2024-05-10 14:23:13 INFO BrokerControllerScheduledThread1 - Update slave consumer offset from master, 172.66.1.31:10911');
    assert.equal(ok.kind, 'slave-sync');
    assert.deepEqual(ok.fields, { masterAddr: '172.66.1.31:10911', ok: true });
    const bad = parse('2024-05-10 14:23:13 ERROR BrokerControllerScheduledThread1 - SyncConsumerOffset Exception, 172.66.1.31:10911');
    assert.deepEqual(bad.fields, { masterAddr: '172.66.1.31:10911', ok: false });
    const cfg = parse('2024-05-10 14:23:13 INFO BrokerControllerScheduledThread1 - Update slave topic config from master, 172.66.1.31:10911');
    assert.equal(cfg.kind, 'info');
  });
});

describe('broker signatures: POP (§17)', () => {
  const CK =
    'PopCheckPoint [topic=pos_create_pos_cooperate_sale_order, cid=pos-provider, queueId=0, startOffset=1250, bitMap=6, num=4, reviveTime=1715322190200, reviveOffset=88213, diff=[0, 1, 2, 3], brokerName=broker-b, rePutTimes=null]';
  it('retry msg (both spellings) → pop-revive', () => {
    for (const sep of [',retry msg, ck=', ',retry msg , ck=']) {
      const r = parse(
        `2024-05-10 14:23:31 INFO PopReviveService_2 - reviveQueueId=2${sep}${CK}, msg queueId 0, offset 1252, reviveDelay=1, result is PutMessageResult [putMessageStatus=PUT_OK, appendMessageResult=AppendMessageResult{status=PUT_OK}]`,
      );
      assert.equal(r.kind, 'pop-revive');
      assert.deepEqual(r.fields, { reviveQueueId: 2, topic: 'pos_create_pos_cooperate_sale_order', group: 'pos-provider', queueId: 0, offset: 1252 });
    }
  });
  it('revive finish (both versions)', () => {
    for (const p of ['reviveQueueId=2, revive finish', 'reviveQueueId=2,revive finish']) {
      const r = parse(`2024-05-10 14:23:31 INFO PopReviveService_2 - ${p},old offset is 88200, new offset is 88231, ckDelay=1  `);
      assert.equal(r.kind, 'pop-revive-finish');
      assert.deepEqual(r.fields, { reviveQueueId: 2, oldOffset: 88200, newOffset: 88231 });
    }
  });
  it('acks: brokerName from the ack, null when the ack lost it (#8835)', () => {
    const found = parse(
      '2024-05-10 14:23:30 INFO PopReviveService_2 - reviveQueueId=2, find ack, offset:88214, raw : {"ao":1251,"so":1250,"c":"pos-provider","t":"pos_create_pos_cooperate_sale_order","q":0,"pt":1715322160200}',
    );
    assert.equal(found.kind, 'pop-ack');
    assert.equal(found.fields.result, 'found');
    assert.equal(found.fields.brokerName, null);
    const stored = parse(
      `2024-05-10 14:23:30 INFO PopBufferMergeService - [PopBuffer]put ack to store ok: CkWrap{rq=2, rqo=88213, ck=${CK}, bits=6, sBits=110, nbo=false, cks=false, jo=false}, AckMsg{ackOffset=1251, startOffset=1250, consumerGroup='pos-provider', topic='pos_create_pos_cooperate_sale_order', queueId=0, popTime=1715322160200, brokerName=null}, PutMessageResult [putMessageStatus=PUT_OK]`,
    );
    assert.equal(stored.fields.result, 'stored');
    assert.equal(stored.fields.brokerName, null);
    const buffered = parse(
      `2024-05-10 14:23:21 INFO PopBufferMergeService - [PopBuffer]add ack, rqId=2, CkWrap{rq=2, ck=${CK}}, AckMsg{ackOffset=1251, startOffset=1250, consumerGroup='pos-provider', topic='pos_create_pos_cooperate_sale_order', queueId=0, popTime=1715322160200, brokerName=broker-b}`,
    );
    assert.equal(buffered.fields.result, 'buffered');
    assert.equal(buffered.fields.brokerName, 'broker-b');
  });
});

describe('broker signatures: linear time', () => {
  it('long near-miss messages are rejected quickly', () => {
    const junk = 'x, '.repeat(20000);
    const probes = [
      `the request offset: 1 over flow badly, ${junk}`,
      `NETTY EVENT: remove not active channel[${junk}`,
      `new consumer connected, group: a b c channel: ${junk}`,
      `reviveQueueId=2,retry msg, ck=PopCheckPoint [topic=a, cid=b, queueId=0, ${junk}`,
      `consumer request topic: ${'a'.repeat(60000)}`,
      `172.66.6.3:1, too many requests and system thread pool busy, RejectedExecutionException ${junk}`,
      `[PopBuffer]add ack fail, rqId=2, ${junk}`,
    ];
    const t0 = Date.now();
    for (const msg of probes) {
      matchSignature(BROKER_SIGNATURES, { msg, continuation: [], exception: null, level: null, thread: null, logger: null });
    }
    assert.ok(Date.now() - t0 < 500, `took ${Date.now() - t0} ms`);
  });
});
