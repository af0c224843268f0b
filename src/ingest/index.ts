import type { Readable } from 'node:stream';
import picomatch from 'picomatch';
import { detectFormat, formatById } from '../formats/index.js';
import type { FileContext, Format, LineCounts, ParseSink } from '../formats/types.js';
import type { EventKind, RmqEvent, ZoneRule } from '../model/events.js';
import type { ResolvedZone } from '../model/time.js';
import { hostFromPath } from './host.js';
import { addEvents, ColumnarSeries, PersistStore, type Persist, type PersistSeries } from '../model/persists.js';
import { workerPool } from './pool.js';
import { ColdFile, ColdStore } from '../model/cold.js';
import { baseName, compareRotation, rotationOf, type RotationInfo } from './rotation.js';
import { ByteBudget, DEFAULT_LIMITS, formatSize, type ByteLimits } from './budget.js';
import { countLines, LineDecoder, MAX_LINE_BYTES, readLines, type Decoding } from './lines.js';
import { fastPath } from './fastpath.js';
import { sniffContent } from './sniff.js';
import { directChunks, peekChunks } from './stream.js';
import { findResume, headHash, unchangedSince, type ResumePoint } from './resume.js';
import { Interner, leanEvent, leanEvents, leanFrom, RawTexts, WarmTable } from '../model/lean.js';
import { describeFsError, errorText, walkInputs, type SourceFile, type WalkProblem } from './walk.js';

export interface ZoneForGlob {
  glob: string;
  zone: ResolvedZone;
}

export interface FormatForGlob {
  /** null: every file. */
  glob: string | null;
  id: string;
}

export interface IngestOptions {
  tz: ResolvedZone;
  /** `tz` when --tz was given, else the system zone. */
  tzFrom: 'tz' | 'system';
  tzFor: ZoneForGlob[];
  inputFormats: FormatForGlob[];
  consumePattern: RegExp | null;
  year: number | null;
  stdin?: Readable;
  /** `--encoding [GLOB=]ENC`: decode matching files (null glob: every file) as ENC instead of detecting UTF-8 / GB18030. */
  encodings?: EncodingForGlob[];
  /** `--max-bytes`: bounds on decompressed input (default 8 GiB per run, 2 GiB per file). */
  maxBytes?: ByteLimits;
  /**
   * `scan`: where earlier runs stopped reading, by content identity (resume.ts): a file whose
   * content starts as one of them is read from there on (a renamed or gzipped piece too).
   */
  resumeFrom?: readonly ResumePoint[];
  /** Counters ingest keeps up to date while it reads (a progress display polls them). */
  progress?: IngestProgress;
}

/** How far ingest has got; updated in place while reading. */
export interface IngestProgress {
  /** Files (and archive entries) found so far, and those completely read. */
  filesSeen: number;
  filesDone: number;
  /** On-disk bytes of the files completely read (compressed size for .gz; null sizes count 0). */
  diskBytesDone: number;
  /** Decompressed bytes read so far, every file included (those still being read too). */
  bytesRead: number;
  /** True once every input has been read. */
  finished: boolean;
}

/** A file's content identity and how far it was read (for `scan --state`). */
export interface FileIdentity {
  headHash: string;
  headLength: number;
  /** Decompressed offset just after the last complete line read, and lines up to it. */
  bytesRead: number;
  linesRead: number;
}

export interface EncodingForGlob {
  /** null: every file. */
  glob: string | null;
  /** An iconv-lite encoding name (`gb18030`, `gbk`, `utf8`, `latin1`, …). */
  encoding: string;
}

export interface FileReport {
  file: string;
  format: string | null;
  formatTitle: string | null;
  /** Why the format was chosen (or why the file was skipped). */
  detection: string;
  host: string | null;
  hostFrom: 'path' | 'content' | null;
  zone: ZoneRule | null;
  firstInstant: number | null;
  lastInstant: number | null;
  bytes: number | null;
  gzipped: boolean;
  lines: LineCounts;
  eventsByKind: Partial<Record<EventKind, number>>;
  /** Set when the file was not used at all. */
  skipped: string | null;
  /** Problems met while reading (truncated gzip, overlong lines, duplicates, clock jumps, …); each is also in IngestResult.problems. */
  problems: string[];
  unrecognisedSamples: { line: number; text: string }[];
  rotation: RotationInfo;
  /** Content identity and read position (null for skipped files). */
  identity: FileIdentity | null;
  /** Where reading resumed (scan), or null when the file was read from its start. */
  resumedAt: { bytes: number; line: number } | null;
}

export interface IngestResult {
  files: FileReport[];
  /** Paths that could not be read, then every file's problems (one line each on stderr). */
  problems: WalkProblem[];
  /**
   * Every event but the `offset-persist` lines, ordered by instant, then read order (rotated
   * pieces oldest first, then line).
   */
  events: RmqEvent[];
  /** The `offset-persist` lines, by series. */
  persists: PersistStore;
  /** Routine lines kept compressed (fast path). */
  cold: ColdStore;
}

/** Content identity for `scan`: a hash of the first bytes (at most this many). */
const IDENTITY_BYTES = 4096;
const HEAD_BYTES = 64 * 1024;
/** Plain files read at the same time. */
const READ_AHEAD = 8;
const HEAD_LINES = 200;
const MAX_SAMPLES = 5;

export function validateFormatId(id: string): void {
  if (!formatById(id)) throw new Error(`unknown input format "${id}" (see \`rmq-forensics formats\`)`);
}

export async function ingest(inputs: readonly string[], opts: IngestOptions): Promise<IngestResult> {
  const files: FileReport[] = [];
  const problems: WalkProblem[] = [];
  const perFile: RmqEvent[][] = [];
  const perFileSeries: ColumnarSeries[][] = [];
  const perFileCold: (ColdFile | null)[] = [];
  const perFileWarm: (ColdFile | null)[] = [];
  const { tzFor, forced, encodings } = compileOptions(opts);
  const budget = new ByteBudget(opts.maxBytes ?? DEFAULT_LIMITS);
  const walker = walkInputs(inputs, opts.stdin, budget);
  // (the decompressed byte count is the budget's, read live)
  if (opts.progress) Object.defineProperty(opts.progress, 'bytesRead', { get: () => budget.used, configurable: true, enumerable: true });
  const pool = workerPool(opts);
  const strings = new Interner();
  // (scan: how much of each path an earlier run read, so that a file with little new in it is
  // not what starts a reader thread)
  const readBefore = new Map<string, number>();
  for (const p of opts.resumeFrom ?? []) if (p.path !== undefined) readBefore.set(p.path, Math.max(readBefore.get(p.path) ?? 0, p.bytesRead));
  let mainBig = 0;
  const read = async (src: SourceFile, slot: number, onWorker: boolean): Promise<void> => {
    let r: FileRead;
    if (pool && onWorker) {
      // Read on a worker thread: the file is opened there again.
      src.stream.destroy();
      // (the worker counted its bytes into the run's shared count)
      r = await pool.read(src, opts, budget);
      // (a reader thread's events arrive whole: made lean here; this thread's are made lean as read)
      if (fastPath.enabled) r.events = leanEvents(r.events, strings);
    } else r = await readFile(src, opts, { tzFor, forced, encodings }, budget, fastPath.enabled ? strings : null);
    files[slot] = r.report;
    perFile[slot] = r.events;
    perFileSeries[slot] = r.series;
    perFileCold[slot] = r.cold;
    perFileWarm[slot] = r.warm;
    if (opts.progress) {
      opts.progress.filesDone++;
      opts.progress.diskBytesDone += src.size ?? 0;
    }
  };
  // Plain files are read a few at a time (their I/O overlaps); archive entries one by one, in order.
  const inFlight = new Set<Promise<void>>();
  try {
    for await (const item of walker) {
      if (item.type === 'problem') {
        problems.push(item.problem);
        continue;
      }
      if (budget.exhausted) {
        item.file.stream.destroy();
        problems.push({ path: item.file.path, problem: `not read, nor anything after it: ${budget.describe('run')}` });
        break;
      }
      if (opts.progress) opts.progress.filesSeen++;
      // Big files: a free worker takes one; while none is free the main thread reads one big file
      // at a time (more would leave the workers idle at the end).
      const big = pool !== null && pool.wants(item.file, readBefore.get(item.file.path) ?? 0);
      while (big && !pool.idle() && mainBig > 0 && inFlight.size > 0) await Promise.race(inFlight);
      const onWorker = big && pool.idle();
      const task = read(item.file, files.length, onWorker);
      if (big && !onWorker) {
        mainBig++;
        void task.finally(() => mainBig--);
      }
      files.push(emptyReport(item.file));
      perFile.push([]);
      perFileSeries.push([]);
      perFileCold.push(null);
      perFileWarm.push(null);
      if (!item.file.independent) {
        await task;
        continue;
      }
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      if (inFlight.size >= READ_AHEAD) await Promise.race(inFlight);
    }
  } catch (e) {
    problems.push({ path: inputs.join(' '), problem: `reading stopped: ${describeFsError(e)}` });
  }
  await Promise.all(inFlight);
  await pool?.close();
  // The routine lines become events now that the reader threads are gone (their memory with them).
  // (one table of columns for them all; each event reads its text from the warm lines' own
  // blocks: it is not compressed again)
  const table = new WarmTable(perFileWarm.reduce((n, w) => n + (w?.count ?? 0), 0));
  perFileWarm.forEach((warm, slot) => {
    if (warm) perFile[slot] = byLine(perFile[slot]!, leanFrom(warm.parsed(), warm, strings, table));
  });
  if (opts.progress) {
    Object.defineProperty(opts.progress, 'bytesRead', { value: budget.used, writable: true, configurable: true, enumerable: true });
    opts.progress.finished = true;
  }
  // Chronological read order: rotated pieces of one log oldest first.
  const order = files.map((f, i) => ({ path: f.file, rotation: f.rotation, i }));
  order.sort(compareRotation);
  const sortedFiles = order.map((o) => files[o.i]!);
  const sortedEvents = order.map((o) => perFile[o.i]!);
  const sortedSeries: PersistSeries[][] = order.map((o) => perFileSeries[o.i]!);
  const sortedCold: (ColdFile | null)[] = order.map((o) => perFileCold[o.i]!);
  sortedSeries.forEach((list, rank) => {
    for (const s of list) s.head.rank = rank;
    const c = sortedCold[rank];
    if (c) c.rank = rank;
  });
  dropDuplicates(sortedFiles, sortedEvents, sortedSeries, sortedCold);
  const cold = new ColdStore();
  for (const c of sortedCold) if (c) cold.add(c);
  let events: RmqEvent[] = [];
  sortedEvents.forEach((list, rank) => {
    for (const e of list) e.seq = rank * 1e8 + e.line;
  });
  // The persist lines leave the event stream for the store: columnar series as read, the rest
  // (the simple path, lines the columnar form cannot rebuild) as object series per file and queue.
  const persists = new PersistStore();
  sortedEvents.forEach((list, rank) => {
    for (const s of sortedSeries[rank]!) persists.add(s);
    if (!list.some((e) => e.kind === 'offset-persist')) return;
    addEvents(persists, list.filter((e): e is Persist => e.kind === 'offset-persist'), opts.tz);
    sortedEvents[rank] = list.filter((e) => e.kind !== 'offset-persist');
  });
  if (fastPath.enabled) events = mergeRuns(sortedEvents);
  else {
    for (const list of sortedEvents) for (const e of list) events.push(e);
    events.sort(byInstantThenSeq);
  }
  for (const f of sortedFiles) for (const p of f.problems) problems.push({ path: f.file, problem: p });
  return { files: sortedFiles, problems, events, persists, cold };
}

/** Two lists of one file's events, each in line order, as one in line order. */
function byLine(a: RmqEvent[], b: RmqEvent[]): RmqEvent[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: RmqEvent[] = new Array<RmqEvent>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]!.line <= b[j]!.line ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

function byInstantThenSeq(a: RmqEvent, b: RmqEvent): number {
  return a.instant - b.instant || a.seq - b.seq;
}

/**
 * The same order as one stable sort of all the lists concatenated: each list is sorted on its own
 * (stable, and usually already in order), then the lists are merged with a binary heap. Ties
 * between lists cannot happen (seq carries the list's rank); a NaN instant falls back to the sort.
 */
function mergeRuns(lists: RmqEvent[][]): RmqEvent[] {
  const runs: RmqEvent[][] = [];
  let total = 0;
  for (const list of lists) {
    if (list.length === 0) continue;
    for (const e of list) if (Number.isNaN(e.instant)) return lists.flat().sort(byInstantThenSeq);
    let sorted = true;
    for (let i = 1; i < list.length; i++) {
      if (byInstantThenSeq(list[i - 1]!, list[i]!) > 0) {
        sorted = false;
        break;
      }
    }
    runs.push(sorted ? list : list.slice().sort(byInstantThenSeq));
    total += list.length;
  }
  if (runs.length === 0) return [];
  if (runs.length === 1) return runs[0]!.slice();
  const out: RmqEvent[] = new Array<RmqEvent>(total);
  const pos = new Int32Array(runs.length);
  // heap of run indexes, ordered by each run's current head
  const heap: number[] = runs.map((_, i) => i);
  const less = (x: number, y: number): boolean => byInstantThenSeq(runs[x]![pos[x]!]!, runs[y]![pos[y]!]!) < 0;
  const down = (i: number, n: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const c = r < n && less(heap[r]!, heap[l]!) ? r : l;
      if (!less(heap[c]!, heap[i]!)) return;
      const t = heap[c]!;
      heap[c] = heap[i]!;
      heap[i] = t;
      i = c;
    }
  };
  let n = heap.length;
  for (let i = (n >> 1) - 1; i >= 0; i--) down(i, n);
  let k = 0;
  while (n > 0) {
    const top = heap[0]!;
    const run = runs[top]!;
    out[k++] = run[pos[top]!]!;
    pos[top]!++;
    if (pos[top]! >= run.length) {
      heap[0] = heap[--n]!;
    }
    down(0, n);
  }
  return out;
}

export function emptyReport(src: SourceFile): FileReport {
  const hostPath = hostFromPath(src.path, src.rel);
  return {
    file: src.path,
    format: null,
    formatTitle: null,
    detection: '',
    host: hostPath,
    hostFrom: hostPath ? 'path' : null,
    zone: null,
    firstInstant: null,
    lastInstant: null,
    bytes: src.size,
    gzipped: src.gzipped,
    lines: { total: 0, recognised: 0, unrecognised: 0, continuation: 0, skipped: 0 },
    eventsByKind: {},
    skipped: null,
    problems: [],
    unrecognisedSamples: [],
    rotation: rotationOf(src.path),
    identity: null,
    resumedAt: null,
  };
}

/** Glob matchers of the per-file options. */
export interface CompiledOptions {
  tzFor: { match: (p: string) => boolean; zone: ResolvedZone; glob: string }[];
  forced: { match: (p: string) => boolean; format: Format }[];
  encodings: { match: (p: string) => boolean; encoding: string }[];
}

export function compileOptions(opts: IngestOptions): CompiledOptions {
  const glob = (g: string): ((p: string) => boolean) => picomatch(g, { dot: true, matchBase: !g.includes('/') });
  return {
    tzFor: opts.tzFor.map((t) => ({ match: glob(t.glob), zone: t.zone, glob: t.glob })),
    forced: opts.inputFormats.map((f) => ({ match: f.glob === null ? () => true : glob(f.glob), format: formatById(f.id)! })),
    encodings: (opts.encodings ?? []).map((e) => ({ match: e.glob === null ? () => true : glob(e.glob), encoding: e.encoding })),
  };
}

/** What reading one file gives. */
export interface FileRead {
  report: FileReport;
  events: RmqEvent[];
  series: ColumnarSeries[];
  cold: ColdFile | null;
  /** Its routine single-line entries, waiting to become events (model/cold.ts, WARM_KINDS). */
  warm: ColdFile | null;
  /** How its cold and warm lines are parsed again: the format, its variant and the file's context. */
  reparse: ReparseSpec | null;
}

/** A file's lines kept as text: cold (parsed again when a rule asks), warm (parsed again once the bundle is read). */
interface ColdLines {
  file: ColdFile | null;
  warm: ColdFile | null;
  spec: ReparseSpec | null;
}

export interface ReparseSpec {
  format: string;
  variant: string | undefined;
  ctx: FileContext;
}

/** Parses single-line entries of a file again, as its first parse did (without the fast sinks). */
export function reparser(spec: ReparseSpec): (lines: readonly { text: string; line: number }[]) => RmqEvent[] {
  const fmt = formatById(spec.format)!;
  return (lines) => {
    const out: RmqEvent[] = [];
    const again: ParseSink = {
      routineOnly: true,
      counts: { total: 0, recognised: 0, unrecognised: 0, continuation: 0, skipped: 0 },
      event: (e) => out.push(e),
      unrecognised: () => {},
      hostFromContent: () => {},
      instant: () => {},
    };
    const p = fmt.createParser(spec.ctx, again, spec.variant);
    for (const l of lines) p.line(l.text, l.line);
    p.end();
    return out;
  };
}

/**
 * Reads one file; never throws (an unreadable file is a report saying so). With `strings`, its
 * events are made lean as they are read (model/lean.ts): only on the thread that keeps them.
 */
export async function readFile(src: SourceFile, opts: IngestOptions, compiled: CompiledOptions, budget: ByteBudget, strings: Interner | null = null): Promise<FileRead> {
  const events: RmqEvent[] = [];
  const series: ColumnarSeries[] = [];
  const cold: ColdLines = { file: null, warm: null, spec: null };
  let report: FileReport;
  try {
    report = await readOne(src, opts, compiled.tzFor, compiled.forced, compiled.encodings, budget, events, series, cold, strings);
  } catch (e) {
    // Never a stack trace for one bad file: it is reported and the rest of the bundle is used.
    src.stream.destroy();
    events.length = 0;
    series.length = 0;
    cold.file = null;
    cold.warm = null;
    report = emptyReport(src);
    report.skipped = `unreadable: ${describeFsError(e)}`;
    report.detection = report.skipped;
  }
  return { report, events, series, cold: cold.file, warm: cold.warm, reparse: cold.file || cold.warm ? cold.spec : null };
}

/** Lines of a skipped binary file are counted in at most this many bytes. */
const BINARY_COUNT_BYTES = 256 * 1024 * 1024;

/** A backwards step in one file's timestamps larger than this is reported. */
const CLOCK_JUMP_MS = 5 * 60_000;

async function readOne(
  src: SourceFile,
  opts: IngestOptions,
  tzFor: { match: (p: string) => boolean; zone: ResolvedZone; glob: string }[],
  forced: { match: (p: string) => boolean; format: Format }[],
  encodings: { match: (p: string) => boolean; encoding: string }[],
  budget: ByteBudget,
  events: RmqEvent[],
  series: ColumnarSeries[],
  cold: ColdLines,
  strings: Interner | null,
): Promise<FileReport> {
  const report = emptyReport(src);
  const counts = report.lines;
  if (src.problem) report.problems.push(src.problem);
  const { head, chunks, error: headError } = src.direct ? directChunks(src.direct.fd, Math.min(HEAD_BYTES, (src.size ?? HEAD_BYTES) + 1), () => src.stream.destroy()) : await peekChunks(src.chunks ?? src.stream, HEAD_BYTES);
  if (headError) report.problems.push(`read stopped early: ${errorText(headError)} (the readable part was used)`);
  const skipWhole = (reason: string): FileReport => {
    chunks.close();
    report.skipped = reason;
    report.detection = reason;
    return report;
  };
  if (head.length === 0) return skipWhole('empty file');
  const matches = (m: { match: (p: string) => boolean }): boolean => m.match(src.path) || m.match(src.rel);
  const forcedEncoding = encodings.find(matches)?.encoding ?? null;
  const complete = head.length < HEAD_BYTES || headError !== null;
  const sniffed = sniffContent(head, complete, forcedEncoding !== null);
  if (sniffed.binary) {
    report.skipped = sniffed.binary;
    report.detection = sniffed.binary;
    const n = await countLines(chunks, budget, BINARY_COUNT_BYTES);
    counts.total = counts.skipped = n.lines;
    return report;
  }
  // A plain file a scan read to its end before and unchanged since: reported as read then, not
  // detected again (each file's detection was most of a scan that finds nothing new).
  const forcedHit = forced.find(matches);
  if (opts.resumeFrom && !forcedHit && src.size !== null && !src.gzipped && !src.path.includes('!/')) {
    const known = unchangedSince(opts.resumeFrom, head, src.size, (id) => formatById(id)?.document ?? null);
    if (known) {
      const f = formatById(known.format!)!;
      chunks.close();
      report.format = f.id;
      report.formatTitle = f.title;
      report.detection = `unchanged since the last scan (${f.id}, as then)`;
      if (report.host === null && known.host) {
        report.host = known.host;
        report.hostFrom = 'content';
      }
      report.identity = { headHash: known.headHash, headLength: known.headLength, bytesRead: known.bytesRead, linesRead: known.linesRead };
      report.resumedAt = { bytes: known.bytesRead, line: known.linesRead };
      return report;
    }
  }
  const decoding: Decoding = forcedEncoding ? { mode: 'forced', encoding: forcedEncoding } : { mode: 'auto', encoding: sniffed.encoding };
  let format: Format | null = null;
  let variant: string | undefined;
  const headLines = headLinesOf(head, complete, decoding);
  if (forcedHit) {
    format = forcedHit.format;
    variant = format.sniff(headLines, baseName(src.path)).variant;
    report.detection = 'forced by --input-format';
  } else {
    const d = detectFormat(headLines, baseName(src.path), opts.consumePattern);
    format = d.format;
    variant = d.variant;
    report.detection = d.reason + (d.variant ? ` (${d.variant})` : '');
    if (!format) report.skipped = d.reason;
  }
  if (decoding.mode === 'forced') report.detection += `; decoded as ${decoding.encoding} (--encoding)`;
  else if (decoding.encoding === 'gb18030') report.detection += '; decoded as GB18030 (not valid UTF-8)';
  const zoneHit = tzFor.find(matches);
  const hostZone = zoneHit ? zoneHit.zone : opts.tz;
  const ctx: FileContext = {
    file: src.path,
    host: report.host,
    hostZone,
    hostZoneRule: zoneHit ? { zone: hostZone.name, from: 'tz-for' } : { zone: hostZone.name, from: 'tz' },
    yearHint: opts.year ?? new Date(src.mtimeMs ?? Date.now()).getFullYear(),
    fileMtimeMs: src.mtimeMs,
    consumePattern: opts.consumePattern,
  };
  // Clock jumps: a step back in line order (documents carry their own times, in no particular order).
  const watchClock = format !== null && format.zone !== 'embedded';
  const texts = strings ? new RawTexts() : null;
  let prevInstant: number | null = null;
  let persistCount = 0;
  let jumps = 0;
  let largestJump = 0;
  const sink: ParseSink = {
    counts,
    event(e) {
      events.push(texts === null ? e : leanEvent(e, texts, strings!));
      report.eventsByKind[e.kind] = (report.eventsByKind[e.kind] ?? 0) + 1;
    },
    unrecognised(line, text) {
      if (report.unrecognisedSamples.length < MAX_SAMPLES) report.unrecognisedSamples.push({ line, text: text.slice(0, 300) });
    },
    hostFromContent(host) {
      if (report.host === null) {
        report.host = host;
        report.hostFrom = 'content';
      }
    },
    instant(ms, zone) {
      if (report.zone === null) report.zone = zone;
      if (report.firstInstant === null || ms < report.firstInstant) report.firstInstant = ms;
      if (report.lastInstant === null || ms > report.lastInstant) report.lastInstant = ms;
      if (watchClock) {
        if (prevInstant !== null && prevInstant - ms > CLOCK_JUMP_MS) {
          jumps++;
          largestJump = Math.max(largestJump, prevInstant - ms);
        }
        prevInstant = ms;
      }
    },
  };
  if (fastPath.enabled) {
    sink.persist = (p) => {
      let s = p.slot.series;
      if (s === null) {
        const f = p.slot;
        s = p.slot.series = new ColumnarSeries({ file: ctx.file, host: report.host, group: f.group, clientId: f.clientId, mq: f.mq, mode: f.mode, zoneRule: p.zoneRule, zone: p.zone, rank: 0 });
        series.push(s);
      }
      s.add(p.instant, p.offset, p.line, p.template);
      // (the kind takes its place among the file's kinds at its first line, as an event would)
      if (persistCount++ === 0) report.eventsByKind['offset-persist'] ??= 0;
    };
  }
  // (only formats known by id: a worker's lines are parsed again on the main thread)
  if (fastPath.enabled && format && formatById(format.id) === format) {
    const spec: ReparseSpec = { format: format.id, variant, ctx };
    cold.spec = spec;
    const reparse = reparser(spec);
    sink.cold = (raw, line, instant) => {
      (cold.file ??= new ColdFile(ctx.file, report.host, reparse)).add(raw, line, instant);
      report.eventsByKind.info = (report.eventsByKind.info ?? 0) + 1;
    };
    sink.warm = (kind, raw, line, instant) => {
      (cold.warm ??= new ColdFile(ctx.file, report.host, reparse)).add(raw, line, instant);
      report.eventsByKind[kind] = (report.eventsByKind[kind] ?? 0) + 1;
    };
  }
  if (format) {
    report.format = format.id;
    report.formatTitle = format.title;
  }
  const parser = format ? format.createParser(ctx, sink, variant) : null;
  const resumeAt = format && opts.resumeFrom ? findResume(opts.resumeFrom, { document: format.document, head, size: src.size, compressed: src.gzipped || src.path.includes('!/') }) : null;
  const stats = await readLines(
    chunks,
    new LineDecoder(decoding),
    budget,
    (line, lineNo) => {
      if (parser) parser.line(line, lineNo);
      else {
        counts.total++;
        counts.skipped++;
      }
    },
    resumeAt,
    // (bytes are read as ASCII-compatible text only in UTF-8 files)
    parser?.bytes && (decoding.encoding === 'utf8' || decoding.encoding === 'utf-8') ? parser.bytes : null,
    parser?.release ?? null,
  );
  parser?.end();
  if (persistCount > 0) report.eventsByKind['offset-persist'] = (report.eventsByKind['offset-persist'] ?? 0) + persistCount;
  if (format) {
    // Documents are identified by their whole head (they are re-read whole when they change).
    const n = format.document ? head.length : Math.min(head.length, IDENTITY_BYTES);
    report.identity = {
      headHash: headHash(head, n),
      headLength: n,
      bytesRead: format.document ? Math.max(stats.completeBytes, (resumeAt?.skipBytes ?? 0) + stats.bytes) : stats.completeBytes,
      linesRead: format.document ? Math.max(stats.completeLines, (resumeAt?.startLine ?? 0) + stats.lines) : stats.completeLines,
    };
    if (resumeAt) report.resumedAt = { bytes: resumeAt.skipBytes, line: resumeAt.startLine };
  }
  if (stats.error) report.problems.push(`read stopped at line ${stats.lines}: ${errorText(stats.error)} (the lines before were used)`);
  if (stats.stoppedAt) report.problems.push(`read stopped after ${formatSize(stats.bytes)}: ${budget.describe(stats.stoppedAt)}`);
  if (stats.overlong > 0) {
    const one = stats.overlong === 1;
    report.problems.push(
      `${stats.overlong} ${one ? 'line' : 'lines'} longer than ${formatSize(MAX_LINE_BYTES)} ${one ? 'was' : 'were'} cut (the first ${formatSize(MAX_LINE_BYTES)} of each was used)`,
    );
  }
  if (stats.nulBytes > 0) {
    report.problems.push(`${stats.nulBytes} NUL bytes removed from ${stats.nulLines} ${stats.nulLines === 1 ? 'line' : 'lines'} (a crash-truncated write?)`);
  }
  if (stats.fallbackLines > 0) report.problems.push(`${stats.fallbackLines} lines were not UTF-8 and were decoded as GB18030`);
  if (jumps > 0) report.problems.push(`clock jumps back ${jumps} ${jumps === 1 ? 'time' : 'times'}, largest ${formatDuration(largestJump)}`);
  if (report.host !== null && report.hostFrom === 'content') {
    for (const e of events) e.host = report.host;
    for (const s of series) s.head.host = report.host;
    if (cold.file) cold.file.host = report.host;
    if (cold.warm) cold.warm.host = report.host;
  }
  for (const s of series) s.seal();
  cold.file?.seal();
  cold.warm?.seal();
  texts?.seal();
  return report;
}

/** 421000 → `7 min 1 s`, 10800000 → `3 h`. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const parts: string[] = [];
  if (d) parts.push(`${d} d`);
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (sec && !d) parts.push(`${sec} s`);
  return parts.length > 0 ? parts.join(' ') : `${ms} ms`;
}

/**
 * The same evidence twice (a file given twice, a copy under another path, rotated pieces that
 * overlap): an event of a later file with the same host, format, timestamp text and raw line as an
 * event of an earlier file is dropped, so it is never counted as a re-delivery. Its line moves
 * from `recognised` to `skipped`, and the file gets a problem naming the file it duplicates. An
 * unknown host matches any (the same file given directly and inside its host directory). Only
 * files of one format and one log name (`broker.log` and its rotated pieces, not `remoting.log`)
 * whose hosts match and whose time spans overlap are compared.
 */
function dropDuplicates(files: FileReport[], perFile: RmqEvent[][], perFileSeries: PersistSeries[][], perFileCold: (ColdFile | null)[]): void {
  const byFormat = new Map<string, number[]>();
  files.forEach((f, i) => {
    if (f.format === null || f.firstInstant === null || (perFile[i]!.length === 0 && perFileSeries[i]!.length === 0 && perFileCold[i] === null)) return;
    // (copies keep the log's name: broker.log is never compared with remoting.log of the same host)
    const key = `${f.format}\u0000${f.rotation.logName}`;
    const list = byFormat.get(key);
    if (list) list.push(i);
    else byFormat.set(key, [i]);
  });
  // Hosts from the path only: the same file given directly has no path host, and may get one from its content.
  const hostOf = (f: FileReport): string | null => (f.hostFrom === 'path' ? f.host : null);
  const sameHost = (a: string | null, b: string | null): boolean => a === null || b === null || a === b;
  for (const group of byFormat.values()) {
    if (group.length < 2) continue;
    // Files that overlap in time with another file of a compatible host: interval clusters per host
    // (unknown-host files join every host's clusters), O(n log n).
    const overlapping = new Set<number>();
    const nulls = group.filter((i) => hostOf(files[i]!) === null);
    const hosts = new Map<string, number[]>();
    for (const i of group) {
      const h = hostOf(files[i]!);
      if (h === null) continue;
      const list = hosts.get(h);
      if (list) list.push(i);
      else hosts.set(h, [i]);
    }
    const buckets = hosts.size === 0 ? [nulls] : [...hosts.values()].map((l) => [...l, ...nulls]);
    for (const bucket of buckets) {
      bucket.sort((x, y) => files[x]!.firstInstant! - files[y]!.firstInstant!);
      let cluster: number[] = [];
      let clusterEnd = -Infinity;
      const close = (): void => {
        if (cluster.length > 1) for (const i of cluster) overlapping.add(i);
      };
      for (const i of bucket) {
        const f = files[i]!;
        if (f.firstInstant! > clusterEnd) {
          close();
          cluster = [];
          clusterEnd = -Infinity;
        }
        cluster.push(i);
        clusterEnd = Math.max(clusterEnd, f.lastInstant!);
      }
      close();
    }
    if (overlapping.size === 0) continue;
    // Files compared line by line have their persist lines back as events, in line order.
    for (const i of overlapping) {
      const c = perFileCold[i];
      if (perFileSeries[i]!.length === 0 && !c) continue;
      const back: RmqEvent[] = perFile[i]!;
      for (const s of perFileSeries[i]!) for (const e of s.events()) back.push(e as RmqEvent);
      if (c) for (const e of c.events()) back.push(e);
      perFileSeries[i] = [];
      perFileCold[i] = null;
      perFile[i] = back.sort((a, b) => a.line - b.line);
    }
    // key → the files (and their hosts) that first gave it.
    const owners = new Map<string, { file: number; host: string | null }[]>();
    for (const i of group) {
      if (!overlapping.has(i)) continue;
      const f = files[i]!;
      const kept: RmqEvent[] = [];
      const dupLines = new Map<number, Set<number>>();
      for (const e of perFile[i]!) {
        const key = `${e.timestampText}\u0000${e.raw}`;
        let list = owners.get(key);
        if (!list) owners.set(key, (list = []));
        const owner = list.find((o) => o.file !== i && sameHost(o.host, hostOf(f)));
        if (!owner) {
          if (!list.some((o) => o.file === i)) list.push({ file: i, host: hostOf(f) });
          kept.push(e);
          continue;
        }
        let lines = dupLines.get(owner.file);
        if (!lines) dupLines.set(owner.file, (lines = new Set()));
        lines.add(e.line);
        f.eventsByKind[e.kind] = (f.eventsByKind[e.kind] ?? 1) - 1;
        if (f.eventsByKind[e.kind] === 0) delete f.eventsByKind[e.kind];
      }
      if (dupLines.size === 0) continue;
      perFile[i] = kept;
      for (const [first, lines] of dupLines) {
        const n = Math.min(lines.size, f.lines.recognised);
        f.lines.recognised -= n;
        f.lines.skipped += n;
        f.problems.push(`${n} ${n === 1 ? 'line duplicates' : 'lines duplicate'} ${files[first]!.file} (counted once, as evidence from that file)`);
      }
    }
  }
}

function headLinesOf(head: Buffer, complete: boolean, decoding: Decoding): string[] {
  const decoder = new LineDecoder(decoding);
  const parts: Buffer[] = [];
  let start = 0;
  for (;;) {
    const lf = head.indexOf(0x0a, start);
    if (lf === -1) break;
    parts.push(head.subarray(start, lf));
    start = lf + 1;
    if (parts.length > HEAD_LINES) break;
  }
  if (start < head.length && (complete || parts.length === 0)) parts.push(head.subarray(start));
  const lines: string[] = [];
  parts.forEach((p, i) => {
    // Lone CRs split lines as in the reader; the trailing CR of CRLF is stripped.
    for (const piece of decoder.decode(p, i === 0).split(/\r(?!$)/)) lines.push(piece.endsWith('\r') ? piece.slice(0, -1) : piece);
  });
  return lines.slice(0, HEAD_LINES);
}

/** Every event of an ingest, the `offset-persist` lines included (materialised), in instant then read order. */
export function allEvents(r: IngestResult): RmqEvent[] {
  const out: RmqEvent[] = [...r.events];
  for (const s of r.persists.series) for (const e of s.events()) out.push(e);
  for (const f of r.cold.files) for (const e of f.events()) out.push(e);
  return out.sort(byInstantThenSeq);
}
