import type { ExceptionInfo, RmqEvent, ZoneRule } from '../model/events.js';
import { GMT8, wallToInstant, type ResolvedZone } from '../model/time.js';
import type { AnySignature, Entry, FileContext, LineParser, ParseSink } from './types.js';

/**
 * A line layout: the prefix of every entry's first line. Named groups: `date`
 * (`yyyy-MM-dd`, `yy-MM-dd` or `MM-dd`), `time` (`HH:mm:ss`), optional `frac`, `level`,
 * `thread`, `logger`, and `msg` (the rest).
 */
export interface Layout {
  id: string;
  /** The logging pattern it renders, for --help and docs. */
  pattern: string;
  header: RegExp;
  zone: 'GMT+8' | 'host';
  /** Header samples (full lines) from the catalog. */
  samples: string[];
}

/** Max continuation lines kept per entry (the rest are counted, not stored). */
const MAX_CONTINUATION = 64;
/** Max characters of one line kept as raw text. */
export const MAX_RAW = 8192;

export interface Stamp {
  text: string;
  instant: number;
  precision: 'ms' | 's';
}

/**
 * Hand-written timestamp parse (luxon stays off the hot path). `fracAsSeconds` handles the
 * 4.3.0–4.7.1 inner-logger bug where the three digits after the comma repeat the seconds.
 */
export function parseStamp(
  date: string,
  time: string,
  frac: string | undefined,
  zone: ResolvedZone,
  yearHint: number,
  fracAsSeconds: boolean,
): Stamp | null {
  let y: number;
  let mo: number;
  let d: number;
  if (date.length === 10) {
    y = num4(date, 0);
    mo = num2(date, 5);
    d = num2(date, 8);
  } else if (date.length === 8) {
    y = 2000 + num2(date, 0);
    mo = num2(date, 3);
    d = num2(date, 6);
  } else if (date.length === 5) {
    y = yearHint;
    mo = num2(date, 0);
    d = num2(date, 3);
  } else return null;
  const h = num2(time, 0);
  const mi = num2(time, 3);
  const s = num2(time, 6);
  if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60)) return null;
  let ms = 0;
  let precision: 'ms' | 's' = 's';
  if (frac !== undefined && frac.length > 0 && !fracAsSeconds) {
    ms = Math.floor(Number((frac + '000').slice(0, 3)));
    precision = 'ms';
  }
  const text = frac !== undefined && frac.length > 0 ? `${date} ${time}${'.'}${frac}` : `${date} ${time}`;
  return { text, instant: wallToInstant(zone, y, mo, d, h, mi, s, ms), precision };
}

function num2(s: string, i: number): number {
  return (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);
}
function num4(s: string, i: number): number {
  return num2(s, i) * 100 + num2(s, i + 2);
}

const EXC_RE =
  /^(?:Exception in thread "[^"]*" )?((?:[a-zA-Z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable|Failure|Fault)[\w$]*)(?::\s?(.*))?$/;
const CAUSED_RE = /^Caused by: ((?:[a-zA-Z_$][\w$]*\.)*[A-Za-z_$][\w$]*)(?::\s?(.*))?$/;
const FRAME_RE = /^\s*(?:at |\.\.\. \d+ (?:more|common frames omitted)|Suppressed: )/;

/** Folds a stack trace (and an exception message spanning lines) into ExceptionInfo. */
export function extractException(lines: readonly string[]): ExceptionInfo | null {
  let info: ExceptionInfo | null = null;
  let appendTo: { message: string } | null = null;
  for (const raw of lines) {
    const line = raw.trimEnd();
    if (info === null) {
      const m = EXC_RE.exec(line.trim());
      if (m) {
        info = { className: m[1]!, message: m[2] ?? '', causes: [] };
        appendTo = info;
      }
      continue;
    }
    const c = CAUSED_RE.exec(line.trim());
    if (c) {
      const cause = { className: c[1]!, message: c[2] ?? '' };
      info.causes.push(cause);
      appendTo = cause;
      continue;
    }
    if (FRAME_RE.test(line) || line === '') {
      appendTo = null;
      continue;
    }
    if (appendTo) appendTo.message += '\n' + line;
  }
  return info;
}

/** The remote address inside an exception message (`<172.66.1.31:10911>`, `</172.66.1.31:10911>`). */
export function remoteOfException(e: ExceptionInfo | null): string | null {
  if (!e) return null;
  for (const text of [e.message, ...e.causes.map((c) => c.message)]) {
    const m = /<\/?([\w.-]+:\d+)>|(?:from|to|addr\[?) \/?(\d{1,3}(?:\.\d{1,3}){3}:\d+)/.exec(text);
    if (m) return m[1] ?? m[2] ?? null;
  }
  return null;
}

interface Pending {
  lineNo: number;
  raw: string;
  msg: string;
  stamp: Stamp;
  level: string | null;
  thread: string | null;
  logger: string | null;
  continuation: string[];
}

/** Matches an entry against a signature table; at most one signature may claim it. */
export function matchSignature(table: readonly AnySignature[], entry: Entry): { sig: AnySignature; fields: unknown } | null {
  const msg = entry.msg;
  for (const s of table) {
    if (!msg.includes(s.anchor)) continue;
    const m = s.pattern.exec(msg);
    if (!m) continue;
    const fields = (s.fields as (g: Record<string, string>, e: Entry) => unknown)(m.groups ?? {}, entry);
    if (fields !== null) return { sig: s, fields };
  }
  return null;
}

export interface TextParserOptions {
  layout: Layout;
  signatures: readonly AnySignature[];
  fracAsSeconds: boolean;
  /** Reveals a host from a message (client id in the line). */
  hostProbe?: (msg: string) => string | null;
}

/** Line layout + signature table → a parser that folds multi-line entries and emits events. */
export function createTextParser(ctx: FileContext, sink: ParseSink, opts: TextParserOptions): LineParser {
  const { layout, signatures } = opts;
  const zone = layout.zone === 'GMT+8' ? GMT8 : ctx.hostZone;
  const zoneRule: ZoneRule = layout.zone === 'GMT+8' ? { zone: 'GMT+8', from: 'pattern' } : ctx.hostZoneRule;
  let pending: Pending | null = null;
  let hostKnown = ctx.host !== null;
  const counts = sink.counts;

  const flush = (): void => {
    const p = pending;
    if (!p) return;
    pending = null;
    const exception = p.continuation.length > 0 ? extractException(p.continuation) : null;
    const entry: Entry = { msg: p.msg, continuation: p.continuation, exception, level: p.level, thread: p.thread, logger: p.logger };
    if (!hostKnown && opts.hostProbe) {
      const h = opts.hostProbe(p.msg);
      if (h) {
        hostKnown = true;
        sink.hostFromContent(h);
      }
    }
    const hit = matchSignature(signatures, entry);
    if (!hit) {
      counts.unrecognised++;
      sink.unrecognised(p.lineNo, p.raw);
      return;
    }
    counts.recognised++;
    sink.event({
      kind: hit.sig.kind,
      fields: hit.fields,
      file: ctx.file,
      line: p.lineNo,
      host: ctx.host,
      timestampText: p.stamp.text,
      instant: p.stamp.instant,
      precision: p.stamp.precision,
      zone: zoneRule,
      raw: p.raw,
      exception,
      level: p.level,
      thread: p.thread,
      seq: 0,
    } as RmqEvent);
  };

  return {
    line(text: string, lineNo: number): void {
      counts.total++;
      const line = text.length > 0 && text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text;
      const m = layout.header.exec(line);
      const g = m?.groups;
      if (g) {
        let stamp = parseStamp(g.date!, g.time!, g.frac, zone, ctx.yearHint, opts.fracAsSeconds);
        // `MM-dd` without a year: a date after the file was last written belongs to the year before
        // (a log spanning New Year read in January).
        if (stamp && g.date!.length === 5 && ctx.fileMtimeMs !== null && stamp.instant > ctx.fileMtimeMs + 86_400_000) {
          stamp = parseStamp(g.date!, g.time!, g.frac, zone, ctx.yearHint - 1, opts.fracAsSeconds);
        }
        if (stamp) {
          flush();
          sink.instant(stamp.instant, zoneRule);
          const raw = line.length > MAX_RAW ? line.slice(0, MAX_RAW) : line;
          pending = {
            lineNo,
            raw,
            msg: g.msg ?? '',
            stamp,
            level: g.level ?? null,
            thread: g.thread ?? null,
            logger: g.logger ?? null,
            continuation: [],
          };
          return;
        }
      }
      if (pending) {
        counts.continuation++;
        if (pending.continuation.length < MAX_CONTINUATION) {
          pending.continuation.push(line.length > MAX_RAW ? line.slice(0, MAX_RAW) : line);
        }
        return;
      }
      counts.unrecognised++;
      sink.unrecognised(lineNo, line);
    },
    end(): void {
      flush();
    },
  };
}

/** Fraction of head lines whose prefix matches a layout (0 when there are none). */
export function layoutScore(layout: Layout, head: readonly string[]): number {
  let seen = 0;
  let hit = 0;
  for (const l of head) {
    if (l.length === 0) continue;
    seen++;
    if (layout.header.test(l)) hit++;
  }
  if (seen === 0) return 0;
  return hit / seen;
}

/** How many head entries a signature table recognises (family decision for shared layouts). */
export function signatureHits(layout: Layout, table: readonly AnySignature[], head: readonly string[]): number {
  let hits = 0;
  for (const l of head) {
    const g = layout.header.exec(l)?.groups;
    if (!g) continue;
    const entry: Entry = { msg: g.msg ?? '', continuation: [], exception: null, level: null, thread: null, logger: null };
    if (matchSignature(table, entry)) hits++;
  }
  return hits;
}
