import type { Context, QueueKey } from '../../correlate/index.js';
import type { EventOf, RmqEvent } from '../../model/events.js';
import { hostOfAddr } from '../../model/queue.js';
import { link, MINUTE, missingLogs, onQueue, persistsOn, positionAfter, queueLabel, sameQueue, uniqueEvents, when } from '../evidence.js';
import type { ChainLink, IncidentDraft, Rule } from '../types.js';
import { reconsumedMessages, restarts, roleChanges } from './broker-offset-loss.js';

/**
 * A pull offset beyond the broker's max offset (the broker lost or lagged its tail after a
 * restart, a node outage or a failover) is answered with PULL_OFFSET_MOVED and corrected *down*:
 * ≤4.9.3 to 0 when the queue's minOffset is 0 (`over flow badly` + `newOffset=0`), 4.9.4+ to
 * maxOffset, `the broker store no queue data, fix the request offset X to 0` for an empty queue.
 * The client logs `the pull request offset illegal`, then `fix the pull request offset` and
 * commits the low offset: the queue is consumed again from there.
 */

type Corrected = EventOf<'pull-offset-corrected'>;

interface Episode {
  q: QueueKey | null;
  client: string | null;
  requestOffset: number;
  newOffset: number;
  at: number;
  illegal: EventOf<'pull-offset-illegal'> | null;
  broker: Corrected[];
}

const DOWNWARD = new Set(['overflow-badly', 'no-queue-data', 'moved']);

function brokerNameOf(ctx: Context, host: string | null): string | null {
  return ctx.brokers.nameOfHost(host);
}

/** Broker corrections of one pull: the reason line and its PULL_OFFSET_MOVED line, same request offset, within seconds. */
function brokerLinesFor(ctx: Context, ep: { q: QueueKey | null; requestOffset: number; newOffset: number | null; at: number; client: string | null }, pool: readonly Corrected[]): Corrected[] {
  return pool.filter((e) => {
    if (e.fields.requestOffset !== ep.requestOffset) return false;
    if (Math.abs(e.instant - ep.at) > ctx.skewMs + MINUTE) return false;
    if (ep.newOffset !== null && e.fields.newOffset !== null && e.fields.newOffset !== ep.newOffset) return false;
    if (ep.client && e.fields.client && hostOfAddr(e.fields.client) !== ep.client) return false;
    if (ep.q) {
      if (e.fields.group !== null && e.fields.group !== ep.q.group) return false;
      if (e.fields.topic !== null && e.fields.topic !== ep.q.topic) return false;
      if (e.fields.queueId !== null && e.fields.queueId !== ep.q.queueId) return false;
      const bn = brokerNameOf(ctx, e.host);
      if (bn !== null && bn !== ep.q.brokerName) return false;
    }
    return true;
  });
}

export const offsetOverflowReset: Rule = {
  meta: {
    code: 'offset-overflow-reset',
    title: 'Pull offset beyond the broker\'s max offset was corrected down; the queue was consumed again from there',
    description:
      'The consumer pulled at an offset larger than the queue\'s max offset on the broker (the broker lost or had not yet rebuilt the tail of its consume queue after a crash/restart, or a failover moved the queue to a replica with less data). The broker answered PULL_OFFSET_MOVED (OFFSET_OVERFLOW_BADLY) and corrected the offset down — on brokers ≤ 4.9.3 to 0 whenever the queue\'s minOffset is 0, on 4.9.4+ to maxOffset, and to 0 for a queue with no data. The client accepted it (the pull request offset illegal / fix the pull request offset), committed the low offset (the broker overwrote the higher one) and consumed the queue again from there.',
    remediation:
      'Upgrade brokers to 4.9.4 or later (ISSUE #4215, commit 844dabfb2f: OFFSET_OVERFLOW_BADLY is corrected to maxOffset instead of 0); use synchronous flush (flushDiskType=SYNC_FLUSH) or a replicated set so a crash does not truncate the queue tail; keep the broker out of the route until its consume queues are rebuilt; clients 5.2.0+ freeze the corrected offset. Make consumers idempotent (dedupe on the message key / UNIQ_KEY).',
    references: [
      'catalog §4.3 (OFFSET_ILLEGAL handling: the pull request offset illegal / fix the pull request offset)',
      'catalog §12.1 (OFFSET_OVERFLOW_BADLY → 0 when minOffset is 0 on ≤4.9.3, maxOffset on 4.9.4+)',
      'catalog §12.2 (over flow badly, no queue data, PULL_OFFSET_MOVED:correction offset)',
      'catalog §15.1 (abnormal shutdown, async flush loses the commit-log tail)',
      'apache/rocketmq ISSUE #4215',
    ],
    byDesign: false,
    priority: 80,
  },
  detect(ctx: Context): IncidentDraft[] {
    const pool = ctx
      .of('pull-offset-corrected')
      .filter((e) => DOWNWARD.has(e.fields.reason) && e.fields.requestOffset !== null && e.fields.requestOffset >= 0);
    const episodes: Episode[] = [];
    const used = new Set<RmqEvent>();
    // Client side first: it names the queue.
    for (const e of ctx.of('pull-offset-illegal')) {
      const f = e.fields;
      if (f.requestOffset < 0 || f.nextBeginOffset < 0 || f.nextBeginOffset >= f.requestOffset) continue;
      const q = ctx.queueOf(e);
      const ep: Episode = { q, client: e.host, requestOffset: f.requestOffset, newOffset: f.nextBeginOffset, at: e.instant, illegal: e, broker: [] };
      ep.broker = brokerLinesFor(ctx, ep, pool).filter((b) => !used.has(b));
      for (const b of ep.broker) used.add(b);
      episodes.push(ep);
    }
    // Broker lines no client line explains (no client log in the bundle).
    for (const e of pool) {
      if (used.has(e)) continue;
      const newOffset = e.fields.newOffset ?? null;
      const first: { q: QueueKey | null; requestOffset: number; newOffset: number | null; at: number; client: string | null } = {
        q: null,
        requestOffset: e.fields.requestOffset!,
        newOffset,
        at: e.instant,
        client: e.fields.client ? hostOfAddr(e.fields.client) : null,
      };
      const lines = brokerLinesFor(ctx, first, pool).filter((b) => !used.has(b));
      const corrected = lines.map((b) => b.fields.newOffset).find((n): n is number => n !== null) ?? null;
      if (corrected === null || corrected >= first.requestOffset) continue;
      for (const b of lines) used.add(b);
      const q = queueFromBroker(ctx, lines, corrected);
      episodes.push({ q, client: first.client, requestOffset: first.requestOffset, newOffset: corrected, at: lines[0]!.instant, illegal: null, broker: lines });
    }

    const drafts: IncidentDraft[] = [];
    for (const ep of dedupe(episodes)) {
      const q = ep.q;
      const low = ep.newOffset;
      const horizon = ep.at + 5 * MINUTE;
      const host = ep.client;
      const fixed = q ? onQueue(ctx, 'pull-offset-fixed', q, ep.at - ctx.skewMs, horizon).filter((e) => e.fields.offset === low && (host === null || e.host === host)).slice(0, 1) : [];
      const fixRemoved = q ? onQueue(ctx, 'queue-removed', q, ep.at - ctx.skewMs, horizon).filter((e) => e.fields.reason === 'fix-offset' && (host === null || e.host === host)).slice(0, 1) : [];
      const persists = q ? persistsOn(ctx, q, ep.at - ctx.skewMs, horizon, (r, s) => r.offset === low && (host === null || s.head.host === host)).slice(0, 1) : [];
      const regressions = q
        ? onQueue(ctx, 'offset-regression', q, ep.at - ctx.skewMs, horizon).filter((e) => e.fields.requestOffset === low && (host === null || hostOfAddr(e.fields.clientHost) === host))
        : [];
      const regression = regressions[0] ?? null;
      const high = Math.max(ep.requestOffset, regression?.fields.storeOffset ?? 0);
      if (high <= low) continue;
      const readds = q ? onQueue(ctx, 'queue-added', q, ep.at - ctx.skewMs, horizon).filter((e) => e.fields.step === 'pull-request' && e.fields.nextOffset === low).slice(0, 1) : [];
      const firstPulls = q ? onQueue(ctx, 'first-pull-offset', q, ep.at - ctx.skewMs, horizon).filter((e) => e.fields.newOffset === low).slice(0, 1) : [];
      const turn = regression ?? persists[0] ?? fixed[0] ?? ep.illegal ?? ep.broker[0]!;
      const progressed = q ? positionAfter(ctx, q, turn.instant) : null;
      const messages = q ? reconsumedMessages(ctx, q, low, high - 1, ep.at) : [];
      const reconsumed = messages.length > 0 || (progressed !== null && progressed.offset > low);

      // The trigger: the broker of the queue restarted, recovered abnormally or changed role shortly before.
      const brokerName = q?.brokerName ?? brokerNameOf(ctx, ep.broker[0]?.host ?? null);
      const triggers: ChainLink[] = [];
      if (brokerName) {
        const restart = restarts(ctx)
          .filter((r) => r.brokerName === brokerName && r.start.instant <= ep.at + ctx.skewMs && r.start.instant >= ep.at - 60 * MINUTE)
          .pop();
        if (restart) {
          if (restart.lastBefore && restart.hook === null) triggers.push(link(restart.lastBefore, `last line ${brokerName} (${restart.host}) wrote before it went down, with no "Shutdown hook was invoked" after it`));
          if (restart.hook) triggers.push(link(restart.hook, `${brokerName} (${restart.host}) shuts down`));
          if (restart.lastShutdown) triggers.push(link(restart.lastShutdown, `store.log: the previous run of ${brokerName} ended ${restart.lastShutdown.fields.abnormal ? 'abnormally: unflushed commit-log / consume-queue data may be lost' : 'normally'}`));
          for (const r of restart.recovery.filter((x) => x.fields.abnormal).slice(0, 1)) triggers.push(link(r, `abnormal recovery of the store: ${r.fields.detail}`));
          triggers.push(link(restart.start, `${brokerName} (${restart.start.fields.brokerAddr}) restarts`));
        }
        for (const r of roleChanges(ctx, brokerName, ep.at - 60 * MINUTE, ep.at + ctx.skewMs).slice(-2)) triggers.push(link(r, `${brokerName} role change: ${r.fields.phase} ${r.fields.role}`));
      }

      const chain: ChainLink[] = [...triggers];
      for (const b of ep.broker) {
        chain.push(
          link(
            b,
            b.fields.reason === 'overflow-badly'
              ? `the pull offset ${ep.requestOffset} is beyond the broker's max offset ${b.fields.maxOffset ?? '?'} (OFFSET_OVERFLOW_BADLY)`
              : b.fields.reason === 'no-queue-data'
                ? `the broker has no data for the queue and fixes the pull offset ${ep.requestOffset} to ${b.fields.newOffset ?? low}`
                : `the broker answers PULL_OFFSET_MOVED: offset ${ep.requestOffset} corrected down to ${b.fields.newOffset ?? low}`,
          ),
        );
      }
      if (ep.illegal) chain.push(link(ep.illegal, `${host ?? 'the client'} accepts the correction: next offset ${low} instead of ${ep.requestOffset}`));
      for (const e of fixRemoved) chain.push(link(e, `${host ?? 'the client'} drops the process queue to restart it from ${low}`));
      for (const e of persists) chain.push(link(e, `${host ?? 'the client'} commits the corrected offset ${low}`));
      for (const e of fixed) chain.push(link(e, `${host ?? 'the client'} resets the pull request to ${low}`));
      if (regression) chain.push(link(regression, `broker overwrites stored offset ${regression.fields.storeOffset} with ${regression.fields.requestOffset}`));
      for (const e of readds) chain.push(link(e, `${e.host ?? 'a client'} re-adds ${q ? queueLabel(q) : 'the queue'} starting at ${low}`));
      for (const e of firstPulls) chain.push(link(e, `${e.host ?? 'a client'} starts pulling at ${low}`));
      for (const m of messages.slice(0, 3)) chain.push(link(m.event, `message ${m.msgId} consumed again`));
      if (progressed && progressed.offset > low) chain.push(link(progressed.event, `consumption passes the corrected range again: offset ${progressed.offset} committed`));

      const brokerProof = ep.broker.length > 0;
      const clientProof = ep.illegal !== null;
      const commitProof = regression !== null || persists.length > 0;
      const confidence = brokerProof && clientProof && commitProof && reconsumed ? 'high' : (brokerProof || clientProof) && (commitProof || reconsumed) ? 'medium' : 'low';
      const missing = missingLogs(ctx, { clients: [host], brokerNames: brokerName ? [brokerName] : [] });
      if (!brokerProof && brokerName) missing.push(`no "over flow badly" / "PULL_OFFSET_MOVED:correction offset" line in broker.log of ${brokerName} around ${when(ctx, ep.at)}`);
      if (!clientProof) missing.push(`no "the pull request offset illegal" line: the rocketmq_client.log of ${host ?? 'the consumer'} shows which queue was corrected`);
      if (!q) missing.push('the queue id is not named by the broker lines: the client log or a [NOTIFYME] line would name it');
      if (!regression && q) missing.push(`no [NOTIFYME] line for ${queueLabel(q)} in broker.log: the overwrite of the stored offset is inferred from the client's commit`);
      if (triggers.length === 0) missing.push(`nothing in the bundle shows why ${brokerName ?? 'the broker'} lost the queue tail (its broker.log / store.log before ${when(ctx, ep.at)} would show a restart, abnormal recovery or role change)`);
      if (!reconsumed) missing.push(`no commit or message trace shows the offsets ${low}–${high - 1} consumed again`);
      // Offsets at or above the broker's (new) max offset are gone from the queue: lost, not
      // consumed again. The blast radius ends there.
      const maxNow = [ep.illegal?.fields.maxOffset ?? null, ...ep.broker.map((b) => b.fields.maxOffset)].find((m): m is number => m !== null && m >= low) ?? null;
      const end = maxNow !== null ? Math.min(high, maxNow) : high;
      // A 4.9.4+ broker corrects to maxOffset: nothing that is still stored is consumed again.
      if (end <= low) continue;
      const lost = maxNow !== null && maxNow < high ? ` (offsets ${maxNow}–${high - 1} are no longer on the broker: lost, not re-delivered)` : '';
      const links = uniqueEvents(chain);
      drafts.push({
        cause: 'offset-overflow-reset',
        confidence,
        queue: q,
        offsetRange: { from: low, to: end - 1 },
        redeliveredCount: end - low,
        window: { start: links[0]!.event.instant, end: links[links.length - 1]!.event.instant },
        summary: `${end - low} messages (offsets ${low}–${end - 1}${q ? ` of ${q.brokerName} queue ${q.queueId}` : ''}) were consumed again${q ? ` by ${q.group}` : ''} because the pull offset ${ep.requestOffset} was beyond the broker's max offset${maxNow !== null ? ` ${maxNow}` : ''}${triggers.length ? ` after ${brokerName} restarted` : ''} and was corrected down to ${low}${lost}.`,
        chain: links,
        missingEvidence: missing,
        messageIds: messages.map((m) => m.msgId),
        anchor: ep.illegal ?? ep.broker[0]!,
        claims: [...(ep.illegal ? [ep.illegal] : []), ...ep.broker, ...fixed, ...fixRemoved, ...persists, ...regressions, ...readds, ...firstPulls],
      });
    }
    return drafts;
  },
};

/** The queue of broker-only corrections: `no queue data` names it; else a [NOTIFYME] commit of the corrected offset by the same client. */
function queueFromBroker(ctx: Context, lines: Corrected[], corrected: number): QueueKey | null {
  const host = lines[0]!.host;
  const bn = brokerNameOf(ctx, host);
  const group = lines.map((l) => l.fields.group).find((g): g is string => g !== null) ?? null;
  const topic = lines.map((l) => l.fields.topic).find((t): t is string => t !== null) ?? null;
  const qid = lines.map((l) => l.fields.queueId).find((n): n is number => n !== null) ?? null;
  if (bn && group && topic && qid !== null) return { group, topic, brokerName: bn, queueId: qid };
  const client = lines.map((l) => (l.fields.client ? hostOfAddr(l.fields.client) : null)).find((c): c is string => c !== null) ?? null;
  const t = lines[0]!.instant;
  const r = ctx
    .of('offset-regression')
    .find(
      (e) =>
        e.host === host &&
        e.fields.requestOffset === corrected &&
        e.instant >= t - ctx.skewMs &&
        e.instant <= t + 5 * MINUTE &&
        (group === null || e.fields.group === group) &&
        (topic === null || e.fields.topic === topic) &&
        (client === null || hostOfAddr(e.fields.clientHost) === client),
    );
  return r ? ctx.queueOf(r) : null;
}

/** One correction per queue and request offset (a retried pull logs the same pair again). */
function dedupe(eps: Episode[]): Episode[] {
  const out: Episode[] = [];
  for (const e of eps) {
    const same = out.find((o) => o.requestOffset === e.requestOffset && o.newOffset === e.newOffset && (o.q === null ? e.q === null : sameQueue(o.q, e.q)) && Math.abs(o.at - e.at) <= 5 * MINUTE);
    if (!same) out.push(e);
    else same.broker.push(...e.broker.filter((b) => !same.broker.includes(b)));
  }
  return out;
}
