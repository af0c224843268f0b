import { createHash } from 'node:crypto';
import type { Context, Delivery, LedgerEntry, QueueKey } from '../correlate/index.js';
import type { RmqEvent } from '../model/events.js';
import { missingLogs, queueLabel } from './evidence.js';
import { RULES } from './rules/index.js';
import type { CauseCode, IncidentDraft, Rule, RuleMeta } from './types.js';

export interface Incident extends IncidentDraft {
  id: string;
  meta: RuleMeta;
}

/** A message consumed more than once, and where it sits (shared with the JSON report). */
export interface RedeliveredMessage {
  messageId: string;
  group: string | null;
  topic: string | null;
  brokerName: string | null;
  queueId: number | null;
  queueOffset: number | null;
}

export interface Redelivery extends RedeliveredMessage {
  deliveries: Delivery[];
  incidentId: string;
  cause: CauseCode;
}

export interface Dismissed {
  messageId: string;
  cause: 'not-a-duplicate';
  reason: string;
  deliveries: Delivery[];
}

export interface Diagnosis {
  incidents: Incident[];
  redeliveries: Redelivery[];
  dismissed: Dismissed[];
}

export const UNDETERMINED_META: RuleMeta = {
  code: 'undetermined',
  title: 'Consumed more than once; no causal chain found in the bundle',
  description: 'The message was delivered more than once to one consumer group, but no rule found the chain of events that explains it in the evidence given.',
  remediation: 'Add the missing evidence listed (client logs of every consumer host, the broker logs of the queue, the broker consumerOffset.json) and run again; make consumers idempotent meanwhile.',
  references: ['DOMAIN.md §2'],
  byDesign: false,
  priority: 0,
};

/** Incidents per cause (the report's summary). */
export function countByCause(incidents: readonly { cause: string }[]): Record<string, number> {
  const byCause: Record<string, number> = {};
  for (const i of incidents) byCause[i.cause] = (byCause[i.cause] ?? 0) + 1;
  return byCause;
}

/** Stable across runs over the same evidence: derived from the cause, the queue and the anchor line's text. */
export function incidentId(d: IncidentDraft): string {
  const q = d.queue;
  const key = [d.cause, q?.group, q?.topic, q?.brokerName, q?.queueId, d.anchor.host, d.anchor.timestampText, d.anchor.raw].join('|');
  return 'RMQ-' + createHash('sha1').update(key).digest('hex').slice(0, 10);
}

export function diagnose(ctx: Context, rules: readonly Rule[] = RULES): Diagnosis {
  // Rules in priority order; a draft whose claimed evidence a stronger draft already took is dropped.
  const ordered = [...rules].sort((a, b) => b.meta.priority - a.meta.priority);
  const claimed = new Set<RmqEvent>();
  const incidents: Incident[] = [];
  for (const rule of ordered) {
    for (const d of rule.detect(ctx)) {
      if (d.claims.some((e) => claimed.has(e))) continue;
      for (const e of d.claims) claimed.add(e);
      incidents.push({ ...d, id: incidentId(d), meta: rule.meta });
    }
  }
  const redeliveries: Redelivery[] = [];
  const dismissed: Dismissed[] = [];
  for (const entry of [...ctx.ledger.values()].sort((a, b) => (a.msgId < b.msgId ? -1 : 1))) {
    const groups = groupDeliveries(entry);
    const named = incidents.find((i) => i.messageIds.includes(entry.msgId));
    const repeated = [...groups.entries()].filter(([, ds]) => ds.length > 1);
    if (repeated.length === 0) {
      if (named) {
        redeliveries.push(redelivery(entry, named, [...groups.values()].flat(), named.queue?.group ?? null));
      } else if (groups.size > 1) {
        dismissed.push({
          messageId: entry.msgId,
          cause: 'not-a-duplicate',
          reason: `consumed once by each of ${groups.size} consumer groups (${[...groups.keys()].join(', ')}): every group gets its own copy`,
          deliveries: [...groups.values()].flat(),
        });
      }
      continue;
    }
    for (const [group, ds] of repeated) {
      const broadcast = ctx.of('client-start').some((e) => e.fields.group === group && e.fields.messageModel === 'BROADCASTING');
      if (broadcast) {
        dismissed.push({ messageId: entry.msgId, cause: 'not-a-duplicate', reason: `group ${group} consumes in BROADCASTING mode: every client gets every message`, deliveries: ds });
        continue;
      }
      const inc = named ?? findIncident(incidents, entry, ds);
      if (inc) {
        redeliveries.push(redelivery(entry, inc, ds, group));
        continue;
      }
      const u = undetermined(ctx, entry, ds, group);
      incidents.push(u);
      redeliveries.push(redelivery(entry, u, ds, group));
    }
  }
  incidents.sort((a, b) => a.window.start - b.window.start || (a.id < b.id ? -1 : 1));
  return { incidents, redeliveries, dismissed };
}

function groupDeliveries(entry: LedgerEntry): Map<string, Delivery[]> {
  const m = new Map<string, Delivery[]>();
  for (const d of entry.deliveries) {
    const g = d.group ?? '?';
    let l = m.get(g);
    if (!l) m.set(g, (l = []));
    l.push(d);
  }
  for (const l of m.values()) l.sort((a, b) => a.time - b.time);
  return m;
}

function locate(entry: LedgerEntry, ds: Delivery[]): { brokerName: string | null; queueId: number | null; queueOffset: number | null; topic: string | null } {
  const d = ds.find((x) => x.brokerName !== null && x.queueOffset !== null);
  if (d) return { brokerName: d.brokerName, queueId: d.queueId, queueOffset: d.queueOffset, topic: d.topic };
  const c = entry.copies.find((x) => x.brokerName !== null || x.queueOffset !== null);
  if (c) return { brokerName: c.brokerName, queueId: c.queueId, queueOffset: c.queueOffset, topic: c.topic };
  return { brokerName: null, queueId: null, queueOffset: null, topic: ds.find((x) => x.topic)?.topic ?? null };
}

function findIncident(incidents: Incident[], entry: LedgerEntry, ds: Delivery[]): Incident | null {
  const where = locate(entry, ds);
  const second = ds[1]!;
  for (const i of incidents) {
    if (!i.queue || !i.offsetRange) continue;
    if (where.brokerName !== i.queue.brokerName || where.queueId !== i.queue.queueId || where.queueOffset === null) continue;
    if (second.group !== null && second.group !== i.queue.group) continue;
    if (where.queueOffset < i.offsetRange.from || where.queueOffset > i.offsetRange.to) continue;
    if (second.time < i.window.start - 60_000) continue;
    return i;
  }
  return null;
}

function redelivery(entry: LedgerEntry, inc: Incident, ds: Delivery[], group: string | null): Redelivery {
  const where = locate(entry, ds);
  return {
    messageId: entry.msgId,
    group: group === '?' ? null : group,
    topic: where.topic ?? inc.queue?.topic ?? null,
    brokerName: where.brokerName ?? inc.queue?.brokerName ?? null,
    queueId: where.queueId ?? inc.queue?.queueId ?? null,
    queueOffset: where.queueOffset,
    deliveries: ds,
    incidentId: inc.id,
    cause: inc.cause,
  };
}

function undetermined(ctx: Context, entry: LedgerEntry, ds: Delivery[], group: string): Incident {
  const where = locate(entry, ds);
  const queue: QueueKey | null =
    where.brokerName !== null && where.queueId !== null && where.topic !== null && group !== '?'
      ? { group, topic: where.topic, brokerName: where.brokerName, queueId: where.queueId }
      : null;
  const clients = [...new Set(ds.map((d) => d.client))];
  const missing = missingLogs(ctx, { clients, brokerNames: where.brokerName ? [where.brokerName] : [] });
  if (missing.length === 0) missing.push('the bundle has the client and broker logs, but no line around the deliveries explains them; add consumerOffset.json snapshots and the logs of every other consumer of the group');
  const draft: IncidentDraft = {
    cause: 'undetermined',
    confidence: 'low',
    queue,
    offsetRange: where.queueOffset !== null ? { from: where.queueOffset, to: where.queueOffset } : null,
    redeliveredCount: 1,
    window: { start: ds[0]!.time, end: ds[ds.length - 1]!.time },
    summary: `message ${entry.msgId} was consumed ${ds.length} times by ${group}${queue ? ` (${queueLabel(queue)}, offset ${where.queueOffset ?? '?'})` : ''}, but no causal chain was found in the bundle.`,
    chain: ds.map((d) => ({ event: d.event, what: `delivered to ${d.client ?? 'a client'}${d.retryTimes ? ` (retry ${d.retryTimes})` : ''}` })),
    missingEvidence: missing,
    messageIds: [entry.msgId],
    anchor: ds[0]!.event,
    claims: [],
  };
  return { ...draft, id: incidentId(draft), meta: UNDETERMINED_META };
}
