import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { ColdFile } from '../model/cold.js';
import { ColumnarSeries, type ColumnarSnapshot } from '../model/persists.js';
import type { ColdSnapshot } from '../model/cold.js';
import type { ByteBudget } from './budget.js';
import { fastPath } from './fastpath.js';
import { emptyReport, reparser, type FileRead, type FileReport, type IngestOptions, type ReparseSpec } from './index.js';
import type { SourceFile } from './walk.js';
import type { RmqEvent } from '../model/events.js';
import { spillDir } from '../model/spill.js';

/**
 * Big plain and gzipped files are read on worker threads (one per core, two on the reference
 * machine), each opening its file again by path; the results come back as plain data (events,
 * columnar series, compressed cold lines) into the same slots the in-process reader fills, so the
 * outcome does not depend on which thread read a file; they count into the run's shared byte
 * count. Not used for archive entries, stdin, small files, or when `RMQ_FORENSICS_WORKERS=0`.
 */

/** The options a worker needs (plain data). */
export type WorkerOptions = Omit<IngestOptions, 'stdin' | 'progress'>;

export interface WorkerTask {
  id: number;
  path: string;
  rel: string;
  opts: WorkerOptions;
  /** --max-bytes bounds for this file: its own, and what the run has left. */
  limits: { file: number; run: number };
  /** The run's byte count (ByteBudget.shared): the worker counts into it. */
  used: SharedArrayBuffer;
  /** Where the worker writes its spill file (the main thread's directory, removed at its exit). */
  spillDir: string | null;
}

export type WorkerReply =
  | { id: number; ok: true; report: FileReport; events: RmqEvent[]; series: ColumnarSnapshot[]; cold: ColdSnapshot | null; warm: ColdSnapshot | null; reparse: ReparseSpec | null }
  | { id: number; ok: false; error: string };

export interface Pool {
  /** Counts a file the walk found and says whether it is for a worker: big enough, readable by path, and the bundle big enough so far. Call once per file. */
  /** Whether a reader thread should read this file; `known`: bytes of its text an earlier run read (scan). */
  wants(src: SourceFile, known?: number): boolean;
  /** A worker is free (or can be started). */
  idle(): boolean;
  read(src: SourceFile, opts: IngestOptions, budget: ByteBudget): Promise<FileRead>;
  close(): Promise<void>;
}

/**
 * A gzipped file's text is taken as this many times its size when its trailer does not say (the
 * bench's pieces are 10–30 times smaller than their text).
 */
export const GZIP_TEXT_GUESS = 10;

/** Files smaller than this are read in-process (a worker's start-up costs more than they do). */
const MIN_BYTES = 1024 * 1024;
/**
 * Nor is anything before the bundle has shown this much text: a worker's start and its cold JIT
 * cost more than it saves on a small bundle (100 MB: 1.0 s without, 1.2 s with). Both bounds are
 * RMQ_FORENSICS_WORKER_MIN_BYTES when it is set (tests set 0).
 */
const WORKERS_FROM = 128 * 1024 * 1024;

export function workerPool(opts: IngestOptions): Pool | null {
  if (!fastPath.enabled || process.env.RMQ_FORENSICS_WORKERS === '0') return null;
  const wanted = Number(process.env.RMQ_FORENSICS_WORKERS ?? '');
  // (the main thread reads files too: one worker per other core)
  const size = Number.isInteger(wanted) && wanted > 0 ? wanted : os.availableParallelism() - 1;
  if (size < 1) return null;
  const minEnv = Number(process.env.RMQ_FORENSICS_WORKER_MIN_BYTES ?? '');
  const minBytes = Number.isFinite(minEnv) && process.env.RMQ_FORENSICS_WORKER_MIN_BYTES !== undefined ? minEnv : MIN_BYTES;
  return new WorkerPool(size, minBytes, process.env.RMQ_FORENSICS_WORKER_MIN_BYTES !== undefined ? minBytes : WORKERS_FROM);
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

class WorkerPool implements Pool {
  private readonly slots: Slot[] = [];
  private readonly queue: { task: WorkerTask; done: (r: WorkerReply) => void }[] = [];
  private readonly waiting = new Map<number, { slot: Slot; done: (r: WorkerReply) => void }>();
  private nextId = 1;

  constructor(
    private readonly size: number,
    private readonly minBytes: number,
    private readonly from: number,
  ) {}

  /** Text seen so far (file sizes; a gzipped one's text size): workers start once it reaches `from`. */
  private seen = 0;

  idle(): boolean {
    return this.queue.length === 0 && (this.slots.length < this.size || this.slots.some((s) => !s.busy));
  }

  wants(src: SourceFile, known = 0): boolean {
    // (a gzipped log's text size from its trailer, else about ten times its size; what a scan
    // read before is not read again)
    const text = Math.max(0, (src.textSize ?? (src.size ?? 0) * (src.gzipped ? GZIP_TEXT_GUESS : 1)) - known);
    this.seen += text;
    return src.independent === true && src.mtimeMs !== null && !src.path.includes('!/') && text >= this.minBytes && this.seen >= this.from;
  }

  async read(src: SourceFile, opts: IngestOptions, budget: ByteBudget): Promise<FileRead> {
    const { stdin: _stdin, progress: _progress, ...plain } = opts;
    void _stdin;
    void _progress;
    const task: WorkerTask = { id: this.nextId++, path: src.path, rel: src.rel, opts: plain, limits: { file: budget.limits.file, run: budget.limits.run }, used: budget.shared, spillDir: spillDir() };
    const reply = await new Promise<WorkerReply>((done) => {
      this.queue.push({ task, done });
      this.pump();
    });
    if (!reply.ok) {
      const report = emptyReport(src);
      report.skipped = `unreadable: ${reply.error}`;
      report.detection = report.skipped;
      return { report, events: [], series: [], cold: null, warm: null, reparse: null };
    }
    const again = reply.reparse ? reparser(reply.reparse) : null;
    const cold = reply.cold && again ? ColdFile.restore(reply.cold, again) : null;
    const warm = reply.warm && again ? ColdFile.restore(reply.warm, again) : null;
    return { report: reply.report, events: reply.events, series: reply.series.map((s) => ColumnarSeries.restore(s)), cold, warm, reparse: reply.reparse };
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const { task, done } = this.queue.shift()!;
      slot.busy = true;
      slot.worker.ref();
      this.waiting.set(task.id, { slot, done });
      slot.worker.postMessage(task);
    }
  }

  private spawn(): Slot {
    // (an 8 MB young generation: at 1 GiB the run's peak is 15–20 MB lower than with 16, as fast)
    const worker = new Worker(new URL('./worker.js', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    const slot: Slot = { worker, busy: false };
    worker.on('message', (reply: WorkerReply) => {
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      slot.busy = false;
      worker.unref();
      w.done(reply);
      this.pump();
    });
    const fail = (why: string): void => {
      // A worker that died takes its task with it: that file is reported unreadable, the rest go on.
      this.slots.splice(this.slots.indexOf(slot), 1);
      for (const [id, w] of this.waiting) {
        if (w.slot !== slot) continue;
        this.waiting.delete(id);
        w.done({ id, ok: false, error: why });
      }
      this.pump();
    };
    worker.on('error', (e) => fail(`reader thread failed: ${e instanceof Error ? e.message : String(e)}`));
    worker.on('exit', (code) => {
      if (this.slots.includes(slot)) fail(`reader thread exited (${code})`);
    });
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  async close(): Promise<void> {
    const all = this.slots.splice(0);
    await Promise.all(all.map((s) => s.worker.terminate()));
  }
}
