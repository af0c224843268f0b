import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildContext, type Context } from '../src/correlate/index.js';
import { diagnose, type Diagnosis } from '../src/diagnose/index.js';
import type { Rule } from '../src/diagnose/types.js';
import { ingest } from '../src/ingest/index.js';
import { resolveZone } from '../src/model/time.js';

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
    return buildContext(r.events, { skewMs });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Context of a directory (a fixture bundle). */
export async function contextOfDir(dir: string, tz = 'Asia/Shanghai', skewMs = 5000): Promise<Context> {
  const r = await ingest([dir], { tz: resolveZone(tz), tzFrom: 'tz', tzFor: [], inputFormats: [], consumePattern: null, year: null });
  return buildContext(r.events, { skewMs });
}

/** Runs only the given rules (plus the ledger attribution) on a context. */
export function diagnoseWith(ctx: Context, rules: Rule[]): Diagnosis {
  return diagnose(ctx, rules);
}
