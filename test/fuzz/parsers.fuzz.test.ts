import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { APP_LOG_FORMAT } from '../../src/formats/app-log.js';
import { detectFormat, FORMATS } from '../../src/formats/index.js';
import type { Format } from '../../src/formats/types.js';
import { parseWith, type Parsed } from '../helpers.js';
import { check, FILE_SEEDS, LINE_SEEDS, mutatedArb, mutatedFileArb } from './mutate.js';

/**
 * Every parser, fed random and mutated real lines and documents: never throws, and the line
 * accounting identity holds (total = recognised + unrecognised + continuation + skipped, and total
 * is the number of lines fed). Events point at a line of the input and carry a numeric instant.
 */

const CONSUME_PATTERN = /^(?<time>\S+ \S+) .*handleMessage msgId=(?<msgId>[0-9A-F]{32}) group=(?<group>\S+)/;
const ALL: Format[] = [...FORMATS.filter((f) => f !== APP_LOG_FORMAT), APP_LOG_FORMAT];

function linesOf(text: string): number {
  const lines = text.split('\n');
  return lines.length > 1 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
}

function assertSound(format: Format, text: string, p: Parsed): void {
  const c = p.counts;
  assert.equal(c.recognised + c.unrecognised + c.continuation + c.skipped, c.total, `${format.id}: accounting ${JSON.stringify(c)}`);
  assert.equal(c.total, linesOf(text), `${format.id}: total ${c.total} for ${linesOf(text)} lines`);
  for (const k of ['recognised', 'unrecognised', 'continuation', 'skipped'] as const) assert.ok(c[k] >= 0 && Number.isInteger(c[k]), `${format.id}: ${k}=${c[k]}`);
  for (const e of p.events) {
    assert.ok(Number.isInteger(e.line) && e.line >= 1 && e.line <= c.total, `${format.id}: event ${e.kind} at line ${e.line} of ${c.total}`);
    assert.equal(typeof e.instant, 'number', `${format.id}: event ${e.kind} instant`);
    assert.equal(typeof e.raw, 'string');
  }
}

/** Parses a text with every format (as if forced with --input-format) and with the one detection picks. */
function parseEverywhere(text: string): void {
  for (const f of ALL) {
    const p = parseWith(f, text, f === APP_LOG_FORMAT ? { consumePattern: CONSUME_PATTERN } : {});
    assertSound(f, text, p);
  }
  const head = text.split('\n').slice(0, 200).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  detectFormat(head, 'rocketmq_client.log', CONSUME_PATTERN);
}

describe('fuzz: parsers never throw and keep the line accounting', () => {
  it('mutated signature and layout samples, one entry each', () => {
    check('line samples', fc.property(mutatedArb(LINE_SEEDS), (text) => parseEverywhere(text)), 200);
  });

  it('files of several mutated samples and random lines', () => {
    check('line files', fc.property(mutatedFileArb(LINE_SEEDS), (text) => parseEverywhere(text)), 60);
  });

  it('mutated structured documents (traces, mqadmin output, app logs)', () => {
    check('documents', fc.property(mutatedArb(FILE_SEEDS.map((s) => s.text)), (text) => parseEverywhere(text)), 100);
  });

  it('random text', () => {
    const line = fc.oneof(fc.string({ unit: 'binary', maxLength: 120 }), fc.string({ unit: 'grapheme-ascii', maxLength: 120 }));
    check('random', fc.property(fc.array(line, { maxLength: 20 }), (ls) => parseEverywhere(ls.join('\n'))), 100);
  });

  it('the unmutated seeds parse with sound accounting too', () => {
    for (const s of [...LINE_SEEDS, ...FILE_SEEDS.map((f) => f.text)]) parseEverywhere(s);
  });
});
