import type { AnyRecord } from './document.js';
import { deliveryFields, epochRecord, plausibleMs, publicationFields } from './trace-json.js';

/**
 * SubBefore / SubAfter pairing shared by the formats that carry single trace records (raw trace
 * body, dashboard MessageTraceView list, Huawei DMS): one consumption = one requestId + msgId.
 */
export interface SubBefore {
  requestId: string | null;
  msgId: string;
  group: string | null;
  timeMs: number | null;
  retryTimes: number | null;
  client: string | null;
  topic: string | null;
  line: number;
  raw: string;
}

export interface SubAfter {
  requestId: string | null;
  msgId: string;
  group: string | null;
  /** End of the consumption (4.8+ long form); null for the 4.4–4.7 short form. */
  timeMs: number | null;
  costMs: number | null;
  success: boolean | null;
  client: string | null;
  topic: string | null;
  line: number;
  raw: string;
}

interface Pair {
  before: SubBefore | null;
  after: SubAfter | null;
}

export class SubPairer {
  private readonly pairs: Pair[] = [];
  private readonly open = new Map<string, Pair[]>();

  constructor(private readonly origin: string) {}

  private key(requestId: string | null, msgId: string): string {
    return `${requestId ?? ''}\u0000${msgId}`;
  }

  before(b: SubBefore): void {
    this.add('before', b);
  }

  after(a: SubAfter): void {
    this.add('after', a);
  }

  private add<S extends keyof Pair>(side: S, r: NonNullable<Pair[S]>): void {
    const k = this.key(r.requestId, r.msgId);
    const list = this.open.get(k) ?? [];
    // A SubAfter may come first (records of one consume call are batched in any order).
    const waiting = r.requestId !== null ? list.find((p) => p[side] === null) : undefined;
    if (waiting) {
      waiting[side] = r;
      return;
    }
    const p: Pair = { before: null, after: null };
    p[side] = r;
    list.push(p);
    this.open.set(k, list);
    this.pairs.push(p);
  }

  /** One trace-delivery per pair; time from SubBefore, else the SubAfter end time. */
  records(): AnyRecord[] {
    const out: AnyRecord[] = [];
    for (const { before, after } of this.pairs) {
      const ref = before ?? after;
      if (!ref) continue;
      const timeMs = before?.timeMs ?? after?.timeMs ?? null;
      if (!plausibleMs(timeMs)) continue;
      out.push(
        epochRecord(
          'trace-delivery',
          deliveryFields({
            msgId: ref.msgId,
            group: before?.group ?? after?.group ?? null,
            client: before?.client ?? after?.client ?? null,
            topic: before?.topic ?? after?.topic ?? null,
            retryTimes: before?.retryTimes ?? null,
            success: after?.success ?? null,
            requestId: ref.requestId,
            costMs: after?.costMs ?? null,
            origin: this.origin,
          }),
          timeMs,
          ref.line,
          ref.raw,
        ),
      );
    }
    return out;
  }
}

/**
 * One record of the formats that list trace records with their trace type (dashboard
 * MessageTraceView, Huawei DMS trace), with the members already read.
 */
export interface TypedTrace {
  /** Pub, SubBefore, SubAfter, EndTransaction; anything else is passed over. */
  type: string | null;
  msgId: string;
  timeMs: number | null;
  /** End of the consumption on a SubAfter record (null when unknown). */
  afterTimeMs: number | null;
  requestId: string | null;
  /** Producer group (Pub) or consumer group (SubBefore / SubAfter). */
  group: string | null;
  /** The group as written, for the EndTransaction detail. */
  groupText: string | null;
  topic: string | null;
  client: string | null;
  storeHost: string | null;
  offsetMsgId: string | null;
  keys: string | null;
  /** Send status of a Pub record. */
  pubSuccess: boolean | null;
  /** Consume status of a SubAfter record. */
  subSuccess: boolean | null;
  retryTimes: number | null;
  costMs: number | null;
  transactionState: string | null;
  line: number;
  raw: string;
}

/** Pub → trace-publication, SubBefore + SubAfter → trace-delivery, EndTransaction → info; by line. */
export function typedTraceRecords(traces: Iterable<TypedTrace>, origin: string): AnyRecord[] {
  const out: AnyRecord[] = [];
  const pairer = new SubPairer(origin);
  for (const t of traces) {
    const { msgId, timeMs: ts, line, raw } = t;
    switch (t.type) {
      case 'Pub':
        if (!plausibleMs(ts)) break;
        out.push(
          epochRecord(
            'trace-publication',
            publicationFields({
              msgId,
              offsetMsgId: t.offsetMsgId,
              topic: t.topic,
              producerGroup: t.group,
              storeHost: t.storeHost,
              success: t.pubSuccess,
              keys: t.keys,
              origin,
            }),
            ts,
            line,
            raw,
          ),
        );
        break;
      case 'SubBefore':
        pairer.before({ requestId: t.requestId, msgId, group: t.group, timeMs: ts, retryTimes: t.retryTimes, client: t.client, topic: t.topic, line, raw });
        break;
      case 'SubAfter':
        pairer.after({
          requestId: t.requestId,
          msgId,
          group: t.group,
          timeMs: t.afterTimeMs,
          costMs: t.costMs,
          success: t.subSuccess,
          client: t.client,
          topic: t.topic,
          line,
          raw,
        });
        break;
      case 'EndTransaction':
        if (!plausibleMs(ts)) break;
        out.push(
          epochRecord(
            'info',
            { what: 'trace-end-transaction', detail: `${t.transactionState ?? 'UNKNOWN'} msgId=${msgId} topic=${t.topic ?? ''} group=${t.groupText ?? ''}` },
            ts,
            line,
            raw,
          ),
        );
        break;
      default:
        break;
    }
  }
  out.push(...pairer.records());
  return out.sort((a, b) => a.line - b.line);
}
