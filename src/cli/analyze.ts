import type { Command } from 'commander';
import { analyze, type Analysis } from '../analyze.js';
import { nothingRead } from '../report/inputs.js';
import { renderMarkdown } from '../report/render-markdown.js';
import { renderText } from '../report/render-text.js';
import type { Io } from './main.js';
import { VERSION } from './version.js';
import { addInputOptions, addQuietOption, ingestOptions, UsageError, type RawInputOptions, type RawQuietOption } from './options.js';
import { withProgress } from './progress.js';
import type { RelocateHint } from './thread.js';
import { reportProblems } from './problems.js';

export interface RawAnalyzeOptions extends RawInputOptions, RawQuietOption {
  format: string;
  color: string;
  skew: string;
  failOnFindings?: boolean;
}

export function addReportOptions(cmd: Command, formats: string[]): Command {
  return addInputOptions(
    addQuietOption(cmd)
      .option('--format <fmt>', formats.join('|'), 'text')
      .option('--color <when>', 'auto|always|never (NO_COLOR is honoured)', 'auto')
      .option('--skew <seconds>', 'clock disagreement tolerated between hosts when matching their lines', '5'),
  );
}

export function colorWanted(when: string, io: Io): boolean {
  if (when === 'always') return true;
  if (when === 'never') return false;
  if (when !== 'auto') throw new UsageError(`--color must be auto, always or never, got "${when}"`);
  return io.isTTY && !process.env.NO_COLOR;
}

/** Runs the pipeline with the shared options; reports input problems on stderr; exit 2 when nothing was read. */
export async function runAnalysis(paths: string[], o: RawAnalyzeOptions, io: Io, allowed: string[], hint: RelocateHint = {}): Promise<Analysis | null> {
  if (!allowed.includes(o.format)) throw new UsageError(`--format must be one of ${allowed.join(', ')}, got "${o.format}"`);
  const skew = Number(o.skew);
  if (!Number.isFinite(skew) || skew < 0) throw new UsageError(`--skew expects seconds (a number ≥ 0), got "${o.skew}"`);
  colorWanted(o.color, io);
  const base = ingestOptions(o);
  // The progress line (a terminal only) goes away when reading ends, and on failure.
  const a = await withProgress(paths, io, Boolean(o.quiet), (progress) => analyze(paths, { ...base, stdin: io.stdin, skewMs: skew * 1000, version: VERSION, progress }), hint);
  reportProblems(io, a.ingest.problems, 'the report lists them all');
  for (const w of zoneWarnings(a)) io.err(`rmq-forensics: warning: ${w}\n`);
  if (nothingRead(a.ingest)) {
    io.err(`rmq-forensics: nothing could be read (${a.ingest.files.length} file(s) skipped, ${a.ingest.problems.length} unreadable)\n`);
    io.setExit(2);
    return null;
  }
  return a;
}

/**
 * A client whose commits the broker logs tens of minutes or hours apart is almost always a
 * host-local log read in the wrong zone (the default is this machine's zone): say so.
 */
export function zoneWarnings(a: Analysis): string[] {
  const out: string[] = [];
  for (const [pair, skew] of a.context.skewEstimates) {
    if (Math.abs(skew) < 15 * 60_000) continue;
    const [client, broker] = pair.split('>');
    const hours = Math.round(skew / 360_000) / 10;
    out.push(
      `${client}'s lines are ${Math.abs(hours)} h ${skew > 0 ? 'behind' : 'ahead of'} broker ${broker} (GMT+8) for the same offset commits: its log is probably host-local time in another zone than ${a.tz.name}; pass --tz (or --tz-for) with the zone of that host`,
    );
  }
  return out;
}

export function registerAnalyze(program: Command, io: Io): void {
  addReportOptions(
    program
      .command('analyze', { isDefault: true })
      .description('find every re-delivered message, name its root cause with the log lines that prove it, and the blast radius')
      .argument('<paths...>', 'files, directories (recursive), .gz/.tar.gz/.zip bundles, or - for stdin')
      .option('--fail-on-findings', 'exit 1 when anything was re-delivered')
      .addHelpText(
        'after',
        `
Examples:
  rmq-forensics analyze incident-bundle/                 summary table and evidence chains
  rmq-forensics analyze bundle.tar.gz --format json      the JSON report (schema/report.schema.json)
  rmq-forensics analyze logs/ --format markdown > ticket.md
  rmq-forensics analyze logs/ --tz Asia/Shanghai --tz-for '172.66.6.5/**=UTC'

Exit status: 0 analysis ran (with or without findings), 1 findings with --fail-on-findings,
2 usage error or nothing readable.`,
      ),
    ['text', 'json', 'ndjson', 'markdown'],
  ).action(async (paths: string[], o: RawAnalyzeOptions) => {
    const a = await runAnalysis(paths, o, io, ['text', 'json', 'ndjson', 'markdown']);
    if (!a) return;
    const r = a.report;
    switch (o.format) {
      case 'json':
        io.out(JSON.stringify(r, null, 2) + '\n');
        break;
      case 'ndjson':
        for (const i of r.incidents) io.out(JSON.stringify(i) + '\n');
        break;
      case 'markdown':
        io.out(renderMarkdown(r));
        break;
      default:
        io.out(renderText(r, colorWanted(o.color, io)));
    }
    if (o.failOnFindings && r.incidents.length > 0) io.setExit(1);
  });
}
