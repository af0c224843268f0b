import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileContext, LineCounts, ParseSink } from '../src/formats/types.js';
import type { Format } from '../src/formats/types.js';
import type { RmqEvent } from '../src/model/events.js';
import { resolveZone } from '../src/model/time.js';

/** Repository root (tests run from dist/test/…). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = path.join(ROOT, 'fixtures');

export interface Parsed {
  events: RmqEvent[];
  counts: LineCounts;
  unrecognised: { line: number; text: string }[];
  host: string | null;
}

/** Feeds text (lines split on \n) through a format's parser, as ingest does. */
export function parseWith(format: Format, text: string, ctxOver: Partial<FileContext> = {}): Parsed {
  const counts: LineCounts = { total: 0, recognised: 0, unrecognised: 0, continuation: 0, skipped: 0 };
  const out: Parsed = { events: [], counts, unrecognised: [], host: null };
  const zone = resolveZone('Asia/Shanghai');
  const ctx: FileContext = {
    file: 'test.log',
    host: null,
    hostZone: zone,
    hostZoneRule: { zone: zone.name, from: 'tz' },
    yearHint: 2024,
    fileMtimeMs: null,
    consumePattern: null,
    ...ctxOver,
  };
  const sink: ParseSink = {
    counts,
    event: (e) => out.events.push(e),
    unrecognised: (line, t) => out.unrecognised.push({ line, text: t }),
    hostFromContent: (h) => {
      out.host = h;
    },
    instant: () => undefined,
  };
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const head = lines.slice(0, 200);
  const parser = format.createParser(ctx, sink, format.sniff(head, ctx.file).variant);
  lines.forEach((l, i) => parser.line(l, i + 1));
  parser.end();
  return out;
}
