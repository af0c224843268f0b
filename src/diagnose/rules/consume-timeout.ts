import type { Context, Delivery, LedgerEntry, QueueKey } from '../../correlate/index.js';
import type { EventOf, RmqEvent } from '../../model/events.js';
import { hostOfAddr } from '../../model/queue.js';
import { link, MINUTE, queueLabel, uniqueEvents } from '../evidence.js';
import type { ChainLink, Confidence, IncidentDraft, Rule } from '../types.js';

/**
 * consumeTimeout: `ProcessQueue.cleanExpiredMsg` (every consumeTimeout minutes, default 15) sends
 * back up to 16 of the oldest messages whose CONSUME_START_TIME is older than consumeTimeout —
 * `send expire msg back. topic=…, msgId=<UNIQ_KEY>, storeHost=…, queueId=…, queueOffset=…` —
 * while the listener may still be running them. The original call finishes, and the copy sent to
 * %RETRY%<group> is delivered again ≥ 10 s later (delay level 3): the message is processed twice.
 *
 * The expire line is logged only after a successful send-back, so it alone proves the message
 * went back to the retry topic (and that its consumption had started ≥ consumeTimeout before).
 * Chain: the start of the slow consumption (trace SubBefore / consume line) → the expire line →
 * the re-delivery (retryTimes > the original's). One incident per cleanExpiredMsg pass (expire
 * lines of one host and queue within a minute); messageIds = the msgIds of the expire lines.
 */

const PASS_GAP_MS = 60_000;

export const consumeTimeout: Rule = {
  meta: {
    code: 'consume-timeout',
    title: 'Consumption exceeded consumeTimeout; the message was sent back while still being processed',
    description:
      'A concurrent push consumer checks its process queues every consumeTimeout minutes (default 15) and sends back up to 16 of the oldest messages whose consumption started more than consumeTimeout ago ("send expire msg back"), removing them from the process queue while the listener may still be running them. The original call eventually finishes (its result no longer matters for these messages) and the copy in %RETRY%<group> is delivered again after the retry delay with reconsumeTimes + 1, so the handler processes the message twice.',
    remediation:
      'Keep the listener well below consumeTimeout: move long work off the consume thread (hand it to a job queue and return CONSUME_SUCCESS), add timeouts to downstream calls, or raise DefaultMQPushConsumer.setConsumeTimeout(minutes) above the slowest legitimate handler. Make the handler idempotent (dedupe on msgId / business key): the retry copy carries the same msgId. Clients 5.1.0+ skip the second send-back when the timed-out call later fails ("Message is not found in its process queue; skip send-back-procedure", apache/rocketmq #5481), which avoids a second retry copy but not the double processing.',
    references: [
      'catalog §8.3 (ProcessQueue.cleanExpiredMsg, send expire msg back)',
      'catalog §8.1 (skip send-back-procedure, 5.1.0+, #5481)',
      'catalog §19.2 (trace SubBefore timeStamp / retryTimes, SubAfter costTime)',
      'catalog §21 #9',
      'catalog Appendix B (consumeTimeout 15 min)',
    ],
    byDesign: false,
    priority: 55,
  },
  detect(ctx: Context): IncidentDraft[] {
    const expires = [...ctx.of('expired-send-back')].sort((a, b) => a.instant - b.instant || a.seq - b.seq);
    if (expires.length === 0) return [];

    // One cleanExpiredMsg pass = expire lines of one host and queue close together.
    const passes: EventOf<'expired-send-back'>[][] = [];
    const open = new Map<string, EventOf<'expired-send-back'>[]>();
    for (const e of expires) {
      const k = `${e.host ?? '?'}|${e.fields.topic}|${e.fields.storeHost}|${e.fields.queueId}`;
      const cur = open.get(k);
      if (cur && e.instant - cur[cur.length - 1]!.instant <= PASS_GAP_MS) cur.push(e);
      else {
        const p = [e];
        open.set(k, p);
        passes.push(p);
      }
    }

    const drafts: IncidentDraft[] = [];
    for (const pass of passes) {
      const first = pass[0]!;
      const group = groupOf(ctx, first, pass);
      const brokerName = brokerOf(ctx, first);
      const queue: QueueKey | null = group && brokerName ? { group, topic: first.fields.topic, brokerName, queueId: first.fields.queueId } : null;

      const chain: ChainLink[] = [];
      const ids: string[] = [];
      let starts = 0;
      let redeliveries = 0;
      const missing: string[] = [];
      for (const e of pass) {
        const id = e.fields.msgId;
        if (!ids.includes(id)) ids.push(id);
        const entry = ctx.ledger.get(id);
        const original = entry ? originalDelivery(entry, e, group) : null;
        const again = entry ? redelivery(ctx, entry, e, group, original) : null;
        if (original) {
          starts++;
          const elapsed = Math.round((e.instant - original.time) / MINUTE);
          const cost = original.event.kind === 'trace-delivery' ? original.event.fields.costMs : null;
          chain.push(
            link(
              original.event,
              `${group ?? 'the group'} started consuming ${id}${original.client ? ` on ${original.client}` : ''}${original.retryTimes ? ` (retry ${original.retryTimes})` : ''} ${elapsed} min before the expire line${cost !== null && cost >= MINUTE ? `; the call ran ${Math.round(cost / MINUTE)} min in all` : ''}`,
            ),
          );
        }
        chain.push(
          link(
            e,
            `${e.host ?? 'the consumer'} sent ${id} (queue offset ${e.fields.queueOffset}) back to %RETRY%${group ?? '<group>'} because its consumption had run longer than consumeTimeout${original ? '' : ' (15 min by default)'}; the listener may still be running it`,
          ),
        );
        if (again) {
          redeliveries++;
          chain.push(
            link(
              again.event,
              `${id} delivered again${again.client ? ` to ${again.client}` : ''} from the retry topic${again.retryTimes !== null ? ` (reconsumeTimes ${again.retryTimes})` : ''}: the handler processes it a second time`,
            ),
          );
        }
      }
      const links = uniqueEvents(chain);
      if (starts < pass.length) {
        missing.push(
          `the start of the slow consumption is not in the bundle for ${pass.length - starts} of ${pass.length} message(s): a message trace (mqadmin queryMsgTraceById -i <msgId>: SubBefore time, SubAfter costTime) or the application log of ${first.host ?? 'the consumer'} would show how long the handler ran`,
        );
      }
      if (redeliveries < pass.length) {
        missing.push(
          `the re-delivery from %RETRY%${group ?? '<group>'} is not in the bundle for ${pass.length - redeliveries} of ${pass.length} message(s) (a successful retry logs nothing on the client): a message trace would show it (SubBefore retryTimes > 0)`,
        );
      }
      if (!group) missing.push(`the consumer group of ${first.host ?? 'the consumer'} for ${first.fields.topic} is not shown (no rebalance / [persistAll] line, no trace record names it)`);
      if (!brokerName) missing.push(`the broker name of ${first.fields.storeHost} is not known (no heartbeat / route line for it in the bundle)`);
      const confidence: Confidence = starts === pass.length && redeliveries === pass.length ? 'high' : starts + redeliveries > 0 ? 'medium' : 'low';

      const offsets = [...new Set(pass.map((e) => e.fields.queueOffset))].sort((a, b) => a - b);
      const range = offsets[offsets.length - 1]! - offsets[0]! + 1 === offsets.length ? { from: offsets[0]!, to: offsets[offsets.length - 1]! } : null;
      const where = queue ? queueLabel(queue) : `${first.fields.topic} queue ${first.fields.queueId} on ${first.fields.storeHost.replace(/^\//, '')}`;
      const n = ids.length;
      drafts.push({
        cause: 'consume-timeout',
        confidence,
        queue,
        offsetRange: range,
        redeliveredCount: n,
        window: { start: links[0]!.event.instant, end: links[links.length - 1]!.event.instant },
        summary: `${n === 1 ? `message ${ids[0]}` : `${n} messages`} (${where}, offset${n === 1 ? '' : 's'} ${offsets.join(', ')}) ran longer than consumeTimeout on ${first.host ?? 'the consumer'} and ${n === 1 ? 'was' : 'were'} sent back to %RETRY%${group ?? '<group>'} while still being processed, so ${n === 1 ? 'it was' : 'they were'} consumed twice${redeliveries > 0 ? ` (re-delivery shown for ${redeliveries})` : ''}.`,
        chain: links,
        missingEvidence: missing,
        messageIds: ids,
        anchor: first,
        claims: [...pass],
      });
    }
    return drafts;
  },
};

/** The group of the consumer that logged the expire line. */
function groupOf(ctx: Context, e: EventOf<'expired-send-back'>, pass: EventOf<'expired-send-back'>[]): string | null {
  const q = ctx.queueOf(e);
  if (q) return q.group;
  // The groups the message was delivered to (trace / consume lines); one only.
  const groups = new Set<string>();
  for (const x of pass) for (const d of ctx.ledger.get(x.fields.msgId)?.deliveries ?? []) if (d.group && (d.client === null || d.client === e.host)) groups.add(d.group);
  if (groups.size === 1) return [...groups][0]!;
  // A group this host consumes with (consume lines).
  const onHost = new Set(ctx.of('consume-failed').filter((c) => c.host === e.host && c.fields.group && c.fields.mq?.topic === e.fields.topic).map((c) => c.fields.group!));
  return onHost.size === 1 ? [...onHost][0]! : null;
}

function brokerOf(ctx: Context, e: EventOf<'expired-send-back'>): string | null {
  const host = hostOfAddr(e.fields.storeHost);
  const byDir = ctx.brokers.nameOfHost(host);
  if (byDir) return byDir;
  const copy = ctx.ledger.get(e.fields.msgId)?.copies.find((c) => c.brokerName && c.storeHost && hostOfAddr(c.storeHost) === host);
  return copy?.brokerName ?? null;
}

/** The delivery whose consumption expired: the latest start before the expire line, in the group. */
function originalDelivery(entry: LedgerEntry, e: EventOf<'expired-send-back'>, group: string | null): Delivery | null {
  let best: Delivery | null = null;
  for (const d of entry.deliveries) {
    if (group && d.group && d.group !== group) continue;
    if (d.time >= e.instant) continue;
    // Only consumption starts (trace / consume-pattern lines); a failure line is logged at the end.
    if (d.event.kind !== 'trace-delivery') continue;
    if (best === null || d.time > best.time) best = d;
  }
  return best;
}

/** The delivery from the retry topic after the expire line. */
function redelivery(ctx: Context, entry: LedgerEntry, e: EventOf<'expired-send-back'>, group: string | null, original: Delivery | null): Delivery | null {
  const r0 = original?.retryTimes ?? 0;
  let best: Delivery | null = null;
  const skip = new Set<RmqEvent>(original ? [original.event] : []);
  for (const d of entry.deliveries) {
    if (skip.has(d.event)) continue;
    if (group && d.group && d.group !== group) continue;
    if (d.time < e.instant - ctx.skewMs) continue;
    // The timed-out call itself may end with a failure line after the expire line: same retry count.
    if (d.retryTimes !== null ? d.retryTimes <= r0 : d.event.kind !== 'trace-delivery') continue;
    if (best === null || d.time < best.time) best = d;
  }
  return best;
}
