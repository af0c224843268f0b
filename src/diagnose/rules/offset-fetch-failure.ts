import type { Context } from '../../correlate/index.js';
import type { EventOf, RmqEvent } from '../../model/events.js';
import { hostOfAddr } from '../../model/queue.js';
import {
  consumptionFrom,
  faultEpisode,
  link,
  MINUTE,
  missingLogs,
  onHost,
  onQueue,
  persistsOn,
  positionAfter,
  positionBefore,
  queueLabel,
  redeliveredMessages,
  sameQueue,
  uniqueEvents,
} from '../evidence.js';
import type { ChainLink, IncidentDraft, Rule } from '../types.js';

/**
 * Network jitter → the offset read during rebalance fails (`fetchConsumeOffsetFromBroker
 * exception`) → the client uses -1 → the pull with an illegal offset is corrected by the broker to
 * the queue's minOffset → the client commits it and the broker overwrites the higher offset
 * (`[NOTIFYME] … requestOffset < storeOffset`) → everything in between is consumed again.
 */
export const offsetFetchFailure: Rule = {
  meta: {
    code: 'offset-fetch-failure',
    title: 'Offset read failed during rebalance; the queue restarted from its min offset',
    description:
      'A timeout or connection error while reading the consume offset (fetchConsumeOffsetFromBroker) was turned into -1 by 4.x clients; the pull with offset -1 was corrected by the broker to the queue minOffset, the client committed that lower offset and the broker overwrote the higher one, so every message in between was consumed again.',
    remediation:
      'Upgrade the client to 4.9.1 or later (ISSUE #2708: offset-read failures no longer become -1; 4.9.3 also reads offsets from the master first) — 5.x still logs "Compute consume offset exception" and retries; fix the network jitter between consumers and brokers; make consumers idempotent (dedupe on the message key / UNIQ_KEY).',
    references: [
      'catalog §1 (RemoteBrokerOffsetStore.readOffset, -1 vs -2)',
      'catalog §4.1 (orderly first pull, NewOffset: -1)',
      'catalog §12 (OFFSET_TOO_SMALL correction)',
      'apache/rocketmq ISSUE #2708',
    ],
    byDesign: false,
    priority: 90,
  },
  detect(ctx: Context): IncidentDraft[] {
    const drafts: IncidentDraft[] = [];
    for (const fail of ctx.of('fetch-offset-failed')) {
      const q = ctx.queueOf(fail);
      if (!q || !fail.host) continue;
      const host = fail.host;
      const horizon = fail.instant + 15 * MINUTE;
      // The -1 on its way to the pull: orderly first pull, or an illegal pull from -1.
      const minusOne: RmqEvent[] = [
        ...onQueue(ctx, 'first-pull-offset', q, fail.instant - ctx.skewMs, horizon).filter((e) => e.host === host && (e.fields.newOffset < 0 || e.fields.requestOffset < 0)),
        ...onQueue(ctx, 'pull-offset-illegal', q, fail.instant - ctx.skewMs, horizon).filter((e) => e.host === host && e.fields.requestOffset < 0),
      ].sort((a, b) => a.instant - b.instant);
      const brokerHost = ctx.brokers.hostOf(q.brokerName);
      const tooSmall = ctx
        .of('pull-offset-corrected')
        .filter(
          (e) =>
            e.host !== null &&
            e.host === brokerHost &&
            e.instant >= fail.instant - ctx.skewMs &&
            e.instant <= horizon &&
            e.fields.requestOffset !== null &&
            e.fields.requestOffset < 0 &&
            (e.fields.group === null || e.fields.group === q.group) &&
            (e.fields.topic === null || e.fields.topic === q.topic) &&
            (e.fields.client === null || hostOfAddr(e.fields.client) === host),
        );
      if (minusOne.length === 0 && tooSmall.length === 0) continue; // the failure did not reach a pull
      const illegal = onQueue(ctx, 'pull-offset-illegal', q, fail.instant - ctx.skewMs, horizon).filter((e) => e.host === host);
      const corrected = illegal.find((e) => e.fields.requestOffset < 0)?.fields.nextBeginOffset ?? tooSmall.find((e) => e.fields.newOffset !== null)?.fields.newOffset ?? null;
      // The commit of the corrected (low) offset and the broker's acceptance of the rewind.
      const regressions = onQueue(ctx, 'offset-regression', q, fail.instant - ctx.skewMs, horizon).filter(
        (e) => hostOfAddr(e.fields.clientHost) === host && (corrected === null || e.fields.requestOffset === corrected),
      );
      const regression = regressions[0] ?? null;
      const low = regression?.fields.requestOffset ?? corrected;
      if (low === null) continue;
      const before = positionBefore(ctx, q, fail.instant);
      const high = regression?.fields.storeOffset ?? before?.offset ?? null;
      if (high === null || high <= low) continue;
      const persists = persistsOn(ctx, q, fail.instant, horizon, (r, s) => s.head.host === host && r.offset === low);
      const fixed = onQueue(ctx, 'pull-offset-fixed', q, fail.instant, horizon).filter((e) => e.host === host && e.fields.offset === low);
      const moved = ctx
        .of('pull-offset-corrected')
        .filter((e) => e.host === brokerHost && e.fields.reason === 'moved' && e.fields.requestOffset !== null && e.fields.requestOffset < 0 && e.fields.newOffset === low && e.instant >= fail.instant - ctx.skewMs && e.instant <= horizon);

      const turn = regression ?? persists[0] ?? fail;
      // Re-consumption: a client that starts from the low offset after the rewind, and commits beyond it.
      const restart = consumptionFrom(ctx, q, turn.instant - ctx.skewMs, low)[0] ?? null;
      const progressed = positionAfter(ctx, q, turn.instant);
      const messages = redeliveredMessages(ctx, q, low, high - 1, turn.instant);

      const episode = faultEpisode(ctx, host, fail.instant);
      const windowStart = episode ? episode.first.instant : fail.instant - 30 * MINUTE;
      const ownership = ownerChanges(onQueue(ctx, 'queue-added', q, windowStart, fail.instant + ctx.skewMs));
      // The heartbeat failure that lost the queue: to the queue's broker, before another client took it.
      const takenAway = ownership.find((a) => a.host !== host)?.instant ?? fail.instant;
      const brokerAddr = ctx.brokers.addrOf(q.brokerName);
      const hbFails = onHost(ctx, 'heartbeat-failed', host, windowStart, takenAway + ctx.skewMs);
      const hbToBroker = hbFails.filter((h) => h.fields.brokerName === q.brokerName || (brokerAddr !== null && h.fields.brokerAddr === brokerAddr));
      const hb = hbToBroker[hbToBroker.length - 1] ?? hbFails[hbFails.length - 1] ?? null;

      // Links in causal order (clocks disagree by seconds; broker lines have second resolution).
      const chain: ChainLink[] = [];
      if (episode) {
        chain.push(link(episode.first, `first of ${episode.count} request timeouts / connection failures on ${host}${episode.remotes.size ? ` (to ${[...episode.remotes].slice(0, 4).join(', ')})` : ''}`));
      }
      if (hb) chain.push(link(hb, `heartbeat from ${host} to ${hb.fields.brokerName ?? hb.fields.brokerAddr ?? 'a broker'} failed; the broker may expire the client and the group rebalances`));
      for (const a of ownership) chain.push(link(a, `rebalance gave ${queueLabel(q)} to ${a.host ?? 'a client'}${a.fields.nextOffset !== null ? ` (start offset ${a.fields.nextOffset})` : ''}`));
      chain.push(link(fail, `reading the consume offset of ${q.brokerName}:${q.queueId} failed${fail.exception ? ` (${shortClass(fail.exception.className)})` : ''}; the 4.x client turns this into offset -1`));
      for (const e of minusOne.slice(0, 1)) chain.push(link(e, `${host} pulls ${q.brokerName}:${q.queueId} with offset -1`));
      for (const e of tooSmall.slice(0, 1)) chain.push(link(e, `broker rejects offset -1 as too small and corrects it to ${e.fields.newOffset ?? 'the min offset'}`));
      for (const e of moved.slice(0, 1)) chain.push(link(e, `broker answers PULL_OFFSET_MOVED with newOffset=${low}`));
      for (const e of illegal.slice(0, 1)) chain.push(link(e, `client accepts the correction: next offset ${e.fields.nextBeginOffset}`));
      for (const e of persists.slice(0, 1)) chain.push(link(e, `${host} commits offset ${low} (the queue had reached ${high})`));
      if (regression) chain.push(link(regression, `broker overwrites stored offset ${regression.fields.storeOffset} with ${regression.fields.requestOffset}`));
      for (const e of fixed.slice(0, 1)) chain.push(link(e, `client resets the pull request to ${low}`));
      if (restart) chain.push(link(restart, `${restart.host ?? 'a client'} consumes ${q.brokerName}:${q.queueId} again from offset ${low}`));
      for (const m of messages.slice(0, 3)) chain.push(link(m.event, `message ${m.msgId} consumed again`));
      if (progressed && progressed.offset > low) chain.push(link(progressed.event, `consumption passes the rewound range: offset ${progressed.offset} committed`));

      const missing = missingLogs(ctx, { clients: [host, restart?.host ?? null], brokerNames: [q.brokerName] });
      if (!regression) missing.push(`no [NOTIFYME] line for ${queueLabel(q)} in broker.log of ${q.brokerName}: the overwrite of the stored offset is inferred from the client's commits`);
      if (!restart && messages.length === 0) missing.push(`no line shows the queue consumed again after the rewind (the next owner's rocketmq_client.log or a message trace would)`);
      const complete = regression !== null && minusOne.length + tooSmall.length > 0 && (restart !== null || messages.length > 0 || (progressed !== null && progressed.offset > low));
      const confidence = complete && episode ? 'high' : complete ? 'medium' : 'low';
      const links = uniqueEvents(chain, { causal: true });
      const start = Math.min(...links.map((l) => l.event.instant));
      const end = Math.max(...links.map((l) => l.event.instant));
      drafts.push({
        cause: 'offset-fetch-failure',
        confidence,
        queue: q,
        offsetRange: { from: low, to: high - 1 },
        redeliveredCount: high - low,
        window: { start, end },
        summary: `${high - low} messages (offsets ${low}–${high - 1} of ${q.brokerName} queue ${q.queueId}) were consumed again by ${q.group}${restart?.host ? ` on ${restart.host}` : ''} because ${host} failed to read the consume offset${episode ? ` during network timeouts that began at ${episode.first.timestampText} (as logged on ${host})` : ''}, pulled with -1 and committed the broker's correction ${low} over ${high}.`,
        chain: links,
        missingEvidence: missing,
        messageIds: messages.map((m) => m.msgId),
        // The failed offset read identifies the incident, whatever later lines a run sees.
        anchor: fail,
        claims: [fail, ...minusOne, ...tooSmall, ...moved, ...illegal, ...fixed, ...persists, ...regressions],
      });
    }
    return dedupeByQueue(drafts);
  },
};

/**
 * Ownership transitions of a queue: one link per change of owner (`add a new mq` and its
 * `add a new pull request` are one step; the one with the start offset is kept).
 */
function ownerChanges(added: EventOf<'queue-added'>[]): EventOf<'queue-added'>[] {
  const out: EventOf<'queue-added'>[] = [];
  for (const a of added) {
    const prev = out[out.length - 1];
    if (prev && prev.host === a.host) {
      if (a.instant - prev.instant < 5000 && prev.fields.nextOffset === null && a.fields.nextOffset !== null) out[out.length - 1] = a;
      continue;
    }
    out.push(a);
  }
  return out;
}

function shortClass(c: string): string {
  return c.replace(/^.*\./, '');
}

/** Several fetch failures of one episode lead to the same rewind: keep the one with the fullest chain. */
function dedupeByQueue(drafts: IncidentDraft[]): IncidentDraft[] {
  const out: IncidentDraft[] = [];
  for (const d of drafts) {
    const same = out.findIndex((o) => sameQueue(o.queue, d.queue) && o.anchor === d.anchor);
    if (same < 0) out.push(d);
    else if (d.chain.length > out[same]!.chain.length) out[same] = d;
  }
  return out;
}
