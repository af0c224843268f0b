import type { Context, QueueKey } from '../../correlate/index.js';
import type { EventOf, RmqEvent } from '../../model/events.js';
import { hostOfAddr } from '../../model/queue.js';
import { link, MINUTE, missingLogs, onQueue, positionAfter, queueLabel, uniqueEvents, when } from '../evidence.js';
import type { ChainLink, IncidentDraft, Rule } from '../types.js';
import {
  brokerRoles,
  committedAtOrBelow,
  correctedTo,
  lastCommit,
  reconsumedMessages,
  queuesOn,
  restarts,
  roleChanges,
  slaveServing,
  startReads,
  type StartRead,
} from './broker-offset-loss.js';

/**
 * The master of a broker set went down and the consumers were served by a slave whose copy of the
 * consumer offsets lagged (`Update slave consumer offset from master` every 10 s in 4.5–4.9, 60 s
 * otherwise): a consumer that read a queue's offset during the outage got the slave's older
 * value. Or the reverse: the consumers committed to the slave during the outage, the master came
 * back with its older offsets (and the slave overwrote its own with them), and the next read
 * returned the master's value. Either way the offsets read are lower than the ones committed.
 */

const OUTAGE_GAP = 10 * MINUTE;

interface Outage {
  brokerName: string;
  events: RmqEvent[];
  start: number;
  end: number;
}

/** Lines that show the master of a broker set unreachable or replaced, clustered into episodes. */
function outages(ctx: Context, brokerName: string, masters: Set<string>, slaves: Set<string>): Outage[] {
  const ev: RmqEvent[] = [];
  for (const e of ctx.of('slave-sync')) if (!e.fields.ok && e.host && slaves.has(e.host)) ev.push(e);
  for (const e of ctx.of('heartbeat-failed')) {
    const h = e.fields.brokerAddr ? hostOfAddr(e.fields.brokerAddr) : null;
    if ((e.fields.brokerName === brokerName && e.fields.brokerId === 0) || (h !== null && masters.has(h))) ev.push(e);
  }
  for (const e of ctx.of('connection-failure')) {
    const h = e.fields.remote ? hostOfAddr(e.fields.remote) : null;
    if (h !== null && masters.has(h)) ev.push(e);
  }
  for (const e of roleChanges(ctx, brokerName, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)) ev.push(e);
  ev.sort((a, b) => a.instant - b.instant || a.seq - b.seq);
  const out: Outage[] = [];
  for (const e of ev) {
    const cur = out[out.length - 1];
    if (cur && e.instant - cur.end <= OUTAGE_GAP) {
      cur.events.push(e);
      cur.end = e.instant;
    } else out.push({ brokerName, events: [e], start: e.instant, end: e.instant });
  }
  return out;
}

function firstLower(reads: StartRead[], than: number): StartRead | null {
  return reads.find((r) => r.offset < than) ?? null;
}

export const slaveOffsetLag: Rule = {
  meta: {
    code: 'slave-offset-lag',
    title: 'Master down; consumers read lagging offsets from the slave (or the master\'s older ones on its return)',
    description:
      'A slave copies the master\'s consumer offsets periodically (SlaveSynchronize: every 10 s in 4.5–4.9, every 60 s in ≤4.4 and 5.x) and overwrites its own table with them. While the master was down the consumers were served by the slave: a consumer that read a queue offset then (rebalance, restart) got the slave\'s copy, older than the last commits the master had received. Conversely, commits made to the slave during the outage are lost when the master returns with its older offsets. The offsets read are lower than the ones committed before, so the difference is consumed again.',
    remediation:
      'A plain master/slave pair does not fail over consumer offsets: use a DLedger set (4.5+) or 5.x controller mode so a replica with the latest state becomes master, or 5.x slaveActingMaster; bring a failed master back quickly and avoid consumer restarts / rebalances while it is down. Use clients ≥ 4.9.3, which read and commit offsets on the master whenever it is reachable (≤ 4.9.2 picked any broker of the set, so commits made to the slave during the outage are lost when the master returns). Make consumers idempotent (dedupe on the message key / UNIQ_KEY): failover re-delivers by design.',
    references: [
      'catalog §15.2 (SlaveSynchronize, Update slave consumer offset from master, 10 s / 60 s)',
      'catalog §15.3 (role changes)',
      'catalog §2.4 (add a new pull request … nextOffset=)',
      'catalog §12.1 (offsetCheckInSlave=false: the slave does not correct offsets)',
      'catalog §21 #15',
    ],
    byDesign: false,
    priority: 75,
  },
  detect(ctx: Context): IncidentDraft[] {
    const drafts: IncidentDraft[] = [];
    const names = new Set([...ctx.queues.values()].map((t) => t.key.brokerName));
    const allRestarts = restarts(ctx);
    for (const brokerName of names) {
      const roles = brokerRoles(ctx, brokerName);
      const anyRoleChange = roleChanges(ctx, brokerName, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY).length > 0;
      if (roles.slaves.size === 0 && !anyRoleChange) continue; // no slave in the set
      for (const o of outages(ctx, brokerName, roles.masters, roles.slaves)) {
        const ret = allRestarts.find((r) => r.brokerName === brokerName && roles.masters.has(r.host) && r.start.instant >= o.start - MINUTE && r.start.instant <= o.end + 30 * MINUTE) ?? null;
        const serving = slaveServing(ctx, brokerName, o.start, ret ? ret.bootBegin : o.end + OUTAGE_GAP);
        if (serving.length === 0) continue; // no sign that a slave served the consumers
        const lastSync = ctx
          .of('slave-sync')
          .filter((e) => e.fields.ok && e.host !== null && roles.slaves.has(e.host) && e.instant <= o.start + ctx.skewMs && e.instant >= o.start - 30 * MINUTE)
          .pop() ?? null;
        const syncsAfterReturn = ret
          ? ctx.of('slave-sync').filter((e) => e.fields.ok && e.host !== null && roles.slaves.has(e.host) && e.instant >= ret.start.instant && e.instant <= ret.start.instant + 5 * MINUTE)
          : [];
        const outageEnd = ret ? ret.bootBegin - ctx.skewMs - 1 : o.end + OUTAGE_GAP;
        const firstDown = o.events[0]!;
        const roleLines = o.events.filter((e): e is EventOf<'role-change'> => e.kind === 'role-change');
        for (const t of queuesOn(ctx, brokerName)) {
          const q = t.key;
          const before = lastCommit(ctx, q, o.start - 10 * MINUTE, o.start + ctx.skewMs);
          // Variant 1: a start offset read while the master was down, lower than the last commit.
          let variant: 'slave-read' | 'master-return' | null = null;
          let read: StartRead | null = null;
          let committed: EventOf<'offset-persist'> | null = null;
          if (before) {
            const r1 = firstLower(startReads(ctx, q, o.start - ctx.skewMs, outageEnd), before.fields.offset);
            if (r1 && acceptable(ctx, q, r1, before)) {
              variant = 'slave-read';
              read = r1;
              committed = before;
            }
          }
          // Variant 2: commits went to the slave during the outage; the returning master had older offsets.
          if (!variant && ret) {
            const during = lastCommit(ctx, q, o.start + ctx.skewMs + 1, ret.bootBegin);
            if (during && (!before || during.fields.offset > before.fields.offset)) {
              const r2 = firstLower(startReads(ctx, q, ret.bootBegin - ctx.skewMs, ret.start.instant + 15 * MINUTE), during.fields.offset);
              if (r2 && acceptable(ctx, q, r2, during)) {
                variant = 'master-return';
                read = r2;
                committed = during;
              }
            }
          }
          if (!variant || !read || !committed) continue;
          const low = read.offset;
          const high = committed.fields.offset;
          const companions = startReads(ctx, q, read.event.instant, read.event.instant + 2 * MINUTE).filter((x) => x !== read && x.offset === low);
          const expiredAll = ctx
            .of('channel-expired')
            .filter((e) => e.fields.group === q.group && e.instant >= o.start - MINUTE && e.instant <= read!.event.instant + ctx.skewMs);
          // Prefer the line of this broker set (the slave serving the group).
          const expired = [expiredAll.find((e) => e.host !== null && (roles.slaves.has(e.host) || roles.masters.has(e.host))) ?? expiredAll[0]].filter((e): e is EventOf<'channel-expired'> => e !== undefined);
          const removed = onQueue(ctx, 'queue-removed', q, o.start - MINUTE, read.event.instant).filter((e) => e.host !== read!.event.host).slice(-1);
          const progressed = positionAfter(ctx, q, read.event.instant);
          const messages = reconsumedMessages(ctx, q, low, high - 1, read.event.instant);
          const reconsumed = messages.length > 0 || (progressed !== null && progressed.offset > low);

          const chain: ChainLink[] = [];
          if (variant === 'slave-read') {
            if (lastSync) chain.push(link(lastSync, `last successful copy of the consumer offsets from the master to the slave ${lastSync.host ?? ''} before the outage`.replace('  ', ' ')));
            chain.push(link(committed, `${committed.host ?? 'a client'} commits offset ${high} of ${q.brokerName}:${q.queueId}${lastSync && committed.instant > lastSync.instant ? ' after the slave\'s last sync: only the master has it' : ''}`));
          } else {
            if (before) chain.push(link(before, `${before.host ?? 'a client'} commits offset ${before.fields.offset} of ${q.brokerName}:${q.queueId} before the master went down`));
          }
          chain.push(link(firstDown, `the master of ${brokerName} is unreachable: ${describeDown(firstDown)}`));
          for (const e of roleLines.slice(0, 2)) chain.push(link(e, `${brokerName} role change: ${e.fields.phase} ${e.fields.role}`));
          const servingLink = serving.find((e) => e.kind !== 'role-change' && e.kind !== 'slave-sync' && e.instant <= read!.event.instant + ctx.skewMs) ?? serving.find((e) => e.kind !== 'role-change' && e !== firstDown && e.instant <= read!.event.instant + ctx.skewMs);
          if (servingLink) chain.push(link(servingLink, `a slave of ${brokerName} (${servingLink.kind === 'heartbeat-ok' ? servingLink.fields.brokerAddr : servingLink.host ?? '?'}) is up and serves the consumers`));
          if (variant === 'master-return') {
            chain.push(link(committed, `${committed.host ?? 'a client'} commits offset ${high} while the master is down: the commit reaches only the slave`));
            chain.push(link(ret!.start, `the master ${brokerName} (${ret!.start.fields.brokerAddr}) comes back with its older consumer offsets`));
            for (const e of syncsAfterReturn.slice(0, 1)) chain.push(link(e, `the slave overwrites its consumer offsets with the master's`));
          }
          for (const e of expired) chain.push(link(e, `the broker expires a consumer channel of ${q.group}: its queues are rebalanced`));
          for (const e of removed) chain.push(link(e, `${e.host ?? 'a client'} gives up ${queueLabel(q)}`));
          chain.push(link(read.event, `${read.event.host ?? 'a client'} reads offset ${low} for ${queueLabel(q)}${variant === 'slave-read' ? ' from the slave' : ' from the returned master'}, below the committed ${high}`));
          for (const c of companions.slice(0, 1)) chain.push(link(c.event, `${c.event.host ?? 'a client'} starts pulling ${q.brokerName}:${q.queueId} at ${low}`));
          for (const m of messages.slice(0, 3)) chain.push(link(m.event, `message ${m.msgId} consumed again`));
          if (progressed && progressed.offset > low) chain.push(link(progressed.event, `consumption passes the re-read range again: offset ${progressed.offset} committed`));

          const lagProven = variant === 'slave-read' ? lastSync !== null && committed.instant > lastSync.instant - ctx.skewMs : true;
          const confidence = reconsumed && lagProven ? 'high' : reconsumed || lagProven ? 'medium' : 'low';
          const missing = missingLogs(ctx, { clients: [read.event.host, committed.host], brokerNames: [q.brokerName] });
          if (roles.slaves.size === 0) missing.push(`no broker.log from a slave of ${brokerName}: its "Update slave consumer offset from master" lines show how old its copy was`);
          else if (variant === 'slave-read' && !lastSync) missing.push(`no "Update slave consumer offset from master" line of the slave before ${when(ctx, o.start)}: the age of the slave's copy is inferred`);
          if (!reconsumed) missing.push(`no commit or message trace shows the offsets ${low}–${high - 1} consumed again`);
          const links = uniqueEvents(chain);
          drafts.push({
            cause: 'slave-offset-lag',
            confidence,
            queue: q,
            offsetRange: { from: low, to: high - 1 },
            redeliveredCount: high - low,
            window: { start: links[0]!.event.instant, end: links[links.length - 1]!.event.instant },
            summary:
              variant === 'slave-read'
                ? `${high - low} messages (offsets ${low}–${high - 1} of ${brokerName} queue ${q.queueId}) were consumed again by ${q.group}${read.event.host ? ` on ${read.event.host}` : ''}: the master of ${brokerName} went down (${firstDown.timestampText}) and the offset ${low} was read from the slave, whose copy lagged behind the committed ${high}.`
                : `${high - low} messages (offsets ${low}–${high - 1} of ${brokerName} queue ${q.queueId}) were consumed again by ${q.group}${read.event.host ? ` on ${read.event.host}` : ''}: offset ${high} was committed to the slave while the master was down, and the master came back (${ret!.start.timestampText}) with the older offset ${low}.`,
            chain: links,
            missingEvidence: missing,
            messageIds: messages.map((m) => m.msgId),
            anchor: read.event,
            claims: [read.event, ...companions.map((c) => c.event)],
          });
        }
      }
    }
    return drafts;
  },
};

/** The lower read is not an OFFSET_ILLEGAL correction and not something a client committed itself. */
function acceptable(ctx: Context, q: QueueKey, read: StartRead, committed: EventOf<'offset-persist'>): boolean {
  if (correctedTo(ctx, q, read.offset, committed.instant, read.event.instant + ctx.skewMs)) return false;
  return !committedAtOrBelow(ctx, q, read.offset, committed.instant, read.event.instant);
}

function describeDown(e: RmqEvent): string {
  switch (e.kind) {
    case 'slave-sync':
      return `the slave ${e.host ?? ''} fails to sync from ${e.fields.masterAddr ?? 'the master'}`;
    case 'heartbeat-failed':
      return `heartbeat from ${e.host ?? 'a client'} to ${e.fields.brokerAddr ?? 'the master'} failed`;
    case 'connection-failure':
      return `${e.host ?? 'a client'} cannot connect to ${e.fields.remote ?? 'the master'}`;
    case 'role-change':
      return `role change ${e.fields.phase} ${e.fields.role}`;
    default:
      return e.kind;
  }
}
