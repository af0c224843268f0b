import { Option, type Command } from 'commander';
import type { IngestOptions, FormatForGlob, ZoneForGlob } from '../ingest/index.js';
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
    .option('--year <yyyy>', 'year for timestamps printed without one (default: the file modification year)');
}

export interface RawInputOptions {
  tz?: string;
  tzFor?: string[];
  inputFormat?: string[];
  consumePattern?: string;
  year?: string;
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
  return { tz, tzFrom: o.tz ? 'tz' : 'system', tzFor, inputFormats, consumePattern, year };
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
