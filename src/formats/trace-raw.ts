import type { EventFieldMap } from '../model/events.js';
import { documentFormat, type AnyRecord } from './document.js';
import { bool, epochRecord, int, nonNegative, plausibleMs, publicationFields } from './trace-json.js';
import { SubPairer } from './trace-pairing.js';

/**
 * The raw body of a trace-topic message (catalog §19.1–19.2, `TraceDataEncoder`): records end
 * with U+0002, fields are separated by U+0001. Pub → trace-publication; SubBefore + SubAfter
 * (paired by requestId + msgId) → one trace-delivery; EndTransaction / Recall → info. A file may
 * hold one body on one line, or several bodies / records one per line (pasted).
 */
const FIELD = '\u0001';
const RECORD = '\u0002';
const TYPES = ['Pub', 'SubBefore', 'SubAfter', 'EndTransaction', 'Recall'] as const;
const START_RE = /^\uFEFF?\s*(?:Pub|SubBefore|SubAfter|EndTransaction|Recall)\u0001/;

function nul(s: string | undefined): string | null {
  if (s === undefined) return null;
  const t = s.trim();
  return t.length > 0 && t !== 'null' ? t : null;
}

/** Fewest fields a record of each type needs to be read; shorter ones are passed over. */
const MIN_FIELDS: Record<(typeof TYPES)[number], number> = { Pub: 13, SubBefore: 7, SubAfter: 5, EndTransaction: 12, Recall: 6 };

/** Pub: 14 fields (13 without offsetMsgId in very old clients; ≥15 with clientHost). */
function pubFields(f: string[], msgId: string): EventFieldMap['trace-publication'] {
  const hasOffsetId = f.length >= 14;
  return publicationFields({
    msgId,
    offsetMsgId: hasOffsetId ? nul(f[12]) : null,
    topic: nul(f[4]),
    producerGroup: nul(f[3]),
    storeHost: nul(f[8]),
    success: bool(hasOffsetId ? f[13] : f[12]),
    keys: nul(f[7]),
    origin: 'trace-raw',
  });
}

function infoFields(type: 'EndTransaction' | 'Recall', f: string[], msgId: string): EventFieldMap['info'] {
  if (type === 'Recall') return { what: 'trace-recall', detail: `msgId=${msgId} topic=${nul(f[4]) ?? ''} group=${nul(f[3]) ?? ''} success=${nul(f[6]) ?? ''}` };
  const detail = `${nul(f[11]) ?? 'UNKNOWN'} msgId=${msgId} topic=${nul(f[4]) ?? ''} group=${nul(f[3]) ?? ''} storeHost=${nul(f[8]) ?? ''} transactionId=${nul(f[10]) ?? ''}`;
  return { what: 'trace-end-transaction', detail };
}

export const TRACE_RAW_FORMAT = documentFormat({
  id: 'trace-raw',
  title: 'RocketMQ trace topic message body (Pub/SubBefore/SubAfter records, \\x01/\\x02 separated)',
  zone: 'embedded',
  sniff(head) {
    let nonBlank = 0;
    let hits = 0;
    for (const l of head) {
      if (l.trim().length === 0) continue;
      nonBlank++;
      if (START_RE.test(l)) hits++;
    }
    if (nonBlank === 0 || hits === 0) return { score: 0 };
    const r = hits / nonBlank;
    return { score: r >= 0.5 ? 0.9 + 0.1 * r : Math.min(0.85, r * 1.5) };
  },
  parse(lines) {
    const out: AnyRecord[] = [];
    const pairer = new SubPairer('trace-raw');
    let seen = 0;
    lines.forEach((text, idx) => {
      if (!text.includes(FIELD)) return;
      const lineNo = idx + 1;
      for (const piece of text.split(RECORD)) {
        const rec = piece.replace(/^[\s\uFEFF]+/, '').replace(/[\r\n]+$/, '');
        if (rec.length === 0) continue;
        const f = rec.split(FIELD);
        const type = f[0] as (typeof TYPES)[number];
        if (!TYPES.includes(type)) continue;
        seen++;
        if (f.length < MIN_FIELDS[type]) continue;
        const msgId = nul(f[type === 'SubAfter' ? 2 : 5]);
        if (!msgId) continue;
        // Sub records name no client or topic.
        const at = { client: null, topic: null, line: lineNo, raw: rec };
        if (type === 'SubBefore') {
          pairer.before({ ...at, requestId: nul(f[4]), msgId, group: nul(f[3]), timeMs: int(f[1]), retryTimes: nonNegative(int(f[6])) });
          continue;
        }
        if (type === 'SubAfter') {
          // 4.4–4.7: 7 fields; 4.8+: 9 (timeStamp, group).
          const timeMs = f.length >= 8 ? int(f[7]) : null;
          pairer.after({ ...at, requestId: nul(f[1]), msgId, group: nul(f[8]), timeMs, costMs: nonNegative(int(f[3])), success: bool(f[4]) });
          continue;
        }
        const ts = int(f[1]);
        if (!plausibleMs(ts)) continue;
        if (type === 'Pub') out.push(epochRecord('trace-publication', pubFields(f, msgId), ts, lineNo, rec, f[1]));
        else out.push(epochRecord('info', infoFields(type, f, msgId), ts, lineNo, rec, f[1]));
      }
    });
    if (seen === 0) throw new Error('no trace record (Pub/SubBefore/SubAfter/EndTransaction/Recall with \\x01 separators) found');
    // The trace body names the topic only in Pub / EndTransaction records: deliveries of the same
    // msgId take it from there.
    const topics = new Map<string, string>();
    for (const r of out) if (r.kind === 'trace-publication' && r.fields.topic) topics.set(r.fields.msgId, r.fields.topic);
    for (const r of pairer.records()) {
      if (r.kind === 'trace-delivery' && r.fields.topic === null) r.fields.topic = topics.get(r.fields.msgId) ?? null;
      out.push(r);
    }
    return out.sort((a, b) => a.line - b.line);
  },
});
