import type { Context, Delivery, QueueKey } from '../../correlate/index.js';
import type { EventOf, RmqEvent } from '../../model/events.js';
import type { MessageQueueRef } from '../../model/queue.js';
import { link, missingLogs, MINUTE, queueLabel, uniqueEvents } from '../evidence.js';
import type { ChainLink, Confidence, IncidentDraft, Rule } from '../types.js';

/**
 * A listener returned RECONSUME_LATER, threw, or returned null: the message is sent back
 * (CONSUMER_SEND_MSG_BACK) and delivered again from `%RETRY%<group>` with reconsumeTimes + 1
 * (orderly consumers re-consume it locally after suspendCurrentQueueTimeMillis). By design — but
 * the handler ran more than once, and with consumeMessageBatchMaxSize > 1 the whole batch is sent
 * back, messages that were processed successfully included.
 *
 * Evidence: the failure — `consumeMessage exception: … Msgs: [...]`, `consumeMessage return null`,
 * `consumeMessage Orderly return not OK` (kind consume-failed), or a trace SubAfter with
 * success=false — and the proof that the message came back: a later delivery of the same msgId in
 * the same group with a higher reconsumeTimes / retryTimes (trace SubBefore, another failure
 * line), a failed delivery that is itself a retry (reconsumeTimes > 0), or a failed send-back
 * (`sendMessageBack exception`: the client re-submits it locally).
 *
 * Decision: a failure with none of these proofs yields NO incident. RocketMQ will retry it, but a
 * successful retry logs nothing on the client, so without a trace the bundle does not show the
 * message consumed twice; reporting it would name a re-delivery no line shows.
 *
 * Granularity: one incident per failing consume call, with later failures of the same messages
 * (retry 1 failing again, …) folded into the incident of the call that started the retries.
 * messageIds = every message the failed call(s) sent back — the whole batch, once one message of
 * the call is proven to have come back (the send-back is one code path for the batch).
 */

interface FailedMessage {
  msgId: string;
  reconsumeTimes: number | null;
  topic: string | null;
  brokerName: string | null;
  queueId: number | null;
  queueOffset: number | null;
}

interface FailedCall {
  /** The decisive line: the client's failure line, else the first trace failure. */
  anchor: RmqEvent;
  /** Every line showing this call failed (client line and trace records of the same consumption). */
  events: RmqEvent[];
  group: string;
  host: string | null;
  mq: MessageQueueRef | null;
  reason: 'exception' | 'null' | 'orderly-not-ok' | 'trace';
  messages: FailedMessage[];
  time: number;
}

interface Proof {
  /** Later deliveries per message (the retries), in time order. */
  retries: Map<string, Delivery[]>;
  /** Failed send-backs of this call (the client re-submits the messages locally). */
  sendBackFailed: EventOf<'send-back-failed'>[];
  /** The call consumed a message that was already a retry. */
  alreadyRetry: boolean;
  /** At least one retry is proven by a higher retry count (not only by timing). */
  byCount: boolean;
}

const SYSTEM_TOPIC = /^(?:%RETRY%|%DLQ%|SCHEDULE_TOPIC_XXXX|RMQ_SYS_)/;

export const consumeFailureRetry: Rule = {
  meta: {
    code: 'consume-failure-retry',
    title: 'Consumption failed; the message was sent back and re-delivered by the retry mechanism',
    description:
      'The message listener returned RECONSUME_LATER, returned null or threw. A concurrent consumer sends the consumed messages back to the broker (CONSUMER_SEND_MSG_BACK, delay level 3 + reconsumeTimes) and they are delivered again from the %RETRY%<group> topic with the same msgId (UNIQ_KEY) and reconsumeTimes + 1, up to maxReconsumeTimes (16) before %DLQ%<group>; an orderly consumer re-consumes them locally after suspendCurrentQueueTimeMillis. RECONSUME_LATER itself logs nothing; an exception or a null result logs "consumeMessage exception" / "consumeMessage return null". With consumeMessageBatchMaxSize > 1 the whole batch is sent back, including the messages the listener had already processed successfully. When the send-back RPC fails the client re-submits the messages locally after 5 s (and, since the fallback send may reach the broker anyway, two retry copies can exist).',
    remediation:
      'This is RocketMQ working as designed: make the listener idempotent (record the msgId / business key of every processed message and skip repeats; keep side effects in one transaction with that record) and do not let it throw or return null for errors it can classify. With consumeMessageBatchMaxSize > 1 either consume one message per call or return CONSUME_SUCCESS with ConsumeConcurrentlyContext.setAckIndex(lastSuccessfulIndex) so only the failed tail is sent back. Fix the cause of the failure (the exception in the consume line), and bound the retries with maxReconsumeTimes; watch %DLQ%<group>.',
    references: [
      'catalog §8.1 (ConsumeMessageConcurrentlyService: consumeMessage exception / return null, sendMessageBack exception)',
      'catalog §8.2 (ConsumeMessageOrderlyService: Orderly return not OK)',
      'catalog §19.2 (trace SubBefore retryTimes, SubAfter success)',
      'catalog §21 #16',
      'DOMAIN.md §1 (retry: %RETRY%<group>, reconsumeTimes, DLQ after 16)',
    ],
    byDesign: true,
    priority: 50,
  },
  detect(ctx: Context): IncidentDraft[] {
    const broadcast = broadcastingGroups(ctx);
    const calls = failedCalls(ctx, broadcast);
    if (calls.length === 0) return [];
    const expired = expiredByMsg(ctx);

    // Per call: which of its messages came back, and how that is proven.
    const proofs = calls.map((c) => proveRetry(ctx, c, expired));

    // Calls that share a message (same group) are one retry story: union-find over msgIds.
    const parent = calls.map((_, i) => i);
    const find = (i: number): number => {
      while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
      return i;
    };
    const firstCallOf = new Map<string, number>();
    calls.forEach((c, i) => {
      for (const m of c.messages) {
        const k = `${c.group}|${m.msgId}`;
        const j = firstCallOf.get(k);
        if (j === undefined) firstCallOf.set(k, i);
        else parent[find(i)] = find(j);
      }
    });
    const components = new Map<number, number[]>();
    calls.forEach((_, i) => {
      const r = find(i);
      let l = components.get(r);
      if (!l) components.set(r, (l = []));
      l.push(i);
    });

    const drafts: IncidentDraft[] = [];
    for (const members of components.values()) {
      const proven = members.filter((i) => proofs[i]!.retries.size > 0 || proofs[i]!.sendBackFailed.length > 0 || proofs[i]!.alreadyRetry);
      if (proven.length === 0) continue; // the failure is shown, its re-delivery is not
      const draft = buildDraft(ctx, members.map((i) => calls[i]!), members.map((i) => proofs[i]!));
      if (draft) drafts.push(draft);
    }
    return drafts;
  },
};

function buildDraft(ctx: Context, calls: FailedCall[], proofs: Proof[]): IncidentDraft | null {
  const first = calls[0]!;
  const group = first.group;
  const messages = new Map<string, FailedMessage>();
  for (const c of calls) for (const m of c.messages) if (!messages.has(m.msgId)) messages.set(m.msgId, m);
  // Every later delivery per message, over all calls of the story, in time order.
  const retries = new Map<string, Delivery[]>();
  for (const p of proofs) {
    for (const [id, ds] of p.retries) {
      const l = retries.get(id) ?? [];
      for (const d of ds) if (!l.includes(d)) l.push(d);
      retries.set(id, l.sort((a, b) => a.time - b.time || a.event.seq - b.event.seq));
    }
  }
  const sendBackFailed = proofs.flatMap((p) => p.sendBackFailed);
  const alreadyRetry = proofs.some((p) => p.alreadyRetry);

  const queue = queueOfCall(ctx, first, [...messages.keys()]);
  const chain: ChainLink[] = [];
  const reasonText = (c: FailedCall): string =>
    c.reason === 'exception'
      ? `the listener threw${c.anchor.exception ? ` ${shortClass(c.anchor.exception.className)}` : ''}`
      : c.reason === 'null'
        ? 'the listener returned null (treated as RECONSUME_LATER)'
        : c.reason === 'orderly-not-ok'
          ? 'the orderly listener returned SUSPEND_CURRENT_QUEUE_A_MOMENT (or null/ROLLBACK)'
          : 'the trace records the consumption as failed (SubAfter success=false)';
  for (const c of calls) {
    const ids = c.messages.map((m) => m.msgId);
    const retryNo = Math.max(...c.messages.map((m) => m.reconsumeTimes ?? 0));
    const batch = c.messages.length > 1 ? `a batch of ${c.messages.length} messages (${abbrevIds(ids)})` : `message ${ids[0]}`;
    for (const e of c.events) {
      if (e.kind === 'trace-delivery') continue;
      const back = c.reason === 'orderly-not-ok' ? 're-consumed locally after suspendCurrentQueueTimeMillis' : `sent back to %RETRY%${group}`;
      chain.push(link(e, `${c.host ?? 'a consumer'} consumed ${batch}${retryNo > 0 ? ` (already retry ${retryNo})` : ''}; ${reasonText(c)}, so ${c.messages.length > 1 ? 'the whole batch is' : 'it is'} ${back}`));
    }
    // Trace records of the failed call: one link per consume call (requestId).
    for (const g of byCall(c.events.filter((e): e is EventOf<'trace-delivery'> => e.kind === 'trace-delivery'))) {
      const f = g[0]!.fields;
      const what = g.length > 1 ? `${g.length} messages (${abbrevIds(g.map((e) => e.fields.msgId))}) in one call` : f.msgId;
      chain.push(link(g[0]!, `trace: ${group} started consuming ${what}${f.retryTimes ? ` (retry ${f.retryTimes})` : ''}${f.requestId ? `, requestId ${f.requestId}` : ''}; the consumption failed (SubAfter success=false)`));
    }
  }
  for (const e of sendBackFailed.slice(0, 3)) {
    chain.push(link(e, `the send-back RPC failed: the client re-submits the message${e.fields.messages.length > 1 ? 's' : ''} locally after 5 s with reconsumeTimes + 1 (and the fallback send to %RETRY%${group} may still have stored a copy)`));
  }
  // Per message: its first re-delivery and its last delivery (how the retries ended), one link per consume call.
  const shown = new Map<string, { d: Delivery; ids: string[] }>();
  for (const [id, ds] of retries) {
    for (const d of ds.length > 1 ? [ds[0]!, ds[ds.length - 1]!] : [ds[0]!]) {
      const key = d.event.kind === 'trace-delivery' && d.event.fields.requestId ? `req|${d.event.fields.requestId}` : `seq|${d.event.seq}`;
      const s = shown.get(key);
      if (!s) shown.set(key, { d, ids: [id] });
      else if (!s.ids.includes(id)) s.ids.push(id);
    }
  }
  for (const { d, ids } of [...shown.values()].sort((a, b) => a.d.time - b.d.time).slice(0, 8)) {
    const who = ids.length > 1 ? `${ids.length} messages (${abbrevIds(ids)}) were` : `${ids[0]} was`;
    chain.push(
      link(
        d.event,
        `${who} delivered again to ${group}${d.client ? ` on ${d.client}` : ''}${d.retryTimes !== null ? ` with reconsumeTimes ${d.retryTimes}` : ''}${d.success === true ? ' and consumed successfully' : d.success === false ? ' and failed again' : ''}`,
      ),
    );
  }
  const links = uniqueEvents(chain);
  if (links.length === 0) return null;

  const ids = [...messages.keys()];
  const batchCalls = calls.filter((c) => c.messages.length > 1 && c.reason !== 'trace');
  const maxRetry = Math.max(0, ...[...retries.values()].flat().map((d) => d.retryTimes ?? 0), ...calls.flatMap((c) => c.messages.map((m) => m.reconsumeTimes ?? 0)));
  const orderly = calls.every((c) => c.reason === 'orderly-not-ok');

  const missing: string[] = [];
  const hosts = [...new Set(calls.map((c) => c.host).filter((h): h is string => h !== null))];
  missing.push(...missingLogs(ctx, { clients: hosts }));
  if (!calls.some((c) => c.reason !== 'trace')) {
    missing.push(`no rocketmq_client.log line of ${group} shows the failure itself (consumeMessage exception / return null; RECONSUME_LATER logs nothing): the consumer's application log would show why it failed`);
  }
  const unseen = ids.filter((id) => !retries.has(id));
  if (unseen.length > 0) {
    missing.push(
      `no delivery after the failure is in the bundle for ${unseen.length} of the ${ids.length} message(s) sent back (${abbrevIds(unseen)}): mqadmin queryMsgTraceById -i <msgId> or the RMQ_SYS_TRACE_TOPIC records would show the retry (SubBefore retryTimes > 0)`,
    );
  }
  const firstDeliveryShown = calls.some((c) => c.messages.some((m) => (m.reconsumeTimes ?? 0) === 0));
  if (!firstDeliveryShown) missing.push(`the first (reconsumeTimes 0) delivery of the messages is not in the bundle: the earlier failure is inferred from reconsumeTimes`);

  const confidence: Confidence = proofs.some((p) => p.byCount) && firstDeliveryShown ? 'high' : 'medium';

  const where = queue ? ` (${queueLabel(queue)})` : '';
  const were = ids.length === 1 ? 'was' : 'were';
  const how = orderly
    ? `${were} re-consumed locally by the orderly consumer`
    : `${were} sent back to %RETRY%${group} and re-delivered by the retry mechanism${maxRetry > 0 ? ` (up to reconsumeTimes ${maxRetry})` : ''}`;
  const proofText =
    retries.size > 0 ? '' : sendBackFailed.length > 0 ? ' (the send-back failed and the client re-submitted them locally)' : alreadyRetry ? ' (the failing delivery was itself a retry)' : '';
  const batchText =
    batchCalls.length > 0
      ? ` The failed call consumed a batch of ${Math.max(...batchCalls.map((c) => c.messages.length))} messages (consumeMessageBatchMaxSize > 1): the whole batch was sent back, including messages the listener may already have processed successfully.`
      : '';
  const summary = `${ids.length} message${ids.length === 1 ? '' : 's'} of ${group}${where} failed in the listener (${reasonText(first)}) and ${how}${proofText}: by design, but the handler ran more than once.${batchText}`;

  const offsets = ids.map((id) => messages.get(id)!).filter((m) => queue && m.queueOffset !== null && m.brokerName === queue.brokerName && m.queueId === queue.queueId && (m.topic === null || m.topic === queue.topic || m.topic === baseTopic(queue.topic)));
  const range = queue && !SYSTEM_TOPIC.test(queue.topic) && offsets.length === ids.length ? contiguous(offsets.map((m) => m.queueOffset!)) : null;

  return {
    cause: 'consume-failure-retry',
    confidence,
    queue,
    offsetRange: range,
    redeliveredCount: ids.length,
    window: { start: links[0]!.event.instant, end: links[links.length - 1]!.event.instant },
    summary,
    chain: links,
    missingEvidence: missing,
    messageIds: ids,
    anchor: first.anchor,
    claims: [...calls.flatMap((c) => c.events), ...sendBackFailed],
  };
}

/** Groups that consume in BROADCASTING mode: failures are dropped there, never retried. */
function broadcastingGroups(ctx: Context): Set<string> {
  const out = new Set<string>();
  for (const e of ctx.of('client-start')) if (e.fields.group && e.fields.messageModel === 'BROADCASTING') out.add(e.fields.group);
  return out;
}

function failedCalls(ctx: Context, broadcast: Set<string>): FailedCall[] {
  const calls: FailedCall[] = [];
  const dropHosts = new Set(ctx.of('consume-failed').filter((e) => e.fields.reason === 'broadcast-drop').map((e) => e.host));
  for (const e of ctx.of('consume-failed')) {
    if (e.fields.reason === 'broadcast-drop' || !e.fields.group || broadcast.has(e.fields.group)) continue;
    // A broadcasting consumer logs the same exception line, then drops the message.
    if (dropHosts.has(e.host) && ctx.of('consume-failed').some((d) => d.fields.reason === 'broadcast-drop' && d.host === e.host && Math.abs(d.instant - e.instant) <= 1000)) continue;
    const messages: FailedMessage[] = [];
    for (const m of e.fields.messages) {
      if (!m.msgId || messages.some((x) => x.msgId === m.msgId)) continue;
      messages.push({ msgId: m.msgId, reconsumeTimes: m.reconsumeTimes, topic: m.topic, brokerName: m.brokerName, queueId: m.queueId, queueOffset: m.queueOffset });
    }
    if (messages.length === 0) continue;
    const reason = e.fields.reason === 'orderly-not-ok' || (e.fields.reason === 'exception' && /ConsumeMessageOrderlyService/.test(e.raw)) ? 'orderly-not-ok' : e.fields.reason;
    calls.push({ anchor: e, events: [e], group: e.fields.group, host: e.host, mq: e.fields.mq, reason, messages, time: e.instant });
  }

  // Trace failures (SubAfter success=false): one consume call = one requestId in one group.
  const traceCalls = new Map<string, FailedCall>();
  for (const t of ctx.of('trace-delivery')) {
    if (t.fields.success !== false || !t.fields.group || broadcast.has(t.fields.group)) continue;
    const group = t.fields.group;
    const retryTimes = t.fields.retryTimes;
    // The same consumption may also be logged by the client: attach the trace record to that call.
    const end = t.instant + (t.fields.costMs ?? 0);
    const same = calls.find(
      (c) =>
        c.group === group &&
        c.messages.some((m) => m.msgId === t.fields.msgId && (retryTimes === null || m.reconsumeTimes === null || m.reconsumeTimes === retryTimes)) &&
        c.time >= t.instant - ctx.skewMs &&
        c.time <= end + ctx.skewMs + MINUTE,
    );
    if (same) {
      same.events.push(t);
      continue;
    }
    const key = t.fields.requestId ? `${group}|${t.fields.requestId}` : `${group}|#${t.seq}`;
    let call = traceCalls.get(key);
    if (!call) {
      call = { anchor: t, events: [], group, host: t.fields.client ?? t.host, mq: null, reason: 'trace', messages: [], time: end };
      traceCalls.set(key, call);
    }
    call.events.push(t);
    if (!call.messages.some((m) => m.msgId === t.fields.msgId)) {
      call.messages.push({ msgId: t.fields.msgId, reconsumeTimes: retryTimes, topic: t.fields.topic, brokerName: t.fields.brokerName, queueId: t.fields.queueId, queueOffset: t.fields.queueOffset });
    }
  }
  calls.push(...traceCalls.values());
  return calls.sort((a, b) => a.time - b.time || a.anchor.seq - b.anchor.seq);
}

/** Expire send-backs (consume-timeout) per msgId: a retry they explain is not this rule's. */
function expiredByMsg(ctx: Context): Map<string, EventOf<'expired-send-back'>[]> {
  const out = new Map<string, EventOf<'expired-send-back'>[]>();
  for (const e of ctx.of('expired-send-back')) {
    let l = out.get(e.fields.msgId);
    if (!l) out.set(e.fields.msgId, (l = []));
    l.push(e);
  }
  return out;
}

function proveRetry(ctx: Context, c: FailedCall, expired: Map<string, EventOf<'expired-send-back'>[]>): Proof {
  const retries = new Map<string, Delivery[]>();
  let byCount = false;
  let alreadyRetry = false;
  const own = new Set<RmqEvent>(c.events);
  for (const m of c.messages) {
    const r = m.reconsumeTimes ?? 0;
    if (r > 0) alreadyRetry = true;
    const entry = ctx.ledger.get(m.msgId);
    if (!entry) continue;
    const later: Delivery[] = [];
    for (const d of entry.deliveries) {
      if (own.has(d.event) || d.group !== c.group) continue;
      // A retry comes at least 1 s (orderly) / 10 s (concurrent) after the failure; trace times are consumption starts.
      if (d.time <= c.time - ctx.skewMs) continue;
      const counted = d.retryTimes !== null && d.retryTimes > r;
      const timed = d.retryTimes === null && d.time > c.time + 1000;
      if (!counted && !timed) continue;
      // Explained by a consumeTimeout send-back between the failure and this delivery: consume-timeout's.
      if ((expired.get(m.msgId) ?? []).some((x) => x.instant >= c.time - 60 * MINUTE && x.instant <= d.time + ctx.skewMs)) continue;
      later.push(d);
      if (counted) byCount = true;
    }
    if (later.length > 0) retries.set(m.msgId, later.sort((a, b) => a.time - b.time || a.event.seq - b.event.seq));
  }
  const ids = new Set(c.messages.map((m) => m.msgId));
  const sendBackFailed =
    c.host === null
      ? []
      : ctx
          .of('send-back-failed')
          .filter(
            (e) =>
              e.host === c.host &&
              e.instant >= c.time - 1000 &&
              e.instant <= c.time + 10_000 &&
              (e.fields.group === null || e.fields.group === c.group) &&
              (e.fields.messages.length === 0 ? e.fields.group === c.group : e.fields.messages.some((m) => m.msgId !== null && ids.has(m.msgId))),
          );
  return { retries, sendBackFailed, alreadyRetry, byCount };
}

function queueOfCall(ctx: Context, c: FailedCall, ids: string[]): QueueKey | null {
  if (c.mq) return { group: c.group, topic: c.mq.topic, brokerName: c.mq.brokerName, queueId: c.mq.queueId };
  const m = c.messages.find((x) => x.brokerName !== null && x.queueId !== null && x.topic !== null);
  if (m) return { group: c.group, topic: m.topic!, brokerName: m.brokerName!, queueId: m.queueId! };
  // Trace-only: where the message is stored (trace Pub / queryMsgById).
  for (const id of ids) {
    const copy = ctx.ledger.get(id)?.copies.find((x) => x.brokerName !== null && x.queueId !== null && x.topic !== null && !SYSTEM_TOPIC.test(x.topic));
    if (copy) return { group: c.group, topic: copy.topic!, brokerName: copy.brokerName!, queueId: copy.queueId! };
  }
  return null;
}

/** Trace records grouped by consume call (requestId), in order. */
function byCall(events: EventOf<'trace-delivery'>[]): EventOf<'trace-delivery'>[][] {
  const m = new Map<string, EventOf<'trace-delivery'>[]>();
  for (const e of events) {
    const k = e.fields.requestId ?? `#${e.seq}`;
    let l = m.get(k);
    if (!l) m.set(k, (l = []));
    l.push(e);
  }
  return [...m.values()];
}

function baseTopic(topic: string): string {
  return topic.replace(/^%RETRY%/, '');
}

function contiguous(offsets: number[]): { from: number; to: number } | null {
  if (offsets.length === 0) return null;
  const u = [...new Set(offsets)].sort((a, b) => a - b);
  return u[u.length - 1]! - u[0]! + 1 === u.length ? { from: u[0]!, to: u[u.length - 1]! } : null;
}

function abbrevIds(ids: string[]): string {
  return ids.length <= 3 ? ids.join(', ') : `${ids.slice(0, 3).join(', ')}, … ${ids.length - 3} more`;
}

function shortClass(c: string): string {
  return c.replace(/^.*\./, '');
}
