import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';
import { extractException, type Layout } from '../src/formats/text.js';
import type { Entry, FileContext, LineCounts, ParseSink } from '../src/formats/types.js';
import type { Format } from '../src/formats/types.js';
import type { EventOf, RmqEvent } from '../src/model/events.js';
import { resolveZone } from '../src/model/time.js';

/** Repository root (tests run from dist/test/…). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = path.join(ROOT, 'fixtures');

/** A file of test/samples, as text. */
export function sample(name: string): string {
  return fs.readFileSync(path.join(ROOT, 'test', 'samples', name), 'utf8');
}

/** Every line is accounted for once: total = recognised + unrecognised + continuation + skipped. */
export function balanced(c: LineCounts): void {
  assert.equal(c.total, c.recognised + c.unrecognised + c.continuation + c.skipped);
}

export function deliveries(es: RmqEvent[]): EventOf<'trace-delivery'>[] {
  return es.filter((e): e is EventOf<'trace-delivery'> => e.kind === 'trace-delivery');
}

export function publications(es: RmqEvent[]): EventOf<'trace-publication'>[] {
  return es.filter((e): e is EventOf<'trace-publication'> => e.kind === 'trace-publication');
}

/**
 * The entry a full log line (prefix + message, continuation lines after `\n`) makes under the
 * first layout whose header fits it; null when none fits.
 */
export function lineEntry(line: string, layouts: readonly Layout[]): { entry: Entry; layout: Layout; groups: Record<string, string> } | null {
  const [first, ...rest] = line.split('\n');
  for (const layout of layouts) {
    const g = layout.header.exec(first!)?.groups;
    if (!g) continue;
    const continuation = rest.filter((l, i) => !(i === rest.length - 1 && l === ''));
    return {
      layout,
      groups: g,
      entry: {
        msg: g.msg ?? '',
        continuation,
        exception: extractException(continuation),
        level: g.level ?? null,
        thread: g.thread ?? null,
        logger: g.logger ?? null,
      },
    };
  }
  return null;
}

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

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in-process (`rmq-forensics …args`), capturing stdout and stderr. */
export async function runCli(args: string[], isTTY = false): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(['node', 'rmq-forensics', ...args], {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    isTTY,
  });
  return { code, out, err };
}
