import type { MessageQueueRef, MessageRef } from './queue.js';

/**
 * The typed event model: one discriminated union over `kind`. Every event keeps its proof
 * (file, line, host, timestamp as written, instant, zone rule, raw text).
 *
 * Field conventions: unknown values are `null`, never omitted. Offsets are numbers (RocketMQ
 * offsets stay far below 2^53). Addresses keep the form the log printed (`172.66.1.31:10911`).
 */
export interface EventFieldMap {
  // ---- network (client rocketmq_client.log, broker remoting.log) ----
  /** A request timed out: `invokeSync: wait response timeout`, `RemotingTimeoutException`, `remove timeout request`. */
  'remote-timeout': { remote: string | null; timeoutMs: number | null; op: string };
  /** Connect / send / close failures and channel exceptions. */
  'connection-failure': { remote: string | null; op: string };
  /** A response arrived after the caller gave up (`receive response, but not matched any request`). */
  'late-response': { remote: string | null };

  // ---- heartbeat / route (client) ----
  'heartbeat-ok': { brokerName: string; brokerId: number; brokerAddr: string };
  'heartbeat-failed': { brokerName: string | null; brokerId: number | null; brokerAddr: string | null; reason: string };
  'route-change': { topic: string | null; brokerName: string | null; brokerAddr: string | null; change: string };

  // ---- rebalance (client) ----
  'rebalance-result': {
    group: string;
    topic: string;
    clientId: string;
    strategy: string;
    mqAllSize: number;
    cidAllSize: number;
    queues: MessageQueueRef[];
  };
  'queue-added': { group: string; mq: MessageQueueRef; nextOffset: number | null; step: 'mq' | 'pull-request' };
  'queue-add-failed': { group: string; mq: MessageQueueRef; reason: 'lock' | 'offset' | 'compute' };
  'queue-removed': { group: string; mq: MessageQueueRef; reason: 'rebalance' | 'not-my-topic' | 'pull-paused' | 'fix-offset' };
  'rebalance-error': { group: string | null; topic: string | null; detail: string };
  /** `receive broker's notification[addr], the consumer group: G changed, rebalance immediately`. */
  'rebalance-notified': { brokerAddr: string; group: string };

  // ---- orderly locks (client and broker lock.log) ----
  'lock': {
    side: 'client' | 'broker';
    /** `unlock-deferred`: `[WRONG]mq is consuming, so can not unlock it` — the old owner keeps the lock this round. */
    result: 'ok' | 'failed' | 'expired-takeover' | 'held-by-other' | 'unlock' | 'unlock-deferred' | 'lease-expired' | 'not-locked' | 'error';
    group: string | null;
    mq: MessageQueueRef | null;
    /** The client that got / asked for the lock. */
    clientId: string | null;
    /** The previous / other holder, when the line names one. */
    otherClientId: string | null;
  };

  // ---- offsets (client) ----
  /** `fetchConsumeOffsetFromBroker exception` / `Compute consume offset exception`. */
  'fetch-offset-failed': {
    mq: MessageQueueRef;
    variant: 'fetch' | 'compute' | 'compute-last' | 'first-pull';
    /** Exception class (simple name) when the line prints it inline rather than as a stack trace. */
    cause: string | null;
  };
  /** Orderly first pull: `the first time to pull message, so fix offset from broker … NewOffset: n`. */
  'first-pull-offset': { group: string; mq: MessageQueueRef; requestOffset: number; newOffset: number; brokerBusy: boolean | null };
  'offset-persist': { group: string; clientId: string; mq: MessageQueueRef; offset: number; mode: 'persistAll' | 'persist' };
  'offset-persist-failed': { mq: MessageQueueRef | null; group: string | null };
  /** Client: `the pull request offset illegal, PullRequest [...] PullResult [...]`. */
  'pull-offset-illegal': {
    group: string;
    mq: MessageQueueRef;
    requestOffset: number;
    nextBeginOffset: number;
    minOffset: number | null;
    maxOffset: number | null;
  };
  /** Client: `fix the pull request offset, PullRequest [... nextOffset=n]`. */
  'pull-offset-fixed': { group: string; mq: MessageQueueRef; offset: number };
  /** Client: `[BUG] pull message result maybe data wrong`. */
  'pull-data-wrong': { nextBeginOffset: number; firstMsgOffset: number; prevRequestOffset: number };
  'flow-control': { mq: MessageQueueRef | null; reason: 'count' | 'size' | 'span'; minOffset: number | null; maxOffset: number | null };

  // ---- consumption (client) ----
  'consume-failed': {
    group: string | null;
    mq: MessageQueueRef | null;
    reason: 'exception' | 'null' | 'orderly-not-ok' | 'broadcast-drop';
    messages: MessageRef[];
  };
  'send-back-failed': { group: string | null; messages: MessageRef[] };
  /** `processQueue is dropped without process consume result` — the listener ran, the offset did not advance. */
  'dropped-without-result': { mq: MessageQueueRef; messages: MessageRef[] };
  /** `send expire msg back. topic=…, msgId=…` (consumeTimeout). */
  'expired-send-back': { topic: string; msgId: string; storeHost: string; queueId: number; queueOffset: number };
  /** The inner logger's `Discarded N messages due to full event buffer`: evidence may be missing. */
  'log-discarded': { count: number };

  // ---- lifecycle (client) ----
  'client-start': {
    role: 'consumer' | 'producer' | 'factory' | 'instance';
    group: string | null;
    clientId: string | null;
    version: string | null;
    messageModel: string | null;
  };
  'client-shutdown': { role: 'consumer' | 'producer' | 'factory'; group: string | null; clientId: string | null };

  // ---- offset reset (client and broker) ----
  'offset-reset': {
    side: 'client' | 'broker';
    phase: 'requested' | 'pushed' | 'suspend' | 'resume' | 'failed' | 'server-side';
    topic: string | null;
    group: string | null;
    timestamp: number | null;
    by: string | null;
    clientId: string | null;
  };

  // ---- producer ----
  'producer-send-failed': {
    invokeId: string | null;
    rtMs: number | null;
    mq: MessageQueueRef | null;
    brokerAddr: string | null;
    retry: 'resend' | 'throw' | 'async-retry';
  };
  /** The `Message{topic=…, properties={… UNIQ_KEY=…}}` line a failed send prints after it. */
  'producer-message': { topic: string; msgId: string | null; keys: string | null };

  // ---- broker: offsets ----
  /** broker.log `[NOTIFYME]update consumer offset less than store`. */
  'offset-regression': {
    clientHost: string;
    topic: string;
    group: string;
    queueId: number;
    requestOffset: number;
    storeOffset: number;
  };
  /** broker pull-path corrections (`over flow badly`, `too small`, `no queue data`, `PULL_OFFSET_MOVED`). */
  'pull-offset-corrected': {
    reason: 'too-small' | 'overflow-badly' | 'no-queue-data' | 'moved' | 'none-correction' | 'reset';
    topic: string | null;
    group: string | null;
    queueId: number | null;
    requestOffset: number | null;
    newOffset: number | null;
    minOffset: number | null;
    maxOffset: number | null;
    client: string | null;
  };
  'offset-commit-rejected': { group: string; topic: string; queueId: number; offset: number };

  // ---- broker: consumer registry ----
  /** channel null: the `all clear` variant names none. */
  'channel-expired': { channel: string | null; group: string };
  'channel-closed': { channel: string | null; clientId: string | null; group: string | null };
  'consumer-registered': { group: string; clientId: string | null; channel: string | null; messageModel: string | null };
  'consumer-unregistered': { group: string; clientId: string | null };

  // ---- broker: lifecycle / HA ----
  'broker-start': { brokerName: string; brokerAddr: string };
  'broker-shutdown': { phase: 'begin' | 'end' };
  'broker-last-shutdown': { abnormal: boolean };
  'broker-recovery': { abnormal: boolean; detail: string };
  'slave-sync': { masterAddr: string | null; ok: boolean };
  'role-change': { role: 'master' | 'slave' | 'unknown'; phase: 'begin' | 'finish' | 'failed'; brokerName: string | null };

  // ---- broker: POP ----
  'pop-revive': { reviveQueueId: number; topic: string | null; group: string | null; queueId: number | null; offset: number | null };
  'pop-ack': { result: 'buffered' | 'stored' | 'failed' | 'skipped' | 'found'; brokerName: string | null; detail: string };
  'pop-ck': { result: 'buffered' | 'stored' | 'done' | 'failed' | 'found'; detail: string };
  'pop-revive-finish': { reviveQueueId: number; oldOffset: number; newOffset: number };

  // ---- snapshots and traces (structured inputs) ----
  /** One `(group, topic, queueId) → offset` of a consumerOffset.json / consumerProgress snapshot. */
  'offset-snapshot': {
    source: 'consumerOffset.json' | 'consumerOffset.json.bak' | 'consumerProgress' | 'brokerConsumeStats';
    group: string | null;
    topic: string;
    brokerName: string | null;
    queueId: number;
    consumerOffset: number;
    brokerOffset: number | null;
    clientIp: string | null;
  };
  /** A consumption of one message (trace SubBefore/SubAfter, a consume-pattern line, an APM span). */
  'trace-delivery': {
    msgId: string;
    group: string | null;
    client: string | null;
    topic: string | null;
    brokerName: string | null;
    queueId: number | null;
    queueOffset: number | null;
    retryTimes: number | null;
    success: boolean | null;
    requestId: string | null;
    costMs: number | null;
    origin: string;
  };
  /** A stored copy / publication of one message (trace Pub, queryMsgById, queryMsgTraceById Pub). */
  'trace-publication': {
    msgId: string;
    offsetMsgId: string | null;
    topic: string | null;
    producerGroup: string | null;
    storeHost: string | null;
    brokerName: string | null;
    queueId: number | null;
    queueOffset: number | null;
    success: boolean | null;
    keys: string | null;
    origin: string;
  };

  /**
   * A recognised line that matters only as context (stats, routine start-up lines, route
   * updates): `what` names the line (the signature's short name), `detail` the salient value.
   */
  'info': { what: string; detail: string | null };
}

export type EventKind = keyof EventFieldMap;

/** How an instant was derived: a fixed offset (`GMT+8`) or a host zone (`Asia/Shanghai`, `--tz`). */
export interface ZoneRule {
  /** `GMT+8`, `UTC`, an IANA name, or `offset` for RFC 3339 times that carry their own. */
  zone: string;
  /** Why: `pattern` (the layout pins the zone), `tz` (--tz / system zone), `tz-for`, `rfc3339`. */
  from: 'pattern' | 'tz' | 'tz-for' | 'rfc3339' | 'epoch';
}

export interface ExceptionInfo {
  /** `org.apache.rocketmq.remoting.exception.RemotingTimeoutException` */
  className: string;
  message: string;
  /** `Caused by:` chain, outermost first. */
  causes: { className: string; message: string }[];
}

export interface EventSource {
  /** The file's path as given in the bundle (archive entries: `bundle.tar.gz!/172.66.6.3/rocketmq_client.log`). */
  file: string;
  /** 1-based line number of the entry's first line. */
  line: number;
  /** Host the file came from (path component or client id), null when unknown. */
  host: string | null;
}

export interface EventBase extends EventSource {
  /** The timestamp exactly as written. */
  timestampText: string;
  /** Epoch milliseconds. */
  instant: number;
  /** `ms` or `s`: broker layouts and 4.3–4.7.1 inner-logger lines only carry seconds. */
  precision: 'ms' | 's';
  zone: ZoneRule;
  /** The entry's first line, as read (control characters are neutralised only when rendered). */
  raw: string;
  /** Exception folded in from the entry's continuation lines, if any. */
  exception: ExceptionInfo | null;
  /** Log level when the layout has one. */
  level: string | null;
  /** Thread name when the layout has one. */
  thread: string | null;
  /** Read order tie-breaker: (file rank, line). Assigned by ingest. */
  seq: number;
}

export type RmqEvent = { [K in EventKind]: EventBase & { kind: K; fields: EventFieldMap[K] } }[EventKind];
export type EventOf<K extends EventKind> = Extract<RmqEvent, { kind: K }>;

export function isKind<K extends EventKind>(e: RmqEvent, kind: K): e is EventOf<K> {
  return e.kind === kind;
}
