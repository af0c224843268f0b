import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../../src/analyze.js';
import { queueKeyString, type Context, type QueueTimeline, type TimelineEntry } from '../../src/correlate/index.js';
import { describeEvent } from '../../src/report/describe.js';
import { formatInstant, resolveZone } from '../../src/model/time.js';
import { FIXTURES, runCli } from '../helpers.js';

/** The whole timeline at once: the queue's lines and all its commits, merged in time order. */
function timelineEntries(ctx: Context, t: QueueTimeline): TimelineEntry[] {
  const commits = ctx.persists.onQueue(t.key, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  const out: TimelineEntry[] = [];
  let i = 0;
  const before = (c: (typeof commits)[number], en: TimelineEntry): boolean => c.instant < en.event.instant || (c.instant === en.event.instant && c.seq < en.event.seq);
  for (const en of t.entries) {
    while (i < commits.length && before(commits[i]!, en)) out.push({ event: commits[i]!, role: 'position', host: commits[i++]!.host });
    out.push(en);
  }
  while (i < commits.length) out.push({ event: commits[i]!, role: 'position', host: commits[i++]!.host });
  return out;
}

/**
 * `timeline` writes each queue's entries as it decodes them (a big bundle's queues hold millions
 * of commits, none of which may be kept): the JSON is the whole timelines' JSON, the text counts
 * every entry.
 */
describe('timeline: streamed, the same entries as the whole timelines', () => {
  for (const name of ['seed-000', 'slave-offset-lag', 'ingest-mix']) {
    it(`${name}: JSON and text`, async () => {
      const dir = path.join(FIXTURES, name);
      const tz = resolveZone('Asia/Shanghai');
      const a = await analyze([dir], { tz, tzFrom: 'tz', tzFor: [], inputFormats: [], consumePattern: null, year: null, skewMs: 2000, version: 'test' });
      const timelines = [...a.context.queues.values()]
        .sort((x, y) => Number(x.key.topic.startsWith('%')) - Number(y.key.topic.startsWith('%')) || (queueKeyString(x.key) < queueKeyString(y.key) ? -1 : 1))
        .map((t) => ({ key: t.key, entries: timelineEntries(a.context, t) }));
      const want = timelines.map((t) => ({
        ...t.key,
        entries: t.entries.map((e) => ({ time: formatInstant(e.event.instant, tz), host: e.host, role: e.role, kind: e.event.kind, what: describeEvent(e.event), file: e.event.file, line: e.event.line, text: e.event.raw })),
      }));
      const json = await runCli(['timeline', dir, '--format', 'json', '--tz', 'Asia/Shanghai', '--quiet']);
      assert.equal(json.code, 0, json.err);
      // byte for byte what JSON.stringify of the whole gives
      assert.equal(json.out, JSON.stringify(JSON.parse(JSON.stringify(want)), null, 2) + '\n');
      const text = await runCli(['timeline', dir, '--tz', 'Asia/Shanghai', '--quiet']);
      assert.equal(text.code, 0, text.err);
      const counts = [...text.out.matchAll(/\((\d+) entries\)/g)].map((m) => Number(m[1]));
      assert.deepEqual(counts, timelines.map((t) => t.entries.length));
      assert.ok(counts.some((n) => n > (name === 'seed-000' ? 100 : 5)));
    });
  }
});
