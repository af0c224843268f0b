import type { PersistLine } from '../model/persists.js';
import type { EventFieldMap, EventKind, ExceptionInfo, RmqEvent, ZoneRule } from '../model/events.js';
import type { ResolvedZone } from '../model/time.js';

/** The parts of a multi-line entry a signature may look at. */
export interface Entry {
  /** The message text of the entry's first line (after the layout prefix). */
  msg: string;
  /** Continuation lines (stack trace, embedded newlines), capped. */
  continuation: readonly string[];
  exception: ExceptionInfo | null;
  level: string | null;
  thread: string | null;
  logger: string | null;
}

/**
 * One line signature, lnav style: a kind, a cheap literal anchor tested before the regex, a
 * linear-time pattern with named groups, a function from groups to the kind's typed fields, and
 * real sample lines (full lines, from the catalog) that a generic test checks.
 */
export interface Signature<K extends EventKind> {
  /** Stable id, unique in its table: `client.fetch-offset-failed`. */
  id: string;
  kind: K;
  /** A literal every matching message contains; checked with `includes` before the regex. */
  anchor: string;
  pattern: RegExp;
  /** Typed fields from the named groups; null rejects the match (the next signature is tried). */
  fields: (g: Record<string, string>, entry: Entry) => EventFieldMap[K] | null;
  /** Full log lines (prefix included), each from the catalog; continuation lines after `\n`. */
  samples: string[];
  /** Catalog section the format comes from. */
  ref: string;
}

export type AnySignature = { [K in EventKind]: Signature<K> }[EventKind];

/** Identity helper that keeps each table entry's kind and fields tied together. */
export function sig<K extends EventKind>(s: Signature<K>): AnySignature {
  return s as unknown as AnySignature;
}

/** What ingest knows about a file before parsing it. */
export interface FileContext {
  file: string;
  host: string | null;
  /** Zone for layouts that print host-local time. */
  hostZone: ResolvedZone;
  hostZoneRule: ZoneRule;
  /** Year for layouts without one (`MM-dd`). */
  yearHint: number;
  /** The file's modification time, when known (snapshot files carry no time of their own). */
  fileMtimeMs: number | null;
  /** Named-group regex for the users' own consumer logs (`--consume-pattern`). */
  consumePattern: RegExp | null;
}

/** Per-file line accounting. total = recognised + unrecognised + continuation + skipped, always. */
export interface LineCounts {
  total: number;
  recognised: number;
  unrecognised: number;
  continuation: number;
  skipped: number;
}

export interface ParseSink {
  event(e: RmqEvent): void;
  /** A line no signature explains; `sample` is kept for the report (first few per file). */
  unrecognised(lineNo: number, text: string): void;
  counts: LineCounts;
  /** The host the content revealed (a client id), when the path did not. */
  hostFromContent(host: string): void;
  /** First/last instants and the zone rule actually applied. */
  instant(ms: number, zone: ZoneRule): void;
  /**
   * Fast path: an `offset-persist` line whose raw text the columnar store can rebuild exactly is
   * handed here instead of becoming an event (the object is reused: copy what you keep).
   */
  persist?(line: PersistLine): void;
  /**
   * Fast path: a routine single-line entry (an `info` event no rule reads by its `what`) is
   * handed here as its raw line instead of becoming an event; it is parsed again when needed.
   */
  cold?(raw: string, line: number, instant: number): void;
  /**
   * Fast path: a single-line entry of a routine kind (model/cold.ts, WARM_KINDS) is handed here
   * as its raw line; it becomes an event again once every file is read (so the events of a run
   * are not held while the reader threads still run).
   */
  warm?(kind: EventKind, raw: string, line: number, instant: number): void;
  /**
   * Every line given is one handed to `cold` or `warm` before (a reparse): only the signatures of
   * those kinds (WARM_KINDS) are tried. Their first match is the whole table's, since the table's
   * first match was of such a kind.
   */
  routineOnly?: boolean;
}

export interface LineParser {
  line(text: string, lineNo: number): void;
  /**
   * Fast path: takes a line straight from the file's bytes (LF excluded) when it can, returning
   * false to have it decoded and given to `line` instead.
   */
  bytes?: (buf: Buffer, start: number, end: number, lineNo: number) => boolean;
  /** The buffer given to `bytes` is about to be reused: keep a copy of whatever is still held of it. */
  release?: () => void;
  end(): void;
}

export interface SniffResult {
  score: number;
  /** Format-specific variant decided from the head, e.g. `seconds-as-fraction`. */
  variant?: string;
}

export interface Format {
  id: string;
  title: string;
  /** `GMT+8` when the layout pins the zone, `host` when it prints host-local time, `embedded` for documents. */
  zone: 'GMT+8' | 'host' | 'embedded';
  /**
   * A document (JSON export, mqadmin output, snapshot) is parsed whole: a scan re-reads it whole
   * when it changed and skips it when it did not, never resumes it mid-way. Line logs: false.
   */
  document: boolean;
  /** Confidence 0..1 that the head (first lines, CR stripped) is this format. */
  sniff(head: readonly string[], fileName: string): SniffResult;
  createParser(ctx: FileContext, sink: ParseSink, variant: string | undefined): LineParser;
}
