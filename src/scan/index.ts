import { buildContext } from '../correlate/index.js';
import { diagnose } from '../diagnose/index.js';
import { ingest, type FileReport, type IngestOptions } from '../ingest/index.js';
import type { EventOf, RmqEvent } from '../model/events.js';
import type { PersistStore } from '../model/persists.js';
import { formatInstant } from '../model/time.js';
import { buildReport, type IncidentJson, type Report } from '../report/report.js';
import { byFileLine, DEFAULT_CARRY, eventKey, selectCarried } from './carry.js';
import { acquireLock, emptyState, loadState, saveState, type FileState, type ScanState } from './state.js';
import { inWindow, type TimeWindow } from './window.js';

export interface ScanOptions extends IngestOptions {
  skewMs: number;
  version: string;
  stateFile: string | null;
  resetState: boolean;
  window: TimeWindow;
  lockWaitMs: number;
  now?: Date;
}

export interface ScanResult {
  report: Report;
  /** Incidents reported for the first time by this run. */
  fresh: IncidentJson[];
  /** Incidents reported before that grew (more re-delivered offsets or messages). */
  updated: IncidentJson[];
  /** Files read this run and how many lines were new in each. */
  files: { file: string; newLines: number; resumedAt: number }[];
}


/**
 * One scan: read only what is new since the previous run (by content identity, so renamed,
 * rotated and gzipped pieces are recognised), correlate it with the events carried from earlier
 * runs, and report the incidents in the time window that were not reported before (or grew).
 */
export async function runScan(paths: readonly string[], opts: ScanOptions): Promise<ScanResult> {
  const lock = opts.stateFile ? await acquireLock(opts.stateFile, opts.lockWaitMs) : null;
  try {
    const state: ScanState = opts.stateFile && !opts.resetState ? await loadState(opts.stateFile) : emptyState();
    const ingested = await ingest(paths, { ...opts, resumeFrom: state.files });
    // Carried context first (it is older), then what is new; a line read twice counts once.
    const seen = new Set<string>();
    const carriedFiles = new Set<string>();
    const events: RmqEvent[] = [];
    state.carried.forEach((e, i) => {
      const k = eventKey(e);
      if (seen.has(k)) return;
      seen.add(k);
      carriedFiles.add(e.file);
      // A carried commit read again this run (its file was re-read) is used as read now.
      if (e.kind === 'offset-persist' && readAgain(ingested.persists, e)) return;
      events.push({ ...e, seq: -1e12 + i });
    });
    // Only a line of a file something was carried from can be one read before (a key reads the
    // line's text: in file order, byFileLine; the events are sorted below).
    for (const e of [...ingested.events].sort(byFileLine)) {
      if (carriedFiles.has(e.file)) {
        const k = eventKey(e);
        if (seen.has(k)) continue;
        seen.add(k);
      }
      events.push(e);
    }
    seen.clear();
    events.sort((a, b) => a.instant - b.instant || a.seq - b.seq);
    const context = buildContext(events, { skewMs: opts.skewMs, displayZone: opts.tz, persists: ingested.persists, cold: ingested.cold });
    const diagnosis = diagnose(context);
    const now = opts.now ?? new Date();
    const report = buildReport(ingested, diagnosis, {
      version: opts.version,
      now,
      brokerAddr: (n) => context.brokers.addrOf(n),
      skew: context.skewEstimates,
      tz: opts.tz,
    });
    const fresh: IncidentJson[] = [];
    const updated: IncidentJson[] = [];
    const stamp = now.toISOString();
    const explained = new Set(state.explained);
    for (let i = 0; i < report.incidents.length; i++) {
      const inc = report.incidents[i]!;
      const d = diagnosis.incidents[i]!;
      if (!inWindow(opts.window, d.window.start, d.window.end)) continue;
      const before = state.reported[inc.id];
      // Evidence a reported incident already explained is not reported again under another
      // name (a later run may see only part of a chain that was carried over).
      if (!before && explained.has(eventKey(d.anchor))) continue;
      for (const l of d.chain) explained.add(eventKey(l.event));
      if (!before) {
        fresh.push(inc);
        state.reported[inc.id] = { cause: inc.cause, redeliveredCount: inc.redeliveredCount, offsetRange: inc.offsetRange, firstReportedAt: stamp, lastReportedAt: stamp };
      } else if (grew(before.redeliveredCount, before.offsetRange, inc)) {
        updated.push(inc);
        state.reported[inc.id] = { ...before, redeliveredCount: inc.redeliveredCount, offsetRange: inc.offsetRange, lastReportedAt: stamp };
      }
    }
    const shown = new Set([...fresh, ...updated].map((i) => i.id));
    const scanReport: Report = {
      ...report,
      incidents: report.incidents.filter((i) => shown.has(i.id)),
      redeliveries: report.redeliveries.filter((r) => shown.has(r.incidentId)),
    };
    scanReport.summary = summarize(scanReport.incidents);
    const readFiles = ingested.files.filter((f) => f.format !== null);
    scanReport.scan = {
      newIncidents: fresh.map((i) => i.id),
      updatedIncidents: updated.map((i) => i.id),
      since: opts.window.since === null ? null : formatInstant(opts.window.since, opts.tz),
      until: opts.window.until === null ? null : formatInstant(opts.window.until, opts.tz),
      filesRead: readFiles.filter((f) => f.lines.total > 0).length,
      newLines: readFiles.reduce((n, f) => n + f.lines.total, 0),
    };
    if (opts.stateFile) {
      state.files = mergeFiles(state.files, ingested.files, stamp);
      state.carried = selectCarried(context, DEFAULT_CARRY);
      state.explained = [...explained].slice(-100_000);
      state.updatedAt = stamp;
      await saveState(opts.stateFile, state);
    }
    return {
      report: scanReport,
      fresh,
      updated,
      files: ingested.files.filter((f) => f.format !== null).map((f) => ({ file: f.file, newLines: f.lines.total, resumedAt: f.resumedAt?.bytes ?? 0 })),
    };
  } finally {
    await lock?.release();
  }
}

function grew(count: number | null, range: { from: number; to: number } | null, inc: IncidentJson): boolean {
  if ((inc.redeliveredCount ?? 0) > (count ?? 0)) return true;
  if (range && inc.offsetRange && (inc.offsetRange.from < range.from || inc.offsetRange.to > range.to)) return true;
  return false;
}

function summarize(incidents: IncidentJson[]): Report['summary'] {
  const byCause: Record<string, number> = {};
  for (const i of incidents) byCause[i.cause] = (byCause[i.cause] ?? 0) + 1;
  return {
    incidents: incidents.length,
    redeliveredMessages: incidents.reduce((n, i) => n + (i.redeliveredCount ?? 0), 0),
    anomalies: incidents.filter((i) => !i.byDesign).length,
    byDesign: incidents.filter((i) => i.byDesign).length,
    byCause,
  };
}

/** Remembers every file read; a file whose identity was already known is updated in place. */
function mergeFiles(old: FileState[], read: FileReport[], stamp: string): FileState[] {
  const out = [...old];
  const keyOf = (f: { headHash: string; headLength: number }): string => `${f.headHash}|${f.headLength}`;
  const at = new Map<string, number>();
  out.forEach((o, i) => {
    if (!at.has(keyOf(o))) at.set(keyOf(o), i);
  });
  for (const f of read) {
    if (f.identity === null) continue;
    const id = f.identity;
    const existing = at.get(keyOf(id)) ?? -1;
    const entry: FileState = {
      path: f.file,
      headHash: id.headHash,
      headLength: id.headLength,
      bytesRead: id.bytesRead,
      linesRead: id.linesRead,
      format: f.format,
      host: f.host,
      lastSeen: stamp,
    };
    if (existing >= 0) {
      if (out[existing]!.bytesRead <= entry.bytesRead) out[existing] = entry;
    } else at.set(keyOf(id), out.push(entry) - 1);
  }
  // Forget files not seen for 30 days (rotated away).
  const cutoff = Date.parse(stamp) - 30 * 86_400_000;
  return out.filter((f) => Date.parse(f.lastSeen) >= cutoff);
}


/** True when the store holds the same line (host, file, line, timestamp) as a carried commit. */
function readAgain(store: PersistStore, e: EventOf<'offset-persist'>): boolean {
  for (const s of store.series) {
    if (s.head.file !== e.file || s.head.host !== e.host) continue;
    let hit = false;
    s.scan(e.instant, e.instant, (r) => {
      if (r.line !== e.line) return;
      hit = s.event(r).timestampText === e.timestampText;
      return !hit;
    });
    if (hit) return true;
  }
  return false;
}
