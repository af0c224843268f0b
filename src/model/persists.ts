import type { EventOf, ZoneRule } from './events.js';
import type { MessageQueueRef } from './queue.js';
import { wallSecondText, type ResolvedZone } from './time.js';
import { readSpill, spillWriter } from './spill.js';
import { flatten } from './strings.js';

/**
 * Where the `offset-persist` lines live (nine in ten lines of a client log): per series, one
 * (file, group, client id, queue, mode), either columnar — delta-varint rows of (instant, offset,
 * line, header template), about 6 bytes a line instead of ~500 — or, for lines the columnar form
 * cannot rebuild exactly (and on the simple path), the event objects themselves. An event is
 * materialised only when a rule asks for it, with exactly the fields and raw text the line gave.
 */

export type Persist = EventOf<'offset-persist'>;
export type PersistMode = 'persistAll' | 'persist';

/** What a series' lines share. */
export interface SeriesHead {
  file: string;
  host: string | null;
  group: string;
  clientId: string;
  mq: MessageQueueRef;
  mode: PersistMode;
  zoneRule: ZoneRule;
  /** The zone the file's wall times were read in (the raw text is rebuilt in it). */
  zone: ResolvedZone;
  /** Read-order rank of the file (seq = rank × 1e8 + line), set once files are ordered. */
  rank: number;
}

/**
 * The header of a line around its timestamp: `<date> <time><sep><ms><rest>` + message. Lines of
 * one logger thread and level share one template.
 */
export interface PersistTemplate {
  sep: string;
  rest: string;
  level: string | null;
  thread: string | null;
}

/**
 * What one file's commit lines of one series share (the parser keeps one per distinct text up to
 * the offset; the store hangs the file's series on it).
 */
export interface PersistSlot {
  group: string;
  clientId: string;
  mq: MessageQueueRef;
  mode: PersistMode;
  series: ColumnarSeries | null;
}

/** A line the parser hands to the columnar store (the object is reused between lines). */
export interface PersistLine {
  slot: PersistSlot;
  offset: number;
  line: number;
  instant: number;
  template: PersistTemplate;
  zone: ResolvedZone;
  zoneRule: ZoneRule;
}

/** One row as a scan sees it (the object is reused: copy what you keep). */
export interface PersistRow {
  instant: number;
  offset: number;
  line: number;
  /** Read order (file rank × 1e8 + line, as the event's seq). */
  seq: number;
  /** Index of the row in its series. */
  index: number;
}

export interface PersistSeries {
  readonly head: SeriesHead;
  readonly count: number;
  /** Smallest and largest instant (NaN-free; Infinity/-Infinity when empty). */
  readonly min: number;
  readonly max: number;
  /** Rows with from ≤ instant ≤ to, in line order; `fn` returning false stops the scan. */
  scan(from: number, to: number, fn: (r: PersistRow) => boolean | void): void;
  /** The event of a row (one object per row: asking twice gives the same object). */
  event(r: PersistRow): Persist;
  /** The event of the row at an index (as `event`, without a scan). */
  at(index: number): Persist;
  /** Every row as an event (used for the rare files that must be compared line by line). */
  events(): Persist[];
  /** Rows are in time order as well as in line order (no clock step back within the series). */
  readonly ordered: boolean;
  /** Every row as an event, in line order, one at a time (null at the end); a columnar series keeps none of them. */
  cursor(): () => Persist | null;
  /** The first row in time order (smallest instant, then seq), as a copy; null when empty. */
  first(): PersistRow | null;
}

/** The first row in time order, by a scan of the rows at the smallest instant. */
function firstByScan(s: PersistSeries): PersistRow | null {
  let best: PersistRow | null = null;
  s.scan(s.min, s.min, (r) => {
    if (best === null || r.seq < best.seq) best = { ...r };
  });
  return best;
}

/**
 * Rows per chunk: the chunk index (six numbers per chunk) stays in memory, so it grows with the
 * input; 512 rows keep it at 1/4 of what 128 did (4 GiB: 5.5 MB less heap, and faster), and a
 * lookup decodes at most 512 rows.
 */
const CHUNK = 512;
/** Chunks per block: what is written to (and read back from) the spill file at once. */
const BLOCK_CHUNKS = 2;

/** A columnar series as plain data (structured-clonable). */
export interface ColumnarSnapshot {
  head: SeriesHead;
  count: number;
  min: number;
  max: number;
  buf: Uint8Array;
  len: number;
  tailStart: number;
  spill: string | null;
  blocks: number[];
  templates: PersistTemplate[];
  chunks: number[][];
  last: [number, number, number];
  ordered: boolean;
}

/**
 * Columnar rows of one series: chunks of 512 rows (CHUNK), the first absolute, the rest delta-varint coded.
 * Blocks of 2 chunks (1024 rows) go to the thread's spill file as they fill (the chunk index stays in memory);
 * `buf` holds the block being written. Byte positions are logical (as if every byte were in one
 * buffer): block k covers [blocks[2k], blocks[2k] + its length), stored at spill offset blocks[2k+1].
 */
export class ColumnarSeries implements PersistSeries {
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private buf: Uint8Array = new Uint8Array(256);
  private len = 0;
  /** Logical position of buf[0]. */
  private tailStart = 0;
  private spill: string | null = null;
  private spillBroken = false;
  /** Per spilled block: logical start, spill offset. */
  private blocks: number[] = [];
  private cachedBlock = -1;
  private cachedBytes: Uint8Array | null = null;
  private templates: PersistTemplate[] = [];
  // per chunk: byte position, absolute instant/offset/line of its first row, instant range
  private chunkPos: number[] = [];
  private chunkInstant: number[] = [];
  private chunkOffset: number[] = [];
  private chunkLine: number[] = [];
  private chunkMin: number[] = [];
  private chunkMax: number[] = [];
  private lastInstant = 0;
  private lastOffset = 0;
  private lastLine = 0;
  private cache: Map<number, Persist> | null = null;
  private readonly row: PersistRow = { instant: 0, offset: 0, line: 0, seq: 0, index: 0 };
  private template = 0;
  /** A row came earlier in time than the row before it. */
  private stepBack = false;

  constructor(readonly head: SeriesHead) {}

  add(instant: number, offset: number, line: number, template: PersistTemplate): void {
    let t = this.templates.indexOf(template);
    if (t < 0) {
      t = this.templates.length;
      this.templates.push(template);
    }
    if (this.count % (CHUNK * BLOCK_CHUNKS) === 0 && this.count > 0) this.spillTail();
    if (this.count > 0 && instant < this.lastInstant) this.stepBack = true;
    this.ensure(32);
    if (this.count % CHUNK === 0) {
      this.chunkPos.push(this.tailStart + this.len);
      this.chunkInstant.push(instant);
      this.chunkOffset.push(offset);
      this.chunkLine.push(line);
      this.chunkMin.push(instant);
      this.chunkMax.push(instant);
    } else {
      this.varint(zigzag(instant - this.lastInstant));
      this.varint(zigzag(offset - this.lastOffset));
      this.varint(line - this.lastLine);
      const c = this.chunkMin.length - 1;
      if (instant < this.chunkMin[c]!) this.chunkMin[c] = instant;
      if (instant > this.chunkMax[c]!) this.chunkMax[c] = instant;
    }
    this.varint(t);
    this.lastInstant = instant;
    this.lastOffset = offset;
    this.lastLine = line;
    if (instant < this.min) this.min = instant;
    if (instant > this.max) this.max = instant;
    this.count++;
  }

  /** Plain data for another thread (`restore` rebuilds the series from it). */
  snapshot(): ColumnarSnapshot {
    this.seal();
    return {
      head: this.head,
      count: this.count,
      min: this.min,
      max: this.max,
      buf: this.buf,
      len: this.len,
      tailStart: this.tailStart,
      spill: this.spill,
      blocks: this.blocks,
      templates: this.templates,
      chunks: [this.chunkPos, this.chunkInstant, this.chunkOffset, this.chunkLine, this.chunkMin, this.chunkMax],
      last: [this.lastInstant, this.lastOffset, this.lastLine],
      ordered: !this.stepBack,
    };
  }

  static restore(s: ColumnarSnapshot): ColumnarSeries {
    const c = new ColumnarSeries(s.head);
    c.count = s.count;
    c.min = s.min;
    c.max = s.max;
    c.buf = s.buf;
    c.len = s.len;
    c.tailStart = s.tailStart;
    c.spill = s.spill;
    // (loops, not spreads: a long series has more chunks than a call takes arguments)
    for (const v of s.blocks) c.blocks.push(v);
    for (const t of s.templates) c.templates.push(t);
    const [pos, instant, offset, line, min, max] = s.chunks;
    for (let i = 0; i < pos!.length; i++) {
      c.chunkPos.push(pos![i]!);
      c.chunkInstant.push(instant![i]!);
      c.chunkOffset.push(offset![i]!);
      c.chunkLine.push(line![i]!);
      c.chunkMin.push(min![i]!);
      c.chunkMax.push(max![i]!);
    }
    [c.lastInstant, c.lastOffset, c.lastLine] = s.last;
    c.stepBack = !s.ordered;
    return c;
  }

  get ordered(): boolean {
    return !this.stepBack;
  }

  first(): PersistRow | null {
    if (this.count === 0) return null;
    // (in a series without a step back, row 0 comes first in time too: the chunk index has it,
    // nothing is decoded — at 100 MB the scans for it were 7% of the run)
    if (this.stepBack) return firstByScan(this);
    const line = this.chunkLine[0]!;
    return { instant: this.chunkInstant[0]!, offset: this.chunkOffset[0]!, line, seq: this.head.rank * 1e8 + line, index: 0 };
  }

  cursor(): () => Persist | null {
    // (one chunk decoded at a time; the events are built fresh and not kept)
    const instants: number[] = [];
    const offsets: number[] = [];
    const lines: number[] = [];
    const templates: number[] = [];
    const indexes: number[] = [];
    const chunks = this.chunkPos.length;
    let c = 0;
    let n = 0;
    let pos = 0;
    return () => {
      while (pos >= n) {
        if (c >= chunks) return null;
        n = 0;
        pos = 0;
        this.decode(c++, CHUNK, (index, instant, offset, line, t) => {
          instants[n] = instant;
          offsets[n] = offset;
          lines[n] = line;
          templates[n] = t;
          indexes[n] = index;
          n++;
          return true;
        });
      }
      const line = lines[pos]!;
      const r: PersistRow = { instant: instants[pos]!, offset: offsets[pos]!, line, seq: this.head.rank * 1e8 + line, index: indexes[pos]! };
      const e = this.build(r, this.templates[templates[pos]!]!);
      pos++;
      return e;
    };
  }

  /** Releases the spare capacity once the file is read. */
  seal(): void {
    if (this.buf.length > this.len) this.buf = this.buf.slice(0, this.len);
    // (arrays that grew by pushes keep spare room: a series of a few rows would carry a kilobyte)
    this.blocks = this.blocks.slice();
    this.templates = this.templates.slice();
    this.chunkPos = this.chunkPos.slice();
    this.chunkInstant = this.chunkInstant.slice();
    this.chunkOffset = this.chunkOffset.slice();
    this.chunkLine = this.chunkLine.slice();
    this.chunkMin = this.chunkMin.slice();
    this.chunkMax = this.chunkMax.slice();
  }

  /** Writes the block being filled to the spill file (when there is one). */
  private spillTail(): void {
    if (this.len === 0) return;
    const w = spillWriter();
    if (w === null) return;
    if (this.spillBroken) return;
    if (this.spill === null) this.spill = w.path;
    else if (this.spill !== w.path) return;
    const at = w.append(this.buf.subarray(0, this.len));
    if (at < 0) {
      // (the disk is full: this series keeps its rows in memory from here on)
      this.spillBroken = true;
      return;
    }
    this.blocks.push(this.tailStart, at);
    this.tailStart += this.len;
    this.len = 0;
  }

  /** The bytes holding chunk c, and the logical position of their first byte. */
  private view(c: number): { b: Uint8Array; base: number } {
    const pos = this.chunkPos[c]!;
    if (pos >= this.tailStart) return { b: this.buf, base: this.tailStart };
    const k = Math.floor(c / BLOCK_CHUNKS);
    const start = this.blocks[2 * k]!;
    if (this.cachedBlock !== k) {
      const end = k + 1 < this.blocks.length / 2 ? this.blocks[2 * k + 2]! : this.tailStart;
      this.cachedBytes = readSpill(this.spill!, this.blocks[2 * k + 1]!, end - start);
      this.cachedBlock = k;
    }
    return { b: this.cachedBytes!, base: start };
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private varint(v: number): void {
    const b = this.buf;
    let p = this.len;
    if (v < 0x10000000) {
      while (v >= 0x80) {
        b[p++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
    } else {
      while (v >= 0x80) {
        b[p++] = (v % 128) | 0x80;
        v = Math.floor(v / 128);
      }
    }
    b[p++] = v;
    this.len = p;
  }

  scan(from: number, to: number, fn: (r: PersistRow) => boolean | void): void {
    if (this.count === 0 || to < this.min || from > this.max) return;
    const r = this.row;
    const chunks = this.chunkPos.length;
    for (let c = 0; c < chunks; c++) {
      if (this.chunkMax[c]! < from || this.chunkMin[c]! > to) continue;
      const stopped = this.decode(c, CHUNK, (index, instant, offset, line, t) => {
        if (!(instant >= from && instant <= to)) return true;
        r.instant = instant;
        r.offset = offset;
        r.line = line;
        r.seq = this.head.rank * 1e8 + line;
        r.index = index;
        this.template = t;
        return fn(r) !== false;
      });
      if (stopped) return;
    }
  }

  /**
   * Decodes up to `n` rows of chunk c, in order, handing each to `visit` (row index, instant,
   * offset, line, template); true when `visit` stopped it by returning false.
   */
  private decode(c: number, n: number, visit: (index: number, instant: number, offset: number, line: number, template: number) => boolean): boolean {
    const { b, base } = this.view(c);
    let p = this.chunkPos[c]! - base;
    let instant = this.chunkInstant[c]!;
    let offset = this.chunkOffset[c]!;
    let line = this.chunkLine[c]!;
    const first = c * CHUNK;
    const rows = Math.min(n, this.count - first);
    for (let i = 0; i < rows; i++) {
      let v: number;
      if (i > 0) {
        [v, p] = readVarint(b, p);
        instant += unzigzag(v);
        [v, p] = readVarint(b, p);
        offset += unzigzag(v);
        [v, p] = readVarint(b, p);
        line += v;
      }
      [v, p] = readVarint(b, p);
      if (!visit(first + i, instant, offset, line, v)) return true;
    }
    return false;
  }

  event(r: PersistRow): Persist {
    this.cache ??= new Map();
    let e = this.cache.get(r.index);
    if (e) return e;
    e = this.build(r, this.templateOf(r));
    this.cache.set(r.index, e);
    return e;
  }

  at(index: number): Persist {
    const hit = this.cache?.get(index);
    if (hit) return hit;
    if (!(index >= 0 && index < this.count)) throw new RangeError(`no persist row ${index}`);
    // Decode the row's chunk up to it.
    const c = Math.floor(index / CHUNK);
    let e: Persist | null = null;
    this.decode(c, index - c * CHUNK + 1, (i, instant, offset, line, t) => {
      if (i === index) e = this.build({ instant, offset, line, seq: this.head.rank * 1e8 + line, index }, this.templates[t]!);
      return true;
    });
    if (e === null) throw new RangeError(`no persist row ${index}`);
    (this.cache ??= new Map()).set(index, e);
    return e;
  }

  events(): Persist[] {
    const out: Persist[] = [];
    this.scan(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, (r) => {
      out.push(this.event(r));
    });
    return out;
  }

  /** The template of the row the current scan is on. */
  private templateOf(r: PersistRow): PersistTemplate {
    if (r !== this.row) throw new Error('a persist row is only valid inside its scan');
    return this.templates[this.template]!;
  }

  private build(r: PersistRow, t: PersistTemplate): Persist {
    const h = this.head;
    const wall = wallSecondText(r.instant, h.zone);
    const ms = ((r.instant % 1000) + 1000) % 1000;
    const frac = ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : `${ms}`;
    const fields = { group: h.group, clientId: h.clientId, mq: h.mq, offset: r.offset, mode: h.mode };
    return {
      kind: 'offset-persist',
      fields,
      file: h.file,
      line: r.line,
      host: h.host,
      // (flat copies: the template pieces make a chain of ~20 joined strings, which an event a
      // rule keeps would keep too)
      timestampText: flatten(`${wall}.${frac}`),
      instant: r.instant,
      precision: 'ms',
      zone: h.zoneRule,
      raw: flatten(`${wall}${t.sep}${frac}${t.rest}${persistText(fields)}`),
      exception: null,
      level: t.level,
      thread: t.thread,
      seq: r.seq,
    };
  }
}

function readVarint(b: Uint8Array, p: number): [number, number] {
  let byte = b[p++]!;
  if (byte < 0x80) return [byte, p];
  let v = byte & 0x7f;
  let mul = 128;
  for (;;) {
    byte = b[p++]!;
    v += (byte & 0x7f) * mul;
    if (byte < 0x80) return [v, p];
    mul *= 128;
  }
}

function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

function unzigzag(v: number): number {
  return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
}

/** Persist events kept as objects (the simple path, and lines the columnar form cannot rebuild). */
export class ObjectSeries implements PersistSeries {
  readonly list: Persist[] = [];
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private readonly row: PersistRow = { instant: 0, offset: 0, line: 0, seq: 0, index: 0 };

  constructor(readonly head: SeriesHead) {}

  get count(): number {
    return this.list.length;
  }

  add(e: Persist): void {
    this.list.push(e);
    if (e.instant < this.min) this.min = e.instant;
    if (e.instant > this.max) this.max = e.instant;
  }

  scan(from: number, to: number, fn: (r: PersistRow) => boolean | void): void {
    if (to < this.min || from > this.max) return;
    const r = this.row;
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      if (!(e.instant >= from && e.instant <= to)) continue;
      r.instant = e.instant;
      r.offset = e.fields.offset;
      r.line = e.line;
      r.seq = e.seq;
      r.index = i;
      if (fn(r) === false) return;
    }
  }

  event(r: PersistRow): Persist {
    return this.list[r.index]!;
  }

  at(index: number): Persist {
    return this.list[index]!;
  }

  events(): Persist[] {
    return this.list.slice();
  }

  get ordered(): boolean {
    for (let i = 1; i < this.list.length; i++) if (this.list[i]!.instant < this.list[i - 1]!.instant) return false;
    return true;
  }

  first(): PersistRow | null {
    return firstByScan(this);
  }

  cursor(): () => Persist | null {
    let i = 0;
    return () => (i < this.list.length ? this.list[i++]! : null);
  }
}

/** The exact message text of a `[persistAll]` / `[persist]` line, from its fields. */
export function persistText(f: { group: string; clientId: string; mq: MessageQueueRef; offset: number; mode: PersistMode }): string {
  return `[${f.mode}] Group: ${f.group} ClientId: ${f.clientId} updateConsumeOffsetToBroker MessageQueue [topic=${f.mq.topic}, brokerName=${f.mq.brokerName}, queueId=${f.mq.queueId}] ${f.offset}`;
}

export function seriesKey(group: string, clientId: string, mq: MessageQueueRef, mode: PersistMode): string {
  return `${mode}\u0000${group}\u0000${clientId}\u0000${mq.topic}\u0000${mq.brokerName}\u0000${mq.queueId}`;
}

/** The instant just before t: t − 1 ms for the whole milliseconds logs give, the next double down otherwise. */
function prevInstant(t: number): number {
  if (Number.isInteger(t)) return t - 1;
  const next = t - Math.max(Number.EPSILON * Math.abs(t), Number.MIN_VALUE);
  return next < t ? next : t - 1;
}

/** Adds loose persist events (carried by a scan, built by tests) as object series, per file and series. */
export function addEvents(store: PersistStore, events: Iterable<Persist>, zone: ResolvedZone): void {
  const byKey = new Map<string, ObjectSeries>();
  for (const e of events) {
    const f = e.fields;
    const k = `${e.file}\u0000${e.host ?? ''}\u0000${seriesKey(f.group, f.clientId, f.mq, f.mode)}`;
    let s = byKey.get(k);
    if (!s) byKey.set(k, (s = new ObjectSeries({ file: e.file, host: e.host, group: f.group, clientId: f.clientId, mq: f.mq, mode: f.mode, zoneRule: e.zone, zone, rank: Math.floor(e.seq / 1e8) })));
    s.add(e);
  }
  for (const s of byKey.values()) store.add(s);
}

/** A queue as the rules key it: (group, topic, brokerName, queueId). */
export interface PersistQueue {
  group: string;
  topic: string;
  brokerName: string;
  queueId: number;
}

function queueId(q: PersistQueue): string {
  return `${q.group}|${q.topic}|${q.brokerName}|${q.queueId}`;
}

/** Order of events: instant, then read order. */
function byInstantThenSeq(a: Persist, b: Persist): number {
  return a.instant - b.instant || a.seq - b.seq;
}

export interface PersistHit {
  offset: number;
  instant: number;
  line: number;
  seq: number;
  index: number;
  series: PersistSeries;
  /** Materialises the row (valid after the scan, unlike a PersistRow). */
  event: () => Persist;
}

/** Every `offset-persist` line of a bundle, by series, with the queries the rules need. */
export class PersistStore {
  readonly series: PersistSeries[] = [];
  private byQueueMap: Map<string, PersistSeries[]> | null = null;
  private byHostMap: Map<string, PersistSeries[]> | null = null;

  add(s: PersistSeries): void {
    if (s.count === 0) return;
    this.series.push(s);
    this.byQueueMap = null;
    this.byHostMap = null;
  }

  get count(): number {
    let n = 0;
    for (const s of this.series) n += s.count;
    return n;
  }

  /** Series of one queue (every host and file). */
  ofQueue(q: PersistQueue): readonly PersistSeries[] {
    if (!this.byQueueMap) {
      this.byQueueMap = new Map();
      for (const s of this.series) {
        const k = queueId({ group: s.head.group, topic: s.head.mq.topic, brokerName: s.head.mq.brokerName, queueId: s.head.mq.queueId });
        const list = this.byQueueMap.get(k);
        if (list) list.push(s);
        else this.byQueueMap.set(k, [s]);
      }
    }
    return this.byQueueMap.get(queueId(q)) ?? [];
  }

  /** Series written by one host. */
  ofHost(host: string): readonly PersistSeries[] {
    if (!this.byHostMap) {
      this.byHostMap = new Map();
      for (const s of this.series) {
        if (s.head.host === null) continue;
        const list = this.byHostMap.get(s.head.host);
        if (list) list.push(s);
        else this.byHostMap.set(s.head.host, [s]);
      }
    }
    return this.byHostMap.get(host) ?? [];
  }

  /** Events of `series` within [from, to], in time order (materialised: keep windows small). */
  eventsOf(series: readonly PersistSeries[], from: number, to: number, keep?: (r: PersistRow, s: PersistSeries) => boolean): Persist[] {
    const out: Persist[] = [];
    for (const s of series) {
      s.scan(from, to, (r) => {
        if (keep === undefined || keep(r, s)) out.push(s.event(r));
      });
    }
    return out.sort(byInstantThenSeq);
  }

  /**
   * A queue's whole history of persists in time order (instant, then read order), one at a time:
   * the series are merged as they are decoded, and no event is kept (a timeline of a big bundle).
   * A series whose clock stepped back is read whole and sorted.
   */
  queueCursor(q: PersistQueue): () => Persist | null {
    const sources: (() => Persist | null)[] = [];
    const unordered: PersistSeries[] = [];
    for (const s of this.ofQueue(q)) {
      if (s.ordered) sources.push(s.cursor());
      else unordered.push(s);
    }
    if (unordered.length > 0) {
      const sorted = this.eventsOf(unordered, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
      let i = 0;
      sources.push(() => (i < sorted.length ? sorted[i++]! : null));
    }
    // a heap of the sources' current events, earliest on top
    const heads: (Persist | null)[] = sources.map((next) => next());
    const heap: number[] = [];
    const less = (a: number, b: number): boolean => byInstantThenSeq(heads[a]!, heads[b]!) < 0;
    const down = (i: number): void => {
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) return;
        const r = l + 1;
        const c = r < heap.length && less(heap[r]!, heap[l]!) ? r : l;
        if (!less(heap[c]!, heap[i]!)) return;
        [heap[c], heap[i]] = [heap[i]!, heap[c]!];
        i = c;
      }
    };
    heads.forEach((h, i) => {
      if (h !== null) heap.push(i);
    });
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
    return () => {
      if (heap.length === 0) return null;
      const top = heap[0]!;
      const e = heads[top]!;
      heads[top] = sources[top]!();
      if (heads[top] === null) {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
      }
      if (heap.length > 0) down(0);
      return e;
    };
  }

  /** A queue's persists within [from, to], in time order. */
  onQueue(q: PersistQueue, from: number, to: number, keep?: (r: PersistRow, s: PersistSeries) => boolean): Persist[] {
    return this.eventsOf(this.ofQueue(q), from, to, keep);
  }

  /**
   * A fold over rows in time order (instant, then read order) without materialising them: the
   * row `better` prefers over the one kept so far, starting from the first `keep` accepts.
   * `better` must rank rows by a total key (e.g. "higher offset": the first of the highest;
   * "always": the last row), so each series' own winner is a sufficient candidate.
   */
  best(series: readonly PersistSeries[], from: number, to: number, better: (candidate: PersistRow, current: PersistHit) => boolean, keep?: (r: PersistRow, s: PersistSeries) => boolean): PersistHit | null {
    const hits: PersistHit[] = [];
    for (const s of series) {
      let cur: PersistHit | null = null;
      s.scan(from, to, (r) => {
        if (keep !== undefined && !keep(r, s)) return;
        if (cur === null || better(r, cur)) cur = snapshot(s, r);
      });
      if (cur) hits.push(cur);
    }
    hits.sort((a, b) => a.instant - b.instant || a.seq - b.seq);
    let best: PersistHit | null = null;
    for (const h of hits) {
      const r: PersistRow = { instant: h.instant, offset: h.offset, line: h.line, seq: h.seq, index: h.index };
      if (best === null || better(r, best)) best = h;
    }
    return best;
  }

  /**
   * The last row in time order with from ≤ instant ≤ to that `keep` accepts: windows back from
   * `to` (an hour, then eight times wider each time), so only the chunks near the answer are read
   * — not a host's whole history for "its last commit before the restart".
   */
  last(series: readonly PersistSeries[], from: number, to: number, keep?: (r: PersistRow, s: PersistSeries) => boolean): PersistHit | null {
    let lo = Number.POSITIVE_INFINITY;
    let top = Number.NEGATIVE_INFINITY;
    for (const s of series) {
      if (s.count === 0) continue;
      if (s.min < lo) lo = s.min;
      if (s.max > top) top = s.max;
    }
    lo = Math.max(lo, from);
    let width = 3_600_000;
    for (let hi = Math.min(to, top); hi >= lo; ) {
      const start = Math.max(lo, hi - width);
      // (windows are disjoint: each ends just before the previous one began)
      const hit = this.best(series, start, hi, () => true, keep);
      if (hit) return hit;
      if (start <= lo) break;
      hi = prevInstant(start);
      width *= 8;
    }
    return null;
  }

  /** The last row of a series (by time, then read order), materialised. */
  lastOf(s: PersistSeries): Persist | null {
    // (the last row in time order has the series' largest instant: only its chunks are read)
    let seq = Number.NEGATIVE_INFINITY;
    let index = -1;
    s.scan(s.max, s.max, (r) => {
      if (r.seq > seq) {
        seq = r.seq;
        index = r.index;
      }
    });
    return index < 0 ? null : s.at(index);
  }
}

/**
 * A row made durable past its scan. For a columnar series the event is built at once (a scan's
 * row is reused); object series hold the event already.
 */
function snapshot(s: PersistSeries, r: PersistRow): PersistHit {
  const index = r.index;
  return { offset: r.offset, instant: r.instant, line: r.line, seq: r.seq, index, series: s, event: () => s.at(index) };
}
