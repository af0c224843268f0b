import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { neutralize } from '../src/report/sanitize.js';
import { writeBundle } from './ingest/bundle.js';
import { ROOT, runCli as run } from './helpers.js';

const BIN = path.join(ROOT, 'bin', 'rmq-forensics.js');


const MQ0 = 'MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]';
const BROKER =
  '2023-09-05 03:21:20 WARN ConsumerManageThread_3 - [NOTIFYME]update consumer offset less than store. clientHost=172.66.6.3:52814, key=pos_create_pos_cooperate_sale_order@pos-provider, queueId=0, requestOffset=65, storeOffset=108\n';
const CLIENT = `2023-09-05 03:21:20,003 INFO RocketmqClient - [persistAll] Group: pos-provider ClientId: 172.66.6.3@12345 updateConsumeOffsetToBroker ${MQ0} 65\r\n`;

describe('cli', () => {
  it('usage errors are one line on stderr with exit 2', async () => {
    for (const args of [
      ['analyze', '.', '--format', 'yaml'],
      ['analyze', '.', '--tz', 'Mars/Olympus'],
      ['analyze', '.', '--skew', 'soon'],
      ['timeline', '.', '--queue', 'broker-b'],
      ['explain', 'not-an-id', '.'],
      ['analyze', '.', '--consume-pattern', 'msgId=(\\w+)'],
      ['inputs', '.', '--input-format', 'no-such-format'],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.err.trim().split('\n').length, 1, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, /^rmq-forensics: /);
    }
  });

  it('an unknown option is a usage error', async () => {
    const r = await run(['analyze', '.', '--frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown option/);
  });

  it('nothing readable: one-line error, exit 2', async () => {
    const dir = writeBundle({ 'notes.txt': 'hello\n' });
    const r = await run(['analyze', dir, path.join(dir, 'missing.log')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /missing\.log: no such file or directory/);
    assert.match(r.err, /nothing could be read/);
  });

  it('analyze is the default command; --fail-on-findings makes findings exit 1', async () => {
    const dir = writeBundle({ '172.66.1.31/broker.log': BROKER, '172.66.6.3/rocketmq_client.log': CLIENT });
    const plain = await run([dir, '--tz', 'Asia/Shanghai']);
    assert.equal(plain.code, 0, plain.err);
    assert.match(plain.out, /offset-regression/);
    const strict = await run(['analyze', dir, '--fail-on-findings', '--tz', 'Asia/Shanghai']);
    assert.equal(strict.code, 1);
  });

  it('ndjson prints one incident per line; markdown a ticket body', async () => {
    const dir = writeBundle({ '172.66.1.31/broker.log': BROKER });
    const nd = await run(['analyze', dir, '--format', 'ndjson']);
    const lines = nd.out.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.equal((JSON.parse(lines[0]!) as { cause: string }).cause, 'offset-regression');
    const md = await run(['analyze', dir, '--format', 'markdown']);
    assert.match(md.out, /^# RocketMQ re-delivery report/);
    assert.match(md.out, /\| incident \| cause \|/);
  });

  it('colour: never on a pipe, always with --color always, never with --color never', async () => {
    const dir = writeBundle({ '172.66.1.31/broker.log': BROKER });
    const esc = /\u001b\[/;
    assert.doesNotMatch((await run(['analyze', dir])).out, esc);
    assert.match((await run(['analyze', dir, '--color', 'always'])).out, esc);
    assert.doesNotMatch((await run(['analyze', dir, '--color', 'never'], true)).out, esc);
  });

  it('log text cannot drive the terminal: control characters are neutralised in text output', async () => {
    const evil = BROKER.replace('clientHost=172.66.6.3:52814', 'clientHost=172.66.6.3:52814').replace('\n', '') + ' \u001b]0;pwned\u0007\u001b[2J\n';
    const dir = writeBundle({ '172.66.1.31/broker.log': evil.replace('storeOffset=108 ', 'storeOffset=108') });
    const r = await run(['analyze', dir]);
    assert.doesNotMatch(r.out, /\u001b|\u0007/);
    assert.equal(neutralize('a\u001b[31mb\u0007'), 'a\\x1b[31mb\\x07');
  });

  it('the launcher runs and --help teaches every command', () => {
    const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    for (const cmd of ['analyze', 'explain', 'timeline', 'inputs', 'formats']) assert.match(r.stdout, new RegExp(`\\b${cmd}\\b`));
    const a = spawnSync(process.execPath, [BIN, 'analyze', '--help'], { encoding: 'utf8' });
    assert.match(a.stdout, /Exit status/);
    assert.match(a.stdout, /--fail-on-findings/);
  });

  it('explain tells one message story; timeline filters by queue', async () => {
    const dir = writeBundle({ '172.66.1.31/broker.log': BROKER, '172.66.6.3/rocketmq_client.log': CLIENT });
    const ex = await run(['explain', 'AC42020D00016267C3BB043EAE03BEF9', dir]);
    assert.equal(ex.code, 0);
    assert.match(ex.out, /not seen/);
    const tl = await run(['timeline', dir, '--queue', 'broker-b:0', '--format', 'json', '--tz', 'Asia/Shanghai']);
    assert.equal(tl.code, 0, tl.err);
    const t = JSON.parse(tl.out) as { brokerName: string; queueId: number; entries: { kind: string }[] }[];
    assert.ok(t.length >= 1);
    assert.ok(t.every((q) => q.brokerName === 'broker-b' && q.queueId === 0));
    assert.ok(t.some((q) => q.entries.some((e) => e.kind === 'offset-persist')));
  });

  it('--consume-pattern turns the users own consumer lines into deliveries', async () => {
    const line = (t: string, thread: string) =>
      `2023-09-05 ${t} [${thread}] INFO com.example.pos.PosHandler - handleMessage msgId=AC42020D00016267C3BB043EAE03BEF9 group=pos-provider\n`;
    const dir = writeBundle({
      '172.66.6.3/app/pos-provider.log': 'startup banner\n' + line('19:46:57.120', 'ConsumeMessageThread_1'),
      '172.66.6.5/app/pos-provider.log': line('03:21:42.311', 'ConsumeMessageThread_3'),
    });
    const pattern = '^(?<time>\\S+ \\S+) .*handleMessage msgId=(?<msgId>[0-9A-F]{32}) group=(?<group>\\S+)';
    const r = await run(['analyze', dir, '--format', 'json', '--consume-pattern', pattern, '--tz', 'Asia/Shanghai']);
    assert.equal(r.code, 0, r.err);
    const rep = JSON.parse(r.out) as { inputs: { format: string; lines: { skipped: number } }[]; redeliveries: { messageId: string; group: string; deliveries: unknown[] }[] };
    assert.ok(rep.inputs.every((i) => i.format === 'app-log'));
    assert.equal(rep.redeliveries.length, 1);
    assert.equal(rep.redeliveries[0]!.group, 'pos-provider');
    assert.equal(rep.redeliveries[0]!.deliveries.length, 2);
  });

  it('warns when a host-local log was read in the wrong zone (commits hours apart from the broker)', async () => {
    const dir = writeBundle({ '172.66.1.31/broker.log': BROKER, '172.66.6.3/rocketmq_client.log': CLIENT });
    const wrong = await run(['analyze', dir, '--tz', 'UTC']);
    assert.match(wrong.err, /172\.66\.6\.3's lines are 8 h ahead of broker 172\.66\.1\.31 .*pass --tz/);
    const right = await run(['analyze', dir, '--tz', 'Asia/Shanghai']);
    assert.doesNotMatch(right.err, /warning/);
  });
});

