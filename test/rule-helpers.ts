import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildContext, type Context } from '../src/correlate/index.js';
import { diagnose, type Diagnosis } from '../src/diagnose/index.js';
import type { CauseCode, Rule } from '../src/diagnose/types.js';
import { ingest } from '../src/ingest/index.js';
import { resolveZone } from '../src/model/time.js';
import { FIXTURES } from './helpers.js';

export type { Diagnosis };

/**
 * Builds a correlation context from an inline bundle: `{ '172.66.6.3/rocketmq_client.log': '…' }`.
 * Files are written to a temporary directory and read through the real ingest layer.
 */
export async function contextFrom(files: Record<string, string>, tz = 'Asia/Shanghai', skewMs = 5000): Promise<Context> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rmqf-'));
  try {
    for (const [p, content] of Object.entries(files)) {
      const full = path.join(dir, p);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
    const r = await ingest([dir], { tz: resolveZone(tz), tzFrom: 'tz', tzFor: [], inputFormats: [], consumePattern: null, year: null });
    return buildContext(r.events, { skewMs, persists: r.persists, cold: r.cold });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every file of a fixture bundle, by relative path (to edit and re-run through contextFrom). */
export function fixtureFiles(name: string): Record<string, string> {
  const root = path.join(FIXTURES, name);
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir)) {
      const p = path.join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f !== 'expected.json' && f !== 'README.md') out[path.relative(root, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}

/** Context of a directory (a fixture bundle). */
export async function contextOfDir(dir: string, tz = 'Asia/Shanghai', skewMs = 5000): Promise<Context> {
  const r = await ingest([dir], { tz: resolveZone(tz), tzFrom: 'tz', tzFor: [], inputFormats: [], consumePattern: null, year: null });
  return buildContext(r.events, { skewMs, persists: r.persists, cold: r.cold });
}

/** Runs only the given rules (plus the ledger attribution) on a context. */
export function diagnoseWith(ctx: Context, rules: Rule[]): Diagnosis {
  return diagnose(ctx, rules);
}

/** Context of a fixture bundle, by name. */
export function fixtureContext(name: string): Promise<Context> {
  return contextOfDir(path.join(FIXTURES, name));
}

/** The incidents of one cause. */
export function incidentsOf(d: Diagnosis, cause: CauseCode): Diagnosis['incidents'] {
  return d.incidents.filter((i) => i.cause === cause);
}

/** The one incident (or draft) found; fails listing the summaries when there are more or none. */
export function sole<T extends { summary: string }>(found: readonly T[]): T {
  assert.equal(found.length, 1, found.map((i) => i.summary).join('\n'));
  return found[0]!;
}
