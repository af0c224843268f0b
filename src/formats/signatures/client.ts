import type { EventFieldMap, ExceptionInfo } from '../../model/events.js';
import { parseMessageExts, type MessageQueueRef } from '../../model/queue.js';
import { remoteOfException } from '../text.js';
import { sig, type AnySignature, type Entry } from '../types.js';
import { guarded, int, mq, MQ, mqs, reqInt, reqMq } from './common.js';

// ---------------------------------------------------------------------------------------------
// Regex fragments and field helpers
// ---------------------------------------------------------------------------------------------

/** `PullRequest [consumerGroup=…, messageQueue=MessageQueue […], nextOffset=…]` (Appendix A). */
const PR = `PullRequest \\[consumerGroup=(?<group>[^,]*), messageQueue=(?<mq>${MQ}), nextOffset=(?<next>-?\\d+)\\]`;
/** A remoting channel: `172.66.1.31:10911` (≤5.3.0) or `addr=172.66.1.31:10911, id=8f3a2c1d` (5.3.1+). */
const CH = '(?:addr=)?(?<remote>[^,\\]]*)(?:, id=[^\\]]*)?';

/** Address as printed, or null when empty. */
function addr(s: string | undefined): string | null {
  return s === undefined || s === '' ? null : s;
}

/** `SimpleName: first line of message` of the attached exception, or null. */
function excText(e: ExceptionInfo | null): string | null {
  if (!e) return null;
  const simple = e.className.replace(/^.*\./, '');
  const first = e.message.split('\n', 1)[0]!;
  return first ? `${simple}: ${first}` : simple;
}

/** A timeout value in an exception text: `timeout, 5000(ms)`, `timeout :30000ms`, `timeout, 3000ms`. */
function timeoutOf(e: ExceptionInfo | null): number | null {
  if (!e) return null;
  for (const text of [e.message, ...e.causes.map((c) => c.message)]) {
    const m = /(\d+)\(ms\)|timeout[ ,:]*(\d+) ?ms/i.exec(text);
    if (m) return int(m[1] ?? m[2]);
  }
  return null;
}

/**
 * What kind of network problem an attached exception shows: a timeout, a connect/send failure,
 * or neither (a broker error answer, a missing route, …). Broker answers are never network faults.
 */
function netClass(e: ExceptionInfo | null): 'timeout' | 'failure' | null {
  if (!e || /MQBrokerException$/.test(e.className)) return null;
  const all = [e, ...e.causes];
  if (all.some((x) => /Timeout/.test(x.className) || /\btimeout\b/i.test(x.message))) return 'timeout';
  if (
    all.some(
      (x) =>
        /(?:RemotingConnect|RemotingSendRequest|ClosedChannel|Connect)Exception$|^java\.io\.IOException$/.test(x.className) ||
        /\bfailed\b|Connection refused|Connection reset/i.test(x.message),
    )
  )
    return 'failure';
  return null;
}

/** `Msgs: [...] MQ: MessageQueue [...]` tail of the consume lines. */
function msgsAndMq(rest: string): { messages: ReturnType<typeof parseMessageExts>; mq: MessageQueueRef | null } {
  const i = rest.lastIndexOf(' MQ: ');
  if (i < 0) return { messages: parseMessageExts(rest), mq: null };
  return { messages: parseMessageExts(rest.slice(0, i)), mq: mq(rest.slice(i + 5)) };
}

/** The only queue of a `mq` / `[mq, mq]` text, or null when there are none or several. */
function singleMq(text: string): MessageQueueRef | null {
  const qs = mqs(text);
  return qs.length === 1 ? qs[0]! : null;
}

/** A `key=value` of a rendered properties map (`{KEYS=SO1, UNIQ_KEY=AC42…, WAIT=true}`). */
function prop(text: string, key: string): string | null {
  const m = new RegExp(`(?:\\{|, )${key}=([^,}]*)`).exec(text);
  return m ? m[1]! : null;
}

type Detail = (g: Record<string, string>, e: Entry) => string | null;

/** Client-side `lock(mq)` / `lockAll` results (`r` is OK or Failed). */
const clientLock = guarded((g: Record<string, string>): EventFieldMap['lock'] => ({
  side: 'client',
  result: g.r === 'OK' ? 'ok' : 'failed',
  group: g.group!,
  mq: reqMq(g.mq),
  clientId: null,
  otherClientId: null,
}));

/** A context-only line (kind `info`). */
function info(id: string, anchor: string, pattern: RegExp, detail: Detail, ref: string, samples: string[]): AnySignature {
  return sig({ id: `client.${id}`, kind: 'info', anchor, pattern, fields: (g, e) => ({ what: id, detail: detail(g, e) }), ref, samples });
}

/**
 * One log line whose meaning depends on its attached exception: a timeout → `remote-timeout`, a
 * connect/send failure → `connection-failure`, anything else → `info`. Three mutually exclusive
 * signatures (the fields functions reject what is not theirs).
 */
function byException(
  base: { id: string; anchor: string; pattern: RegExp; op: string; ref: string },
  samples: { timeout: string[]; failure: string[]; other: string[] },
): AnySignature[] {
  const remote = (g: Record<string, string>, e: Entry): string | null => remoteOfException(e.exception) ?? addr(g.remote);
  return [
    sig({
      id: `client.${base.id}-timeout`,
      kind: 'remote-timeout',
      anchor: base.anchor,
      pattern: base.pattern,
      fields: (g, e) => (netClass(e.exception) === 'timeout' ? { remote: remote(g, e), timeoutMs: timeoutOf(e.exception), op: base.op } : null),
      ref: base.ref,
      samples: samples.timeout,
    }),
    sig({
      id: `client.${base.id}-failure`,
      kind: 'connection-failure',
      anchor: base.anchor,
      pattern: base.pattern,
      fields: (g, e) => (netClass(e.exception) === 'failure' ? { remote: remote(g, e), op: base.op } : null),
      ref: base.ref,
      samples: samples.failure,
    }),
    sig({
      id: `client.${base.id}`,
      kind: 'info',
      anchor: base.anchor,
      pattern: base.pattern,
      fields: (g, e) => (netClass(e.exception) === null ? { what: base.id, detail: excText(e.exception) ?? g.mq ?? null } : null),
      ref: base.ref,
      samples: samples.other,
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// Sample building blocks (catalog example values)
// ---------------------------------------------------------------------------------------------

/** 4.8.0–5.0.0 inner-logger prefix. */
const p4 = (time: string, level: string, logger = 'RocketmqClient'): string => `2024-05-10 ${time} ${level} ${logger} - `;
/** 5.1.1+ shaded-logback prefix. */
const p5 = (time: string, level: string, thread: string, logger: string): string =>
  `2024-05-10 ${time} ${level.padEnd(5)} [12345] [${thread}] [${logger}#?:?] - `;
const TOPIC = 'pos_create_pos_cooperate_sale_order';
const Q0 = `MessageQueue [topic=${TOPIC}, brokerName=broker-b, queueId=0]`;
const Q1 = `MessageQueue [topic=${TOPIC}, brokerName=broker-b, queueId=1]`;
const CID = '172.66.6.3@12345#1289456702398741';
const pr = (next: number): string => `PullRequest [consumerGroup=pos-provider, messageQueue=${Q0}, nextOffset=${next}]`;
/** The catalog's §8.1 MessageExt rendering. */
const MSG_EXT =
  "MessageExt [brokerName=broker-b, queueId=0, storeSize=312, queueOffset=1250, sysFlag=0, bornTimestamp=1715322180812, bornHost=/172.66.2.13:50412, storeTimestamp=1715322180815, storeHost=/172.66.1.31:10911, msgId=AC42011F00002A9F0000001CBE991A14, commitLogOffset=123456789012, bodyCRC=1822540310, reconsumeTimes=0, preparedTransactionOffset=0, toString()=Message{topic='pos_create_pos_cooperate_sale_order', flag=0, properties={MIN_OFFSET=0, MAX_OFFSET=1300, KEYS=SO202405100001, CONSUME_START_TIME=1715322181240, UNIQ_KEY=AC42020D00016267C3BB316F58CCBF10, CLUSTER=DefaultCluster, WAIT=true, TAGS=create}, body=[123, 34, 111, 114, 100, 101, 114, 73, 100, 34, 58, 49, 125], transactionId='null'}]";
const TIMEOUT_5000 = 'org.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel <172.66.1.31:10911> timeout, 5000(ms)';
const TIMEOUT_3000 = 'org.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel <172.66.1.31:10911> timeout, 3000(ms)';
const FRAME = '\tat org.apache.rocketmq.remoting.netty.NettyRemotingAbstract.invokeSyncImpl(NettyRemotingAbstract.java:438)';

/**
 * Message signatures of `rocketmq_client.log` (every client generation: the message text is the
 * same, only the line prefix differs). Samples are full lines from the catalog (or its format
 * strings rendered with the catalog's example values); the section is in `ref`. Order matters only
 * for speed: at most one signature may match any message.
 */
export const CLIENT_SIGNATURES: AnySignature[] = [
  // ---- §1 offset read ----
  sig({
    id: 'client.fetch-offset-failed',
    kind: 'fetch-offset-failed',
    anchor: 'fetchConsumeOffsetFromBroker exception, ',
    pattern: new RegExp(`^fetchConsumeOffsetFromBroker exception, (?<mq>${MQ})$`),
    fields: guarded((g) => ({ mq: reqMq(g.mq), variant: 'fetch' as const, cause: null })),
    ref: '§1.1',
    samples: [
      `2024-05-10 14:23:01,234 WARN RocketmqClient - fetchConsumeOffsetFromBroker exception, ${Q0}\n${TIMEOUT_5000}\n${FRAME}\n\t...\n`,
      `${p5('14:23:01.234', 'WARN', 'RebalanceService', 'o.a.r.c.c.s.RemoteBrokerOffsetStore')}fetchConsumeOffsetFromBroker exception, ${Q0}\norg.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel </172.66.1.31:10911> timeout, 5000(ms)\n${FRAME}`,
    ],
  }),
  sig({
    id: 'client.compute-offset-failed',
    kind: 'fetch-offset-failed',
    anchor: 'Compute consume offset exception, mq=',
    pattern: new RegExp(`^Compute consume offset exception, mq=(?<mq>${MQ})$`),
    fields: guarded((g) => ({ mq: reqMq(g.mq), variant: 'compute' as const, cause: null })),
    ref: '§1.4',
    samples: [
      `2024-05-10 14:23:01,240 WARN RocketmqClient - Compute consume offset exception, mq=${Q0}`,
      `${p5('14:23:01.240', 'WARN', 'RebalanceService', 'o.a.r.c.i.c.RebalanceImpl')}Compute consume offset exception, mq=${Q0}`,
    ],
  }),
  // The exception is rendered inline by `{}` (no stack trace follows).
  sig({
    id: 'client.compute-offset-last-failed',
    kind: 'fetch-offset-failed',
    anchor: 'Compute consume offset from last offset exception, mq=',
    pattern: new RegExp(`^Compute consume offset from last offset exception, mq=(?<mq>${MQ}), exception=(?:[\\w$]+\\.)*(?<cause>[A-Z][\\w$]*)?`),
    fields: guarded((g) => ({ mq: reqMq(g.mq), variant: 'compute-last' as const, cause: g.cause ?? null })),
    ref: '§1.4',
    samples: [`${p4('14:23:01,239', 'WARN')}Compute consume offset from last offset exception, mq=${Q0}, exception=${TIMEOUT_3000}`],
  }),
  // 4.9.0+: the orderly first pull could not compute its offset; the argument is the PullRequest.
  sig({
    id: 'client.first-pull-offset-failed',
    kind: 'fetch-offset-failed',
    anchor: 'Failed to compute pull offset, pullResult: ',
    pattern: new RegExp(`^Failed to compute pull offset, pullResult: ${PR}$`),
    fields: guarded((g) => ({ mq: reqMq(g.mq), variant: 'first-pull' as const, cause: null })),
    ref: '§4.1',
    samples: [
      `${p4('14:23:01,901', 'ERROR')}Failed to compute pull offset, pullResult: ${pr(1250)}\norg.apache.rocketmq.client.exception.MQClientException: CODE: 1  DESC: Unexpected offset -1\nFor more information, please visit the url, http://rocketmq.apache.org/docs/faq/\n\t...\n`,
    ],
  }),

  // ---- §2 rebalance ----
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
      queues: mqs(g.set!),
    })),
    ref: '§2.1',
    samples: [
      '2024-05-10 14:23:01,234 INFO RocketmqClient - rebalanced result changed. allocateMessageQueueStrategyName=AVG, group=pos-provider, topic=pos_create_pos_cooperate_sale_order, clientId=172.66.6.3@12345#1289456702398741, mqAllSize=4, cidAllSize=2, rebalanceResultSize=2, rebalanceResultSet=[MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0], MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=1]]',
      '2024-05-10 14:23:01.234 INFO  [12345] [RebalanceService] [o.a.r.c.i.c.RebalanceImpl#?:?] - client rebalanced result changed. allocateMessageQueueStrategyName=AVG, group=pos-provider, topic=pos_create_pos_cooperate_sale_order, clientId=172.66.6.3@12345#1289456702398741, mqAllSize=4, cidAllSize=2, rebalanceResultSize=1, rebalanceResultSet=[MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]]',
    ],
  }),
  // 5.x broker-side assignment (POP / clientRebalance=false): no sizes, assignment set not parsed.
  info(
    'broker-rebalance-result',
    'broker rebalanced result changed. ',
    /^broker rebalanced result changed\. allocateMessageQueueStrategyName=(?<strategy>[^,]*), group=(?<group>[^,]*), topic=(?<topic>[^,]*), clientId=(?<clientId>[^,]*), assignmentSet=/,
    (g) => `group=${g.group}, topic=${g.topic}, clientId=${g.clientId}`,
    '§2.1',
    [`${p5('14:23:01.234', 'INFO', 'RebalanceService', 'o.a.r.c.i.c.RebalanceImpl')}broker rebalanced result changed. allocateMessageQueueStrategyName=AVG, group=pos-provider, topic=${TOPIC}, clientId=${CID}, assignmentSet=[]`],
  ),
  info(
    'message-queue-changed',
    'messageQueueChanged ',
    /^messageQueueChanged (?<group>\S+) (?<topic>\S+) /,
    (g) => `group=${g.group}, topic=${g.topic}`,
    '§2.2',
    [`${p4('14:23:01,234', 'INFO')}messageQueueChanged pos-provider ${TOPIC} [${Q0}, ${Q1}] [${Q0}, ${Q1}]`],
  ),
  info(
    'subscription-version-updated',
    ' Rebalance changed, also update version: ',
    /^(?<topic>\S+) Rebalance changed, also update version: (?<old>-?\d+), (?<new>-?\d+)$/,
    (g) => `topic=${g.topic}, ${g.old} -> ${g.new}`,
    '§2.2',
    ['2024-05-10 14:23:01,235 INFO RocketmqClient - pos_create_pos_cooperate_sale_order Rebalance changed, also update version: 1715322100234, 1715322181235'],
  ),
  info(
    'pull-threshold-changed',
    ' is changed from ',
    /^The (?<what>pullThresholdForQueue|pullThresholdSizeForQueue) is changed from (?<from>-?\d+) to (?<to>-?\d+)$/,
    (g) => `${g.what} ${g.from} -> ${g.to}`,
    '§2.2',
    [`${p4('14:23:01,235', 'INFO')}The pullThresholdForQueue is changed from 1000 to 500`],
  ),
  sig({
    id: 'client.queue-removed',
    kind: 'queue-removed',
    anchor: ', remove unnecessary ',
    pattern: new RegExp(`^doRebalance, (?<group>[^,]+), remove unnecessary (?:pop )?mq, (?<mq>${MQ})$`),
    fields: guarded((g) => ({ group: g.group!, mq: reqMq(g.mq), reason: 'rebalance' as const })),
    ref: '§2.3',
    samples: [
      '2024-05-10 14:23:01,231 INFO RocketmqClient - doRebalance, pos-provider, remove unnecessary mq, MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]',
      `${p5('14:23:01.231', 'INFO', 'RebalanceService', 'o.a.r.c.i.c.RebalanceImpl')}doRebalance, pos-provider, remove unnecessary pop mq, ${Q0}`,
    ],
  }),
  // 4.x: logged after the removal; 5.x (`try remove`): before the attempt.
  sig({
    id: 'client.queue-removed-pull-paused',
    kind: 'queue-removed',
    anchor: '[BUG]doRebalance, ',
    pattern: new RegExp(
      `^\\[BUG\\]doRebalance, (?<group>[^,]+), (?:try )?remove unnecessary (?:pop )?mq, (?<mq>${MQ}), because (?:pull|pop) is pause, so try to fixed it$`,
    ),
    fields: guarded((g) => ({ group: g.group!, mq: reqMq(g.mq), reason: 'pull-paused' as const })),
    ref: '§2.3',
    samples: [
      `${p4('14:23:01,231', 'ERROR')}[BUG]doRebalance, pos-provider, remove unnecessary mq, ${Q0}, because pull is pause, so try to fixed it`,
      `${p5('14:23:01.231', 'ERROR', 'RebalanceService', 'o.a.r.c.i.c.RebalanceImpl')}[BUG]doRebalance, pos-provider, try remove unnecessary mq, ${Q0}, because pull is pause, so try to fixed it`,
      `${p5('14:23:01.231', 'ERROR', 'RebalanceService', 'o.a.r.c.i.c.RebalanceImpl')}[BUG]doRebalance, pos-provider, try remove unnecessary pop mq, ${Q0}, because pop is pause, so try to fixed it`,
    ],
  }),
  sig({
    id: 'client.queue-removed-not-my-topic',
    kind: 'queue-removed',
    anchor: ', truncateMessageQueueNotMyTopic remove unnecessary mq, ',
    pattern: new RegExp(`^doRebalance, (?<group>[^,]+), truncateMessageQueueNotMyTopic remove unnecessary mq, (?<mq>${MQ})$`),
    fields: guarded((g) => ({ group: g.group!, mq: reqMq(g.mq), reason: 'not-my-topic' as const })),
    ref: '§2.3',
    samples: [`${p4('14:23:01,231', 'INFO')}doRebalance, pos-provider, truncateMessageQueueNotMyTopic remove unnecessary mq, ${Q0}`],
  }),
  // OFFSET_ILLEGAL fix-up (§4.3) dropping the process queue.
  sig({
    id: 'client.queue-removed-fix-offset',
    kind: 'queue-removed',
    anchor: 'Fix Offset, ',
    pattern: new RegExp(`^Fix Offset, (?<group>[^,]+), remove unnecessary mq, (?<mq>${MQ}) Droped: (?:true|false)$`),
    fields: guarded((g) => ({ group: g.group!, mq: reqMq(g.mq), reason: 'fix-offset' as const })),
    ref: '§2.3',
    samples: [`${p4('14:23:12,114', 'INFO')}Fix Offset, pos-provider, remove unnecessary mq, ${Q0} Droped: true`],
  }),
  sig({
    id: 'client.queue-added',
    kind: 'queue-added',
    anchor: ', add a new ',
    pattern: new RegExp(`^doRebalance, (?<group>[^,]+), add a new (?:pop )?mq, (?<mq>${MQ})$`),
    fields: guarded((g) => ({ group: g.group!, mq: reqMq(g.mq), nextOffset: null, step: 'mq' as const })),
    ref: '§2.4',
    samples: [
      '2024-05-10 14:23:01,862 INFO RocketmqClient - doRebalance, pos-provider, add a new mq, MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]',
      `${p5('14:23:01.862', 'INFO', 'RebalanceService', 'o.a.r.c.i.c.RebalanceImpl')}doRebalance, pos-provider, add a new pop mq, ${Q0}`,
      // 4.0.0–4.2.0 with the bundled logback config (§0).
      `2024-05-10 14:23:01 INFO RebalanceService - doRebalance, pos-provider, add a new mq, ${Q0}`,
    ],
  }),
  sig({
    id: 'client.pull-request-added',
    kind: 'queue-added',
    anchor: ', add a new pull request ',
    pattern: new RegExp(`^doRebalance, [^,]+, add a new pull request ${PR}$`),
    fields: guarded((g) => ({ group: g.group!, mq: reqMq(g.mq), nextOffset: reqInt(g.next), step: 'pull-request' as const })),
    ref: '§2.4',
    samples: [
      '2024-05-10 14:23:01,863 INFO RocketmqClient - doRebalance, pos-provider, add a new pull request PullRequest [consumerGroup=pos-provider, messageQueue=MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0], nextOffset=1200]',
    ],
  }),
  sig({
    id: 'client.queue-add-failed-lock',
    kind: 'queue-add-failed',
    anchor: ', add a new mq failed, ',
    pattern: new RegExp(`^doRebalance, (?<group>[^,]+), add a new mq failed, (?<mq>${MQ}), because lock failed$`),
    fields: guarded((g) => ({ group: g.group!, mq: reqMq(g.mq), reason: 'lock' as const })),
    ref: '§2.4',
    samples: [`${p4('14:23:01,862', 'WARN')}doRebalance, pos-provider, add a new mq failed, ${Q0}, because lock failed`],
  }),
  sig({
    id: 'client.queue-add-failed-compute',
    kind: 'queue-add-failed',
    anchor: ', compute offset failed, ',
    pattern: new RegExp(`^doRebalance, (?<group>[^,]+), compute offset failed, (?<mq>${MQ})$`),
    fields: guarded((g) => ({ group: g.group!, mq: reqMq(g.mq), reason: 'compute' as const })),
    ref: '§2.4',
    samples: [`${p4('14:23:01,862', 'INFO')}doRebalance, pos-provider, compute offset failed, ${Q0}`],
  }),
  // Computed offset < 0 (§1.3).
  sig({
    id: 'client.queue-add-failed-offset',
    kind: 'queue-add-failed',
    anchor: ', add new mq failed, ',
    pattern: new RegExp(`^doRebalance, (?<group>[^,]+), add new mq failed, (?<mq>${MQ})$`),
    fields: guarded((g) => ({ group: g.group!, mq: reqMq(g.mq), reason: 'offset' as const })),
    ref: '§2.4',
    samples: [
      `${p4('14:23:01,862', 'WARN')}doRebalance, pos-provider, add new mq failed, ${Q0}`,
      `${p5('14:23:01.862', 'WARN', 'RebalanceService', 'o.a.r.c.i.c.RebalanceImpl')}doRebalance, pos-provider, add new mq failed, ${Q0}`,
    ],
  }),
  info(
    'mq-already-exists',
    ' already exists, ',
    new RegExp(`^doRebalance, (?<group>[^,]+), mq (?:pop )?already exists, (?<mq>${MQ})$`),
    (g) => g.mq!,
    '§2.4',
    [
      `${p4('14:23:01,862', 'INFO')}doRebalance, pos-provider, mq already exists, ${Q0}`,
      `${p5('14:23:01.862', 'INFO', 'RebalanceService', 'o.a.r.c.i.c.RebalanceImpl')}doRebalance, pos-provider, mq pop already exists, ${Q0}`,
    ],
  ),
  sig({
    id: 'client.rebalance-exception',
    kind: 'rebalance-error',
    anchor: 'ebalance',
    pattern: /^(?:rebalanceByTopic Exception|rebalance Exception|doRebalance exception)$/,
    fields: (_g, e) => ({ group: null, topic: null, detail: excText(e.exception) ?? 'rebalance exception' }),
    ref: '§2.5',
    samples: [
      `${p4('14:23:01,231', 'WARN')}rebalanceByTopic Exception\n${TIMEOUT_3000}\n\t...\n`,
      `${p5('14:23:01.231', 'WARN', 'RebalanceService', 'o.a.r.c.i.c.RebalanceImpl')}rebalance Exception\n${TIMEOUT_3000}\n${FRAME}`,
      `${p4('14:23:01,231', 'ERROR')}doRebalance exception\njava.lang.NullPointerException\n\t...\n`,
    ],
  }),
  sig({
    id: 'client.rebalance-group-exception',
    kind: 'rebalance-error',
    anchor: 'doRebalance for consumer group [',
    pattern: /^doRebalance for consumer group \[(?<group>[^\]]*)\] exception$/,
    fields: (g, e) => ({ group: g.group!, topic: null, detail: excText(e.exception) ?? 'doRebalance exception' }),
    ref: '§2.5',
    samples: [`${p5('14:23:01.231', 'ERROR', 'RebalanceService', 'o.a.r.c.i.f.MQClientInstance')}doRebalance for consumer group [pos-provider] exception\njava.lang.NullPointerException\n\tat org.apache.rocketmq.client.impl.consumer.RebalanceImpl.rebalanceByTopic(RebalanceImpl.java:11)`],
  }),
  sig({
    id: 'client.rebalance-topic-not-exist',
    kind: 'rebalance-error',
    anchor: ', but the topic[',
    pattern: /^doRebalance, (?<group>[^,]+), but the topic\[(?<topic>[^\]]*)\] not exist\.$/,
    fields: (g) => ({ group: g.group!, topic: g.topic!, detail: 'topic not exist' }),
    ref: '§2.5',
    samples: [`${p4('14:23:01,231', 'WARN')}doRebalance, pos-provider, but the topic[${TOPIC}] not exist.`],
  }),
  sig({
    id: 'client.rebalance-cid-list-failed',
    kind: 'rebalance-error',
    anchor: ', get consumer id list failed',
    pattern: /^doRebalance, (?<group>\S+) (?<topic>[^,\s]+), get consumer id list failed$/,
    fields: (g) => ({ group: g.group!, topic: g.topic!, detail: 'get consumer id list failed' }),
    ref: '§2.5',
    samples: [`${p4('14:23:01,231', 'WARN')}doRebalance, pos-provider ${TOPIC}, get consumer id list failed`],
  }),
  sig({
    id: 'client.rebalance-allocate-failed',
    kind: 'rebalance-error',
    anchor: 'llocate',
    pattern: /^AllocateMessageQueueStrategy\.allocate Exception\. allocateMessageQueueStrategyName=(?<s>\S*)$|^allocate message queue exception\. strategy name: (?<s5>[^,]*), ex: /,
    fields: (g, e) => ({ group: null, topic: null, detail: `allocate failed, strategy ${g.s ?? g.s5 ?? ''}${e.exception ? ': ' + excText(e.exception) : ''}` }),
    ref: '§2.5',
    samples: [
      `${p4('14:23:01,231', 'ERROR')}AllocateMessageQueueStrategy.allocate Exception. allocateMessageQueueStrategyName=AVG\njava.lang.NullPointerException\n\t...\n`,
      `${p5('14:23:01.231', 'ERROR', 'RebalanceService', 'o.a.r.c.i.c.RebalanceImpl')}allocate message queue exception. strategy name: AVG, ex: java.lang.NullPointerException`,
    ],
  }),
  // Broker address and group are concatenated after the text.
  sig({
    id: 'client.get-consumer-ids-failed',
    kind: 'rebalance-error',
    anchor: 'getConsumerIdListByGroup exception, ',
    pattern: /^getConsumerIdListByGroup exception, (?<addr>\S+) (?<group>\S+)$/,
    fields: (g, e) => ({ group: g.group!, topic: null, detail: `broker ${g.addr}${e.exception ? ': ' + excText(e.exception) : ''}` }),
    ref: '§2.5',
    samples: [`${p4('14:23:01,231', 'WARN')}getConsumerIdListByGroup exception, 172.66.1.31:10911 pos-provider\n${TIMEOUT_3000}\n${FRAME}\n\t...\n`],
  }),
  sig({
    id: 'client.remove-mq-exception',
    kind: 'rebalance-error',
    anchor: 'removeUnnecessaryMessageQueue Exception',
    pattern: /^removeUnnecessaryMessageQueue Exception$/,
    fields: (_g, e) => ({ group: null, topic: null, detail: excText(e.exception) ?? 'removeUnnecessaryMessageQueue exception' }),
    ref: '§3.1',
    samples: [`${p4('14:23:01,231', 'ERROR')}removeUnnecessaryMessageQueue Exception\njava.lang.InterruptedException\n\t...\n`],
  }),

  // ---- §3 orderly locks (client side) ----
  // `lock(mq)`: 4.x "the message queue lock OK, G mq", 5.x without "the".
  sig({
    id: 'client.lock-single',
    kind: 'lock',
    anchor: 'message queue lock ',
    pattern: new RegExp(`^(?:the )?message queue lock (?<r>OK|Failed), (?<group>\\S+) (?<mq>${MQ})$`),
    fields: clientLock,
    ref: '§3.1',
    samples: [
      '2024-05-10 14:23:01,870 INFO RocketmqClient - the message queue lock OK, pos-provider MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]',
      `${p5('14:23:01.870', 'INFO', 'RebalanceService', 'o.a.r.c.i.c.RebalanceImpl')}message queue lock Failed, pos-provider ${Q0}`,
    ],
  }),
  // Periodic lockAll (every 20 s).
  sig({
    id: 'client.lock-all',
    kind: 'lock',
    anchor: 'the message queue locked ',
    pattern: new RegExp(`^the message queue locked (?<r>OK|Failed), Group: (?<group>\\S+) (?<mq>${MQ})$`),
    fields: clientLock,
    ref: '§3.1',
    samples: [
      '2024-05-10 14:23:21,004 WARN RocketmqClient - the message queue locked Failed, Group: pos-provider MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]',
      `${p4('14:23:41,004', 'INFO')}the message queue locked OK, Group: pos-provider ${Q0}`,
    ],
  }),
  // `+ mq` or `+ mqs` (a set): mq only when exactly one queue is named.
  sig({
    id: 'client.lock-rpc-failed',
    kind: 'lock',
    anchor: 'lockBatchMQ exception, ',
    pattern: /^(?<op>lockBatchMQ|unlockBatchMQ) exception, (?<mqs>.*)$/,
    fields: (g) => ({ side: 'client' as const, result: 'error' as const, group: null, mq: singleMq(g.mqs!), clientId: null, otherClientId: null }),
    ref: '§3.1',
    samples: [
      `${p4('14:23:21,004', 'ERROR')}lockBatchMQ exception, [${Q0}, ${Q1}]\n${TIMEOUT_3000.replace('3000(ms)', '1000(ms)')}\n\t...\n`,
      `${p4('14:23:21,004', 'ERROR')}unlockBatchMQ exception, ${Q0}\n${TIMEOUT_3000.replace('3000(ms)', '1000(ms)')}\n\t...\n`,
    ],
  }),
  sig({
    id: 'client.unlock',
    kind: 'lock',
    anchor: 'unlock messageQueue. group:',
    pattern: new RegExp(`^unlock messageQueue\\. group:(?<group>[^,]*), clientId:(?<cid>[^,]*), mq:(?<mq>${MQ})$`),
    fields: guarded((g) => ({ side: 'client' as const, result: 'unlock' as const, group: g.group!, mq: reqMq(g.mq), clientId: g.cid!, otherClientId: null })),
    ref: '§3.1',
    samples: [
      '2024-05-10 14:23:01,229 WARN RocketmqClient - unlock messageQueue. group:pos-provider, clientId:172.66.6.3@12345#1289456702398741, mq:MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]',
    ],
  }),
  sig({
    id: 'client.unlock-all',
    kind: 'lock',
    anchor: 'the message queue unlock OK, Group: ',
    pattern: new RegExp(`^the message queue unlock OK, Group: (?<group>\\S+) (?<mq>${MQ})$`),
    fields: guarded((g) => ({ side: 'client' as const, result: 'unlock' as const, group: g.group!, mq: reqMq(g.mq), clientId: null, otherClientId: null })),
    ref: '§3.1',
    samples: [`${p4('14:23:59,001', 'INFO')}the message queue unlock OK, Group: pos-provider ${Q0}`],
  }),
  // The old owner keeps the broker lock this round although its process queue is already dropped.
  sig({
    id: 'client.mq-consuming-cannot-unlock',
    kind: 'lock',
    anchor: '[WRONG]mq is consuming, so can not unlock it, ',
    pattern: new RegExp(`^\\[WRONG\\]mq is consuming, so can not unlock it, (?<mq>${MQ})\\. maybe hanged for a while, (?<n>\\d+)$`),
    fields: guarded((g) => ({ side: 'client' as const, result: 'unlock-deferred' as const, group: null, mq: reqMq(g.mq), clientId: null, otherClientId: null })),
    ref: '§3.1',
    samples: [
      '2024-05-10 14:23:01,228 WARN RocketmqClient - [WRONG]mq is consuming, so can not unlock it, MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]. maybe hanged for a while, 3',
    ],
  }),
  info(
    'unlock-delay',
    ']unlockDelay, ',
    new RegExp(`^\\[-?\\d+\\]unlockDelay, (?<what>begin|execute at once) (?<mq>${MQ}) ?$`),
    (g) => `${g.what} ${g.mq}`,
    '§3.1',
    [
      `${p4('14:23:01,228', 'INFO')}[1523581273]unlockDelay, begin ${Q0} `,
      `${p4('14:23:21,230', 'INFO')}[1523581273]unlockDelay, execute at once ${Q0}`,
    ],
  ),

  // ---- §4 pull ----
  sig({
    id: 'client.first-pull-offset',
    kind: 'first-pull-offset',
    anchor: 'the first time to pull message, so fix offset from broker. ',
    pattern: new RegExp(
      `^the first time to pull message, so fix offset from broker\\. pullRequest: ${PR} NewOffset: (?<new>-?\\d+) brokerBusy: (?<busy>true|false)$`,
    ),
    fields: guarded((g) => ({
      group: g.group!,
      mq: reqMq(g.mq),
      requestOffset: reqInt(g.next),
      newOffset: reqInt(g.new),
      brokerBusy: g.busy === 'true',
    })),
    ref: '§4.1',
    samples: [
      '2024-05-10 14:23:01,901 INFO RocketmqClient - the first time to pull message, so fix offset from broker. pullRequest: PullRequest [consumerGroup=pos-provider, messageQueue=MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0], nextOffset=1250] NewOffset: 1250 brokerBusy: false',
      '2024-05-10 14:23:01,901 INFO RocketmqClient - the first time to pull message, so fix offset from broker. pullRequest: PullRequest [consumerGroup=pos-provider, messageQueue=MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0], nextOffset=1250] NewOffset: -1 brokerBusy: true',
    ],
  }),
  // Companion printed right after the line above when brokerBusy is true; brokerBusy: null marks
  // it as the companion (it does not print the flag itself).
  sig({
    id: 'client.first-pull-offset-backwards',
    kind: 'first-pull-offset',
    anchor: '[NOTIFYME]the first time to pull message, but pull request offset larger than broker consume offset. ',
    pattern: new RegExp(
      `^\\[NOTIFYME\\]the first time to pull message, but pull request offset larger than broker consume offset\\. pullRequest: ${PR} NewOffset: (?<new>-?\\d+)$`,
    ),
    fields: guarded((g) => ({ group: g.group!, mq: reqMq(g.mq), requestOffset: reqInt(g.next), newOffset: reqInt(g.new), brokerBusy: null })),
    ref: '§4.1',
    samples: [
      '2024-05-10 14:23:01,901 INFO RocketmqClient - [NOTIFYME]the first time to pull message, but pull request offset larger than broker consume offset. pullRequest: PullRequest [consumerGroup=pos-provider, messageQueue=MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0], nextOffset=1250] NewOffset: -1',
    ],
  }),
  info(
    'pull-request-dropped',
    '] is dropped.',
    new RegExp(`^the pull request\\[${PR}\\] is dropped\\.$`),
    (g) => g.mq!,
    '§4.2',
    [`${p5('14:23:01.240', 'INFO', 'PullMessageService', 'o.a.r.c.i.c.DefaultMQPushConsumerImpl')}the pull request[${pr(1250)}] is dropped.`],
  ),
  info(
    'consumer-state-not-ok',
    'pullMessage exception, consumer state not ok',
    /^pullMessage exception, consumer state not ok$/,
    (_g, e) => excText(e.exception),
    '§4.2',
    [`${p4('14:23:01,240', 'WARN')}pullMessage exception, consumer state not ok`],
  ),
  // Paused by a reset-offset (§14.2) or suspend(); repeated while paused.
  info(
    'consumer-paused',
    'consumer was paused, execute pull request later. ',
    /^consumer was paused, execute pull request later\. instanceName=(?<inst>[^,]*), group=(?<group>\S*)$/,
    (g) => `group=${g.group}, instanceName=${g.inst}`,
    '§4.2',
    [`${p4('15:00:01,020', 'WARN')}consumer was paused, execute pull request later. instanceName=12345#1289456702398741, group=pos-provider`],
  ),
  sig({
    id: 'client.flow-control-cache',
    kind: 'flow-control',
    anchor: ' exceeds the threshold ',
    pattern: new RegExp(
      `^the cached message (?<what>count|size) exceeds the threshold \\d+(?: MiB)?, so do flow control, minOffset=(?<min>-?\\d+), maxOffset=(?<max>-?\\d+), count=\\d+, size=\\d+ MiB, pullRequest=${PR}, flowControlTimes=\\d+$`,
    ),
    fields: guarded((g) => ({ mq: reqMq(g.mq), reason: g.what === 'count' ? ('count' as const) : ('size' as const), minOffset: int(g.min), maxOffset: int(g.max) })),
    ref: '§4.2',
    samples: [
      `${p4('14:23:05,001', 'WARN')}the cached message count exceeds the threshold 1000, so do flow control, minOffset=1250, maxOffset=2250, count=1001, size=1 MiB, pullRequest=${pr(2251)}, flowControlTimes=1000`,
      `${p5('14:23:05.001', 'WARN', 'PullMessageService', 'o.a.r.c.i.c.DefaultMQPushConsumerImpl')}the cached message size exceeds the threshold 100 MiB, so do flow control, minOffset=1250, maxOffset=1900, count=651, size=101 MiB, pullRequest=${pr(1901)}, flowControlTimes=1`,
    ],
  }),
  // Concurrent consumers: typically one message stuck in the listener pins the span.
  sig({
    id: 'client.flow-control-span',
    kind: 'flow-control',
    anchor: "the queue's messages, span too long, so do flow control, ",
    pattern: new RegExp(
      `^the queue's messages, span too long, so do flow control, minOffset=(?<min>-?\\d+), maxOffset=(?<max>-?\\d+), maxSpan=\\d+, pullRequest=${PR}, flowControlTimes=\\d+$`,
    ),
    fields: guarded((g) => ({ mq: reqMq(g.mq), reason: 'span' as const, minOffset: int(g.min), maxOffset: int(g.max) })),
    ref: '§4.2',
    samples: [`${p4('14:23:05,001', 'WARN')}the queue's messages, span too long, so do flow control, minOffset=1250, maxOffset=3251, maxSpan=2001, pullRequest=${pr(3252)}, flowControlTimes=1`],
  }),
  sig({
    id: 'client.pull-not-locked',
    kind: 'lock',
    anchor: 'pull message later because not locked in broker, ',
    pattern: new RegExp(`^pull message later because not locked in broker, ${PR}$`),
    fields: guarded((g) => ({ side: 'client' as const, result: 'not-locked' as const, group: g.group!, mq: reqMq(g.mq), clientId: null, otherClientId: null })),
    ref: '§4.2',
    samples: [`${p4('14:23:27,300', 'INFO')}pull message later because not locked in broker, ${pr(65)}`],
  }),
  info(
    'subscription-not-found',
    "find the consumer's subscription failed, ",
    /^find the consumer's subscription failed, (?<pr>.*)$/,
    (g) => g.pr!,
    '§4.2',
    [`${p4('14:23:05,001', 'WARN')}find the consumer's subscription failed, ${pr(1250)}`],
  ),
  sig({
    id: 'client.pull-offset-illegal',
    kind: 'pull-offset-illegal',
    anchor: 'the pull request offset illegal, ',
    pattern: new RegExp(
      `^the pull request offset illegal, ${PR} PullResult \\[pullStatus=\\w+, nextBeginOffset=(?<nbo>-?\\d+), minOffset=(?<min>-?\\d+), maxOffset=(?<max>-?\\d+), msgFoundList=\\d+\\]$`,
    ),
    fields: guarded((g) => ({
      group: g.group!,
      mq: reqMq(g.mq),
      requestOffset: reqInt(g.next),
      nextBeginOffset: reqInt(g.nbo),
      minOffset: int(g.min),
      maxOffset: int(g.max),
    })),
    ref: '§4.3',
    samples: [
      '2024-05-10 14:23:02,113 WARN RocketmqClient - the pull request offset illegal, PullRequest [consumerGroup=pos-provider, messageQueue=MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0], nextOffset=1250] PullResult [pullStatus=OFFSET_ILLEGAL, nextBeginOffset=600, minOffset=0, maxOffset=600, msgFoundList=0]',
    ],
  }),
  sig({
    id: 'client.pull-offset-fixed',
    kind: 'pull-offset-fixed',
    anchor: 'fix the pull request offset, ',
    pattern: new RegExp(`^fix the pull request offset, ${PR}$`),
    fields: guarded((g) => ({ group: g.group!, mq: reqMq(g.mq), offset: reqInt(g.next) })),
    ref: '§4.3',
    samples: [
      '2024-05-10 14:23:12,115 WARN RocketmqClient - fix the pull request offset, PullRequest [consumerGroup=pos-provider, messageQueue=MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0], nextOffset=600]',
    ],
  }),
  info(
    'execute-task-later-failed',
    'executeTaskLater Exception',
    /^executeTaskLater Exception$/,
    (_g, e) => excText(e.exception),
    '§4.3',
    [`${p4('14:23:12,115', 'ERROR')}executeTaskLater Exception\njava.lang.InterruptedException\n\t...\n`],
  ),
  // 4.x bare; 5.2.0+ names group and queue. Async pull: the exception carries the network cause.
  ...byException(
    {
      id: 'pull-exception',
      anchor: 'execute the pull request exception',
      pattern: new RegExp(`^execute the pull request exception(?:, group=(?<group>[^,]*), messageQueue=(?<mq>${MQ}))?$`),
      op: 'pull',
      ref: '§4.4',
    },
    {
      timeout: [
        '2024-05-10 14:23:05,006 WARN RocketmqClient - execute the pull request exception\norg.apache.rocketmq.client.exception.MQClientException: wait response from 172.66.1.31:10911 timeout :30000ms. Request: RemotingCommand [code=11, language=JAVA, version=401, opaque=1183, flag(B)=0, remark=null, extFields={…}, serializeTypeCurrentRPC=JSON]\nFor more information, please visit the url, http://rocketmq.apache.org/docs/faq/\n\tat org.apache.rocketmq.client.impl.MQClientAPIImpl$2.operationComplete(MQClientAPIImpl.java:764)\n\t...\n',
        `${p5('14:23:05.006', 'WARN', 'NettyClientPublicExecutor_1', 'o.a.r.c.i.c.DefaultMQPushConsumerImpl')}execute the pull request exception, group=pos-provider, messageQueue=${Q0}\norg.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel </172.66.1.31:10911> timeout, 30000(ms)\n${FRAME}`,
      ],
      failure: [
        `${p4('14:23:05,006', 'WARN')}execute the pull request exception\norg.apache.rocketmq.client.exception.MQClientException: send request failed to 172.66.1.31:10911. Request: RemotingCommand [code=11, language=JAVA, version=401, opaque=1183, flag(B)=0, remark=null, extFields={…}, serializeTypeCurrentRPC=JSON]\nFor more information, please visit the url, http://rocketmq.apache.org/docs/faq/\n\t...\n`,
        `${p5('14:23:05.006', 'WARN', 'NettyClientPublicExecutor_1', 'o.a.r.c.i.c.DefaultMQPushConsumerImpl')}execute the pull request exception, group=pos-provider, messageQueue=${Q0}\norg.apache.rocketmq.remoting.exception.RemotingSendRequestException: send request to </172.66.1.31:10911> failed\n${FRAME}`,
      ],
      other: [`${p4('14:23:05,006', 'WARN')}execute the pull request exception\norg.apache.rocketmq.client.exception.MQBrokerException: CODE: 25  DESC: the consumer's subscription not latest\nFor more information, please visit the url, http://rocketmq.apache.org/docs/faq/\n\t...\n`],
    },
  ),
  info(
    'subscription-not-latest',
    'the subscription is not latest, group=',
    new RegExp(`^the subscription is not latest, group=(?<group>[^,]*), messageQueue=(?<mq>${MQ})$`),
    (g) => `group=${g.group}, ${g.mq}`,
    '§4.4',
    [`${p5('14:23:05.006', 'WARN', 'NettyClientPublicExecutor_1', 'o.a.r.c.i.c.DefaultMQPushConsumerImpl')}the subscription is not latest, group=pos-provider, messageQueue=${Q0}`],
  ),
  ...byException(
    { id: 'pull-kernel-exception', anchor: 'pullKernelImpl exception', pattern: /^pullKernelImpl exception$/, op: 'pullKernelImpl', ref: '§4.4' },
    {
      timeout: [`${p4('14:23:05,006', 'ERROR')}pullKernelImpl exception\norg.apache.rocketmq.remoting.exception.RemotingTimeoutException: invokeAsyncImpl tryAcquire semaphore timeout, 30000ms, waiting thread nums: 12 semaphoreAsyncValue: 65535\n\t...\n`],
      failure: [`${p4('14:23:05,006', 'ERROR')}pullKernelImpl exception\norg.apache.rocketmq.remoting.exception.RemotingConnectException: connect to 172.66.1.31:10911 failed\n\t...\n`],
      other: [`${p4('14:23:05,006', 'ERROR')}pullKernelImpl exception\norg.apache.rocketmq.client.exception.MQClientException: The broker[broker-b] not exist\n\t...\n`],
    },
  ),
  sig({
    id: 'client.pull-data-wrong',
    kind: 'pull-data-wrong',
    anchor: '[BUG] pull message result maybe data wrong, ',
    pattern: /^\[BUG\] pull message result maybe data wrong, nextBeginOffset: (?<nbo>-?\d+) firstMsgOffset: (?<first>-?\d+) prevRequestOffset: (?<prev>-?\d+)$/,
    fields: guarded((g) => ({ nextBeginOffset: reqInt(g.nbo), firstMsgOffset: reqInt(g.first), prevRequestOffset: reqInt(g.prev) })),
    ref: '§4.4',
    samples: [`${p4('14:23:05,006', 'WARN')}[BUG] pull message result maybe data wrong, nextBeginOffset: 1300 firstMsgOffset: 1200 prevRequestOffset: 1250`],
  }),

  // ---- §5 offset persistence ----
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
      `${p5('14:23:00.012', 'INFO', 'MQClientFactoryScheduledThread', 'o.a.r.c.c.s.RemoteBrokerOffsetStore')}[persistAll] Group: pos-provider ClientId: ${CID} updateConsumeOffsetToBroker ${Q0} 1200`,
      // 4.0.0–4.2.0 with the log4j binding (§0); 4.0–4.8.0 client ids have no `#nanoTime`.
      `2024-05-10 14:23:00,012 INFO RocketmqClient(301) - [persistAll] Group: pos-provider ClientId: 172.66.6.3@12345 updateConsumeOffsetToBroker ${Q0} 1200`,
    ],
  }),
  sig({
    id: 'client.offset-persist-failed',
    kind: 'offset-persist-failed',
    anchor: 'updateConsumeOffsetToBroker exception, ',
    pattern: new RegExp(`^updateConsumeOffsetToBroker exception, (?<mq>${MQ})$`),
    fields: guarded((g) => ({ mq: reqMq(g.mq), group: null })),
    ref: '§5.1',
    samples: [`${p4('14:23:00,012', 'ERROR')}updateConsumeOffsetToBroker exception, ${Q0}\norg.apache.rocketmq.remoting.exception.RemotingConnectException: connect to 172.66.1.31:10911 failed\n\t...\n`],
  }),
  sig({
    id: 'client.persist-consumer-offset-failed',
    kind: 'offset-persist-failed',
    anchor: ' persistConsumerOffset exception',
    pattern: /^group: (?<group>\S+) persistConsumerOffset exception$/,
    fields: (g) => ({ mq: null, group: g.group! }),
    ref: '§5.1',
    samples: [`${p4('14:23:59,001', 'ERROR')}group: pos-provider persistConsumerOffset exception\njava.lang.NullPointerException\n\t...\n`],
  }),
  sig({
    id: 'client.persist-all-offset-failed',
    kind: 'offset-persist-failed',
    anchor: 'ersist',
    pattern: /^ScheduledTask persistAllConsumerOffset exception$|^(?:persistAll consumer offset Exception|persist consumer offset exception), /,
    fields: () => ({ mq: null, group: null }),
    ref: '§5',
    samples: [
      `${p4('14:23:00,012', 'ERROR')}ScheduledTask persistAllConsumerOffset exception\njava.lang.NullPointerException\n\t...\n`,
      `${p4('14:23:00,012', 'ERROR')}persistAll consumer offset Exception, /home/admin/.rocketmq_offsets/172.66.6.3@DEFAULT/pos-provider/offsets.json\njava.io.IOException\n\t...\n`,
    ],
  }),
  info(
    'remove-unused-mq',
    'remove unused mq, ',
    new RegExp(`^remove unused mq, (?<mq>${MQ}), (?<group>\\S+)$`),
    (g) => `group=${g.group}, ${g.mq}`,
    '§5.1',
    [`${p4('14:23:00,012', 'INFO')}remove unused mq, ${Q0}, pos-provider`],
  ),
  info(
    'remove-offset',
    'remove unnecessary messageQueue offset. group=',
    new RegExp(`^remove unnecessary messageQueue offset\\. group=(?<group>[^,]*), mq=(?<mq>${MQ}), offsetTableSize=(?<n>\\d+)$`),
    (g) => `group=${g.group}, ${g.mq}`,
    '§5.1',
    ['2024-05-10 14:23:01,230 INFO RocketmqClient - remove unnecessary messageQueue offset. group=pos-provider, mq=MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0], offsetTableSize=1'],
  ),
  // BROADCASTING local offset store.
  info(
    'local-offset-loaded',
    "load consumer's offset, ",
    new RegExp(`^load consumer's offset, (?<group>\\S+) (?<mq>${MQ}) (?<offset>-?\\d+)$`),
    (g) => `group=${g.group}, ${g.mq} ${g.offset}`,
    '§5.2',
    [`${p4('14:21:40,600', 'INFO')}load consumer's offset, pos-provider ${Q0} 1250`],
  ),
  info(
    'local-offset-read-failed',
    'ocal',
    /^(?:Load local offset store (?:bak )?file exception|readLocalOffset (?:Exception|exception)(?:, and try to correct)?)$/,
    (_g, e) => excText(e.exception),
    '§5.2',
    [
      `${p4('14:21:40,600', 'WARN')}Load local offset store file exception\njava.io.IOException\n\t...\n`,
      `${p4('14:21:40,600', 'WARN')}readLocalOffset Exception, and try to correct`,
    ],
  ),

  // ---- §6 heartbeat, offline brokers, route ----
  sig({
    id: 'client.heartbeat-ok',
    kind: 'heartbeat-ok',
    anchor: 'send heart beat to broker[',
    pattern: /^send heart beat to broker\[(?<name>\S+) (?<id>\d+) (?<addr>[^\]\s]+)\] success$/,
    fields: guarded((g) => ({ brokerName: g.name!, brokerId: reqInt(g.id), brokerAddr: g.addr! })),
    ref: '§6',
    samples: ['2024-05-10 14:23:30,001 INFO RocketmqClient - send heart beat to broker[broker-b 0 172.66.1.31:10911] success'],
  }),
  sig({
    id: 'client.heartbeat-failed',
    kind: 'heartbeat-failed',
    anchor: 'send heart beat to broker[',
    pattern:
      /^(?:sendHeartbeatToAllBrokerV2 )?send heart beat to broker\[(?<name>\S+) (?<id>\d+) (?<addr>[^\]\s]+)\] (?<how>failed|exception, because the broker not up, forget it)$/,
    fields: (g, e) => ({
      brokerName: g.name!,
      brokerId: int(g.id),
      brokerAddr: g.addr!,
      reason: g.how === 'failed' ? (e.exception ? e.exception.className.replace(/^.*\./, '') : 'failed') : 'broker-not-up',
    }),
    ref: '§6',
    samples: [
      '2024-05-10 14:24:00,003 INFO RocketmqClient - send heart beat to broker[broker-b 0 172.66.1.31:10911] failed\norg.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel <172.66.1.31:10911> timeout, 3000(ms)\n\t...\n',
      `${p4('14:24:00,003', 'INFO')}send heart beat to broker[broker-b 0 172.66.1.31:10911] exception, because the broker not up, forget it`,
      `${p5('14:24:00.003', 'WARN', 'MQClientFactoryScheduledThread', 'o.a.r.c.i.f.MQClientInstance')}sendHeartbeatToAllBrokerV2 send heart beat to broker[broker-b 0 172.66.1.31:10911] failed\norg.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel </172.66.1.31:10911> timeout, 3000(ms)\n${FRAME}`,
    ],
  }),
  sig({
    id: 'client.heartbeat-all-failed',
    kind: 'heartbeat-failed',
    anchor: 'sendHeartbeatToAllBroker exception',
    pattern: /^(?:ScheduledTask )?sendHeartbeatToAllBroker exception$/,
    fields: (_g, e) => ({ brokerName: null, brokerId: null, brokerAddr: remoteOfException(e.exception), reason: excText(e.exception) ?? 'exception' }),
    ref: '§6',
    samples: [`${p4('14:24:00,003', 'ERROR')}ScheduledTask sendHeartbeatToAllBroker exception\njava.lang.NullPointerException\n\t...\n`],
  }),
  // The client's own heartbeat lock (shared with rebalance) was busy: this heartbeat was skipped.
  sig({
    id: 'client.heartbeat-lock-failed',
    kind: 'heartbeat-failed',
    anchor: 'lock heartBeat, but failed.',
    pattern: /^lock heartBeat, but failed\.(?: \[(?<cid>[^\]]*)\])?$/,
    fields: () => ({ brokerName: null, brokerId: null, brokerAddr: null, reason: 'lock-heartbeat-failed' }),
    ref: '§6',
    samples: [`${p4('14:24:00,003', 'WARN')}lock heartBeat, but failed. [${CID}]`, `${p4('14:24:00,003', 'WARN')}lock heartBeat, but failed.`],
  }),
  // heartbeatData.toString() on the line after every 20th successful heartbeat.
  info(
    'heartbeat-data',
    'HeartbeatData [clientID=',
    /^HeartbeatData \[clientID=(?<cid>[^,]*), /,
    (g) => g.cid!,
    '§6',
    [
      '2024-05-10 14:23:30,001 INFO RocketmqClient - HeartbeatData [clientID=172.66.6.3@12345#1289456702398741, producerDataSet=[ProducerData [groupName=CLIENT_INNER_PRODUCER]], consumerDataSet=[ConsumerData [groupName=pos-provider, consumeType=CONSUME_PASSIVELY, messageModel=CLUSTERING, consumeFromWhere=CONSUME_FROM_LAST_OFFSET, unitMode=false, subscriptionDataSet=[SubscriptionData [classFilterMode=false, topic=pos_create_pos_cooperate_sale_order, subString=*, tagsSet=[], codeSet=[], subVersion=1715322100234, expressionType=TAG], SubscriptionData [classFilterMode=false, topic=%RETRY%pos-provider, subString=*, tagsSet=[], codeSet=[], subVersion=1715322100240, expressionType=TAG]]]]]',
    ],
  ),
  info(
    'heartbeat-nothing-to-send',
    'sending heartbeat, but no consumer and no producer',
    /^sending heartbeat, but no consumer and no producer(?:\. \[[^\]]*\])?$/,
    () => null,
    '§6',
    [`${p4('14:24:00,003', 'WARN')}sending heartbeat, but no consumer and no producer. [${CID}]`],
  ),
  sig({
    id: 'client.broker-addr-offline',
    kind: 'route-change',
    anchor: 'the broker addr[',
    pattern: /^the broker addr\[(?<name>\S+) (?<addr>[^\]\s]+)\] is offline, remove it$/,
    fields: (g) => ({ topic: null, brokerName: g.name!, brokerAddr: g.addr!, change: 'broker-addr-offline' }),
    ref: '§6',
    samples: ['2024-05-10 14:24:30,004 INFO RocketmqClient - the broker addr[broker-b 172.66.1.31:10911] is offline, remove it'],
  }),
  sig({
    id: 'client.broker-offline',
    kind: 'route-change',
    anchor: "] name's host is offline, remove it",
    pattern: /^the broker\[(?<name>[^\]]*)\] name's host is offline, remove it$/,
    fields: (g) => ({ topic: null, brokerName: g.name!, brokerAddr: null, change: 'broker-offline' }),
    ref: '§6',
    samples: [`${p4('14:24:30,004', 'INFO')}the broker[broker-b] name's host is offline, remove it`],
  }),
  info('clean-offline-broker-failed', 'cleanOfflineBroker Exception', /^cleanOfflineBroker Exception$/, (_g, e) => excText(e.exception), '§6', [
    `${p4('14:24:30,004', 'WARN')}cleanOfflineBroker Exception\njava.lang.InterruptedException\n\t...\n`,
  ]),
  sig({
    id: 'client.route-changed',
    kind: 'route-change',
    anchor: '] route info changed, old[',
    pattern: /^the topic\[(?<topic>[^\]\s]*)\] route info changed, old\[/,
    fields: (g) => ({ topic: g.topic!, brokerName: null, brokerAddr: null, change: 'route-changed' }),
    ref: '§6',
    samples: [`${p4('14:24:30,010', 'INFO')}the topic[${TOPIC}] route info changed, old[TopicRouteData […]] ,new[TopicRouteData […]]`],
  }),
  info('topic-route-put', 'topicRouteTable.put. Topic = ', /^topicRouteTable\.put\. Topic = (?<topic>[^,\s]+), TopicRouteData\[/, (g) => g.topic!, '§6', [
    `${p4('14:24:30,010', 'INFO')}topicRouteTable.put. Topic = ${TOPIC}, TopicRouteData[TopicRouteData […]]`,
  ]),
  info(
    'topic-route-null',
    'getTopicRouteInfoFromNameServer return null, Topic: ',
    /^updateTopicRouteInfoFromNameServer, getTopicRouteInfoFromNameServer return null, Topic: (?<topic>[^\s.]+)(?:\. \[[^\]]*\])?$/,
    (g) => g.topic!,
    '§6',
    [`${p4('14:24:30,010', 'WARN')}updateTopicRouteInfoFromNameServer, getTopicRouteInfoFromNameServer return null, Topic: ${TOPIC}. [${CID}]`],
  ),
  // Name server answered TOPIC_NOT_EXIST (normal for %RETRY% topics at consumer start).
  sig({
    id: 'client.topic-route-not-exist',
    kind: 'route-change',
    anchor: '] RouteInfoFromNameServer is not exist value',
    pattern: /^get Topic \[(?<topic>[^\]]*)\] RouteInfoFromNameServer is not exist value$/,
    fields: (g) => ({ topic: g.topic!, brokerName: null, brokerAddr: null, change: 'topic-not-exist' }),
    ref: '§6',
    samples: ['2024-05-10 14:23:59,990 WARN RocketmqClient - get Topic [%RETRY%pos-provider] RouteInfoFromNameServer is not exist value'],
  }),
  ...byException(
    {
      id: 'route-update-exception',
      anchor: 'updateTopicRouteInfoFromNameServer Exception',
      pattern: /^updateTopicRouteInfoFromNameServer Exception$/,
      op: 'updateTopicRouteInfoFromNameServer',
      ref: '§6',
    },
    {
      timeout: [`${p4('14:24:30,010', 'ERROR')}updateTopicRouteInfoFromNameServer Exception\norg.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel <172.66.1.10:9876> timeout, 3000(ms)\n${FRAME}\n\t...\n`],
      failure: [`${p4('14:24:30,010', 'ERROR')}updateTopicRouteInfoFromNameServer Exception\norg.apache.rocketmq.remoting.exception.RemotingConnectException: connect to 172.66.1.10:9876 failed\n\t...\n`],
      other: [
        `${p4('14:24:30,010', 'WARN')}updateTopicRouteInfoFromNameServer Exception\norg.apache.rocketmq.client.exception.MQClientException: CODE: 17  DESC: No topic route info in name server for the topic: ${TOPIC}\nSee http://rocketmq.apache.org/docs/faq/ for further details.\n\t...\n`,
      ],
    },
  ),
  info(
    'route-update-lock-timeout',
    'updateTopicRouteInfoFromNameServer tryLock timeout ',
    /^updateTopicRouteInfoFromNameServer tryLock timeout (?<ms>\d+)ms(?:\. \[[^\]]*\])?$/,
    (g) => `${g.ms}ms`,
    '§6',
    [`${p4('14:24:30,010', 'WARN')}updateTopicRouteInfoFromNameServer tryLock timeout 3000ms. [${CID}]`],
  ),

  // ---- §7 remoting (logger RocketmqRemoting, same file) ----
  sig({
    id: 'client.invoke-sync-timeout',
    kind: 'remote-timeout',
    anchor: 'invokeSync: wait response timeout exception, the channel[',
    pattern: new RegExp(`^invokeSync: wait response timeout exception, the channel\\[${CH}\\]$`),
    fields: (g, e) => ({ remote: addr(g.remote), timeoutMs: timeoutOf(e.exception), op: 'invokeSync' }),
    ref: '§7.1',
    samples: [
      '2024-05-10 14:23:01,237 WARN RocketmqRemoting - invokeSync: wait response timeout exception, the channel[172.66.1.31:10911]',
      '2024-05-10 14:23:01.237 WARN  [12345] [RebalanceService] [RocketmqRemoting#?:?] - invokeSync: wait response timeout exception, the channel[addr=172.66.1.31:10911, id=8f3a2c1d]',
    ],
  }),
  // Printed before the `wait response timeout` line of the same request: counted as the close.
  sig({
    id: 'client.invoke-sync-close-socket',
    kind: 'connection-failure',
    anchor: 'invokeSync: close socket because of timeout, ',
    pattern: /^invokeSync: close socket because of timeout, (?<ms>\d+)ms, (?:channel\[addr=(?<r5>[^,\]]*), id=[^\]]*\]|(?<remote>\S+))$/,
    fields: (g) => ({ remote: addr(g.r5 ?? g.remote), op: 'invokeSync: close socket because of timeout' }),
    ref: '§7.1',
    samples: [
      '2024-05-10 14:23:01,237 WARN RocketmqRemoting - invokeSync: close socket because of timeout, 3000ms, 172.66.1.31:10911',
      `${p5('14:23:01.237', 'WARN', 'RebalanceService', 'RocketmqRemoting')}invokeSync: close socket because of timeout, 3000ms, channel[addr=172.66.1.31:10911, id=8f3a2c1d]`,
    ],
  }),
  sig({
    id: 'client.invoke-sync-send-failed',
    kind: 'connection-failure',
    anchor: 'invokeSync: send request exception, so close the channel[',
    pattern: new RegExp(`^invokeSync: send request exception, so close the channel\\[${CH}\\]$`),
    fields: (g) => ({ remote: addr(g.remote), op: 'invokeSync: send request' }),
    ref: '§7.1',
    samples: [
      `${p4('14:23:01,237', 'WARN', 'RocketmqRemoting')}invokeSync: send request exception, so close the channel[172.66.1.31:10911]`,
      `${p5('14:23:01.237', 'WARN', 'RebalanceService', 'RocketmqRemoting')}invokeSync: send request exception, so close the channel[addr=172.66.1.31:10911, id=8f3a2c1d]`,
    ],
  }),
  // Back-pressure on async/oneway requests (oneway = offset commits), also thrown.
  sig({
    id: 'client.semaphore-timeout',
    kind: 'remote-timeout',
    anchor: ' tryAcquire semaphore timeout, ',
    pattern: /^(?<op>invokeAsyncImpl|invokeOnewayImpl) tryAcquire semaphore timeout, (?<ms>\d+)ms, waiting thread nums: \d+ semaphore(?:Async|Oneway)Value: \d+$/,
    fields: (g) => ({ remote: null, timeoutMs: int(g.ms), op: `${g.op} semaphore` }),
    ref: '§7.1',
    samples: [
      `${p4('14:23:01,237', 'WARN', 'RocketmqRemoting')}invokeOnewayImpl tryAcquire semaphore timeout, 5000ms, waiting thread nums: 3 semaphoreOnewayValue: 65535`,
      `${p4('14:23:01,237', 'WARN', 'RocketmqRemoting')}invokeAsyncImpl tryAcquire semaphore timeout, 30000ms, waiting thread nums: 12 semaphoreAsyncValue: 65535`,
    ],
  }),
  info(
    'create-channel-begin',
    'createChannel: begin to connect remote host[',
    /^createChannel: begin to connect remote host\[(?<remote>[^\]]*)\] asynchronously$/,
    (g) => g.remote!,
    '§7.2',
    [`${p4('14:23:01,240', 'INFO', 'RocketmqRemoting')}createChannel: begin to connect remote host[172.66.1.31:10911] asynchronously`],
  ),
  info(
    'create-channel-ok',
    '] success, ',
    /^createChannel: connect remote host\[(?<remote>[^\]]*)\] success, /,
    (g) => g.remote!,
    '§7.2',
    [`${p4('14:23:01,245', 'INFO', 'RocketmqRemoting')}createChannel: connect remote host[172.66.1.31:10911] success, DefaultChannelPromise@5f2b8ae1(success)`],
  ),
  sig({
    id: 'client.create-channel-failed',
    kind: 'connection-failure',
    anchor: 'createChannel: connect remote host[',
    pattern: /^createChannel: connect remote host\[(?<remote>[^\]]*)\] (?<how>failed|timeout \d+ms), /,
    fields: (g) => ({ remote: addr(g.remote), op: g.how === 'failed' ? 'createChannel: connect failed' : 'createChannel: connect timeout' }),
    ref: '§7.2',
    samples: [
      `${p4('14:23:01,245', 'WARN', 'RocketmqRemoting')}createChannel: connect remote host[172.66.1.31:10911] failed, DefaultChannelPromise@5f2b8ae1(failure: io.netty.channel.AbstractChannel$AnnotatedConnectException: Connection refused: /172.66.1.31:10911)`,
      `${p4('14:23:04,245', 'WARN', 'RocketmqRemoting')}createChannel: connect remote host[172.66.1.31:10911] timeout 3000ms, DefaultChannelPromise@5f2b8ae1(incomplete)`,
    ],
  }),
  sig({
    id: 'client.create-channel-exception',
    kind: 'connection-failure',
    anchor: 'createChannel: create channel exception',
    pattern: /^createChannel: create channel exception$/,
    fields: (_g, e) => ({ remote: remoteOfException(e.exception), op: 'createChannel' }),
    ref: '§7.2',
    samples: [`${p4('14:23:01,245', 'ERROR', 'RocketmqRemoting')}createChannel: create channel exception\njava.lang.InterruptedException\n\t...\n`],
  }),
  info(
    'channel-table-lock-timeout',
    'try to lock channel table, but timeout, ',
    /^(?:createChannel|closeChannel): try to lock channel table, but timeout, (?<ms>\d+)ms$/,
    (g) => `${g.ms}ms`,
    '§7.2',
    [`${p4('14:23:01,245', 'WARN', 'RocketmqRemoting')}createChannel: try to lock channel table, but timeout, 3000ms`],
  ),
  info(
    'close-channel-begin',
    'closeChannel: begin close the channel[',
    new RegExp(`^closeChannel: begin close the channel\\[${CH}\\] Found: (?:true|false)$`),
    (g) => g.remote!,
    '§7.2',
    [
      '2024-05-10 14:23:01,236 INFO RocketmqRemoting - closeChannel: begin close the channel[172.66.1.31:10911] Found: true',
      `${p5('14:23:01.236', 'INFO', 'RebalanceService', 'RocketmqRemoting')}closeChannel: begin close the channel[addr=172.66.1.31:10911, id=8f3a2c1d] Found: true`,
    ],
  ),
  info(
    'close-channel-removed',
    'closeChannel: the channel[',
    new RegExp(`^closeChannel: the channel\\[${CH}\\] (?:was removed from channel table|has been removed from the channel table before)$`),
    (g) => g.remote!,
    '§7.2',
    [
      '2024-05-10 14:23:01,236 INFO RocketmqRemoting - closeChannel: the channel[172.66.1.31:10911] was removed from channel table',
      `${p4('14:23:01,236', 'INFO', 'RocketmqRemoting')}closeChannel: the channel[172.66.1.31:10911] has been removed from the channel table before`,
    ],
  ),
  sig({
    id: 'client.close-connection',
    kind: 'connection-failure',
    anchor: 'closeChannel: close the connection to remote address[',
    pattern: /^closeChannel: close the connection to remote address\[(?<remote>[^\]]*)\] result: (?:true|false)$/,
    fields: (g) => ({ remote: addr(g.remote), op: 'closeChannel' }),
    ref: '§7.2',
    samples: ['2024-05-10 14:23:01,239 INFO RocketmqRemoting - closeChannel: close the connection to remote address[172.66.1.31:10911] result: true'],
  }),
  info(
    'netty-connect',
    'NETTY CLIENT PIPELINE: CONNECT  ',
    /^NETTY CLIENT PIPELINE: CONNECT {2}(?<local>\S+) => (?<remote>\S+)$/,
    (g) => g.remote!,
    '§7.2',
    [`${p4('14:23:01,240', 'INFO', 'RocketmqRemoting')}NETTY CLIENT PIPELINE: CONNECT  UNKNOWN => 172.66.1.31:10911`],
  ),
  info(
    'netty-active',
    'NETTY CLIENT PIPELINE: ACTIVE, ',
    /^NETTY CLIENT PIPELINE: ACTIVE, (?<remote>[^,]*), channelId=(?<id>\S*)$/,
    (g) => g.remote!,
    '§7.2',
    [`${p5('14:23:01.241', 'INFO', 'NettyClientWorkerThread_1', 'RocketmqRemoting')}NETTY CLIENT PIPELINE: ACTIVE, 172.66.1.31:10911, channelId=8f3a2c1d`],
  ),
  info(
    'netty-disconnect',
    'NETTY CLIENT PIPELINE: DISCONNECT ',
    /^NETTY CLIENT PIPELINE: DISCONNECT (?<remote>\S*)$/,
    (g) => g.remote!,
    '§7.2',
    [`${p4('14:23:01,238', 'INFO', 'RocketmqRemoting')}NETTY CLIENT PIPELINE: DISCONNECT 172.66.1.31:10911`],
  ),
  // The close itself is counted by `closeChannel: close the connection …`.
  info(
    'netty-close',
    'NETTY CLIENT PIPELINE: CLOSE ',
    /^NETTY CLIENT PIPELINE: CLOSE (?:channel\[addr=(?<r5>[^,\]]*), id=[^\]]*\]|(?<remote>\S*))$/,
    (g) => g.r5 ?? g.remote!,
    '§7.2',
    [
      '2024-05-10 14:23:01,238 INFO RocketmqRemoting - NETTY CLIENT PIPELINE: CLOSE 172.66.1.31:10911',
      `${p5('14:23:01.238', 'INFO', 'NettyClientWorkerThread_1', 'RocketmqRemoting')}NETTY CLIENT PIPELINE: CLOSE channel[addr=172.66.1.31:10911, id=8f3a2c1d]`,
    ],
  ),
  info(
    'netty-inactive',
    'NETTY CLIENT PIPELINE: channelInactive, the channel[',
    new RegExp(`^NETTY CLIENT PIPELINE: channelInactive, the channel\\[${CH}\\]$`),
    (g) => g.remote!,
    '§7.2',
    [`${p5('14:23:01.238', 'INFO', 'NettyClientWorkerThread_1', 'RocketmqRemoting')}NETTY CLIENT PIPELINE: channelInactive, the channel[addr=172.66.1.31:10911, id=8f3a2c1d]`],
  ),
  // No traffic for 120 s: a housekeeping close, not a fault.
  info(
    'netty-idle',
    'NETTY CLIENT PIPELINE: IDLE exception ',
    /^NETTY CLIENT PIPELINE: IDLE exception (?:channel\[addr=(?<r5>[^,\]]*), id=[^\]]*\]|\[(?<remote>[^\]]*)\])$/,
    (g) => g.r5 ?? g.remote!,
    '§7.2',
    [
      `${p4('14:25:01,238', 'WARN', 'RocketmqRemoting')}NETTY CLIENT PIPELINE: IDLE exception [172.66.1.31:10911]`,
      `${p5('14:25:01.238', 'WARN', 'NettyClientWorkerThread_1', 'RocketmqRemoting')}NETTY CLIENT PIPELINE: IDLE exception channel[addr=172.66.1.31:10911, id=8f3a2c1d]`,
    ],
  ),
  // ≤5.3.0 prints `exceptionCaught <addr>` then a second `exceptionCaught exception.` line with the stack.
  sig({
    id: 'client.netty-exception',
    kind: 'connection-failure',
    anchor: 'NETTY CLIENT PIPELINE: exceptionCaught ',
    pattern: /^NETTY CLIENT PIPELINE: exceptionCaught (?:channel\[addr=(?<r5>[^,\]]*), id=[^\]]*\]|(?!exception\.$)(?<remote>\S+))$/,
    fields: (g) => ({ remote: addr(g.r5 ?? g.remote), op: 'exceptionCaught' }),
    ref: '§7.2',
    samples: [
      `${p4('14:23:01,238', 'WARN', 'RocketmqRemoting')}NETTY CLIENT PIPELINE: exceptionCaught 172.66.1.31:10911`,
      `${p5('14:23:01.238', 'WARN', 'NettyClientWorkerThread_1', 'RocketmqRemoting')}NETTY CLIENT PIPELINE: exceptionCaught channel[addr=172.66.1.31:10911, id=8f3a2c1d]\njava.io.IOException: Connection reset by peer\n\tat sun.nio.ch.FileDispatcherImpl.read0(Native Method)`,
    ],
  }),
  info(
    'netty-exception-stack',
    'NETTY CLIENT PIPELINE: exceptionCaught exception.',
    /^NETTY CLIENT PIPELINE: exceptionCaught exception\.$/,
    (_g, e) => excText(e.exception),
    '§7.2',
    [`${p4('14:23:01,238', 'WARN', 'RocketmqRemoting')}NETTY CLIENT PIPELINE: exceptionCaught exception.\njava.io.IOException: Connection reset by peer\n\tat sun.nio.ch.FileDispatcherImpl.read0(Native Method)\n\t...\n`],
  ),
  // Async request (pull, async send) without a response within timeout + 1 s.
  sig({
    id: 'client.remove-timeout-request',
    kind: 'remote-timeout',
    anchor: 'remove timeout request, ',
    pattern: /^remove timeout request, (?<rep>ResponseFuture \[.*)$/,
    fields: (g) => ({
      remote: /processChannel=\[id: [^,\]]*, L:[^\]]* R:\/?(?<r>[^\]\s]+)\]/.exec(g.rep!)?.groups?.r ?? null,
      timeoutMs: int(/, timeoutMillis=(\d+)/.exec(g.rep!)?.[1]),
      op: 'remove timeout request',
    }),
    ref: '§7.3',
    samples: [
      `${p4('14:23:35,300', 'WARN', 'RocketmqRemoting')}remove timeout request, ResponseFuture [responseCommand=null, sendRequestOK=true, cause=null, opaque=1183, processChannel=[id: 0x8f3a2c1d, L:/172.66.6.3:52814 - R:/172.66.1.31:10911], timeoutMillis=30000, invokeCallback=…, beginTimestamp=1715322181240, countDownLatch=…]`,
      `${p5('14:23:35.300', 'WARN', 'NettyClientScan', 'RocketmqRemoting')}remove timeout request, ResponseFuture [responseCommand=null, sendRequestOK=true, cause=null, opaque=1183, timeoutMillis=30000, invokeCallback=…, beginTimestamp=1715322181240, countDownLatch=…]`,
    ],
  }),
  sig({
    id: 'client.late-response',
    kind: 'late-response',
    anchor: 'receive response, but not matched any request, ',
    pattern: /^receive response, but not matched any request, (?<remote>\S*)$/,
    fields: (g) => ({ remote: addr(g.remote) }),
    ref: '§7.3',
    samples: ['2024-05-10 14:23:03,902 WARN RocketmqRemoting - receive response, but not matched any request, 172.66.1.31:10911'],
  }),
  // 5.2.0+: the command is inline (its toString contains commas; the tail is fixed).
  sig({
    id: 'client.late-response-cmd',
    kind: 'late-response',
    anchor: ', but not matched any request, address=',
    pattern: /^receive response, cmd=.*, but not matched any request, address=(?<remote>[^,\s]*)(?:, channelId=\S*)?$/,
    fields: (g) => ({ remote: addr(g.remote) }),
    ref: '§7.3',
    samples: [
      `${p5('14:23:03.902', 'WARN', 'NettyClientWorkerThread_1', 'RocketmqRemoting')}receive response, cmd=RemotingCommand [code=0, language=JAVA, version=479, opaque=1183, flag(B)=1, remark=null, extFields={…}, serializeTypeCurrentRPC=JSON], but not matched any request, address=172.66.1.31:10911, channelId=8f3a2c1d`,
    ],
  }),
  // The ≤5.1.4 second line of `receive response, but not matched any request`: cmd.toString() alone.
  info('remoting-command', 'RemotingCommand [code=', /^RemotingCommand \[code=(?<code>-?\d+), language=\w*, version=-?\d+, opaque=(?<opaque>-?\d+), /, (g) => `code=${g.code}, opaque=${g.opaque}`, '§7.3', [
    `${p4('14:23:03,902', 'WARN', 'RocketmqRemoting')}RemotingCommand [code=0, language=JAVA, version=401, opaque=1183, flag(B)=1, remark=null, extFields={…}, serializeTypeCurrentRPC=JSON]`,
  ]),
  sig({
    id: 'client.send-request-failed',
    kind: 'connection-failure',
    anchor: 'send a request command to channel <',
    pattern: /^send a request command to channel <(?<remote>[^>]*)> failed\.$/,
    fields: (g) => ({ remote: addr(g.remote), op: 'send request' }),
    ref: '§7.3',
    samples: [`${p4('14:23:01,237', 'WARN', 'RocketmqRemoting')}send a request command to channel <172.66.1.31:10911> failed.`],
  }),

  // ---- §8 consumption ----
  // Same text concurrently and orderly, every generation; the exception description never
  // contains ` Group: ` (tempered token keeps the match linear).
  sig({
    id: 'client.consume-exception',
    kind: 'consume-failed',
    anchor: 'consumeMessage exception: ',
    pattern: /^consumeMessage exception: (?:(?! Group: ).)* Group: (?<group>\S+) Msgs: (?<rest>.*)$/,
    fields: (g) => ({ group: g.group!, reason: 'exception' as const, ...msgsAndMq(g.rest!) }),
    ref: '§8.1',
    samples: [
      `${p4('14:23:01,512', 'WARN')}consumeMessage exception: java.lang.NullPointerException Group: pos-provider Msgs: [${MSG_EXT}] MQ: ${Q0}\njava.lang.NullPointerException\n\t...\n`,
      `${p5('14:23:01.512', 'WARN', 'ConsumeMessageThread_pos-provider_1', 'o.a.r.c.i.c.ConsumeMessageConcurrentlyService')}consumeMessage exception: java.lang.NullPointerException Group: pos-provider Msgs: [${MSG_EXT}] MQ: ${Q0}\njava.lang.NullPointerException\n\tat org.apache.rocketmq.client.impl.consumer.ConsumeMessageConcurrentlyService$ConsumeRequest.run(ConsumeMessageConcurrentlyService.java:411)`,
    ],
  }),
  sig({
    id: 'client.consume-null',
    kind: 'consume-failed',
    anchor: 'consumeMessage return null, Group: ',
    pattern: /^consumeMessage return null, Group: (?<group>\S+) Msgs: (?<rest>.*)$/,
    fields: (g) => ({ group: g.group!, reason: 'null' as const, ...msgsAndMq(g.rest!) }),
    ref: '§8.1',
    samples: [`${p4('14:23:01,512', 'WARN')}consumeMessage return null, Group: pos-provider Msgs: [${MSG_EXT}] MQ: ${Q0}`],
  }),
  sig({
    id: 'client.consume-orderly-not-ok',
    kind: 'consume-failed',
    anchor: 'consumeMessage Orderly return not OK, Group: ',
    pattern: /^consumeMessage Orderly return not OK, Group: (?<group>\S+) Msgs: (?<rest>.*)$/,
    fields: (g) => ({ group: g.group!, reason: 'orderly-not-ok' as const, ...msgsAndMq(g.rest!) }),
    ref: '§8.2',
    samples: [`${p4('14:23:42,100', 'WARN')}consumeMessage Orderly return not OK, Group: pos-provider Msgs: [${MSG_EXT}] MQ: ${Q0}`],
  }),
  sig({
    id: 'client.consume-broadcast-drop',
    kind: 'consume-failed',
    anchor: 'BROADCASTING, the message consume failed, drop it, ',
    pattern: /^BROADCASTING, the message consume failed, drop it, (?<msg>.*)$/,
    fields: (g) => ({ group: null, mq: null, reason: 'broadcast-drop' as const, messages: parseMessageExts(g.msg!) }),
    ref: '§8.1',
    samples: [`${p4('14:23:01,512', 'WARN')}BROADCASTING, the message consume failed, drop it, ${MSG_EXT}`],
  }),
  info(
    'mq-dropped-skip-consume',
    "the message queue not be able to consume, because it's dropped. ",
    new RegExp(`^(?:run, |consumeMessage, )?the message queue not be able to consume, because it's dropped\\. (?:group=(?<group>\\S+) )?(?<mq>${MQ})$`),
    (g) => (g.group ? `group=${g.group}, ${g.mq}` : g.mq!),
    '§8',
    [
      `${p4('14:23:01,300', 'INFO')}the message queue not be able to consume, because it's dropped. group=pos-provider ${Q0}`,
      `${p4('14:23:01,300', 'WARN')}run, the message queue not be able to consume, because it's dropped. ${Q0}`,
      `${p4('14:23:01,300', 'WARN')}consumeMessage, the message queue not be able to consume, because it's dropped. ${Q0}`,
    ],
  ),
  sig({
    id: 'client.dropped-without-result',
    kind: 'dropped-without-result',
    anchor: 'processQueue is dropped without process consume result. messageQueue=',
    pattern: new RegExp(`^processQueue is dropped without process consume result\\. messageQueue=(?<mq>${MQ}), msgs=(?<msgs>.*)$`),
    fields: guarded((g) => ({ mq: reqMq(g.mq), messages: parseMessageExts(g.msgs!) })),
    ref: '§8.1',
    samples: [`2024-05-10 14:23:01,512 WARN RocketmqClient - processQueue is dropped without process consume result. messageQueue=${Q0}, msgs=[${MSG_EXT}]`],
  }),
  sig({
    id: 'client.send-back-failed',
    kind: 'send-back-failed',
    anchor: 'sendMessageBack exception, group: ',
    pattern: /^sendMessageBack exception, group: (?<group>\S+) msg: (?<msg>.*)$/,
    fields: (g) => ({ group: g.group!, messages: parseMessageExts(g.msg!) }),
    ref: '§8.1',
    samples: [`${p4('14:23:01,600', 'ERROR')}sendMessageBack exception, group: pos-provider msg: ${MSG_EXT}\n${TIMEOUT_3000}\n\t...\n`],
  }),
  // DefaultMQPushConsumerImpl.sendMessageBack: the RPC failed, it falls back to a plain send to %RETRY%.
  sig({
    id: 'client.send-back-rpc-failed',
    kind: 'send-back-failed',
    anchor: 'sendMessageBack Exception, ',
    pattern: /^sendMessageBack Exception, (?<group>\S+)$/,
    fields: (g) => ({ group: g.group!, messages: [] }),
    ref: '§8.1',
    samples: [`${p4('14:23:01,600', 'ERROR')}sendMessageBack Exception, pos-provider\n${TIMEOUT_3000}\n\t...\n`],
  }),
  sig({
    id: 'client.send-back-rpc-failed-5',
    kind: 'send-back-failed',
    anchor: 'Failed to send message back, consumerGroup=',
    pattern: /^Failed to send message back, consumerGroup=(?<group>[^,]*), brokerName=[^,]*, mq=(?<rest>.*)$/,
    fields: (g) => ({ group: g.group!, messages: parseMessageExts(g.rest!) }),
    ref: '§8.1',
    samples: [
      `${p5('14:23:01.600', 'ERROR', 'ConsumeMessageThread_pos-provider_1', 'o.a.r.c.i.c.DefaultMQPushConsumerImpl')}Failed to send message back, consumerGroup=pos-provider, brokerName=broker-b, mq=${Q0}, message=${MSG_EXT}\norg.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel </172.66.1.31:10911> timeout, 3000(ms)\n${FRAME}`,
    ],
  }),
  info(
    'send-back-skipped',
    'Message is not found in its process queue; skip send-back-procedure, ',
    /^Message is not found in its process queue; skip send-back-procedure, topic=(?<topic>[^,]*), brokerName=(?<bn>[^,]*), queueId=(?<q>-?\d+), queueOffset=(?<o>-?\d+)$/,
    (g) => `${g.bn}:${g.q}@${g.o}`,
    '§8.1',
    [`${p5('14:38:01.300', 'INFO', 'ConsumeMessageThread_pos-provider_1', 'o.a.r.c.i.c.ConsumeMessageConcurrentlyService')}Message is not found in its process queue; skip send-back-procedure, topic=${TOPIC}, brokerName=broker-b, queueId=0, queueOffset=1250`],
  ),
  info('scheduled-task-failed', 'scheduleAtFixedRate ', /^scheduleAtFixedRate (?<what>cleanExpireMsg|lockMQPeriodically) exception$/, (g, e) => `${g.what}: ${excText(e.exception) ?? ''}`, '§8', [
    `${p4('14:38:01,240', 'ERROR')}scheduleAtFixedRate cleanExpireMsg exception\njava.lang.NullPointerException\n\t...\n`,
    `${p4('14:23:21,004', 'ERROR')}scheduleAtFixedRate lockMQPeriodically exception\njava.lang.NullPointerException\n\t...\n`,
  ]),
  // mqadmin consumeMessageDirectly: a deliberate re-delivery.
  info('consume-directly', 'consumeMessageDirectly ', /^consumeMessageDirectly (?<what>receive new message|Result): /, (g) => g.what!, '§8.1', [
    `${p4('14:30:00,001', 'INFO')}consumeMessageDirectly receive new message: ${MSG_EXT}`,
  ]),
  info(
    'consume-result-illegal',
    'the message queue consume result is illegal, we think you want to ack these message ',
    /^the message queue consume result is illegal, we think you want to ack these message /,
    () => null,
    '§8.2',
    [`${p4('14:23:42,100', 'WARN')}the message queue consume result is illegal, we think you want to ack these message ${Q0}`],
  ),
  sig({
    id: 'client.orderly-not-locked',
    kind: 'lock',
    anchor: 'the message queue not locked, so consume later, ',
    pattern: new RegExp(`^the message queue not locked, so consume later, (?<mq>${MQ})$`),
    fields: guarded((g) => ({ side: 'client' as const, result: 'not-locked' as const, group: null, mq: reqMq(g.mq), clientId: null, otherClientId: null })),
    ref: '§8.2',
    samples: [`${p4('14:23:31,020', 'WARN')}the message queue not locked, so consume later, ${Q0}`],
  }),
  sig({
    id: 'client.orderly-lock-expired',
    kind: 'lock',
    anchor: 'the message queue lock expired, so consume later, ',
    pattern: new RegExp(`^the message queue lock expired, so consume later, (?<mq>${MQ})$`),
    fields: guarded((g) => ({ side: 'client' as const, result: 'lease-expired' as const, group: null, mq: reqMq(g.mq), clientId: null, otherClientId: null })),
    ref: '§8.2',
    samples: [
      '2024-05-10 14:23:31,020 WARN RocketmqClient - the message queue lock expired, so consume later, MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]',
    ],
  }),
  sig({
    id: 'client.expired-send-back',
    kind: 'expired-send-back',
    anchor: 'send expire msg back. topic=',
    pattern: /^send expire msg back\. topic=(?<topic>[^,]*), msgId=(?<id>[^,]*), storeHost=(?<sh>[^,]*), queueId=(?<q>-?\d+), queueOffset=(?<o>-?\d+)$/,
    fields: guarded((g) => ({ topic: g.topic!, msgId: g.id!, storeHost: g.sh!, queueId: reqInt(g.q), queueOffset: reqInt(g.o) })),
    ref: '§8.3',
    samples: [
      '2024-05-10 14:38:01,240 INFO RocketmqClient - send expire msg back. topic=pos_create_pos_cooperate_sale_order, msgId=AC42020D00016267C3BB316F58CCBF10, storeHost=/172.66.1.31:10911, queueId=0, queueOffset=1250',
    ],
  }),
  sig({
    id: 'client.expired-send-back-failed',
    kind: 'send-back-failed',
    anchor: 'send expired msg exception',
    pattern: /^send expired msg exception$/,
    fields: () => ({ group: null, messages: [] }),
    ref: '§8.3',
    samples: [`${p4('14:38:01,240', 'ERROR')}send expired msg exception\n${TIMEOUT_3000}\n\t...\n`],
  }),
  info('get-expired-msg-failed', 'getExpiredMsg exception', /^getExpiredMsg exception$/, (_g, e) => excText(e.exception), '§8.3', [
    `${p4('14:38:01,240', 'ERROR')}getExpiredMsg exception\njava.lang.NullPointerException\n\t...\n`,
  ]),

  // ---- §9 lifecycle ----
  // 4.0.0–4.3.0 (sic "ClinetID"): `{} {}` = ClientConfig, version; the version is the last word.
  sig({
    id: 'client.instance-created-old',
    kind: 'client-start',
    anchor: 'created a new client Instance, FactoryIndex: ',
    pattern: /^created a new client Instance, FactoryIndex: \d+ ClinetID: (?<cid>\S+) (?<rest>.*), serializeType=\w*$/,
    fields: (g) => ({ role: 'instance' as const, group: null, clientId: g.cid!, version: /(V\d+_\d+_\d+\w*)$/.exec(g.rest!)?.[1] ?? null, messageModel: null }),
    ref: '§9.1',
    samples: [`${p4('14:21:40,118', 'INFO')}created a new client Instance, FactoryIndex: 0 ClinetID: 172.66.6.3@12345 ClientConfig [namesrvAddr=172.66.1.10:9876, clientIP=172.66.6.3, instanceName=12345, …] V4_3_0, serializeType=JSON`],
  }),
  sig({
    id: 'client.instance-created',
    kind: 'client-start',
    anchor: 'Created a new client Instance, InstanceIndex:',
    pattern: /^Created a new client Instance, InstanceIndex:\d+, ClientID:(?<cid>[^,]*), ClientConfig:.*, ClientVersion:(?<ver>[^,]*), SerializerType:\w*$/,
    fields: (g) => ({ role: 'instance' as const, group: null, clientId: g.cid!, version: g.ver || null, messageModel: null }),
    ref: '§9.1',
    samples: [
      '2024-05-10 14:21:40,118 INFO RocketmqClient - Created a new client Instance, InstanceIndex:0, ClientID:172.66.6.3@12345#1289456702398741, ClientConfig:ClientConfig [namesrvAddr=172.66.1.10:9876, clientIP=172.66.6.3, instanceName=12345#1289456702398741, clientCallbackExecutorThreads=8, pollNameServerInterval=30000, heartbeatBrokerInterval=30000, persistConsumerOffsetInterval=5000, pullTimeDelayMillsWhenException=1000, unitMode=false, unitName=null, vipChannelEnabled=false, useTLS=false, language=JAVA, namespace=null, mqClientApiTimeout=3000, enableStreamRequestType=false], ClientVersion:V4_9_4, SerializerType:JSON',
    ],
  }),
  info('namesrv-address', 'user specified name server address: ', /^user specified name server address: (?<addr>\S*)$/, (g) => g.addr!, '§9.1', [
    `${p4('14:21:40,100', 'INFO')}user specified name server address: 172.66.1.10:9876`,
  ]),
  sig({
    id: 'client.factory-start',
    kind: 'client-start',
    anchor: 'the client factory [',
    pattern: /^the client factory \[(?<cid>[^\]]*)\] start OK$/,
    fields: (g) => ({ role: 'factory' as const, group: null, clientId: g.cid!, version: null, messageModel: null }),
    ref: '§9.1',
    samples: ['2024-05-10 14:21:40,587 INFO RocketmqClient - the client factory [172.66.6.3@12345#1289456702398741] start OK'],
  }),
  sig({
    id: 'client.factory-shutdown',
    kind: 'client-shutdown',
    anchor: 'the client factory [',
    pattern: /^the client factory \[(?<cid>[^\]]*)\] shutdown OK$/,
    fields: (g) => ({ role: 'factory' as const, group: null, clientId: g.cid! }),
    ref: '§9.1',
    samples: [`${p4('18:00:00,120', 'INFO')}the client factory [${CID}] shutdown OK`],
  }),
  // The consumer's start is `start beginning` (it carries messageModel); `start OK.` is context.
  sig({
    id: 'client.consumer-start',
    kind: 'client-start',
    anchor: '] start beginning. messageModel=',
    pattern: /^the consumer \[(?<group>[^\]]*)\] start beginning\. messageModel=(?<mm>\w*), isUnitMode=\w*$/,
    fields: (g) => ({ role: 'consumer' as const, group: g.group!, clientId: null, version: null, messageModel: g.mm || null }),
    ref: '§9.1',
    samples: ['2024-05-10 14:21:40,102 INFO RocketmqClient - the consumer [pos-provider] start beginning. messageModel=CLUSTERING, isUnitMode=false'],
  }),
  info('consumer-start-ok', 'the consumer [', /^the consumer \[(?<group>[^\]]*)\] start OK\.$/, (g) => g.group!, '§9.1', [
    '2024-05-10 14:21:40,588 INFO RocketmqClient - the consumer [pos-provider] start OK.',
    '2024-05-10 14:21:40.588 INFO  [12345] [main] [o.a.r.c.i.c.DefaultMQPushConsumerImpl#?:?] - the consumer [pos-provider] start OK.',
  ]),
  info('consumer-start-failed', 'Start the consumer ', /^Start the consumer (?<group>\S+) fail\.$/, (g, e) => `${g.group}${e.exception ? ': ' + excText(e.exception) : ''}`, '§9.1', [
    `${p5('14:21:40.588', 'WARN', 'main', 'o.a.r.c.i.c.DefaultMQPushConsumerImpl')}Start the consumer pos-provider fail.`,
  ]),
  sig({
    id: 'client.consumer-shutdown',
    kind: 'client-shutdown',
    anchor: 'the consumer [',
    pattern: /^the consumer \[(?<group>[^\]]*)\] shutdown OK$/,
    fields: (g) => ({ role: 'consumer' as const, group: g.group!, clientId: null }),
    ref: '§9.1',
    samples: [`${p4('18:00:00,100', 'INFO')}the consumer [pos-provider] shutdown OK`],
  }),
  sig({
    id: 'client.producer-start',
    kind: 'client-start',
    anchor: 'the producer [',
    pattern: /^the producer \[(?<group>[^\]]*)\] start OK\. sendMessageWithVIPChannel=\w*$/,
    fields: (g) => ({ role: 'producer' as const, group: g.group!, clientId: null, version: null, messageModel: null }),
    ref: '§9.1',
    samples: [`${p4('14:21:40,700', 'INFO')}the producer [pos-producer] start OK. sendMessageWithVIPChannel=false`],
  }),
  sig({
    id: 'client.producer-shutdown',
    kind: 'client-shutdown',
    anchor: 'the producer [',
    pattern: /^the producer \[(?<group>[^\]]*)\] shutdown OK$/,
    fields: (g) => ({ role: 'producer' as const, group: g.group!, clientId: null }),
    ref: '§9.1',
    samples: [`${p4('18:00:00,090', 'INFO')}the producer [pos-producer] shutdown OK`],
  }),
  // ConsumeMessageTraceHook ⇒ message trace is enabled.
  info('consume-hook-registered', 'register consumeMessageHook Hook, ', /^register consumeMessageHook Hook, (?<hook>\S*)$/, (g) => g.hook!, '§9.1', [
    `${p4('14:21:40,090', 'INFO')}register consumeMessageHook Hook, ConsumeMessageTraceHook`,
  ]),
  info(
    'unregister-client',
    'unregister client[Producer: ',
    /^unregister client\[Producer: (?<p>\S*) Consumer: (?<c>\S*)\] from broker\[(?<name>\S+) (?<id>\d+) (?<addr>[^\]\s]+)\] success$/,
    (g) => `producer=${g.p}, consumer=${g.c}, broker=${g.name} ${g.addr}`,
    '§9.1',
    [`${p4('18:00:00,110', 'INFO')}unregister client[Producer: null Consumer: pos-provider] from broker[broker-b 0 172.66.1.31:10911] success`],
  ),
  info(
    'unregister-client-failed',
    'unregister client ',
    /^unregister client (?:exception from broker: (?<a4>\S+)|(?:RemotingException|InterruptedException|MQBrokerException) from broker: (?<addr>[^,\s]+), )/,
    (g, e) => `${g.a4 ?? g.addr}${e.exception ? ': ' + excText(e.exception) : ''}`,
    '§9.1',
    [
      `${p4('18:00:00,110', 'ERROR')}unregister client exception from broker: 172.66.1.31:10911\n${TIMEOUT_3000}\n\t...\n`,
      `${p4('18:00:00,110', 'WARN')}unregister client RemotingException from broker: 172.66.1.31:10911, wait response on the channel <172.66.1.31:10911> timeout, 3000(ms)`,
    ],
  ),
  info('consumer-group-exists', '] exist already.', /^the consumer group\[(?<group>[^\]]*)\] exist already\.$/, (g) => g.group!, '§9.1', [
    `${p4('14:21:40,118', 'WARN')}the consumer group[pos-provider] exist already.`,
  ]),
  info('service-thread', ' service ', /^(?<svc>\w+) service (?<what>started|end)$/, (g) => `${g.svc} ${g.what}`, '§9.1', [
    `${p4('14:21:40,590', 'INFO')}RebalanceService service started`,
    `${p4('18:00:00,105', 'INFO')}PullMessageService service end`,
  ]),

  // ---- §9.2 producer ----
  // Three generations: String.format (4.x), literal `%s` (5.1.0–5.2.0), slf4j `{}` (5.3.0+).
  sig({
    id: 'client.producer-resend',
    kind: 'producer-send-failed',
    anchor: 'sendKernelImpl exception, resend at once, InvokeID: ',
    pattern: new RegExp(`^sendKernelImpl exception, resend at once, InvokeID: (?<id>%s|-?\\d+), RT: (?<rt>%s|\\d+)ms, Broker: (?:%s|(?<mq>${MQ}))$`),
    fields: (g, e) => ({
      invokeId: g.id === '%s' ? null : g.id!,
      rtMs: g.rt === '%s' ? null : int(g.rt),
      mq: mq(g.mq),
      brokerAddr: remoteOfException(e.exception),
      retry: 'resend' as const,
    }),
    ref: '§9.2',
    samples: [
      `2024-05-10 14:23:03,815 WARN RocketmqClient - sendKernelImpl exception, resend at once, InvokeID: -5276712343821119212, RT: 3001ms, Broker: ${Q0}\n${TIMEOUT_3000}\n${FRAME}\n\t...\n`,
      `${p5('14:23:03.815', 'WARN', 'main', 'o.a.r.c.i.p.DefaultMQProducerImpl')}sendKernelImpl exception, resend at once, InvokeID: %s, RT: %sms, Broker: %s\norg.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel </172.66.1.31:10911> timeout, 3000(ms)\n${FRAME}`,
    ],
  }),
  sig({
    id: 'client.producer-send-throw',
    kind: 'producer-send-failed',
    anchor: 'sendKernelImpl exception, throw exception, InvokeID: ',
    pattern: new RegExp(`^sendKernelImpl exception, throw exception, InvokeID: (?<id>%s|-?\\d+), RT: (?<rt>%s|\\d+)ms, Broker: (?:%s|(?<mq>${MQ}))$`),
    fields: (g, e) => ({
      invokeId: g.id === '%s' ? null : g.id!,
      rtMs: g.rt === '%s' ? null : int(g.rt),
      mq: mq(g.mq),
      brokerAddr: remoteOfException(e.exception),
      retry: 'throw' as const,
    }),
    ref: '§9.2',
    samples: [`${p4('14:23:03,815', 'WARN')}sendKernelImpl exception, throw exception, InvokeID: -5276712343821119212, RT: 12ms, Broker: ${Q0}\njava.lang.InterruptedException\n\t...\n`],
  }),
  // msg.toString() on its own line after a failed attempt.
  sig({
    id: 'client.producer-message',
    kind: 'producer-message',
    anchor: "Message{topic='",
    pattern: /^Message\{topic='(?<topic>[^']*)', flag=-?\d+, properties=(?<props>\{.*)$/,
    fields: (g) => ({ topic: g.topic!, msgId: prop(g.props!, 'UNIQ_KEY'), keys: prop(g.props!, 'KEYS') }),
    ref: '§9.2',
    samples: [
      "2024-05-10 14:23:03,815 WARN RocketmqClient - Message{topic='pos_create_pos_cooperate_sale_order', flag=0, properties={KEYS=SO202405100001, UNIQ_KEY=AC42020D00016267C3BB316F58CCBF10, WAIT=true, TAGS=create}, body=[123, 34, 111, 114, 100, 101, 114, 73, 100, 34, 58, 49, 125], transactionId='null'}",
    ],
  }),
  sig({
    id: 'client.producer-async-retry',
    kind: 'producer-send-failed',
    anchor: 'async send msg by retry ',
    pattern: /^async send msg by retry \d+ times\. topic=(?<topic>[^,]*), brokerAddr=(?<addr>[^,]*), brokerName=(?<bn>\S*)$/,
    fields: (g) => ({ invokeId: null, rtMs: null, mq: null, brokerAddr: addr(g.addr), retry: 'async-retry' as const }),
    ref: '§9.2',
    samples: [
      `${p4('14:23:03,815', 'WARN')}async send msg by retry 1 times. topic=${TOPIC}, brokerAddr=172.66.1.31:10911, brokerName=broker-b\norg.apache.rocketmq.client.exception.MQClientException: wait response timeout 3000ms\n\t...\n`,
    ],
  }),
  info('publish-info-updated', 'updateTopicPublishInfo prev is not null, ', /^updateTopicPublishInfo prev is not null, /, () => null, '§9.2', [
    `${p4('14:21:40,800', 'INFO')}updateTopicPublishInfo prev is not null, TopicPublishInfo […]`,
  ]),

  // ---- §13 broker notification ----
  sig({
    id: 'client.rebalance-notified',
    kind: 'rebalance-notified',
    anchor: "receive broker's notification[",
    pattern: /^receive broker's notification\[(?<addr>[^\]]*)\], the consumer group: (?<group>\S+) changed, rebalance immediately$/,
    fields: (g) => ({ brokerAddr: g.addr!, group: g.group! }),
    ref: '§13',
    samples: [
      "2024-05-10 14:22:58,020 INFO RocketmqClient - receive broker's notification[172.66.1.31:10911], the consumer group: pos-provider changed, rebalance immediately",
      `${p5('14:22:58.020', 'INFO', 'NettyClientPublicExecutor_1', 'o.a.r.c.i.ClientRemotingProcessor')}receive broker's notification[172.66.1.31:10911], the consumer group: pos-provider changed, rebalance immediately`,
    ],
  }),
  info('notify-ids-changed-failed', 'notifyConsumerIdsChanged exception', /^notifyConsumerIdsChanged exception$/, (_g, e) => excText(e.exception), '§13', [
    `${p4('14:22:58,020', 'ERROR')}notifyConsumerIdsChanged exception\njava.lang.NullPointerException\n\t...\n`,
  ]),

  // ---- §14.2 reset offset (client side) ----
  // `by` is the broker that pushed the reset.
  sig({
    id: 'client.reset-offset-pushed',
    kind: 'offset-reset',
    anchor: 'invoke reset offset operation from broker. ',
    pattern: /^invoke reset offset operation from broker\. brokerAddr=(?<addr>[^,]*), topic=(?<topic>[^,]*), group=(?<group>[^,]*), timestamp=(?<ts>-?\d+)$/,
    fields: (g) => ({ side: 'client' as const, phase: 'pushed' as const, topic: g.topic!, group: g.group!, timestamp: int(g.ts), by: addr(g.addr), clientId: null }),
    ref: '§14.2',
    samples: [
      '2024-05-10 15:00:00,013 INFO RocketmqClient - invoke reset offset operation from broker. brokerAddr=172.66.1.31:10911, topic=pos_create_pos_cooperate_sale_order, group=pos-provider, timestamp=1715320800000',
    ],
  }),
  sig({
    id: 'client.reset-suspend-resume',
    kind: 'offset-reset',
    anchor: ' this consumer, ',
    pattern: /^(?<what>suspend|resume) this consumer, (?<group>\S+)$/,
    fields: (g) => ({
      side: 'client' as const,
      phase: g.what === 'suspend' ? ('suspend' as const) : ('resume' as const),
      topic: null,
      group: g.group!,
      timestamp: null,
      by: null,
      clientId: null,
    }),
    ref: '§14.2',
    samples: [
      '2024-05-10 15:00:00,014 INFO RocketmqClient - suspend this consumer, pos-provider',
      '2024-05-10 15:00:10,020 INFO RocketmqClient - resume this consumer, pos-provider',
    ],
  }),
  sig({
    id: 'client.reset-offset-failed',
    kind: 'offset-reset',
    anchor: 'reset',
    pattern: /^\[reset-offset\] consumer (?:dose|does) not exist\. group=(?<group>\S*)$|^reset offset failed\. group=(?<g2>[^,]*), /,
    fields: (g) => ({ side: 'client' as const, phase: 'failed' as const, topic: null, group: g.group ?? g.g2 ?? null, timestamp: null, by: null, clientId: null }),
    ref: '§14.2',
    samples: [
      `${p4('15:00:00,013', 'INFO')}[reset-offset] consumer dose not exist. group=pos-provider`,
      `${p5('15:00:00.013', 'INFO', 'NettyClientPublicExecutor_1', 'o.a.r.c.i.f.MQClientInstance')}[reset-offset] consumer does not exist. group=pos-provider`,
      `${p4('15:00:00,013', 'WARN')}reset offset failed. group=pos-provider, ${TOPIC}\njava.lang.NullPointerException\n\t...\n`,
    ],
  }),

  // ---- §17 POP ack (client side) ----
  sig({
    id: 'client.pop-ack-failed',
    kind: 'pop-ack',
    anchor: 'Ack message fail. ',
    pattern: /^Ack message fail\. (?:ackResult: |extraInfo: )(?<rest>.*)$/,
    fields: (g) => ({ result: 'failed' as const, brokerName: null, detail: g.rest! }),
    ref: '§17.1',
    samples: [
      `${p5('14:23:31.000', 'WARN', 'ConsumeMessageThread_pos-provider_1', 'o.a.r.c.i.c.DefaultMQPushConsumerImpl')}Ack message fail. ackResult: AckResult […], extraInfo: …`,
      `${p5('14:23:31.000', 'ERROR', 'ConsumeMessageThread_pos-provider_1', 'o.a.r.c.i.c.DefaultMQPushConsumerImpl')}Ack message fail. extraInfo: …  error message: wait response on the channel </172.66.1.31:10911> timeout, 3000(ms)`,
    ],
  }),
  sig({
    id: 'client.pop-ack-async-error',
    kind: 'pop-ack',
    anchor: 'ack async error.',
    pattern: /^ack async error\.$/,
    fields: (_g, e) => ({ result: 'failed' as const, brokerName: null, detail: excText(e.exception) ?? 'ack async error' }),
    ref: '§17.1',
    samples: [`${p5('14:23:31.000', 'ERROR', 'NettyClientPublicExecutor_1', 'o.a.r.c.i.c.DefaultMQPushConsumerImpl')}ack async error.\norg.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel </172.66.1.31:10911> timeout, 3000(ms)\n${FRAME}`],
  }),

  // ---- §0 inner logger ----
  // java MessageFormat: the count may carry a grouping comma (`1,234`).
  sig({
    id: 'client.log-discarded',
    kind: 'log-discarded',
    anchor: ' messages due to full event buffer including: ',
    pattern: /^Discarded (?<n>\d{1,3}(?:,\d{3})*) messages due to full event buffer including: /,
    fields: guarded((g) => ({ count: reqInt(g.n) })),
    ref: '§0',
    samples: [
      `${p4('14:23:00,013', 'INFO')}Discarded 1,234 messages due to full event buffer including: [persistAll] Group: pos-provider ClientId: ${CID} updateConsumeOffsetToBroker ${Q0} 1200`,
      `${p4('14:23:00,013', 'WARN')}Discarded 12 messages due to full event buffer including: invokeSync: wait response timeout exception, the channel[172.66.1.31:10911]`,
    ],
  }),
];

/**
 * The client id inside a client log message reveals the host (`ClientId: 172.66.6.3@12345`,
 * `clientId=…`, `clientId:…`, `ClientID:…`, 4.0–4.3 `ClinetID: …`, `HeartbeatData [clientID=…`,
 * `the client factory [172.66.6.3@…]`).
 */
export function clientHostProbe(msg: string): string | null {
  const m = /(?:ClientId: ?|clientId[=:]|ClientID:|ClinetID: |clientID=|client factory \[)(\d{1,3}(?:\.\d{1,3}){3})@/.exec(msg);
  return m ? m[1]! : null;
}

export { remoteOfException };
