import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CLIENT_LOGBACK_FORMAT } from '../../src/formats/client-log.js';
import type { FileContext, ParseSink } from '../../src/formats/types.js';
import { reparser } from '../../src/ingest/index.js';
import { ColdFile, ColdStore, RULE_INFO_WHATS, WARM_KINDS } from '../../src/model/cold.js';
import type { RmqEvent } from '../../src/model/events.js';
import { resolveZone } from '../../src/model/time.js';
import { parseWith } from '../helpers.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** A stand-in parser: one `info` event per line, its text as detail. */
const reparse = (lines: readonly { text: string; line: number }[]): RmqEvent[] =>
  lines.map(
    (l) =>
      ({
        kind: 'info',
        fields: { what: 'netty-server-channel', detail: l.text },
        file: 'remoting.log',
        line: l.line,
        host: null,
        timestampText: '',
        instant: Number(l.text.split(' ')[0]),
        precision: 's',
        zone: { zone: 'UTC', from: 'tz' },
        raw: l.text,
        exception: null,
        level: null,
        thread: null,
        seq: 0,
      }) as RmqEvent,
  );

describe('cold lines', () => {
  it('every info `what` a rule compares is kept hot (RULE_INFO_WHATS)', () => {
    const root = path.join(import.meta.dirname, '..', '..', '..', 'src', 'diagnose');
    const used = new Set<string>();
    for (const f of sources(root)) for (const m of readFileSync(f, 'utf8').matchAll(/what === '([a-z0-9-]+)'/g)) used.add(m[1]!);
    assert.ok(used.size > 0, 'the rules compare some info lines by name');
    for (const w of used) assert.ok(RULE_INFO_WHATS.has(w), `${w} is read by a rule but may go cold`);
  });

  it('blocks (spilled or not) give back each line, the first and last of a host in a window, and every line', () => {
    const f = new ColdFile('remoting.log', '10.0.0.1', reparse);
    f.rank = 3;
    for (let i = 1; i <= 5000; i++) f.add(`${1000 + i * 10} channel ${i}`, i * 2, 1000 + i * 10);
    f.seal();
    const store = new ColdStore();
    store.add(f);
    assert.equal(store.count, 5000);
    assert.equal(store.max, 1000 + 5000 * 10);
    const first = store.edge('10.0.0.1', 1000 + 2047 * 10, 1000 + 4100 * 10, 'first');
    assert.equal(first?.raw, `${1000 + 2047 * 10} channel 2047`);
    assert.equal(first?.line, 2047 * 2);
    assert.equal(first?.seq, 3 * 1e8 + 2047 * 2);
    assert.equal(first?.host, '10.0.0.1');
    const last = store.edge('10.0.0.1', 0, 1000 + 4100 * 10, 'last');
    assert.equal(last?.raw, `${1000 + 4100 * 10} channel 4100`);
    assert.equal(store.edge('10.0.0.1', 0, 1000, 'first'), null);
    assert.equal(store.edge('10.0.0.2', 0, 1e9, 'first'), null);
    assert.equal(f.at(4999).raw, `${1000 + 5000 * 10} channel 5000`);
    assert.equal(f.at(10), f.at(10), 'one object per line');
    const all = f.events();
    assert.equal(all.length, 5000);
    assert.deepEqual(
      all.slice(2046, 2049).map((e) => e.line),
      [4094, 4096, 4098],
    );
  });

  it('parsed() parses a block at a time (never the whole file at once), in line order, indexes running on across blocks', () => {
    const batches: number[] = [];
    const spy = (lines: readonly { text: string; line: number }[]): RmqEvent[] => {
      batches.push(lines.length);
      return reparse(lines);
    };
    const f = new ColdFile('remoting.log', '10.0.0.1', spy);
    for (let i = 1; i <= 5000; i++) f.add(`${1000 + i * 10} channel ${i}`, i * 2, 1000 + i * 10);
    f.seal();
    const seen: { at: number; line: number; text: string }[] = [];
    const it = f.parsed();
    // (lazily: nothing is parsed before the first line is asked for, one block for the first)
    assert.deepEqual(batches, []);
    for (const p of it) {
      seen.push({ at: p.at, line: p.event.line, text: p.text });
      if (seen.length === 1) assert.equal(batches.length, 1);
    }
    assert.ok(batches.length >= 3 && Math.max(...batches) <= 2048, `batches ${batches.join(', ')}`);
    assert.equal(batches.reduce((a, b) => a + b, 0), 5000);
    assert.deepEqual(
      seen.map((p) => p.at),
      Array.from({ length: 5000 }, (_, i) => i),
    );
    assert.deepEqual(
      seen.map((p) => p.line),
      Array.from({ length: 5000 }, (_, i) => (i + 1) * 2),
    );
    for (const p of [seen[0]!, seen[2048]!, seen[4999]!]) assert.equal(f.text(p.at), p.text);
  });

  it('warm lines: routine single-line entries wait as text, and parse again to the events a plain parse makes', () => {
    const h = (t: string, level: string, thread: string, logger: string): string => `2023-09-05 03:10:${t} ${level} [2212] [${thread}] [${logger}] - `;
    const text = [
      h('00.008', 'INFO ', 'MQClientFactoryScheduledThread', 'o.a.r.c.i.f.MQClientInstance#?:?') + 'send heart beat to broker[broker-b 0 172.66.1.31:10911] success',
      h('01.117', 'WARN ', 'NettyClientWorkerThread_1', 'RocketmqRemoting#?:?') + 'closeChannel: close the connection to remote address[172.66.1.31:10911] result: true',
      h('02.310', 'WARN ', 'MQClientFactoryScheduledThread', 'RocketmqRemoting#?:?') + 'invokeSync: wait response timeout exception, the channel[172.66.1.10:9876]',
      'org.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel <172.66.1.10:9876> timeout, 3000(ms)',
      '\tat org.apache.rocketmq.remoting.netty.NettyRemotingClient.invokeSync(NettyRemotingClient.java:416)',
      h('03.001', 'INFO ', 'RebalanceService', 'o.a.r.c.i.c.RebalanceImpl#?:?') + 'doRebalance, pos-provider, add a new pull request PullRequest [consumerGroup=pos-provider, messageQueue=MessageQueue [topic=pos_order, brokerName=broker-b, queueId=0], nextOffset=108]',
      h('04.412', 'INFO ', 'MQClientFactoryScheduledThread', 'o.a.r.c.i.f.MQClientInstance#?:?') + 'send heart beat to broker[broker-a 0 172.66.1.30:10911] success',
    ].join('\n') + '\n';
    const plain = parseWith(CLIENT_LOGBACK_FORMAT, text, { host: '172.66.6.4' }).events;
    const zone = resolveZone('Asia/Shanghai');
    const ctx: FileContext = { file: 'test.log', host: '172.66.6.4', hostZone: zone, hostZoneRule: { zone: zone.name, from: 'tz' }, yearHint: 2024, fileMtimeMs: null, consumePattern: null };
    const events: RmqEvent[] = [];
    const warm: { kind: string; raw: string; line: number; instant: number }[] = [];
    const sink: ParseSink = {
      counts: { total: 0, recognised: 0, unrecognised: 0, continuation: 0, skipped: 0 },
      event: (e) => events.push(e),
      unrecognised: () => undefined,
      hostFromContent: () => undefined,
      instant: () => undefined,
      warm: (kind, raw, line, instant) => warm.push({ kind, raw, line, instant }),
    };
    const variant = CLIENT_LOGBACK_FORMAT.sniff(text.split('\n').slice(0, 200), ctx.file).variant;
    const parser = CLIENT_LOGBACK_FORMAT.createParser(ctx, sink, variant);
    text.split('\n').slice(0, -1).forEach((l, i) => parser.line(l, i + 1));
    parser.end();
    // the heartbeats and the closed channel wait; the timeout with its stack trace and the rebalance line do not
    assert.deepEqual(warm.map((w) => [w.kind, w.line]), [['heartbeat-ok', 1], ['connection-failure', 2], ['heartbeat-ok', 7]]);
    assert.ok(warm.every((w) => WARM_KINDS.has(w.kind)));
    assert.deepEqual(events.map((e) => e.line), [3, 6]);
    assert.ok(events[0]!.exception !== null);
    const again = reparser({ format: CLIENT_LOGBACK_FORMAT.id, variant, ctx })(warm.map((w) => ({ text: w.raw, line: w.line })));
    const byLine = (a: RmqEvent, b: RmqEvent): number => a.line - b.line;
    assert.deepEqual(JSON.parse(JSON.stringify([...events, ...again].sort(byLine))), JSON.parse(JSON.stringify(plain)));
    assert.deepEqual(again.map((e) => e.instant), warm.map((w) => w.instant));
  });
});
