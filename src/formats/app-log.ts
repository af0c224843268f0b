import type { RmqEvent, ZoneRule } from '../model/events.js';
import { parseRfc3339, wallToInstant } from '../model/time.js';
import { MAX_RAW } from './text.js';
import type { FileContext, Format, LineParser, ParseSink } from './types.js';
import { deliveryFields } from './trace-json.js';

/**
 * The users' own consumer logs, read through `--consume-pattern`: a RegExp with named groups
 * `msgId` and `time` (required) and optional `topic`, `group`, `queueId`, `queueOffset`, `client`
 * (also accepted: `brokerName`, `reconsumeTimes`). Each matching line → one trace-delivery
 * (origin `consume-pattern`); other lines are skipped.
 *
 * Detection cannot work without the pattern (sniff() gets no context), so the format's own sniff
 * says 0 and the format is used when forced; `consumePatternScore` is the pattern-aware score.
 */

/** A copy of the pattern without `g` / `y`, so `exec` is stateless. */
function stateless(re: RegExp): RegExp {
  return re.global || re.sticky ? new RegExp(re.source, re.flags.replace(/[gy]/g, '')) : re;
}

/** Score of a head for a consume pattern: 0.35 when at least one line matches with a msgId and a readable time. */
export function consumePatternScore(head: readonly string[], re: RegExp | null): number {
  if (!re) return 0;
  const p = stateless(re);
  const zone = { name: 'UTC', fixedOffsetMinutes: 0 };
  for (const l of head) {
    const g = p.exec(l)?.groups;
    if (!g || !g.msgId || !g.time) continue;
    if (parseLenientTime(g.time, zone, new Date().getUTCFullYear()) !== null) return 0.35;
  }
  return 0;
}

export interface LenientTime {
  instant: number;
  precision: 'ms' | 's';
  /** null = the file's host zone applies. */
  zone: ZoneRule | null;
}

const WALL = /^(?:(\d{4})[-/])?(\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?$/;
const OFFSET_TAIL = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * `yyyy-MM-dd HH:mm:ss[.,SSS]` (also `/` separators, `T`, no year → yearHint) in the host zone;
 * ISO 8601 with an offset; epoch milliseconds (13 digits) or seconds (10 digits, optional fraction).
 */
export function parseLenientTime(text: string, hostZone: FileContext['hostZone'], yearHint: number): LenientTime | null {
  const t = text.trim();
  if (/^\d{13}$/.test(t)) return { instant: Number(t), precision: 'ms', zone: { zone: 'UTC', from: 'epoch' } };
  const sec = /^(\d{10})(?:\.(\d{1,9}))?$/.exec(t);
  if (sec) {
    const ms = sec[2] ? Number(sec[2].slice(0, 3).padEnd(3, '0')) : 0;
    return { instant: Number(sec[1]) * 1000 + ms, precision: sec[2] ? 'ms' : 's', zone: { zone: 'UTC', from: 'epoch' } };
  }
  if (/\d[T ]\d/.test(t) && OFFSET_TAIL.test(t) && /^\d{4}-/.test(t)) {
    const iso = t.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2').replace(/,(\d)/, '.$1');
    const ms = parseRfc3339(iso);
    if (ms === null) return null;
    return { instant: ms, precision: /[.,]\d/.test(t) ? 'ms' : 's', zone: { zone: 'offset', from: 'rfc3339' } };
  }
  const m = WALL.exec(t);
  if (!m) return null;
  const year = m[1] ? Number(m[1]) : yearHint;
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = Number(m[6]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  return { instant: wallToInstant(hostZone, year, mo, d, h, mi, s, ms), precision: m[7] ? 'ms' : 's', zone: null };
}

function intOf(v: string | undefined): number | null {
  return v !== undefined && /^\s*-?\d+\s*$/.test(v) ? Number(v) : null;
}

function textOf(v: string | undefined): string | null {
  if (v === undefined) return null;
  const t = v.trim();
  return t.length > 0 ? t : null;
}

export const APP_LOG_FORMAT: Format = {
  id: 'app-log',
  title: "application consumer log read with --consume-pattern (named groups msgId, time, …)",
  zone: 'host',
  document: false,
  sniff() {
    return { score: 0 };
  },
  createParser(ctx: FileContext, sink: ParseSink): LineParser {
    const re = ctx.consumePattern ? stateless(ctx.consumePattern) : null;
    let warned = false;
    return {
      line(raw: string, lineNo: number): void {
        sink.counts.total++;
        const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        if (!re) {
          sink.counts.skipped++;
          if (!warned) {
            warned = true;
            sink.unrecognised(lineNo, 'app-log: no --consume-pattern given; lines skipped');
          }
          return;
        }
        const g = re.exec(text)?.groups;
        if (!g) {
          sink.counts.skipped++;
          return;
        }
        const msgId = textOf(g.msgId);
        const stamp = g.time !== undefined ? parseLenientTime(g.time, ctx.hostZone, ctx.yearHint) : null;
        if (!msgId || !stamp) {
          sink.counts.unrecognised++;
          sink.unrecognised(lineNo, text.length > MAX_RAW ? text.slice(0, MAX_RAW) : text);
          return;
        }
        sink.counts.recognised++;
        const zone = stamp.zone ?? ctx.hostZoneRule;
        sink.instant(stamp.instant, zone);
        const event: RmqEvent = {
          kind: 'trace-delivery',
          fields: deliveryFields({
            msgId,
            group: textOf(g.group),
            client: textOf(g.client) ?? ctx.host,
            topic: textOf(g.topic),
            brokerName: textOf(g.brokerName),
            queueId: intOf(g.queueId),
            queueOffset: intOf(g.queueOffset),
            retryTimes: intOf(g.reconsumeTimes),
            origin: 'consume-pattern',
          }),
          file: ctx.file,
          line: lineNo,
          host: ctx.host,
          timestampText: g.time!.trim(),
          instant: stamp.instant,
          precision: stamp.precision,
          zone,
          raw: text.length > MAX_RAW ? text.slice(0, MAX_RAW) : text,
          exception: null,
          level: null,
          thread: null,
          seq: 0,
        };
        sink.event(event);
      },
      end(): void {},
    };
  },
};
