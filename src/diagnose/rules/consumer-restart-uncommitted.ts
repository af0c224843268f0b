import type { Context, QueueKey } from '../../correlate/index.js';
import { queueKeyString } from '../../correlate/index.js';
import type { EventOf, RmqEvent } from '../../model/events.js';
import { lastCommitOnHost, link, MINUTE, missingLogs, queueLabel, uniqueEvents, when } from '../evidence.js';
import type { ChainLink, IncidentDraft, Rule } from '../types.js';
import { ipOf, deliveriesOf, offsetPersistsOf, resultNear, takeovers, type Takeover } from './rebalance-uncommitted.js';

/**
 * A consumer process died (kill -9, OOM, power loss) without persisting its offsets: its log shows
 * a new `the consumer [G] start beginning` with no `shutdown OK` before it. What it had consumed
 * after its last commit is delivered again — to itself after the restart or to the member that
 * took its queues.
 */
export const consumerRestartUncommitted: Rule = {
  meta: {
    code: 'consumer-restart-uncommitted',
    title: 'A consumer died without committing its offsets and the messages were delivered again',
    description:
      'The consumer process stopped abruptly (kill -9, OOM killer, container eviction, power loss): its log has no "the consumer [G] shutdown OK" and no final [persistAll] before the next start, which runs under a new client id (new pid). Offsets are committed asynchronously every 5 s (persistConsumerOffsetInterval), so everything it consumed after its last commit was unknown to the broker; the member that took its queues (or the restarted process itself) started from the last committed offset and delivered those messages again.',
    remediation:
      'Stop consumers gracefully (SIGTERM and a shutdown hook calling consumer.shutdown(), which persists offsets and unregisters from the brokers; give the container a termination grace period; avoid kill -9); find why the process died (OOM, the orchestrator\'s kill, a host crash) in the system logs; make consumers idempotent (deduplicate on the message key / UNIQ_KEY) — up to persistConsumerOffsetInterval (5 s) of consumption is always exposed to an abrupt death.',
    references: [
      'catalog §9.1 (start beginning / Created a new client Instance / shutdown OK)',
      'catalog §5.1 ([persistAll] every 5 s; shutdown persists)',
      'catalog §13 (NETTY EVENT: remove not active channel)',
      'catalog §2.4 (add a new pull request nextOffset)',
      'DOMAIN.md §2 consumer-restart-uncommitted',
    ],
    byDesign: false,
    priority: 65,
  },
  detect(ctx: Context): IncidentDraft[] {
    const drafts: IncidentDraft[] = [];
    // Per host, in time order: every client line (to find the last line of the old process).
    const byHost = new Map<string, RmqEvent[]>();
    for (const e of ctx.events) {
      if (!e.host || !ctx.hosts.clients.has(e.host)) continue;
      if (e.kind === 'trace-delivery' || e.kind === 'trace-publication' || e.kind === 'offset-snapshot') continue;
      let l = byHost.get(e.host);
      if (!l) byHost.set(e.host, (l = []));
      l.push(e);
    }
    const allTakeovers = takeovers(ctx);

    const starts = ctx.of('client-start').filter((e) => e.fields.role === 'consumer' && e.fields.group !== null && e.host !== null);
    for (const S of starts) {
      const H = S.host!;
      const G = S.fields.group!;
      const prevStart = starts.filter((e) => e.host === H && e.fields.group === G && e.instant < S.instant).pop() ?? null;
      const since = prevStart?.instant ?? Number.NEGATIVE_INFINITY;
      const hostEvents = byHost.get(H) ?? [];
      // The old process: its commits and its last line before the new start.
      // (the last commit of each of the old process's series is what matters: the last per queue)
      const oldCommits: EventOf<'offset-persist'>[] = [];
      for (const s of ctx.persists.ofHost(H)) {
        if (s.head.group !== G) continue;
        const last = ctx.persists.last([s], since, S.instant, (r) => r.instant > since && r.instant < S.instant);
        if (last) oldCommits.push(last.event());
      }
      oldCommits.sort((a, b) => a.instant - b.instant || a.seq - b.seq);
      if (oldCommits.length === 0) continue; // first start, nothing consumed before it
      const shutdowns = ctx
        .of('client-shutdown')
        .filter((e) => e.host === H && e.instant > since && e.instant <= S.instant && ((e.fields.role === 'consumer' && e.fields.group === G) || e.fields.role === 'factory'));
      if (shutdowns.length > 0) continue; // a clean shutdown persisted the offsets
      const oldCid = oldCommits[oldCommits.length - 1]!.fields.clientId;
      // (start-up context lines of the new process, e.g. the hook registration, come just before S)
      const lastLine = hostEvents.filter((e) => e.instant < S.instant && e.kind !== 'info' && e.kind !== 'client-start').pop() ?? null;
      const lastCommit = lastCommitOnHost(ctx, H, Number.NEGATIVE_INFINITY, S.instant);
      const lastOld = [lastLine, lastCommit].filter((e): e is RmqEvent => e !== null).sort((a, b) => a.instant - b.instant || a.seq - b.seq).pop() ?? oldCommits[oldCommits.length - 1]!;
      const newInstance =
        ctx.of('client-start').find((e) => e.host === H && (e.fields.role === 'instance' || e.fields.role === 'factory') && e.fields.clientId !== null && e.instant >= S.instant - 1000 && e.instant <= S.instant + MINUTE) ?? null;
      const newCid = newInstance?.fields.clientId ?? null;

      const queues = new Map<string, { q: QueueKey; last: EventOf<'offset-persist'> }>();
      for (const p of oldCommits) {
        const q = ctx.queueOf(p);
        if (q) queues.set(queueKeyString(q), { q, last: p });
      }
      for (const { q, last } of queues.values()) {
        const N = last.fields.offset;
        const qd = deliveriesOf(ctx, q);
        // Consumed by the old process at or above its last commit.
        const consumed = qd.filter((d) => d.event.kind !== 'dropped-without-result' && ipOf(d.client) === H && d.offset >= N && d.time < S.instant && d.time >= last.instant - 5 * MINUTE);
        if (consumed.length === 0) continue;
        const high = Math.max(...consumed.map((d) => d.offset));
        const crashAt = Math.max(lastOld.instant, ...consumed.map((d) => d.time));
        // Who consumed the queue next, and from where.
        const tk: Takeover | null =
          allTakeovers.find((t) => queueKeyString(t.q) === queueKeyString(q) && t.time >= lastOld.instant - ctx.skewMs && t.time <= crashAt + 30 * MINUTE && (t.nextOffset === null || (t.nextOffset >= N && t.nextOffset <= high))) ?? null;
        const afterCrash = tk ? Math.min(tk.time, crashAt) : crashAt;
        const again = qd.filter((d) => d.event.kind !== 'dropped-without-result' && !consumed.includes(d) && d.offset >= N && d.offset <= high && d.time >= afterCrash - ctx.skewMs);
        if (!tk && again.length === 0) continue; // not shown to be delivered again
        const closed =
          ctx
            .of('channel-closed')
            .filter((e) => e.instant >= lastOld.instant - MINUTE && e.instant <= S.instant && (e.fields.group === null || e.fields.group === G) && (e.fields.clientId === oldCid || (e.fields.channel !== null && ipOf(e.fields.channel) === H)))[0] ?? null;
        const expired = ctx.of('channel-expired').filter((e) => e.fields.group === G && ipOf(e.fields.channel) === H && e.instant >= lastOld.instant && e.instant <= S.instant + 5 * MINUTE)[0] ?? null;
        const owner = tk?.host ?? null;
        const notified = owner ? ctx.of('rebalance-notified').filter((e) => e.host === owner && e.fields.group === G && tk !== null && e.instant >= tk.time - MINUTE && e.instant <= tk.time).pop() ?? null : null;
        const progressed = tk ? offsetPersistsOf(ctx, q, tk.time, tk.time + 30 * MINUTE).find((e) => e.host === tk.host && e.fields.offset > high) ?? null : null;

        const chain: ChainLink[] = [];
        chain.push(link(last, `${oldCid}'s last commit of ${q.brokerName}:${q.queueId}: offset ${N}`));
        for (const d of consumed.slice(0, 3)) chain.push(link(d.event, `${H} consumes message ${d.msgId} (offset ${d.offset}) after that commit`));
        if (lastOld !== last) chain.push(link(lastOld, `last line written by the old process on ${H}: its log stops here, with no "shutdown OK" and no final [persistAll]`));
        if (closed) chain.push(link(closed, `the broker sees the connection of ${oldCid} close: the process is gone`));
        if (notified) chain.push(link(notified, `${owner} is told that ${G} changed and rebalances`));
        if (tk) {
          for (const e of tk.events) {
            chain.push(link(e, e.fields.nextOffset !== null ? `${owner} takes ${q.brokerName}:${q.queueId} and starts at the last committed offset ${e.fields.nextOffset}` : `${owner} takes ${q.brokerName}:${q.queueId}`));
          }
          const r = resultNear(ctx, q, tk.host, tk.time);
          if (r) chain.push(link(r, `${owner}'s new assignment (${r.fields.cidAllSize} consumer${r.fields.cidAllSize > 1 ? 's' : ''} left in the group) includes ${q.brokerName}:${q.queueId}`));
        }
        if (expired) chain.push(link(expired, `the broker expires the dead client's channel ${expired.fields.channel}`));
        for (const d of again.slice(0, 4)) chain.push(link(d.event, `message ${d.msgId} (offset ${d.offset}) consumed again by ${ipOf(d.client) ?? 'a consumer'}`));
        if (progressed) chain.push(link(progressed, `${owner} commits ${progressed.fields.offset}: the range is consumed a second time`));
        chain.push(link(S, `${G} starts again on ${H} with no clean shutdown before: the previous process died`));
        if (newInstance) chain.push(link(newInstance, `the new process runs as ${newCid}${newCid !== null && newCid !== oldCid ? ` (was ${oldCid})` : ''}`));

        const links = uniqueEvents(chain);
        const missing = missingLogs(ctx, { clients: [H, owner], brokerNames: [q.brokerName] });
        if (!tk) missing.push(`no "add a new mq" line for ${queueLabel(q)} after the crash: the rocketmq_client.log of the member that took the queue would show where it started`);
        else if (tk.nextOffset === null) missing.push(`the new owner's start offset is not logged (5.x clients): it is inferred to be the last commit ${N}`);
        if (!closed && !expired) missing.push(`no broker line shows the old connection of ${H} closing (broker.log of ${q.brokerName})`);
        const complete = tk !== null && tk.nextOffset === N && again.length + (progressed ? 1 : 0) > 0;
        const count = high - N + 1;
        drafts.push({
          cause: 'consumer-restart-uncommitted',
          confidence: complete ? 'high' : 'medium',
          queue: q,
          offsetRange: { from: N, to: high },
          redeliveredCount: count,
          window: { start: links[0]!.event.instant, end: links[links.length - 1]!.event.instant },
          summary: `${count} message${count > 1 ? 's' : ''} (offsets ${N}–${high} of ${q.brokerName} queue ${q.queueId}) consumed by ${oldCid} were delivered again${owner ? ` to ${owner}` : ''}: the consumer on ${H} died around ${when(ctx, crashAt)} without a clean shutdown, so its last commit (${N}) was all the broker knew.`,
          chain: links,
          missingEvidence: missing,
          messageIds: [...new Set([...consumed, ...again].map((d) => d.msgId))],
          anchor: S,
          claims: [...(tk ? tk.events : []), last],
        });
      }
    }
    return drafts;
  },
};
