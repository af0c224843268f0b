import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BROKER_PLAIN, BROKER_STATS, CLIENT_INNER, CLIENT_LOG4J, CLIENT_LOGBACK5, CLIENT_SLF4J, LOGBACK_GMT8 } from '../../src/formats/layouts.js';
import { BROKER_SIGNATURES } from '../../src/formats/signatures/broker.js';
import { CLIENT_SIGNATURES } from '../../src/formats/signatures/client.js';
import { ROOT } from '../helpers.js';

/**
 * Shared pieces of the fuzz tests: seeds (every signature and layout sample, the files of
 * test/samples/) and a mutation arbitrary that damages them the way real bundles are damaged
 * (truncation, flipped bytes, control characters and escape sequences, duplicated or empty fields,
 * huge and negative numbers, CRLF, very long fields, lines dropped or repeated).
 */

/** Fixed seed for reproducibility; override with FUZZ_SEED=… to explore, FUZZ_RUNS_SCALE=… to run longer. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20240510);
const SCALE = Number(process.env.FUZZ_RUNS_SCALE ?? 1);

/** Runs a property with the fixed seed; a failure names the seed and how to replay it. */
export function check<T>(name: string, prop: fc.IAsyncProperty<T> | fc.IProperty<T>, numRuns: number): Promise<void> | void {
  const params = { seed: FUZZ_SEED, numRuns: Math.max(1, Math.round(numRuns * SCALE)), includeErrorInReport: true };
  const fail = (e: unknown): never => {
    const msg = e instanceof Error ? e.message + (e.cause instanceof Error ? `\ncaused by: ${e.cause.stack ?? e.cause.message}` : '') : String(e);
    throw new Error(`fuzz "${name}" failed with FUZZ_SEED=${FUZZ_SEED} (replay: FUZZ_SEED=${FUZZ_SEED} node --test …)\n${msg}`);
  };
  if (prop.isAsync()) return (fc.assert(prop as fc.IAsyncProperty<T>, params) as Promise<void>).catch(fail);
  try {
    fc.assert(prop as fc.IProperty<T>, params);
  } catch (e) {
    fail(e);
  }
}

export const SAMPLES_DIR = path.join(ROOT, 'test', 'samples');

/** Every signature sample (client and broker) and every layout sample: full lines, continuation after `\n`. */
export const LINE_SEEDS: string[] = [
  ...CLIENT_SIGNATURES.flatMap((s) => s.samples),
  ...BROKER_SIGNATURES.flatMap((s) => s.samples),
  ...[CLIENT_INNER, CLIENT_LOG4J, CLIENT_LOGBACK5, CLIENT_SLF4J, LOGBACK_GMT8, BROKER_STATS, BROKER_PLAIN].flatMap((l) => l.samples),
];

/** The structured samples (traces, mqadmin output, app logs) as whole documents. */
export const FILE_SEEDS: { name: string; text: string }[] = readdirSync(SAMPLES_DIR)
  .sort()
  .map((name) => ({ name, text: readFileSync(path.join(SAMPLES_DIR, name), 'utf8') }));

/** Control characters and terminal escape sequences a hostile or broken log may carry. */
export const EVIL = [
  '\u0000',
  '\u0007',
  '\b\b\b\b',
  '\u001b[2J',
  '\u001b[31m',
  '\u001b]0;pwned\u0007',
  '\u001b]8;;http://evil/\u001b\\',
  '\u009b2J',
  '\u202e',
  '\u2066',
  '\r',
  '\r\n',
  '\n',
  '\u2028',
  '\ufeff',
  '\t',
  '\ud800',
];

const NUMBERS = ['99999999999999999999999', '9'.repeat(400), '1e309', '18446744073709551616', '9007199254740993', '-9223372036854775808', 'NaN', 'Infinity', '0x1F', '-0', '1.5'];

export type Mutation =
  | { op: 'truncate'; at: number }
  | { op: 'flip'; at: number; code: number }
  | { op: 'insert'; at: number; what: string }
  | { op: 'dupField'; at: number }
  | { op: 'number'; at: number; what: string }
  | { op: 'negate'; at: number }
  | { op: 'emptyField'; at: number }
  | { op: 'crlf' }
  | { op: 'longField'; at: number; len: number }
  | { op: 'dropLine'; at: number }
  | { op: 'dupLine'; at: number }
  | { op: 'swapLines'; at: number; to: number };

const frac = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: frac }),
  fc.record({ op: fc.constant('flip' as const), at: frac, code: fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }), fc.integer({ min: 0, max: 0xffff })) }),
  fc.record({ op: fc.constant('insert' as const), at: frac, what: fc.oneof(fc.constantFrom(...EVIL), fc.string({ unit: 'binary', maxLength: 16 })) }),
  fc.record({ op: fc.constant('dupField' as const), at: frac }),
  fc.record({ op: fc.constant('number' as const), at: frac, what: fc.constantFrom(...NUMBERS) }),
  fc.record({ op: fc.constant('negate' as const), at: frac }),
  fc.record({ op: fc.constant('emptyField' as const), at: frac }),
  fc.record({ op: fc.constant('crlf' as const) }),
  fc.record({ op: fc.constant('longField' as const), at: frac, len: fc.integer({ min: 300, max: 20_000 }) }),
  fc.record({ op: fc.constant('dropLine' as const), at: frac }),
  fc.record({ op: fc.constant('dupLine' as const), at: frac }),
  fc.record({ op: fc.constant('swapLines' as const), at: frac, to: frac }),
);

function pick<T>(xs: readonly T[], at: number): T | undefined {
  return xs.length === 0 ? undefined : xs[Math.min(xs.length - 1, Math.floor(at * xs.length))];
}

function fieldMatches(text: string): RegExpExecArray[] {
  const re = /([A-Za-z_][\w.]*)[=:] ?([^,\]\s}"]*)/g;
  const out: RegExpExecArray[] = [];
  for (let m = re.exec(text); m !== null && out.length < 500; m = re.exec(text)) out.push(m);
  return out;
}

function digitRuns(text: string): RegExpExecArray[] {
  const re = /\d+/g;
  const out: RegExpExecArray[] = [];
  for (let m = re.exec(text); m !== null && out.length < 500; m = re.exec(text)) out.push(m);
  return out;
}

/** Applies one mutation; positions are fractions of the text (or of its lines / fields). */
export function mutate(text: string, m: Mutation): string {
  const at = 'at' in m ? Math.floor(m.at * (text.length + 1)) : 0;
  switch (m.op) {
    case 'truncate':
      return text.slice(0, at);
    case 'flip':
      return text.slice(0, at) + String.fromCharCode(m.code) + text.slice(at + 1);
    case 'insert':
      return text.slice(0, at) + m.what + text.slice(at);
    case 'dupField': {
      const f = pick(fieldMatches(text), m.at);
      if (!f) return text;
      const end = f.index + f[0].length;
      return text.slice(0, end) + ', ' + f[0] + text.slice(end);
    }
    case 'number': {
      const d = pick(digitRuns(text), m.at);
      return d ? text.slice(0, d.index) + m.what + text.slice(d.index + d[0].length) : text;
    }
    case 'negate': {
      const d = pick(digitRuns(text), m.at);
      return d ? text.slice(0, d.index) + '-' + text.slice(d.index) : text;
    }
    case 'emptyField': {
      const f = pick(fieldMatches(text), m.at);
      if (!f) return text;
      const start = f.index + f[0].length - f[2]!.length;
      return text.slice(0, start) + text.slice(f.index + f[0].length);
    }
    case 'crlf':
      return text.replace(/\r?\n/g, '\r\n');
    case 'longField': {
      const f = pick(fieldMatches(text), m.at);
      if (!f) return text + 'x'.repeat(m.len);
      const value = f[2] || 'x';
      const start = f.index + f[0].length - f[2]!.length;
      return text.slice(0, start) + value.repeat(Math.ceil(m.len / value.length)).slice(0, m.len) + text.slice(f.index + f[0].length);
    }
    case 'dropLine':
    case 'dupLine':
    case 'swapLines': {
      const lines = text.split('\n');
      const i = Math.min(lines.length - 1, Math.floor(m.at * lines.length));
      if (m.op === 'dropLine') lines.splice(i, 1);
      else if (m.op === 'dupLine') lines.splice(i, 0, lines[i]!);
      else {
        const j = Math.min(lines.length - 1, Math.floor(m.to * lines.length));
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      }
      return lines.join('\n');
    }
  }
}

export function mutateAll(text: string, ms: readonly Mutation[]): string {
  return ms.reduce(mutate, text);
}

/** A seed line or document, mutated 0–5 times. */
export function mutatedArb(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...seeds), fc.array(mutationArb, { maxLength: 5 })).map(([s, ms]) => mutateAll(s, ms));
}

/** Several mutated seed lines glued into one file (stack traces and foreign lines in between). */
export function mutatedFileArb(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof({ weight: 8, arbitrary: mutatedArb(seeds) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) }), { minLength: 1, maxLength: 12 })
    .map((ls) => ls.join('\n'));
}

/** Matches any character a terminal may interpret (C0 except newline, DEL, C1, bidi controls, line/paragraph separators). */
// eslint-disable-next-line no-control-regex
export const TERMINAL_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Removes chalk's own SGR colour sequences (ESC [ n m) so only log-derived escapes remain. */
export function stripOwnColour(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[\d{1,3}m/g, '');
}
