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
