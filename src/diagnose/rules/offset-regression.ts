import type { Context } from '../../correlate/index.js';
import type { RmqEvent } from '../../model/events.js';
import { hostOfAddr } from '../../model/queue.js';
import { consumptionFrom, link, MINUTE, missingLogs, onQueue, persistsOn, positionAfter, queueLabel, replayedMessages, uniqueEvents } from '../evidence.js';
import type { ChainLink, IncidentDraft, Rule } from '../types.js';

/**
 * The broker accepted a commit lower than what it stored (`[NOTIFYME]update consumer offset less
 * than store`) and no more specific rule proves why: a stale ex-owner, two owners of one queue, a
 * ghost consumer or continuous rebalance. The committing client is named by the broker line.
 */
export const offsetRegression: Rule = {
  meta: {
    code: 'offset-regression',
    title: 'A client committed an offset lower than the broker had; the trigger is not proven',
    description:
      'The broker logged [NOTIFYME]update consumer offset less than store: it overwrote the stored consume offset with a lower one, so the offsets in between were delivered again. The bundle does not prove why the committing client was behind (stale ex-owner after a rebalance, two clients owning the queue, continuous rebalance).',
    remediation:
      'Look at the committing client (clientHost) around the time of the warning: its rebalance results and [persistAll] lines show whether it still owned the queue. Upgrade clients (5.2.0 freezes corrected offsets), keep consumer membership stable, and make consumers idempotent.',
    references: ['catalog §11.1 ([NOTIFYME]update consumer offset less than store)', 'catalog §21 #4'],
    byDesign: false,
    priority: 10,
  },
  detect(ctx: Context): IncidentDraft[] {
    const drafts: IncidentDraft[] = [];
    for (const r of ctx.of('offset-regression')) {
      const q = ctx.queueOf(r);
      const low = r.fields.requestOffset;
      const high = r.fields.storeOffset;
      if (high <= low) continue;
      const committer = hostOfAddr(r.fields.clientHost);
      // The broker corrected this client to its max offset just before (4.9.4+ OFFSET_OVERFLOW_BADLY):
      // the offsets between were lost with the queue's tail, not delivered again.
      if (correctedToMax(ctx, r.host, committer, low, r.instant)) continue;
      const chain: ChainLink[] = [];
      let restart: RmqEvent | null = null;
      let messages: { msgId: string; event: RmqEvent }[] = [];
      let stale = false;
      if (q) {
        // The committer's own line for the low value (a oneway commit may reach the broker late).
        for (const p of persistsOn(ctx, q, r.instant - 2 * MINUTE, r.instant + ctx.skewMs, (row, s) => s.head.host === committer && row.offset === low).slice(-1)) {
          const late = Math.round((r.instant - p.instant) / 1000);
          const higher = persistsOn(ctx, q, p.instant + 1, r.instant + ctx.skewMs, (row, s) => s.head.host === committer && row.offset > low)[0];
          chain.push(
            link(
              p,
              higher
                ? `${committer} sends offset ${low}; the broker applies it ${late} s later, after ${committer} had already committed ${higher.fields.offset}`
                : `${committer} commits offset ${low}`,
            ),
          );
          if (higher) chain.push(link(higher, `${committer} commits ${higher.fields.offset}: the queue was already past ${low}`));
        }
        // The committer lost the queue before the broker applied its commit: a stale ex-owner.
        const removed = onQueue(ctx, 'queue-removed', q, r.instant - 10 * MINUTE, r.instant + ctx.skewMs).filter((e) => e.host === committer).slice(-1);
        for (const e of removed) {
          stale = true;
          chain.push(link(e, `rebalance takes ${queueLabel(q)} away from ${committer}: its later commit is stale`));
        }
        restart = consumptionFrom(ctx, q, r.instant - ctx.skewMs, low)[0] ?? null;
        if (restart) chain.push(link(restart, `${restart.host ?? 'a client'} consumes ${q.brokerName}:${q.queueId} again from offset ${low}`));
        for (const own of onQueue(ctx, 'queue-added', q, r.instant - 10 * MINUTE, r.instant + ctx.skewMs).slice(-3)) {
          if (own.host === restart?.host) continue;
          chain.push(link(own, `rebalance gave ${queueLabel(q)} to ${own.host ?? 'a client'}`));
        }
        messages = replayedMessages(ctx, q, low, high - 1, r.instant);
        for (const m of messages.slice(0, 3)) chain.push(link(m.event, `message ${m.msgId} consumed again`));
        const after = positionAfter(ctx, q, r.instant);
        if (after && after.offset > low) chain.push(link(after.event, `consumption passes the rewound range: offset ${after.offset} committed`));
      }
      chain.push(link(r, `broker overwrites stored offset ${high} with ${low}, committed by ${r.fields.clientHost}`));
      const links = uniqueEvents(chain);
      const missing = missingLogs(ctx, { clients: [committer, restart?.host ?? null], brokerNames: q ? [q.brokerName] : [] });
      if (!q) missing.push(`the broker name of ${r.host ?? 'this broker'} is unknown: no client heartbeat or boot line names it`);
      if (q && !restart && messages.length === 0) missing.push(`no line shows ${queueLabel(q)} consumed again from ${low} (the next owner's rocketmq_client.log or a message trace would)`);
      drafts.push({
        cause: 'offset-regression',
        confidence: committer && ctx.hosts.clients.has(committer) ? 'medium' : 'low',
        queue: q,
        offsetRange: { from: low, to: high - 1 },
        redeliveredCount: high - low,
        window: { start: links[0]!.event.instant, end: links[links.length - 1]!.event.instant },
        summary: `${high - low} messages (offsets ${low}–${high - 1}${q ? ` of ${q.brokerName} queue ${q.queueId}` : ''}) were delivered again to ${r.fields.group}${restart?.host ? ` on ${restart.host}` : ''}: ${r.fields.clientHost} committed ${low} over the stored ${high}${stale ? ' after a rebalance had taken the queue away from it (a stale ex-owner)' : ''}; the bundle does not show why that client was behind.`,
        chain: links,
        missingEvidence: missing,
        messageIds: messages.map((m) => m.msgId),
        anchor: r,
        claims: [r],
      });
    }
    return drafts;
  },
};

/** A broker `over flow badly` correction of `client` down to a max offset at or below `low`, in the 15 minutes before `t`. */
function correctedToMax(ctx: Context, brokerHost: string | null, client: string | null, low: number, t: number): boolean {
  return ctx
    .of('pull-offset-corrected')
    .some(
      (e) =>
        e.host === brokerHost &&
        e.fields.reason === 'overflow-badly' &&
        e.fields.maxOffset !== null &&
        e.fields.maxOffset <= low &&
        (e.fields.client === null || client === null || hostOfAddr(e.fields.client) === client) &&
        e.instant <= t + ctx.skewMs &&
        e.instant >= t - 15 * MINUTE,
    );
}
