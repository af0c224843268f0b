import type { Command } from 'commander';
import { renderMarkdown } from '../report/render-markdown.js';
import { renderText } from '../report/render-text.js';
import type { Report } from '../report/report.js';
import { runScan } from '../scan/index.js';
import { StateError, writeAtomic } from '../scan/state.js';
import { parseWhen } from '../scan/window.js';
import { colorWanted } from './analyze.js';
import type { Io } from './main.js';
import { addInputOptions, ingestOptions, QUIET_HELP, UsageError, type RawInputOptions, type RawQuietOption } from './options.js';
import { withProgress } from './progress.js';
import { VERSION } from './version.js';
import { reportProblems } from './problems.js';

interface RawScanOptions extends RawInputOptions, RawQuietOption {
  since?: string;
  until?: string;
  state?: string;
  resetState?: boolean;
  failOn: string;
  output?: string;
  format: string;
  color: string;
  skew: string;
  verbose?: boolean;
  lockWait: string;
}

const FORMATS = ['text', 'json', 'ndjson', 'markdown'];

function render(r: Report, format: string, color: boolean): string {
  switch (format) {
    case 'json':
      return JSON.stringify(r, null, 2) + '\n';
    case 'ndjson':
      return r.incidents.map((i) => JSON.stringify(i) + '\n').join('');
    case 'markdown':
      return renderMarkdown(r);
    default:
      return renderText(r, color);
  }
}

export function registerScan(program: Command, io: Io): void {
  addInputOptions(
    program
      .command('scan')
      .description('cron mode: analyse only what is new since the last run, report each finding once, alert by exit code')
      .argument('<paths...>', 'files, directories, bundles (the same paths every run)')
      .option('--since <when>', 'report findings from this time on: RFC 3339, "2023-09-05 02:00" (in --tz), 24h, 90m, 7d, today, yesterday')
      .option('--until <when>', 'report findings before this time (same forms)')
      .option('--state <file>', 'remember what was read and reported here, so the next run reads only what is new')
      .option('--reset-state', 'ignore (and overwrite) an existing state file')
      .option('--fail-on <what>', 'anomalies: exit 1 only for anomalies (the consume position moved back, two stored copies); all: also for by-design retries', 'anomalies')
      .option('--output <file>', 'write the report (json, ndjson or markdown by --format) to this file, atomically')
      .option('--format <fmt>', FORMATS.join('|'), 'text')
      .option('--color <when>', 'auto|always|never', 'auto')
      .option('--skew <seconds>', 'clock disagreement tolerated between hosts', '5')
      .option('--lock-wait <seconds>', 'how long to wait for another scan holding the state lock before refusing', '10')
      .option('--verbose', 'say what was read even when nothing is new')
      .option('--quiet', QUIET_HELP)
      .addHelpText(
        'after',
        `
Exit status: 0 no new findings, 1 new or updated findings (anomalies; by-design retries only with
--fail-on all), 2 error (usage, unreadable input, corrupt or locked state).

Example (crontab, every night at 06:10, last night's logs):
  10 6 * * * rmq-forensics scan /data/rocketmq-logs --since yesterday --until today --state /var/lib/rmq-forensics/state.json --output /var/lib/rmq-forensics/last.md --format markdown || mail -s "RocketMQ re-deliveries" oncall@example.com < /var/lib/rmq-forensics/last.md`,
      ),
  ).action(async (paths: string[], o: RawScanOptions) => {
    if (!FORMATS.includes(o.format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${o.format}"`);
    if (o.failOn !== 'anomalies' && o.failOn !== 'all') throw new UsageError(`--fail-on must be anomalies or all, got "${o.failOn}"`);
    const skew = Number(o.skew);
    if (!Number.isFinite(skew) || skew < 0) throw new UsageError(`--skew expects seconds, got "${o.skew}"`);
    const lockWait = Number(o.lockWait);
    if (!Number.isFinite(lockWait) || lockWait < 0) throw new UsageError(`--lock-wait expects seconds, got "${o.lockWait}"`);
    const base = ingestOptions(o);
    const when = (t: string | undefined): number | null => {
      if (t === undefined) return null;
      try {
        return parseWhen(t, base.tz);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    };
    const window = { since: when(o.since), until: when(o.until) };
    if (window.since !== null && window.until !== null && window.until <= window.since) throw new UsageError('--until must be later than --since');
    let result;
    // The progress line (a terminal only; never in cron) goes away when reading ends, and on failure.
    try {
      result = await withProgress(paths, io, Boolean(o.quiet), (progress) =>
        runScan(paths, {
          ...base,
          progress,
          stdin: io.stdin,
          skewMs: skew * 1000,
          version: VERSION,
          stateFile: o.state ?? null,
          resetState: Boolean(o.resetState),
          window,
          lockWaitMs: lockWait * 1000,
        }),
        { state: o.state ?? null },
      );
    } catch (e) {
      if (e instanceof StateError) throw new UsageError(e.message);
      throw e;
    }
    reportProblems(io, result.report.problems, 'the report lists them all');
    // Nothing new is not an error for a scan; nothing readable at all is.
    if (!result.report.inputs.some((i) => i.format !== null)) {
      io.err(`rmq-forensics: nothing could be read (${result.report.inputs.length} file(s) skipped, ${result.report.problems.length} unreadable)\n`);
      io.setExit(2);
      return;
    }
    const news = result.fresh.length + result.updated.length;
    if (o.verbose) {
      const lines = result.files.reduce((n, f) => n + f.newLines, 0);
      io.err(`rmq-forensics: scan read ${lines} new line(s) in ${result.files.length} file(s); ${result.fresh.length} new, ${result.updated.length} updated finding(s)\n`);
    }
    if (news > 0 || o.output) {
      const text = render(result.report, o.output ? (o.format === 'text' ? 'json' : o.format) : o.format, !o.output && colorWanted(o.color, io));
      if (o.output) await writeAtomic(o.output, text);
      else io.out(text);
    }
    const alerting = [...result.fresh, ...result.updated].filter((i) => o.failOn === 'all' || !i.byDesign);
    if (alerting.length > 0) io.setExit(1);
  });
}
