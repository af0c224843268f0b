import type { EventFieldMap, EventKind, RmqEvent, ZoneRule } from '../model/events.js';
import type { FileContext, Format, LineParser, ParseSink, SniffResult } from './types.js';
import { MAX_RAW } from './text.js';

/** Max size of a document-shaped input (JSON export, mqadmin output) held in memory at once. */
export const MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;

export interface DocumentRecord<K extends EventKind = EventKind> {
  kind: K;
  fields: EventFieldMap[K];
  /** 1-based line of the record in the document (1 for single-line JSON). */
  line: number;
  timestampText: string;
  instant: number;
  precision: 'ms' | 's';
  zone: ZoneRule;
  raw: string;
}

export type AnyRecord = { [K in EventKind]: DocumentRecord<K> }[EventKind];

export function record<K extends EventKind>(r: DocumentRecord<K>): AnyRecord {
  return r as unknown as AnyRecord;
}

export interface DocumentSpec {
  id: string;
  title: string;
  zone: Format['zone'];
  sniff(head: readonly string[], fileName: string): SniffResult;
  /**
   * Parses the whole document (lines without terminators). Returns the records, or throws an
   * Error whose message says what is wrong (reported as the file's problem).
   */
  parse(lines: readonly string[], ctx: FileContext): AnyRecord[];
}

/**
 * Structured inputs (JSON exports, mqadmin output, trace bodies) are parsed as a whole, with a
 * size cap. Line accounting: lines that contributed a record are recognised, blank lines and
 * structure are continuation, lines of a document that failed to parse are unrecognised.
 */
export function documentFormat(spec: DocumentSpec): Format {
  return {
    id: spec.id,
    title: spec.title,
    zone: spec.zone,
    sniff: spec.sniff,
    document: true,
    createParser(ctx: FileContext, sink: ParseSink): LineParser {
      const lines: string[] = [];
      let bytes = 0;
      let overflow = false;
      return {
        line(text: string): void {
          sink.counts.total++;
          if (overflow) {
            sink.counts.skipped++;
            return;
          }
          bytes += text.length + 1;
          if (bytes > MAX_DOCUMENT_BYTES) {
            overflow = true;
            sink.counts.skipped++;
            return;
          }
          lines.push(text.endsWith('\r') ? text.slice(0, -1) : text);
        },
        end(): void {
          // Nothing read (an unchanged document a scan skipped whole): nothing to parse.
          if (lines.length === 0) return;
          let records: AnyRecord[];
          try {
            records = spec.parse(lines, ctx);
          } catch (e) {
            sink.counts.unrecognised += lines.length;
            sink.unrecognised(1, `${spec.id}: ${e instanceof Error ? e.message : String(e)}`);
            return;
          }
          const used = new Set<number>();
          for (const r of records) {
            used.add(r.line);
            sink.instant(r.instant, r.zone);
            sink.event({
              kind: r.kind,
              fields: r.fields,
              file: ctx.file,
              line: r.line,
              host: ctx.host,
              timestampText: r.timestampText,
              instant: r.instant,
              precision: r.precision,
              zone: r.zone,
              raw: r.raw.length > MAX_RAW ? r.raw.slice(0, MAX_RAW) : r.raw,
              exception: null,
              level: null,
              thread: null,
              seq: 0,
            } as RmqEvent);
          }
          let recognised = 0;
          for (const l of used) if (l >= 1 && l <= lines.length) recognised++;
          sink.counts.recognised += recognised;
          sink.counts.continuation += lines.length - recognised;
        },
      };
    },
  };
}

/** First non-blank character of a head, for JSON sniffing. */
export function firstChar(head: readonly string[]): string {
  for (const l of head) {
    const t = l.trimStart().replace(/^\uFEFF/, '');
    if (t.length > 0) return t[0]!;
  }
  return '';
}
