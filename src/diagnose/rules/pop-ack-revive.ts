import type { Context, QueueKey } from '../../correlate/index.js';
import type { EventOf } from '../../model/events.js';
import { link, MINUTE, missingLogs, redeliveredMessages, uniqueEvents } from '../evidence.js';
import type { ChainLink, Confidence, IncidentDraft, Rule } from '../types.js';

/**
 * RocketMQ 5 POP consumption (catalog §17): a pop writes a checkpoint (CK) into the revive topic,
 * each ack writes an ACK; PopReviveService merges ACKs into their CK by a key that ends with the
 * brokerName and re-puts every message whose bit is still un-acked when the CK's revive time
 * passes (`reviveQueueId=…,retry msg, ck=…, msg queueId q, offset o`). With
 * enablePopBufferMerge=true on 5.0.0–5.3.1 the acks flushed from the buffer to the store carry no
 * brokerName (`[PopBuffer]put ack to store ok: …, AckMsg{…, brokerName=null}`, issue #8835), never
 * match their CK, and messages that were acked are revived and consumed again.
 *
 * Detects: a revive of an offset for which the bundle shows an ACK of the same checkpoint
 * (same topic, group, queueId, CK startOffset) written before the revive.
 */

type Revive = EventOf<'pop-revive'>;
type Ack = EventOf<'pop-ack'>;
type Ck = EventOf<'pop-ck'>;

interface CkRef {
  topic: string;
  group: string;
  queueId: number;
  startOffset: number;
  brokerName: string | null;
}

interface AckRef {
  topic: string;
  group: string;
  queueId: number;
  startOffset: number;
  /** Acked queue offsets (one, or a batch ack's list). */
  offsets: number[];
  /** null when the ack carries no brokerName (#8835). */
  brokerName: string | null;
}

function nameOrNull(v: string | undefined): string | null {
  return v === undefined || v === '' || v === 'null' ? null : v;
}

/** `PopCheckPoint [topic=…, cid=…, queueId=…, startOffset=…, …, brokerName=…, …]` or CK raw JSON. */
export function parseCk(text: string): CkRef | null {
  const m = /PopCheckPoint \[topic=([^,]*), cid=([^,]*), queueId=(-?\d+), startOffset=(-?\d+), .*?, diff=\[[^\]]*\], brokerName=([^,\]]*)/.exec(text);
  if (m) return { topic: m[1]!, group: m[2]!, queueId: Number(m[3]), startOffset: Number(m[4]), brokerName: nameOrNull(m[5]) };
  const j = jsonObject(text);
  if (j && typeof j.so === 'number' && typeof j.q === 'number' && typeof j.t === 'string' && typeof j.c === 'string' && 'bm' in j) {
    return { topic: j.t, group: j.c, queueId: j.q, startOffset: j.so, brokerName: typeof j.bn === 'string' ? nameOrNull(j.bn) : null };
  }
  return null;
}

/** `AckMsg{ackOffset=…, startOffset=…, consumerGroup='…', topic='…', queueId=…, popTime=…, brokerName=…}` or ack raw JSON. */
export function parseAck(text: string): AckRef | null {
  const m = /AckMsg\{ackOffset=(-?\d+), startOffset=(-?\d+), consumerGroup='([^']*)', topic='([^']*)', queueId=(-?\d+), popTime=-?\d+, brokerName=([^,}]*)\}/.exec(text);
  if (m) return { offsets: [Number(m[1])], startOffset: Number(m[2]), group: m[3]!, topic: m[4]!, queueId: Number(m[5]), brokerName: nameOrNull(m[6]) };
  const j = jsonObject(text);
  if (!j || typeof j.so !== 'number' || typeof j.q !== 'number' || typeof j.t !== 'string' || typeof j.c !== 'string') return null;
  const offsets = typeof j.ao === 'number' ? [j.ao] : Array.isArray(j.aol) ? j.aol.filter((x): x is number => typeof x === 'number') : [];
  if (offsets.length === 0) return null;
  return { offsets, startOffset: j.so, group: j.c, topic: j.t, queueId: j.q, brokerName: typeof j.bn === 'string' ? nameOrNull(j.bn) : null };
}

type JsonScalarMap = Record<string, string | number | boolean | null | unknown[]>;

/** The last `{…}` JSON object of a line (the `raw : {…}` of the revive service), or null. */
function jsonObject(text: string): JsonScalarMap | null {
  const i = text.lastIndexOf('raw : {');
  if (i < 0) return null;
  try {
    const v: unknown = JSON.parse(text.slice(i + 'raw : '.length).trim());
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonScalarMap) : null;
  } catch {
    return null;
  }
}

function ckKey(c: { topic: string; group: string; queueId: number; startOffset: number }): string {
  return `${c.topic}|${c.group}|${c.queueId}|${c.startOffset}`;
}

interface Acked {
  event: Ack;
  ack: AckRef;
}

export const popAckRevive: Rule = {
  meta: {
    code: 'pop-ack-revive',
    title: 'POP consumption: acked messages were revived and delivered again',
    description:
      'In RocketMQ 5 POP consumption the broker writes a checkpoint (CK) per pop and an ACK per acknowledged message into the revive topic; PopReviveService merges them by a key ending with the brokerName and re-puts every message still un-acked when the CK reaches its revive time into %RETRY%<group>_<topic>. With enablePopBufferMerge=true on 5.0.0–5.3.1 the acks that PopBufferMergeService flushes to the store carry brokerName=null (issue #8835), so they never match their CK and messages that had been acked are revived and consumed again with reconsumeTimes+1.',
    remediation:
      'Upgrade the brokers to 5.3.2 or later (fix PR #8836, commit 031687dbd7: putAckToStore sets the brokerName), or set enablePopBufferMerge=false (the default) until then; keep enablePopLog=true while investigating so the [PopBuffer] and revive lines are logged. Make consumers idempotent: POP redeliveries (un-acked messages, invisible-time expiry) are by design and carry the same msgId.',
    references: [
      'catalog §17 (5.x POP consumption: CK/ACK buffer, revive)',
      'catalog §17.2 (incomplete ACK while the CK is in the buffer)',
      'apache/rocketmq issue #8835, PR #8836 (fixed in 5.3.2)',
      'apache/rocketmq issue #3787 (acks forced to the store path)',
    ],
    byDesign: false,
    priority: 50,
  },
  detect(ctx: Context): IncidentDraft[] {
    // Index the acks by checkpoint.
    const acksByCk = new Map<string, Acked[]>();
    for (const e of ctx.of('pop-ack')) {
      if (e.fields.result === 'failed' && /put (?:batch )?ack to store fail/.test(e.raw)) continue; // never written
      const ack = parseAck(e.raw);
      if (!ack) continue;
      const k = ckKey(ack);
      let l = acksByCk.get(k);
      if (!l) acksByCk.set(k, (l = []));
      l.push({ event: e, ack });
    }
    const cksByKey = new Map<string, Ck[]>();
    for (const e of ctx.of('pop-ck')) {
      const ck = parseCk(e.raw);
      if (!ck) continue;
      const k = ckKey(ck);
      let l = cksByKey.get(k);
      if (!l) cksByKey.set(k, (l = []));
      l.push(e);
    }
    // Revive lines grouped by checkpoint, in order.
    const revivesByCk = new Map<string, { ck: CkRef; revives: Revive[] }>();
    for (const r of ctx.of('pop-revive')) {
      const ck = parseCk(r.raw);
      if (!ck || r.fields.offset === null) continue;
      const k = `${ckKey(ck)}|${r.host ?? '?'}`;
      let g = revivesByCk.get(k);
      if (!g) revivesByCk.set(k, (g = { ck, revives: [] }));
      g.revives.push(r);
    }

    const drafts: IncidentDraft[] = [];
    for (const { ck, revives } of revivesByCk.values()) {
      const acks = (acksByCk.get(ckKey(ck)) ?? []).filter((a) => a.event.instant <= revives[revives.length - 1]!.instant + ctx.skewMs);
      // Revived offsets that an ack of this checkpoint covered before the revive.
      const ackedRevives: { revive: Revive; acks: Acked[] }[] = [];
      for (const r of revives) {
        const off = r.fields.offset!;
        const covering = acks.filter((a) => a.ack.offsets.includes(off) && a.event.instant <= r.instant + ctx.skewMs);
        if (covering.length > 0) ackedRevives.push({ revive: r, acks: covering });
      }
      if (ackedRevives.length === 0) continue; // un-acked messages revived: POP redelivery by design

      const brokerName = ck.brokerName ?? ctx.brokers.nameOfHost(revives[0]!.host);
      const q: QueueKey | null = brokerName ? { group: ck.group, topic: ck.topic, brokerName, queueId: ck.queueId } : null;
      const offsets = [...new Set(ackedRevives.map((x) => x.revive.fields.offset!))].sort((a, b) => a - b);
      const from = offsets[0]!;
      const to = offsets[offsets.length - 1]!;
      const allAcks = [...new Set(ackedRevives.flatMap((x) => x.acks))];
      // #8835: an ack stored without the brokerName the CK has cannot be merged with it.
      const mismatched = allAcks.filter((a) => a.ack.brokerName === null && ck.brokerName !== null && a.event.fields.result !== 'buffered');
      const bufferedAck = allAcks.filter((a) => a.event.fields.result === 'buffered');
      const storedAck = allAcks.filter((a) => a.event.fields.result === 'stored');
      const foundAck = allAcks.filter((a) => a.event.fields.result === 'found');
      const firstRevive = ackedRevives[0]!.revive;
      const cks = (cksByKey.get(ckKey(ck)) ?? []).filter((c) => c.instant <= firstRevive.instant + ctx.skewMs);
      const finish = ctx
        .of('pop-revive-finish')
        .find((f) => f.host === firstRevive.host && f.fields.reviveQueueId === firstRevive.fields.reviveQueueId && f.instant >= firstRevive.instant - 1000 && f.instant <= firstRevive.instant + MINUTE);
      const messages = q ? redeliveredMessages(ctx, q, from, to, firstRevive.instant) : [];

      const chain: ChainLink[] = [];
      for (const c of cks.filter((c) => c.fields.result === 'buffered').slice(0, 1)) chain.push(link(c, `pop of ${ck.topic} queue ${ck.queueId} from offset ${ck.startOffset}: the checkpoint is kept in the POP buffer`));
      for (const a of bufferedAck.slice(0, 3)) chain.push(link(a.event, `${ck.group} acks offset ${a.ack.offsets.join(', ')}; the ack waits in the buffer`));
      for (const c of cks.filter((c) => c.fields.result === 'stored').slice(0, 1)) chain.push(link(c, `the checkpoint leaves the buffer before all its messages were acked and is written to the revive topic`));
      for (const a of storedAck.slice(0, 3)) {
        chain.push(
          link(
            a.event,
            a.ack.brokerName === null
              ? `the buffered ack of offset ${a.ack.offsets.join(', ')} is written to the store without a brokerName (brokerName=null, #8835): it cannot match its checkpoint (brokerName=${ck.brokerName ?? '?'})`
              : `the ack of offset ${a.ack.offsets.join(', ')} is written to the store`,
          ),
        );
      }
      for (const c of cks.filter((c) => c.fields.result === 'found').slice(0, 1)) chain.push(link(c, `the revive service reads the checkpoint (brokerName ${ck.brokerName ?? 'unknown'})`));
      for (const a of foundAck.slice(0, 3)) {
        chain.push(link(a.event, a.ack.brokerName === null ? `the revive service reads the ack of offset ${a.ack.offsets.join(', ')} without "bn": its merge key does not match the checkpoint` : `the revive service reads the ack of offset ${a.ack.offsets.join(', ')}`));
      }
      for (const x of ackedRevives.slice(0, 4)) chain.push(link(x.revive, `offset ${x.revive.fields.offset!} was acked but is revived into the retry topic and delivered again`));
      if (finish) chain.push(link(finish, `revive round of revive queue ${finish.fields.reviveQueueId} finishes`));
      for (const m of messages.slice(0, 3)) chain.push(link(m.event, `message ${m.msgId} consumed again (reconsumeTimes+1)`));

      const missing = q ? missingLogs(ctx, { brokerNames: [q.brokerName] }) : [];
      if (!q) missing.push(`the broker name of ${firstRevive.host ?? 'the broker'} is unknown: no checkpoint or boot line names it`);
      if (mismatched.length === 0) {
        missing.push('no ack line shows why the ack did not match its checkpoint (the [PopBuffer]put ack to store / find ack lines of pop.log with enablePopLog=true would show brokerName=null)');
      }
      if (messages.length === 0) missing.push(`no message trace or consume log shows the revived messages consumed again by ${ck.group} (a message trace of the msgIds, with reconsumeTimes, would)`);
      const confidence: Confidence = mismatched.length > 0 && messages.length > 0 ? 'high' : mismatched.length > 0 || messages.length > 0 ? 'medium' : 'low';
      const links = uniqueEvents(chain);
      drafts.push({
        cause: 'pop-ack-revive',
        confidence,
        queue: q,
        offsetRange: { from, to },
        redeliveredCount: offsets.length,
        window: { start: links[0]!.event.instant, end: links[links.length - 1]!.event.instant },
        summary: `${offsets.length} acked message${offsets.length === 1 ? '' : 's'} (offsets ${from}–${to}${q ? ` of ${q.brokerName} queue ${q.queueId}` : ''}) ${offsets.length === 1 ? 'was' : 'were'} revived by the broker's POP revive service and delivered again to ${ck.group}${mismatched.length > 0 ? ': their acks were stored with brokerName=null and never matched the checkpoint (#8835, enablePopBufferMerge on 5.0.0–5.3.1)' : ''}.`,
        chain: links,
        missingEvidence: missing,
        messageIds: messages.map((m) => m.msgId),
        anchor: firstRevive,
        claims: ackedRevives.map((x) => x.revive),
      });
    }
    return drafts;
  },
};
