/**
 * Bounds on decompressed input (`--max-bytes`): a zip or gzip bomb, or a runaway 1 TB log, stops
 * at the bound for that file or for the whole run, and the stop is reported.
 */

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** Default: 8 GiB of decompressed input per run, 2 GiB per file. */
export const DEFAULT_MAX_RUN_BYTES = 8 * GiB;
export const DEFAULT_MAX_FILE_BYTES = 2 * GiB;

export interface ByteLimits {
  /** Decompressed bytes read in the whole run (every file, archive entries drained on the way). */
  run: number;
  /** Decompressed bytes read from one file. */
  file: number;
}

export const DEFAULT_LIMITS: ByteLimits = { run: DEFAULT_MAX_RUN_BYTES, file: DEFAULT_MAX_FILE_BYTES };

const UNITS: Record<string, number> = { '': 1, b: 1, k: KiB, m: MiB, g: GiB, t: 1024 * GiB };

/** `512M`, `4G`, `1.5GiB`, `100k`, `1048576` → bytes; null when it is not a size. */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text) ?? /^\s*(\d+)\s*(b)\s*$/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
  if (!Number.isFinite(n) || n < 1) return null;
  return Math.floor(n);
}

/**
 * `--max-bytes RUN[,FILE]`: the run bound, optionally followed by the per-file bound. Without the
 * second part the per-file bound is the default (2 GiB) or the run bound when that is smaller.
 */
export function parseLimits(text: string): ByteLimits | null {
  const parts = text.split(',');
  if (parts.length > 2) return null;
  const run = parseSize(parts[0]!);
  if (run === null) return null;
  if (parts.length === 1) return { run, file: Math.min(run, DEFAULT_MAX_FILE_BYTES) };
  const file = parseSize(parts[1]!);
  if (file === null) return null;
  return { run, file: Math.min(run, file) };
}

/** 2147483648 → `2 GiB`, 65536 → `64 KiB`, 1500 → `1500 bytes`. */
export function formatSize(n: number): string {
  for (const [unit, size] of [
    ['TiB', 1024 * GiB],
    ['GiB', GiB],
    ['MiB', MiB],
    ['KiB', KiB],
  ] as const) {
    if (n >= size) {
      const v = n / size;
      return `${Number.isInteger(v) ? v : v.toFixed(1)} ${unit}`;
    }
  }
  return `${n} bytes`;
}

/**
 * Bytes read so far in this run, against the bounds. The count lives in shared memory: reader
 * threads count into the same one (`shared`), so files read at the same time on several threads
 * share the run bound exactly.
 */
export class ByteBudget {
  readonly shared: SharedArrayBuffer;
  private readonly count: BigInt64Array;

  constructor(
    readonly limits: ByteLimits,
    shared?: SharedArrayBuffer,
  ) {
    this.shared = shared ?? new SharedArrayBuffer(8);
    this.count = new BigInt64Array(this.shared);
  }

  get used(): number {
    return Number(Atomics.load(this.count, 0));
  }

  /** Counts bytes read (or passed over) without a bound to check. */
  add(n: number): void {
    Atomics.add(this.count, 0, BigInt(n));
  }

  /** Takes up to `n` bytes of the run's room (and no more than `fileRoom`): how many were taken. */
  take(n: number, fileRoom: number): number {
    for (;;) {
      const cur = Atomics.load(this.count, 0);
      const want = Math.max(0, Math.min(n, fileRoom, this.limits.run - Number(cur)));
      if (Atomics.compareExchange(this.count, 0, cur, cur + BigInt(want)) === cur) return want;
    }
  }

  get exhausted(): boolean {
    return this.used >= this.limits.run;
  }

  describe(kind: 'file' | 'run'): string {
    return kind === 'file'
      ? `the --max-bytes bound of ${formatSize(this.limits.file)} per file was reached; the rest of the file is not used`
      : `the --max-bytes bound of ${formatSize(this.limits.run)} of decompressed input per run was reached; the rest is not used`;
  }
}
