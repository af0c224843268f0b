import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { allEvents, ingest, type IngestOptions, type IngestResult } from '../../src/ingest/index.js';
import { hostFromPath } from '../../src/ingest/host.js';
import { rotationOf } from '../../src/ingest/rotation.js';
import { resolveZone } from '../../src/model/time.js';
import { tarGz, writeBundle, zip } from './bundle.js';

const MQ0 = 'MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]';
const persist = (ts: string, offset: number, client = '172.66.6.3@12345'): string =>
  `${ts} INFO RocketmqClient - [persistAll] Group: pos-provider ClientId: ${client} updateConsumeOffsetToBroker ${MQ0} ${offset}`;
const CLIENT_LOG = [
  persist('2023-09-05 03:19:40,101', 108),
  '2023-09-05 03:19:51,456 WARN RocketmqClient - fetchConsumeOffsetFromBroker exception, ' + MQ0,
  'org.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel <172.66.1.31:10911> timeout, 5000(ms)',
  '\tat org.apache.rocketmq.remoting.netty.NettyRemotingAbstract.invokeSyncImpl(NettyRemotingAbstract.java:438)',
  '\tat org.apache.rocketmq.remoting.netty.NettyRemotingClient.invokeSync(NettyRemotingClient.java:400)',
  '',
  '2023-09-05 03:19:52,001 INFO RocketmqClient - a line no signature knows',
  persist('2023-09-05 03:21:20,003', 65),
].join('\r\n') + '\r\n';
const BROKER_LOG =
  [
    '2023-09-05 03:21:20 INFO PullMessageThread_3 - something routine',
    '2023-09-05 03:21:20 WARN ConsumerManageThread_3 - [NOTIFYME]update consumer offset less than store. clientHost=172.66.6.3:52814, key=pos_create_pos_cooperate_sale_order@pos-provider, queueId=0, requestOffset=65, storeOffset=108',
  ].join('\n') + '\n';

function opts(over: Partial<IngestOptions> = {}): IngestOptions {
  return { tz: resolveZone('Asia/Shanghai'), tzFrom: 'tz', tzFor: [], inputFormats: [], consumePattern: null, year: null, ...over };
}

function file(r: IngestResult, suffix: string) {
  const f = r.files.find((x) => x.file.endsWith(suffix));
  assert.ok(f, `no file ending ${suffix} in ${r.files.map((x) => x.file).join(', ')}`);
  return f;
}

function assertAccounting(r: IngestResult): void {
  for (const f of r.files) {
    const l = f.lines;
    assert.equal(l.recognised + l.unrecognised + l.continuation + l.skipped, l.total, `${f.file}: ${JSON.stringify(l)}`);
  }
}

describe('ingest', () => {
  it('reads a directory bundle: formats, hosts from path, zones, folded stack traces, line accounting', async () => {
    const dir = writeBundle({
      '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log': CLIENT_LOG,
      '172.66.1.31/logs/rocketmqlogs/broker.log': BROKER_LOG,
    });
    const r = await ingest([dir], opts());
    assertAccounting(r);
    const c = file(r, 'rocketmq_client.log');
    assert.equal(c.format, 'client-inner');
    assert.equal(c.host, '172.66.6.3');
    assert.equal(c.hostFrom, 'path');
    assert.deepEqual(c.zone, { zone: 'Asia/Shanghai', from: 'tz' });
    assert.deepEqual(c.lines, { total: 8, recognised: 3, unrecognised: 1, continuation: 4, skipped: 0 });
    assert.equal(c.eventsByKind['fetch-offset-failed'], 1);
    const b = file(r, 'broker.log');
    assert.equal(b.format, 'broker');
    assert.deepEqual(b.zone, { zone: 'GMT+8', from: 'pattern' });
    const fetch = allEvents(r).find((e) => e.kind === 'fetch-offset-failed')!;
    assert.equal(fetch.line, 2);
    assert.equal(fetch.exception?.className, 'org.apache.rocketmq.remoting.exception.RemotingTimeoutException');
    assert.match(fetch.exception!.message, /<172\.66\.1\.31:10911> timeout, 5000\(ms\)/);
    // 03:19:51,456 in Asia/Shanghai = 19:19:51.456Z the day before.
    assert.equal(new Date(fetch.instant).toISOString(), '2023-09-04T19:19:51.456Z');
    assert.equal(fetch.timestampText, '2023-09-05 03:19:51.456');
    // Events are ordered by instant across files.
    const instants = allEvents(r).map((e) => e.instant);
    assert.deepEqual(instants, [...instants].sort((a, x) => a - x));
  });

  it('--tz and --tz-for decide host-local layouts; GMT+8 layouts ignore them', async () => {
    const dir = writeBundle({
      '172.66.6.3/rocketmq_client.log': CLIENT_LOG,
      '172.66.6.5/rocketmq_client.log': CLIENT_LOG,
      '172.66.1.31/broker.log': BROKER_LOG,
    });
    const r = await ingest([dir], opts({ tz: resolveZone('UTC'), tzFor: [{ glob: '**/172.66.6.5/**', zone: resolveZone('Asia/Tokyo') }] }));
    const a = allEvents(r).find((e) => e.kind === 'fetch-offset-failed' && e.host === '172.66.6.3')!;
    const b = allEvents(r).find((e) => e.kind === 'fetch-offset-failed' && e.host === '172.66.6.5')!;
    assert.equal(new Date(a.instant).toISOString(), '2023-09-05T03:19:51.456Z');
    assert.equal(new Date(b.instant).toISOString(), '2023-09-04T18:19:51.456Z');
    assert.deepEqual(b.zone, { zone: 'Asia/Tokyo', from: 'tz-for' });
    const n = allEvents(r).find((e) => e.kind === 'offset-regression')!;
    assert.equal(new Date(n.instant).toISOString(), '2023-09-04T19:21:20.000Z');
    assert.equal(n.precision, 's');
  });

  it('4.3.0–4.7.1 inner logger: the three digits after the comma are seconds, not milliseconds', async () => {
    const lines = [persist('2023-09-05 03:19:40,040', 100), persist('2023-09-05 03:19:45,045', 101), persist('2023-09-05 03:19:50,050', 102)];
    const dir = writeBundle({ '172.66.6.3/rocketmq_client.log': lines.join('\r\n') + '\r\n' });
    const r = await ingest([dir], opts());
    const f = r.files[0]!;
    assert.match(f.detection, /seconds-as-fraction/);
    const e = allEvents(r)[0]!;
    assert.equal(e.precision, 's');
    assert.equal(new Date(e.instant).toISOString(), '2023-09-04T19:19:40.000Z');
  });

  it('reads .gz transparently, and .tar.gz and .zip bundles in place', async () => {
    const tgz = await tarGz({ 'smp-rest2/logs/rocketmqlogs/rocketmq_client.log': CLIENT_LOG, '172.66.1.31/logs/rocketmqlogs/broker.log': BROKER_LOG });
    const z = await zip({ 'bundle/172.66.6.5/rocketmq_client.log': CLIENT_LOG });
    const dir = writeBundle({ 'h1/other_days/rocketmq_client-1.log.gz': CLIENT_LOG, 'incident.tar.gz': tgz, 'more.zip': z });
    const r = await ingest([dir], opts());
    assertAccounting(r);
    const gz = file(r, 'rocketmq_client-1.log.gz');
    assert.equal(gz.gzipped, true);
    assert.equal(gz.format, 'client-inner');
    assert.equal(gz.host, 'h1');
    const inTar = file(r, 'incident.tar.gz!/smp-rest2/logs/rocketmqlogs/rocketmq_client.log');
    assert.equal(inTar.host, 'smp-rest2');
    assert.equal(inTar.eventsByKind['fetch-offset-failed'], 1);
    assert.equal(file(r, 'incident.tar.gz!/172.66.1.31/logs/rocketmqlogs/broker.log').eventsByKind['offset-regression'], 1);
    assert.equal(file(r, 'more.zip!/bundle/172.66.6.5/rocketmq_client.log').host, '172.66.6.5');
    assert.equal(allEvents(r).filter((e) => e.kind === 'fetch-offset-failed').length, 3);
  });

  it('takes the host from the client id in the lines when the path has none', async () => {
    const dir = writeBundle({ 'rocketmq_client.log': CLIENT_LOG });
    const r = await ingest([path.join(dir, 'rocketmq_client.log')], opts());
    assert.equal(r.files[0]!.host, '172.66.6.3');
    assert.equal(r.files[0]!.hostFrom, 'content');
    assert.ok(allEvents(r).every((e) => e.host === '172.66.6.3'));
  });

  it('reads stdin as -', async () => {
    const r = await ingest(['-'], opts({ stdin: Readable.from([Buffer.from(BROKER_LOG)]) }));
    assert.equal(r.files[0]!.file, '-');
    assert.equal(r.files[0]!.format, 'broker');
  });

  it('skips binary, empty and unknown files with a reason; reports missing paths', async () => {
    const bin = Buffer.alloc(4096);
    for (let i = 0; i < bin.length; i++) bin[i] = (i * 7919) % 256;
    const dir = writeBundle({ 'core.1234': bin, 'empty.log': '', 'notes.txt': 'remember to buy milk\nand eggs\n' });
    const r = await ingest([dir, path.join(dir, 'nope')], opts());
    assertAccounting(r);
    assert.match(file(r, 'core.1234').skipped ?? '', /binary/);
    assert.equal(file(r, 'empty.log').skipped, 'empty file');
    const notes = file(r, 'notes.txt');
    assert.match(notes.skipped ?? '', /no format/);
    assert.deepEqual(notes.lines, { total: 2, recognised: 0, unrecognised: 0, continuation: 0, skipped: 2 });
    assert.deepEqual(r.problems, [{ path: path.join(dir, 'nope'), problem: 'no such file or directory' }]);
  });

  it('--input-format forces a format for files matching a glob', async () => {
    const dir = writeBundle({ 'x/weird.txt': BROKER_LOG });
    const r = await ingest([dir], opts({ inputFormats: [{ glob: '*.txt', id: 'client-logback-gmt8' }] }));
    assert.equal(r.files[0]!.format, 'client-logback-gmt8');
    assert.equal(r.files[0]!.detection, 'forced by --input-format');
  });

  it('orders rotated pieces oldest first and keeps file order inside a second', async () => {
    const older = persist('2023-09-05 03:19:40,101', 100);
    const newer = persist('2023-09-05 03:19:40,101', 101);
    const dir = writeBundle({ 'h/rocketmq_client.log': newer + '\r\n', 'h/rocketmq_client.log.1': older + '\r\n' });
    const r = await ingest([dir], opts());
    assert.deepEqual(
      allEvents(r).map((e) => (e.kind === 'offset-persist' ? e.fields.offset : -1)),
      [100, 101],
    );
    assert.ok(r.files[0]!.file.endsWith('rocketmq_client.log.1'));
  });

  it('reports a truncated gzip and keeps what was readable', async () => {
    const dir = writeBundle({ 'h/rocketmq_client.log.gz': CLIENT_LOG.repeat(200) });
    const p = path.join(dir, 'h/rocketmq_client.log.gz');
    const { readFileSync } = await import('node:fs');
    const full = readFileSync(p);
    writeFileSync(p, full.subarray(0, Math.floor(full.length / 2)));
    const r = await ingest([dir], opts());
    const f = r.files[0]!;
    assert.ok(f.problems.length >= 1, 'a problem is reported');
    assert.ok(f.lines.recognised > 0, 'the readable part was used');
    assertAccounting(r);
  });
});

describe('host from path', () => {
  it('prefers the deepest IPv4 directory, else the deepest host-like directory inside the bundle', () => {
    assert.equal(hostFromPath('b/172.66.6.3/logs/rocketmqlogs/rocketmq_client.log', '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log'), '172.66.6.3');
    assert.equal(hostFromPath('b/smp-rest2/logs/rocketmqlogs/rocketmq_client.log', 'smp-rest2/logs/rocketmqlogs/rocketmq_client.log'), 'smp-rest2');
    assert.equal(hostFromPath('x.tar.gz!/smp-rest2/logs/rocketmqlogs/other_days/rocketmq_client-1.log.gz', 'smp-rest2/logs/rocketmqlogs/other_days/rocketmq_client-1.log.gz'), 'smp-rest2');
    assert.equal(hostFromPath('/var/log/rocketmq_client.log', 'rocketmq_client.log'), null);
    assert.equal(hostFromPath('logs/rocketmqlogs/otherdays/broker.1.log.gz', 'logs/rocketmqlogs/otherdays/broker.1.log.gz'), null);
  });
});

describe('rotation', () => {
  it('recognises every rotated name', () => {
    assert.deepEqual(rotationOf('h/rocketmq_client.log'), { logName: 'rocketmq_client.log', age: 0, group: 'h/rocketmq_client.log' });
    assert.equal(rotationOf('h/rocketmq_client.log.3').age, 3);
    assert.deepEqual(rotationOf('h/other_days/rocketmq_client-2.log.gz'), { logName: 'rocketmq_client.log', age: 2, group: 'h/rocketmq_client.log' });
    assert.deepEqual(rotationOf('h/otherdays/rocketmq_client.1.log'), { logName: 'rocketmq_client.log', age: 1, group: 'h/rocketmq_client.log' });
    assert.deepEqual(rotationOf('h/otherdays/broker.1.log.gz'), { logName: 'broker.log', age: 1, group: 'h/broker.log' });
    assert.deepEqual(rotationOf('b/config/consumerOffset.json.bak'), { logName: 'consumerOffset.json', age: 1, group: 'b/config/consumerOffset.json' });
    const a = rotationOf('h/rocketmq_client-2024-05-10-1.log');
    const b = rotationOf('h/rocketmq_client-2024-05-11-1.log');
    assert.equal(a.logName, 'rocketmq_client.log');
    assert.ok(a.age > b.age, 'the older date is older');
  });
});

describe('years', () => {
  it('MM-dd without a year takes the file modification year, or the year before for dates after it', async () => {
    const { utimesSync } = await import('node:fs');
    const lines = [
      '12-31 23:59:58.100 [RebalanceService] INFO RocketmqClient - doRebalance, pos-provider, add a new mq, MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]',
      '01-01 00:00:01.200 [RebalanceService] INFO RocketmqClient - doRebalance, pos-provider, remove unnecessary mq, MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]',
    ];
    const dir = writeBundle({ '172.66.6.3/app.log': lines.join('\n') + '\n' });
    const p = path.join(dir, '172.66.6.3/app.log');
    const mtime = new Date('2024-01-01T08:00:00Z');
    utimesSync(p, mtime, mtime);
    const r = await ingest([dir], opts({ tz: resolveZone('UTC') }));
    assert.equal(r.files[0]!.format, 'client-slf4j');
    assert.deepEqual(
      allEvents(r).map((e) => new Date(e.instant).toISOString()),
      ['2023-12-31T23:59:58.100Z', '2024-01-01T00:00:01.200Z'],
    );
  });
});
