import { flatten } from './strings.js';
import type { RmqEvent } from './events.js';
import { decodedLines, packLines, unpackLines } from './pack.js';
import { readSpill, spillWriter } from './spill.js';

/**
 * Events keep their first line compressed, per file, and their field strings as copies shared
 * between events: a line's text is most of an event's memory (a heartbeat: 192 of about 550
 * bytes), and the field strings, slices of that text, kept it alive. `raw` is read back from
 * the file's block when asked for (evidence, duplicate checks, timelines), the same text.
 */

/** Characters of text per block: what one read of `raw` decompresses at most. */
const BLOCK_CHARS = 32 * 1024;

interface Block {
  /** Index of its first text. */
  first: number;
  n: number;
  /** The text is deflated (short blocks are kept as they are). */
  packed: boolean;
  /** Characters of its texts (with a separator each). */
  chars: number;
  mem: Buffer | null;
  spill: string | null;
  at: number;
  length: number;
}

/** Where an event's first line is kept: the i-th text of a file's store. */
export interface TextSource {
  text(i: number): string;
}

/** The first lines of one file's events, in blocks compressed as they fill (and spilled when a spill file is there). */
export class RawTexts implements TextSource {
  private readonly blocks: Block[] = [];
  private pending: string[] = [];
  private chars = 0;
  private count = 0;

  add(raw: string): number {
    const i = this.count++;
    this.pending.push(raw);
    this.chars += raw.length + 1;
    if (this.chars >= BLOCK_CHARS) this.flush();
    return i;
  }

  /** Compresses what is pending (once the file's events are all in). */
  seal(): void {
    this.flush();
  }

  text(i: number): string {
    const sealed = this.count - this.pending.length;
    if (i >= sealed) {
      const t = this.pending[i - sealed];
      if (t === undefined) throw new RangeError(`no text ${i}`);
      return t;
    }
    // (blocks in order of their first text)
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.blocks[mid]!.first <= i) lo = mid;
      else hi = mid - 1;
    }
    const b = this.blocks[lo]!;
    return linesOf(b)[i - b.first]!;
  }

  private flush(): void {
    const n = this.pending.length;
    if (n === 0) return;
    const { data, packed } = packLines(this.pending);
    const first = this.count - n;
    const w = spillWriter();
    const at = w ? w.append(data) : -1;
    const chars = this.chars;
    if (at < 0) this.blocks.push({ first, n, packed, chars, mem: data, spill: null, at: 0, length: 0 });
    else this.blocks.push({ first, n, packed, chars, mem: null, spill: w!.path, at, length: data.length });
    this.pending = [];
    this.chars = 0;
  }
}

function linesOf(b: Block): string[] {
  return decodedLines(b, b.chars, () => {
    const lines = unpackLines(b.mem ?? readSpill(b.spill!, b.at, b.length), b.packed);
    if (lines.length !== b.n) throw new Error(`a block of event texts did not read back (${lines.length} of ${b.n} lines)`);
    return lines;
  });
}

/**
 * Strings shared between events (a field's value as a copy of its own, not a slice of a line), and
 * whole `fields` objects of a kind whose events repeat them (a heartbeat to the same broker, a
 * connection failure to the same address: 60 bytes each, tens of thousands of times).
 */
export class Interner {
  private readonly map = new Map<string, string>();
  private readonly byKind = new Map<string, SharedFields>();

  intern(v: string): string {
    const hit = this.map.get(v);
    if (hit !== undefined) return hit;
    const own = flatten(v);
    // (past this many, values are copied but no longer shared: ephemeral ports and the like)
    if (this.map.size < 200_000) this.map.set(own, own);
    return own;
  }

  /**
   * The shared object equal to `f` (flat values, or plain objects of flat values one level down),
   * or `f` itself. A kind whose first 2,000 objects were mostly distinct (offsets, message ids) is
   * no longer looked up: its keys would cost more than they save.
   */
  fields(kind: string, f: Record<string, unknown>): Record<string, unknown> {
    let shared = this.byKind.get(kind);
    if (shared === undefined) this.byKind.set(kind, (shared = { map: new Map(), asked: 0, off: false, last: null }));
    if (shared.off) return f;
    // (routine lines repeat the line before: equal to the object last shared, it is that one,
    // as the map would say, without making its key)
    const last = shared.last;
    if (last !== null && sameFlat(last, f, 0)) {
      shared.asked++;
      return last;
    }
    const key = fieldsKey(f);
    if (key === null) return f;
    shared.asked++;
    const hit = shared.map.get(key);
    if (hit !== undefined) return (shared.last = hit);
    if (shared.asked >= 2_000 && shared.map.size > shared.asked / 2) {
      shared.off = true;
      shared.map.clear();
      shared.last = null;
      return f;
    }
    if (shared.map.size < 50_000) {
      shared.map.set(key, f);
      shared.last = f;
    }
    return f;
  }
}

interface SharedFields {
  map: Map<string, Record<string, unknown>>;
  asked: number;
  off: boolean;
  /** The object the map gave or took last (its key is in the map). */
  last: Record<string, unknown> | null;
}

/**
 * Whether `b` has `a`'s names in `a`'s order and its values: flat ones equal and of one type,
 * plain objects one level down the same way (what makes fieldsKey's keys equal).
 */
function sameFlat(a: Record<string, unknown>, b: Record<string, unknown>, depth: number): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    if (k !== kb[i]) return false;
    const x = a[k];
    const y = b[k];
    if (x !== null && typeof x === 'object') {
      if (depth > 0 || Array.isArray(x) || y === null || typeof y !== 'object' || Array.isArray(y)) return false;
      if (!sameFlat(x as Record<string, unknown>, y as Record<string, unknown>, 1)) return false;
    } else if (typeof x !== typeof y || !Object.is(x, y)) return false;
  }
  return true;
}

/** A key naming every name, type and value of a fields object; null when it holds more than flat values one level down. */
function fieldsKey(f: Record<string, unknown>): string | null {
  let key = '';
  for (const k in f) {
    const v = f[k];
    if (v !== null && typeof v === 'object') {
      if (Array.isArray(v)) return null;
      key += `${k}{`;
      for (const k2 in v as Record<string, unknown>) {
        const part = flatKey(k2, (v as Record<string, unknown>)[k2]);
        if (part === null) return null;
        key += part;
      }
      key += '}';
    } else {
      const part = flatKey(k, v);
      if (part === null) return null;
      key += part;
    }
  }
  return key;
}

function flatKey(k: string, v: unknown): string | null {
  // (a string goes with its length: a value holding the separators cannot pass for two values)
  switch (typeof v) {
    case 'string':
      return `${k}=s${v.length}:${v};`;
    case 'number':
    case 'boolean':
      return `${k}=${typeof v === 'number' ? 'n' : 'b'}${String(v)};`;
    case 'undefined':
      return `${k}=u;`;
    default:
      return v === null ? `${k}=z;` : null;
  }
}

/** Key order of the events the line parsers make (an event in another order is left as it is). */
const KEYS = ['kind', 'fields', 'file', 'line', 'host', 'timestampText', 'instant', 'precision', 'zone', 'raw', 'exception', 'level', 'thread', 'seq'];

/**
 * An event whose first line is kept in a store of its file's (a RawTexts, or the warm lines it was
 * parsed from again: leanFrom). `raw` and `timestampText` are getters:
 * a spread (`{ ...e }`) leaves them out; JSON.stringify gives the event whole (toJSON). Its
 * `fields` may be shared with other events (never change them).
 */
class LeanEvent {
  kind: RmqEvent['kind'];
  fields: RmqEvent['fields'];
  file: string;
  line: number;
  host: string | null;
  instant: number;
  precision: RmqEvent['precision'];
  zone: RmqEvent['zone'];
  exception: RmqEvent['exception'];
  level: string | null;
  thread: string | null;
  seq: number;
  readonly #texts: TextSource;
  readonly #at: number;
  /** The timestamp text: where it is in `raw` (stampRef), or the text itself when it is not there. */
  readonly #ts: number | string;

  constructor(e: RmqEvent, texts: TextSource, at: number, strings: Interner) {
    this.kind = e.kind;
    this.fields = sharedFields(e, strings);
    this.file = e.file;
    this.line = e.line;
    this.host = e.host;
    this.#ts = stampOf(e);
    this.instant = e.instant;
    this.precision = e.precision;
    this.zone = e.zone;
    this.exception = e.exception;
    this.level = shared(e.level, strings);
    this.thread = shared(e.thread, strings);
    this.seq = e.seq;
    this.#texts = texts;
    this.#at = at;
  }

  get raw(): string {
    return this.#texts.text(this.#at);
  }

  get timestampText(): string {
    const ts = this.#ts;
    return typeof ts === 'string' ? ts : stampAt(this.raw, ts);
  }

  /** As the event it was made from serialises. */
  toJSON(): Record<string, unknown> {
    return asParsed(this as unknown as RmqEvent);
  }
}

/** The event's fields as the shared object equal to them (their strings shared copies). */
function sharedFields(e: RmqEvent, strings: Interner): RmqEvent['fields'] {
  return strings.fields(e.kind, internFields(e.fields, strings) as Record<string, unknown>) as RmqEvent['fields'];
}

/** A level or thread name as a shared copy. */
function shared(v: string | null, strings: Interner): string | null {
  return v === null ? null : strings.intern(v);
}

/**
 * Where the event's timestamp text is in its line (stampRef), read back from there when asked
 * for (a copy of its own was 72 bytes an event); else the text itself, a flat copy.
 */
function stampOf(e: RmqEvent): number | string {
  return stampRef(e.raw, e.timestampText) ?? flatten(e.timestampText);
}

/** An event's properties as a plain object, in the order the line parsers make them (KEYS). */
function asParsed(e: RmqEvent): Record<string, unknown> {
  return {
    kind: e.kind,
    fields: e.fields,
    file: e.file,
    line: e.line,
    host: e.host,
    timestampText: e.timestampText,
    instant: e.instant,
    precision: e.precision,
    zone: e.zone,
    raw: e.raw,
    exception: e.exception,
    level: e.level,
    thread: e.thread,
    seq: e.seq,
  };
}

/**
 * Where a timestamp text is in its line, as one small integer: start × 1024 + length × 4 + which
 * of two characters the text writes its own way (the parsers write `date time.frac` where a line
 * may have `dateTtime,frac`): bit 0 the space at 10, bit 1 the dot at 19. Null when the text is
 * not so found (it is then kept as it is).
 */
function stampRef(raw: string, text: string): number | null {
  const len = text.length;
  if (len < 10 || len >= 256) return null;
  const start = raw.indexOf(text.slice(0, 10));
  if (start < 0 || start >= 1 << 20 || start + len > raw.length) return null;
  const flags = (raw.charCodeAt(start + 10) !== text.charCodeAt(10) ? 1 : 0) | (len > 19 && raw.charCodeAt(start + 19) !== text.charCodeAt(19) ? 2 : 0);
  const ref = start * 1024 + len * 4 + flags;
  return stampAt(raw, ref) === text ? ref : null;
}

function stampAt(raw: string, ref: number): string {
  const start = ref >>> 10;
  let t = raw.substr(start, (ref >>> 2) & 255);
  if (ref & 1) t = `${t.slice(0, 10)} ${t.slice(11)}`;
  if (ref & 2) t = `${t.slice(0, 19)}.${t.slice(20)}`;
  return t;
}

/** Field values as shared copies: strings, and the strings of plain objects one level down (a queue). */
function internFields<T>(fields: T, strings: Interner): T {
  if (fields === null || typeof fields !== 'object') return fields;
  const f = fields as Record<string, unknown>;
  for (const k of Object.keys(f)) {
    const v = f[k];
    if (typeof v === 'string') f[k] = strings.intern(v);
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      for (const k2 of Object.keys(o)) {
        const v2 = o[k2];
        if (typeof v2 === 'string') o[k2] = strings.intern(v2);
      }
    }
  }
  return fields;
}

function parserShaped(e: RmqEvent): boolean {
  const keys = Object.keys(e);
  if (keys.length !== KEYS.length) return false;
  for (let i = 0; i < KEYS.length; i++) if (keys[i] !== KEYS[i]) return false;
  return true;
}

/**
 * One file's events, lean: their first lines go to a RawTexts of the file (sealed here), their
 * field strings are shared. Events of another shape (documents, traces) are kept as they are.
 */
export function leanEvents(events: RmqEvent[], strings: Interner): RmqEvent[] {
  if (events.length === 0) return events;
  const texts = new RawTexts();
  const out = events.map((e) => leanEvent(e, texts, strings));
  texts.seal();
  return out;
}

/** One event, lean (its text added to `texts`), or as it is when of another shape. */
export function leanEvent(e: RmqEvent, texts: RawTexts, strings: Interner): RmqEvent {
  return parserShaped(e) ? (new LeanEvent(e, texts, texts.add(e.raw), strings) as unknown as RmqEvent) : e;
}

/**
 * Events parsed again from a store of their lines (a file's warm lines), as rows of `table`: an
 * event whose text is the store's i-th line reads it from there (it is not compressed a second
 * time); any other's text goes to a RawTexts of its own. Events past the table's capacity, or of
 * another shape, are kept as they are.
 */
export function leanFrom(parsed: Iterable<{ event: RmqEvent; text: string; at: number }>, store: TextSource, strings: Interner, table: WarmTable): RmqEvent[] {
  let own: RawTexts | null = null;
  const out: RmqEvent[] = [];
  for (const { event: e, text, at } of parsed) {
    if (!parserShaped(e) || e.line > 0xffffffff || table.full) out.push(e);
    else if (e.raw === text) out.push(table.add(e, store, at, strings));
    else {
      own ??= new RawTexts();
      out.push(table.add(e, own, own.add(e.raw), strings));
    }
  }
  (own as RawTexts | null)?.seal();
  return out;
}

/**
 * A column of few distinct values (kinds, hosts, levels, threads…): each row an index into them,
 * a byte each while there are at most 256 (wider once there are more).
 */
class Palette<T> {
  readonly values: T[] = [];
  private readonly index = new Map<T, number>();
  private idx: Uint8Array | Uint16Array | Uint32Array;

  constructor(n: number) {
    this.idx = new Uint8Array(n);
  }

  set(i: number, v: T): void {
    let k = this.index.get(v);
    if (k === undefined) {
      k = this.values.push(v) - 1;
      this.index.set(v, k);
      if (k === 256 || k === 65_536) {
        const wider = k === 256 ? new Uint16Array(this.idx.length) : new Uint32Array(this.idx.length);
        wider.set(this.idx);
        this.idx = wider;
      }
    }
    this.idx[i] = k;
  }

  get(i: number): T {
    return this.values[this.idx[i]!]!;
  }
}

/**
 * The routine events of a bundle's warm lines (heartbeats, connection failures, timeouts…), as
 * columns, one table for all files; each event is a WarmEvent, a view of its row. A LeanEvent
 * costs ~176 bytes (15 fields and its instant's heap number), a row ~40 and its view 40: a client
 * log of 1,000,000 heartbeat lines peaked at 382 MB with LeanEvents.
 */
export class WarmTable {
  n = 0;
  readonly kind: Palette<RmqEvent['kind']>;
  readonly fields: RmqEvent['fields'][];
  readonly file: Palette<string>;
  readonly line: Uint32Array;
  readonly host: Palette<string | null>;
  readonly instant: Float64Array;
  readonly precision: Palette<RmqEvent['precision']>;
  readonly zone: Palette<RmqEvent['zone']>;
  readonly exception: Palette<RmqEvent['exception']>;
  readonly level: Palette<string | null>;
  readonly thread: Palette<string | null>;
  readonly seq: Float64Array;
  readonly source: Palette<TextSource>;
  readonly at: Uint32Array;
  /** Where the timestamp text is in the line (stampRef), or -1: the text is in `stamps`. */
  readonly ts: Int32Array;
  readonly stamps = new Map<number, string>();

  constructor(private readonly capacity: number) {
    this.kind = new Palette(capacity);
    this.fields = new Array<RmqEvent['fields']>(capacity);
    this.file = new Palette(capacity);
    this.line = new Uint32Array(capacity);
    this.host = new Palette(capacity);
    this.instant = new Float64Array(capacity);
    this.precision = new Palette(capacity);
    this.zone = new Palette(capacity);
    this.exception = new Palette(capacity);
    this.level = new Palette(capacity);
    this.thread = new Palette(capacity);
    this.seq = new Float64Array(capacity);
    this.source = new Palette(capacity);
    this.at = new Uint32Array(capacity);
    this.ts = new Int32Array(capacity);
  }

  get full(): boolean {
    return this.n >= this.capacity;
  }

  /** The event as a row (the same values a LeanEvent of it would give). */
  add(e: RmqEvent, texts: TextSource, at: number, strings: Interner): RmqEvent {
    const i = this.n++;
    this.kind.set(i, e.kind);
    this.fields[i] = sharedFields(e, strings);
    this.file.set(i, e.file);
    this.line[i] = e.line;
    this.host.set(i, e.host);
    this.instant[i] = e.instant;
    this.precision.set(i, e.precision);
    this.zone.set(i, e.zone);
    this.exception.set(i, e.exception);
    this.level.set(i, shared(e.level, strings));
    this.thread.set(i, shared(e.thread, strings));
    this.seq[i] = e.seq;
    this.source.set(i, texts);
    this.at[i] = at;
    const ts = stampOf(e);
    if (typeof ts === 'string') {
      this.ts[i] = -1;
      this.stamps.set(i, ts);
    } else this.ts[i] = ts;
    return new WarmEvent(this, i) as unknown as RmqEvent;
  }
}

/** One row of a WarmTable, read as an event: `host` and `seq` may be set (ingest does). */
class WarmEvent {
  readonly #t: WarmTable;
  readonly #i: number;

  constructor(t: WarmTable, i: number) {
    this.#t = t;
    this.#i = i;
  }

  get kind(): RmqEvent['kind'] {
    return this.#t.kind.get(this.#i);
  }
  get fields(): RmqEvent['fields'] {
    return this.#t.fields[this.#i]!;
  }
  get file(): string {
    return this.#t.file.get(this.#i);
  }
  get line(): number {
    return this.#t.line[this.#i]!;
  }
  get host(): string | null {
    return this.#t.host.get(this.#i);
  }
  set host(v: string | null) {
    this.#t.host.set(this.#i, v);
  }
  get instant(): number {
    return this.#t.instant[this.#i]!;
  }
  get precision(): RmqEvent['precision'] {
    return this.#t.precision.get(this.#i);
  }
  get zone(): RmqEvent['zone'] {
    return this.#t.zone.get(this.#i);
  }
  get exception(): RmqEvent['exception'] {
    return this.#t.exception.get(this.#i);
  }
  get level(): string | null {
    return this.#t.level.get(this.#i);
  }
  get thread(): string | null {
    return this.#t.thread.get(this.#i);
  }
  get seq(): number {
    return this.#t.seq[this.#i]!;
  }
  set seq(v: number) {
    this.#t.seq[this.#i] = v;
  }
  get raw(): string {
    return this.#t.source.get(this.#i).text(this.#t.at[this.#i]!);
  }
  get timestampText(): string {
    const ts = this.#t.ts[this.#i]!;
    return ts < 0 ? this.#t.stamps.get(this.#i)! : stampAt(this.raw, ts);
  }

  /** As the event it was made from serialises. */
  toJSON(): Record<string, unknown> {
    return asParsed(this as unknown as RmqEvent);
  }
}
