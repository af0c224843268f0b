import type { ResolvedZone } from '../model/time.js';
import type { EventKind, EventOf, RmqEvent } from '../model/events.js';
import { remoteOfException } from '../formats/text.js';
import { hostOfAddr, hostOfClientId, type MessageQueueRef, type MessageRef } from '../model/queue.js';
import { addEvents, PersistStore, type Persist } from '../model/persists.js';
import { ColdStore } from '../model/cold.js';

/** A consumer queue: `(group, topic, brokerName, queueId)`. */
export interface QueueKey {
  group: string;
  topic: string;
  brokerName: string;
  queueId: number;
}

export function queueKeyString(q: QueueKey): string {
  return `${q.group}|${q.topic}|${q.brokerName}|${q.queueId}`;
}

export type TimelineRole = 'ownership' | 'position' | 'fault' | 'delivery';

export interface TimelineEntry {
  event: RmqEvent;
  role: TimelineRole;
  /** The host the entry is about (the client for client lines, the committing client for broker regressions). */
  host: string | null;
}

export interface QueueTimeline {
  key: QueueKey;
  id: string;
  /** Every line about the queue but its commits (`timelineCursor` merges those in from the store). */
  entries: TimelineEntry[];
}

/** One client delivery of a message (trace, consume-pattern line, consume failure, dropped pq). */
export interface Delivery {
  group: string | null;
  client: string | null;
  time: number;
  retryTimes: number | null;
  success: boolean | null;
  queueOffset: number | null;
  brokerName: string | null;
  queueId: number | null;
  topic: string | null;
  event: RmqEvent;
}

/** One stored copy of a message (trace Pub, queryMsgById). */
export interface StoredCopy {
  offsetMsgId: string | null;
  brokerName: string | null;
  storeHost: string | null;
  queueId: number | null;
  queueOffset: number | null;
  topic: string | null;
  event: RmqEvent;
}

export interface LedgerEntry {
  msgId: string;
  copies: StoredCopy[];
  deliveries: Delivery[];
}

/**
 * Everything the rules look at: the ordered events, per-kind indexes, broker names, queue
 * timelines, the message ledger and the clock-skew tolerance. Built once from the event stream.
 */
/** Kinds kept as events (the `offset-persist` lines live in `Context.persists`). */
export type EventKindOf = Exclude<EventKind, 'offset-persist'>;

export interface Context {
  /** Every event but the `offset-persist` lines, in time order. */
  events: readonly RmqEvent[];
  /** Events of one kind, in time order. */
  of<K extends EventKindOf>(kind: K): readonly EventOf<K>[];
  /** The `offset-persist` lines (commits), by series. */
  persists: PersistStore;
  /**
   * Routine lines kept compressed (not in `events`): only the "any line of this host" questions
   * need them (`firstLineOnHost`, `lastQuietLineOnHost` in the evidence helpers).
   */
  cold: ColdStore;
  brokers: BrokerDirectory;
  queues: Map<string, QueueTimeline>;
  ledger: Map<string, LedgerEntry>;
  /**
   * Max clock disagreement tolerated when matching events across hosts (ms): `--skew`, widened
   * to cover the largest skew measured between paired client and broker lines.
   */
  skewMs: number;
  /** Zone for times written into summaries (the display zone, --tz). */
  displayZone: ResolvedZone;
  /** Estimated skew per host pair (`client>broker` → ms, broker minus client), where paired events allow. */
  skewEstimates: Map<string, number>;
  /** Hosts that contributed at least one file, by role. */
  hosts: { clients: Set<string>; brokers: Set<string> };
  /** Queue key of an event (group resolved for lines that do not print it), or null. */
  queueOf(e: RmqEvent): QueueKey | null;
}

/** brokerName ↔ address, learned from heartbeat lines, boot lines and routes. */
export class BrokerDirectory {
  private nameByHost = new Map<string, string>();
  private addrByName = new Map<string, string>();
  private masterKnown = new Set<string>();

  /** `brokerId` 0 is the master: its address wins over a slave's seen earlier. */
  learn(name: string, addr: string, brokerId: number | null = null): void {
    const host = hostOfAddr(addr) ?? addr.replace(/:\d+$/, '');
    if (!this.nameByHost.has(host)) this.nameByHost.set(host, name);
    const clean = addr.replace(/^\//, '');
    if (brokerId === 0 && !this.masterKnown.has(name)) {
      this.masterKnown.add(name);
      this.addrByName.set(name, clean);
    } else if (!this.addrByName.has(name)) this.addrByName.set(name, clean);
  }

  nameOfHost(host: string | null): string | null {
    if (!host) return null;
    return this.nameByHost.get(host) ?? null;
  }

  addrOf(name: string): string | null {
    return this.addrByName.get(name) ?? null;
  }

  hostOf(name: string): string | null {
    const a = this.addrByName.get(name);
    return a ? hostOfAddr(a) : null;
  }
}

const CLIENT_KINDS = new Set<EventKind>([
  'rebalance-result', 'queue-added', 'queue-removed', 'offset-persist', 'fetch-offset-failed', 'first-pull-offset',
  'pull-offset-illegal', 'pull-offset-fixed', 'heartbeat-ok', 'heartbeat-failed', 'client-start', 'consume-failed',
  'client-shutdown', 'producer-send-failed', 'producer-message', 'late-response', 'rebalance-notified',
]);

const UTC_ZONE: ResolvedZone = { name: 'UTC', fixedOffsetMinutes: 0 };

/**
 * `persists`: the store ingest filled; `offset-persist` events among `events` (carried by a scan,
 * built by tests) join it as object series.
 */
export function buildContext(allEvents: readonly RmqEvent[], opts: { skewMs: number; displayZone?: ResolvedZone; persists?: PersistStore; cold?: ColdStore }): Context {
  const persists = opts.persists ?? new PersistStore();
  // (the events as given when there is no commit among them, as ingest leaves it: a copy of a
  // million routine events was 10 MB)
  let events: readonly RmqEvent[] = allEvents;
  if (allEvents.some((e) => e.kind === 'offset-persist')) {
    const loose: Persist[] = [];
    const kept: RmqEvent[] = [];
    for (const e of allEvents) {
      if (e.kind === 'offset-persist') loose.push(e);
      else kept.push(e);
    }
    addEvents(persists, loose, opts.displayZone ?? UTC_ZONE);
    events = kept;
  }
  // (each kind's list made at its size: grown by push, they held a third more than they used)
  const sizes = new Map<EventKind, number>();
  for (const e of events) sizes.set(e.kind, (sizes.get(e.kind) ?? 0) + 1);
  const byKind = new Map<EventKind, RmqEvent[]>();
  const filled = new Map<EventKind, number>();
  for (const [kind, n] of sizes) {
    byKind.set(kind, new Array<RmqEvent>(n));
    filled.set(kind, 0);
  }
  for (const e of events) {
    const k = filled.get(e.kind)!;
    byKind.get(e.kind)![k] = e;
    filled.set(e.kind, k + 1);
  }
  const of = <K extends EventKindOf>(kind: K): readonly EventOf<K>[] => (byKind.get(kind) ?? []) as unknown as EventOf<K>[];

  const brokers = new BrokerDirectory();
  for (const e of of('broker-start')) brokers.learn(e.fields.brokerName, e.fields.brokerAddr);
  for (const e of of('heartbeat-ok')) brokers.learn(e.fields.brokerName, e.fields.brokerAddr, e.fields.brokerId);
  for (const e of of('heartbeat-failed')) if (e.fields.brokerName && e.fields.brokerAddr) brokers.learn(e.fields.brokerName, e.fields.brokerAddr, e.fields.brokerId);
  for (const e of of('route-change')) if (e.fields.brokerName && e.fields.brokerAddr) brokers.learn(e.fields.brokerName, e.fields.brokerAddr);
  for (const e of of('trace-publication')) if (e.fields.brokerName && e.fields.storeHost) brokers.learn(e.fields.brokerName, e.fields.storeHost);
  // An offset read that failed names the queue's broker and, in its exception, the address it called.
  for (const e of of('fetch-offset-failed')) {
    const remote = remoteOfException(e.exception);
    if (remote) brokers.learn(e.fields.mq.brokerName, remote);
  }

  const hosts = { clients: new Set<string>(), brokers: new Set<string>() };
  for (const e of events) if (e.host && CLIENT_KINDS.has(e.kind)) hosts.clients.add(e.host);
  for (const s of persists.series) if (s.head.host) hosts.clients.add(s.head.host);
  for (const k of ['offset-regression', 'pull-offset-corrected', 'channel-expired', 'channel-closed', 'consumer-registered', 'broker-start', 'lock'] as const) {
    for (const e of of(k)) {
      if (!e.host) continue;
      if (k === 'lock' && (e as EventOf<'lock'>).fields.side !== 'broker') continue;
      hosts.brokers.add(e.host);
    }
  }

  // Which group a host consumes a topic with: for lines that print an mq but no group.
  const groupsByHostTopic = new Map<string, Set<string>>();
  const noteGroup = (host: string | null, topic: string, group: string): void => {
    const k = `${host ?? '?'}|${topic}`;
    let s = groupsByHostTopic.get(k);
    if (!s) groupsByHostTopic.set(k, (s = new Set()));
    s.add(group);
  };
  for (const e of of('rebalance-result')) noteGroup(e.host, e.fields.topic, e.fields.group);
  for (const e of of('queue-added')) noteGroup(e.host, e.fields.mq.topic, e.fields.group);
  for (const s of persists.series) noteGroup(s.head.host, s.head.mq.topic, s.head.group);
  const groupFor = (host: string | null, topic: string): string | null => {
    const s = groupsByHostTopic.get(`${host ?? '?'}|${topic}`);
    return s && s.size === 1 ? [...s][0]! : null;
  };

  const fromMq = (group: string | null, mq: MessageQueueRef): QueueKey | null =>
    group ? { group, topic: mq.topic, brokerName: mq.brokerName, queueId: mq.queueId } : null;

  const queueOf = (e: RmqEvent): QueueKey | null => {
    switch (e.kind) {
      case 'queue-added':
      case 'queue-removed':
      case 'queue-add-failed':
      case 'offset-persist':
      case 'first-pull-offset':
      case 'pull-offset-illegal':
      case 'pull-offset-fixed':
        return fromMq(e.fields.group, e.fields.mq);
      case 'fetch-offset-failed':
        return fromMq(groupFor(e.host, e.fields.mq.topic), e.fields.mq);
      case 'lock':
        return e.fields.mq ? fromMq(e.fields.group ?? groupFor(e.host, e.fields.mq.topic), e.fields.mq) : null;
      case 'dropped-without-result':
        return fromMq(groupFor(e.host, e.fields.mq.topic), e.fields.mq);
      case 'offset-regression': {
        const b = brokers.nameOfHost(e.host);
        return b ? { group: e.fields.group, topic: e.fields.topic, brokerName: b, queueId: e.fields.queueId } : null;
      }
      case 'offset-snapshot': {
        const b = e.fields.brokerName ?? brokers.nameOfHost(e.host);
        return b && e.fields.group ? { group: e.fields.group, topic: e.fields.topic, brokerName: b, queueId: e.fields.queueId } : null;
      }
      case 'expired-send-back': {
        const b = brokers.nameOfHost(hostOfAddr(e.fields.storeHost));
        const g = groupFor(e.host, e.fields.topic);
        return b && g ? { group: g, topic: e.fields.topic, brokerName: b, queueId: e.fields.queueId } : null;
      }
      case 'trace-delivery':
        return e.fields.group && e.fields.topic && e.fields.brokerName && e.fields.queueId !== null
          ? { group: e.fields.group, topic: e.fields.topic, brokerName: e.fields.brokerName, queueId: e.fields.queueId }
          : null;
      default:
        return null;
    }
  };

  const queues = new Map<string, QueueTimeline>();
  const addToQueue = (key: QueueKey, entry: TimelineEntry): void => {
    const id = queueKeyString(key);
    let t = queues.get(id);
    if (!t) queues.set(id, (t = { key, id, entries: [] }));
    t.entries.push(entry);
  };
  for (const e of events) {
    const key = queueOf(e);
    if (key) {
      const role: TimelineRole =
        e.kind === 'queue-added' || e.kind === 'queue-removed' || e.kind === 'queue-add-failed' || e.kind === 'lock'
          ? 'ownership'
          : e.kind === 'fetch-offset-failed'
            ? 'fault'
            : e.kind === 'trace-delivery' || e.kind === 'dropped-without-result'
              ? 'delivery'
              : 'position';
      const host = e.kind === 'offset-regression' ? hostOfAddr(e.fields.clientHost) : e.host;
      addToQueue(key, { event: e, role, host });
    }
    if (e.kind === 'rebalance-result') {
      // A rebalance result names every queue the client now owns: an ownership entry for each.
      for (const mq of e.fields.queues) {
        const k = fromMq(e.fields.group, mq);
        if (k) addToQueue(k, { event: e, role: 'ownership', host: e.host });
      }
    }
  }

  // Queues known only from their commits get a timeline too (their commits stay in the store:
  // `timelineCursor` merges them in); timelines are kept in order of their first line.
  const firsts = new Map<string, { key: QueueKey; instant: number; seq: number }>();
  for (const t of queues.values()) firsts.set(t.id, { key: t.key, instant: t.entries[0]!.event.instant, seq: t.entries[0]!.event.seq });
  for (const s of persists.series) {
    const key: QueueKey = { group: s.head.group, topic: s.head.mq.topic, brokerName: s.head.mq.brokerName, queueId: s.head.mq.queueId };
    const id = queueKeyString(key);
    const first = s.first();
    if (!first) continue;
    const cur = firsts.get(id);
    if (!cur || first.instant < cur.instant || (first.instant === cur.instant && first.seq < cur.seq)) firsts.set(id, { key: cur?.key ?? key, instant: first.instant, seq: first.seq });
  }
  if (firsts.size > queues.size || persists.series.length > 0) {
    const order = [...firsts.entries()].sort((a, b) => a[1].instant - b[1].instant || a[1].seq - b[1].seq);
    const old = new Map(queues);
    queues.clear();
    for (const [id, f] of order) queues.set(id, old.get(id) ?? { key: f.key, id, entries: [] });
  }

  const ledger = buildLedger(events, of, brokers, (e) => queueOf(e)?.group ?? null);
  const skewEstimates = estimateSkew(persists, of('offset-regression'));
  // Where paired lines measured a real clock skew (seconds to minutes, not a zone error), the
  // matching tolerance grows to cover it.
  let skewMs = opts.skewMs;
  for (const v of skewEstimates.values()) if (Math.abs(v) < 15 * 60_000) skewMs = Math.max(skewMs, Math.abs(v) + 1000);
  return { events, of, persists, cold: opts.cold ?? new ColdStore(), brokers, queues, ledger, skewMs, displayZone: opts.displayZone ?? UTC_ZONE, skewEstimates, hosts, queueOf };
}

/** A queue's timeline with its commits (kept in the persist store) merged in, in time order. */
/**
 * A queue's timeline one entry at a time — its lines and its commits in time order (instant,
 * then read order; a commit before a line of the same instant read later) — the commits
 * decoded as they come and not kept (`count`: how many entries there are): for the `timeline`
 * command over a whole bundle, where the commits are millions.
 */
export function timelineCursor(ctx: Context, t: QueueTimeline): { count: number; next: () => TimelineEntry | null } {
  let count = t.entries.length;
  for (const s of ctx.persists.ofQueue(t.key)) count += s.count;
  const commits = ctx.persists.queueCursor(t.key);
  let c = commits();
  let i = 0;
  const next = (): TimelineEntry | null => {
    const en = t.entries[i];
    if (c !== null && (en === undefined || c.instant < en.event.instant || (c.instant === en.event.instant && c.seq < en.event.seq))) {
      const out: TimelineEntry = { event: c, role: 'position', host: c.host };
      c = commits();
      return out;
    }
    if (en === undefined) return null;
    i++;
    return en;
  };
  return { count, next };
}

function buildLedger(
  events: readonly RmqEvent[],
  of: <K extends EventKindOf>(kind: K) => readonly EventOf<K>[],
  brokers: BrokerDirectory,
  groupOf: (e: RmqEvent) => string | null,
): Map<string, LedgerEntry> {
  const ledger = new Map<string, LedgerEntry>();
  const entry = (msgId: string): LedgerEntry => {
    let l = ledger.get(msgId);
    if (!l) ledger.set(msgId, (l = { msgId, copies: [], deliveries: [] }));
    return l;
  };
  for (const e of of('trace-publication')) {
    const l = entry(e.fields.msgId);
    const brokerName = e.fields.brokerName ?? brokers.nameOfHost(hostOfAddr(e.fields.storeHost ?? ''));
    const copy: StoredCopy = {
      offsetMsgId: e.fields.offsetMsgId,
      brokerName,
      storeHost: e.fields.storeHost,
      queueId: e.fields.queueId,
      queueOffset: e.fields.queueOffset,
      topic: e.fields.topic,
      event: e,
    };
    // The same stored copy is often reported by several exports (a trace Pub without a queue
    // position, queryMsgById with one): merge their fields into one copy.
    const same = l.copies.find((c) => sameCopy(c, copy));
    if (same) mergeCopy(same, copy);
    else l.copies.push(copy);
  }
  for (const e of of('trace-delivery')) {
    const l = entry(e.fields.msgId);
    const d: Delivery = {
      group: e.fields.group,
      client: e.fields.client ?? e.host,
      time: e.instant,
      retryTimes: e.fields.retryTimes,
      success: e.fields.success,
      queueOffset: e.fields.queueOffset,
      brokerName: e.fields.brokerName,
      queueId: e.fields.queueId,
      topic: e.fields.topic,
      event: e,
    };
    // One consumption is often exported twice (trace body and mqadmin; mqadmin prints seconds).
    const same = l.deliveries.find((x) => sameDelivery(x, d));
    if (same) mergeDelivery(same, d);
    else l.deliveries.push(d);
  }
  const fromMessages = (e: RmqEvent, msgs: MessageRef[], group: string | null, success: boolean | null): void => {
    for (const m of msgs) {
      if (!m.msgId) continue;
      const l = entry(m.msgId);
      if (l.deliveries.some((d) => d.event === e)) continue;
      // The client line is logged when the listener returns; a trace of the same consumption
      // (started at most a consume timeout earlier) is the same delivery, not a second one.
      const traced = l.deliveries.find(
        (d) =>
          d.event.kind === 'trace-delivery' &&
          (d.group === null || group === null || d.group === group) &&
          agree(d.client, e.host) &&
          agree(d.retryTimes, m.reconsumeTimes) &&
          d.time <= e.instant + 2000 &&
          e.instant - d.time < 15 * 60_000,
      );
      if (traced) {
        // Same consumption: the client line knows where the message is stored; the trace may not.
        traced.client ??= e.host;
        traced.queueOffset ??= m.queueOffset;
        traced.brokerName ??= m.brokerName;
        traced.queueId ??= m.queueId;
        traced.topic ??= m.topic;
        continue;
      }
      l.deliveries.push({
        group,
        client: e.host,
        time: e.instant,
        retryTimes: m.reconsumeTimes,
        success,
        queueOffset: m.queueOffset,
        brokerName: m.brokerName,
        queueId: m.queueId,
        topic: m.topic,
        event: e,
      });
    }
  };
  for (const e of of('consume-failed')) fromMessages(e, e.fields.messages, e.fields.group, false);
  for (const e of of('dropped-without-result')) fromMessages(e, e.fields.messages, groupOf(e), null);
  void events;
  return ledger;
}

function agree<T>(a: T | null, b: T | null): boolean {
  return a === null || b === null || a === b;
}

/**
 * Two records of one stored copy: equal offsetMsgIds, or positions that agree. A record with
 * neither an offsetMsgId nor a position (a queryMsgTraceById Pub row) names no distinct copy and
 * merges into any other — it must never count as a second copy.
 */
function sameCopy(a: StoredCopy, b: StoredCopy): boolean {
  if (a.offsetMsgId && b.offsetMsgId) return a.offsetMsgId === b.offsetMsgId;
  const located = (c: StoredCopy): boolean => c.offsetMsgId !== null || c.brokerName !== null || c.queueOffset !== null;
  if (!located(a) || !located(b)) return true;
  return agree(a.brokerName, b.brokerName) && agree(a.queueId, b.queueId) && agree(a.queueOffset, b.queueOffset);
}

function mergeCopy(into: StoredCopy, from: StoredCopy): void {
  into.offsetMsgId ??= from.offsetMsgId;
  into.brokerName ??= from.brokerName;
  into.storeHost ??= from.storeHost;
  into.queueId ??= from.queueId;
  into.queueOffset ??= from.queueOffset;
  into.topic ??= from.topic;
}

/**
 * One consumption reported by two exports (a trace body and mqadmin, which prints seconds): same
 * group, same retry count, same client (or one unknown), within 2 s, from different files — two
 * records of one file are two consumptions.
 */
function sameDelivery(a: Delivery, b: Delivery): boolean {
  return (
    a.event.file !== b.event.file && a.group === b.group && agree(a.client, b.client) && agree(a.retryTimes, b.retryTimes) && Math.abs(a.time - b.time) < 2000
  );
}

function mergeDelivery(into: Delivery, from: Delivery): void {
  into.client ??= from.client;
  into.retryTimes ??= from.retryTimes;
  into.success ??= from.success;
  into.queueOffset ??= from.queueOffset;
  into.brokerName ??= from.brokerName;
  into.queueId ??= from.queueId;
  into.topic ??= from.topic;
}

/**
 * Clock skew between a client host and a broker host, from pairs of (client persists offset V
 * for queue q at tc, broker warns that clientHost committed V for q at tb): skew = tb − tc.
 * The median per host pair; brokers print seconds, so estimates are ±1 s.
 */
function estimateSkew(persists: PersistStore, regressions: readonly EventOf<'offset-regression'>[]): Map<string, number> {
  const samples = new Map<string, number[]>();
  const window = 15 * 3_600_000; // a host read in the wrong zone is hours off
  for (const r of regressions) {
    const client = hostOfAddr(r.fields.clientHost);
    if (!client || !r.host) continue;
    let best: number | null = null;
    for (const s of persists.ofHost(client)) {
      const h = s.head;
      if (h.mq.queueId !== r.fields.queueId || h.mq.topic !== r.fields.topic || h.group !== r.fields.group) continue;
      s.scan(r.instant - window, r.instant + window, (p) => {
        if (p.offset !== r.fields.requestOffset) return;
        const d = r.instant - p.instant;
        if (best === null || Math.abs(d) < Math.abs(best)) best = d;
      });
    }
    if (best === null) continue;
    const k = `${client}>${r.host}`;
    let list = samples.get(k);
    if (!list) samples.set(k, (list = []));
    list.push(best);
  }
  const out = new Map<string, number>();
  for (const [k, list] of samples) {
    list.sort((a, b) => a - b);
    out.set(k, list[Math.floor(list.length / 2)]!);
  }
  return out;
}

export { hostOfAddr, hostOfClientId };
