import { Option, type Command } from 'commander';
import iconv from 'iconv-lite';
import type { IngestOptions, EncodingForGlob, FormatForGlob, ZoneForGlob } from '../ingest/index.js';
import { parseLimits } from '../ingest/budget.js';
import { validateFormatId } from '../ingest/index.js';
import { resolveZone, systemZoneName } from '../model/time.js';

/** A usage error: one line on stderr, exit 2. */
export class UsageError extends Error {}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Options every command that reads a bundle takes. */
export function addInputOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--tz <zone>', 'zone of host-local timestamps (4.3–5.0 inner logger, slf4j layouts): IANA name or offset').default(
        undefined,
        `system zone, ${systemZoneName()}`,
      ),
    )
    .option('--tz-for <glob=zone>', 'zone for files matching a glob, e.g. "172.66.6.5/**=UTC" (repeatable)', collect)
    .option('--input-format <[glob=]id>', 'force a format for every file or for files matching a glob (repeatable; see `formats`)', collect)
    .option(
      '--consume-pattern <regex>',
      'turn lines of your own consumer logs into deliveries: a regex with named groups msgId and time (optional: topic, group, queueId, queueOffset, client)',
    )
    .option('--year <yyyy>', 'year for timestamps printed without one (default: the file modification year)')
    .option(
      '--encoding <[glob=]enc>',
      'decode every file, or files matching a glob, as ENC (gb18030, gbk, utf8, latin1, …) instead of detecting UTF-8 / GB18030 (repeatable)',
      collect,
    )
    .option(
      '--max-bytes <run[,file]>',
      'bound on decompressed input: per run, optionally per file (suffixes K, M, G, T; default 8G,2G); reading stops there and it is reported',
    );
}

/**
 * `--quiet` for the commands that read a bundle (analyze, explain, timeline, scan, inputs): no
 * progress line. The line is drawn only on a terminal anyway (src/cli/progress.ts).
 */
export const QUIET_HELP =
  'no progress line on stderr (otherwise shown on a terminal for runs longer than a second: bytes, files, rate, ETA; never on a pipe, in cron, under CI or with TERM=dumb)';

export function addQuietOption(cmd: Command): Command {
  return cmd.option('--quiet', QUIET_HELP);
}

export interface RawQuietOption {
  quiet?: boolean;
}

export interface RawInputOptions {
  tz?: string;
  tzFor?: string[];
  inputFormat?: string[];
  consumePattern?: string;
  year?: string;
  encoding?: string[];
  maxBytes?: string;
}

export function ingestOptions(o: RawInputOptions): IngestOptions {
  const tz = wrap(() => resolveZone(o.tz ?? systemZoneName()));
  const tzFor: ZoneForGlob[] = (o.tzFor ?? []).map((spec) => {
    const eq = spec.lastIndexOf('=');
    if (eq <= 0) throw new UsageError(`--tz-for expects GLOB=ZONE, got "${spec}"`);
    return { glob: spec.slice(0, eq), zone: wrap(() => resolveZone(spec.slice(eq + 1))) };
  });
  const inputFormats: FormatForGlob[] = (o.inputFormat ?? []).map((spec) => {
    const eq = spec.lastIndexOf('=');
    const f: FormatForGlob = eq > 0 ? { glob: spec.slice(0, eq), id: spec.slice(eq + 1) } : { glob: null, id: spec };
    wrap(() => validateFormatId(f.id));
    return f;
  });
  let consumePattern: RegExp | null = null;
  if (o.consumePattern !== undefined) {
    try {
      consumePattern = new RegExp(o.consumePattern);
    } catch (e) {
      throw new UsageError(`--consume-pattern is not a valid regex: ${(e as Error).message}`);
    }
    const names = consumePattern.source.match(/\(\?<([a-zA-Z]+)>/g)?.map((s) => s.slice(3, -1)) ?? [];
    for (const need of ['msgId', 'time']) {
      if (!names.includes(need)) throw new UsageError(`--consume-pattern needs a named group (?<${need}>…)`);
    }
  }
  let year: number | null = null;
  if (o.year !== undefined) {
    if (!/^\d{4}$/.test(o.year)) throw new UsageError(`--year expects four digits, got "${o.year}"`);
    year = Number(o.year);
  }
  const encodings: EncodingForGlob[] = (o.encoding ?? []).map((spec) => {
    const eq = spec.lastIndexOf('=');
    const e: EncodingForGlob = eq > 0 ? { glob: spec.slice(0, eq), encoding: spec.slice(eq + 1) } : { glob: null, encoding: spec };
    if (!iconv.encodingExists(e.encoding)) throw new UsageError(`--encoding: unknown encoding "${e.encoding}" (e.g. gb18030, gbk, utf8, latin1)`);
    return e;
  });
  const out: IngestOptions = { tz, tzFrom: o.tz ? 'tz' : 'system', tzFor, inputFormats, consumePattern, year };
  if (encodings.length > 0) out.encodings = encodings;
  if (o.maxBytes !== undefined) {
    const limits = parseLimits(o.maxBytes);
    if (!limits) throw new UsageError(`--max-bytes expects a size such as 512M or 8G, optionally ",PERFILE" (e.g. 8G,1G), got "${o.maxBytes}"`);
    out.maxBytes = limits;
  }
  return out;
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
