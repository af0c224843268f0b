import { buildContext, type Context } from './correlate/index.js';
import { diagnose, type Diagnosis } from './diagnose/index.js';
import { ingest, type IngestOptions, type IngestResult } from './ingest/index.js';
import { buildReport, type Report } from './report/report.js';

export interface AnalysisOptions extends IngestOptions {
  skewMs: number;
  version: string;
  now?: Date;
}

export interface Analysis {
  ingest: IngestResult;
  context: Context;
  diagnosis: Diagnosis;
  report: Report;
  /** Display zone for rendered times (--tz, default the system zone). */
  tz: AnalysisOptions['tz'];
}

/** The whole pipeline: ingest → correlate → diagnose → report. Prints nothing. */
export async function analyze(paths: readonly string[], opts: AnalysisOptions): Promise<Analysis> {
  const ingested = await ingest(paths, opts);
  const context = buildContext(ingested.events, { skewMs: opts.skewMs, displayZone: opts.tz, persists: ingested.persists, cold: ingested.cold });
  const diagnosis = diagnose(context);
  const report = buildReport(ingested, diagnosis, {
    version: opts.version,
    now: opts.now ?? new Date(),
    brokerAddr: (n) => context.brokers.addrOf(n),
    skew: context.skewEstimates,
    tz: opts.tz,
  });
  return { ingest: ingested, context, diagnosis, report, tz: opts.tz };
}
