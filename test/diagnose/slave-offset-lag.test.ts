import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brokerOffsetLoss } from '../../src/diagnose/rules/broker-offset-loss.js';
import { RULES } from '../../src/diagnose/rules/index.js';
import { slaveOffsetLag } from '../../src/diagnose/rules/slave-offset-lag.js';
import { contextFrom, diagnoseWith, fixtureContext, incidentsOf, sole, type Diagnosis } from '../rule-helpers.js';

const T = 'pos_create_pos_cooperate_sale_order';
const MQ = (bn: string, q: number): string => `MessageQueue [topic=${T}, brokerName=${bn}, queueId=${q}]`;
const PR = (bn: string, q: number, n: number): string => `PullRequest [consumerGroup=pos-provider, messageQueue=${MQ(bn, q)}, nextOffset=${n}]`;
const CID3 = '172.66.6.3@12345#1289456702398741';
const CID4 = '172.66.6.4@23456#1290012345678901';
const c = (ts: string, level: string, msg: string): string => `2024-05-10 ${ts} ${level} RocketmqClient - ${msg}\r\n`;
const b = (ts: string, level: string, thread: string, msg: string): string => `2024-05-10 ${ts} ${level} ${thread} - ${msg}\n`;
const persist = (cid: string, ts: string, off: number): string => c(ts, 'INFO', `[persistAll] Group: pos-provider ClientId: ${cid} updateConsumeOffsetToBroker ${MQ('broker-b', 0)} ${off}`);
const CONN = 'org.apache.rocketmq.remoting.exception.RemotingConnectException: connect to 172.66.1.31:10911 failed\r\n\tat org.apache.rocketmq.remoting.netty.NettyRemotingClient.invokeSync(NettyRemotingClient.java:394)\r\n\r\n';
const sync = (ts: string): string => b(ts, 'INFO', 'BrokerControllerScheduledThread1', 'Update slave consumer offset from master, 172.66.1.31:10911');
const syncFail = (ts: string): string =>
  b(ts, 'ERROR', 'BrokerControllerScheduledThread1', 'SyncConsumerOffset Exception, 172.66.1.31:10911') +
  'org.apache.rocketmq.remoting.exception.RemotingConnectException: connect to 172.66.1.31:10911 failed\n\tat org.apache.rocketmq.remoting.netty.NettyRemotingClient.invokeSync(NettyRemotingClient.java:394)\n';

/**
 * broker-b master 172.66.1.31 goes down after 14:23:05. With `slave`, its slave 172.66.1.32 logs
 * offset syncs (the last one at `lastSyncAt`) and failures; 172.66.6.4 takes queue 0 at 14:25:17
 * reading `read`.
 */
function outageBundle(o: { slave: boolean; lastSyncAt: string; read: number }): Record<string, string> {
  const hb = (cid: string, ts: string): string =>
    c(ts, 'INFO', 'send heart beat to broker[broker-b 0 172.66.1.31:10911] success') + (o.slave ? c(ts, 'INFO', 'send heart beat to broker[broker-b 1 172.66.1.32:10911] success') : '') + void cid;
  const files: Record<string, string> = {
    '172.66.1.31/logs/rocketmqlogs/broker.log': b('14:22:40', 'INFO', 'HeartbeatThread_3', `new consumer connected, group: pos-provider CONSUME_PASSIVELY CLUSTERING channel: ClientChannelInfo [channel=[id: 0x5e9f8a3c, L:/172.66.1.31:10911 - R:/172.66.6.3:52814], clientId=${CID3}, language=JAVA, version=401, lastUpdateTimestamp=1715322160001]`),
    '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log': hb(CID3, '14:20:28,001') + persist(CID3, '14:22:55,012', 1180) + persist(CID3, '14:23:00,012', 1215) + persist(CID3, '14:23:05,012', 1250),
    '172.66.6.4/logs/rocketmqlogs/rocketmq_client.log':
      hb(CID4, '14:20:28,501') +
      c('14:23:28,504', 'INFO', 'send heart beat to broker[broker-b 0 172.66.1.31:10911] failed') +
      CONN +
      c('14:25:17,302', 'INFO', `doRebalance, pos-provider, add a new mq, ${MQ('broker-b', 0)}`) +
      c('14:25:17,306', 'INFO', `doRebalance, pos-provider, add a new pull request ${PR('broker-b', 0, o.read)}`) +
      persist(CID4, '14:25:22,513', o.read + 20) +
      persist(CID4, '14:25:27,513', o.read + 56) +
      persist(CID4, '14:25:32,513', 1290),
  };
  if (o.slave) {
    const syncs = ['14:22:38', '14:22:48', '14:22:58', '14:23:04'].filter((t) => t <= o.lastSyncAt).map(sync).join('');
    files['172.66.1.32/logs/rocketmqlogs/broker.log'] = syncs + syncFail('14:23:08') + syncFail('14:23:18') + syncFail('14:25:08');
  }
  return files;
}

/** The master comes back (abnormal restart) after the consumers committed to the slave; the next read returns the master's older offset. */
function masterReturnBundle(): Record<string, string> {
  return {
    '172.66.1.31/logs/rocketmqlogs/broker.log':
      b('14:23:05', 'INFO', 'HeartbeatThread_3', `new consumer connected, group: pos-provider CONSUME_PASSIVELY CLUSTERING channel: ClientChannelInfo [channel=[id: 0x5e9f8a3c, L:/172.66.1.31:10911 - R:/172.66.6.3:52814], clientId=${CID3}, language=JAVA, version=401, lastUpdateTimestamp=1715322185001]`) +
      b('14:25:03', 'INFO', 'main', 'The broker[broker-b, 172.66.1.31:10911] boot success. serializeType=JSON and name server is 172.66.1.10:9876'),
    '172.66.1.31/logs/rocketmqlogs/store.log': b('14:25:01', 'INFO', 'main', 'last shutdown abnormally'),
    '172.66.1.32/logs/rocketmqlogs/broker.log': sync('14:22:58') + syncFail('14:23:08') + syncFail('14:24:08') + syncFail('14:24:58') + sync('14:25:08'),
    '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log':
      c('14:20:28,001', 'INFO', 'send heart beat to broker[broker-b 0 172.66.1.31:10911] success') +
      c('14:20:28,002', 'INFO', 'send heart beat to broker[broker-b 1 172.66.1.32:10911] success') +
      persist(CID3, '14:23:00,012', 1215) +
      persist(CID3, '14:23:05,012', 1250) +
      c('14:23:28,004', 'INFO', 'send heart beat to broker[broker-b 0 172.66.1.31:10911] failed') +
      CONN +
      persist(CID3, '14:24:00,012', 1290) +
      persist(CID3, '14:24:55,012', 1300),
    '172.66.6.4/logs/rocketmqlogs/rocketmq_client.log':
      c('14:25:30,302', 'INFO', `doRebalance, pos-provider, add a new mq, ${MQ('broker-b', 0)}`) +
      c('14:25:30,306', 'INFO', `doRebalance, pos-provider, add a new pull request ${PR('broker-b', 0, 1250)}`) +
      persist(CID4, '14:25:35,513', 1280) +
      persist(CID4, '14:25:40,513', 1310),
  };
}

const lags = (d: Diagnosis) => incidentsOf(d, 'slave-offset-lag');

describe('slave-offset-lag', () => {
  describe('valid', () => {
    it('fixture: master down, the new owner reads 1180 from the slave whose last sync predates the commit of 1250', async () => {
      const ctx = await fixtureContext('slave-offset-lag');
      const incs = lags(diagnoseWith(ctx, [slaveOffsetLag]));
      const inc = sole(incs);
      assert.deepEqual(inc.queue, { group: 'pos-provider', topic: T, brokerName: 'broker-b', queueId: 0 });
      assert.deepEqual(inc.offsetRange, { from: 1180, to: 1249 });
      assert.equal(inc.redeliveredCount, 70);
      assert.equal(inc.confidence, 'high');
      const at = (kind: string, host: string): number => inc.chain.findIndex((l) => l.event.kind === kind && l.event.host === host);
      const lastSync = at('slave-sync', '172.66.1.32');
      assert.ok(lastSync >= 0 && inc.chain[lastSync]!.event.line === 19, 'the last successful sync of the slave');
      assert.ok(at('offset-persist', '172.66.6.3') > lastSync, 'the commit after the slave copy');
      assert.equal(inc.anchor.kind, 'queue-added');
      assert.equal(inc.anchor.host, '172.66.6.4');
      assert.deepEqual([...inc.messageIds].sort(), ['AC42020D00016267C3BB316F58CD0A96', 'AC42020D00016267C3BB316F58CD0ABE']);
    });

    it('fixture with every rule: exactly this incident (no broker-offset-loss, no rebalance explanation)', async () => {
      const ctx = await fixtureContext('slave-offset-lag');
      const d = diagnoseWith(ctx, [...RULES]);
      assert.deepEqual(d.incidents.map((i) => `${i.cause}|${i.queue?.brokerName}:${i.queue?.queueId}`), ['slave-offset-lag|broker-b:0']);
      assert.ok(d.redeliveries.length === 2 && d.redeliveries.every((r) => r.cause === 'slave-offset-lag'));
    });

    it('master returns with older offsets after commits went to the slave: slave-offset-lag, not broker-offset-loss', async () => {
      const ctx = await contextFrom(masterReturnBundle());
      const d = diagnoseWith(ctx, [slaveOffsetLag, brokerOffsetLoss]);
      assert.deepEqual(d.incidents.map((i) => i.cause), ['slave-offset-lag']);
      assert.deepEqual(d.incidents[0]!.offsetRange, { from: 1250, to: 1299 });
      assert.ok(d.incidents[0]!.chain.some((l) => l.event.kind === 'broker-start'));
    });

    it('a smaller lag in an inline bundle (sync at 14:22:58, commits 1215 and 1250 after it)', async () => {
      const ctx = await contextFrom(outageBundle({ slave: true, lastSyncAt: '14:22:58', read: 1180 }));
      const incs = lags(diagnoseWith(ctx, [slaveOffsetLag]));
      assert.equal(incs.length, 1);
      assert.deepEqual(incs[0]!.offsetRange, { from: 1180, to: 1249 });
    });
  });

  describe('invalid', () => {
    it('the slave had synced the last commit: the read equals it, nothing is re-delivered', async () => {
      const ctx = await contextFrom(outageBundle({ slave: true, lastSyncAt: '14:23:04', read: 1250 }));
      assert.equal(lags(diagnoseWith(ctx, [slaveOffsetLag])).length, 0);
    });

    it('no slave in the set (no sync lines, no heartbeat to brokerId 1, no role change): not slave-offset-lag', async () => {
      const ctx = await contextFrom(outageBundle({ slave: false, lastSyncAt: '14:22:58', read: 1180 }));
      assert.equal(lags(diagnoseWith(ctx, [slaveOffsetLag])).length, 0);
    });

    it('a single-broker crash (broker-offset-loss fixture) and an overflow correction are not slave lag', async () => {
      for (const f of ['broker-offset-loss', 'offset-overflow-reset']) {
        const ctx = await fixtureContext(f);
        assert.equal(lags(diagnoseWith(ctx, [slaveOffsetLag])).length, 0, f);
      }
    });
  });
});
