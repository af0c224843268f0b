import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import type { ByteBudget } from './budget.js';
import { gb18030Check, type TextEncoding } from './sniff.js';
import type { Chunks } from './stream.js';

/** Longest line kept; the rest of a longer line is dropped (and counted) without being buffered. */
export const MAX_LINE_BYTES = 64 * 1024;

export interface Decoding {
  /** `auto`: UTF-8, a line that is not valid UTF-8 but valid GB18030 is read as GB18030. */
  mode: 'auto' | 'forced';
  /** The file's encoding (auto-detected or forced): an iconv-lite name. */
  encoding: TextEncoding | string;
}

export interface LineStats {
  lines: number;
  /** Decompressed bytes consumed. */
  bytes: number;
  /** Lines longer than MAX_LINE_BYTES (cut). */
  overlong: number;
  /** NUL bytes removed, and the lines they were in. */
  nulBytes: number;
  nulLines: number;
  /** Lines (of a UTF-8 file in auto mode) that were not UTF-8 and were read as GB18030. */
  fallbackLines: number;
  /** The --max-bytes bound reading stopped at, if any. */
  stoppedAt: 'file' | 'run' | null;
  /** A read error (truncated gzip, archive entry cut): what came before was used. */
  error: Error | null;
  /** Offset (skipped bytes included) just after the last complete line, and lines up to it: where a later scan resumes. */
  completeBytes: number;
  completeLines: number;
}

const LF = 0x0a;
const CR = 0x0d;

/** Turns one line's bytes into text: BOM, NUL bytes and encoding handled. */
export class LineDecoder {
  nulBytes = 0;
  nulLines = 0;
  fallbackLines = 0;
  constructor(private readonly decoding: Decoding) {}

  decode(buf: Buffer, first: boolean): string {
    if (first && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    let text: string;
    const enc = this.decoding.encoding;
    if (isAscii(buf)) text = buf.toString('latin1');
    else if (enc === 'utf8' || enc === 'utf-8') {
      if (this.decoding.mode === 'auto' && !isUtf8(buf) && gb18030Check(buf, true).invalid === 0) {
        this.fallbackLines++;
        text = iconv.decode(buf, 'gb18030');
      } else text = buf.toString('utf8');
    } else text = iconv.decode(buf, enc);
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.includes('\0')) {
      const before = text.length;
      text = text.replace(/\0/g, '');
      this.nulBytes += before - text.length;
      this.nulLines++;
    }
    return text;
  }
}

/**
 * Takes the next chunk against the bounds: the part of it that may be read, and the bound met.
 * `fileBytes`: what this file read so far. The run's count is updated as bytes are taken, so files
 * read at the same time share the run bound.
 */
export function takeBytes(budget: ByteBudget, fileBytes: number, fileLimit: number, chunk: Buffer): { chunk: Buffer; stop: 'file' | 'run' | null } {
  const fileRoom = fileLimit - fileBytes;
  const taken = budget.take(chunk.length, fileRoom);
  if (taken === chunk.length) return { chunk, stop: null };
  return { chunk: chunk.subarray(0, taken), stop: taken >= fileRoom ? 'file' : 'run' };
}

/**
 * Splits a byte stream into lines (LF, CRLF, or a lone CR), never holding more than
 * MAX_LINE_BYTES of one line, and stops at the --max-bytes bounds. `onLine` gets each decoded
 * line (CR stripped) with its 1-based number.
 */
export async function readLines(
  source: Chunks,
  decoder: LineDecoder,
  budget: ByteBudget,
  onLine: (text: string, lineNo: number) => void,
  resume: { skipBytes: number; startLine: number } | null = null,
  /** Takes a whole line (LF excluded) from the bytes when it can (then it is not decoded); never the first line of a file. */
  onBytes: ((buf: Buffer, start: number, end: number, lineNo: number) => boolean) | null = null,
  /** When the source reuses its buffer: called after each chunk, so that whoever holds on to its bytes copies them. */
  onRelease: (() => void) | null = null,
): Promise<LineStats> {
  const release = source.reused ? onRelease : null;
  const lineBase = resume?.startLine ?? 0;
  const skipBase = resume?.skipBytes ?? 0;
  let toSkip = skipBase;
  // (a plain file resumes by seeking, not by reading what an earlier run read)
  if (toSkip > 0 && source.skip) toSkip -= source.skip(toSkip);
  const stats: LineStats = {
    lines: 0,
    bytes: 0,
    overlong: 0,
    nulBytes: 0,
    nulLines: 0,
    fallbackLines: 0,
    stoppedAt: null,
    error: null,
    completeBytes: skipBase,
    completeLines: lineBase,
  };
  // The current, unfinished line: pieces (at most MAX_LINE_BYTES in all) and whether it was cut.
  let pieces: Buffer[] = [];
  let pieceBytes = 0;
  let cut = false;

  const emit = (buf: Buffer): void => {
    stats.lines++;
    onLine(decoder.decode(buf, stats.lines === 1 && lineBase === 0), lineBase + stats.lines);
  };
  /** A complete line (LF excluded): split on lone CRs, strip a trailing CR. */
  const finish = (buf: Buffer): void => {
    if (cut) stats.overlong++;
    cut = false;
    let start = 0;
    for (;;) {
      const cr = buf.indexOf(CR, start);
      if (cr === -1 || cr === buf.length - 1) break;
      emit(buf.subarray(start, cr));
      start = cr + 1;
    }
    const end = buf.length > start && buf[buf.length - 1] === CR ? buf.length - 1 : buf.length;
    emit(buf.subarray(start, end));
  };
  const add = (buf: Buffer): void => {
    if (buf.length === 0) return;
    const room = MAX_LINE_BYTES - pieceBytes;
    if (room <= 0) {
      cut = true;
      return;
    }
    if (buf.length > room) {
      cut = true;
      buf = buf.subarray(0, room);
    }
    // Copy: a piece must not pin the (possibly large) chunk it came from.
    pieces.push(Buffer.from(buf));
    pieceBytes += buf.length;
  };
  const take = (): Buffer => {
    const b = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, pieceBytes);
    pieces = [];
    pieceBytes = 0;
    return b;
  };

  try {
    for await (let buf of source) {
      if (toSkip > 0) {
        // Resuming (scan): what an earlier run read is passed over without being parsed.
        if (buf.length <= toSkip) {
          toSkip -= buf.length;
          continue;
        }
        buf = buf.subarray(toSkip);
        toSkip = 0;
      }
      const taken = takeBytes(budget, stats.bytes, budget.limits.file, buf);
      const chunk = taken.chunk;
      stats.stoppedAt = taken.stop;
      const chunkStart = stats.bytes;
      stats.bytes += chunk.length;
      // (an all-ASCII chunk: its lines are read as latin1 text straight from it, as decode would)
      const ascii = isAscii(chunk);
      let start = 0;
      for (;;) {
        const lf = chunk.indexOf(LF, start);
        if (lf === -1) break;
        if (pieceBytes === 0 && !cut) {
          const quick = (stats.lines > 0 || lineBase > 0) && lf - start <= MAX_LINE_BYTES;
          let text: string | null;
          if (quick && onBytes !== null && onBytes(chunk, start, lf, lineBase + stats.lines + 1)) stats.lines++;
          else if (quick && ascii && (text = plainLine(chunk, start, lf)) !== null) {
            stats.lines++;
            onLine(text, lineBase + stats.lines);
          } else {
            const line = chunk.subarray(start, lf);
            if (line.length > MAX_LINE_BYTES) {
              cut = true;
              finish(line.subarray(0, MAX_LINE_BYTES));
            } else finish(line);
          }
        } else {
          add(chunk.subarray(start, lf));
          finish(take());
        }
        start = lf + 1;
        stats.completeBytes = skipBase + chunkStart + start;
        stats.completeLines = lineBase + stats.lines;
      }
      add(chunk.subarray(start));
      if (release !== null) release();
      if (stats.stoppedAt) break;
    }
  } catch (e) {
    stats.error = e instanceof Error ? e : new Error(String(e));
  } finally {
    source.close();
  }
  if (pieceBytes > 0 || cut) finish(take());
  stats.nulBytes = decoder.nulBytes;
  stats.nulLines = decoder.nulLines;
  stats.fallbackLines = decoder.fallbackLines;
  return stats;
}

/**
 * A line of an all-ASCII chunk as text, as decoding it would give it (a trailing CR dropped), or
 * null when it holds a lone CR or a NUL byte: those take the long way, which splits and counts them.
 */
function plainLine(chunk: Buffer, start: number, end: number): string | null {
  const text = chunk.toString('latin1', start, end);
  const cr = text.indexOf('\r');
  if ((cr !== -1 && cr !== text.length - 1) || text.includes('\0')) return null;
  return cr === -1 ? text : text.slice(0, cr);
}

/**
 * Counts the lines of a skipped (binary) file without decoding them, reading at most `maxBytes`:
 * a skipped file still accounts for its lines (all `skipped`).
 */
export async function countLines(source: Chunks, budget: ByteBudget, maxBytes: number): Promise<{ lines: number; bytes: number }> {
  let lines = 0;
  let bytes = 0;
  let partial = false;
  try {
    for await (const raw of source) {
      const taken = takeBytes(budget, bytes, Math.min(maxBytes, budget.limits.file), raw);
      const chunk = taken.chunk;
      bytes += chunk.length;
      let start = 0;
      for (;;) {
        const lf = chunk.indexOf(LF, start);
        if (lf === -1) break;
        lines++;
        start = lf + 1;
      }
      if (start < chunk.length) partial = true;
      else if (chunk.length > 0) partial = false;
      if (taken.stop) break;
    }
  } catch {
    // A read error in a skipped file: the count so far stands.
  } finally {
    source.close();
  }
  return { lines: partial ? lines + 1 : lines, bytes };
}
