import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import { BROKER_PLAIN, BROKER_STATS, CLIENT_INNER, CLIENT_LOG4J, CLIENT_LOGBACK5, CLIENT_SLF4J, LOGBACK_GMT8 } from '../../src/formats/layouts.js';
import { BROKER_SIGNATURES } from '../../src/formats/signatures/broker.js';
import { CLIENT_SIGNATURES } from '../../src/formats/signatures/client.js';
import { extractException, matchSignature, type Layout } from '../../src/formats/text.js';
import type { AnySignature, Entry } from '../../src/formats/types.js';
import { mq, mqs } from '../../src/formats/signatures/common.js';
import { parseMessageExts } from '../../src/model/queue.js';

/**
 * No catastrophic backtracking: every signature pattern, every layout header and the exception
 * folding are fed adversarial ~100 KB lines (a real sample's prefix followed by fragments that
 * almost match, and the sample with one field blown up) and each exec must finish within a small
 * budget. V8's irregexp backtracks, so one nested quantifier is enough to hang a run on one line.
 */

const SIZE = 100 * 1024;
/** Per exec. Generous against CI noise; a super-linear pattern takes seconds on 100 KB. */
const BUDGET_MS = Number(process.env.REDOS_BUDGET_MS ?? 50);

const FRAGMENTS = [
  'a ',
  ', ',
  '[',
  'MessageQueue [topic=',
  'MessageQueue [topic=t, brokerName=b, queueId=0], ',
  '0123456789',
  '=',
  'a=1, ',
  ' - ',
  'a.',
  ': ',
  '\t',
];

const FAMILIES: { name: string; table: AnySignature[]; layouts: Layout[] }[] = [
  { name: 'client', table: CLIENT_SIGNATURES, layouts: [CLIENT_INNER, CLIENT_LOGBACK5, CLIENT_LOG4J, LOGBACK_GMT8, CLIENT_SLF4J] },
  { name: 'broker', table: BROKER_SIGNATURES, layouts: [LOGBACK_GMT8, BROKER_STATS, BROKER_PLAIN] },
];
const LAYOUTS = [CLIENT_INNER, CLIENT_LOG4J, CLIENT_LOGBACK5, CLIENT_SLF4J, LOGBACK_GMT8, BROKER_STATS, BROKER_PLAIN];

const filled = new Map<string, string>();
function fill(fragment: string, size = SIZE): string {
  const key = `${size}:${fragment}`;
  let s = filled.get(key);
  if (s === undefined) {
    s = fragment.repeat(Math.ceil(size / fragment.length)).slice(0, size);
    if (fragment.length <= 64) filled.set(key, s);
  }
  return s;
}

/** Cut points of a sample: after its anchor, after each `=`, `[`, `: `, `, ` (about 5, evenly spread), and the end. */
function cuts(text: string, anchorEnd: number): number[] {
  const all = new Set<number>([0, anchorEnd, text.length]);
  const inner: number[] = [];
  for (const m of text.matchAll(/=|\[|: |, /g)) inner.push(m.index + m[0].length);
  const step = Math.max(1, Math.ceil(inner.length / 5));
  for (let i = 0; i < inner.length; i += step) all.add(inner[i]!);
  return [...all].filter((n) => n >= 0 && n <= text.length).sort((a, b) => a - b);
}

/** The sample with one field value (after `=`, digits, or inside `[...]`) blown up to 100 KB. */
function blowUps(text: string): string[] {
  const out: string[] = [];
  const fields = [...text.matchAll(/=([^,\]\s)}]+)|(\d{2,})|\[([^\]\[]{1,80})\]/g)].slice(0, 8);
  for (const m of fields) {
    const value = m[1] ?? m[2] ?? m[3] ?? '';
    const start = m.index + m[0].indexOf(value);
    const before = text.slice(0, start);
    const after = text.slice(start + value.length);
    out.push(before + fill(value) + after);
    out.push(before + fill(value[0] ?? 'x') + after);
    out.push(before + fill(/^\d/.test(value) ? '9' : 'a ') + after);
  }
  return out;
}

function adversarial(text: string, anchorEnd: number): string[] {
  const out: string[] = [];
  for (const c of cuts(text, anchorEnd)) {
    const prefix = text.slice(0, c);
    for (const f of FRAGMENTS) out.push(prefix + fill(f, SIZE - prefix.length));
  }
  out.push(...blowUps(text));
  // The whole sample followed by junk (no `$` can match at the end).
  out.push(text + fill(', a=', SIZE) + '\u0000');
  return out;
}

interface Slow {
  what: string;
  ms: number;
  input: string;
}

function time(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** Runs a check up to three times when slow (a run may pay JIT or a GC pause), keeps the best time. */
function measure(fn: () => unknown): number {
  let best = time(fn);
  for (let i = 0; i < 2 && best > BUDGET_MS; i++) best = Math.min(best, time(fn));
  return best;
}

function describeInput(s: string): string {
  return `${JSON.stringify(s.slice(0, 80))}… (${s.length} chars, tail ${JSON.stringify(s.slice(-20))})`;
}

function msgOf(sample: string, layouts: Layout[]): string | null {
  const first = sample.split('\n')[0]!;
  for (const l of layouts) {
    const g = l.header.exec(first)?.groups;
    if (g) return g.msg ?? '';
  }
  return null;
}

function entry(msg: string, continuation: string[] = []): Entry {
  return { msg, continuation, exception: extractException(continuation), level: 'INFO', thread: 'main', logger: null };
}

describe('no catastrophic backtracking on adversarial 100 KB lines', () => {
  for (const fam of FAMILIES) {
    it(`${fam.name} signature patterns (and their fields) stay within ${BUDGET_MS} ms per exec`, () => {
      const slow: Slow[] = [];
      let worst: Slow = { what: '', ms: 0, input: '' };
      let execs = 0;
      for (const s of fam.table) {
        for (const sample of s.samples) {
          const msg = msgOf(sample, fam.layouts);
          assert.ok(msg !== null, `${s.id}: sample fits no layout`);
          const anchorAt = msg.indexOf(s.anchor);
          const anchorEnd = anchorAt < 0 ? 0 : anchorAt + s.anchor.length;
          for (const input of adversarial(msg, anchorEnd)) {
            execs++;
            const ms = measure(() => {
              const m = s.pattern.exec(input);
              if (m) (s.fields as (g: Record<string, string>, e: Entry) => unknown)(m.groups ?? {}, entry(input));
            });
            if (ms > BUDGET_MS) slow.push({ what: s.id, ms, input });
            if (ms > worst.ms) worst = { what: s.id, ms, input };
          }
        }
      }
      assert.ok(execs > 1000, `only ${execs} execs`);
      if (process.env.REDOS_VERBOSE) console.log(`${fam.name}: ${execs} execs, slowest ${worst.what} ${worst.ms.toFixed(2)} ms on ${describeInput(worst.input)}`);
      assert.deepEqual(
        slow.map((x) => `${x.what}: ${x.ms.toFixed(1)} ms on ${describeInput(x.input)}`),
        [],
        'slow patterns',
      );
    });

    it(`${fam.name} table as a whole (anchor + first match) stays within ${BUDGET_MS * 4} ms per line`, () => {
      const slow: string[] = [];
      for (const s of fam.table) {
        const msg = msgOf(s.samples[0]!, fam.layouts)!;
        for (const input of adversarial(msg, msg.indexOf(s.anchor) + s.anchor.length).filter((_, i) => i % 13 === 0)) {
          const ms = measure(() => matchSignature(fam.table, entry(input)));
          if (ms > BUDGET_MS * 4) slow.push(`${s.id}: ${ms.toFixed(1)} ms on ${describeInput(input)}`);
        }
      }
      assert.deepEqual(slow, []);
    });
  }

  it(`layout headers stay within ${BUDGET_MS} ms per exec`, () => {
    const slow: string[] = [];
    for (const layout of LAYOUTS) {
      for (const sample of layout.samples) {
        const msgAt = sample.length - (layout.header.exec(sample)?.groups?.msg ?? '').length;
        const inputs = adversarial(sample, msgAt);
        // Header-shaped junk: a timestamp, then a long run of words without the separator.
        inputs.push(sample.slice(0, 24) + fill('a '), sample.slice(0, 24) + fill('[a] '), sample.slice(0, 24) + fill('INFO '), sample.slice(0, 24) + fill(' \t'));
        for (const input of inputs) {
          const ms = measure(() => layout.header.exec(input));
          if (ms > BUDGET_MS) slow.push(`${layout.id}: ${ms.toFixed(1)} ms on ${describeInput(input)}`);
        }
      }
    }
    assert.deepEqual(slow, []);
  });

  it('exception folding and message helpers stay within budget', () => {
    const slow: string[] = [];
    const lines = [
      fill('a.'),
      fill('a.') + 'Exception',
      'java.lang.' + fill('A'),
      'Caused by: ' + fill('a.'),
      'Caused by: ' + fill('a') + '!',
      'Exception in thread "' + fill('x'),
      fill('\tat '),
      'org.apache.RemotingTimeoutException: ' + fill('<1.1.1.1:'),
      'org.apache.RemotingTimeoutException: ' + fill('from 1.1.1.1'),
      'org.apache.RemotingTimeoutException: ' + fill('0') + '(ms',
    ];
    for (const l of lines) {
      const ms = measure(() => extractException([l, l, 'Caused by: ' + l]));
      if (ms > BUDGET_MS) slow.push(`extractException: ${ms.toFixed(1)} ms on ${describeInput(l)}`);
    }
    for (const f of ['MessageQueue [topic=', 'MessageQueue [topic=a, brokerName=', 'MessageExt [', 'MessageExt [UNIQ_KEY=' + 'A'.repeat(31) + ' ', 'queueId=']) {
      const input = fill(f);
      const a = measure(() => [mqs(input), mq(input)]);
      if (a > BUDGET_MS) slow.push(`mq/mqs: ${a.toFixed(1)} ms on ${describeInput(input)}`);
      const b = measure(() => parseMessageExts(input));
      if (b > BUDGET_MS * 4) slow.push(`parseMessageExts: ${b.toFixed(1)} ms on ${describeInput(input)}`);
    }
    assert.deepEqual(slow, []);
  });
});
