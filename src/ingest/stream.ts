import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * Reads up to `n` bytes from the start of a stream without losing them: returns the head and a
 * stream that yields the head followed by the rest. Never buffers more than `n` bytes.
 */
export async function peek(stream: Readable, n: number): Promise<{ head: Buffer; stream: Readable; error: Error | null }> {
  const chunks: Buffer[] = [];
  let size = 0;
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let done = false;
  let error: Error | null = null;
  while (size < n) {
    let r: IteratorResult<Buffer | string>;
    try {
      r = await iterator.next();
    } catch (e) {
      // What was read before the error (a truncated .gz) is still used; the caller reports it.
      error = e instanceof Error ? e : new Error(String(e));
      done = true;
      break;
    }
    if (r.done) {
      done = true;
      break;
    }
    const buf = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    chunks.push(buf);
    size += buf.length;
  }
  const all = Buffer.concat(chunks);
  const head = all.subarray(0, Math.min(n, all.length));
  const out = new PassThrough({ highWaterMark: 1 << 16 });
  out.write(all);
  if (done) {
    out.end();
  } else {
    (async () => {
      try {
        for (;;) {
          const r = await iterator.next();
          if (r.done) break;
          if (!out.write(r.value)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        }
        out.end();
      } catch (err) {
        out.destroy(err as Error);
      }
    })();
  }
  return { head, stream: out, error };
}

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

export function isZip(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

export function isTar(head: Buffer): boolean {
  return head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar';
}

/** Transparent gunzip that tolerates trailing garbage and reports truncation as an error. */
export function gunzip(stream: Readable): Readable {
  const gz = createGunzip();
  stream.on('error', (e) => gz.destroy(e));
  return stream.pipe(gz);
}

/** Heuristic binary check on a head: NUL bytes or many control characters. */
export function looksBinary(head: Buffer): string | null {
  if (head.length === 0) return null;
  const n = Math.min(head.length, 8192);
  let nul = 0;
  let ctrl = 0;
  for (let i = 0; i < n; i++) {
    const b = head[i]!;
    if (b === 0) nul++;
    else if (b < 9 || (b > 13 && b < 32 && b !== 27 && b !== 1 && b !== 2)) ctrl++;
  }
  if (nul > 0 && nul / n > 0.01) return `binary content (${nul} NUL bytes in the first ${n})`;
  if (ctrl / n > 0.1) return `binary content (${ctrl} control bytes in the first ${n})`;
  const text = head.subarray(0, n).toString('utf8');
  let bad = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0xfffd) bad++;
  if (bad / text.length > 0.2) return `binary content (${bad} invalid UTF-8 sequences in the first ${n} bytes)`;
  return null;
}
