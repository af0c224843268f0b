import Table from 'cli-table3';
import type { Command } from 'commander';
import { ingest, type IngestResult } from '../ingest/index.js';
import { formatInstant } from '../model/time.js';
import { inputsJson, nothingRead } from '../report/inputs.js';
import { neutralize } from '../report/sanitize.js';
import { addInputOptions, ingestOptions, QUIET_HELP, UsageError, type RawInputOptions, type RawQuietOption } from './options.js';
import { withProgress } from './progress.js';
import type { Io } from './main.js';
import { reportProblems } from './problems.js';

export function registerInputs(program: Command, io: Io): void {
  addInputOptions(
    program
      .command('inputs')
      .description('list what was read: per file the detected format, host, zone, time span, line counts and events by kind')
      .argument('<paths...>', 'files, directories (recursive), .gz/.tar.gz/.zip bundles, or - for stdin')
      .option('--format <fmt>', 'text or json', 'text')
      .option('--quiet', QUIET_HELP),
  ).action(async (paths: string[], o: RawInputOptions & RawQuietOption & { format: string }) => {
    if (o.format !== 'text' && o.format !== 'json') throw new UsageError(`--format must be text or json, got "${o.format}"`);
    const base = ingestOptions(o);
    const result = await withProgress(paths, io, Boolean(o.quiet), (progress) => ingest(paths, { ...base, stdin: io.stdin, progress }));
    if (o.format === 'json') io.out(JSON.stringify(inputsJson(result), null, 2) + '\n');
    else io.out(renderInputsText(result));
    reportProblems(io, result.problems, '--format json lists them all');
    if (nothingRead(result)) {
      io.err(`rmq-forensics: nothing could be read (${result.files.length} file(s) skipped, ${result.problems.length} unreadable)\n`);
      io.setExit(2);
    }
  });
}

export function renderInputsText(r: IngestResult): string {
  const t = new Table({
    head: ['file', 'format', 'host', 'zone', 'first', 'last', 'lines', 'recog', 'unrec', 'cont', 'skip', 'events'],
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [34, 16, 14, 9, 21, 21, 8, 7, 7, 7, 6, 30],
  });
  for (const f of r.files) {
    const kinds = Object.entries(f.eventsByKind)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    t.push([
      neutralize(f.file),
      f.format ?? `skipped: ${f.skipped ?? ''}`,
      f.host ? `${f.host}${f.hostFrom === 'content' ? '*' : ''}` : '?',
      f.zone?.zone ?? '',
      f.firstInstant === null ? '' : formatInstant(f.firstInstant, 'UTC').replace('T', ' ').slice(0, 19) + 'Z',
      f.lastInstant === null ? '' : formatInstant(f.lastInstant, 'UTC').replace('T', ' ').slice(0, 19) + 'Z',
      String(f.lines.total),
      String(f.lines.recognised),
      String(f.lines.unrecognised),
      String(f.lines.continuation),
      String(f.lines.skipped),
      kinds,
    ]);
  }
  const totals = r.files.reduce(
    (a, f) => {
      a.total += f.lines.total;
      a.recognised += f.lines.recognised;
      a.unrecognised += f.lines.unrecognised;
      return a;
    },
    { total: 0, recognised: 0, unrecognised: 0 },
  );
  return (
    t.toString() +
    `\n${r.files.length} file(s), ${totals.total} lines, ${totals.recognised} recognised, ${totals.unrecognised} unrecognised, ${r.events.length + r.persists.count + r.cold.count} events` +
    ' (host*: from the client id inside the file)\n'
  );
}
