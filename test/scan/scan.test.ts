import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it, before } from 'node:test';
import { main } from '../../src/cli/main.js';
import type { Report } from '../../src/report/report.js';
import { acquireLock } from '../../src/scan/state.js';
import { parseWhen } from '../../src/scan/window.js';
import { resolveZone } from '../../src/model/time.js';
import { validateReport } from '../schema.js';

const MQ0 = 'MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]';
const MQ2 = 'MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=2]';
const PR = (next: number): string => `PullRequest [consumerGroup=pos-provider, messageQueue=${MQ0}, nextOffset=${next}]`;
const cl = (day: string, t: string, level: string, msg: string): string => `2023-09-${day} ${t} ${level} RocketmqClient - ${msg}`;
const br = (day: string, t: string, level: string, thread: string, msg: string): string => `2023-09-${day} ${t} ${level} ${thread} - ${msg}`;
const STACK = [
  'org.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel <172.66.1.31:10911> timeout, 5000(ms)',
  '\tat org.apache.rocketmq.remoting.netty.NettyRemotingAbstract.invokeSyncImpl(NettyRemotingAbstract.java:438)',
  '',
];
const crlf = (lines: string[]): string => lines.join('\r\n') + '\r\n';
const lf = (lines: string[]): string => lines.join('\n') + '\n';
const persist = (day: string, t: string, host: string, pid: number, mq: string, offset: number, mode = 'persistAll'): string =>
  cl(day, t, 'INFO', `[${mode}] Group: pos-provider ClientId: ${host}@${pid} updateConsumeOffsetToBroker ${mq} ${offset}`);
const noise = (day: string, hour: number, host: string, pid: number): string[] => {
  const out: string[] = [];
  for (let m = 0; m < 60; m += 10) {
    const t = `${String(hour).padStart(2, '0')}:${String(m).padStart(2, '0')}:00,0${String(m).padStart(2, '0')}`;
    out.push(cl(day, t, 'INFO', 'send heart beat to broker[broker-b 0 172.66.1.31:10911] success'));
    out.push(persist(day, t.replace(/,.*/, ',412'), host, pid, MQ2, 500 + hour * 10 + m / 10));
  }
  return out;
};
/** A consumption that failed on its first retry (reconsumeTimes=1): a by-design re-delivery. */
const msgExt = (offset: number, uniq: string, reconsume: number): string =>
  `MessageExt [brokerName=broker-b, queueId=2, storeSize=312, queueOffset=${offset}, sysFlag=0, bornTimestamp=1693958400812, bornHost=/172.66.2.13:50412, storeTimestamp=1693958400815, storeHost=/172.66.1.31:10911, msgId=AC42011F00002A9F0000001CBE991A14, commitLogOffset=123456789012, bodyCRC=1822540310, reconsumeTimes=${reconsume}, preparedTransactionOffset=0, toString()=Message{topic='%RETRY%pos-provider', flag=0, properties={MIN_OFFSET=0, MAX_OFFSET=1300, KEYS=SO202309070001, RETRY_TOPIC=pos_create_pos_cooperate_sale_order, UNIQ_KEY=${uniq}, CLUSTER=DefaultCluster, WAIT=true, TAGS=create}, body=[123, 125], transactionId='null'}]`;

interface Run {
  code: number;
  out: string;
  err: string;
  report: Report | null;
}

describe('scan: three nights from cron', () => {
  const dir = mkdtemp();
  const bundle = path.join(dir, 'logs');
  const state = path.join(dir, 'state', 'scan.json');
  const c3 = path.join(bundle, '172.66.6.3/logs/rocketmqlogs/rocketmq_client.log');
  const c5 = path.join(bundle, '172.66.6.5/logs/rocketmqlogs/rocketmq_client.log');
  const b31 = path.join(bundle, '172.66.1.31/logs/rocketmqlogs/broker.log');
  const runs: Run[] = [];

  async function scan(extra: string[] = []): Promise<Run> {
    const outFile = path.join(dir, `out-${runs.length}.json`);
    let out = '';
    let err = '';
    const code = await main(
      ['node', 'rmq-forensics', 'scan', bundle, '--state', state, '--tz', 'Asia/Shanghai', '--format', 'json', '--output', outFile, '--lock-wait', '0', ...extra],
      { out: (s) => void (out += s), err: (s) => void (err += s), isTTY: false },
    );
    const report = existsSync(outFile) ? (JSON.parse(readFileSync(outFile, 'utf8')) as Report) : null;
    if (existsSync(outFile)) rmSync(outFile);
    const r = { code, out, err, report };
    runs.push(r);
    return r;
  }

  before(() => {
    // Night 1 (2023-09-05): timeouts, a failed offset read at 23:58, the pull with -1 corrected to 65.
    write(c3, crlf([
      cl('05', '22:00:00,001', 'INFO', 'the consumer [pos-provider] start beginning. messageModel=CLUSTERING, isUnitMode=false'),
      ...noise('05', 22, '172.66.6.3', 18732),
      cl('05', '23:40:00,003', 'INFO', 'send heart beat to broker[broker-b 0 172.66.1.31:10911] success'),
      persist('05', '23:50:00,012', '172.66.6.3', 18732, MQ0, 100),
      '2023-09-05 23:55:10,100 WARN RocketmqRemoting - invokeSync: wait response timeout exception, the channel[172.66.1.31:10911]',
      cl('05', '23:58:20,349', 'INFO', `doRebalance, pos-provider, add a new mq, ${MQ0}`),
      cl('05', '23:58:30,462', 'WARN', `fetchConsumeOffsetFromBroker exception, ${MQ0}`),
      ...STACK,
      cl('05', '23:58:30,463', 'INFO', `the first time to pull message, so fix offset from broker. pullRequest: ${PR(100)} NewOffset: -1 brokerBusy: true`),
      cl('05', '23:59:40,231', 'WARN', `the pull request offset illegal, ${PR(-1)} PullResult [pullStatus=OFFSET_ILLEGAL, nextBeginOffset=65, minOffset=65, maxOffset=108, msgFoundList=0]`),
    ]));
    write(b31, lf([
      br('05', '22:00:01', 'INFO', 'main', 'The broker[broker-b, 172.66.1.31:10911] boot success. serializeType=JSON and name server is 172.66.1.10:9876'),
      br('05', '23:59:40', 'INFO', 'PullMessageThread_12', 'the request offset too small. group=pos-provider, topic=pos_create_pos_cooperate_sale_order, requestOffset=-1, brokerMinOffset=65, clientIp=/172.66.6.3:52814'),
      br('05', '23:59:40', 'WARN', 'PullMessageThread_12', 'PULL_OFFSET_MOVED:correction offset. topic=pos_create_pos_cooperate_sale_order, groupId=pos-provider, requestOffset=-1, newOffset=65, suggestBrokerId=0'),
    ]));
  });

  it('night 1: the incident that starts before midnight is reported, exit 1', async () => {
    const r = await scan();
    assert.equal(r.code, 1, r.err);
    assert.ok(r.report && validateReport(r.report), JSON.stringify(validateReport.errors));
    assert.deepEqual(r.report.incidents.map((i) => i.cause), ['offset-fetch-failure']);
    assert.deepEqual(r.report.scan?.newIncidents, [r.report.incidents[0]!.id]);
    assert.deepEqual(r.report.incidents[0]!.offsetRange, { from: 65, to: 99 });
  });

  it('a second run over the same files reads nothing new and reports nothing, exit 0', async () => {
    const r = await scan(['--verbose']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.report!.incidents.length, 0);
    assert.equal(r.report!.scan!.newLines, 0);
    assert.match(r.err, /read 0 new line\(s\)/);
  });

  it('night 2: appended lines finish the chain after midnight; the log rotates; the grown incident is reported as updated', async () => {
    // The rest of the chain, just after midnight: commit 65, the broker overwrites 108, 172.66.6.5 re-consumes.
    appendFileSync(c3, crlf([persist('06', '00:00:05,412', '172.66.6.3', 18732, MQ0, 65, 'persist'), cl('06', '00:00:05,435', 'WARN', `fix the pull request offset, ${PR(65)}`)]));
    appendFileSync(b31, lf([
      br('06', '00:00:05', 'WARN', 'ConsumerManageThread_3', '[NOTIFYME]update consumer offset less than store. clientHost=172.66.6.3:52814, key=pos_create_pos_cooperate_sale_order@pos-provider, queueId=0, requestOffset=65, storeOffset=108'),
    ]));
    write(c5, crlf([
      ...noise('06', 0, '172.66.6.5', 9823).slice(0, 2),
      cl('06', '00:00:20,292', 'INFO', `doRebalance, pos-provider, add a new pull request ${PR(65)}`),
      persist('06', '00:01:00,047', '172.66.6.5', 9823, MQ0, 108),
    ]));
    // 4.x rotation: the current file becomes .1, a new one starts.
    renameSync(c3, c3 + '.1');
    write(c3, crlf(noise('06', 1, '172.66.6.3', 18732)));
    const r = await scan();
    assert.equal(r.code, 1, r.err);
    assert.deepEqual(r.report!.scan!.newIncidents, []);
    assert.deepEqual(r.report!.scan!.updatedIncidents, [runs[0]!.report!.incidents[0]!.id]);
    const inc = r.report!.incidents[0]!;
    assert.deepEqual(inc.offsetRange, { from: 65, to: 107 });
    assert.equal(inc.redeliveredCount, 43);
    // The renamed .1 was not read again: only the lines appended after night 1 and the new files.
    const rotated = r.report!.inputs.find((i) => i.file.endsWith('rocketmq_client.log.1'))!;
    assert.equal(rotated.lines.total, 2);
    // Evidence from night 1, carried in the state, is cited with its original file and line.
    assert.ok(inc.chain.some((l) => l.kind === 'fetch-offset-failed' && l.file.endsWith('172.66.6.3/logs/rocketmqlogs/rocketmq_client.log')));
  });

  it('a killed run (temp file left, stale lock of a dead process) leaves the previous state usable', async () => {
    writeFileSync(path.join(path.dirname(state), '.scan.json.tmp-424242-1'), '{"format":"rmq-forensics-scan-st');
    writeFileSync(state + '.lock', '999999\n2023-09-06T00:00:00Z\n');
    const r = await scan();
    assert.equal(r.code, 0, r.err);
    assert.equal(r.report!.incidents.length, 0);
    assert.ok(!existsSync(state + '.lock'), 'lock released');
  });

  it('a second concurrent run refuses (exit 2) while another holds the lock', async () => {
    const lock = await acquireLock(state, 0);
    try {
      const r = await scan();
      assert.equal(r.code, 2);
      assert.match(r.err, /another scan \(pid \d+\) holds/);
      assert.equal(r.err.trim().split('\n').length, 1);
    } finally {
      await lock.release();
    }
  });

  it('night 3: gzip rotation into other_days and a copy-truncated broker log; a by-design retry is reported but exits 0', async () => {
    // The .1 piece is gzipped into other_days/ (its content is already read).
    const gz = path.join(path.dirname(c3), 'other_days', 'rocketmq_client-1.log.gz');
    mkdirSync(path.dirname(gz), { recursive: true });
    writeFileSync(gz, gzipSync(readFileSync(c3 + '.1')));
    rmSync(c3 + '.1');
    // copy-truncate: the broker log is copied away (not in the bundle) and truncated in place.
    truncateSync(b31, 0);
    appendFileSync(b31, lf([br('07', '01:00:00', 'INFO', 'main', 'The broker[broker-b, 172.66.1.31:10911] boot success. serializeType=JSON and name server is 172.66.1.10:9876')]));
    // A consumption that fails on its first retry: the handler ran twice, by design.
    appendFileSync(c3, crlf([
      cl('07', '02:00:00,001', 'INFO', `doRebalance, pos-provider, add a new mq, ${MQ2}`),
      cl('07', '02:10:00,512', 'WARN', `consumeMessage exception: java.lang.IllegalStateException: stock service unavailable Group: pos-provider Msgs: [${msgExt(610, 'AC42020D00016267C3BB316F58CC0610', 1)}] MQ: ${MQ2}`),
      'java.lang.IllegalStateException: stock service unavailable',
      '\tat com.example.pos.StockClient.reserve(StockClient.java:88)',
      '',
    ]));
    // The same run with --fail-on all (on a copy of the state) alerts on the by-design finding.
    const copy = state + '.copy';
    writeFileSync(copy, readFileSync(state));
    const strict = await main(['node', 'x', 'scan', bundle, '--state', copy, '--tz', 'Asia/Shanghai', '--format', 'json', '--fail-on', 'all'], {
      out: () => undefined,
      err: () => undefined,
      isTTY: false,
    });
    assert.equal(strict, 1);
    const r = await scan();
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.report!.incidents.map((i) => [i.cause, i.byDesign]), [['consume-failure-retry', true]]);
    const gzRead = r.report!.inputs.find((i) => i.file.endsWith('rocketmq_client-1.log.gz'))!;
    assert.equal(gzRead.lines.total, 0, 'the gzipped piece is recognised as already read');
    const brokerRead = r.report!.inputs.find((i) => i.file.endsWith('broker.log'))!;
    assert.equal(brokerRead.lines.total, 1, 'after copy-truncate only the new content is read');
  });

  it('every finding was reported exactly once as new across the nights', () => {
    const news = runs.flatMap((r) => r.report?.scan?.newIncidents ?? []);
    assert.equal(new Set(news).size, news.length);
    assert.equal(news.length, 2);
  });

  it('with --fail-on all, a finding already reported does not alert again', async () => {
    const again = await scan(['--fail-on', 'all']);
    assert.equal(again.code, 0, 'nothing new: nothing to alert on');
  });

  it('a corrupt state file is a one-line error (exit 2); --reset-state starts afresh', async () => {
    writeFileSync(state, '{"format": "rmq-forensics-scan-state", "version": 1, "files": [');
    const bad = await scan();
    assert.equal(bad.code, 2);
    assert.match(bad.err, /corrupt.*--reset-state/);
    const reset = await scan(['--reset-state']);
    assert.equal(reset.code, 1, reset.err);
    writeFileSync(path.join(dir, 'foreign.json'), '{"hello": "world"}');
    let err = '';
    const code = await main(['node', 'x', 'scan', bundle, '--state', path.join(dir, 'foreign.json')], { out: () => undefined, err: (s) => void (err += s), isTTY: false });
    assert.equal(code, 2);
    assert.match(err, /not an rmq-forensics scan state/);
  });
});

describe('scan killed with SIGKILL mid-run', () => {
  it('leaves a state file that is either the previous one or the new one, never a torn one', async () => {
    const { spawn } = await import('node:child_process');
    const { cpSync } = await import('node:fs');
    const { ROOT, FIXTURES } = await import('../helpers.js');
    const { loadState } = await import('../../src/scan/state.js');
    const dir = mkdtemp();
    cpSync(path.join(FIXTURES, 'seed-000'), path.join(dir, 'b'), { recursive: true });
    const state = path.join(dir, 'state.json');
    const cli = path.join(ROOT, 'bin', 'rmq-forensics.js');
    const args = [cli, 'scan', path.join(dir, 'b'), '--state', state, '--tz', 'Asia/Shanghai', '--format', 'json', '--output', path.join(dir, 'o.json')];
    // A first complete run gives a previous state.
    await new Promise<void>((resolve) => spawn(process.execPath, args, { stdio: 'ignore' }).on('exit', () => resolve()));
    const before = readFileSync(state, 'utf8');
    appendFileSync(path.join(dir, 'b/172.66.6.2/logs/rocketmqlogs/rocketmq_client.log'), crlf(noise('05', 4, '172.66.6.2', 4242)));
    for (const delay of [20, 120, 250, 400]) {
      const child = spawn(process.execPath, args, { stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await exited;
      const s = await loadState(state); // throws on a torn file
      assert.equal(s.format, 'rmq-forensics-scan-state');
    }
    assert.ok(readFileSync(state, 'utf8').length > 0 && before.length > 0);
    // Unchanged documents (trace exports, mqadmin output, offset snapshots) are skipped whole,
    // never resumed mid-way into a parse error.
    await new Promise<void>((resolve) => spawn(process.execPath, args, { stdio: 'ignore' }).on('exit', () => resolve()));
    await new Promise<void>((resolve) => spawn(process.execPath, args, { stdio: 'ignore' }).on('exit', () => resolve()));
    const last = JSON.parse(readFileSync(path.join(dir, 'o.json'), 'utf8')) as Report;
    for (const f of last.inputs.filter((i) => i.format !== null)) {
      assert.equal(f.lines.total, 0, `${f.file} read again`);
      assert.deepEqual(f.unrecognisedSamples, [], f.file);
    }
    // The next run works (the dead run's lock is taken over).
    const code = await new Promise<number | null>((resolve) => spawn(process.execPath, args, { stdio: 'ignore' }).on('exit', (c) => resolve(c)));
    assert.ok(code === 0 || code === 1, `exit ${code}`);
  });
});

describe('scan time window', () => {
  const zone = resolveZone('Asia/Shanghai');
  const now = new Date('2023-09-06T01:30:00Z'); // 09:30 in Shanghai
  it('reads RFC 3339, wall times in --tz, durations, today and yesterday', () => {
    assert.equal(parseWhen('2023-09-05T02:00:00+08:00', zone, now), Date.parse('2023-09-04T18:00:00Z'));
    assert.equal(parseWhen('2023-09-05 02:00', zone, now), Date.parse('2023-09-04T18:00:00Z'));
    assert.equal(parseWhen('2023-09-05', zone, now), Date.parse('2023-09-04T16:00:00Z'));
    assert.equal(parseWhen('24h', zone, now), now.getTime() - 86_400_000);
    assert.equal(parseWhen('90m', zone, now), now.getTime() - 90 * 60_000);
    assert.equal(parseWhen('7d', zone, now), now.getTime() - 7 * 86_400_000);
    assert.equal(parseWhen('today', zone, now), Date.parse('2023-09-05T16:00:00Z'));
    assert.equal(parseWhen('yesterday', zone, now), Date.parse('2023-09-04T16:00:00Z'));
    assert.throws(() => parseWhen('last tuesday', zone, now), /cannot read the time/);
  });

  it('findings outside --since/--until are not reported, but lines outside still feed the timeline', async () => {
    const dir = mkdtemp();
    const f = path.join(dir, '172.66.1.31/broker.log');
    write(f, lf([
      br('05', '02:00:00', 'WARN', 'ConsumerManageThread_3', '[NOTIFYME]update consumer offset less than store. clientHost=172.66.6.3:52814, key=t@g, queueId=0, requestOffset=10, storeOffset=20'),
      br('05', '09:00:00', 'WARN', 'ConsumerManageThread_3', '[NOTIFYME]update consumer offset less than store. clientHost=172.66.6.3:52814, key=t@g, queueId=1, requestOffset=30, storeOffset=40'),
    ]));
    let out = '';
    const code = await main(['node', 'x', 'scan', dir, '--since', '2023-09-05 08:00', '--until', '2023-09-05 10:00', '--tz', 'Asia/Shanghai', '--format', 'json'], {
      out: (s) => void (out += s),
      err: () => undefined,
      isTTY: false,
    });
    assert.equal(code, 1);
    const r = JSON.parse(out) as Report;
    assert.deepEqual(r.incidents.map((i) => i.offsetRange), [{ from: 30, to: 39 }]);
  });
});

function mkdtemp(): string {
  const d = path.join(os.tmpdir(), `rmqf-scan-${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(d, { recursive: true });
  return d;
}

function write(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

describe('scan state: what a run carries to the next', () => {
  it("of a host's routine lines (heartbeats, connection churn) the newest 32 of each kind; every rarer fault; the state stays small", async () => {
    const { loadState } = await import('../../src/scan/state.js');
    const dir = mkdtemp();
    // three consumer hosts, each with 4 h of a heartbeat and a closeChannel every 10 s, and two heartbeat failures
    for (const h of [2, 3, 4]) {
      const host = `172.66.6.${h}`;
      const lines: string[] = [];
      for (let s = 0; s < 4 * 3600; s += 10) {
        const t = `${String(20 + Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')},${String(100 + h).padStart(3, '0')}`;
        lines.push(cl('05', t, 'INFO', 'send heart beat to broker[broker-b 0 172.66.1.31:10911] success'));
        lines.push(`2023-09-05 ${t} WARN RocketmqRemoting - closeChannel: close the connection to remote address[172.66.1.31:10911] result: true`);
        if (s % 1800 === 0) lines.push(persist('05', t, host, 4000 + h, MQ2, 700 + s / 10));
        if (s === 3600 || s === 7200) lines.push(cl('05', t, 'INFO', 'send heart beat to broker[broker-b 0 172.66.1.31:10911] failed'), ...STACK.slice(0, 2));
      }
      mkdirSync(path.join(dir, 'b', host), { recursive: true });
      writeFileSync(path.join(dir, 'b', host, 'rocketmq_client.log'), lf(lines));
    }
    const state = path.join(dir, 'state.json');
    let err = '';
    const code = await main(['node', 'rmq-forensics', 'scan', path.join(dir, 'b'), '--state', state, '--tz', 'Asia/Shanghai', '--format', 'json', '--output', path.join(dir, 'o.json')], {
      out: () => undefined,
      err: (s) => void (err += s),
      isTTY: false,
    });
    assert.ok(code === 0 || code === 1, err);
    const s = await loadState(state);
    const count = (kind: string, host: string): number => s.carried.filter((e) => e.kind === kind && e.host === host).length;
    for (const h of [2, 3, 4]) {
      const host = `172.66.6.${h}`;
      assert.equal(count('heartbeat-ok', host), 32, host);
      assert.equal(count('connection-failure', host), 32, host);
      assert.equal(count('heartbeat-failed', host), 2, host);
      // the newest ones: the last heartbeat of the file is carried
      const newest = s.carried.filter((e) => e.kind === 'heartbeat-ok' && e.host === host).map((e) => e.instant);
      assert.equal(Math.max(...newest), Date.parse(`2023-09-05T23:59:50.${String(100 + h).padStart(3, '0')}+08:00`));
    }
    // the last commit of each host and queue, however old
    assert.equal(s.carried.filter((e) => e.kind === 'offset-persist').length, 3);
    assert.ok(readFileSync(state, 'utf8').length < 200_000, 'the state file stays small');
  });
});

describe('scan: a file read to its end before and unchanged since', () => {
  it('is reported as read then (no detection); a grown file, a forced format and a rewritten snapshot are read as before', async () => {
    const { cpSync } = await import('node:fs');
    const { FIXTURES } = await import('../helpers.js');
    const dir = mkdtemp();
    const bundle = path.join(dir, 'b');
    cpSync(path.join(FIXTURES, 'seed-000'), bundle, { recursive: true });
    const state = path.join(dir, 'state.json');
    const scanOnce = async (extra: string[] = []): Promise<Report> => {
      const out = path.join(dir, 'o.json');
      const code = await main(['node', 'rmq-forensics', 'scan', bundle, '--state', state, '--tz', 'Asia/Shanghai', '--format', 'json', '--output', out, ...extra], {
        out: () => undefined,
        err: () => undefined,
        isTTY: false,
      });
      assert.ok(code === 0 || code === 1, `exit ${code}`);
      return JSON.parse(readFileSync(out, 'utf8')) as Report;
    };
    const first = await scanOnce();
    const grown = path.join(bundle, '172.66.6.2/logs/rocketmqlogs/rocketmq_client.log');
    appendFileSync(grown, crlf(noise('05', 4, '172.66.6.2', 4242)));
    const second = await scanOnce();
    const byFile = (r: Report): Map<string, Report['inputs'][number]> => new Map(r.inputs.map((i) => [i.file, i]));
    const before = byFile(first);
    let unchanged = 0;
    for (const i of second.inputs) {
      const was = before.get(i.file)!;
      if (i.format === null) continue;
      // the same format, host and identity as when it was read; nothing new read from it
      assert.equal(i.format, was.format, i.file);
      assert.equal(i.host, was.host, i.file);
      if (i.file === grown) {
        assert.ok(i.lines.total > 0, 'the grown file is read (its new lines)');
        assert.doesNotMatch(i.detection, /unchanged/);
      } else {
        assert.equal(i.lines.total, 0, i.file);
        assert.match(i.detection, /^unchanged since the last scan/, i.file);
        unchanged++;
      }
    }
    assert.ok(unchanged >= 10, `${unchanged} files unchanged`);
    // a forced format is detected (forced) as before, even for an unchanged file
    const forced = await scanOnce(['--input-format', '**/172.66.1.31/**/broker.log=broker']);
    const b = forced.inputs.find((i) => i.file.endsWith('172.66.1.31/logs/rocketmqlogs/broker.log'))!;
    assert.equal(b.detection, 'forced by --input-format');
    assert.equal(b.lines.total, 0);
    // a snapshot rewritten in place (same size, one offset changed) is read again, whole
    const snapshot = path.join(bundle, '172.66.1.31/store/config/consumerOffset.json');
    const text = readFileSync(snapshot, 'utf8');
    const changed = text.replace(/(\d)(\d*)(,|\})/, (_m, d: string, rest: string, end: string) => `${d === '9' ? '8' : String(Number(d) + 1)}${rest}${end}`);
    assert.notEqual(changed, text);
    assert.equal(changed.length, text.length);
    writeFileSync(snapshot, changed);
    const third = await scanOnce();
    const snap = third.inputs.find((i) => i.file === snapshot)!;
    assert.doesNotMatch(snap.detection, /unchanged/);
    assert.ok(snap.lines.total > 0, 'the rewritten snapshot is read whole');
  });
});
