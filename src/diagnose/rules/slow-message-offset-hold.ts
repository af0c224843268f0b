import type { Context, QueueKey } from '../../correlate/index.js';
import { queueKeyString } from '../../correlate/index.js';
import type { EventOf, RmqEvent } from '../../model/events.js';
import type { PersistSeries } from '../../model/persists.js';
import { link, MINUTE, missingLogs, onQueue, uniqueEvents } from '../evidence.js';
import type { ChainLink, IncidentDraft, Rule } from '../types.js';
import { droppedMessages, ipOf, deliveriesOf, offsetPersistsOf, resultNear, takeovers, triggerBefore } from './rebalance-uncommitted.js';

/** A commit that stays at one value for at least this long, while the queue moves, is pinned. */
const PINNED_MS = 60_000;

interface PinnedRun {
  q: QueueKey;
  host: string;
  offset: number;
  /** The run's first and last commit. */
  first: EventOf<'offset-persist'>;
  last: EventOf<'offset-persist'>;
}

/**
 * Runs of one client's commits of one queue that keep the same value for ≥ PINNED_MS, for the
 * (host, queue) pairs `worth` accepts (an idle queue repeats its commit too: only a queue whose
 * consumption shows up elsewhere can have been pinned by a slow message).
 */
function pinnedRuns(ctx: Context, worth: (host: string, q: QueueKey) => boolean): PinnedRun[] {
  const byHostQueue = new Map<string, { q: QueueKey; host: string; series: PersistSeries[] }>();
  for (const s of ctx.persists.series) {
    const h = s.head;
    if (!h.host) continue;
    const q: QueueKey = { group: h.group, topic: h.mq.topic, brokerName: h.mq.brokerName, queueId: h.mq.queueId };
    const k = `${h.host}|${queueKeyString(q)}`;
    let g = byHostQueue.get(k);
    if (!g) byHostQueue.set(k, (g = { q, host: h.host, series: [] }));
    g.series.push(s);
  }
  const out: PinnedRun[] = [];
  for (const { q, host, series } of byHostQueue.values()) {
    if (!worth(host, q)) continue;
    const rows = inTimeOrder(series);
    const n = rows.instant.length;
    let i = 0;
    while (i < n) {
      let j = i;
      while (j + 1 < n && rows.offset[j + 1] === rows.offset[i]) j++;
      if (rows.instant[j]! - rows.instant[i]! >= PINNED_MS) {
        out.push({ q, host, offset: rows.offset[i]!, first: series[rows.series[i]!]!.at(rows.index[i]!), last: series[rows.series[j]!]!.at(rows.index[j]!) });
      }
      i = j + 1;
    }
  }
  return out;
}

/** The rows of some series, in time order (instant, then read order), as columns. */
function inTimeOrder(series: readonly PersistSeries[]): { instant: Float64Array; offset: Float64Array; series: Uint32Array; index: Uint32Array } {
  let n = 0;
  for (const s of series) n += s.count;
  const instant = new Float64Array(n);
  const seq = new Float64Array(n);
  const offset = new Float64Array(n);
  const which = new Uint32Array(n);
  const index = new Uint32Array(n);
  let k = 0;
  series.forEach((s, si) => {
    s.scan(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, (r) => {
      instant[k] = r.instant;
      seq[k] = r.seq;
      offset[k] = r.offset;
      which[k] = si;
      index[k] = r.index;
      k++;
    });
  });
  let sorted = true;
  for (let i = 1; i < k && sorted; i++) if (instant[i - 1]! > instant[i]! || (instant[i - 1] === instant[i] && seq[i - 1]! > seq[i]!)) sorted = false;
  if (sorted) return { instant: instant.subarray(0, k), offset: offset.subarray(0, k), series: which.subarray(0, k), index: index.subarray(0, k) };
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => instant[a]! - instant[b]! || seq[a]! - seq[b]!);
  return {
    instant: Float64Array.from(order, (i) => instant[i]!),
    offset: Float64Array.from(order, (i) => offset[i]!),
    series: Uint32Array.from(order, (i) => which[i]!),
    index: Uint32Array.from(order, (i) => index[i]!),
  };
}

function minutes(ms: number): string {
  const m = Math.round(ms / MINUTE);
  return m >= 1 ? `${m} min` : `${Math.round(ms / 1000)} s`;
}

/**
 * One message stuck in the listener pins the committed offset (the commit is the smallest offset
 * still in the process queue) while the messages after it are consumed; when a rebalance or a
 * restart hands the queue over, the new owner starts from the pinned offset and the whole window
 * is consumed again.
 */
export const slowMessageOffsetHold: Rule = {
  meta: {
    code: 'slow-message-offset-hold',
    title: 'A slow message pinned the committed offset; the handover re-delivered the whole window',
    description:
      'A concurrently-consuming client commits the smallest offset still in its process queue. One message that stayed in the listener for minutes held the commit at its offset (the same [persistAll] value every 5 s) while the messages after it were consumed — "the queue\'s messages, span too long, so do flow control, minOffset=<pinned>" shows the gap (it is checked after the cached-count threshold, so the messages behind the stuck one had been consumed). When a rebalance or a restart moved the queue, the new owner started from the pinned offset and consumed everything after it again.',
    remediation:
      'Bound the listener\'s work: timeouts on every remote call inside it, no unbounded waits or locks; lower consumeTimeout if needed so a stuck message is sent back instead of pinning the queue; alert on the "span too long, so do flow control" warning and on a [persistAll] value that stops moving while the queue has lag; avoid scaling or restarting consumers while a queue is pinned; make consumers idempotent (deduplicate on the message key / UNIQ_KEY) — the blast radius is the whole window, up to consumeConcurrentlyMaxSpan (2000) messages per queue.',
    references: [
      'catalog §5.1 (the committed offset is the smallest offset in the ProcessQueue; a slow message pins it)',
      'catalog §4.2 (the queue\'s messages, span too long, so do flow control)',
      'catalog §2.3–2.4, §8.1 (handover and the dropped process queue)',
      'DOMAIN.md §1, §2 slow-message-offset-hold',
    ],
    byDesign: false,
    priority: 70,
  },
  detect(ctx: Context): IncidentDraft[] {
    const drafts: IncidentDraft[] = [];
    const allTakeovers = takeovers(ctx);
    // A run counts only with a span flow-control line of its host and queue, or a delivery of the
    // queue to its host (checked per run below): pairs with neither are not read at all.
    const spanned = new Set<string>();
    for (const e of ctx.of('flow-control')) {
      if (e.host && e.fields.reason === 'span' && e.fields.mq) spanned.add(`${e.host}|${e.fields.mq.topic}|${e.fields.mq.brokerName}|${e.fields.mq.queueId}`);
    }
    const worth = (host: string, q: QueueKey): boolean =>
      spanned.has(`${host}|${q.topic}|${q.brokerName}|${q.queueId}`) || deliveriesOf(ctx, q).some((d) => d.event.kind !== 'dropped-without-result' && ipOf(d.client) === host);
    for (const run of pinnedRuns(ctx, worth)) {
      const { q, host: A, offset: P, first, last: lastP } = run;
      // Consumption advanced past the pinned offset: span flow control with minOffset = P, or traces.
      const spans = ctx
        .of('flow-control')
        .filter(
          (e) =>
            e.host === A &&
            e.fields.reason === 'span' &&
            e.fields.mq !== null &&
            e.fields.mq.topic === q.topic &&
            e.fields.mq.brokerName === q.brokerName &&
            e.fields.mq.queueId === q.queueId &&
            e.fields.minOffset === P &&
            e.fields.maxOffset !== null &&
            e.fields.maxOffset > P &&
            e.instant >= first.instant - 5 * MINUTE &&
            e.instant <= lastP.instant + 10_000,
        );
      const qd = deliveriesOf(ctx, q);
      const ahead = qd.filter((d) => d.event.kind !== 'dropped-without-result' && ipOf(d.client) === A && d.offset > P && d.time >= first.instant - 5 * MINUTE && d.time <= lastP.instant + 10_000);
      if (spans.length === 0 && ahead.length === 0) continue; // an idle queue also repeats its commit
      // The handover: someone (or the same host after a restart) takes the queue from the pinned offset.
      const tk = allTakeovers.find((t) => queueKeyString(t.q) === queueKeyString(q) && t.time >= first.instant && t.time <= lastP.instant + 2 * MINUTE && (t.nextOffset === null || t.nextOffset === P)) ?? null;
      if (!tk) continue; // still pinned, or the slow message finished first: no re-delivery
      const high = Math.max(...spans.map((e) => e.fields.maxOffset ?? P), ...ahead.map((d) => d.offset));
      const removal = onQueue(ctx, 'queue-removed', q, tk.time - 2 * MINUTE, tk.time + 2 * MINUTE).find((e) => e.host === A) ?? null;
      const restart = ctx.of('client-start').find((e) => e.host === A && e.fields.role === 'consumer' && e.instant >= lastP.instant && e.instant <= tk.time + ctx.skewMs) ?? null;
      const dropped = onQueue(ctx, 'dropped-without-result', q, first.instant, tk.time + 30 * MINUTE).filter((e) => e.host === A);
      const slow = droppedMessages(ctx, dropped, q, P).filter((m) => m.offset === P);
      const slowTrace = qd.find((d) => d.event.kind !== 'dropped-without-result' && ipOf(d.client) === A && d.offset === P && d.time <= first.instant + ctx.skewMs) ?? null;
      const newOwner = tk.host;
      const again = qd.filter((d) => d.event.kind !== 'dropped-without-result' && d.offset >= P && d.offset <= high && d.time >= tk.time - ctx.skewMs && (ipOf(d.client) !== A || newOwner === A));
      const progressed = offsetPersistsOf(ctx, q, tk.time, tk.time + 30 * MINUTE).filter((e) => e.host === newOwner && e.fields.offset > P);
      const passed = progressed.find((e) => e.fields.offset > high) ?? progressed[0] ?? null;

      const pinnedFor = lastP.instant - first.instant;
      const chain: ChainLink[] = [];
      if (slowTrace) chain.push(link(slowTrace.event, `${A} starts consuming message ${slowTrace.msgId} (offset ${P}); it stays in the listener`));
      chain.push(link(first, `${A} commits ${q.brokerName}:${q.queueId} at ${P}`));
      for (const e of spans.slice(0, 1)) chain.push(link(e, `flow control: the process queue spans ${P}–${e.fields.maxOffset}; the messages after ${P} are consumed but the commit cannot pass the one at ${P}`));
      for (const d of ahead.slice(0, 2)) chain.push(link(d.event, `${A} consumes message ${d.msgId} (offset ${d.offset}) while the commit stays at ${P}`));
      for (const e of spans.slice(1).slice(-1)) chain.push(link(e, `still pinned: span ${P}–${e.fields.maxOffset} (flowControlTimes shows the pulls refused meanwhile)`));
      chain.push(link(lastP, `${A} still commits ${P}, ${minutes(pinnedFor)} after the first time`));
      chain.push(...triggerBefore(ctx, q, removal?.instant ?? tk.time, [A, newOwner]));
      if (restart) chain.push(link(restart, `the consumer on ${A} restarts`));
      if (removal) chain.push(link(removal, `rebalance takes ${q.brokerName}:${q.queueId} away from ${A}, whose commit is still ${P}`));
      for (const e of tk.events) {
        chain.push(link(e, e.fields.nextOffset !== null ? `${newOwner ?? 'the new owner'} takes ${q.brokerName}:${q.queueId} and starts at the pinned offset ${e.fields.nextOffset}` : `${newOwner ?? 'the new owner'} takes ${q.brokerName}:${q.queueId}`));
      }
      const r = resultNear(ctx, q, newOwner, tk.time);
      if (r) chain.push(link(r, `${newOwner}'s new assignment includes ${q.brokerName}:${q.queueId}`));
      for (const d of again.slice(0, 3)) chain.push(link(d.event, `message ${d.msgId} (offset ${d.offset}) consumed again by ${ipOf(d.client) ?? 'the new owner'}`));
      for (const m of slow.slice(0, 1)) chain.push(link(m.event, `the slow message at offset ${P}${m.msgId ? ` (${m.msgId})` : ''} finally returns on ${A}, after the queue was taken away: its result is discarded`));
      if (passed) chain.push(link(passed, `${newOwner} commits ${passed.fields.offset}: the window ${P}–${high} has been consumed again`));

      const links = uniqueEvents(chain);
      const missing = missingLogs(ctx, { clients: [A, newOwner], brokerNames: [q.brokerName] });
      if (tk.nextOffset === null) missing.push(`the new owner's start offset is not logged (5.x clients): inferred to be the pinned commit ${P}`);
      if (spans.length === 0) missing.push(`no "span too long" flow-control line: the window's upper end (${high}) is the highest offset a trace shows ${A} consuming`);
      if (slow.length === 0 && !slowTrace) missing.push(`the slow message itself (offset ${P}) is not named by any line: a message trace or the application log of ${A} would name it`);
      const complete = tk.nextOffset === P && (again.length > 0 || passed !== null);
      const count = high - P + 1;
      const claims: RmqEvent[] = [...tk.events, ...spans, ...dropped, ...(removal ? [removal] : [])];
      drafts.push({
        cause: 'slow-message-offset-hold',
        confidence: complete ? 'high' : 'medium',
        queue: q,
        offsetRange: { from: P, to: high },
        redeliveredCount: count,
        window: { start: links[0]!.event.instant, end: links[links.length - 1]!.event.instant },
        summary: `${count} messages (offsets ${P}–${high} of ${q.brokerName} queue ${q.queueId}) were consumed again by ${newOwner ?? 'the new owner'}: one slow message at offset ${P} held ${A}'s commit at ${P} for ${minutes(pinnedFor)} while the rest of the window was consumed, and ${restart ? 'a restart' : 'a rebalance'} then handed the queue over from the pinned offset.`,
        chain: links,
        missingEvidence: missing,
        messageIds: [...new Set([...slow.flatMap((m) => (m.msgId ? [m.msgId] : [])), ...(slowTrace ? [slowTrace.msgId] : []), ...ahead.map((d) => d.msgId), ...again.map((d) => d.msgId)])],
        anchor: first,
        claims,
      });
    }
    return drafts;
  },
};
