import { queueKeyString, type Context, type QueueKey, type QueueTimeline } from '../../correlate/index.js';
import type { EventOf, RmqEvent } from '../../model/events.js';
import { hostOfAddr } from '../../model/queue.js';
import { firstLineOnHost, highestCommit, lastQuietLineOnHost, link, MINUTE, missingLogs, onQueue, persistsOn, positionAfter, queueLabel, sameQueue, uniqueEvents, when } from '../evidence.js';
import type { ChainLink, IncidentDraft, Rule } from '../types.js';

/**
 * A broker crash (kill -9, OOM killer, power loss) loses the consumer offsets committed after the
 * last 5 s flush of `config/consumerOffset.json`: after the restart the broker serves the older
 * values and the consumers that read them (a rebalance re-adding the queue, an orderly first pull)
 * consume the difference again.
 *
 * Shared with `slave-offset-lag` and `offset-overflow-reset`: the start-offset reads of a queue,
 * the master/slave hosts of a broker name and the OFFSET_ILLEGAL exclusion live here.
 */

// ---------------------------------------------------------------------------------------------
// shared helpers (broker-offset-loss, slave-offset-lag, offset-overflow-reset)

/** A line that shows where a client starts consuming a queue. */
export interface StartRead {
  offset: number;
  event: EventOf<'queue-added'> | EventOf<'first-pull-offset'>;
}

/**
 * Start offsets read from the broker for a queue within [from, to]: `add a new pull request …
 * nextOffset=N` (4.x rebalance) and the orderly `the first time to pull message … NewOffset: N`.
 * Negative values (offset read failures) belong to `offset-fetch-failure`.
 */
export function startReads(ctx: Context, q: QueueKey, from: number, to: number): StartRead[] {
  const out: StartRead[] = [];
  for (const e of queueEvents(ctx, q, from, to)) {
    if (e.kind === 'queue-added' && e.fields.step === 'pull-request' && e.fields.nextOffset !== null && e.fields.nextOffset >= 0) out.push({ offset: e.fields.nextOffset, event: e });
    else if (e.kind === 'first-pull-offset' && e.fields.newOffset >= 0) out.push({ offset: e.fields.newOffset, event: e });
  }
  return out.sort((a, b) => a.event.instant - b.event.instant || a.event.seq - b.event.seq);
}

/** The events of one queue's timeline within [from, to] (indexed by the correlator: no scan of the whole bundle). */
export function queueEvents(ctx: Context, q: QueueKey, from: number, to: number): RmqEvent[] {
  const t = ctx.queues.get(queueKeyString(q));
  if (!t) return [];
  const out: RmqEvent[] = [];
  for (const en of t.entries) if (en.event.instant >= from && en.event.instant <= to && sameQueue(ctx.queueOf(en.event), q)) out.push(en.event);
  return out;
}

/** The last (highest) offset committed for a queue within [from, to] by any client. */
export function lastCommit(ctx: Context, q: QueueKey, from: number, to: number): EventOf<'offset-persist'> | null {
  return highestCommit(ctx, q, from, to)?.event() ?? null;
}

/**
 * A start offset that the broker's OFFSET_ILLEGAL correction produced (client `the pull request
 * offset illegal … nextBeginOffset=N`, `fix the pull request offset … nextOffset=N`, broker
 * `PULL_OFFSET_MOVED … newOffset=N`): `offset-overflow-reset` / `offset-fetch-failure` own it.
 */
export function correctedTo(ctx: Context, q: QueueKey, offset: number, from: number, to: number): boolean {
  if (onQueue(ctx, 'pull-offset-illegal', q, from, to).some((e) => e.fields.nextBeginOffset === offset)) return true;
  if (onQueue(ctx, 'pull-offset-fixed', q, from, to).some((e) => e.fields.offset === offset)) return true;
  return ctx
    .of('pull-offset-corrected')
    .some(
      (e) =>
        e.instant >= from &&
        e.instant <= to &&
        e.fields.newOffset === offset &&
        e.fields.reason !== 'too-small' &&
        (e.fields.group === null || e.fields.group === q.group) &&
        (e.fields.topic === null || e.fields.topic === q.topic) &&
        (e.fields.queueId === null || e.fields.queueId === q.queueId) &&
        (ctx.brokers.nameOfHost(e.host) === null || ctx.brokers.nameOfHost(e.host) === q.brokerName),
    );
}

/** Master and slave hosts of a broker name, from heartbeats (brokerId), boot lines and slave syncs. */
export interface BrokerRoles {
  masters: Set<string>;
  slaves: Set<string>;
}

export function brokerRoles(ctx: Context, brokerName: string): BrokerRoles {
  const masters = new Set<string>();
  const slaves = new Set<string>();
  const syncHosts = new Set<string>();
  for (const e of ctx.of('slave-sync')) {
    if (!e.host) continue;
    syncHosts.add(e.host);
    const m = e.fields.masterAddr ? hostOfAddr(e.fields.masterAddr) : null;
    const name = ctx.brokers.nameOfHost(m) ?? ctx.brokers.nameOfHost(e.host);
    if (name === brokerName) {
      slaves.add(e.host);
      if (m) masters.add(m);
    }
  }
  for (const k of ['heartbeat-ok', 'heartbeat-failed'] as const) {
    for (const e of ctx.of(k)) {
      if (e.fields.brokerName !== brokerName || e.fields.brokerAddr === null || e.fields.brokerId === null) continue;
      const h = hostOfAddr(e.fields.brokerAddr);
      if (!h) continue;
      (e.fields.brokerId === 0 ? masters : slaves).add(h);
    }
  }
  for (const e of ctx.of('broker-start')) {
    if (e.fields.brokerName !== brokerName) continue;
    const h = hostOfAddr(e.fields.brokerAddr) ?? e.host;
    if (!h) continue;
    if (syncHosts.has(h) || slaves.has(h)) slaves.add(h);
    else masters.add(h);
  }
  for (const s of slaves) masters.delete(s);
  return { masters, slaves };
}

/** Is a broker host a slave (it syncs offsets from a master, or clients heartbeat it with brokerId > 0)? */
export function isSlaveHost(ctx: Context, host: string, brokerName: string): boolean {
  return brokerRoles(ctx, brokerName).slaves.has(host);
}

/**
 * A slave of the broker name served (was alive and reachable) within [from, to]: slave-side lines
 * in the window, a role change, or a client heartbeat that reached a slave.
 */
export function slaveServing(ctx: Context, brokerName: string, from: number, to: number): RmqEvent[] {
  const roles = brokerRoles(ctx, brokerName);
  const out: RmqEvent[] = [];
  for (const h of roles.slaves) {
    const first = firstLineOnHost(ctx, h, from, to);
    if (first) out.push(first);
  }
  for (const e of roleChanges(ctx, brokerName, from, to)) out.push(e);
  for (const e of ctx.of('heartbeat-ok')) {
    if (e.fields.brokerName === brokerName && e.fields.brokerId > 0 && e.instant >= from && e.instant <= to) out.push(e);
  }
  return out.sort((a, b) => a.instant - b.instant);
}

/** Role-change lines of a broker name (lines that print no name count on the broker's hosts). */
export function roleChanges(ctx: Context, brokerName: string, from: number, to: number): EventOf<'role-change'>[] {
  return ctx
    .of('role-change')
    .filter((e) => e.instant >= from && e.instant <= to && (e.fields.brokerName ?? ctx.brokers.nameOfHost(e.host)) === brokerName);
}

/** Queue timelines on one broker name. */
export function queuesOn(ctx: Context, brokerName: string): QueueTimeline[] {
  return [...ctx.queues.values()].filter((t) => t.key.brokerName === brokerName);
}

/** A client committed `offset` or less for the queue within (from, to): the lower read is then what the clients committed. */
export function committedAtOrBelow(ctx: Context, q: QueueKey, offset: number, from: number, to: number): boolean {
  return ctx.persists.best(ctx.persists.ofQueue(q), from, to, () => false, (r) => r.instant > from && r.offset <= offset) !== null;
}

/**
 * Deliveries after `after` of messages stored in a queue's offset range [from, to]. Like
 * evidence.redeliveredMessages, but a position printed by mqadmin (queryMsgByUniqueKey) also
 * counts when the ledger kept an earlier trace Pub of the same copy that carries none.
 */
export function reconsumedMessages(ctx: Context, q: QueueKey, from: number, to: number, after: number): { msgId: string; event: RmqEvent }[] {
  const positions = new Map<string, number[]>();
  const note = (msgId: string, offset: number): void => {
    let l = positions.get(msgId);
    if (!l) positions.set(msgId, (l = []));
    l.push(offset);
  };
  for (const e of ctx.of('trace-publication')) {
    const f = e.fields;
    if (f.queueOffset === null || f.queueId !== q.queueId || (f.topic !== null && f.topic !== q.topic)) continue;
    const bn = f.brokerName ?? (f.storeHost ? ctx.brokers.nameOfHost(hostOfAddr(f.storeHost)) : null);
    if (bn === q.brokerName) note(f.msgId, f.queueOffset);
  }
  const out: { msgId: string; event: RmqEvent }[] = [];
  for (const entry of ctx.ledger.values()) {
    for (const c of entry.copies) {
      if (c.brokerName === q.brokerName && c.queueId === q.queueId && c.queueOffset !== null && (c.topic === null || c.topic === q.topic)) note(entry.msgId, c.queueOffset);
    }
    const stored = (positions.get(entry.msgId) ?? []).some((o) => o >= from && o <= to);
    const inRange = (d: (typeof entry.deliveries)[number]): boolean =>
      d.queueOffset !== null ? d.brokerName === q.brokerName && d.queueId === q.queueId && d.queueOffset >= from && d.queueOffset <= to : stored;
    const later = entry.deliveries
      .filter((d) => d.time >= after - ctx.skewMs && (d.group === null || d.group === q.group) && inRange(d))
      .sort((a, b) => a.time - b.time);
    if (later.length > 0) out.push({ msgId: entry.msgId, event: later[0]!.event });
  }
  return out.sort((a, b) => a.event.instant - b.event.instant);
}


// ---------------------------------------------------------------------------------------------

/** One broker restart and how it ended before. */
interface Restart {
  start: EventOf<'broker-start'>;
  host: string;
  brokerName: string;
  /** First line of the start-up sequence (store.log `last shutdown …`, recovery lines), else the boot line. */
  bootBegin: number;
  /** Last line the broker wrote before it went down, when its log covers that time. */
  lastBefore: RmqEvent | null;
  hook: EventOf<'broker-shutdown'> | null;
  lastShutdown: EventOf<'broker-last-shutdown'> | null;
  recovery: EventOf<'broker-recovery'>[];
  abnormal: boolean;
  clean: boolean;
}

/** Lines a broker writes while it starts (config loads, store.log recovery), before `boot success`. */
function isStartupLine(e: RmqEvent): boolean {
  if (e.kind === 'broker-last-shutdown' || e.kind === 'broker-recovery') return true;
  return e.kind === 'info' && (e.fields.what === 'config-load' || e.fields.what === 'load-offset-data-version');
}

/** Every broker start, with the evidence of how the previous run ended. */
export function restarts(ctx: Context): Restart[] {
  const out: Restart[] = [];
  const starts = ctx.of('broker-start');
  for (const s of starts) {
    const host = hostOfAddr(s.fields.brokerAddr) ?? s.host;
    if (!host) continue;
    const onIt = (e: RmqEvent): boolean => e.host === host || e.host === s.host;
    const prevStart = starts.filter((x) => x !== s && onIt(x) && x.instant < s.instant).pop() ?? null;
    const since = prevStart ? prevStart.instant + 1 : s.instant - 24 * 60 * MINUTE;
    const lastShutdown = ctx.of('broker-last-shutdown').filter((e) => onIt(e) && e.instant >= s.instant - 2 * MINUTE && e.instant <= s.instant + ctx.skewMs).pop() ?? null;
    const recovery = ctx.of('broker-recovery').filter((e) => onIt(e) && e.instant >= s.instant - 2 * MINUTE && e.instant <= s.instant + ctx.skewMs);
    // The start-up sequence: the contiguous run of start-up lines right before the boot line.
    let bootBegin = s.instant;
    let lastBefore: RmqEvent | null = null;
    const mine = ctx.events.filter((e) => onIt(e) && e.instant >= since && e.instant <= s.instant && e !== s);
    // (commit and routine lines, kept out of the events, are lines of the host too: never start-up lines)
    const commitBefore = (t: number): RmqEvent | null =>
      [lastQuietLineOnHost(ctx, host, since - 1, t), s.host !== null && s.host !== host ? lastQuietLineOnHost(ctx, s.host, since - 1, t) : null]
        .filter((x): x is RmqEvent => x !== null)
        .sort((a, b) => a.instant - b.instant || a.seq - b.seq)
        .pop() ?? null;
    for (let i = mine.length - 1; i >= -1; i--) {
      const c = commitBefore(bootBegin);
      const e = i >= 0 ? mine[i]! : null;
      if (c && (e === null || c.instant > e.instant || (c.instant === e.instant && c.seq > e.seq))) {
        lastBefore = c;
        break;
      }
      if (e === null) break;
      if (isStartupLine(e) && s.instant - e.instant <= 2 * MINUTE) {
        bootBegin = Math.min(bootBegin, e.instant);
        continue;
      }
      if (e.instant >= bootBegin) continue; // another line of the start-up second
      lastBefore = e;
      break;
    }
    const hook = ctx.of('broker-shutdown').filter((e) => onIt(e) && e.instant >= since && e.instant <= s.instant && e.fields.phase === 'begin').pop() ?? null;
    const abnormalRecovery = recovery.some((r) => r.fields.abnormal);
    const abnormal = lastShutdown?.fields.abnormal === true || abnormalRecovery || (hook === null && lastBefore !== null && lastBefore.kind !== 'broker-shutdown');
    const clean = !abnormal && (lastShutdown?.fields.abnormal === false || hook !== null);
    out.push({ start: s, host, brokerName: s.fields.brokerName, bootBegin, lastBefore, hook, lastShutdown, recovery, abnormal, clean });
  }
  return out;
}

/** Client lines that show a broker host unreachable within [from, to]: connection failures, timeouts, failed heartbeats. */
function faultsTowards(ctx: Context, host: string, from: number, to: number): RmqEvent[] {
  const out: RmqEvent[] = [];
  const hits = (addr: string | null): boolean => addr !== null && hostOfAddr(addr) === host;
  for (const e of ctx.of('connection-failure')) if (e.instant > from && e.instant <= to && hits(e.fields.remote)) out.push(e);
  for (const e of ctx.of('remote-timeout')) if (e.instant > from && e.instant <= to && hits(e.fields.remote)) out.push(e);
  for (const e of ctx.of('heartbeat-failed')) if (e.instant > from && e.instant <= to && hits(e.fields.brokerAddr)) out.push(e);
  return out.sort((a, b) => a.instant - b.instant || a.seq - b.seq);
}

export const brokerOffsetLoss: Rule = {
  meta: {
    code: 'broker-offset-loss',
    title: 'Broker crashed before flushing consumer offsets; consumers resumed from older offsets',
    description:
      'The broker keeps consumer offsets in memory and flushes config/consumerOffset.json every 5 s (flushConsumerOffsetInterval) and at a clean shutdown. It was killed or lost power (no "Shutdown hook was invoked" before the new "boot success", store.log "last shutdown abnormally"), so the commits of the last seconds were lost: after the restart the consumers that read the queue offset again (rebalance re-adding the queue, orderly first pull) got an offset lower than the one they had committed and consumed the difference again.',
    remediation:
      'Stop brokers with mqshutdown / SIGTERM so the shutdown hook persists offsets (never kill -9; size the JVM and the container memory so the OOM killer does not fire); use a master/slave or DLedger set so a crash does not take the offsets with it; a shorter flushConsumerOffsetInterval narrows the window. Make consumers idempotent (dedupe on the message key / UNIQ_KEY): RocketMQ guarantees at-least-once delivery.',
    references: [
      'catalog §11.3 (consumerOffset.json, 5 s flush, crash loses the last commits)',
      'catalog §15.1 (boot success, Shutdown hook was invoked, last shutdown abnormally)',
      'catalog §2.4 (add a new pull request … nextOffset=)',
      'catalog §4.1 (orderly first pull NewOffset)',
      'catalog §21 #15',
    ],
    byDesign: false,
    priority: 75,
  },
  detect(ctx: Context): IncidentDraft[] {
    const drafts: IncidentDraft[] = [];
    for (const r of restarts(ctx)) {
      if (r.clean) continue; // offsets were flushed by the shutdown hook
      if (isSlaveHost(ctx, r.host, r.brokerName)) continue; // a slave's restart loses no master offsets
      // The broker died between its last line and the first client fault towards it (else the restart).
      const crashLower = r.lastBefore ? r.lastBefore.instant : r.bootBegin - 10 * MINUTE;
      const faults = faultsTowards(ctx, r.host, crashLower, r.bootBegin);
      const crashT = faults.length > 0 ? faults[0]!.instant : r.bootBegin;
      for (const t of queuesOn(ctx, r.brokerName)) {
        const q = t.key;
        // The last commit the broker received before it went down.
        const before = lastCommit(ctx, q, crashLower - 10 * MINUTE, crashT + ctx.skewMs);
        if (!before) continue;
        const committed = before.fields.offset;
        // Commits that advanced while the broker was down went to a slave: slave-offset-lag.
        const during = lastCommit(ctx, q, crashT + ctx.skewMs + 1, r.bootBegin);
        if (during && during.fields.offset > committed && slaveServing(ctx, r.brokerName, crashLower, r.bootBegin).length > 0) continue;
        const horizon = r.start.instant + 15 * MINUTE;
        const reads = startReads(ctx, q, r.bootBegin - ctx.skewMs, horizon);
        const read = reads.find((x) => x.offset < committed) ?? null;
        let snapshot: EventOf<'offset-snapshot'> | null = null;
        if (!read) {
          // No client read: a consumerOffset.json snapshot of this broker lower than the last commit.
          snapshot =
            ctx
              .of('offset-snapshot')
              .filter((e) => e.host === r.host && (e.fields.source === 'consumerOffset.json' || e.fields.source === 'consumerOffset.json.bak') && sameQueue(ctx.queueOf(e), q) && e.fields.consumerOffset < committed && e.fields.consumerOffset >= 0)
              .sort((a, b) => b.fields.consumerOffset - a.fields.consumerOffset)[0] ?? null;
          if (!snapshot) continue;
        }
        const low = read ? read.offset : snapshot!.fields.consumerOffset;
        const readAt = read ? read.event.instant : r.start.instant;
        // The lower value is the broker's OFFSET_ILLEGAL correction, not a lost commit.
        if (correctedTo(ctx, q, low, r.bootBegin - ctx.skewMs, readAt + ctx.skewMs)) continue;
        // A client committed the lower value itself after the last commit: nothing was lost.
        if (committedAtOrBelow(ctx, q, low, before.instant, readAt)) continue;

        const companions = read ? reads.filter((x) => x !== read && x.offset === low && x.event.instant - read.event.instant <= 2 * MINUTE) : [];
        const flushed = persistsOn(ctx, q, crashLower - 10 * MINUTE, before.instant, (r) => r.offset === low).pop() ?? null;
        const snapshots = ctx
          .of('offset-snapshot')
          .filter((e) => e.host === r.host && sameQueue(ctx.queueOf(e), q) && e.fields.consumerOffset === low && e !== snapshot);
        const downFaults = faults.filter((e) => e.host !== null && e.host === before.host).concat(faults).slice(0, 1);
        const progressed = positionAfter(ctx, q, readAt);
        const messages = reconsumedMessages(ctx, q, low, committed - 1, readAt);

        const chain: ChainLink[] = [];
        if (flushed) chain.push(link(flushed, `${flushed.host ?? 'a client'} commits offset ${low} of ${q.brokerName}:${q.queueId} (the value the broker had flushed)`));
        chain.push(link(before, `${before.host ?? 'a client'} commits offset ${committed} of ${q.brokerName}:${q.queueId}: the last commit before the broker went down`));
        if (r.lastBefore) chain.push(link(r.lastBefore, `last line ${r.brokerName} (${r.host}) wrote before it went down${r.hook ? '' : ', with no "Shutdown hook was invoked" after it: the broker was killed'}`));
        for (const e of downFaults.slice(0, 1)) chain.push(link(e, `${e.host ?? 'a client'} cannot reach ${r.brokerName}: the broker is down`));
        if (r.lastShutdown) chain.push(link(r.lastShutdown, r.lastShutdown.fields.abnormal ? `store.log: the previous run ended abnormally (abort file present), offsets not flushed since the last 5 s persist are lost` : `store.log: the previous run ended normally`));
        for (const e of r.recovery.filter((x) => x.fields.abnormal).slice(0, 1)) chain.push(link(e, `abnormal recovery of the store: ${e.fields.detail}`));
        chain.push(link(r.start, `${r.brokerName} (${r.start.fields.brokerAddr}) restarts and serves the offsets loaded from consumerOffset.json`));
        for (const e of snapshots.slice(0, 1)) chain.push(link(e, `${e.fields.source} holds offset ${low} for ${q.brokerName}:${q.queueId}`));
        if (read) chain.push(link(read.event, `${read.event.host ?? 'a client'} reads offset ${low} for ${queueLabel(q)} from the restarted broker, below the committed ${committed}`));
        if (snapshot) chain.push(link(snapshot, `${snapshot.fields.source} of ${r.brokerName} holds offset ${low}, below the committed ${committed}`));
        for (const c of companions.slice(0, 1)) chain.push(link(c.event, `${c.event.host ?? 'a client'} starts pulling ${q.brokerName}:${q.queueId} at ${low}`));
        for (const m of messages.slice(0, 3)) chain.push(link(m.event, `message ${m.msgId} consumed again`));
        if (progressed && progressed.offset > low) chain.push(link(progressed.event, `consumption passes the re-read range again: offset ${progressed.offset} committed`));

        const reconsumed = messages.length > 0 || (progressed !== null && progressed.offset > low);
        const abnormalProven = r.lastShutdown?.fields.abnormal === true || r.recovery.some((x) => x.fields.abnormal) || (r.lastBefore !== null && r.hook === null);
        const confidence = read && abnormalProven && reconsumed ? 'high' : read && (abnormalProven || reconsumed) ? 'medium' : 'low';
        const missing = missingLogs(ctx, { clients: [read?.event.host ?? null, before.host], brokerNames: [q.brokerName] });
        if (!r.lastShutdown) missing.push(`no store.log from ${r.brokerName} (${r.host}) around ${when(ctx, r.start.instant)}: its "last shutdown normally/abnormally" line proves how the previous run ended`);
        if (!r.lastBefore) missing.push(`broker.log of ${r.brokerName} (${r.host}) does not cover the time before the restart: the missing "Shutdown hook was invoked" cannot be checked`);
        if (!read) missing.push(`no client line shows a consumer reading offset ${low} after the restart (rocketmq_client.log of the queue's owner: "add a new pull request … nextOffset=")`);
        if (!reconsumed) missing.push(`no commit or message trace shows the offsets ${low}–${committed - 1} consumed again`);
        const links = uniqueEvents(chain);
        drafts.push({
          cause: 'broker-offset-loss',
          confidence,
          queue: q,
          offsetRange: { from: low, to: committed - 1 },
          redeliveredCount: committed - low,
          window: { start: links[0]!.event.instant, end: links[links.length - 1]!.event.instant },
          summary: `${committed - low} messages (offsets ${low}–${committed - 1} of ${q.brokerName} queue ${q.queueId}) were consumed again by ${q.group}${read?.event.host ? ` on ${read.event.host}` : ''} because ${r.brokerName} (${r.host}) went down ${r.abnormal ? 'without a clean shutdown' : ''} after the commit of ${committed} and came back (${r.start.timestampText}) with the older offset ${low}.`.replace('  ', ' '),
          chain: links,
          missingEvidence: missing,
          messageIds: messages.map((m) => m.msgId),
          anchor: read ? read.event : snapshot!,
          claims: [read ? read.event : snapshot!, ...companions.map((c) => c.event)],
        });
      }
    }
    return drafts;
  },
};

