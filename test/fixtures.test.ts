import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it, before } from 'node:test';
import type { Report } from '../src/report/report.js';
import { FIXTURES, runCli } from './helpers.js';
import { validateReport } from './schema.js';

interface ExpectedLink {
  [k: string]: string | number | null;
}
interface ExpectedIncident {
  cause: string;
  brokerName?: string | null;
  queueId?: number | null;
  chain?: ExpectedLink[];
  [k: string]: unknown;
}
interface Expected {
  description?: string;
  tz?: string;
  args?: string[];
  incidents: ExpectedIncident[];
  redeliveries: { messageId: string; [k: string]: unknown }[];
  summary?: { incidents?: number; byCause?: Record<string, number>; redeliveredMessages?: number };
}

/** Runs the CLI in-process on a fixture and returns the parsed JSON report. */
export async function runReport(dir: string, args: string[] = [], tz = 'Asia/Shanghai'): Promise<{ report: Report; code: number; stderr: string }> {
  const { code, out, err } = await runCli(['analyze', dir, '--format', 'json', '--tz', tz, ...args]);
  return { report: JSON.parse(out) as Report, code, stderr: err };
}

function rel(dir: string, file: string): string {
  return path.relative(dir, file);
}

const bundles = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((d) => existsSync(path.join(FIXTURES, d, 'expected.json'))).sort() : [];

describe('fixture bundles match their expected.json', () => {
  it('there are fixture bundles', () => assert.ok(bundles.length > 0));
  for (const name of bundles) {
    describe(name, () => {
      const dir = path.join(FIXTURES, name);
      const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
      let report: Report;
      before(async () => {
        const r = await runReport(dir, expected.args ?? [], expected.tz ?? 'Asia/Shanghai');
        assert.equal(r.code, 0, r.stderr);
        report = r.report;
      });
      it('report validates against schema/report.schema.json', () => {
        const ok = validateReport(report);
        assert.ok(ok, JSON.stringify(validateReport.errors, null, 2));
      });
      it('line accounting adds up for every input', () => {
        for (const f of report.inputs) {
          const l = f.lines;
          assert.equal(l.recognised + l.unrecognised + l.continuation + l.skipped, l.total, f.file);
        }
      });
      it('has exactly the expected incidents', () => {
        const got = report.incidents.map((i) => `${i.cause}|${i.brokerName}|${i.queueId}`).sort();
        const want = expected.incidents.map((i) => `${i.cause}|${i.brokerName ?? null}|${i.queueId ?? null}`).sort();
        assert.deepEqual(got, want, report.incidents.map((i) => i.summary).join('\n'));
      });
      for (const [n, exp] of expected.incidents.entries()) {
        it(`incident ${n + 1} (${exp.cause}): fields and chain`, () => {
          const inc = report.incidents.find((i) => i.cause === exp.cause && i.brokerName === (exp.brokerName ?? null) && i.queueId === (exp.queueId ?? null));
          assert.ok(inc, `no ${exp.cause} incident on ${exp.brokerName}:${exp.queueId}`);
          for (const [k, v] of Object.entries(exp)) {
            if (k === 'chain' || k === 'description') continue;
            assert.deepEqual((inc as unknown as Record<string, unknown>)[k], v, `${exp.cause}.${k}`);
          }
          // The expected links are an ordered subsequence of the chain.
          let at = 0;
          for (const want of exp.chain ?? []) {
            let found = -1;
            for (let j = at; j < inc.chain.length; j++) {
              const l = inc.chain[j]!;
              const view: Record<string, unknown> = { ...l, file: rel(dir, l.file) };
              if (Object.entries(want).every(([k, v]) => view[k] === v)) {
                found = j;
                break;
              }
            }
            assert.ok(found >= 0, `chain link ${JSON.stringify(want)} not found (in order) in:\n${inc.chain.map((l) => `${l.kind} ${l.host} ${rel(dir, l.file)}:${l.line}`).join('\n')}`);
            at = found + 1;
          }
        });
      }
      it('has exactly the expected re-delivered message ids', () => {
        const got = report.redeliveries.map((r) => r.messageId).sort();
        assert.deepEqual(got, expected.redeliveries.map((r) => r.messageId).sort());
        for (const exp of expected.redeliveries) {
          const r = report.redeliveries.find((x) => x.messageId === exp.messageId)!;
          for (const [k, v] of Object.entries(exp)) assert.deepEqual((r as unknown as Record<string, unknown>)[k], v, `${exp.messageId}.${k}`);
        }
      });
      if (expected.summary) {
        it('summary', () => {
          for (const [k, v] of Object.entries(expected.summary!)) assert.deepEqual((report.summary as unknown as Record<string, unknown>)[k], v, `summary.${k}`);
        });
      }
      it('incident ids are stable across runs', async () => {
        const again = await runReport(dir, expected.args ?? [], expected.tz ?? 'Asia/Shanghai');
        assert.deepEqual(again.report.incidents.map((i) => i.id), report.incidents.map((i) => i.id));
      });
    });
  }
});
