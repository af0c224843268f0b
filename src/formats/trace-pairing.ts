import type { AnyRecord } from './document.js';
import { deliveryFields, epochRecord, plausibleMs } from './trace-json.js';

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
    const k = this.key(b.requestId, b.msgId);
    const list = this.open.get(k) ?? [];
    // A SubAfter may come first (records of one consume call are batched in any order).
    const waiting = b.requestId !== null ? list.find((p) => p.before === null) : undefined;
    if (waiting) {
      waiting.before = b;
      return;
    }
    const p: Pair = { before: b, after: null };
    list.push(p);
    this.open.set(k, list);
    this.pairs.push(p);
  }

  after(a: SubAfter): void {
    const k = this.key(a.requestId, a.msgId);
    const list = this.open.get(k) ?? [];
    const waiting = a.requestId !== null ? list.find((p) => p.after === null) : undefined;
    if (waiting) {
      waiting.after = a;
      return;
    }
    const p: Pair = { before: null, after: a };
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
