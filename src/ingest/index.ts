import type { Readable } from 'node:stream';
import picomatch from 'picomatch';
import split2 from 'split2';
import { detectFormat, formatById } from '../formats/index.js';
import type { FileContext, Format, LineCounts, ParseSink } from '../formats/types.js';
import type { EventKind, RmqEvent, ZoneRule } from '../model/events.js';
import type { ResolvedZone } from '../model/time.js';
import { hostFromPath } from './host.js';
import { baseName, compareRotation, rotationOf, type RotationInfo } from './rotation.js';
import { looksBinary, peek } from './stream.js';
import { errorText, walkInputs, type SourceFile, type WalkProblem } from './walk.js';

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
  /** Problems met while reading (truncated gzip, overlong lines, …). */
  problems: string[];
  unrecognisedSamples: { line: number; text: string }[];
  rotation: RotationInfo;
}

export interface IngestResult {
  files: FileReport[];
  problems: WalkProblem[];
  /** Every event, ordered by instant, then read order (rotated pieces oldest first, then line). */
  events: RmqEvent[];
}

const HEAD_BYTES = 64 * 1024;
const HEAD_LINES = 200;
const MAX_SAMPLES = 5;

export function validateFormatId(id: string): void {
  if (!formatById(id)) throw new Error(`unknown input format "${id}" (see \`rmq-forensics formats\`)`);
}

export async function ingest(inputs: readonly string[], opts: IngestOptions): Promise<IngestResult> {
  const files: FileReport[] = [];
  const problems: WalkProblem[] = [];
  const perFile: RmqEvent[][] = [];
  const tzFor = opts.tzFor.map((t) => ({ match: picomatch(t.glob, { dot: true, matchBase: !t.glob.includes('/') }), zone: t.zone, glob: t.glob }));
  const forced = opts.inputFormats.map((f) => ({
    match: f.glob === null ? () => true : picomatch(f.glob, { dot: true, matchBase: !f.glob.includes('/') }),
    format: formatById(f.id)!,
  }));
  for await (const item of walkInputs(inputs, opts.stdin)) {
    if (item.type === 'problem') {
      problems.push(item.problem);
      continue;
    }
    const events: RmqEvent[] = [];
    const report = await readOne(item.file, opts, tzFor, forced, events);
    files.push(report);
    perFile.push(events);
  }
  // Chronological read order: rotated pieces of one log oldest first.
  const order = files.map((f, i) => ({ path: f.file, rotation: f.rotation, i }));
  order.sort(compareRotation);
  const events: RmqEvent[] = [];
  order.forEach((o, rank) => {
    for (const e of perFile[o.i]!) {
      e.seq = rank * 1e8 + e.line;
      events.push(e);
    }
  });
  events.sort((a, b) => a.instant - b.instant || a.seq - b.seq);
  const sortedFiles = order.map((o) => files[o.i]!);
  return { files: sortedFiles, problems, events };
}

async function readOne(
  src: SourceFile,
  opts: IngestOptions,
  tzFor: { match: (p: string) => boolean; zone: ResolvedZone; glob: string }[],
  forced: { match: (p: string) => boolean; format: Format }[],
  events: RmqEvent[],
): Promise<FileReport> {
  const counts: LineCounts = { total: 0, recognised: 0, unrecognised: 0, continuation: 0, skipped: 0 };
  const hostPath = hostFromPath(src.path, src.rel);
  const report: FileReport = {
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
    lines: counts,
    eventsByKind: {},
    skipped: null,
    problems: [],
    unrecognisedSamples: [],
    rotation: rotationOf(src.path),
  };
  if (src.problem) report.problems.push(src.problem);
  const { head, stream, error: headError } = await peek(src.stream, HEAD_BYTES);
  if (headError) report.problems.push(`read stopped early: ${errorText(headError)} (the readable part was used)`);
  if (head.length === 0) {
    report.skipped = 'empty file';
    report.detection = report.skipped;
    return report;
  }
  const binary = looksBinary(head);
  let format: Format | null = null;
  let variant: string | undefined;
  if (binary) {
    report.skipped = binary;
    report.detection = binary;
  } else {
    const headLines = headLinesOf(head, head.length < HEAD_BYTES);
    const forcedHit = forced.find((f) => f.match(src.path) || f.match(src.rel));
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
  }
  const zoneHit = tzFor.find((t) => t.match(src.path) || t.match(src.rel));
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
  const sink: ParseSink = {
    counts,
    event(e) {
      events.push(e);
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
    },
  };
  if (format) {
    report.format = format.id;
    report.formatTitle = format.title;
  }
  const parser = format ? format.createParser(ctx, sink, variant) : null;
  let lineNo = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const lines = stream.pipe(split2());
      stream.on('error', reject);
      lines.on('error', reject);
      lines.on('data', (line: string) => {
        lineNo++;
        if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
        if (parser) parser.line(line, lineNo);
        else {
          counts.total++;
          counts.skipped++;
        }
      });
      lines.on('end', () => resolve());
    });
  } catch (e) {
    report.problems.push(`read stopped at line ${lineNo}: ${errorText(e)}`);
  }
  parser?.end();
  if (report.host !== null && report.hostFrom === 'content') {
    for (const e of events) e.host = report.host;
  }
  return report;
}

function headLinesOf(head: Buffer, complete: boolean): string[] {
  let text = head.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  if (!complete && lines.length > 1) lines.pop();
  return lines.slice(0, HEAD_LINES).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}
