import type { FileReport, IngestResult } from '../ingest/index.js';
import type { LineCounts } from '../formats/types.js';
import { formatInstant } from '../model/time.js';

/** One input file as it appears in `inputs --format json` and in the report's `inputs[]`. */
export interface InputJson {
  file: string;
  format: string | null;
  detection: string;
  host: string | null;
  hostFrom: 'path' | 'content' | null;
  zone: string | null;
  zoneFrom: string | null;
  firstInstant: string | null;
  lastInstant: string | null;
  bytes: number | null;
  gzipped: boolean;
  lines: LineCounts;
  eventsByKind: Record<string, number>;
  skipped: string | null;
  problems: string[];
  unrecognisedSamples: { line: number; text: string }[];
}

export function inputJson(f: FileReport): InputJson {
  return {
    file: f.file,
    format: f.format,
    detection: f.detection,
    host: f.host,
    hostFrom: f.hostFrom,
    zone: f.zone?.zone ?? null,
    zoneFrom: f.zone?.from ?? null,
    firstInstant: f.firstInstant === null ? null : formatInstant(f.firstInstant, 'UTC'),
    lastInstant: f.lastInstant === null ? null : formatInstant(f.lastInstant, 'UTC'),
    bytes: f.bytes,
    gzipped: f.gzipped,
    lines: { ...f.lines },
    eventsByKind: Object.fromEntries(Object.entries(f.eventsByKind).sort(([a], [b]) => (a < b ? -1 : 1))) as Record<string, number>,
    skipped: f.skipped,
    problems: f.problems,
    unrecognisedSamples: f.unrecognisedSamples,
  };
}

export function inputsJson(r: IngestResult): { inputs: InputJson[]; problems: { path: string; problem: string }[] } {
  return { inputs: r.files.map(inputJson), problems: r.problems };
}

/** Nothing usable: every file skipped or unreadable. */
export function nothingRead(r: IngestResult): boolean {
  return !r.files.some((f) => f.format !== null && f.skipped === null);
}
