import { formatInstant, offsetAt } from '../model/time.js';
import type { Context, EventKindOf, QueueKey } from '../correlate/index.js';
import type { Persist, PersistRow, PersistSeries } from '../model/persists.js';
import { queueKeyString } from '../correlate/index.js';
import type { EventKind, EventOf, RmqEvent } from '../model/events.js';
import { fastPath } from '../ingest/fastpath.js';
import { hostOfAddr, mqLabel } from '../model/queue.js';
import type { ChainLink } from './types.js';

/** Shared evidence queries the rules build their chains from. */

export const MINUTE = 60_000;

/** A time for a summary sentence, in the display zone: `2024-05-10 14:23:02 +08:00`. */
export function when(ctx: Context, t: number): string {
  return formatInstant(t, ctx.displayZone).slice(0, 19).replace('T', ' ') + ' ' + offsetAt(ctx.displayZone, t);
}

export function link(event: RmqEvent, what: string): ChainLink {
  return { event, what };
}

export function sameQueue(a: QueueKey | null, b: QueueKey | null): boolean {
  return a !== null && b !== null && queueKeyString(a) === queueKeyString(b);
}

export function queueLabel(q: QueueKey): string {
  return `${q.group} ${q.topic} ${mqLabel({ topic: q.topic, brokerName: q.brokerName, queueId: q.queueId })}`;
}

/**
 * Per-context indexes of one kind's events by queue and by host, built on first use: each list
 * keeps the kind's order; `sorted` says whether it is in instant order (then a window is found by
 * binary search, else by a scan — the result is the same either way).
 */
interface Slice {
  list: RmqEvent[];
  sorted: boolean;
}
interface KindIndex {
  byQueue: Map<string, Slice> | null;
  byHost: Map<string, Slice> | null;
}
const indexes = new WeakMap<Context, Map<EventKind, KindIndex>>();

function kindIndex(ctx: Context, kind: EventKind): KindIndex {
  let perCtx = indexes.get(ctx);
  if (!perCtx) indexes.set(ctx, (perCtx = new Map()));
  let k = perCtx.get(kind);
  if (!k) perCtx.set(kind, (k = { byQueue: null, byHost: null }));
  return k;
}

function group(events: readonly RmqEvent[], keyOf: (e: RmqEvent) => string | null): Map<string, Slice> {
  const out = new Map<string, Slice>();
  for (const e of events) {
    const key = keyOf(e);
    if (key === null) continue;
    let s = out.get(key);
    if (!s) out.set(key, (s = { list: [], sorted: true }));
    const prev = s.list[s.list.length - 1];
    if (prev !== undefined && !(prev.instant <= e.instant)) s.sorted = false;
    s.list.push(e);
  }
  return out;
}

/** The events of a slice within [from, to] (inclusive), in the slice's order. */
function window(s: Slice | undefined, from: number, to: number): RmqEvent[] {
  if (!s) return [];
  const list = s.list;
  if (!s.sorted) return list.filter((e) => e.instant >= from && e.instant <= to);
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.instant < from) lo = mid + 1;
    else hi = mid;
  }
  const out: RmqEvent[] = [];
  for (let i = lo; i < list.length; i++) {
    const e = list[i]!;
    if (!(e.instant <= to)) break;
    if (e.instant >= from) out.push(e);
  }
  return out;
}

/** Events of a kind on one host within [from, to] (inclusive). */
export function onHost<K extends EventKindOf>(ctx: Context, kind: K, host: string | null, from: number, to: number): EventOf<K>[] {
  if (!host) return [];
  if (!fastPath.enabled) return (ctx.of(kind) as readonly RmqEvent[]).filter((e) => e.host === host && e.instant >= from && e.instant <= to) as EventOf<K>[];
  const k = kindIndex(ctx, kind);
  k.byHost ??= group(ctx.of(kind), (e) => e.host);
  return window(k.byHost.get(host), from, to) as EventOf<K>[];
}

/** Events of a kind that belong to a queue, within [from, to]. */
export function onQueue<K extends EventKindOf>(ctx: Context, kind: K, q: QueueKey, from: number, to: number): EventOf<K>[] {
  if (!fastPath.enabled) return (ctx.of(kind) as readonly RmqEvent[]).filter((e) => e.instant >= from && e.instant <= to && sameQueue(ctx.queueOf(e), q)) as EventOf<K>[];
  const k = kindIndex(ctx, kind);
  k.byQueue ??= group(ctx.of(kind), (e) => {
    const key = ctx.queueOf(e);
    return key === null ? null : queueKeyString(key);
  });
  return window(k.byQueue.get(queueKeyString(q)), from, to) as EventOf<K>[];
}

/**
 * The network-fault episode on a host that leads up to `t`: timeouts and connection failures
 * chained with gaps of at most `gapMs`. Returns its first event and its size.
 */
export function faultEpisode(ctx: Context, host: string | null, t: number, gapMs = 30 * MINUTE): { first: RmqEvent; count: number; remotes: Set<string> } | null {
  if (!host) return null;
  const faults: RmqEvent[] = [
    ...ctx.of('remote-timeout').filter((e) => e.host === host && e.instant <= t + ctx.skewMs),
    ...ctx.of('connection-failure').filter((e) => e.host === host && e.instant <= t + ctx.skewMs),
  ].sort((a, b) => a.instant - b.instant || a.seq - b.seq);
  if (faults.length === 0) return null;
  let i = faults.length - 1;
  if (t - faults[i]!.instant > gapMs) return null;
  while (i > 0 && faults[i]!.instant - faults[i - 1]!.instant <= gapMs) i--;
  const remotes = new Set<string>();
  for (let j = i; j < faults.length; j++) {
    const e = faults[j]!;
    if ((e.kind === 'remote-timeout' || e.kind === 'connection-failure') && e.fields.remote) remotes.add(e.fields.remote);
  }
  return { first: faults[i]!, count: faults.length - i, remotes };
}

/** Highest offset a queue is known to have reached before `t` (client persists, snapshots, broker store offsets). */
export function positionBefore(ctx: Context, q: QueueKey, t: number): { offset: number; event: RmqEvent } | null {
  let best: { offset: number; event: RmqEvent } | null = null;
  const consider = (offset: number, event: RmqEvent): void => {
    if (best === null || offset > best.offset) best = { offset, event };
  };
  const commit = highestCommit(ctx, q, 0, t);
  if (commit) consider(commit.offset, commit.event());
  for (const e of onQueue(ctx, 'offset-regression', q, 0, t)) consider(e.fields.storeOffset, e);
  for (const e of onQueue(ctx, 'offset-snapshot', q, 0, t)) consider(e.fields.consumerOffset, e);
  return best;
}

/** Highest offset committed for a queue after `t` (proves how far re-consumption went). */
export function positionAfter(ctx: Context, q: QueueKey, t: number, until = Number.POSITIVE_INFINITY): { offset: number; event: RmqEvent } | null {
  const commit = highestCommit(ctx, q, t, until);
  return commit ? { offset: commit.offset, event: commit.event() } : null;
}

/** A queue's commits (`offset-persist` lines) within [from, to], in time order; `keep` filters rows before they are materialised. */
export function persistsOn(ctx: Context, q: QueueKey, from: number, to: number, keep?: (r: PersistRow, s: PersistSeries) => boolean): Persist[] {
  return ctx.persists.onQueue(q, from, to, keep);
}

/**
 * The first line a host wrote within [from, to] (in time, then read order): an event, a commit or
 * a routine line — "was it alive then?".
 */
export function firstLineOnHost(ctx: Context, host: string, from: number, to: number): RmqEvent | null {
  const candidates = [
    ctx.events.find((x) => x.host === host && x.instant >= from && x.instant <= to) ?? null,
    ctx.persists.best(ctx.persists.ofHost(host), from, to, () => false)?.event() ?? null,
    ctx.cold.edge(host, from, to, 'first'),
  ].filter((e): e is RmqEvent => e !== null);
  return candidates.sort((a, b) => a.instant - b.instant || a.seq - b.seq)[0] ?? null;
}

/** The last commit or routine line of a host with from < instant < to (events are the caller's to look at). */
export function lastQuietLineOnHost(ctx: Context, host: string, from: number, to: number): RmqEvent | null {
  const candidates = [lastCommitOnHost(ctx, host, from, to), ctx.cold.edge(host, from, to, 'last')].filter(
    (e): e is RmqEvent => e !== null && e.instant > from && e.instant < to,
  );
  return candidates.sort((a, b) => a.instant - b.instant || a.seq - b.seq).pop() ?? null;
}

/** A host's last commit (any queue, any group) with from < instant < to, or null. */
export function lastCommitOnHost(ctx: Context, host: string, from: number, to: number, keep?: (r: PersistRow, s: PersistSeries) => boolean): Persist | null {
  const hit = ctx.persists.last(ctx.persists.ofHost(host), from, to, (r, s) => r.instant > from && r.instant < to && (keep === undefined || keep(r, s)));
  return hit ? hit.event() : null;
}

/** The first commit (in time order) of the highest offset a queue's commits reach within [from, to]. */
export function highestCommit(ctx: Context, q: QueueKey, from: number, to: number) {
  return ctx.persists.best(ctx.persists.ofQueue(q), from, to, (r, cur) => r.offset > cur.offset);
}

/** The first line after `t` that shows a client consuming the queue from a given offset or below. */
export function consumptionFrom(ctx: Context, q: QueueKey, t: number, offset: number): RmqEvent[] {
  const out: RmqEvent[] = [];
  for (const e of onQueue(ctx, 'first-pull-offset', q, t, Number.POSITIVE_INFINITY)) if (e.fields.newOffset <= offset && e.fields.newOffset >= 0) out.push(e);
  for (const e of onQueue(ctx, 'queue-added', q, t, Number.POSITIVE_INFINITY)) if (e.fields.nextOffset !== null && e.fields.nextOffset <= offset && e.fields.nextOffset >= 0) out.push(e);
  return out.sort((a, b) => a.instant - b.instant);
}

/** Deliveries of messages stored in a queue's offset range after `t`, from the ledger. */
export function redeliveredMessages(ctx: Context, q: QueueKey, from: number, to: number, after: number): { msgId: string; event: RmqEvent }[] {
  const out: { msgId: string; event: RmqEvent }[] = [];
  for (const entry of ctx.ledger.values()) {
    const copy = entry.copies.find((c) => c.brokerName === q.brokerName && c.queueId === q.queueId && c.queueOffset !== null && c.queueOffset >= from && c.queueOffset <= to && (c.topic === null || c.topic === q.topic));
    const inQueue = (d: (typeof entry.deliveries)[number]): boolean =>
      d.queueOffset !== null ? d.brokerName === q.brokerName && d.queueId === q.queueId && d.queueOffset >= from && d.queueOffset <= to : copy !== undefined;
    const inGroup = entry.deliveries.filter((d) => (d.group === null || d.group === q.group) && inQueue(d)).sort((a, b) => a.time - b.time);
    // The first consumption of a message consumed several times is the original, not the re-delivery.
    const candidates = inGroup.length > 1 ? inGroup.slice(1) : inGroup;
    const again = candidates.find((d) => d.time >= after - ctx.skewMs);
    if (again) out.push({ msgId: entry.msgId, event: again.event });
  }
  return out;
}

/**
 * Messages of a rewound range delivered again after `after`, each linked to its latest delivery
 * in the group (the first one may be the original consumption, inside the clock-skew tolerance).
 */
export function replayedMessages(ctx: Context, q: QueueKey, from: number, to: number, after: number): { msgId: string; event: RmqEvent }[] {
  return redeliveredMessages(ctx, q, from, to, after).map((m) => {
    const ds = (ctx.ledger.get(m.msgId)?.deliveries ?? []).filter((d) => (d.group === null || d.group === q.group) && d.time >= after - ctx.skewMs);
    const last = ds.sort((a, b) => a.time - b.time)[ds.length - 1];
    return last ? { msgId: m.msgId, event: last.event } : m;
  });
}

/** Broker hosts and client hosts missing from the bundle, as "where to get it" sentences. */
export function missingLogs(ctx: Context, need: { clients?: (string | null)[]; brokerNames?: string[] }): string[] {
  const out: string[] = [];
  for (const c of need.clients ?? []) {
    if (c && !ctx.hosts.clients.has(c)) out.push(`no rocketmq_client.log from ${c}`);
  }
  for (const b of need.brokerNames ?? []) {
    const host = ctx.brokers.hostOf(b);
    if (!host || !ctx.hosts.brokers.has(host)) out.push(`no broker.log from ${b}${host ? ` (${host})` : ''}`);
  }
  return out;
}

export function clientOf(addr: string): string | null {
  return hostOfAddr(addr);
}

/**
 * Drops repeated events. By default sorts by time; `causal: true` keeps the order the rule built
 * (clocks disagree and broker lines have second resolution, so a rule that knows the causal order
 * of its links should keep it).
 */
export function uniqueEvents(links: ChainLink[], opts: { causal?: boolean } = {}): ChainLink[] {
  const seen = new Set<RmqEvent>();
  const out: ChainLink[] = [];
  for (const l of links) {
    if (seen.has(l.event)) continue;
    seen.add(l.event);
    out.push(l);
  }
  return opts.causal ? out : out.sort((a, b) => a.event.instant - b.event.instant || a.event.seq - b.event.seq);
}
