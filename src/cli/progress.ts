/**
 * The progress line of a long run: on a terminal only (stderr a TTY, not under CI, not TERM=dumb,
 * not with --quiet), drawn after a second, redrawn in place every 200 ms, erased when reading ends.
 *
 *   reading 1.2 GiB of ~3.4 GiB (35%) · 12/34 files · 85 MiB/s · ETA 27 s
 *
 * It polls the counters ingest keeps (IngestProgress) and never touches the reading itself. Its
 * text is the tool's own numbers (no path, nothing read from the logs), guarded all the same.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IngestProgress } from '../ingest/index.js';
import { guardStderr } from '../report/sanitize.js';
import { eventLoopTurn } from '../ingest/walk.js';
import type { Io } from './main.js';
import { RanOnThread, type RelocateHint } from './thread.js';

/** `\r` + erase the whole line: the cursor is back at column 0 of an empty line. */
export const CLEAR_LINE = '\r\u001b[2K';

/** Fresh counters for ingest to update; `onFinished` runs the moment ingest sets `finished`. */
export function newIngestProgress(onFinished?: () => void): IngestProgress {
  let finished = false;
  const p = { filesSeen: 0, filesDone: 0, diskBytesDone: 0, bytesRead: 0 } as IngestProgress;
  Object.defineProperty(p, 'finished', {
    get: () => finished,
    set: (v: boolean) => {
      finished = v;
      if (v) onFinished?.();
    },
    enumerable: true,
    configurable: true,
  });
  return p;
}

/** What a stat walk of the inputs found (before reading them). */
export interface InputEstimate {
  /** On-disk bytes of every regular file under the inputs. */
  bytes: number;
  /** The part of `bytes` in files that look compressed. */
  compressedBytes: number;
  /** Regular files found. */
  files: number;
  /** Some file looks compressed (.gz, .zip, …): decompressed bytes are no measure of disk bytes. */
  compressed: boolean;
  /** Some file is an archive (.tar, .zip, .tgz, …): files hold entries, the file count is not ingest's. */
  archives: boolean;
  /** With `known`: the bytes of text earlier runs read of the files found. */
  knownText?: number;
}

const COMPRESSED = /\.(?:gz|tgz|zip|bz2|xz|zst|z|lz4|7z)$/i;
const ARCHIVE = /\.(?:tar|tgz|zip|tar\.gz|7z)$/i;

export interface EstimateOptions {
  /** Give up (no estimate) beyond this many directory entries: the estimate must stay cheap. */
  maxEntries?: number;
  signal?: AbortSignal;
  /** Stop walking once this holds of what was found so far (the estimate returned is then a lower bound). */
  enough?: (so: InputEstimate) => boolean;
  /** Bytes of text an earlier run read of each path (a scan's state): summed into `knownText`. */
  known?: ReadonlyMap<string, number>;
}

/**
 * The on-disk size of the inputs: files their size, directories the sum of their regular files
 * (recursively, symlinks followed once, as ingest walks them). null when it cannot be known (stdin
 * among the inputs, a path that cannot be read, too many entries, cancelled); never throws.
 */
export async function estimateInputs(paths: readonly string[], opts: EstimateOptions = {}): Promise<InputEstimate | null> {
  const maxEntries = opts.maxEntries ?? 200_000;
  const est: InputEstimate = { bytes: 0, compressedBytes: 0, files: 0, compressed: false, archives: false, ...(opts.known ? { knownText: 0 } : {}) };
  let stop = false;
  let entries = 0;
  const seen = new Set<string>();
  const addFile = (p: string, size: number): void => {
    est.bytes += size;
    est.files++;
    if (COMPRESSED.test(p)) {
      est.compressed = true;
      est.compressedBytes += size;
    }
    if (ARCHIVE.test(p)) est.archives = true;
    if (opts.known) est.knownText = (est.knownText ?? 0) + (opts.known.get(p) ?? 0);
    if (opts.enough?.(est)) stop = true;
  };
  // (synchronous calls, with a turn of the event loop every few ms, as the ingest walk: one await
  // of the thread pool per entry made this 0.2 s for 3,000 files, against ~15 ms)
  const statOf = (p: string): fs.Stats | null => {
    try {
      return fs.statSync(p, { throwIfNoEntry: false }) ?? null;
    } catch {
      return null;
    }
  };
  const walk = async (dir: string): Promise<boolean> => {
    const real = fs.realpathSync(dir);
    if (seen.has(real)) return true;
    seen.add(real);
    const names = fs.readdirSync(dir);
    entries += names.length;
    if (entries > maxEntries) return false;
    for (let k = 0; k < names.length && !stop; k++) {
      await eventLoopTurn();
      if (opts.signal?.aborted) return false;
      const p = path.join(dir, names[k]!);
      // An entry that cannot be stat'ed is skipped (ingest reports it; it adds nothing to read).
      const st = statOf(p);
      if (!st) continue;
      if (st.isDirectory()) {
        if (!(await walk(p).catch(() => true))) return false;
      } else if (st.isFile()) addFile(p, st.size);
    }
    return true;
  };
  try {
    for (const input of paths) {
      if (stop) break;
      if (input === '-') return null;
      if (opts.signal?.aborted) return null;
      const st = fs.statSync(input);
      if (st.isDirectory()) {
        if (!(await walk(input))) return null;
      } else if (st.isFile()) addFile(input, st.size);
    }
  } catch {
    return null;
  }
  return opts.signal?.aborted ? null : est;
}

/** 0 → `0 B`, 1536 → `1.5 KiB`, 89128960 → `85 MiB`: one decimal below 10, none above. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = Math.max(0, n);
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${Math.round(v)} B`;
  // 9.96 would print as "10.0": round first, then choose the precision.
  const one = Math.round(v * 10) / 10;
  return one < 10 ? `${one.toFixed(1)} ${units[u]}` : `${Math.round(v)} ${units[u]}`;
}

/** 27 → `27 s`, 185 → `3 min 5 s`, 4380 → `1 h 13 min`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** The timer functions the display uses (the real ones by default; tests pass a fake clock). */
export interface ProgressTimers {
  now(): number;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const REAL_TIMERS: ProgressTimers = {
  now: () => Date.now(),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

export interface ProgressDisplayOptions {
  /** Raw writes to stderr (the line carries `\r` and erase-line; its text is guarded here). */
  write: (raw: string) => void;
  /** The inputs' estimate, when known (may resolve later, or to null: then no total and no ETA). */
  estimate?: Promise<InputEstimate | null> | InputEstimate | null;
  /** Redraw period (default 200 ms). */
  intervalMs?: number;
  /** Nothing is drawn before this (default 1 s): a short run shows nothing at all. */
  delayMs?: number;
  /** Terminal width: the line is cut to fit, so that erasing it erases all of it. */
  columns?: () => number | undefined;
  timers?: ProgressTimers;
}

/** Over how long the decompressed rate is measured. */
const RATE_WINDOW_MS = 3000;

export class ProgressDisplay {
  private readonly timers: ProgressTimers;
  private readonly intervalMs: number;
  private readonly delayMs: number;
  private handle: unknown = null;
  private startedAt = 0;
  private drawn = false;
  private stopped = false;
  private estimate: InputEstimate | null = null;
  /** (time, bytesRead) samples of the last few seconds, for the rate. */
  private samples: { t: number; bytes: number }[] = [];
  /** The on-disk bytes done, and when that last moved (the ETA counts down from there). */
  private done = 0;
  private doneAt = 0;

  constructor(
    private readonly progress: IngestProgress,
    private readonly opts: ProgressDisplayOptions,
  ) {
    this.timers = opts.timers ?? REAL_TIMERS;
    this.intervalMs = opts.intervalMs ?? 200;
    this.delayMs = opts.delayMs ?? 1000;
    const e = opts.estimate;
    if (e && typeof (e as Promise<unknown>).then === 'function') {
      (e as Promise<InputEstimate | null>).then(
        (v) => {
          this.estimate = v;
        },
        () => undefined,
      );
    } else this.estimate = (e as InputEstimate | null | undefined) ?? null;
  }

  /** Starts polling; the first line appears after the delay (if the run is still going). */
  start(): this {
    if (this.handle !== null || this.stopped) return this;
    this.startedAt = this.timers.now();
    this.doneAt = this.startedAt;
    this.samples = [{ t: this.startedAt, bytes: this.read() }];
    this.handle = this.timers.setInterval(() => this.tick(), this.intervalMs);
    return this;
  }

  /** One poll: sample the counters, and redraw once the delay has passed. */
  tick(): void {
    if (this.stopped) return;
    if (this.progress.finished) {
      this.stop();
      return;
    }
    const now = this.timers.now();
    this.samples.push({ t: now, bytes: this.read() });
    while (this.samples.length > 2 && now - this.samples[1]!.t >= RATE_WINDOW_MS) this.samples.shift();
    const done = this.diskDone();
    if (done !== null && done > this.done) {
      this.done = done;
      this.doneAt = now;
    }
    if (now - this.startedAt < this.delayMs) return;
    let line = guardStderr(this.line(now));
    const cols = this.opts.columns?.();
    if (cols !== undefined && cols > 1 && line.length > cols - 1) line = line.slice(0, cols - 2) + '…';
    this.opts.write(CLEAR_LINE + line);
    this.drawn = true;
  }

  /**
   * The on-disk bytes read so far, when they can be told: diskBytesDone moves only when a file is
   * complete; when nothing is compressed the decompressed count is the on-disk one and moves
   * inside a big file too. null without a total, or with archives (their entries count their
   * unpacked size, which the archive's size on disk says nothing about).
   */
  private diskDone(): number | null {
    const est = this.estimate;
    if (!est || est.bytes <= 0 || est.archives) return null;
    const read = this.read();
    let done = this.progress.diskBytesDone;
    if (!est.compressed && read <= est.bytes) done = Math.max(done, read);
    return Math.min(done, est.bytes);
  }

  /** The line for the counters as they are now. */
  line(now = this.timers.now()): string {
    const p = this.progress;
    const read = this.read();
    const est = this.estimate;
    const elapsedMs = now - this.startedAt;
    const parts: string[] = [];
    const done = this.diskDone();
    if (est && done !== null) {
      const pct = Math.floor((done / est.bytes) * 100);
      parts.push(`reading ${formatBytes(done)} of ~${formatBytes(est.bytes)} (${pct}%)`);
      if (est.compressed || read > est.bytes) parts.push(`${formatBytes(read)} decompressed`);
    } else parts.push(`reading ${formatBytes(read)}`);
    const exactFiles = est !== null && !est.archives;
    const filesTotal = exactFiles ? Math.max(est.files, p.filesSeen) : p.filesSeen;
    parts.push(`${p.filesDone}/${filesTotal}${exactFiles ? '' : '+'} files`);
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (elapsedMs >= 1000 && first && last && last.t > first.t) {
      parts.push(`${formatBytes(((last.bytes - first.bytes) * 1000) / (last.t - first.t))}/s`);
    }
    // ETA: the on-disk pace up to the last time it moved (at least a second of it), counted down
    // from then, so that a big compressed file being read does not make it climb. None below 1 s.
    const measuredMs = this.doneAt - this.startedAt;
    if (est && done !== null && this.done > 0 && this.done < est.bytes && measuredMs >= 1000) {
      const eta = ((est.bytes - this.done) * measuredMs) / this.done - (now - this.doneAt);
      if (eta >= 1000) parts.push(`ETA ${formatDuration(eta / 1000)}`);
    }
    return parts.join(' · ');
  }

  /** Stops polling and erases the line (if one was drawn). Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.handle !== null) this.timers.clearInterval(this.handle);
    this.handle = null;
    if (this.drawn) {
      this.drawn = false;
      this.opts.write(CLEAR_LINE);
    }
  }

  get active(): boolean {
    return !this.stopped;
  }

  private read(): number {
    const b = this.progress.bytesRead;
    return Number.isFinite(b) ? b : 0;
  }
}

/** True when a non-empty CI variable says this is a CI job (CI=false and CI=0 say it is not). */
function inCi(env: NodeJS.ProcessEnv): boolean {
  const v = env.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** Whether a progress line may be shown: stderr a terminal, no --quiet, not CI, not TERM=dumb. */
export function progressWanted(io: Pick<Io, 'errIsTTY'>, quiet: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return io.errIsTTY && !quiet && !inCi(env) && env.TERM !== 'dumb';
}

export interface CliProgress {
  /** The counters to pass to ingest; undefined when no line is shown. */
  progress: IngestProgress | undefined;
  /** Erases the line and stops (idempotent): call it when ingest returns or fails. */
  stop(): void;
}

/**
 * The progress line of a command reading `paths`, or nothing when it is not wanted. The line goes
 * away the moment ingest finishes (before correlation, so the report never follows it), on stop(),
 * and on process exit (Ctrl-C) too.
 */
export function startProgress(paths: readonly string[], io: Pick<Io, 'errIsTTY' | 'errRaw'>, quiet: boolean, env: NodeJS.ProcessEnv = process.env): CliProgress {
  if (!progressWanted(io, quiet, env)) return { progress: undefined, stop: () => undefined };
  const abort = new AbortController();
  let display: ProgressDisplay | null = null;
  const onExit = (): void => display?.stop();
  const stop = (): void => {
    display?.stop();
    abort.abort();
    process.removeListener('exit', onExit);
  };
  const progress = newIngestProgress(stop);
  display = new ProgressDisplay(progress, {
    write: (s) => io.errRaw(s),
    estimate: estimateInputs(paths, { signal: abort.signal }),
    columns: () => process.stderr.columns,
  }).start();
  process.once('exit', onExit);
  return { progress, stop };
}

/**
 * Runs a read of the inputs under a progress line (startProgress), which goes away when the read
 * ends or fails: `run` gets the counters to pass to ingest. A run that `io.relocate` moves to its
 * own thread throws RanOnThread here, with that run's exit status (main returns it).
 */
export async function withProgress<T>(
  paths: readonly string[],
  io: Pick<Io, 'errIsTTY' | 'errRaw' | 'relocate'>,
  quiet: boolean,
  run: (progress: IngestProgress | undefined) => Promise<T>,
  hint: RelocateHint = {},
): Promise<T> {
  // (every command that reads the inputs comes here first: a big run goes on its own thread)
  const code = io.relocate ? await io.relocate(paths, hint) : null;
  if (code !== null) throw new RanOnThread(code);
  const shown = startProgress(paths, io, quiet);
  try {
    return await run(shown.progress);
  } finally {
    shown.stop();
  }
}
