import type { ExceptionInfo, RmqEvent, ZoneRule } from '../model/events.js';
import { GMT8, wallSecondText, wallToInstant, type ResolvedZone } from '../model/time.js';
import { persistText, type PersistLine, type PersistSlot, type PersistTemplate } from '../model/persists.js';
import { RULE_INFO_WHATS, WARM_KINDS } from '../model/cold.js';
import { flatten } from '../model/strings.js';
import { fastPath } from '../ingest/fastpath.js';
import { int, mq } from './signatures/common.js';
import type { MessageQueueRef } from '../model/queue.js';
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
  /** Length of the whole line (raw is cut at MAX_RAW). */
  lineLength: number;
  /** A commit line's series, once looked up (undefined: not yet). */
  slot?: ParserSlot | null;
  msg: string;
  stamp: Stamp;
  level: string | null;
  thread: string | null;
  logger: string | null;
  continuation: string[];
}

/**
 * The literal text a pattern's match must start with: the source after `^` up to the first
 * regex construct (escaped punctuation is literal). Empty when the pattern starts with a group,
 * a class or an alternation.
 */
export function literalPrefix(re: RegExp): string {
  const src = re.source;
  if (!src.startsWith('^') || re.flags.includes('i') || hasTopLevelAlternation(src)) return '';
  let out = '';
  for (let i = 1; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const d = src[i + 1];
      if (d === undefined || /[A-Za-z0-9]/.test(d)) break; // \d, \s, \w, \1 …
      out += d;
      i++;
      continue;
    }
    if ('()[]{}.*+?|^$'.includes(c)) {
      // A quantifier applies to the previous character: it is not part of the fixed prefix.
      if ('*?{'.includes(c) && out.length > 0) out = out.slice(0, -1);
      break;
    }
    out += c;
  }
  return out;
}

/** A `|` outside any group or class: the pattern is several alternatives, with no common prefix. */
function hasTopLevelAlternation(src: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

interface PrefixIndex {
  /** Signature indexes by the first PREFIX_KEY characters of their literal prefix. */
  byKey: Map<string, number[]>;
  /** Signatures without a usable literal prefix: tried on every message (anchor check first). */
  always: number[];
  prefixes: string[];
}

const PREFIX_KEY = 4;
const prefixIndexes = new WeakMap<readonly AnySignature[], PrefixIndex>();

function prefixIndexOf(table: readonly AnySignature[]): PrefixIndex {
  let idx = prefixIndexes.get(table);
  if (idx) return idx;
  const byKey = new Map<string, number[]>();
  const always: number[] = [];
  const prefixes: string[] = [];
  table.forEach((s, i) => {
    const p = literalPrefix(s.pattern);
    prefixes.push(p);
    if (p.length < PREFIX_KEY) {
      always.push(i);
      return;
    }
    const k = p.slice(0, PREFIX_KEY);
    let list = byKey.get(k);
    if (!list) byKey.set(k, (list = []));
    list.push(i);
  });
  idx = { byKey, always, prefixes };
  prefixIndexes.set(table, idx);
  return idx;
}

const routineTables = new WeakMap<readonly AnySignature[], readonly AnySignature[]>();

/** The signatures of a table whose kind is a routine one (WARM_KINDS), in table order: one array per table. */
export function routineSignatures(table: readonly AnySignature[]): readonly AnySignature[] {
  let sub = routineTables.get(table);
  if (!sub) routineTables.set(table, (sub = table.filter((s) => WARM_KINDS.has(s.kind))));
  return sub;
}

/**
 * Matches an entry against a signature table; at most one signature may claim it. The fast path
 * tries only the signatures whose literal prefix the message starts with, plus those without one
 * (after their anchor check), in table order — the same first match as the plain loop.
 */
export function matchSignature(table: readonly AnySignature[], entry: Entry): { sig: AnySignature; fields: unknown } | null {
  if (!fastPath.enabled) return matchSignatureSimple(table, entry);
  const msg = entry.msg;
  const idx = prefixIndexOf(table);
  const keyed = msg.length >= PREFIX_KEY ? idx.byKey.get(msg.slice(0, PREFIX_KEY)) : undefined;
  const always = idx.always;
  // Merge the two ascending index lists, so candidates are tried in table order.
  let a = 0;
  let b = 0;
  const na = keyed ? keyed.length : 0;
  while (a < na || b < always.length) {
    let i: number;
    if (b >= always.length || (a < na && keyed![a]! < always[b]!)) {
      i = keyed![a++]!;
      if (!msg.startsWith(idx.prefixes[i]!)) continue;
    } else {
      i = always[b++]!;
    }
    const s = table[i]!;
    if (!msg.includes(s.anchor)) continue;
    if (s.id === 'client.offset-persist') {
      const quick = quickPersist(msg);
      if (quick !== undefined) {
        if (quick !== null) return { sig: s, fields: quick };
        continue;
      }
    }
    const m = s.pattern.exec(msg);
    if (!m) continue;
    const fields = (s.fields as (g: Record<string, string>, e: Entry) => unknown)(m.groups ?? {}, entry);
    if (fields !== null) return { sig: s, fields };
  }
  return null;
}

const PERSIST_ALL = '[persistAll] Group: ';
const PERSIST = '[persist] Group: ';
const CLIENT_ID = ' ClientId: ';
const UPDATE = ' updateConsumeOffsetToBroker ';
const MQ_HEAD = 'MessageQueue [topic=';

/** Index of the first character in [from, to) that is not plain printable ASCII other than space, or -1. */
function oddChar(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return true;
  }
  return false;
}

/** True when s[from, to) is `-?\d+`. */
function isInt(s: string, from: number, to: number): boolean {
  if (from < to && s.charCodeAt(from) === 45) from++;
  if (from >= to) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** True when s[from, to) holds none of `,[]` (a topic or broker name as MQ renders it). */
function plainName(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 44 || c === 91 || c === 93) return false;
  }
  return true;
}

/**
 * The `[persistAll]` line (most lines of a client log) read by hand: the fields the
 * `client.offset-persist` signature gives, or undefined when the line is not plainly of that
 * shape (then the signature's own regex decides, so the result is always the regex's).
 */
function quickPersist(msg: string): { group: string; clientId: string; mq: MessageQueueRef; offset: number; mode: 'persistAll' | 'persist' } | null | undefined {
  let p: number;
  let mode: 'persistAll' | 'persist';
  if (msg.startsWith(PERSIST_ALL)) {
    p = PERSIST_ALL.length;
    mode = 'persistAll';
  } else if (msg.startsWith(PERSIST)) {
    p = PERSIST.length;
    mode = 'persist';
  } else return undefined;
  const sp1 = msg.indexOf(' ', p);
  if (sp1 <= p || oddChar(msg, p, sp1) || !msg.startsWith(CLIENT_ID, sp1)) return undefined;
  const c = sp1 + CLIENT_ID.length;
  const sp2 = msg.indexOf(' ', c);
  if (sp2 <= c || oddChar(msg, c, sp2) || !msg.startsWith(UPDATE, sp2)) return undefined;
  const q = sp2 + UPDATE.length;
  if (!msg.startsWith(MQ_HEAD, q)) return undefined;
  const t = q + MQ_HEAD.length;
  const c1 = msg.indexOf(', brokerName=', t);
  if (c1 < 0 || !plainName(msg, t, c1)) return undefined;
  const b = c1 + ', brokerName='.length;
  const c2 = msg.indexOf(', queueId=', b);
  if (c2 < 0 || !plainName(msg, b, c2)) return undefined;
  const qi = c2 + ', queueId='.length;
  const close = msg.indexOf('] ', qi);
  if (close < 0 || !isInt(msg, qi, close)) return undefined;
  const o = close + 2;
  if (!isInt(msg, o, msg.length)) return undefined;
  const ref = mq(msg.slice(q, close + 1));
  const offset = int(msg.slice(o));
  if (ref === null || offset === null) return undefined;
  return { group: intern(msg.slice(p, sp1)), clientId: intern(msg.slice(c, sp2)), mq: ref, offset, mode };
}

const interned = new Map<string, string>();

/**
 * One flat copy of a repeated name (group, client id): a slice of a line would keep the whole
 * line alive for as long as the event lives.
 */
function intern(v: string): string {
  const hit = interned.get(v);
  if (hit !== undefined) return hit;
  const flat = flatten(v);
  if (interned.size < 100_000) interned.set(flat, flat);
  return flat;
}

/**
 * buf[at, at + ref.length) equals ref, for short refs (the stamp): `Buffer.compare` with offsets
 * validates its arguments in JavaScript first, which costs more than comparing 19 bytes here;
 * for a hundred bytes and more the native comparison is faster.
 */
function sameBytes(buf: Buffer, at: number, ref: Uint8Array): boolean {
  for (let i = ref.length - 1; i >= 0; i--) if (buf[at + i] !== ref[i]) return false;
  return true;
}

/** A commit line's series, with what the byte path knows of it: its text up to the offset, and the queue committed after it last time. */
type ParserSlot = PersistSlot & { key: Buffer | null; next: ParserSlot | null; head?: Buffer; headFor?: PersistTemplate };

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

/** s[from, to) as the integer `${n}` renders back to exactly (no sign but `-`, no leading zero, ≤ 15 digits), or null. */
function canonicalInt(s: string, from: number, to: number): number | null {
  let i = from;
  const neg = i < to && s.charCodeAt(i) === 45;
  if (neg) i++;
  const n = to - i;
  if (n < 1 || n > 15 || (n > 1 && s.charCodeAt(i) === 48) || (neg && n === 1 && s.charCodeAt(i) === 48)) return null;
  let v = 0;
  for (; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

/** The plain loop: one `includes` per signature (the reference the prefilter must agree with). */
export function matchSignatureSimple(table: readonly AnySignature[], entry: Entry): { sig: AnySignature; fields: unknown } | null {
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
  const { layout } = opts;
  const signatures = sink.routineOnly && fastPath.enabled ? routineSignatures(opts.signatures) : opts.signatures;
  const zone = layout.zone === 'GMT+8' ? GMT8 : ctx.hostZone;
  const zoneRule: ZoneRule = layout.zone === 'GMT+8' ? { zone: 'GMT+8', from: 'pattern' } : ctx.hostZoneRule;
  let pending: Pending | null = null;
  let hostKnown = ctx.host !== null;
  const counts = sink.counts;

  const flush = (): void => {
    if (deferred) emitDeferred();
    const p = pending;
    if (!p) return;
    pending = null;
    if (!hostKnown && opts.hostProbe) {
      const h = opts.hostProbe(p.msg);
      if (h) {
        hostKnown = true;
        sink.hostFromContent(h);
      }
    }
    // A commit line whose text up to the offset was already read as one: only the offset is new.
    if (slots !== null && p.continuation.length === 0 && p.msg.charCodeAt(0) === 91) {
      const msg = p.msg;
      const close = msg.lastIndexOf('] ');
      const key = close > 0 ? msg.slice(0, close + 1) : '';
      const slot = p.slot !== undefined ? (p.slot ?? undefined) : close > 0 ? slots.get(key) : undefined;
      if (slot !== undefined) {
        const offset = canonicalInt(msg, close + 2, msg.length);
        if (offset !== null && columnar(p, slot, offset)) {
          counts.recognised++;
          learn(slot, key);
          return;
        }
      }
    }
    const exception = p.continuation.length > 0 ? extractException(p.continuation) : null;
    const entry: Entry = { msg: p.msg, continuation: p.continuation, exception, level: p.level, thread: p.thread, logger: p.logger };
    const hit = matchSignature(signatures, entry);
    if (!hit) {
      counts.unrecognised++;
      sink.unrecognised(p.lineNo, p.raw);
      return;
    }
    counts.recognised++;
    if (sink.cold && hit.sig.kind === 'info' && p.continuation.length === 0 && p.raw.length === p.lineLength && !RULE_INFO_WHATS.has((hit.fields as { what: string }).what)) {
      sink.cold(p.raw, p.lineNo, p.stamp.instant);
      return;
    }
    if (sink.warm && WARM_KINDS.has(hit.sig.kind) && p.continuation.length === 0 && p.raw.length === p.lineLength) {
      sink.warm(hit.sig.kind, p.raw, p.lineNo, p.stamp.instant);
      return;
    }
    if (slots !== null && hit.sig.kind === 'offset-persist' && exception === null) {
      const f = hit.fields as PersistSlot & { offset: number };
      const close = p.msg.lastIndexOf('] ');
      // (the rebuilt text must be the line's: then the text up to the offset names this series)
      if (close > 0 && persistText(f) === p.msg) {
        const key = p.msg.slice(0, close + 1);
        let slot = slots.get(key);
        if (!slot) {
          slot = { group: f.group, clientId: f.clientId, mq: f.mq, mode: f.mode, series: null, key: null, next: null };
          if (slots.size < 100_000) slots.set(flatten(key), slot);
        }
        if (columnar(p, slot, f.offset)) {
          learn(slot, key);
          return;
        }
      }
    }
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

  // A `[persistAll]` line goes to the columnar store when its raw text can be rebuilt exactly from
  // (instant, fields, header template): `<yyyy-MM-dd HH:mm:ss><sep><ms><rest><message>`, the wall
  // time being the instant's in the file's zone (checked once per second of log).
  const templates = new Map<string, PersistTemplate>();
  const persistLine: PersistLine = { slot: null as unknown as PersistSlot, offset: 0, line: 0, instant: 0, template: null as unknown as PersistTemplate, zone, zoneRule };
  const slots: Map<string, ParserSlot> | null = sink.persist ? new Map() : null;
  const msgAtEnd = layout.header.source.endsWith('(?<msg>.*)$');
  let lastTemplate: PersistTemplate | null = null;
  let wallChecked = '\u0000';
  let wallOk = false;
  const columnar = (p: Pending, slot: PersistSlot, offset: number): boolean => {
    const st = p.stamp;
    const text = st.text;
    if (st.precision !== 'ms' || text.length !== 23 || text.charCodeAt(19) !== 46) return false;
    const raw = p.raw;
    const msgAt = raw.length - p.msg.length;
    // (the message is the end of the line whenever the line was kept whole: the layouts end in `(?<msg>.*)$`)
    if (msgAt < 23 || !(msgAtEnd && raw.length === p.lineLength ? true : raw.endsWith(p.msg))) return false;
    const ms = (text.charCodeAt(20) - 48) * 100 + (text.charCodeAt(21) - 48) * 10 + (text.charCodeAt(22) - 48);
    if (!text.startsWith(wallChecked)) {
      wallChecked = text.slice(0, 19);
      wallOk = wallSecondText(st.instant - ms, zone) === wallChecked;
      // (the byte path below reads lines of this second only: it needs the wall text checked)
      second = wallOk && isAscii(wallChecked) ? { bytes: Buffer.from(wallChecked, 'latin1'), base: st.instant - ms } : null;
    }
    if (!wallOk || ms !== ((st.instant % 1000) + 1000) % 1000) return false;
    if (!raw.startsWith(wallChecked) || raw.charCodeAt(20) !== text.charCodeAt(20) || raw.charCodeAt(21) !== text.charCodeAt(21) || raw.charCodeAt(22) !== text.charCodeAt(22)) return false;
    let t = lastTemplate;
    if (t === null || msgAt - 23 !== t.rest.length || raw.charAt(19) !== t.sep || !raw.startsWith(t.rest, 23) || p.level !== t.level || p.thread !== t.thread) {
      const sep = raw.charAt(19);
      const rest = raw.slice(23, msgAt);
      const key = `${sep}${rest}\u0000${p.level ?? '\u0001'}\u0000${p.thread ?? '\u0001'}`;
      t = templates.get(key) ?? null;
      if (!t) {
        t = { sep, rest: flatten(rest), level: p.level, thread: p.thread };
        if (templates.size < 4096) templates.set(key, t);
      }
      lastTemplate = t;
    }
    persistLine.slot = slot;
    persistLine.offset = offset;
    persistLine.line = p.lineNo;
    persistLine.instant = st.instant;
    persistLine.template = t;
    sink.persist!(persistLine);
    return true;
  };

  // The byte path: a `[persistAll]` line read straight from the file's bytes, never decoded. The
  // queues of a client are committed in the same order every 5 s, so the line after queue A's is
  // predicted to be the queue that followed A last time; the line is taken when every byte of it
  // is accounted for — this second's stamp (checked above), three digits, the last template's
  // header text, the predicted queue's text and a plain offset — and otherwise read as text. It
  // is emitted when the next line shows it has no continuation.
  let lastSlot: ParserSlot | null = null;
  let second: { bytes: Buffer; base: number } | null = null;
  let restOf: PersistTemplate | null = null;
  let restBytes: Buffer | null = null;
  let deferred: { slot: ParserSlot; offset: number; lineNo: number; instant: number; template: PersistTemplate; buf: Buffer; start: number; end: number } | null = null;
  const learn = (slot: ParserSlot, key: string): void => {
    if (slot.key === null && isAscii(key)) slot.key = Buffer.from(key, 'latin1');
    if (lastSlot !== null && lastSlot !== slot) lastSlot.next = slot;
    lastSlot = slot;
  };
  const emitDeferred = (): void => {
    const d = deferred!;
    deferred = null;
    counts.recognised++;
    persistLine.slot = d.slot;
    persistLine.offset = d.offset;
    persistLine.line = d.lineNo;
    persistLine.instant = d.instant;
    persistLine.template = d.template;
    sink.persist!(persistLine);
  };
  const bytes = (buf: Buffer, start: number, end: number, lineNo: number): boolean => {
    const t = lastTemplate;
    let sec = second;
    // (the commit line before this one may still be pending, read as text: its series is the base)
    let base = lastSlot;
    const p = pending;
    if (p !== null) {
      if (p.slot === undefined) {
        const close = slots !== null && p.continuation.length === 0 && p.msg.charCodeAt(0) === 91 ? p.msg.lastIndexOf('] ') : -1;
        p.slot = close > 0 ? (slots!.get(p.msg.slice(0, close + 1)) ?? null) : null;
      }
      if (p.slot !== null) base = p.slot;
    }
    const next = base?.next;
    if (!next || next.key === null || t === null || sec === null || !hostKnown) return false;
    if (restOf !== t) {
      restOf = t;
      restBytes = isAscii(t.rest) && t.sep.length === 1 && t.sep.charCodeAt(0) < 128 ? Buffer.from(t.rest, 'latin1') : null;
    }
    const rest = restBytes;
    if (rest === null) return false;
    const e = end > start && buf[end - 1] === 13 ? end - 1 : end;
    const m = start + 23 + rest.length;
    const key = next.key;
    const o = m + key.length + 1;
    if (o >= e || buf[start + 19] !== t.sep.charCodeAt(0) || buf[o - 1] !== 32) return false;
    const d0 = buf[start + 20]! - 48;
    const d1 = buf[start + 21]! - 48;
    const d2 = buf[start + 22]! - 48;
    if (d0 < 0 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return false;
    // (header rest and queue text are adjacent: one comparison with both, kept per queue and template)
    if (next.headFor !== t) {
      next.head = Buffer.concat([rest, key]);
      next.headFor = t;
    }
    const head = next.head!;
    if (buf.compare(head, 0, head.length, start + 23, o - 1) !== 0) return false;
    if (!sameBytes(buf, start, sec.bytes)) {
      // A new second (the first line of a commit burst): its instant as the text path reads it.
      if (opts.fracAsSeconds || !wellFormedStampBytes(buf, start)) return false;
      const wall = buf.toString('latin1', start, start + 19);
      const base = stampOf(wall.slice(0, 10), wall.slice(11, 19), undefined);
      if (base === null || base.instant % 1000 !== 0 || wallSecondText(base.instant, zone) !== wall) return false;
      sec = second = { bytes: Buffer.from(wall, 'latin1'), base: base.instant };
    }
    // the offset: digits, no leading zero, at most 15 (as `${n}` prints it)
    const n = e - o;
    if (n > 15 || (n > 1 && buf[o] === 48)) return false;
    let offset = 0;
    for (let i = o; i < e; i++) {
      const c = buf[i]! - 48;
      if (c < 0 || c > 9) return false;
      offset = offset * 10 + c;
    }
    flush();
    counts.total++;
    const instant = sec.base + d0 * 100 + d1 * 10 + d2;
    sink.instant(instant, zoneRule);
    deferred = { slot: next, offset, lineNo, instant, template: t, buf, start, end: e };
    lastSlot = next;
    return true;
  };
  /** The reader reuses its buffer: a deferred line keeps its own copy of its bytes. */
  const release = (): void => {
    const d = deferred;
    if (d === null) return;
    d.buf = Buffer.from(d.buf.subarray(d.start, d.end));
    d.start = 0;
    d.end = d.buf.length;
  };
  /** A deferred byte-path line that turns out to have continuation lines is read as text after all. */
  const undefer = (): void => {
    const d = deferred!;
    deferred = null;
    counts.total--;
    lastSlot = null;
    parser.line(d.buf.toString('latin1', d.start, d.end), d.lineNo);
  };

  // The last second's parse (same date and time text → the same base instant; only the fraction differs).
  let lastDate = '';
  let lastTime = '';
  let lastBase: Stamp | null = null;
  let lastPrefix = '';
  // Level and thread names repeat: one shared string each instead of a slice of every line.
  const names = new Map<string, string>();
  const shared = (v: string | undefined): string | null => {
    if (v === undefined) return null;
    if (!fast) return v;
    const hit = names.get(v);
    if (hit !== undefined) return hit;
    if (names.size < 4096) names.set(v, v);
    return v;
  };
  const fast = fastPath.enabled;
  const stampOf = (date: string, time: string, frac: string | undefined): Stamp | null => {
    if (!fast || date.length === 5) return parseStamp(date, time, frac, zone, ctx.yearHint, opts.fracAsSeconds);
    if (date !== lastDate || time !== lastTime) {
      lastBase = parseStamp(date, time, undefined, zone, ctx.yearHint, opts.fracAsSeconds);
      lastDate = date;
      lastTime = time;
      lastPrefix = `${date} ${time}.`;
    }
    const base = lastBase;
    if (base === null) return null;
    if (frac === undefined || frac.length === 0) return base;
    const text = lastPrefix + frac;
    if (opts.fracAsSeconds) return { text, instant: base.instant, precision: 's' };
    const ms = frac.length === 3 ? (frac.charCodeAt(0) - 48) * 100 + (frac.charCodeAt(1) - 48) * 10 + (frac.charCodeAt(2) - 48) : Math.floor(Number((frac + '000').slice(0, 3)));
    return { text, instant: base.instant + ms, precision: 'ms' };
  };

  // Most lines repeat the previous line's header around a new timestamp. For layouts that start
  // `yyyy-MM-dd HH:mm:ss` (+ `,SSS` / `.SSS`), a line whose stamp is well formed and whose next
  // characters are the previous header's rest has that header's groups (what follows the stamp is
  // matched the same way: the split into groups is fixed by the text before the message).
  const { width: stampWidth, sep: stampSep } = fast ? stampShape(layout.header.source) : { width: 0, sep: 0 };
  let prevRest: string | null = null;
  let prevLevel: string | null = null;
  let prevThread: string | null = null;
  let prevLogger: string | null = null;

  const open = (line: string, lineNo: number, stamp: Stamp, msg: string, level: string | null, thread: string | null, logger: string | null): void => {
    flush();
    sink.instant(stamp.instant, zoneRule);
    const raw = line.length > MAX_RAW ? line.slice(0, MAX_RAW) : line;
    pending = { lineNo, raw, lineLength: line.length, msg, stamp, level, thread, logger, continuation: [] };
  };

  const parser: LineParser = {
    line(text: string, lineNo: number): void {
      counts.total++;
      const line = text.length > 0 && text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text;
      if (prevRest !== null && line.startsWith(prevRest, stampWidth) && wellFormedStamp(line, stampWidth, stampSep)) {
        const msg = line.slice(stampWidth + prevRest.length);
        if (!LINE_BREAK.test(msg)) {
          const stamp = stampOf(line.slice(0, 10), line.slice(11, 19), stampWidth === 23 ? line.slice(20, 23) : undefined);
          if (stamp) {
            open(line, lineNo, stamp, msg, prevLevel, prevThread, prevLogger);
            return;
          }
        }
      }
      const m = layout.header.exec(line);
      const g = m?.groups;
      if (g) {
        let stamp = stampOf(g.date!, g.time!, g.frac);
        // `MM-dd` without a year: a date after the file was last written belongs to the year before
        // (a log spanning New Year read in January).
        if (stamp && g.date!.length === 5 && ctx.fileMtimeMs !== null && stamp.instant > ctx.fileMtimeMs + 86_400_000) {
          stamp = parseStamp(g.date!, g.time!, g.frac, zone, ctx.yearHint - 1, opts.fracAsSeconds);
        }
        if (stamp) {
          const msg = g.msg ?? '';
          const level = shared(g.level);
          const thread = shared(g.thread);
          const logger = g.logger ?? null;
          open(line, lineNo, stamp, msg, level, thread, logger);
          if (stampWidth > 0 && g.msg !== undefined && line.length - msg.length >= stampWidth) {
            const rest = line.slice(stampWidth, line.length - msg.length);
            if (rest !== prevRest) prevRest = flatten(rest);
            prevLevel = level;
            prevThread = thread;
            prevLogger = logger === null ? null : flatten(logger);
          }
          return;
        }
      }
      if (deferred) undefer();
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
    bytes: slots !== null && stampWidth === 23 && msgAtEnd ? bytes : undefined,
    release,
  };
  return parser;
}

/** How layouts that print `yyyy-MM-dd HH:mm:ss` first begin (then `,SSS`/`.SSS`, or a space). */
const STAMP_SOURCE = '^(?<date>\\d{4}-\\d\\d-\\d\\d) (?<time>\\d\\d:\\d\\d:\\d\\d)';

/** Width of the stamp a layout starts with (23 with `,SSS`/`.SSS`, 19 without, 0: another shape) and its separator. */
function stampShape(source: string): { width: number; sep: number } {
  if (!source.startsWith(STAMP_SOURCE)) return { width: 0, sep: 0 };
  const rest = source.slice(STAMP_SOURCE.length);
  if (rest.startsWith(',(?<frac>\\d{3}) ')) return { width: 23, sep: 44 };
  if (rest.startsWith('\\.(?<frac>\\d{3}) ')) return { width: 23, sep: 46 };
  if (rest.startsWith(' ')) return { width: 19, sep: 0 };
  return { width: 0, sep: 0 };
}
/** Characters `.` does not match: a message holding one is not a header line for the layout's regex. */
const LINE_BREAK = /[\n\r\u2028\u2029]/;

/** `yyyy-MM-dd HH:mm:ss`: the separator at each position (`-`, ` `, `:`), 0 where a digit goes. */
const STAMP_SEPARATORS = [0, 0, 0, 0, 45, 0, 0, 45, 0, 0, 32, 0, 0, 58, 0, 0, 58, 0, 0];

/** Character code c may stand at position i (0–18) of a `yyyy-MM-dd HH:mm:ss` stamp. */
function stampCharOk(i: number, c: number): boolean {
  const sep = STAMP_SEPARATORS[i]!;
  return sep === 0 ? c >= 48 && c <= 57 : c === sep;
}

/** `yyyy-MM-dd HH:mm:ss` in bytes at `start`. */
function wellFormedStampBytes(b: Buffer, start: number): boolean {
  for (let i = 0; i < 19; i++) if (!stampCharOk(i, b[start + i]!)) return false;
  return true;
}

/** `yyyy-MM-dd HH:mm:ss` (+ the separator and three digits when width is 23) at the start of a line. */
function wellFormedStamp(s: string, width: number, sep: number): boolean {
  if (s.length < width || (width === 23 && s.charCodeAt(19) !== sep)) return false;
  for (let i = 0; i < 19; i++) if (!stampCharOk(i, s.charCodeAt(i))) return false;
  if (width === 23) {
    for (let i = 20; i < 23; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) return false;
    }
  }
  return true;
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
