import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { IncidentJson, Report } from './report.js';
import { neutralize, neutralizeOr } from './sanitize.js';

export function makeChalk(color: boolean): ChalkInstance {
  return new Chalk({ level: color ? 1 : 0 });
}

const CONF: Record<string, (c: ChalkInstance, s: string) => string> = {
  high: (c, s) => c.green(s),
  medium: (c, s) => c.yellow(s),
  low: (c, s) => c.red(s),
};

/** Input problems and skipped files listed one by one before the findings; the rest are counted. */
export const LISTED = 20;

/** Human report: a summary table, then each incident's chain with file:line evidence. */
export function renderText(r: Report, color: boolean): string {
  const c = makeChalk(color);
  const out: string[] = [];
  const read = r.inputs.filter((i) => i.format !== null).length;
  const lines = r.inputs.reduce((n, i) => n + i.lines.total, 0);
  const unrec = r.inputs.reduce((n, i) => n + i.lines.unrecognised, 0);
  out.push(c.bold(`rmq-forensics ${r.tool.version}`) + c.dim(` — ${read} of ${r.inputs.length} file(s) read, ${lines} lines (${unrec} unrecognised)`));
  // (a fleet's bundle may have thousands: the first few, then a count, before the findings)
  for (const p of r.problems.slice(0, LISTED)) out.push(c.yellow(`  ! ${neutralize(p.path)}: ${neutralize(p.problem)}`));
  if (r.problems.length > LISTED) out.push(c.yellow(`  ! … and ${r.problems.length - LISTED} more input problems (--format json lists them all)`));
  const skipped = r.inputs.filter((i) => i.skipped !== null);
  for (const f of skipped.slice(0, LISTED)) out.push(c.dim(`  skipped ${neutralize(f.file)}: ${neutralize(f.skipped ?? '')}`));
  if (skipped.length > LISTED) out.push(c.dim(`  … and ${skipped.length - LISTED} more files skipped (\`rmq-forensics inputs\` shows each file)`));
  out.push('');
  if (r.incidents.length === 0) {
    out.push(c.green('No re-delivered message found.') + (r.dismissed.length ? c.dim(` (${r.dismissed.length} message(s) consumed once per group: not duplicates)`) : ''));
    return out.join('\n') + '\n';
  }
  const t = new Table({
    head: ['incident', 'cause', 'conf', 'queue', 'offsets', 'count', 'window'],
    style: { head: [], border: [] },
  });
  for (const i of r.incidents) {
    t.push([
      neutralize(i.id),
      neutralize(i.byDesign ? `${i.cause} (by design)` : i.cause),
      CONF[i.confidence]!(c, i.confidence),
      i.brokerName !== null ? `${neutralizeOr(i.group)} ${neutralize(i.brokerName)}:${i.queueId}` : neutralizeOr(i.group),
      i.offsetRange ? `${i.offsetRange.from}–${i.offsetRange.to}` : '',
      i.redeliveredCount === null ? '' : String(i.redeliveredCount),
      `${i.window.start.slice(0, 19).replace('T', ' ')} → ${i.window.end.slice(11, 19)}`,
    ]);
  }
  out.push(t.toString());
  out.push(
    `${r.summary.incidents} incident(s), ${r.summary.redeliveredMessages} message(s) re-delivered` +
      ` (${r.summary.anomalies} anomal${r.summary.anomalies === 1 ? 'y' : 'ies'}, ${r.summary.byDesign} by design); ${r.redeliveries.length} re-delivered message id(s) named`,
  );
  for (const i of r.incidents) out.push('', ...renderIncident(i, c));
  return out.join('\n') + '\n';
}

/** The first `n` code points of a neutralised text (never half a surrogate pair). */
function clip(text: string, n: number): string {
  if (text.length <= n) return text;
  const cps = Array.from(text.slice(0, n * 2)).slice(0, n);
  return cps.join('');
}

export function renderIncident(i: IncidentJson, c: ChalkInstance): string[] {
  const out: string[] = [];
  out.push(c.bold(`${neutralize(i.id)}  ${neutralize(i.cause)}`) + `  ${CONF[i.confidence]!(c, i.confidence)} confidence${i.byDesign ? c.dim('  (by design)') : ''}`);
  out.push(`  ${neutralize(i.summary)}`);
  out.push(c.bold('  chain:'));
  for (const l of i.chain) {
    out.push(`   ${c.cyan(neutralize(l.time.slice(0, 23).replace('T', ' ')))} ${c.magenta(neutralizeOr(l.host).padEnd(12))} ${neutralize(l.summary)}`);
    out.push(c.dim(`      ${neutralize(l.file)}:${l.line}  ${clip(neutralize(l.text), 220)}`));
  }
  if (i.messageIds.length) out.push(`  messages named: ${i.messageIds.slice(0, 10).map(neutralize).join(', ')}${i.messageIds.length > 10 ? ', …' : ''}`);
  if (i.missingEvidence.length) {
    out.push(c.bold('  missing evidence:'));
    for (const m of i.missingEvidence) out.push(c.yellow(`   - ${neutralize(m)}`));
  }
  out.push(c.bold('  remediation: ') + neutralize(i.remediation));
  return out;
}
