import type { Context } from '../correlate/index.js';
import type { EventKind, RmqEvent } from '../model/events.js';
import { flatten } from '../model/strings.js';

/**
 * What a nightly scan carries to the next run so that a causal chain spanning two runs is still
 * found: each queue's last ownership and commit lines per host, broker offset state, and the
 * recent faults and offset events. Carried events keep their original file, line and raw text:
 * evidence from last night is cited as such.
 */
const RECENT_KINDS = new Set<EventKind>([
  'remote-timeout', 'connection-failure', 'heartbeat-failed', 'fetch-offset-failed', 'first-pull-offset', 'pull-offset-illegal',
  'pull-offset-fixed', 'pull-offset-corrected', 'offset-regression', 'queue-added', 'queue-removed', 'queue-add-failed',
  'rebalance-result', 'lock', 'client-start', 'client-shutdown', 'broker-start', 'broker-shutdown', 'broker-last-shutdown',
  'broker-recovery', 'role-change', 'slave-sync', 'channel-expired', 'channel-closed', 'offset-reset', 'consume-failed',
  'dropped-without-result', 'expired-send-back', 'producer-send-failed', 'producer-message', 'late-response', 'flow-control',
  'pop-revive', 'pop-ack', 'pop-ck', 'heartbeat-ok',
]);
const LEDGER_KINDS = new Set<EventKind>(['trace-delivery', 'trace-publication']);

export interface CarryOptions {
  /** Faults and offset events younger than this (before the newest event) are carried. */
  recentMs: number;
  /** Deliveries and stored copies younger than this are carried (a message re-consumed days later). */
  ledgerMs: number;
  /** Hard cap on carried events. */
  max: number;
  /** Of each routine kind (ROUTINE_KINDS), the newest this many recent lines per host. */
  routinePerHost: number;
}

export const DEFAULT_CARRY: CarryOptions = { recentMs: 6 * 3_600_000, ledgerMs: 8 * 86_400_000, max: 200_000, routinePerHost: 32 };

/**
 * Routine kinds a host logs over and over (a heartbeat every 30 s per broker, connection churn):
 * of each, only a host's newest `routinePerHost` recent lines are carried. They show what a chain
 * needs of the run before (the network trouble just before its end, which brokers the host
 * reached); all of them made a fleet's state file 94 MB and its next run 700 MB.
 */
const ROUTINE_KINDS = new Set<EventKind>(['heartbeat-ok', 'connection-failure', 'remote-timeout', 'channel-closed', 'channel-expired', 'flow-control']);

/**
 * File, then line order: the order to read many events' texts in. A lean event's text (which its
 * key holds) is read back from its file's compressed block; in time order, a fleet's thousands
 * of files would each decompress a block of their own, again and again.
 */
export function byFileLine(a: RmqEvent, b: RmqEvent): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line;
}

/** A line's identity across runs (a flat copy: it does not keep the line's text alive). */
export function eventKey(e: RmqEvent): string {
  return flatten(`${e.host ?? ''}|${e.file}|${e.line}|${e.timestampText}|${e.kind}`);
}

export function selectCarried(ctx: Context, opts: CarryOptions = DEFAULT_CARRY): RmqEvent[] {
  const events = ctx.events;
  // "Recent" is measured from the newest log line: snapshot files are stamped with their mtime.
  let newest = Number.NEGATIVE_INFINITY;
  for (const e of events) if (e.zone.from !== 'epoch' && e.instant > newest) newest = e.instant;
  for (const s of ctx.persists.series) if (s.max > newest) newest = s.max;
  if (ctx.cold.max > newest) newest = ctx.cold.max;
  if (!Number.isFinite(newest)) return [];
  const picked: RmqEvent[] = [];
  // The newest routine lines of a (host, kind), newest first while they are gathered.
  const routine = new Map<string, RmqEvent[]>();
  // The last commit and ownership line of every (host, queue), however old.
  const lastPerQueue = new Map<string, RmqEvent>();
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.kind === 'offset-persist' || e.kind === 'queue-added' || e.kind === 'queue-removed' || e.kind === 'offset-snapshot' || e.kind === 'offset-regression') {
      const q = ctx.queueOf(e);
      const k = q ? `${e.kind}|${e.host ?? ''}|${q.group}|${q.topic}|${q.brokerName}|${q.queueId}` : null;
      if (k !== null && !lastPerQueue.has(k)) lastPerQueue.set(k, e);
    } else if (e.kind === 'rebalance-result') {
      const k = `${e.kind}|${e.host ?? ''}|${e.fields.group}|${e.fields.topic}`;
      if (!lastPerQueue.has(k)) lastPerQueue.set(k, e);
    }
    if (RECENT_KINDS.has(e.kind) && newest - e.instant <= opts.recentMs) {
      if (ROUTINE_KINDS.has(e.kind)) {
        const k = `${e.kind}|${e.host ?? ''}`;
        let list = routine.get(k);
        if (!list) routine.set(k, (list = []));
        if (list.length < opts.routinePerHost) list.push(e);
      } else picked.push(e);
    }
    if (LEDGER_KINDS.has(e.kind) && newest - e.instant <= opts.ledgerMs) picked.push(e);
  }
  for (const list of routine.values()) picked.push(...list);
  // Commits live in the persist store: the last of each (host, queue) is kept (across its series).
  const lastCommit = new Map<string, RmqEvent>();
  for (const s of ctx.persists.series) {
    const e = ctx.persists.lastOf(s);
    if (!e) continue;
    const h = s.head;
    const k = `offset-persist|${e.host ?? ''}|${h.group}|${h.mq.topic}|${h.mq.brokerName}|${h.mq.queueId}`;
    const cur = lastCommit.get(k);
    if (!cur || e.instant > cur.instant || (e.instant === cur.instant && e.seq > cur.seq)) lastCommit.set(k, e);
  }
  picked.push(...lastCommit.values(), ...lastPerQueue.values());
  picked.sort(byFileLine);
  const keep = new Map<string, RmqEvent>();
  for (const e of picked) keep.set(eventKey(e), e);
  const out = [...keep.values()].sort((a, b) => a.instant - b.instant || a.seq - b.seq);
  return out.length > opts.max ? out.slice(out.length - opts.max) : out;
}
