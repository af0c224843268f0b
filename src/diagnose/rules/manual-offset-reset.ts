import type { Context, QueueKey } from '../../correlate/index.js';
import { queueKeyString } from '../../correlate/index.js';
import type { EventOf, RmqEvent } from '../../model/events.js';
import { hostOfAddr, hostOfClientId } from '../../model/queue.js';
import {
  consumptionFrom,
  link,
  MINUTE,
  missingLogs,
  positionAfter,
  positionBefore,
  queueLabel,
  replayedMessages,
  uniqueEvents,
  when,
} from '../evidence.js';
import type { ChainLink, Confidence, IncidentDraft, Rule } from '../types.js';

/**
 * An operator (mqadmin resetOffsetByTime / the dashboard) moved the group's consume offsets back
 * to a point in time (catalog §14): the broker logs `[reset-offset] reset offset started by <mqadmin
 * host>` and pushes the new offsets to every online client (`reset offset success … clientId=`);
 * the client logs `invoke reset offset operation from broker`, suspends, commits the lower offsets
 * (`[persist] …`) which the broker accepts with `[NOTIFYME]update consumer offset less than store`,
 * resumes and consumes the rewound range again.
 *
 * When the group was offline, mqadmin falls back to writing the offsets itself
 * (ResetOffsetByTimeOldCommand): then the only trace is a `[NOTIFYME]` whose clientHost is not a
 * consumer of the group (the mqadmin host) — a strong hint, reported with medium confidence.
 */

/** Reset lines belonging to one operator action are close together (the client sleeps 10 s). */
const EPISODE_GAP = MINUTE;
/** How long after the reset request the clients' commits of the new offsets may come. */
const APPLY_HORIZON = 2 * MINUTE;

type Reset = EventOf<'offset-reset'>;
type Regression = EventOf<'offset-regression'>;
type Persist = EventOf<'offset-persist'>;

interface Episode {
  events: Reset[];
  group: string | null;
  topic: string | null;
  start: number;
  end: number;
}

/** Consecutive reset lines (either side, not failures) within EPISODE_GAP of each other. */
function episodes(ctx: Context): Episode[] {
  const resets = ctx.of('offset-reset').filter((e) => e.fields.phase !== 'failed');
  const out: Episode[] = [];
  let cur: Episode | null = null;
  for (const e of resets) {
    const compatible =
      cur !== null &&
      e.instant - cur.end <= EPISODE_GAP &&
      (e.fields.group === null || cur.group === null || e.fields.group === cur.group) &&
      (e.fields.topic === null || cur.topic === null || e.fields.topic === cur.topic);
    if (!compatible) {
      cur = { events: [], group: null, topic: null, start: e.instant, end: e.instant };
      out.push(cur);
    }
    const ep = cur!;
    ep.events.push(e);
    ep.end = Math.max(ep.end, e.instant);
    ep.group ??= e.fields.group;
    ep.topic ??= e.fields.topic;
  }
  return out;
}

/** Every host known to run a consumer (or any RocketMQ client) in the bundle. */
function knownClientHosts(ctx: Context): Set<string> {
  const hosts = new Set<string>(ctx.hosts.clients);
  const add = (h: string | null | undefined): void => {
    if (h) hosts.add(h);
  };
  for (const e of ctx.of('rebalance-result')) add(hostOfClientId(e.fields.clientId) ?? e.host);
  for (const s of ctx.persists.series) add(hostOfClientId(s.head.clientId) ?? s.head.host);
  for (const e of ctx.of('client-start')) add(e.host);
  for (const e of ctx.of('consumer-registered')) {
    add(e.fields.clientId ? hostOfClientId(e.fields.clientId) : null);
    add(e.fields.channel ? hostOfAddr(e.fields.channel) : null);
  }
  for (const e of ctx.of('consumer-unregistered')) add(e.fields.clientId ? hostOfClientId(e.fields.clientId) : null);
  for (const e of ctx.of('channel-closed')) {
    add(e.fields.clientId ? hostOfClientId(e.fields.clientId) : null);
    add(e.fields.channel ? hostOfAddr(e.fields.channel) : null);
  }
  for (const e of ctx.of('channel-expired')) add(e.fields.channel ? hostOfAddr(e.fields.channel) : null);
  for (const e of ctx.of('trace-delivery')) add(e.fields.client);
  for (const e of ctx.of('offset-reset')) add(e.fields.clientId ? hostOfClientId(e.fields.clientId) : null);
  return hosts;
}

function timeText(ctx: Context, ms: number | null): string {
  return ms === null ? 'an unknown time' : ms < 0 ? 'the max offset' : when(ctx, ms);
}

interface QueueEvidence {
  q: QueueKey;
  regression: Regression | null;
  persist: Persist | null;
  low: number;
  high: number;
  highEvent: RmqEvent | null;
}

/** The lower offset each queue was moved to, from the broker's [NOTIFYME] or the client's commit. */
function queueEvidence(ctx: Context, regressions: Regression[], persists: Persist[], t: number): QueueEvidence[] {
  const byQueue = new Map<string, QueueEvidence>();
  for (const r of regressions) {
    const q = ctx.queueOf(r);
    if (!q || r.fields.requestOffset >= r.fields.storeOffset) continue;
    const id = queueKeyString(q);
    if (byQueue.has(id)) continue; // the first overwrite of each queue is the reset itself
    byQueue.set(id, { q, regression: r, persist: null, low: r.fields.requestOffset, high: r.fields.storeOffset, highEvent: r });
  }
  for (const p of persists) {
    const q = ctx.queueOf(p);
    if (!q) continue;
    const id = queueKeyString(q);
    const have = byQueue.get(id);
    if (have) {
      if (have.persist === null && have.low === p.fields.offset) have.persist = p;
      continue;
    }
    // No broker line for this queue: the client's commit is lower than the queue had reached.
    const before = positionBefore(ctx, q, t);
    if (!before || before.offset <= p.fields.offset) continue;
    byQueue.set(id, { q, regression: null, persist: p, low: p.fields.offset, high: before.offset, highEvent: before.event });
  }
  return [...byQueue.values()];
}

export const manualOffsetReset: Rule = {
  meta: {
    code: 'manual-offset-reset',
    title: 'An operator reset the consumer offset (by time) and the group replayed the range',
    description:
      'Someone ran mqadmin resetOffsetByTime (or the dashboard reset) for the group: the broker computed the offsets for the timestamp and pushed them to every online client (RESET_CONSUMER_CLIENT_OFFSET), the clients suspended, committed the lower offsets — the broker accepted them with [NOTIFYME]update consumer offset less than store — and resumed from there, so every message between the reset point and the previous position was consumed again. When the group was offline, mqadmin writes the offsets itself and only a [NOTIFYME] from the mqadmin host shows it.',
    remediation:
      'This re-delivery was requested: confirm with whoever ran the reset (the broker line names the mqadmin host) and agree on a change process for resets of production groups. Reset only as far back as needed (resetOffsetByTime -s <time>; check with consumerProgress first), prefer resetting a new group or replaying into a separate topic, and keep consumers idempotent (dedupe on the business key / UNIQ_KEY) so replays are harmless. On 5.1+ brokers the server-side reset (useServerSideResetOffset, default from 5.2.0) also rejects stale commits during the reset.',
    references: [
      'catalog §14 (admin offset reset, broker and client lines)',
      'catalog §11.1 ([NOTIFYME]update consumer offset less than store)',
      'catalog §14.3 (offline fallback: ResetOffsetByTimeOldCommand writes offsets from the mqadmin host)',
      'catalog §21 #4, #13',
    ],
    byDesign: false,
    priority: 85,
  },
  detect(ctx: Context): IncidentDraft[] {
    const drafts: IncidentDraft[] = [];
    const used = new Set<RmqEvent>();
    const clientHosts = knownClientHosts(ctx);

    // ---- the online path: reset lines on the broker and/or the clients ----
    for (const ep of episodes(ctx)) {
      const from = ep.start - ctx.skewMs;
      const to = ep.end + APPLY_HORIZON;
      const brokerSide = ep.events.filter((e) => e.fields.side === 'broker');
      const clientSide = ep.events.filter((e) => e.fields.side === 'client');
      const requested = brokerSide.find((e) => e.fields.phase === 'requested' || e.fields.phase === 'server-side') ?? null;
      const pushedHosts = new Set(brokerSide.map((e) => (e.fields.clientId ? hostOfClientId(e.fields.clientId) : null)).filter((h): h is string => h !== null));
      const resetClients = new Set(clientSide.map((e) => e.host).filter((h): h is string => h !== null));
      const brokerHosts = new Set(brokerSide.map((e) => e.host).filter((h): h is string => h !== null));
      const matches = (group: string, topic: string): boolean => (ep.group === null || group === ep.group) && (ep.topic === null || topic === ep.topic);

      const regressions = ctx
        .of('offset-regression')
        .filter((r) => r.instant >= from && r.instant <= to && !used.has(r) && matches(r.fields.group, r.fields.topic))
        .filter((r) => brokerHosts.size === 0 || (r.host !== null && brokerHosts.has(r.host)))
        .filter((r) => {
          const h = hostOfAddr(r.fields.clientHost);
          // A commit from a client the reset reached, or from a host that is no consumer (mqadmin itself).
          return h === null || pushedHosts.has(h) || resetClients.has(h) || !clientHosts.has(h) || (pushedHosts.size === 0 && resetClients.size === 0);
        });
      const persists = ctx.persists.eventsOf(
        ctx.persists.series.filter((s) => s.head.mode === 'persist' && s.head.host !== null && resetClients.has(s.head.host) && matches(s.head.group, s.head.mq.topic)),
        from,
        to,
      );

      for (const ev of queueEvidence(ctx, regressions, persists, ep.start)) {
        const { q, regression, persist, low, high } = ev;
        const turn = regression ?? persist!;
        const pushed = brokerSide.filter((e) => e.fields.phase === 'pushed');
        const committer = regression ? hostOfAddr(regression.fields.clientHost) : persist!.host;
        const onCommitter = clientSide.filter((e) => e.host === committer);
        const restart = consumptionFrom(ctx, q, turn.instant - ctx.skewMs, low).find((e) => e.instant <= turn.instant + 10 * MINUTE) ?? null;
        const progressed = positionAfter(ctx, q, turn.instant + 1, turn.instant + 30 * MINUTE);
        const messages = replayedMessages(ctx, q, low, high - 1, turn.instant);

        const chain: ChainLink[] = [];
        if (requested) {
          chain.push(
            link(
              requested,
              requested.fields.phase === 'server-side'
                ? `${requested.fields.by ?? 'an operator'} resets the offsets of ${q.group} on ${q.topic} on the broker (server-side reset)`
                : `${requested.fields.by ?? 'an operator'} asks the broker to reset ${q.group} on ${q.topic} to ${timeText(ctx, requested.fields.timestamp)}${requested.fields.by ? ' (mqadmin / dashboard host)' : ''}`,
            ),
          );
        }
        for (const p of pushed.filter((e) => e.fields.clientId && hostOfClientId(e.fields.clientId) === committer).slice(0, 1)) {
          chain.push(link(p, `the broker pushes the new offsets to ${p.fields.clientId ?? 'the client'}`));
        }
        for (const c of onCommitter.slice(0, 3)) {
          const what =
            c.fields.phase === 'requested' || c.fields.phase === 'pushed'
              ? `${c.host ?? 'the client'} receives the reset from the broker${c.fields.by ? ` ${c.fields.by}` : ''}${c.fields.timestamp !== null ? ` (timestamp ${timeText(ctx, c.fields.timestamp)})` : ''}`
              : c.fields.phase === 'suspend'
                ? `${c.host ?? 'the client'} suspends consumption and drops its process queues`
                : c.fields.phase === 'resume'
                  ? `${c.host ?? 'the client'} resumes consumption from the reset offsets`
                  : `${c.host ?? 'the client'} applies the reset`;
          chain.push(link(c, what));
        }
        if (persist) chain.push(link(persist, `${persist.host ?? 'the client'} commits the reset offset ${low} for ${q.brokerName}:${q.queueId} (it had reached ${high})`));
        if (regression) chain.push(link(regression, `broker overwrites stored offset ${high} with ${low}, committed by ${regression.fields.clientHost}`));
        if (restart) chain.push(link(restart, `${restart.host ?? 'a client'} consumes ${q.brokerName}:${q.queueId} again from offset ${low}`));
        for (const m of messages.slice(0, 3)) chain.push(link(m.event, `message ${m.msgId} consumed again after the reset`));
        if (progressed && progressed.offset > low) chain.push(link(progressed.event, `consumption runs through the replayed range again: offset ${progressed.offset} committed`));

        const missing = missingLogs(ctx, { clients: [committer], brokerNames: [q.brokerName] });
        if (!requested) missing.push(`no [reset-offset] line in broker.log of ${q.brokerName}: the reset is known from the client only`);
        if (!regression) missing.push(`no [NOTIFYME] line for ${queueLabel(q)} in broker.log of ${q.brokerName}: the rewind is inferred from the client's commit`);
        if (!restart && messages.length === 0 && !(progressed && progressed.offset > low)) {
          missing.push('no line shows the range consumed again after the reset (the consumer rocketmq_client.log after the reset or a message trace would)');
        }
        const replayed = restart !== null || messages.length > 0 || (progressed !== null && progressed.offset > low);
        const confidence: Confidence = requested && regression && replayed ? 'high' : (requested || onCommitter.length > 0) && (regression || persist) ? 'medium' : 'low';

        const links = uniqueEvents(chain);
        for (const e of [regression, persist]) if (e) used.add(e);
        drafts.push({
          cause: 'manual-offset-reset',
          confidence,
          queue: q,
          offsetRange: { from: low, to: high - 1 },
          redeliveredCount: high - low,
          window: { start: links[0]!.event.instant, end: links[links.length - 1]!.event.instant },
          summary: `${high - low} messages (offsets ${low}–${high - 1} of ${q.brokerName} queue ${q.queueId}) were consumed again by ${q.group} because ${requested?.fields.by ?? 'an operator'} reset the group's offset${requested && requested.fields.timestamp !== null && requested.fields.timestamp >= 0 ? ` to ${timeText(ctx, requested.fields.timestamp)}` : ''}: the client committed ${low} over ${high}.`,
          chain: links,
          missingEvidence: missing,
          messageIds: messages.map((m) => m.msgId),
          anchor: regression ?? requested ?? persist!,
          // Per-queue evidence only: the shared reset lines would make the queues' drafts exclude each other.
          claims: [regression, persist].filter((e): e is Regression | Persist => e !== null),
        });
      }
    }

    // ---- the offline fallback: [NOTIFYME] from a host that is not a consumer of the group ----
    if (clientHosts.size === 0) return drafts; // nothing is known about the consumers: cannot tell mqadmin apart
    const offline = ctx.of('offset-reset').filter((e) => e.fields.phase === 'failed' && /not online|offline/i.test(e.raw));
    const seen = new Set<string>();
    for (const r of ctx.of('offset-regression')) {
      if (used.has(r) || r.fields.requestOffset >= r.fields.storeOffset) continue;
      const writer = hostOfAddr(r.fields.clientHost);
      if (!writer || clientHosts.has(writer)) continue;
      const q = ctx.queueOf(r);
      const id = q ? queueKeyString(q) : `${r.fields.group}|${r.fields.topic}|${r.host ?? '?'}|${r.fields.queueId}`;
      const low = r.fields.requestOffset;
      const high = r.fields.storeOffset;
      const key = `${id}|${writer}|${Math.floor(r.instant / EPISODE_GAP)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const notOnline = offline.filter((e) => e.host === r.host && e.instant <= r.instant + ctx.skewMs && e.instant >= r.instant - 5 * MINUTE && (e.fields.group === null || e.fields.group === r.fields.group)).slice(-1);
      const chain: ChainLink[] = [];
      for (const e of notOnline) chain.push(link(e, `the broker cannot push the reset because no consumer of ${r.fields.group} is online; mqadmin falls back to writing the offsets itself`));
      chain.push(link(r, `broker overwrites stored offset ${high} with ${low}, written by ${r.fields.clientHost} — a host that is not a consumer of ${r.fields.group} (the mqadmin host)`));
      let messages: { msgId: string; event: RmqEvent }[] = [];
      let restart: RmqEvent | null = null;
      if (q) {
        restart = consumptionFrom(ctx, q, r.instant - ctx.skewMs, low)[0] ?? null;
        if (restart) chain.push(link(restart, `${restart.host ?? 'a client'} consumes ${q.brokerName}:${q.queueId} from the reset offset ${low}`));
        messages = replayedMessages(ctx, q, low, high - 1, r.instant);
        for (const m of messages.slice(0, 3)) chain.push(link(m.event, `message ${m.msgId} consumed again after the reset`));
        const after = positionAfter(ctx, q, r.instant + 1);
        if (after && after.offset > low) chain.push(link(after.event, `consumption runs through the replayed range again: offset ${after.offset} committed`));
      }
      const links = uniqueEvents(chain);
      const missing = missingLogs(ctx, { brokerNames: q ? [q.brokerName] : [] });
      missing.push(`no reset-offset line names the operator: ask who ran mqadmin resetOffsetByTime on ${writer} (its shell history / the mqadmin output), or get the broker.log lines of the reset`);
      if (!q) missing.push(`the broker name of ${r.host ?? 'this broker'} is unknown: no client heartbeat or boot line names it`);
      drafts.push({
        cause: 'manual-offset-reset',
        confidence: 'medium',
        queue: q,
        offsetRange: { from: low, to: high - 1 },
        redeliveredCount: high - low,
        window: { start: links[0]!.event.instant, end: links[links.length - 1]!.event.instant },
        summary: `${high - low} messages (offsets ${low}–${high - 1}${q ? ` of ${q.brokerName} queue ${q.queueId}` : ` of queue ${r.fields.queueId}`}) were delivered again to ${r.fields.group}: ${writer}, which is not a consumer of the group, wrote offset ${low} over ${high} — a strong hint of a manual offset reset (mqadmin resetOffsetByTime while the group was offline).`,
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

