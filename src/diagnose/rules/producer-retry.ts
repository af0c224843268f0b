import type { Context, Delivery, QueueKey, StoredCopy } from '../../correlate/index.js';
import type { EventOf, RmqEvent } from '../../model/events.js';
import { hostOfAddr, producerIpOfMsgId } from '../../model/queue.js';
import { link, MINUTE, uniqueEvents } from '../evidence.js';
import type { ChainLink, Confidence, IncidentDraft, Rule } from '../types.js';

/**
 * A send timed out although the broker stored the message; the producer retried (another queue or
 * broker) and stored it again: two stored copies with one UNIQ_KEY (client msgId), each consumed.
 *
 * Evidence, per message:
 * - producer rocketmq_client.log: `sendKernelImpl exception, resend at once, InvokeID: …, RT: 3001ms,
 *   Broker: MessageQueue […]` (+ stack) followed by `Message{topic=…, properties={… UNIQ_KEY=…}}`
 *   (kind producer-message) — or `async send msg by retry …`;
 * - `receive response, but not matched any request, <broker>` (late-response): the timed-out request
 *   was executed by the broker;
 * - the stored copies (ledger): `mqadmin queryMsgByUniqueKey -a` / queryMsgById output or trace Pub
 *   records with two different offsetMsgIds / queues (retry-topic copies of a consume retry are not
 *   counted); store.log `[NOTIFYME]putMessage in lock cost time` naming a copy explains the timeout;
 * - the consumptions of both copies (the ledger's deliveries, retryTimes 0).
 *
 * Proof required: two stored copies; or, when no copy listing is in the bundle, the resend line for
 * the message + a late response from the broker of the failed attempt + two first-time deliveries in
 * one group. A resend whose message is listed with one stored copy only (the first attempt was not
 * stored) is no producer-side duplicate. Blast radius = the messages with more than one stored copy.
 * One incident per producer host, first-attempt queue and episode (failed sends ≤ 5 min apart).
 */

const SYSTEM_TOPIC = /^(?:%RETRY%|%DLQ%|SCHEDULE_TOPIC_XXXX|RMQ_SYS_|rmq_sys_)/;
const EPISODE_GAP_MS = 5 * MINUTE;

interface Finding {
  msgId: string;
  failed: EventOf<'producer-send-failed'> | null;
  message: EventOf<'producer-message'> | null;
  late: EventOf<'late-response'> | null;
  copies: StoredCopy[];
  slowWrites: EventOf<'info'>[];
  /** Consumer group → first-time deliveries (retryTimes 0 / unknown). */
  consumed: Map<string, Delivery[]>;
  producerHost: string | null;
  /** The queue of the first (timed-out) attempt. */
  first: { topic: string; brokerName: string; queueId: number } | null;
  time: number;
}

export const producerRetry: Rule = {
  meta: {
    code: 'producer-retry',
    title: 'Producer retried a send the broker had already stored: two stored copies of one message',
    description:
      'A send attempt timed out on the producer (or failed with a retriable status) although the broker had written the message; the producer retried at once, usually on another queue or broker (SYNC: retryTimesWhenSendFailed within one sendMsgTimeout budget; ASYNC: retryTimesWhenSendAsyncFailed, timeouts included). Every attempt carries the same UNIQ_KEY (client msgId), so the topic now holds two stored copies with one msgId and different offsetMsgIds; every consumer group consumes both. RocketMQ does not de-duplicate on the broker. The late "receive response, but not matched any request" line is the broker answering the attempt the producer had given up on. FLUSH_DISK_TIMEOUT / FLUSH_SLAVE_TIMEOUT / SLAVE_NOT_AVAILABLE with retryAnotherBrokerWhenNotStoreOK=true retry silently and produce the same two copies without any producer line; an application that catches the send exception and re-sends the same Message object (the UNIQ_KEY is kept) does the same.',
    remediation:
      'Make consumers idempotent on the msgId (UNIQ_KEY) or a business key: both copies carry the same UNIQ_KEY, so a processed-id table catches this duplicate. Find why the broker answered late (store.log "[NOTIFYME]putMessage in lock cost time", page-cache / disk stalls, GC, SYSTEM_BUSY, network) and fix it; give sends a realistic sendMsgTimeout; for exactly-once needs use transactional messages or a producer-side outbox. Confirm suspected cases with mqadmin queryMsgByUniqueKey -t <topic> -i <msgId> -a (every stored copy).',
    references: [
      'catalog §9.2 (sendKernelImpl exception, resend at once; async send msg by retry)',
      'catalog §7.3 (receive response, but not matched any request)',
      'catalog §16 (producer-side duplicates on the broker; putMessage in lock cost time)',
      'catalog §19.4 (queryMsgByUniqueKey -a)',
      'catalog §20 (UNIQ_KEY vs offsetMsgId)',
      'catalog §21 #12',
    ],
    byDesign: false,
    priority: 50,
  },
  detect(ctx: Context): IncidentDraft[] {
    const findings = collect(ctx);
    if (findings.length === 0) return [];

    // Episodes: one producer host, one first-attempt queue, failed sends ≤ 5 min apart.
    findings.sort((a, b) => a.time - b.time);
    const episodes: Finding[][] = [];
    const open = new Map<string, Finding[]>();
    for (const f of findings) {
      const k = `${f.producerHost ?? '?'}|${f.first ? `${f.first.topic}|${f.first.brokerName}|${f.first.queueId}` : '?'}`;
      const cur = open.get(k);
      if (cur && f.time - cur[cur.length - 1]!.time <= EPISODE_GAP_MS) cur.push(f);
      else {
        const e = [f];
        open.set(k, e);
        episodes.push(e);
      }
    }
    return episodes.map((e) => draftOf(ctx, e));
  },
};

function collect(ctx: Context): Finding[] {
  // The Message{…} line each failed attempt prints next (same file, before the next attempt line).
  const messageOf = new Map<RmqEvent, EventOf<'producer-message'>>();
  const byFile = new Map<string, RmqEvent[]>();
  for (const e of [...ctx.of('producer-send-failed'), ...ctx.of('producer-message')]) {
    let l = byFile.get(e.file);
    if (!l) byFile.set(e.file, (l = []));
    l.push(e);
  }
  for (const list of byFile.values()) {
    list.sort((a, b) => a.seq - b.seq);
    for (let i = 0; i + 1 < list.length; i++) {
      const a = list[i]!;
      const b = list[i + 1]!;
      if (a.kind === 'producer-send-failed' && b.kind === 'producer-message' && b.instant - a.instant <= 1000) messageOf.set(a, b);
    }
  }
  const failedById = new Map<string, EventOf<'producer-send-failed'>[]>();
  const anonymous: EventOf<'producer-send-failed'>[] = [];
  for (const f of ctx.of('producer-send-failed')) {
    if (f.fields.retry === 'throw') continue; // interrupted: no retry
    const m = messageOf.get(f);
    if (m?.fields.msgId) {
      const l = failedById.get(m.fields.msgId) ?? [];
      l.push(f);
      failedById.set(m.fields.msgId, l);
    } else anonymous.push(f);
  }

  const candidates = new Set<string>(failedById.keys());
  for (const entry of ctx.ledger.values()) if (distinctCopies(entry.copies).length >= 2) candidates.add(entry.msgId);

  const slowWrites = ctx.of('info').filter((e) => e.fields.what === 'put-message-in-lock-slow');
  const out: Finding[] = [];
  for (const msgId of candidates) {
    const entry = ctx.ledger.get(msgId);
    const copies = distinctCopies(entry?.copies ?? []);
    let failed = failedById.get(msgId)?.[0] ?? null;
    // 5.3+ prints the Message line only at DEBUG: match an anonymous resend by the copy on its queue.
    if (!failed && copies.length >= 2) {
      failed =
        anonymous.find((f) =>
          copies.some(
            (c) =>
              f.fields.mq !== null &&
              c.brokerName === f.fields.mq.brokerName &&
              (c.queueId === null || c.queueId === f.fields.mq.queueId) &&
              c.event.instant >= f.instant - (f.fields.rtMs ?? 3000) - 5000 &&
              c.event.instant <= f.instant + 5000,
          ),
        ) ?? null;
    }
    const message = failed ? (messageOf.get(failed) ?? null) : null;
    const brokerAddr = failed ? (failed.fields.brokerAddr ?? (failed.fields.mq ? ctx.brokers.addrOf(failed.fields.mq.brokerName) : null)) : null;
    const late =
      failed && brokerAddr
        ? (ctx
            .of('late-response')
            .find((l) => l.host === failed!.host && l.fields.remote !== null && hostOfAddr(l.fields.remote) === hostOfAddr(brokerAddr) && l.instant >= failed!.instant - 1000 && l.instant <= failed!.instant + 30_000) ?? null)
        : null;
    const consumed = new Map<string, Delivery[]>();
    for (const d of entry?.deliveries ?? []) {
      if (!d.group || (d.retryTimes !== null && d.retryTimes > 0)) continue;
      const l = consumed.get(d.group) ?? [];
      l.push(d);
      consumed.set(d.group, l);
    }
    const twiceConsumed = [...consumed.values()].some((l) => l.length >= 2);
    // An exhaustive copy listing (the broker index) with one copy: the first attempt was not stored.
    const listed = copies.some((c) => c.event.kind === 'trace-publication' && c.event.fields.origin === 'mqadmin-msg');
    const proven = copies.length >= 2 || (copies.length < 2 && !listed && failed !== null && late !== null && twiceConsumed);
    if (!proven) continue;

    const firstCopy = failed?.fields.mq
      ? (copies.find((c) => c.brokerName === failed!.fields.mq!.brokerName && (c.queueId === null || c.queueId === failed!.fields.mq!.queueId)) ?? null)
      : ([...copies].sort((a, b) => a.event.instant - b.event.instant)[0] ?? null);
    const first = failed?.fields.mq
      ? { topic: failed.fields.mq.topic, brokerName: failed.fields.mq.brokerName, queueId: failed.fields.mq.queueId }
      : firstCopy && firstCopy.brokerName && firstCopy.queueId !== null && firstCopy.topic
        ? { topic: firstCopy.topic, brokerName: firstCopy.brokerName, queueId: firstCopy.queueId }
        : null;
    const offsetIds = new Set(copies.map((c) => c.offsetMsgId).filter((x): x is string => x !== null));
    out.push({
      msgId,
      failed,
      message,
      late,
      copies,
      slowWrites: slowWrites.filter((w) => [...offsetIds].some((id) => w.raw.includes(`msgId='${id}'`))),
      consumed,
      producerHost: failed?.host ?? producerIpOfMsgId(msgId),
      first,
      time: failed?.instant ?? firstCopy?.event.instant ?? copies[0]?.event.instant ?? 0,
    });
  }
  return out;
}

/** Stored copies in the message's own topic (retry / DLQ / schedule copies are a consumer's), one per offsetMsgId. */
function distinctCopies(copies: StoredCopy[]): StoredCopy[] {
  const out: StoredCopy[] = [];
  for (const c of copies) {
    if (c.topic !== null && SYSTEM_TOPIC.test(c.topic)) continue;
    // A record that does not say where it is stored (queryMsgTraceById Pub row) cannot be told apart.
    if (c.offsetMsgId === null && (c.queueOffset === null || (c.brokerName === null && c.storeHost === null))) continue;
    const same = out.find((o) =>
      o.offsetMsgId && c.offsetMsgId ? o.offsetMsgId === c.offsetMsgId : o.brokerName === c.brokerName && o.queueId === c.queueId && o.queueOffset === c.queueOffset,
    );
    if (same) {
      // Keep the richer record (queue and offset known).
      if (same.queueOffset === null && c.queueOffset !== null) out[out.indexOf(same)] = c;
      continue;
    }
    out.push(c);
  }
  return out;
}

function draftOf(ctx: Context, fs: Finding[]): IncidentDraft {
  const head = fs[0]!;
  // The consumer group that consumed the copies (most deliveries first).
  // Ties go to a group whose consumers' logs are in the bundle.
  const groups = new Map<string, number>();
  const logged = new Set<string>();
  for (const f of fs) {
    for (const [g, ds] of f.consumed) {
      groups.set(g, (groups.get(g) ?? 0) + ds.length);
      if (ds.some((d) => d.client !== null && ctx.hosts.clients.has(d.client))) logged.add(g);
    }
  }
  const rank = (g: string): number => (logged.has(g) ? 1 : 0);
  const group = [...groups.entries()].sort((a, b) => b[1] - a[1] || rank(b[0]) - rank(a[0]) || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? null;
  const queue: QueueKey | null = group && head.first ? { group, ...head.first } : null;

  const chain: ChainLink[] = [];
  for (const f of fs.slice(0, 5)) {
    const id = f.msgId;
    if (f.failed) {
      const rt = f.failed.fields.rtMs !== null ? ` after ${f.failed.fields.rtMs} ms` : '';
      const where = f.failed.fields.mq ? `${f.failed.fields.mq.brokerName} queue ${f.failed.fields.mq.queueId}` : (f.failed.fields.brokerAddr ?? 'the broker');
      chain.push(link(f.failed, `the send attempt to ${where} failed${rt}${f.failed.exception ? ` (${shortClass(f.failed.exception.className)})` : ''}; the producer ${f.failed.fields.retry === 'async-retry' ? 'retries the async send' : 'resends at once'}`));
    }
    if (f.message) chain.push(link(f.message, `the failed attempt carried UNIQ_KEY ${id}: the retry reuses it`));
    for (const w of f.slowWrites.slice(0, 1)) chain.push(link(w, `the broker held the commit-log lock for ${w.fields.detail ?? 'a long time'} writing a copy of ${id}: the write succeeded, the answer came late`));
    if (f.late) chain.push(link(f.late, `${f.late.fields.remote ?? 'the broker'} answered after the producer had given up: the timed-out attempt was stored`));
    const copies = [...f.copies].sort((a, b) => a.event.instant - b.event.instant);
    copies.forEach((c, i) => {
      const where = `${c.brokerName ?? c.storeHost ?? '?'}${c.queueId !== null ? ` queue ${c.queueId}` : ''}${c.queueOffset !== null ? ` offset ${c.queueOffset}` : ''}`;
      chain.push(link(c.event, `${i === 0 ? 'stored copy' : 'another stored copy'} of ${id} on ${where}${c.offsetMsgId ? ` (offsetMsgId ${c.offsetMsgId})` : ''}`));
    });
    for (const [g, ds] of f.consumed) {
      if (ds.length < 2) continue;
      for (const d of ds.slice(0, 2)) chain.push(link(d.event, `${g} consumed a copy of ${id}${d.client ? ` on ${d.client}` : ''}`));
    }
  }
  const links = uniqueEvents(chain);

  const ids = fs.map((f) => f.msgId);
  const twice = fs.every((f) => f.copies.length >= 2);
  const sent = fs.every((f) => f.failed !== null);
  const late = fs.some((f) => f.late !== null);
  const consumedTwice = fs.some((f) => [...f.consumed.values()].some((l) => l.length >= 2));
  const confidence: Confidence = sent && twice && (late || fs.some((f) => f.slowWrites.length > 0)) && consumedTwice ? 'high' : (sent && twice) || (sent && late && consumedTwice) ? 'medium' : 'low';

  const missing: string[] = [];
  const producer = head.producerHost;
  if (!sent) {
    const hasLog = producer !== null && (ctx.events.some((e) => e.host === producer) || ctx.persists.ofHost(producer).length > 0 || ctx.cold.ofHost(producer).length > 0);
    missing.push(
      hasLog
        ? `no "sendKernelImpl exception, resend at once" line for ${fs.filter((f) => !f.failed).length} of the messages in the producer's rocketmq_client.log: the retry was silent (FLUSH_*_TIMEOUT / SLAVE_NOT_AVAILABLE with retryAnotherBrokerWhenNotStoreOK, 5.3+ DEBUG-only message line) or the application re-sent the same Message`
        : `no rocketmq_client.log from the producer ${producer ?? '(unknown host)'}${producer && producerIpOfMsgId(head.msgId) === producer ? ' (decoded from the msgId)' : ''}: its "sendKernelImpl exception, resend at once" lines would show the retried send`,
    );
  }
  if (!twice) missing.push(`the stored copies are not listed: mqadmin queryMsgByUniqueKey -t ${head.first?.topic ?? '<topic>'} -i ${head.msgId} -a would show both (different offsetMsgIds / queues)`);
  if (sent && !late) missing.push(`no "receive response, but not matched any request" line on ${producer ?? 'the producer'}: the storing of the timed-out attempt is shown only by the copy listing`);
  if (!consumedTwice) missing.push(`no delivery of both copies is in the bundle: a message trace (queryMsgTraceById) or the consumers' logs would show each copy consumed`);

  const copiesTotal = fs.reduce((n, f) => n + Math.max(f.copies.length, 2), 0);
  const firstQ = head.first ? `${head.first.brokerName} queue ${head.first.queueId}` : 'the broker';
  const offsets = fs
    .map((f) => f.copies.find((c) => head.first && c.brokerName === head.first.brokerName && c.queueId === head.first.queueId && c.queueOffset !== null)?.queueOffset ?? null)
    .filter((o): o is number => o !== null);
  const range = offsets.length === fs.length && offsets.length > 0 ? contiguous(offsets) : null;
  const n = ids.length;
  return {
    cause: 'producer-retry',
    confidence,
    queue,
    offsetRange: range,
    redeliveredCount: n,
    window: { start: links[0]!.event.instant, end: links[links.length - 1]!.event.instant },
    summary: `${n === 1 ? `message ${ids[0]} was` : `${n} messages were`} stored twice (${copiesTotal} copies, one UNIQ_KEY each) because ${producer ?? 'the producer'} ${sent ? `timed out on ${firstQ} and resent although the broker had stored the first attempt` : 'retried a send the broker had stored'}${group ? `; ${group} consumed both copies` : ''}.`,
    chain: links,
    missingEvidence: missing,
    messageIds: ids,
    anchor: head.failed ?? head.copies[0]!.event,
    claims: fs.flatMap((f) => [...(f.failed ? [f.failed] : []), ...(f.message ? [f.message] : []), ...(f.late ? [f.late] : []), ...f.copies.map((c) => c.event)]),
  };
}

function contiguous(offsets: number[]): { from: number; to: number } | null {
  const u = [...new Set(offsets)].sort((a, b) => a - b);
  return u[u.length - 1]! - u[0]! + 1 === u.length ? { from: u[0]!, to: u[u.length - 1]! } : null;
}

function shortClass(c: string): string {
  return c.replace(/^.*\./, '');
}
