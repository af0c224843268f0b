import type { RmqEvent } from '../model/events.js';
import type { Command } from 'commander';
import { queueKeyString, timelineCursor, type TimelineEntry } from '../correlate/index.js';
import { formatInstant } from '../model/time.js';
import { describeEvent } from '../report/describe.js';
import { incidentMarkdown } from '../report/render-markdown.js';
import { makeChalk, renderIncident } from '../report/render-text.js';
import { neutralize, neutralizeOr, safeJson } from '../report/sanitize.js';
import { addReportOptions, colorWanted, runAnalysis, type RawAnalyzeOptions } from './analyze.js';
import type { Io } from './main.js';
import { UsageError } from './options.js';

export function registerExplain(program: Command, io: Io): void {
  addReportOptions(
    program
      .command('explain')
      .description("one message's story: where it was stored, every delivery, and the incident that explains a re-delivery")
      .argument('<messageId>', 'the client msgId (UNIQ_KEY, 32 hex chars)')
      .argument('<paths...>', 'files, directories, bundles, or -'),
    ['text', 'json', 'markdown'],
  ).action(async (messageId: string, paths: string[], o: RawAnalyzeOptions) => {
    if (!/^[0-9A-Fa-f]{32}(?:[0-9A-Fa-f]{24})?$/.test(messageId)) throw new UsageError(`"${messageId}" is not a message id (32 or 56 hex characters)`);
    const a = await runAnalysis(paths, o, io, ['text', 'json', 'markdown']);
    if (!a) return;
    const id = messageId.toUpperCase();
    const entry = a.context.ledger.get(id);
    const redelivery = a.report.redeliveries.find((r) => r.messageId === id) ?? null;
    const incident = redelivery ? a.report.incidents.find((i) => i.id === redelivery.incidentId) ?? null : a.report.incidents.find((i) => i.messageIds.includes(id)) ?? null;
    const dismissed = a.report.dismissed.find((d) => d.messageId === id) ?? null;
    if (o.format === 'json') {
      io.out(
        safeJson(
          {
            messageId: id,
            found: entry !== undefined,
            copies: (entry?.copies ?? []).map((c) => ({ offsetMsgId: c.offsetMsgId, brokerName: c.brokerName, storeHost: c.storeHost, queueId: c.queueId, queueOffset: c.queueOffset, source: { file: c.event.file, line: c.event.line } })),
            deliveries: (entry?.deliveries ?? []).map((d) => ({ time: formatInstant(d.time, a.tz), group: d.group, client: d.client, retryTimes: d.retryTimes, success: d.success, source: { file: d.event.file, line: d.event.line } })),
            redelivery,
            incident,
            dismissed,
          },
          2,
        ) + '\n',
      );
      return;
    }
    const c = makeChalk(colorWanted(o.color, io));
    const out: string[] = [];
    if (!entry) {
      out.push(`message ${id}: not seen in any trace, consume log or stored-copy listing of the bundle.`);
      out.push('Add its message trace (mqadmin queryMsgTraceById, dashboard export) or use --consume-pattern for your own consumer logs.');
      io.out(out.join('\n') + '\n');
      return;
    }
    out.push(c.bold(`message ${id}`));
    for (const cp of entry.copies) {
      out.push(
        `  stored: ${neutralizeOr(cp.brokerName ?? cp.storeHost)} queue ${cp.queueId ?? '?'} offset ${cp.queueOffset ?? '?'} (offsetMsgId ${neutralizeOr(cp.offsetMsgId)})  ${c.dim(`${neutralize(cp.event.file)}:${cp.event.line}`)}`,
      );
    }
    for (const d of entry.deliveries) {
      out.push(
        `  delivered: ${formatInstant(d.time, a.tz)} group ${neutralizeOr(d.group)} client ${neutralizeOr(d.client)}${d.retryTimes ? ` retry ${d.retryTimes}` : ''}${d.success === false ? ' (failed)' : ''}  ${c.dim(`${neutralize(d.event.file)}:${d.event.line}`)}`,
      );
    }
    if (dismissed) out.push('', `not a duplicate: ${neutralize(dismissed.reason)}`);
    if (incident) {
      out.push('');
      if (o.format === 'markdown') out.push(...incidentMarkdown(incident));
      else out.push(...renderIncident(incident, c));
    } else if (!dismissed) out.push('', 'consumed once: no re-delivery.');
    io.out(out.join('\n') + '\n');
  });
}

function sameCommit(a: RmqEvent, b: RmqEvent): boolean {
  return a.kind === 'offset-persist' && b.kind === 'offset-persist' && a.host === b.host && a.fields.offset === b.fields.offset && a.fields.mode === b.fields.mode;
}

export function registerTimeline(program: Command, io: Io): void {
  addReportOptions(
    program
      .command('timeline')
      .description('per-queue timeline: ownership (rebalance, locks), consume position (commits, corrections, regressions), faults, deliveries')
      .argument('<paths...>', 'files, directories, bundles, or -')
      .option('--group <group>', 'only this consumer group')
      .option('--queue <broker:queueId>', 'only this queue, e.g. broker-b:0'),
    ['text', 'json'],
  ).action(async (paths: string[], o: RawAnalyzeOptions & { group?: string; queue?: string }) => {
    let qf: { broker: string; id: number } | null = null;
    if (o.queue !== undefined) {
      const m = /^(.+):(\d+)$/.exec(o.queue);
      if (!m) throw new UsageError(`--queue expects BROKER:QUEUEID, e.g. broker-b:0, got "${o.queue}"`);
      qf = { broker: m[1]!, id: Number(m[2]) };
    }
    const a = await runAnalysis(paths, o, io, ['text', 'json'], { stay: true });
    if (!a) return;
    const timelines = [...a.context.queues.values()]
      .filter((t) => (o.group === undefined || t.key.group === o.group) && (qf === null || (t.key.brokerName === qf.broker && t.key.queueId === qf.id)))
      // The topic's own queues first, retry topics after them.
      .sort((x, y) => Number(x.key.topic.startsWith('%')) - Number(y.key.topic.startsWith('%')) || (queueKeyString(x.key) < queueKeyString(y.key) ? -1 : 1));
    // Written a piece at a time as the entries are decoded (a big bundle's queues hold millions
    // of commits: none is kept, and a slow reader of stdout is waited for).
    let pending = '';
    const write = async (text: string, force = false): Promise<void> => {
      pending += text;
      if (pending.length < 64 * 1024 && !force) return;
      io.out(pending);
      pending = '';
      await io.drain?.();
    };
    if (o.format === 'json') {
      // (the text JSON.stringify(timelines, null, 2) gives, built an entry at a time)
      const indent = (text: string, n: number): string => text.replace(/\n/g, `\n${' '.repeat(n)}`);
      await write(timelines.length === 0 ? '[]' : '[');
      for (let k = 0; k < timelines.length; k++) {
        const t = timelines[k]!;
        const shell = JSON.stringify({ ...t.key, entries: 0 }, null, 2);
        await write(`${k === 0 ? '' : ','}\n  ${indent(shell.slice(0, shell.lastIndexOf('0\n}')), 2)}`);
        const cur = timelineCursor(a.context, t);
        let n = 0;
        for (let e = cur.next(); e !== null; e = cur.next()) {
          const entry = { time: formatInstant(e.event.instant, a.tz), host: e.host, role: e.role, kind: e.event.kind, what: describeEvent(e.event), file: e.event.file, line: e.event.line, text: e.event.raw };
          await write(`${n++ === 0 ? '[' : ','}\n      ${indent(JSON.stringify(entry, null, 2), 6)}`);
        }
        await write(n === 0 ? '[]\n  }' : '\n    ]\n  }');
      }
      await write(timelines.length === 0 ? '\n' : '\n]\n', true);
      return;
    }
    const c = makeChalk(colorWanted(o.color, io));
    if (timelines.length === 0) await write('no queue matches\n');
    for (const t of timelines) {
      const cur = timelineCursor(a.context, t);
      await write(c.bold(`${neutralize(t.key.group)}  ${neutralize(t.key.topic)}  ${neutralize(t.key.brokerName)}:${t.key.queueId}`) + c.dim(`  (${cur.count} entries)`) + '\n');
      // A run of identical periodic commits (every 5 s) is one line with its count and end.
      let run: TimelineEntry | null = null;
      let last: TimelineEntry | null = null;
      let size = 0;
      const flush = async (): Promise<void> => {
        if (run === null || last === null) return;
        const e = run;
        const repeat = size > 1 ? c.dim(` ×${size} until ${formatInstant(last.event.instant, a.tz).slice(11, 19)}`) : '';
        await write(`  ${c.cyan(formatInstant(e.event.instant, a.tz).slice(0, 23).replace('T', ' '))} ${c.magenta(neutralizeOr(e.host).padEnd(12))} ${e.role.padEnd(9)} ${neutralize(describeEvent(e.event))}${repeat}  ${c.dim(`${neutralize(e.event.file)}:${e.event.line}`)}\n`);
      };
      for (let e = cur.next(); e !== null; e = cur.next()) {
        if (run !== null && sameCommit(run.event, e.event)) {
          last = e;
          size++;
          continue;
        }
        await flush();
        run = last = e;
        size = 1;
      }
      await flush();
      await write('\n');
    }
    await write('', true);
  });
}
