import { parseMessageQueues } from '../../model/queue.js';
import { remoteOfException } from '../text.js';
import { sig, type AnySignature } from '../types.js';
import { guarded, int, MQ, reqInt, reqMq } from './common.js';

/**
 * Message signatures of `rocketmq_client.log` (every client generation: the message text is the
 * same, only the line prefix differs). Samples are full lines from the catalog; the section is in
 * `ref`. Order matters only for speed: at most one signature may match any message.
 */
export const CLIENT_SIGNATURES: AnySignature[] = [
  sig({
    id: 'client.fetch-offset-failed',
    kind: 'fetch-offset-failed',
    anchor: 'fetchConsumeOffsetFromBroker exception, ',
    pattern: new RegExp(`^fetchConsumeOffsetFromBroker exception, (?<mq>${MQ})`),
    fields: guarded((g) => ({ mq: reqMq(g.mq), variant: 'fetch' as const })),
    ref: '§1.1',
    samples: [
      '2024-05-10 14:23:01,234 WARN RocketmqClient - fetchConsumeOffsetFromBroker exception, MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]\norg.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel <172.66.1.31:10911> timeout, 5000(ms)\n\tat org.apache.rocketmq.remoting.netty.NettyRemotingAbstract.invokeSyncImpl(NettyRemotingAbstract.java:438)\n',
    ],
  }),
  sig({
    id: 'client.rebalance-result',
    kind: 'rebalance-result',
    anchor: 'rebalanced result changed. ',
    pattern:
      /^(?:client )?rebalanced result changed\. allocateMessageQueueStrategyName=(?<strategy>[^,]*), group=(?<group>[^,]*), topic=(?<topic>[^,]*), clientId=(?<clientId>[^,]*), mqAllSize=(?<mqAll>\d+), cidAllSize=(?<cidAll>\d+), rebalanceResultSize=\d+, rebalanceResultSet=(?<set>.*)$/,
    fields: guarded((g) => ({
      group: g.group!,
      topic: g.topic!,
      clientId: g.clientId!,
      strategy: g.strategy!,
      mqAllSize: reqInt(g.mqAll),
      cidAllSize: reqInt(g.cidAll),
      queues: parseMessageQueues(g.set!),
    })),
    ref: '§2.1',
    samples: [
      '2024-05-10 14:23:01,234 INFO RocketmqClient - rebalanced result changed. allocateMessageQueueStrategyName=AVG, group=pos-provider, topic=pos_create_pos_cooperate_sale_order, clientId=172.66.6.3@12345#1289456702398741, mqAllSize=4, cidAllSize=2, rebalanceResultSize=2, rebalanceResultSet=[MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0], MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=1]]',
      '2024-05-10 14:23:01.234 INFO  [12345] [RebalanceService] [o.a.r.c.i.c.RebalanceImpl#?:?] - client rebalanced result changed. allocateMessageQueueStrategyName=AVG, group=pos-provider, topic=pos_create_pos_cooperate_sale_order, clientId=172.66.6.3@12345#1289456702398741, mqAllSize=4, cidAllSize=2, rebalanceResultSize=1, rebalanceResultSet=[MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]]',
    ],
  }),
  sig({
    id: 'client.queue-removed',
    kind: 'queue-removed',
    anchor: ', remove unnecessary mq, ',
    pattern: new RegExp(`^doRebalance, (?<group>[^,]+), remove unnecessary mq, (?<mq>${MQ})$`),
    fields: guarded((g) => ({ group: g.group!, mq: reqMq(g.mq), reason: 'rebalance' as const })),
    ref: '§2.3',
    samples: [
      '2024-05-10 14:23:01,231 INFO RocketmqClient - doRebalance, pos-provider, remove unnecessary mq, MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]',
    ],
  }),
  sig({
    id: 'client.queue-added',
    kind: 'queue-added',
    anchor: ', add a new mq, ',
    pattern: new RegExp(`^doRebalance, (?<group>[^,]+), add a new mq, (?<mq>${MQ})$`),
    fields: guarded((g) => ({ group: g.group!, mq: reqMq(g.mq), nextOffset: null, step: 'mq' as const })),
    ref: '§2.4',
    samples: [
      '2024-05-10 14:23:01,862 INFO RocketmqClient - doRebalance, pos-provider, add a new mq, MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]',
    ],
  }),
  sig({
    id: 'client.pull-request-added',
    kind: 'queue-added',
    anchor: ', add a new pull request ',
    pattern: new RegExp(
      `^doRebalance, (?<group>[^,]+), add a new pull request PullRequest \\[consumerGroup=[^,]*, messageQueue=(?<mq>${MQ}), nextOffset=(?<next>-?\\d+)\\]$`,
    ),
    fields: guarded((g) => ({ group: g.group!, mq: reqMq(g.mq), nextOffset: reqInt(g.next), step: 'pull-request' as const })),
    ref: '§2.4',
    samples: [
      '2024-05-10 14:23:01,863 INFO RocketmqClient - doRebalance, pos-provider, add a new pull request PullRequest [consumerGroup=pos-provider, messageQueue=MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0], nextOffset=1200]',
    ],
  }),
  sig({
    id: 'client.offset-persist',
    kind: 'offset-persist',
    anchor: 'updateConsumeOffsetToBroker ',
    pattern: new RegExp(
      `^\\[(?<mode>persistAll|persist)\\] Group: (?<group>\\S+) ClientId: (?<clientId>\\S+) updateConsumeOffsetToBroker (?<mq>${MQ}) (?<offset>-?\\d+)$`,
    ),
    fields: guarded((g) => ({
      group: g.group!,
      clientId: g.clientId!,
      mq: reqMq(g.mq),
      offset: reqInt(g.offset),
      mode: g.mode === 'persist' ? ('persist' as const) : ('persistAll' as const),
    })),
    ref: '§5.1',
    samples: [
      '2024-05-10 14:23:00,012 INFO RocketmqClient - [persistAll] Group: pos-provider ClientId: 172.66.6.3@12345#1289456702398741 updateConsumeOffsetToBroker MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0] 1200',
      '2024-05-10 14:23:01,230 INFO RocketmqClient - [persist] Group: pos-provider ClientId: 172.66.6.3@12345#1289456702398741 updateConsumeOffsetToBroker MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0] 1250',
    ],
  }),
  sig({
    id: 'client.invoke-sync-timeout',
    kind: 'remote-timeout',
    anchor: 'invokeSync: wait response timeout exception, the channel[',
    pattern: /^invokeSync: wait response timeout exception, the channel\[(?:addr=)?(?<remote>[^,\]]*)(?:, id=[^\]]*)?\]$/,
    fields: (g, e) => ({ remote: g.remote || null, timeoutMs: int(/(\d+)\(ms\)/.exec(e.exception?.message ?? '')?.[1]), op: 'invokeSync' }),
    ref: '§7.1',
    samples: [
      '2024-05-10 14:23:01,237 WARN RocketmqRemoting - invokeSync: wait response timeout exception, the channel[172.66.1.31:10911]',
      '2024-05-10 14:23:01.237 WARN  [12345] [RebalanceService] [RocketmqRemoting#?:?] - invokeSync: wait response timeout exception, the channel[addr=172.66.1.31:10911, id=8f3a2c1d]',
    ],
  }),
  sig({
    id: 'client.heartbeat-ok',
    kind: 'heartbeat-ok',
    anchor: 'send heart beat to broker[',
    pattern: /^send heart beat to broker\[(?<name>\S+) (?<id>\d+) (?<addr>\S+)\] success$/,
    fields: guarded((g) => ({ brokerName: g.name!, brokerId: reqInt(g.id), brokerAddr: g.addr! })),
    ref: '§6',
    samples: ['2024-05-10 14:23:30,001 INFO RocketmqClient - send heart beat to broker[broker-b 0 172.66.1.31:10911] success'],
  }),
  sig({
    id: 'client.heartbeat-failed',
    kind: 'heartbeat-failed',
    anchor: 'send heart beat to broker[',
    pattern: /^(?:sendHeartbeatToAllBrokerV2 )?send heart beat to broker\[(?<name>\S+) (?<id>\d+) (?<addr>\S+)\] (?<how>failed|exception, because the broker not up, forget it)$/,
    fields: (g, e) => ({
      brokerName: g.name!,
      brokerId: int(g.id),
      brokerAddr: g.addr!,
      reason: g.how === 'failed' ? (e.exception ? e.exception.className.replace(/^.*\./, '') : 'failed') : 'broker-not-up',
    }),
    ref: '§6',
    samples: [
      '2024-05-10 14:24:00,003 INFO RocketmqClient - send heart beat to broker[broker-b 0 172.66.1.31:10911] failed\norg.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel <172.66.1.31:10911> timeout, 3000(ms)\n\t...\n',
    ],
  }),
  sig({
    id: 'client.first-pull-offset',
    kind: 'first-pull-offset',
    anchor: 'the first time to pull message, so fix offset from broker. ',
    pattern: new RegExp(
      `^the first time to pull message, so fix offset from broker\\. pullRequest: PullRequest \\[consumerGroup=(?<group>[^,]*), messageQueue=(?<mq>${MQ}), nextOffset=(?<req>-?\\d+)\\] NewOffset: (?<new>-?\\d+) brokerBusy: (?<busy>true|false)$`,
    ),
    fields: guarded((g) => ({
      group: g.group!,
      mq: reqMq(g.mq),
      requestOffset: reqInt(g.req),
      newOffset: reqInt(g.new),
      brokerBusy: g.busy === 'true',
    })),
    ref: '§4.1',
    samples: [
      '2024-05-10 14:23:01,901 INFO RocketmqClient - the first time to pull message, so fix offset from broker. pullRequest: PullRequest [consumerGroup=pos-provider, messageQueue=MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0], nextOffset=1250] NewOffset: -1 brokerBusy: true',
    ],
  }),
];

/** The client id inside a client log message reveals the host (`ClientId: 172.66.6.3@12345`). */
export function clientHostProbe(msg: string): string | null {
  const m = /(?:ClientId: ?|clientId=|ClientID:|client factory \[)(\d{1,3}(?:\.\d{1,3}){3})@/.exec(msg);
  return m ? m[1]! : null;
}

export { remoteOfException };
