import type { Context, QueueKey } from '../../correlate/index.js';
import { queueKeyString } from '../../correlate/index.js';
import type { EventOf, RmqEvent } from '../../model/events.js';
import { link, MINUTE, missingLogs, onQueue, persistsOn, queueLabel, uniqueEvents } from '../evidence.js';
import type { ChainLink, IncidentDraft, Rule } from '../types.js';

// ---------------------------------------------------------------------------------------------
// Helpers shared by the three "consumed but not committed" rules (rebalance-uncommitted,
// consumer-restart-uncommitted, slow-message-offset-hold).
// ---------------------------------------------------------------------------------------------

/** A client taking a queue: `add a new mq` and, on 4.x, `add a new pull request … nextOffset=N`. */
export interface Takeover {
  q: QueueKey;
  host: string | null;
  /** Time of the first line of the takeover. */
  time: number;
  /** The start offset the new owner uses (4.x `add a new pull request`), null when not logged. */
  nextOffset: number | null;
  /** The line that names the start offset, else the `add a new mq` line. */
  primary: EventOf<'queue-added'>;
  events: EventOf<'queue-added'>[];
}

/** Every takeover in the bundle, the two lines of one takeover paired (same host, queue, ≤ 2 s). */
export function takeovers(ctx: Context): Takeover[] {
  const out: Takeover[] = [];
  const open = new Map<string, Takeover>();
  for (const e of ctx.of('queue-added')) {
    const q = ctx.queueOf(e);
    if (!q) continue;
    const k = `${e.host ?? '?'}|${queueKeyString(q)}`;
    const prev = open.get(k);
    const pairs =
      prev !== undefined &&
      e.instant - prev.time <= 2000 &&
      prev.events.every((x) => x.fields.step !== e.fields.step);
    if (prev && pairs) {
      prev.events.push(e);
      if (e.fields.nextOffset !== null) {
        prev.nextOffset = e.fields.nextOffset;
        prev.primary = e;
      }
      continue;
    }
    const t: Takeover = { q, host: e.host, time: e.instant, nextOffset: e.fields.nextOffset, primary: e, events: [e] };
    open.set(k, t);
    out.push(t);
  }
  return out;
}

/** One consumption of a message whose position in a queue is known. */
export interface QueueDelivery {
  msgId: string;
  offset: number;
  client: string | null;
  time: number;
  event: RmqEvent;
}

/**
 * Deliveries of messages stored in queue `q`, each with its queue offset: taken from the
 * delivery itself (a dropped-pq line, a consume failure) or, for a trace record that carries no
 * position, from another record of the same message (a stored copy, a dropped-pq line).
 */
const deliveriesCache = new WeakMap<Context, Map<string, QueueDelivery[]>>();

/** `queueDeliveries`, computed once per context and queue (three rules ask for the same queues). */
export function deliveriesOf(ctx: Context, q: QueueKey): QueueDelivery[] {
  let byQueue = deliveriesCache.get(ctx);
  if (!byQueue) deliveriesCache.set(ctx, (byQueue = new Map()));
  const k = queueKeyString(q);
  let l = byQueue.get(k);
  if (!l) byQueue.set(k, (l = queueDeliveries(ctx, q)));
  return l;
}

export function queueDeliveries(ctx: Context, q: QueueKey): QueueDelivery[] {
  const out: QueueDelivery[] = [];
  const stored = storedPositions(ctx);
  for (const entry of ctx.ledger.values()) {
    let pos: number | null = null;
    for (const c of [...entry.copies, ...(stored.get(entry.msgId) ?? [])]) {
      if (c.brokerName === q.brokerName && c.queueId === q.queueId && c.queueOffset !== null && (c.topic === null || c.topic === q.topic)) pos = c.queueOffset;
    }
    for (const d of entry.deliveries) {
      if (pos === null && d.brokerName === q.brokerName && d.queueId === q.queueId && d.queueOffset !== null && (d.topic === null || d.topic === q.topic)) pos = d.queueOffset;
    }
    if (pos === null) continue;
    for (const d of entry.deliveries) {
      if (d.group !== null && d.group !== q.group) continue;
      if (d.queueOffset !== null && d.brokerName !== null && (d.brokerName !== q.brokerName || d.queueId !== q.queueId)) continue;
      out.push({ msgId: entry.msgId, offset: d.queueOffset ?? pos, client: d.client, time: d.time, event: d.event });
    }
  }
  return out.sort((a, b) => a.time - b.time || a.offset - b.offset);
}

interface StoredPosition {
  brokerName: string | null;
  queueId: number | null;
  queueOffset: number | null;
  topic: string | null;
}

const storedCache = new WeakMap<Context, Map<string, StoredPosition[]>>();

/**
 * Stored positions of messages straight from the publication records (trace Pub, mqadmin
 * queryMsgById / queryMsgByUniqueKey). The ledger keeps one copy per offsetMsgId — the first one
 * read — so a position printed by mqadmin can be hidden behind a trace Pub of the same copy
 * that carries none.
 */
function storedPositions(ctx: Context): Map<string, StoredPosition[]> {
  const cached = storedCache.get(ctx);
  if (cached) return cached;
  const m = new Map<string, StoredPosition[]>();
  for (const e of ctx.of('trace-publication')) {
    if (e.fields.queueOffset === null) continue;
    const brokerName = e.fields.brokerName ?? ctx.brokers.nameOfHost(ipOf(e.fields.storeHost));
    let l = m.get(e.fields.msgId);
    if (!l) m.set(e.fields.msgId, (l = []));
    l.push({ brokerName, queueId: e.fields.queueId, queueOffset: e.fields.queueOffset, topic: e.fields.topic });
  }
  storedCache.set(ctx, m);
  return m;
}

/** `172.66.6.3`, `172.66.6.3:52814`, `/172.66.6.3` → `172.66.6.3`. */
export function ipOf(client: string | null): string | null {
  if (!client) return null;
  const m = /(\d{1,3}(?:\.\d{1,3}){3})/.exec(client);
  return m ? m[1]! : client;
}

/** The messages of dropped-process-queue lines that sit in `q` at or above `from`. */
export function droppedMessages(ctx: Context, dropped: readonly EventOf<'dropped-without-result'>[], q: QueueKey, from: number): { msgId: string | null; offset: number; event: RmqEvent }[] {
  const out: { msgId: string | null; offset: number; event: RmqEvent }[] = [];
  for (const e of dropped) {
    for (const m of e.fields.messages) {
      if (m.queueOffset === null || m.queueOffset < from) continue;
      if (m.brokerName !== null && m.brokerName !== q.brokerName) continue;
      if (m.queueId !== null && m.queueId !== q.queueId) continue;
      out.push({ msgId: m.msgId, offset: m.queueOffset, event: e });
    }
  }
  void ctx;
  return out;
}

/** What set off the membership change: a new consumer, an expired or closed channel, a notification. */
export function triggerBefore(ctx: Context, q: QueueKey, t: number, hosts: (string | null)[]): ChainLink[] {
  const from = t - 2 * MINUTE;
  const to = t + ctx.skewMs;
  const out: ChainLink[] = [];
  const reg = ctx.of('consumer-registered').filter((e) => e.fields.group === q.group && e.instant >= from && e.instant <= to);
  const exp = ctx.of('channel-expired').filter((e) => e.fields.group === q.group && e.instant >= from && e.instant <= to);
  const closed = ctx.of('channel-closed').filter((e) => (e.fields.group === null || e.fields.group === q.group) && e.instant >= from && e.instant <= to);
  for (const e of reg.slice(-1)) out.push(link(e, `a consumer ${e.fields.clientId ?? e.fields.channel ?? ''} joined ${q.group} on the broker: the group rebalances`.replace('  ', ' ')));
  for (const e of exp.slice(-1)) out.push(link(e, `the broker expired channel ${e.fields.channel} of ${q.group}: the group rebalances`));
  for (const e of closed.slice(-1)) out.push(link(e, `the broker removed the closed channel of ${e.fields.clientId ?? e.fields.channel ?? 'a consumer'}: the group rebalances`));
  for (const h of hosts) {
    const n = ctx.of('rebalance-notified').filter((e) => e.host === h && e.fields.group === q.group && e.instant >= from && e.instant <= to);
    for (const e of n.slice(-1)) out.push(link(e, `${h} is told that ${q.group} changed and rebalances at once`));
  }
  return out;
}

/** The rebalance result of `host` nearest after `t` (≤ 5 s) — its new assignment. */
export function resultNear(ctx: Context, q: QueueKey, host: string | null, t: number): EventOf<'rebalance-result'> | null {
  return ctx.of('rebalance-result').find((e) => e.host === host && e.fields.group === q.group && e.fields.topic === q.topic && e.instant >= t - 1000 && e.instant <= t + 5000) ?? null;
}

export function offsetPersistsOf(ctx: Context, q: QueueKey, from: number, to: number): EventOf<'offset-persist'>[] {
  return persistsOn(ctx, q, from, to);
}

// ---------------------------------------------------------------------------------------------

/**
 * A queue moved from consumer A to consumer B (scale out/in, a restart elsewhere in the group,
 * a heartbeat expiry) while A had consumed messages whose offset was not committed yet: B starts
 * from the last committed offset and delivers them again.
 */
export const rebalanceUncommitted: Rule = {
  meta: {
    code: 'rebalance-uncommitted',
    title: 'A rebalance moved the queue before the consumed offsets were committed',
    description:
      'The queue was reassigned from one consumer to another (a consumer joined or left the group, a heartbeat expired). The old owner had already run the listener for messages whose offset was not yet committed: offsets are committed asynchronously (every 5 s) and only up to the smallest message still in the process queue, and a process queue dropped by the rebalance discards the results of the listeners still running ("processQueue is dropped without process consume result"). The new owner read the last committed offset from the broker and delivered those messages again.',
    remediation:
      'Expected behaviour of RocketMQ (at-least-once delivery): make the consumer idempotent (deduplicate on the message key or UNIQ_KEY, e.g. a unique constraint or a processed-ids table with a TTL). Reduce the window: scale consumers in quiet periods, shut consumers down gracefully (shutdown persists offsets and unregisters, so the others rebalance at once), keep listener calls short (the results of listeners still running when the queue is dropped are discarded), and keep heartbeats healthy so the broker does not expire a live consumer.',
    references: [
      'catalog §2.3–2.4 (remove unnecessary mq / add a new pull request nextOffset)',
      'catalog §5.1 ([persist] / [persistAll] updateConsumeOffsetToBroker; the commit is the smallest offset in flight)',
      'catalog §8.1 (processQueue is dropped without process consume result)',
      'catalog §21 #1–#3',
      'DOMAIN.md §2 rebalance-uncommitted',
    ],
    byDesign: false,
    priority: 60,
  },
  detect(ctx: Context): IncidentDraft[] {
    const drafts: IncidentDraft[] = [];
    for (const tk of takeovers(ctx)) {
      const q = tk.q;
      const B = tk.host;
      // The previous owner: who removed the queue around the takeover, else who last committed it.
      const removal =
        onQueue(ctx, 'queue-removed', q, tk.time - 2 * MINUTE, tk.time + 2 * MINUTE)
          .filter((e) => e.host !== B && (e.fields.reason === 'rebalance' || e.fields.reason === 'pull-paused'))
          .sort((a, b) => Math.abs(a.instant - tk.time) - Math.abs(b.instant - tk.time))[0] ?? null;
      const before = offsetPersistsOf(ctx, q, tk.time - 10 * MINUTE, tk.time + ctx.skewMs).filter((e) => e.host !== B);
      const A = removal?.host ?? before[before.length - 1]?.host ?? null;
      if (!A) continue;
      const handoverAt = removal ? Math.max(removal.instant, tk.time) : tk.time;
      const commits = before.filter((e) => e.host === A && e.instant <= handoverAt + ctx.skewMs);
      const ownCommits = offsetPersistsOf(ctx, q, tk.time - 10 * MINUTE, handoverAt + ctx.skewMs).filter((e) => e.host === A);
      const lastCommit = ownCommits[ownCommits.length - 1] ?? commits[commits.length - 1] ?? null;
      const N = tk.nextOffset ?? lastCommit?.fields.offset ?? null;
      if (N === null) continue;
      // The new owner started below what A had committed: the broker lost or rewound the offset
      // (offset-regression, broker-offset-loss, …), not this cause.
      if (lastCommit && tk.nextOffset !== null && tk.nextOffset < lastCommit.fields.offset) continue;

      // What A consumed at or above N: listeners whose results the dropped queue discarded, traces.
      const dropped = onQueue(ctx, 'dropped-without-result', q, tk.time - 2 * MINUTE, tk.time + 5 * MINUTE).filter((e) => e.host === A);
      const droppedMsgs = droppedMessages(ctx, dropped, q, N);
      const qd = deliveriesOf(ctx, q);
      const aDeliveries = qd.filter((d) => d.event.kind !== 'dropped-without-result' && ipOf(d.client) === A && d.offset >= N && d.time <= handoverAt + ctx.skewMs && d.time >= tk.time - 10 * MINUTE);
      const consumed = [...droppedMsgs.map((m) => m.offset), ...aDeliveries.map((d) => d.offset)];
      if (consumed.length === 0) continue; // A had committed everything it consumed: a clean handover
      const high = Math.max(...consumed);
      const droppedIds = droppedMsgs.flatMap((m) => (m.msgId ? [m.msgId] : []));

      // The re-delivery: the new owner (or anyone but A) consuming that range after the takeover.
      const again = qd.filter((d) => d.event.kind !== 'dropped-without-result' && ipOf(d.client) !== A && d.offset >= N && d.offset <= high && d.time >= tk.time - ctx.skewMs);
      const progressed = offsetPersistsOf(ctx, q, tk.time, tk.time + 30 * MINUTE).find((e) => e.host === B && e.fields.offset > N) ?? null;

      const chain: ChainLink[] = [...triggerBefore(ctx, q, removal?.instant ?? tk.time, [A, B])];
      const lastAll = ownCommits.filter((e) => e.fields.mode === 'persistAll' && e !== lastCommit).slice(-1);
      for (const e of lastAll) chain.push(link(e, `${A} commits ${queueLabel(q)} at offset ${e.fields.offset} (periodic persist)`));
      if (lastCommit) chain.push(link(lastCommit, `${A}'s last commit of ${q.brokerName}:${q.queueId} before the handover: offset ${lastCommit.fields.offset}${lastCommit.fields.offset <= high ? `, below the offsets up to ${high} it had consumed` : ''}`));
      for (const d of aDeliveries.slice(0, 3)) chain.push(link(d.event, `${A} consumes message ${d.msgId} (offset ${d.offset}) before the handover`));
      if (removal) chain.push(link(removal, `rebalance takes ${q.brokerName}:${q.queueId} away from ${A}; its process queue is dropped`));
      const aResult = removal ? resultNear(ctx, q, A, removal.instant) : null;
      if (aResult) chain.push(link(aResult, `${A}'s new assignment (${aResult.fields.cidAllSize} consumers in the group) no longer includes ${q.brokerName}:${q.queueId}`));
      for (const e of dropped.slice(0, 4)) {
        const offs = droppedMsgs.filter((m) => m.event === e).map((m) => m.offset);
        chain.push(link(e, `the listener on ${A} finished offset${offs.length > 1 ? 's' : ''} ${offs.join(', ') || '?'} after the queue was dropped: the result is discarded and the offset not advanced`));
      }
      for (const e of tk.events) {
        chain.push(link(e, e.fields.nextOffset !== null ? `${B ?? 'the new owner'} takes ${q.brokerName}:${q.queueId} and starts pulling at offset ${e.fields.nextOffset}` : `${B ?? 'the new owner'} takes ${q.brokerName}:${q.queueId}`));
      }
      const bResult = resultNear(ctx, q, B, tk.time);
      if (bResult) chain.push(link(bResult, `${B}'s new assignment includes ${q.brokerName}:${q.queueId}`));
      for (const d of again.slice(0, 4)) chain.push(link(d.event, `message ${d.msgId} (offset ${d.offset}) consumed again by ${ipOf(d.client) ?? 'another consumer'}`));
      if (progressed) chain.push(link(progressed, `${B} commits ${progressed.fields.offset}: the re-delivered range is consumed`));

      const links = uniqueEvents(chain);
      const missing = missingLogs(ctx, { clients: [A, B], brokerNames: [q.brokerName] });
      if (tk.nextOffset === null) missing.push(`${B ?? 'the new owner'}'s start offset is inferred from ${A}'s last commit: 5.x clients do not log the pull request's nextOffset`);
      if (again.length === 0 && !progressed) missing.push(`no line shows ${B ?? 'the new owner'} consuming offsets ${N}–${high} again (a message trace or its [persistAll] lines would)`);
      if (!removal) missing.push(`no "remove unnecessary mq" line from ${A}: the handover is inferred from its commits`);
      const complete = removal !== null && lastCommit !== null && tk.nextOffset !== null && (again.length > 0 || progressed !== null);
      const count = high - N + 1;
      const messageIds = [...new Set([...droppedIds, ...aDeliveries.map((d) => d.msgId), ...again.map((d) => d.msgId)])];
      drafts.push({
        cause: 'rebalance-uncommitted',
        confidence: complete ? 'high' : 'medium',
        queue: q,
        offsetRange: { from: N, to: high },
        redeliveredCount: count,
        window: { start: links[0]!.event.instant, end: links[links.length - 1]!.event.instant },
        summary: `${count} message${count > 1 ? 's' : ''} (offsets ${N}–${high} of ${q.brokerName} queue ${q.queueId}) consumed by ${A} were delivered again to ${B ?? 'the new owner'}: a rebalance moved the queue while ${A} had committed only up to ${lastCommit?.fields.offset ?? N}${dropped.length > 0 ? ' and its dropped process queue discarded the results of the listeners still running' : ''}.`,
        chain: links,
        missingEvidence: missing,
        messageIds,
        anchor: dropped[0] ?? tk.primary,
        claims: [...tk.events, ...dropped, ...(removal ? [removal] : [])],
      });
    }
    return drafts;
  },
};
