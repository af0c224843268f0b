import { closeSync, fsyncSync, openSync, promises as fs, writeSync } from 'node:fs';
import path from 'node:path';
import type { RmqEvent } from '../model/events.js';
import { byFileLine } from './carry.js';
import { processAlive } from '../model/pid.js';

/**
 * The scan state file (`--state FILE`): per input file how far it was read, the context events
 * the correlator needs from earlier runs, and the incidents already reported. Written atomically
 * (temp file + fsync + rename) under a lock file, so a killed run or two overlapping runs never
 * corrupt it.
 */
export const STATE_FORMAT = 'rmq-forensics-scan-state';
export const STATE_VERSION = 1;

export interface FileState {
  /** Path as given in the bundle when last seen. */
  path: string;
  /** Content identity: hash of the first `headLength` bytes of the (decompressed) content. */
  headHash: string;
  headLength: number;
  /** Decompressed bytes and lines already read. */
  bytesRead: number;
  linesRead: number;
  format: string | null;
  host: string | null;
  lastSeen: string;
}

export interface ReportedIncident {
  cause: string;
  redeliveredCount: number | null;
  offsetRange: { from: number; to: number } | null;
  firstReportedAt: string;
  lastReportedAt: string;
}

export interface ScanState {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  updatedAt: string;
  files: FileState[];
  /** Events carried to the next run: each queue's last owner and commits, recent faults. */
  carried: RmqEvent[];
  reported: Record<string, ReportedIncident>;
  /** Event keys of the chain links of reported incidents: evidence already explained. */
  explained: string[];
}

export function emptyState(): ScanState {
  return { format: STATE_FORMAT, version: STATE_VERSION, updatedAt: new Date(0).toISOString(), files: [], carried: [], reported: {}, explained: [] };
}

export class StateError extends Error {}

/**
 * Bytes of text the state says were read of each path (the most of any of its entries), or null
 * when there is no readable state: a hint only (a rotated file keeps its path for new content).
 */
export async function textReadBefore(file: string): Promise<Map<string, number> | null> {
  try {
    const state = await loadState(file);
    const out = new Map<string, number>();
    for (const f of state.files) out.set(f.path, Math.max(out.get(f.path) ?? 0, f.bytesRead));
    return out;
  } catch {
    return null;
  }
}

export async function loadState(file: string): Promise<ScanState> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw new StateError(`cannot read state file ${file}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StateError(`state file ${file} is corrupt (not JSON); run again with --reset-state to start afresh`);
  }
  const s = parsed as Partial<ScanState> | null;
  if (!s || typeof s !== 'object' || s.format !== STATE_FORMAT) {
    throw new StateError(`${file} is not an rmq-forensics scan state; point --state at another file or use --reset-state to overwrite it`);
  }
  if (s.version !== STATE_VERSION) {
    throw new StateError(`state file ${file} has version ${String(s.version)}, this rmq-forensics writes version ${STATE_VERSION}; use --reset-state`);
  }
  if (!Array.isArray(s.files) || !Array.isArray(s.carried) || !Array.isArray(s.explained) || typeof s.reported !== 'object' || s.reported === null) {
    throw new StateError(`state file ${file} is corrupt (missing sections); run again with --reset-state to start afresh`);
  }
  return s as ScanState;
}

/** Atomic replace: write a temp file beside it, fsync, rename over. A crash leaves the old file. */
export async function saveState(file: string, state: ScanState): Promise<void> {
  await writeAtomic(file, JSON.stringify({ ...state, carried: inFileOrder(state.carried) }) + '\n');
}

/** The events as plain data, in their own order, their texts read in file order (byFileLine). */
function inFileOrder(events: readonly RmqEvent[]): unknown[] {
  const order = events.map((_, i) => i).sort((a, b) => byFileLine(events[a]!, events[b]!));
  const out = new Array<unknown>(events.length);
  for (const i of order) {
    const e = events[i]! as RmqEvent & { toJSON?: () => unknown };
    out[i] = typeof e.toJSON === 'function' ? e.toJSON() : e;
  }
  return out;
}

export async function writeAtomic(file: string, content: string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${Date.now()}`);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  await fs.rename(tmp, file);
}

export interface Lock {
  release(): Promise<void>;
}

/**
 * Takes `<state>.lock` (O_EXCL). A lock held by a live process is waited for up to `waitMs`,
 * then refused; a lock left by a dead process (a killed run) is taken over.
 */
export async function acquireLock(stateFile: string, waitMs: number): Promise<Lock> {
  const lockFile = `${stateFile}.lock`;
  await fs.mkdir(path.dirname(path.resolve(lockFile)), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n${new Date().toISOString()}\n`);
      closeSync(fd);
      return {
        async release() {
          await fs.rm(lockFile, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new StateError(`cannot create lock ${lockFile}: ${(e as Error).message}`);
    }
    let holder = NaN;
    try {
      holder = Number((await fs.readFile(lockFile, 'utf8')).split('\n')[0]);
    } catch {
      continue; // released meanwhile
    }
    if (!Number.isInteger(holder) || holder <= 0 || !processAlive(holder)) {
      await fs.rm(lockFile, { force: true }); // stale: its run was killed
      continue;
    }
    if (Date.now() >= deadline) {
      throw new StateError(`another scan (pid ${holder}) holds ${lockFile}; not running two scans on one state at once`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
