import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteBudget, DEFAULT_LIMITS } from '../../src/ingest/budget.js';
import { LineDecoder, MAX_LINE_BYTES, readLines } from '../../src/ingest/lines.js';
import type { Chunks } from '../../src/ingest/stream.js';

/** Chunks of the given pieces (each piece one chunk). */
function chunksOf(pieces: Buffer[]): Chunks {
  return {
    reused: false,
    close() {},
    async *[Symbol.asyncIterator]() {
      for (const p of pieces) yield p;
    },
  };
}

async function linesOf(pieces: Buffer[]): Promise<{ lines: string[]; stats: Awaited<ReturnType<typeof readLines>> }> {
  const lines: string[] = [];
  const stats = await readLines(chunksOf(pieces), new LineDecoder({ mode: 'auto', encoding: 'utf8' }), new ByteBudget(DEFAULT_LIMITS), (t, n) => {
    assert.equal(n, lines.length + 1);
    lines.push(t);
  });
  return { lines, stats };
}

/** Every split of the bytes into two chunks must give the same lines and counts as one chunk. */
async function sameInEveryCut(bytes: Buffer): Promise<{ lines: string[]; stats: Awaited<ReturnType<typeof readLines>> }> {
  const whole = await linesOf([bytes]);
  for (let cut = 1; cut < bytes.length; cut++) {
    const two = await linesOf([bytes.subarray(0, cut), bytes.subarray(cut)]);
    assert.deepEqual(two.lines, whole.lines, `cut at ${cut}`);
    assert.equal(two.stats.nulBytes, whole.stats.nulBytes);
    assert.equal(two.stats.overlong, whole.stats.overlong);
  }
  return whole;
}

describe('readLines: all-ASCII chunks read straight as text, the same lines as decoding each', () => {
  it('CRLF, a lone CR, NUL bytes, an empty line and a last line without LF', async () => {
    const text = 'first line\r\n2023-09-05 03:05:30,012 INFO a - b\r\nx\ry\n\nnul\0here\0\nlast';
    const { lines, stats } = await sameInEveryCut(Buffer.from(text, 'latin1'));
    assert.deepEqual(lines, ['first line', '2023-09-05 03:05:30,012 INFO a - b', 'x', 'y', '', 'nulhere', 'last']);
    assert.equal(stats.nulBytes, 2);
    assert.equal(stats.nulLines, 1);
  });

  it('a chunk with UTF-8 and GB18030 lines next to ASCII ones', async () => {
    const gb = Buffer.from([0xc4, 0xe3, 0xba, 0xc3]); // 你好 in GB18030
    const bytes = Buffer.concat([Buffer.from('ascii one\nutf8 消费\n'), Buffer.from('gb '), gb, Buffer.from('\nascii two\n')]);
    const { lines, stats } = await sameInEveryCut(bytes);
    assert.deepEqual(lines, ['ascii one', 'utf8 消费', 'gb 你好', 'ascii two']);
    assert.equal(stats.fallbackLines, 1);
  });

  it('a line longer than the bound is cut, in an ASCII chunk too', async () => {
    const long = 'L'.repeat(MAX_LINE_BYTES + 10);
    const { lines, stats } = await linesOf([Buffer.from(`short\n${long}\nafter\n`)]);
    assert.deepEqual(lines, ['short', 'L'.repeat(MAX_LINE_BYTES), 'after']);
    assert.equal(stats.overlong, 1);
  });

  it('a BOM on the first line is dropped', async () => {
    const { lines } = await sameInEveryCut(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('head\nnext\n')]));
    assert.deepEqual(lines, ['head', 'next']);
  });
});
