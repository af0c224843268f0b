import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * A block of log lines as bytes: the lines joined by `\n`, deflated unless the block is short
 * (a deflate stream's set-up costs more than a few KiB saves: a bundle of thousands of small
 * files has thousands of short blocks).
 */
const PLAIN_BELOW = 8 * 1024;

export function packLines(lines: readonly string[]): { data: Buffer; packed: boolean } {
  const text = Buffer.from(lines.join('\n'), 'utf8');
  if (text.length < PLAIN_BELOW) return { data: text, packed: false };
  return { data: deflateRawSync(text, { level: 1 }), packed: true };
}

export function unpackLines(data: Buffer, packed: boolean): string[] {
  return (packed ? inflateRawSync(data) : data).toString('utf8').split('\n');
}

/**
 * Blocks of lines decompressed, most recently used last, shared by every file's texts (lean events'
 * and warm lines'), up to DECODED_CHARS characters: 64 blocks of 32 Ki characters, or hundreds of
 * the small ones a fleet's files make (a count of 16 blocks thrashed when the texts of thousands
 * of files were read in time order).
 */
const decoded = new Map<object, { lines: string[]; chars: number }>();
const DECODED_CHARS = 2 * 1024 * 1024;
let held = 0;

/** The lines of a block (`key`: the block; `chars`: about how many characters it holds), decoded by `load` when not held. */
export function decodedLines(key: object, chars: number, load: () => string[]): string[] {
  const hit = decoded.get(key);
  if (hit) {
    decoded.delete(key);
    decoded.set(key, hit);
    return hit.lines;
  }
  const lines = load();
  decoded.set(key, { lines, chars });
  held += chars;
  for (const [old, d] of decoded) {
    if (held <= DECODED_CHARS || old === key) break;
    decoded.delete(old);
    held -= d.chars;
  }
  return lines;
}
