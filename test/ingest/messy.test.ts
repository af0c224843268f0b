import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { analyze } from '../../src/analyze.js';
import { ingestOptions, UsageError } from '../../src/cli/options.js';
import { formatSize, GiB, KiB, MiB, parseLimits, parseSize } from '../../src/ingest/budget.js';
import { allEvents, ingest, type FileReport, type IngestOptions, type IngestResult } from '../../src/ingest/index.js';
import { resolveZone } from '../../src/model/time.js';
import { runCli as cli } from '../helpers.js';
import { tarGz, writeBundle, zip, zipRenamed } from './bundle.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const INGEST_JS = path.join(HERE, '..', '..', 'src', 'ingest', 'index.js');

const MQ0 = 'MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]';
const T0 = Date.UTC(2023, 8, 5, 3, 0, 0);

/** `2023-09-05 03:00:00,000` (client inner logger layout, read in UTC here). */
function stamp(ms: number): string {
  const d = new Date(ms).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 19)},${d.slice(20, 23)}`;
}
const persist = (ms: number, offset: number, client = '172.66.6.3@12345'): string =>
  `${stamp(ms)} INFO RocketmqClient - [persistAll] Group: pos-provider ClientId: ${client} updateConsumeOffsetToBroker ${MQ0} ${offset}`;
const FETCH_FAILED = (ms: number): string[] => [
  `${stamp(ms)} WARN RocketmqClient - fetchConsumeOffsetFromBroker exception, ${MQ0}`,
  'org.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel <172.66.1.31:10911> timeout, 5000(ms)',
  '\tat org.apache.rocketmq.remoting.netty.NettyRemotingAbstract.invokeSyncImpl(NettyRemotingAbstract.java:438)',
];
/** `n` offset commits, one a second from `start`. */
function clientLog(n: number, start = T0, offset0 = 100): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(persist(start + i * 1000, offset0 + i));
  return out.join('\n') + '\n';
}

function opts(over: Partial<IngestOptions> = {}): IngestOptions {
  return { tz: resolveZone('UTC'), tzFrom: 'tz', tzFor: [], inputFormats: [], consumePattern: null, year: null, ...over };
}

function file(r: IngestResult, suffix: string): FileReport {
  const f = r.files.find((x) => x.file.endsWith(suffix));
  assert.ok(f, `no file ending ${suffix} in ${r.files.map((x) => x.file).join(', ')}`);
  return f;
}

function assertAccounting(r: IngestResult): void {
  const byPath = new Map<string, number>();
  for (const f of r.files) {
    const l = f.lines;
    assert.equal(l.recognised + l.unrecognised + l.continuation + l.skipped, l.total, `${f.file}: ${JSON.stringify(l)}`);
    const events = Object.values(f.eventsByKind).reduce((a, n) => a + (n ?? 0), 0);
    byPath.set(f.file, (byPath.get(f.file) ?? 0) + events);
  }
  for (const [p, n] of byPath) assert.equal(allEvents(r).filter((e) => e.file === p).length, n, `${p}: events by kind`);
}

/** Every file problem is also a top-level problem (that is what reaches stderr), naming the file. */
function assertProblemsSurface(r: IngestResult): void {
  for (const f of r.files) for (const p of f.problems) assert.ok(r.problems.some((x) => x.path === f.file && x.problem === p), `${f.file}: ${p}`);
}

/** Deterministic pseudo-random bytes (so compressed sizes are realistic). */
function noise(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}


describe('messy bundles: binary files', () => {
  it('skips ELF core dumps, hprof heap dumps, images and UTF-16 text with a reason, and keeps NUL-padded logs', async () => {
    const elf = Buffer.alloc(64);
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(elf);
    elf.writeUInt16LE(4, 16); // ET_CORE
    elf.writeUInt16LE(62, 18); // x86-64
    const core = Buffer.concat([elf, Buffer.alloc(8192), noise(30000), Buffer.from('\nsome\ntext\n')]);
    const hprof = Buffer.concat([Buffer.from('JAVA PROFILE 1.0.2\0'), Buffer.from([0, 0, 0, 8]), noise(20000, 7)]);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from('IHDR'), noise(5000, 3)]);
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]), Buffer.from('JFIF\0'), noise(5000, 5)]);
    const text = clientLog(20);
    const utf16bom = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const utf16 = Buffer.from(text, 'utf16le');
    // A crash-truncated log: a block of NULs where the last write was lost, a few stray NULs in a line.
    const lines = clientLog(40).split('\n');
    const crashed = Buffer.concat([
      Buffer.from(lines.slice(0, 20).join('\n') + '\n'),
      Buffer.alloc(4096),
      Buffer.from(lines[20]!.replace('INFO', 'IN\0\0FO') + '\n' + lines.slice(21).join('\n')),
    ]);
    const dir = writeBundle({
      'h/core.4242': core,
      'h/java_pid4242.hprof': hprof,
      'h/screenshot.png': png,
      'h/photo.jpg': jpeg,
      'h/utf16-bom.log': utf16bom,
      'h/utf16.log': utf16,
      'h/rocketmq_client.log': crashed,
    });
    const r = await ingest([dir], opts());
    assertAccounting(r);
    assertProblemsSurface(r);
    assert.match(file(r, 'core.4242').skipped ?? '', /^binary content: ELF core dump$/);
    assert.match(file(r, 'java_pid4242.hprof').skipped ?? '', /Java heap dump \(hprof\)/);
    assert.match(file(r, 'screenshot.png').skipped ?? '', /PNG image/);
    assert.match(file(r, 'photo.jpg').skipped ?? '', /JPEG image/);
    assert.match(file(r, 'utf16-bom.log').skipped ?? '', /^UTF-16 text/);
    assert.match(file(r, 'utf16.log').skipped ?? '', /^UTF-16 text/);
    for (const f of r.files.filter((x) => x.skipped)) {
      assert.equal(f.format, null);
      assert.deepEqual(f.eventsByKind, {});
      assert.equal(f.lines.skipped, f.lines.total);
      assert.deepEqual(f.problems, [], 'a skip is a reason, not a problem');
    }
    const log = file(r, 'h/rocketmq_client.log');
    assert.equal(log.skipped, null, 'a few NULs do not make a log binary');
    assert.equal(log.format, 'client-inner');
    assert.equal(log.eventsByKind['offset-persist'], 40);
    assert.deepEqual(log.problems, ['4098 NUL bytes removed from 1 line (a crash-truncated write?)']);
    const after = allEvents(r).find((e) => e.kind === 'offset-persist' && e.fields.offset === 120)!;
    assert.ok(!after.raw.includes('\0'));
  });
});

describe('messy bundles: truncated and corrupt archives', () => {
  const ENTRY_LINES = 1500;
  /** Client logs whose lines carry noise, so gzip cannot squeeze them and a cut lands where expected. */
  const noisyLog = (seed: number): string => {
    const hex = noise(ENTRY_LINES * 16, seed).toString('hex');
    const out: string[] = [];
    for (let i = 0; i < ENTRY_LINES; i++) out.push(persist(T0 + i * 1000, i, `172.66.6.${seed}@${hex.slice(i * 32, i * 32 + 32)}`));
    return out.join('\n') + '\n';
  };

  it('a truncated tar.gz yields its complete entries, what was readable of the cut one, and a problem', async () => {
    const tgz = await tarGz({ 'a/rocketmq_client.log': noisyLog(1), 'b/rocketmq_client.log': noisyLog(2), 'c/rocketmq_client.log': noisyLog(3) });
    const dir = writeBundle({ 'incident.tar.gz': tgz.subarray(0, Math.floor(tgz.length * 0.8)) });
    const r = await ingest([dir], opts());
    assertAccounting(r);
    assertProblemsSurface(r);
    for (const h of ['a', 'b']) {
      const f = file(r, `incident.tar.gz!/${h}/rocketmq_client.log`);
      assert.equal(f.lines.total, ENTRY_LINES, `${h}: complete`);
      assert.equal(f.eventsByKind['offset-persist'], ENTRY_LINES);
      assert.deepEqual(f.problems, []);
    }
    const c = file(r, 'incident.tar.gz!/c/rocketmq_client.log');
    assert.ok(c.lines.total > 0 && c.lines.total < ENTRY_LINES, `c: partly read (${c.lines.total})`);
    assert.match(c.problems.join('\n'), /^read stopped (?:at line \d+|early): unexpected end of file \(the (?:lines before|readable part) (?:were|was) used\)$/);
    const archive = r.problems.filter((p) => p.path.endsWith('incident.tar.gz'));
    assert.equal(archive.length, 1);
    assert.match(archive[0]!.problem, /^archive truncated or corrupt: unexpected end of file/);
  });

  it('a zip without a valid central directory gives one clear problem; the rest of the bundle is used', async () => {
    const good = await zip({ 'x/rocketmq_client.log': clientLog(5) });
    const broken = Buffer.from(good);
    const eocd = broken.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    broken.fill(0, eocd, eocd + 4);
    const dir = writeBundle({ 'a-broken.zip': broken, 'b-cut.zip': good.subarray(0, Math.floor(good.length / 2)), 'h/rocketmq_client.log': clientLog(3) });
    const r = await ingest([dir], opts());
    for (const name of ['a-broken.zip', 'b-cut.zip']) {
      const p = r.problems.filter((x) => x.path.endsWith(name));
      assert.equal(p.length, 1, name);
      assert.match(p[0]!.problem, /^zip central directory missing or corrupt \(a truncated or damaged download\?\): .*; nothing in it was read$/);
    }
    assert.equal(file(r, 'h/rocketmq_client.log').eventsByKind['offset-persist'], 3);
    const run = await cli(['inputs', dir]);
    assert.equal(run.code, 0);
    const errLines = run.err.trim().split('\n');
    assert.equal(errLines.length, 2);
    for (const l of errLines) assert.match(l, /^rmq-forensics: .*\.zip: zip central directory missing/);
    const only = await cli(['inputs', path.join(dir, 'a-broken.zip')]);
    assert.equal(only.code, 2, 'nothing usable remains');
    assert.doesNotMatch(only.err, /\n\s+at /, 'no stack trace');
  });
});

describe('messy bundles: long lines', () => {
  it('a 10 MB line is cut to 64 KiB, counted, and the entries around it are intact', async () => {
    const lines = clientLog(10).trimEnd().split('\n');
    const huge = `${stamp(T0 + 4500)} INFO RocketmqClient - body=${'x'.repeat(10 * MiB)}`;
    const dir = writeBundle({ 'h/rocketmq_client.log': [...lines.slice(0, 5), huge, ...FETCH_FAILED(T0 + 4600), ...lines.slice(5)].join('\n') + '\n' });
    const r = await ingest([dir], opts());
    assertAccounting(r);
    const f = r.files[0]!;
    assert.equal(f.lines.total, 14);
    assert.equal(f.lines.unrecognised, 1, 'the cut line is still an entry');
    assert.equal(f.eventsByKind['offset-persist'], 10);
    assert.equal(f.eventsByKind['fetch-offset-failed'], 1);
    assert.deepEqual(f.problems, ['1 line longer than 64 KiB was cut (the first 64 KiB of each was used)']);
    assert.ok(f.unrecognisedSamples[0]!.text.length <= 300);
    const fetch = allEvents(r).find((e) => e.kind === 'fetch-offset-failed')!;
    assert.equal(fetch.exception?.className, 'org.apache.rocketmq.remoting.exception.RemotingTimeoutException');
  });

  it('200 MB on stdin without a newline: memory stays bounded and the line is counted', async () => {
    const TOTAL = 200 * MiB;
    const CHUNK = 64 * KiB;
    async function* gen(): AsyncGenerator<Buffer> {
      for (let sent = 0; sent < TOTAL; sent += CHUNK) yield Buffer.alloc(CHUNK, 0x78);
    }
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    const t = Date.now();
    const r = await ingest(['-'], opts({ stdin: Readable.from(gen()) }));
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    const growth = peak - before;
    console.log(`# 200 MB line on stdin: ${Date.now() - t} ms, peak RSS growth ${formatSize(growth)}`);
    const f = r.files[0]!;
    assert.equal(f.file, '-');
    assert.deepEqual(f.lines, { total: 1, recognised: 0, unrecognised: 0, continuation: 0, skipped: 1 });
    assert.match(f.problems.join('\n'), /1 line longer than 64 KiB was cut/);
    assert.ok(growth < 100 * MiB, `peak RSS growth ${formatSize(growth)} for a 200 MiB line`);
  });
});

describe('messy bundles: line endings and encodings', () => {
  it('CRLF, LF, a lone CR and a UTF-8 BOM in one file', async () => {
    const [a, b, c, d] = clientLog(4).trimEnd().split('\n');
    const dir = writeBundle({ 'h/rocketmq_client.log': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${a}\r\n${b}\n${c}\r${d}\r\n`)]) });
    const r = await ingest([dir], opts());
    const f = r.files[0]!;
    assert.equal(f.format, 'client-inner');
    assert.deepEqual(f.lines, { total: 4, recognised: 4, unrecognised: 0, continuation: 0, skipped: 0 });
    assert.ok(allEvents(r).every((e) => !e.raw.includes('\r') && e.raw.charCodeAt(0) !== 0xfeff));
    assert.deepEqual(f.problems, []);
  });

  const chinese = (start = T0): string =>
    [
      persist(start, 100),
      `${stamp(start + 1000)} INFO RocketmqClient - 消费者启动成功，分组 pos-provider`,
      ...FETCH_FAILED(start + 2000).map((l) => l.replace('wait response on the channel', '等待响应超时 channel')),
      persist(start + 3000, 101),
    ].join('\r\n') + '\r\n';

  it('GB18030 / GBK logs are detected from invalid UTF-8 and decoded', async () => {
    const dir = writeBundle({ '172.66.6.3/rocketmq_client.log': iconv.encode(chinese(), 'gbk') });
    const r = await ingest([dir], opts());
    assertAccounting(r);
    const f = r.files[0]!;
    assert.equal(f.format, 'client-inner');
    assert.match(f.detection, /decoded as GB18030/);
    assert.equal(f.eventsByKind['offset-persist'], 2);
    assert.match(f.unrecognisedSamples[0]!.text, /消费者启动成功，分组/);
    assert.match(allEvents(r).find((e) => e.kind === 'fetch-offset-failed')!.exception!.message, /等待响应超时/);
    assert.deepEqual(f.problems, []);
  });

  it('a UTF-8 file whose GBK lines come after an ASCII head: those lines are decoded as GB18030, and said so', async () => {
    const dir = writeBundle({ 'h/rocketmq_client.log': Buffer.concat([Buffer.from(clientLog(800)), iconv.encode(chinese(T0 + 900_000), 'gb18030')]) });
    const r = await ingest([dir], opts());
    const f = r.files[0]!;
    assert.doesNotMatch(f.detection, /GB18030/);
    assert.match(f.unrecognisedSamples[0]!.text, /消费者启动成功/);
    assert.deepEqual(f.problems, ['2 lines were not UTF-8 and were decoded as GB18030']);
  });

  it('--encoding forces a decoding (for every file or a glob); unknown encodings are usage errors', async () => {
    const o = ingestOptions({ tz: 'UTC', encoding: ['*.log=gbk'] });
    assert.deepEqual(o.encodings, [{ glob: '*.log', encoding: 'gbk' }]);
    const dir = writeBundle({ 'h/rocketmq_client.log': iconv.encode(chinese(), 'gbk') });
    const r = await ingest([dir], { ...o, tz: resolveZone('UTC') });
    assert.match(r.files[0]!.detection, /decoded as gbk \(--encoding\)/);
    assert.match(r.files[0]!.unrecognisedSamples[0]!.text, /消费者启动成功/);
    assert.throws(() => ingestOptions({ encoding: ['klingon'] }), (e: unknown) => e instanceof UsageError && /unknown encoding "klingon"/.test(e.message));
    const run = await cli(['inputs', '--format', 'json', '--encoding', 'gb18030', dir]);
    assert.equal(run.code, 0, run.err);
    const json = JSON.parse(run.out) as { inputs: { detection: string; unrecognisedSamples: { text: string }[] }[] };
    assert.match(json.inputs[0]!.detection, /decoded as gb18030 \(--encoding\)/);
    assert.match(json.inputs[0]!.unrecognisedSamples[0]!.text, /消费者启动成功/);
  });
});

describe('messy bundles: the file system', () => {
  it('empty files, missing paths, symlink loops, dangling links', async () => {
    const dir = writeBundle({ 'h/empty.log': '', 'h/rocketmq_client.log': clientLog(2) });
    symlinkSync(dir, path.join(dir, 'h', 'loop'));
    symlinkSync('self', path.join(dir, 'h', 'self'));
    symlinkSync('gone', path.join(dir, 'h', 'dangling'));
    const r = await ingest([dir, path.join(dir, 'missing.log')], opts());
    assert.equal(file(r, 'empty.log').skipped, 'empty file');
    const byPath = Object.fromEntries(r.problems.map((p) => [path.relative(dir, p.path), p.problem]));
    assert.deepEqual(byPath, {
      'h/dangling': 'no such file or directory',
      'h/loop': 'symlink loop (directory already visited)',
      'h/self': 'symlink loop',
      'missing.log': 'no such file or directory',
    });
    assert.equal(file(r, 'h/rocketmq_client.log').eventsByKind['offset-persist'], 2);
  });

  it('unreadable files and directories are problems; the readable rest is used', { timeout: 20_000 }, async (t) => {
    const dir = writeBundle({ 'h/secret.log': clientLog(2), 'locked/rocketmq_client.log': clientLog(2), 'ok/rocketmq_client.log': clientLog(3) });
    chmodSync(dir, 0o755);
    for (const d of ['h', 'ok']) chmodSync(path.join(dir, d), 0o755);
    chmodSync(path.join(dir, 'ok/rocketmq_client.log'), 0o644);
    chmodSync(path.join(dir, 'h/secret.log'), 0o000);
    chmodSync(path.join(dir, 'locked'), 0o000);
    const script = `import { ingest } from ${JSON.stringify(INGEST_JS)}; import { resolveZone } from ${JSON.stringify(path.join(HERE, '..', '..', 'src', 'model', 'time.js'))};
      const r = await ingest([${JSON.stringify(dir)}], { tz: resolveZone('UTC'), tzFrom: 'tz', tzFor: [], inputFormats: [], consumePattern: null, year: null });
      console.log(JSON.stringify({ problems: r.problems, files: r.files.map((f) => [f.file, f.eventsByKind]) }));`;
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', ...asUser });
    if (child.error || (child.status !== 0 && /EACCES|permission/i.test(child.stderr) && asUser.uid)) {
      t.skip(`cannot run as an unprivileged user here: ${child.error?.message ?? child.stderr.split('\n')[0]}`);
      return;
    }
    assert.equal(child.status, 0, child.stderr);
    const out = JSON.parse(child.stdout) as { problems: { path: string; problem: string }[]; files: [string, Record<string, number>][] };
    assert.deepEqual(
      out.problems.map((p) => [path.relative(dir, p.path), p.problem]),
      [
        ['h/secret.log', 'permission denied'],
        ['locked', 'permission denied'],
      ],
    );
    assert.deepEqual(out.files, [[path.join(dir, 'ok/rocketmq_client.log'), { 'offset-persist': 3 }]]);
  });

  it('a directory of 20,000 small files: fast, and no file-descriptor exhaustion (ulimit -n 128)', { timeout: 30_000 }, () => {
    const dir = writeBundle({});
    for (let h = 0; h < 100; h++) {
      const d = path.join(dir, `172.66.${Math.floor(h / 50)}.${h % 50}`);
      mkdirSync(d);
      for (let i = 0; i < 200; i++) {
        const kind = i % 50;
        const content = kind === 0 ? '' : kind === 1 ? noise(600, i) : kind === 2 ? 'notes\n' : persist(T0 + i * 1000, i) + '\n';
        writeFileSync(path.join(d, `rocketmq_client.log.${i}`), content);
      }
    }
    const script = `import { ingest } from ${JSON.stringify(INGEST_JS)}; import { resolveZone } from ${JSON.stringify(path.join(HERE, '..', '..', 'src', 'model', 'time.js'))};
      const t = Date.now();
      const r = await ingest([${JSON.stringify(dir)}], { tz: resolveZone('UTC'), tzFrom: 'tz', tzFor: [], inputFormats: [], consumePattern: null, year: null });
      console.log(JSON.stringify({ ms: Date.now() - t, files: r.files.length, problems: r.problems.slice(0, 3), events: r.events.length + r.persists.count + r.cold.count, skipped: r.files.filter((f) => f.skipped).length }));`;
    const child = spawnSync('sh', ['-c', `ulimit -n 128 && exec "${process.execPath}" --input-type=module -e "$0"`, script], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const out = JSON.parse(child.stdout) as { ms: number; files: number; problems: unknown[]; events: number; skipped: number };
    console.log(`# 20,000 files: ${out.ms} ms`);
    assert.equal(out.files, 20_000);
    assert.deepEqual(out.problems, []);
    assert.equal(out.skipped, 100 * 4 * 3);
    assert.equal(out.events, 100 * 4 * 47);
    assert.ok(out.ms < 20_000, `${out.ms} ms`);
  });
});

describe('messy bundles: the same evidence twice', () => {
  it('a file given twice, and a rotated piece with a gzipped copy under other_days/: events once, the copies skipped', async () => {
    const older = clientLog(30, T0);
    const current = clientLog(10, T0 + 3600_000, 500);
    const dir = writeBundle({
      'h/rocketmq_client.log': current,
      'h/rocketmq_client.log.1': older,
      'h/other_days/rocketmq_client.log.1.gz': older,
    });
    const cur = path.join(dir, 'h/rocketmq_client.log');
    const r = await ingest([dir, cur], opts());
    assertAccounting(r);
    assertProblemsSurface(r);
    assert.equal(allEvents(r).length, 40, 'every commit once');
    const offsets = allEvents(r).map((e) => (e.kind === 'offset-persist' ? e.fields.offset : -1));
    assert.equal(new Set(offsets).size, 40);
    const curs = r.files.filter((f) => f.file === cur);
    assert.equal(curs.length, 2);
    assert.deepEqual(curs[0]!.problems, []);
    assert.deepEqual(curs[1]!.lines, { total: 10, recognised: 0, unrecognised: 0, continuation: 0, skipped: 10 });
    assert.deepEqual(curs[1]!.problems, [`10 lines duplicate ${cur} (counted once, as evidence from that file)`]);
    const gz = file(r, 'other_days/rocketmq_client.log.1.gz');
    const plain = file(r, 'h/rocketmq_client.log.1');
    const [first, second] = r.files.indexOf(gz) < r.files.indexOf(plain) ? [gz, plain] : [plain, gz];
    assert.equal(first.eventsByKind['offset-persist'], 30);
    assert.deepEqual(second.eventsByKind, {});
    assert.equal(second.lines.skipped, 30);
    assert.deepEqual(second.problems, [`30 lines duplicate ${first.file} (counted once, as evidence from that file)`]);
    assert.ok(allEvents(r).every((e) => e.file !== second.file));
  });

  it('duplicated consumer lines are never counted as re-deliveries', async () => {
    const consumed = [0, 1, 2].map((i) => `2023-09-05 03:00:0${i}.000 consumed msgId=AC42020D0001626${i}C3BB043EAE03BEF9 topic=T group=G`).join('\n') + '\n';
    const dir = writeBundle({ 'h/app.log': consumed, 'h/backup/app.log': consumed });
    const consumePattern = /^(?<time>\S+ \S+) consumed msgId=(?<msgId>\w+) topic=(?<topic>\w+) group=(?<group>\w+)$/;
    const a = await analyze([dir, path.join(dir, 'h/app.log')], { ...opts({ consumePattern }), skewMs: 5000, version: 'test' });
    assert.equal(a.ingest.events.length, 3);
    assert.deepEqual(a.report.redeliveries, []);
    assert.equal(a.ingest.files.filter((f) => f.problems.some((p) => /3 lines duplicate/.test(p))).length, 2);
  });
});

describe('messy bundles: time', () => {
  it('a clock that jumps back: one problem per file, entries intact, events in instant order', async () => {
    const lines = [
      persist(T0, 1),
      persist(T0 + 1000, 2),
      ...FETCH_FAILED(T0 - 3 * 3600_000),
      persist(T0 - 3 * 3600_000 + 1000, 3),
      persist(T0 + 5000, 4),
      persist(T0 + 2000, 5), // 3 s back: ordinary interleaving, not reported
      persist(T0 - 600_000, 6),
    ];
    const dir = writeBundle({ '172.66.6.3/rocketmq_client.log': lines.join('\n') + '\n', '172.66.6.4/rocketmq_client.log': clientLog(3) });
    const r = await ingest([dir], opts());
    assertAccounting(r);
    const f = file(r, '172.66.6.3/rocketmq_client.log');
    assert.deepEqual(f.problems, ['clock jumps back 2 times, largest 3 h 1 s']);
    assert.deepEqual(file(r, '172.66.6.4/rocketmq_client.log').problems, []);
    const mine = allEvents(r).filter((e) => e.file === f.file);
    assert.deepEqual(
      mine.map((e) => (e.kind === 'offset-persist' ? e.fields.offset : e.kind)),
      ['fetch-offset-failed', 3, 6, 1, 2, 5, 4],
    );
    const fetch = mine[0]!;
    assert.equal(fetch.line, 3);
    assert.equal(fetch.exception?.className, 'org.apache.rocketmq.remoting.exception.RemotingTimeoutException');
    for (let i = 1; i < allEvents(r).length; i++) assert.ok(allEvents(r)[i - 1]!.instant <= allEvents(r)[i]!.instant);
  });

  it('timestamps without a year (MM-dd), Feb 29 in a year without one included, do not crash ingest', async () => {
    const line = (md: string, t: string, what: string): string =>
      `${md} ${t} [RebalanceService] INFO RocketmqClient - doRebalance, pos-provider, ${what}, ${MQ0}`;
    const dir = writeBundle({ 'h/app.log': [line('02-28', '23:59:59.000', 'add a new mq'), line('02-29', '00:00:01.000', 'remove unnecessary mq')].join('\n') + '\n' });
    const p = path.join(dir, 'h/app.log');
    const mtime = new Date('2023-03-02T00:00:00Z');
    utimesSync(p, mtime, mtime);
    const r = await ingest([dir], opts());
    assertAccounting(r);
    assert.equal(r.files[0]!.format, 'client-slf4j');
    assert.equal(allEvents(r).length, 2);
    assert.ok(allEvents(r).every((e) => Number.isFinite(e.instant)));
    assert.ok(allEvents(r)[0]!.instant < allEvents(r)[1]!.instant);
  });
});

describe('messy bundles: security', () => {
  it('archive entries with absolute or `..` names are read in memory; nothing is written anywhere', async () => {
    const tag = `${process.pid}-${Date.now()}`;
    const evil = (n: number): string => clientLog(2, T0 + n * 60_000, n * 10);
    const tgz = await tarGz({ [`../../rmqf-escape-${tag}.log`]: evil(1), [`/tmp/rmqf-abs-${tag}.log`]: evil(2), 'ok/rocketmq_client.log': evil(3) });
    const z = await zipRenamed(
      { [`xx/xx/rmqf-zescape-${tag}.log`]: evil(4), [`xtmp/rmqf-zabs-${tag}.log`]: evil(5), 'ok/rocketmq_client.log': evil(6) },
      { 'xx/xx/': '../../', 'xtmp/': '/tmp/' },
    );
    const dir = writeBundle({ 'in/bundle.tar.gz': tgz, 'in/bundle.zip': z });
    const before = readdirSync(os.tmpdir()).filter((n) => n.includes(tag));
    const r = await ingest([dir], opts());
    assert.deepEqual(r.problems, []);
    const names = r.files.map((f) => f.file.slice(dir.length + 1)).sort();
    assert.deepEqual(names, [
      `in/bundle.tar.gz!/../../rmqf-escape-${tag}.log`,
      `in/bundle.tar.gz!//tmp/rmqf-abs-${tag}.log`,
      'in/bundle.tar.gz!/ok/rocketmq_client.log',
      `in/bundle.zip!/../../rmqf-zescape-${tag}.log`,
      `in/bundle.zip!//tmp/rmqf-zabs-${tag}.log`,
      'in/bundle.zip!/ok/rocketmq_client.log',
    ]);
    for (const f of r.files) assert.equal(f.eventsByKind['offset-persist'], 2, f.file);
    for (const base of [dir, path.join(dir, 'in'), process.cwd(), '/tmp', os.tmpdir()]) {
      for (const n of [`rmqf-escape-${tag}.log`, `rmqf-abs-${tag}.log`, `rmqf-zescape-${tag}.log`, `rmqf-zabs-${tag}.log`]) {
        assert.equal(existsSync(path.join(base, n)), false, path.join(base, n));
        assert.equal(existsSync(path.resolve(base, '../..', n)), false);
      }
    }
    assert.deepEqual(readdirSync(os.tmpdir()).filter((n) => n.includes(tag)), before);
    assert.deepEqual(readdirSync(dir), ['in']);
    assert.deepEqual(readdirSync(path.join(dir, 'in')).sort(), ['bundle.tar.gz', 'bundle.zip']);
  });

  it('gzip, zip and tar bombs stop at --max-bytes per file and per run, and say so', async () => {
    const big = clientLog(200_000); // ~36 MB, compresses to a few hundred KB
    assert.ok(big.length > 30 * MiB);
    const small = clientLog(12_000, T0 + 86_400_000); // ~2.7 MB
    const limits = { run: 1 * GiB, file: 4 * MiB };
    const dir = writeBundle({
      'a/rocketmq_client.log.gz': big,
      'b/bundle.zip': await zip({ 'rocketmq_client.log': clientLog(200_000, T0, 7), 'next/rocketmq_client.log': small }),
    });
    const r = await ingest([dir], opts({ maxBytes: limits }));
    assertAccounting(r);
    assertProblemsSurface(r);
    for (const suffix of ['a/rocketmq_client.log.gz', 'b/bundle.zip!/rocketmq_client.log']) {
      const f = file(r, suffix);
      assert.deepEqual(f.problems, ['read stopped after 4 MiB: the --max-bytes bound of 4 MiB per file was reached; the rest of the file is not used']);
      assert.ok(f.lines.total > 10_000 && f.lines.total < 30_000, `${suffix}: ${f.lines.total}`);
    }
    assert.equal(file(r, 'b/bundle.zip!/next/rocketmq_client.log').lines.total, 12_000, 'the zip entry after the bomb is read');

    // The run bound: a tar.gz whose first entry is a bomb; the unread rest of it counts too.
    const tdir = writeBundle({
      'a.tar.gz': await tarGz({ 'x/rocketmq_client.log': big, 'y/rocketmq_client.log': small }),
      'b/rocketmq_client.log': small,
    });
    const t = await ingest([tdir], opts({ maxBytes: { run: 12 * MiB, file: 4 * MiB } }));
    assertAccounting(t);
    assert.deepEqual(
      t.problems.map((p) => [path.relative(tdir, p.path), p.problem]),
      [
        ['a.tar.gz', 'archive not read further: the --max-bytes bound of 12 MiB of decompressed input per run was reached; the rest is not used'],
        ['b/rocketmq_client.log', 'not read, nor anything after it: the --max-bytes bound of 12 MiB of decompressed input per run was reached; the rest is not used'],
        ['a.tar.gz!/x/rocketmq_client.log', 'read stopped after 4 MiB: the --max-bytes bound of 4 MiB per file was reached; the rest of the file is not used'],
      ],
    );
  });

  it('--max-bytes takes sizes with suffixes', () => {
    assert.equal(parseSize('512M'), 512 * MiB);
    assert.equal(parseSize('4G'), 4 * GiB);
    assert.equal(parseSize('1.5GiB'), 1.5 * GiB);
    assert.equal(parseSize('100k'), 100 * KiB);
    assert.equal(parseSize('1048576'), MiB);
    assert.equal(parseSize('lots'), null);
    assert.deepEqual(parseLimits('512M'), { run: 512 * MiB, file: 512 * MiB });
    assert.deepEqual(parseLimits('16G'), { run: 16 * GiB, file: 2 * GiB });
    assert.deepEqual(parseLimits('8G,1G'), { run: 8 * GiB, file: GiB });
    assert.deepEqual(ingestOptions({ tz: 'UTC', maxBytes: '8G,512M' }).maxBytes, { run: 8 * GiB, file: 512 * MiB });
    assert.throws(() => ingestOptions({ maxBytes: '8 gallons' }), UsageError);
    assert.equal(ingestOptions({ tz: 'UTC' }).maxBytes, undefined, 'the default applies in ingest');
  });
});

describe('messy bundles: stderr', () => {
  it('each problem is one line naming the file; exit 0 while something is usable', async () => {
    const lines = clientLog(5).split('\n');
    const dir = writeBundle({
      'h/rocketmq_client.log': [lines[0], `${stamp(T0 - 7200_000)} INFO RocketmqClient - late`, ...lines.slice(1)].join('\n'),
      'h/core.1': Buffer.concat([Buffer.from('JAVA PROFILE 1.0.2\0'), noise(100)]),
    });
    writeFileSync(path.join(dir, 'h/broken.log.gz'), gzipSync(Buffer.from(clientLog(2000, T0 + 86_400_000))).subarray(0, 2000));
    const run = await cli(['analyze', '--tz', 'UTC', dir, path.join(dir, 'nope')]);
    assert.equal(run.code, 0, run.err);
    const err = run.err.trim().split('\n');
    assert.ok(err.every((l) => /^rmq-forensics: \S/.test(l)), run.err);
    assert.ok(err.some((l) => /h\/rocketmq_client\.log: clock jumps back 1 time, largest 2 h$/.test(l)), run.err);
    assert.ok(err.some((l) => /h\/broken\.log\.gz: .*unexpected end of file/.test(l)), run.err);
    assert.ok(err.some((l) => /nope: no such file or directory$/.test(l)), run.err);
    assert.doesNotMatch(run.err, /\n\s+at /);
    const json = JSON.parse((await cli(['inputs', '--format', 'json', '--tz', 'UTC', dir])).out) as { inputs: { file: string; problems: string[] }[] };
    assert.deepEqual(json.inputs.find((i) => i.file.endsWith('rocketmq_client.log'))!.problems, ['clock jumps back 1 time, largest 2 h']);
  });
});
