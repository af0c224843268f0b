import type { RmqEvent } from './events.js';
import { decodedLines, packLines, unpackLines } from './pack.js';
import { readSpill, spillWriter } from './spill.js';

/**
 * Routine lines (connection churn, heartbeat payloads, …: `info` events no rule reads by their
 * `what`) are most of a broker's recognised lines and would be most of the memory. They are kept
 * compressed, per file, in blocks: the raw lines deflated, with their line numbers and instants
 * beside. A rule that needs one (the first line of a host in a window, the last line before a
 * crash) gets that line parsed again, by the file's own parser: the same event the first parse
 * made.
 */

/**
 * Kinds whose single-line entries wait as compressed lines while the bundle is read, and become
 * events once every file is read (the routine kinds: they are most of a run's events).
 */
export const WARM_KINDS: ReadonlySet<string> = new Set([
  'connection-failure',
  'heartbeat-ok',
  'heartbeat-failed',
  'remote-timeout',
  'flow-control',
  'consumer-registered',
  'channel-closed',
  'channel-expired',
  'route-change',
  'info',
]);

/** `info` lines rules read by their `what` (kept as events; every other `info` line may go cold). */
export const RULE_INFO_WHATS: ReadonlySet<string> = new Set(['config-load', 'load-offset-data-version', 'put-message-in-lock-slow']);

/** Parses single-line entries of one file again (one event per line). */
export type Reparse = (lines: readonly { text: string; line: number }[]) => RmqEvent[];

const BLOCK_LINES = 2048;
const EMPTY_U32 = new Uint32Array(0);
const EMPTY_F64 = new Float64Array(0);
const BLOCK_CHARS = 256 * 1024;

/** A file's cold lines as plain data (structured-clonable). */
export interface ColdSnapshot {
  file: string;
  host: string | null;
  rank: number;
  count: number;
  min: number;
  max: number;
  blocks: ColdBlock[];
}

interface ColdLines {
  lines: Uint32Array;
  instants: Float64Array;
  data: Buffer;
}

/** A block of cold lines: in memory, or in a spill file as [instants f64 × n][lines u32 × n][text, deflated unless short]. */
interface ColdBlock {
  n: number;
  /** Characters of its text. */
  chars: number;
  /** The text is deflated (short blocks are kept as they are). */
  packed: boolean;
  min: number;
  max: number;
  mem: ColdLines | null;
  spill: string | null;
  at: number;
  length: number;
}

/** One file's cold lines. */
export class ColdFile {
  host: string | null;
  /** Read-order rank of the file (seq = rank × 1e8 + line). */
  rank = 0;
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private readonly blocks: ColdBlock[] = [];
  /** Lines not yet compressed into a block. */
  private pending: string[] = [];
  /**
   * Line numbers and instants of the pending lines (the first `text.length` of each), allocated
   * with the first pending line and let go at seal (a bundle may hold thousands of files).
   */
  private lineNos: Uint32Array = EMPTY_U32;
  private instants: Float64Array = EMPTY_F64;
  private pendingMin = Number.POSITIVE_INFINITY;
  private pendingMax = Number.NEGATIVE_INFINITY;
  private chars = 0;
  private cache: Map<number, RmqEvent> | null = null;

  constructor(
    readonly file: string,
    host: string | null,
    private readonly reparse: Reparse,
  ) {
    this.host = host;
  }

  add(raw: string, line: number, instant: number): void {
    const i = this.pending.length;
    if (this.lineNos.length === 0) {
      this.lineNos = new Uint32Array(BLOCK_LINES);
      this.instants = new Float64Array(BLOCK_LINES);
    }
    this.pending.push(raw);
    this.lineNos[i] = line;
    this.instants[i] = instant;
    if (instant < this.pendingMin) this.pendingMin = instant;
    if (instant > this.pendingMax) this.pendingMax = instant;
    this.chars += raw.length + 1;
    this.count++;
    if (instant < this.min) this.min = instant;
    if (instant > this.max) this.max = instant;
    if (this.pending.length >= BLOCK_LINES || this.chars >= BLOCK_CHARS) this.flush();
  }

  /** Plain data for another thread (`restore` rebuilds the file's cold lines with a parser of this thread). */
  snapshot(): ColdSnapshot {
    this.flush();
    return { file: this.file, host: this.host, rank: this.rank, count: this.count, min: this.min, max: this.max, blocks: this.blocks };
  }

  static restore(s: ColdSnapshot, reparse: Reparse): ColdFile {
    const f = new ColdFile(s.file, s.host, reparse);
    f.rank = s.rank;
    f.count = s.count;
    f.min = s.min;
    f.max = s.max;
    for (const b of s.blocks) {
      const mem = b.mem ? { lines: b.mem.lines, instants: b.mem.instants, data: Buffer.from(b.mem.data.buffer, b.mem.data.byteOffset, b.mem.data.byteLength) } : null;
      f.blocks.push({ ...b, mem });
    }
    return f;
  }

  /** Compresses what is pending (call once the file is read). */
  seal(): void {
    this.flush();
    this.lineNos = EMPTY_U32;
    this.instants = EMPTY_F64;
  }

  private flush(): void {
    const n = this.pending.length;
    if (n === 0) return;
    const instants = this.instants.slice(0, n);
    const min = this.pendingMin;
    const max = this.pendingMax;
    const lines = this.lineNos.slice(0, n);
    const { data, packed } = packLines(this.pending);
    const w = spillWriter();
    const bytes = w ? Buffer.concat([Buffer.from(instants.buffer, instants.byteOffset, instants.byteLength), Buffer.from(lines.buffer, lines.byteOffset, lines.byteLength), data]) : null;
    const at = w && bytes ? w.append(bytes) : -1;
    const chars = this.chars;
    if (at < 0) this.blocks.push({ n, chars, packed, min, max, mem: { lines, instants, data }, spill: null, at: 0, length: 0 });
    else this.blocks.push({ n, chars, packed, min, max, mem: null, spill: w!.path, at, length: bytes!.length });
    this.pending = [];
    this.pendingMin = Number.POSITIVE_INFINITY;
    this.pendingMax = Number.NEGATIVE_INFINITY;
    this.chars = 0;
  }

  /** Calls fn(instant, seq, index) for every line within [from, to] (index: position in the file's cold lines). */
  scan(from: number, to: number, fn: (instant: number, seq: number, index: number) => void): void {
    if (this.count === 0 || to < this.min || from > this.max) return;
    let base = 0;
    const rank = this.rank * 1e8;
    for (const b of this.blocks) {
      if (!(b.max < from || b.min > to)) {
        const { lines, instants } = linesOf(b);
        for (let i = 0; i < b.n; i++) {
          const t = instants[i]!;
          if (t >= from && t <= to) fn(t, rank + lines[i]!, base + i);
        }
      }
      base += b.n;
    }
    // (lines not yet sealed into a block)
    for (let i = 0; i < this.pending.length; i++) {
      const t = this.instants[i]!;
      if (t >= from && t <= to) fn(t, rank + this.lineNos[i]!, base + i);
    }
  }

  /** The event of the line at an index (parsed again; one object per line). */
  at(index: number): RmqEvent {
    const hit = this.cache?.get(index);
    if (hit) return hit;
    const { text, line } = this.lineAt(index);
    const e = this.finish(this.reparse([{ text, line }])[0], line);
    (this.cache ??= new Map()).set(index, e);
    return e;
  }

  /** The text of the line at an index (a lean event made from it reads its `raw` here: from the decoded blocks, no spill read). */
  text(index: number): string {
    return this.lineAt(index, false).text;
  }

  private lineAt(index: number, withLine = true): { text: string; line: number } {
    let i = index;
    for (const b of this.blocks) {
      if (i < b.n) return { text: textsOf(b)[i]!, line: withLine ? linesOf(b).lines[i]! : 0 };
      i -= b.n;
    }
    const text = this.pending[i];
    if (text === undefined || index < 0) throw new RangeError(`no cold line ${index} in ${this.file}`);
    return { text, line: this.lineNos[i]! };
  }

  /** Every line as an event, in line order (for the rare files compared line by line). */
  events(): RmqEvent[] {
    return Array.from(this.parsed(), (p) => p.event);
  }

  /**
   * Every line parsed again, in line order, with its text and index: a block at a time, so only
   * one block's full events exist at once (the caller keeps what it makes of them). Parsed whole,
   * a file of 200,000 heartbeat lines peaked at 306 MB; its lines are single-line entries, so a
   * block parses alone as it does among the others.
   */
  *parsed(): Generator<{ event: RmqEvent; text: string; at: number }> {
    let at = 0;
    for (const batch of this.batches()) {
      const parsed = this.reparse(batch);
      for (let i = 0; i < batch.length; i++) yield { event: this.finish(parsed[i], batch[i]!.line), text: batch[i]!.text, at: at++ };
    }
  }

  /** Each block's lines (text and line number), then the pending ones: a batch each. */
  private *batches(): Generator<{ text: string; line: number }[]> {
    for (const b of this.blocks) {
      const { lines } = linesOf(b);
      yield textsOf(b).map((text, i) => ({ text, line: lines[i]! }));
    }
    yield this.pending.map((text, i) => ({ text, line: this.lineNos[i]! }));
  }

  private finish(e: RmqEvent | undefined, line: number): RmqEvent {
    if (!e || e.line !== line) throw new Error(`a cold line of ${this.file} (line ${line}) did not parse again`);
    e.host = this.host;
    e.seq = this.rank * 1e8 + line;
    return e;
  }
}

/** A block's texts, decoded (a few blocks stay decoded: decodedLines). */
function textsOf(b: ColdBlock): string[] {
  return decodedLines(b, b.chars, () => {
    const texts = unpackLines(linesOf(b).data, b.packed);
    if (texts.length !== b.n) throw new Error(`a block of cold lines did not read back (${texts.length} of ${b.n} lines)`);
    return texts;
  });
}

/** A block's lines (read back from its spill file when it is there). */
function linesOf(b: ColdBlock): ColdLines {
  if (b.mem) return b.mem;
  const bytes = readSpill(b.spill!, b.at, b.length);
  const instants = new Float64Array(bytes.buffer, bytes.byteOffset, b.n);
  const lines = new Uint32Array(bytes.buffer, bytes.byteOffset + 8 * b.n, b.n);
  return { instants, lines, data: bytes.subarray(12 * b.n) };
}

/** Every file's cold lines, with the few queries the rules make of them. */
export class ColdStore {
  readonly files: ColdFile[] = [];
  private byHost: Map<string, ColdFile[]> | null = null;

  add(f: ColdFile): void {
    if (f.count === 0) return;
    this.files.push(f);
    this.byHost = null;
  }

  get count(): number {
    let n = 0;
    for (const f of this.files) n += f.count;
    return n;
  }

  /** Latest instant of any cold line (-Infinity when none). */
  get max(): number {
    let m = Number.NEGATIVE_INFINITY;
    for (const f of this.files) if (f.max > m) m = f.max;
    return m;
  }

  ofHost(host: string): readonly ColdFile[] {
    if (!this.byHost) {
      this.byHost = new Map();
      for (const f of this.files) {
        if (f.host === null) continue;
        const list = this.byHost.get(f.host);
        if (list) list.push(f);
        else this.byHost.set(f.host, [f]);
      }
    }
    return this.byHost.get(host) ?? [];
  }

  /** The first (or last) line of a host within [from, to], in time then read order. */
  edge(host: string, from: number, to: number, which: 'first' | 'last'): RmqEvent | null {
    let best: { instant: number; seq: number; file: ColdFile; index: number } | null = null;
    for (const f of this.ofHost(host)) {
      f.scan(from, to, (instant, seq, index) => {
        const better = best === null || (which === 'first' ? instant < best.instant || (instant === best.instant && seq < best.seq) : instant > best.instant || (instant === best.instant && seq > best.seq));
        if (better) best = { instant, seq, file: f, index };
      });
    }
    if (best === null) return null;
    const b = best as { file: ColdFile; index: number };
    return b.file.at(b.index);
  }
}
