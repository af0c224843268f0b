import { createHash } from 'node:crypto';

/**
 * `scan` reads only what is new: a file whose content starts as a file an earlier run read (by
 * content, so a renamed, rotated or gzipped piece is recognised) is read from where that run
 * stopped. Plain data, so that reader threads resume files too.
 */

/** Where an earlier run stopped reading a content, and the identity of that content. */
export interface ResumePoint {
  /** The path it was read under last (only a hint for scheduling: the content decides). */
  path?: string;
  /** Hash of the first `headLength` bytes of the (decompressed) content. */
  headHash: string;
  headLength: number;
  /** Decompressed bytes and lines read (to the end of the last complete line). */
  bytesRead: number;
  linesRead: number;
  /** The format and host the content was read as (a scan state has them). */
  format?: string | null;
  host?: string | null;
}

export interface ResumeProbe {
  /** A document format (JSON export, mqadmin output, snapshot): resumed whole or not at all. */
  document: boolean;
  /** The first bytes of the (decompressed) content. */
  head: Buffer;
  size: number | null;
  /** Gzipped or an archive entry: `size` is not the content's size. */
  compressed: boolean;
}

/** Hash of the first `n` bytes of content: the identity of a log whatever its name or compression. */
export function headHash(head: Buffer, n: number): string {
  return createHash('sha1').update(head.subarray(0, n)).digest('hex');
}

/**
 * Where to resume a content: the furthest point read of a content with the same head (a
 * document: the same whole head), or null (read it whole). A plain file shorter than what was
 * read was truncated: it is new content.
 */
export function findResume(points: readonly ResumePoint[], probe: ResumeProbe): { skipBytes: number; startLine: number } | null {
  let best: ResumePoint | null = null;
  const hashes = new Map<number, string>();
  for (const f of points) {
    // (the cheap tests first: a hash per distinct head length is most of a fleet's cost)
    if (f.headLength > probe.head.length) continue;
    if (probe.document && f.headLength !== probe.head.length) continue;
    if (probe.size !== null && !probe.compressed && probe.size < f.bytesRead) continue;
    if (best && f.bytesRead <= best.bytesRead) continue;
    let h = hashes.get(f.headLength);
    if (h === undefined) hashes.set(f.headLength, (h = headHash(probe.head, f.headLength)));
    if (h !== f.headHash) continue;
    best = f;
  }
  return best ? { skipBytes: best.bytesRead, startLine: best.linesRead } : null;
}

/**
 * A plain file an earlier run read to its very end, unchanged since: the point whose head matches
 * and which read as many bytes as the file has (findResume would resume it at its end: nothing to
 * read), with the format it was read as — a document's only when the whole head was its identity.
 * The file then needs no format detection, only its report. Null otherwise.
 */
export function unchangedSince(points: readonly ResumePoint[], head: Buffer, size: number, isDocument: (format: string) => boolean | null): ResumePoint | null {
  const hashes = new Map<number, string>();
  for (const f of points) {
    if (f.bytesRead !== size || f.headLength > head.length || !f.format) continue;
    const document = isDocument(f.format);
    if (document === null || (document && f.headLength !== head.length)) continue;
    let h = hashes.get(f.headLength);
    if (h === undefined) hashes.set(f.headLength, (h = headHash(head, f.headLength)));
    if (h === f.headHash) return f;
  }
  return null;
}
