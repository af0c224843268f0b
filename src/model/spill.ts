import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { processAlive } from './pid.js';

/**
 * Where the bulk of a big bundle's rows go while the rules do not need them: an append-only temp
 * file per thread (mode 0600, in a private directory under the system temp dir, removed when the
 * process exits), read back block by block on demand. It holds derived rows only — commit offsets
 * and times, compressed routine lines — never an archive entry. Without a writable temp dir the
 * rows stay in memory (`spillWriter()` is null). A directory left by a killed run is removed by
 * the next one (`sweepDead`).
 */

let dir: string | null = null;
let ownDir = false;
/** Set in a worker whose parent has no spill directory: never make one of its own (it would go with the worker). */
let disabled = false;
let writer: SpillWriter | null | undefined;
const readers = new Map<string, number>();

/** The directory spill files go in: this process's own, created on first use (or the one a parent thread gave). */
export function spillDir(): string | null {
  if (dir !== null) return dir;
  if (disabled || process.env.RMQ_FORENSICS_SPILL === '0') return null;
  try {
    sweepDead();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${hostTag()}-${process.pid}-`));
    ownDir = true;
    process.once('exit', removeSpill);
  } catch {
    dir = null;
  }
  return dir;
}

const PREFIX = 'rmq-forensics-';

/** This machine's name as it goes into a spill directory's name (a temp dir may be shared between containers). */
function hostTag(): string {
  return (os.hostname().replace(/[^A-Za-z0-9.]/g, '_') || 'host').slice(0, 40);
}

/**
 * A run killed outright (SIGKILL, the OOM killer, `timeout -s KILL` in cron) cannot remove its
 * directory. The next run does: a directory of this machine and this user whose process is gone.
 * A live process — or one this user may not signal — keeps its directory.
 */
function sweepDead(): void {
  const tmp = os.tmpdir();
  const mine = new RegExp(`^${PREFIX}${hostTag().replace(/\./g, '\\.')}-(\\d+)-[A-Za-z0-9]{6}$`);
  let names: string[];
  try {
    names = fs.readdirSync(tmp);
  } catch {
    return;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const m = mine.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    try {
      const full = path.join(tmp, name);
      const st = fs.lstatSync(full);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
      fs.rmSync(full, { recursive: true, force: true });
    } catch {
      // another run swept it first, or it is not ours to remove
    }
  }
}

/** A worker thread writes into its parent's directory (the parent removes it), or nowhere. */
export function useSpillDir(d: string | null): void {
  if (dir !== null) return;
  if (d !== null) dir = d;
  else disabled = true;
}

function removeSpill(): void {
  for (const fd of readers.values()) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
  }
  readers.clear();
  if (ownDir && dir) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // nothing more can be done at exit
    }
  }
}

export class SpillWriter {
  size = 0;
  private constructor(
    readonly path: string,
    private readonly fd: number,
  ) {}

  static open(): SpillWriter | null {
    const d = spillDir();
    if (d === null) return null;
    try {
      const p = path.join(d, `rows-${process.pid}-${threadId}.bin`);
      return new SpillWriter(p, fs.openSync(p, 'w+', 0o600));
    } catch {
      return null;
    }
  }

  /** False once a write failed (a full disk): callers keep their rows in memory from then on. */
  ok = true;

  /** Appends bytes; returns where they start, or -1 when they could not be written (then keep them). */
  append(bytes: Uint8Array): number {
    if (!this.ok) return -1;
    const at = this.size;
    try {
      let done = 0;
      while (done < bytes.length) done += fs.writeSync(this.fd, bytes, done, bytes.length - done, at + done);
    } catch {
      this.ok = false;
      return -1;
    }
    this.size += bytes.length;
    return at;
  }
}

/** This thread's spill file (null: keep rows in memory). */
export function spillWriter(): SpillWriter | null {
  if (writer === undefined) writer = SpillWriter.open();
  return writer;
}

/** Reads `length` bytes at `offset` of a spill file (of this thread or another). */
export function readSpill(file: string, offset: number, length: number): Buffer {
  let fd = readers.get(file);
  if (fd === undefined) {
    fd = fs.openSync(file, 'r');
    readers.set(file, fd);
  }
  // (its own memory, offset 0: typed-array views of it are aligned)
  const out = Buffer.allocUnsafeSlow(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, out, done, length - done, offset + done);
    if (n === 0) throw new Error(`spill file ${file} is shorter than expected`);
    done += n;
  }
  return out;
}
