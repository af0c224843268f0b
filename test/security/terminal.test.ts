import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guardOutput, guardStderr, neutralize, safeJson } from '../../src/report/sanitize.js';
import { writeBundle } from '../ingest/bundle.js';
import { runCli as run } from '../helpers.js';

/**
 * Log text must never drive the terminal: evil bundles whose group names, topic names, client ids,
 * host-looking fields and file names carry OSC title sequences, screen clears, BEL, backspaces, C1
 * controls and bidi overrides. Text and markdown show them as visible escapes; JSON escapes them
 * and still carries the original value.
 */

const ESC = '\u001b';
const OSC_TITLE = `${ESC}]0;pwned${'\u0007'}`;
const CLEAR = `${ESC}[2J`;
const BEL = '\u0007';
const BS = '\b\b\b';
const RLO = '\u202e';
const CSI8 = '\u009b2J';
const HYPERLINK = `${ESC}]8;;http://evil.example/${ESC}\\`;

/** What a terminal may act on (our own SGR colours are stripped first). */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const stripSgr = (s: string): string => s.replace(/\u001b\[\d{1,3}(?:;\d{1,3})*m/g, '');

function assertSafe(where: string, s: string): void {
  const m = UNSAFE.exec(stripSgr(s));
  assert.equal(m, null, `${where}: raw ${JSON.stringify(m?.[0])} near ${JSON.stringify(m ? stripSgr(s).slice(Math.max(0, m.index - 40), m.index + 10) : '')}`);
}


const GROUP = `pos${RLO}redivorp${OSC_TITLE}${BS}`;
// ESC c is a full terminal reset; a rendered MessageQueue cannot carry `[` or `]` in a topic.
const TOPIC = `pos_order${BEL}${CSI8}${ESC}c${RLO}`;
const CLIENT_ID = `evil${HYPERLINK}client`;
const MSG_ID = 'AC42020D00016267C3BB043EAE03BEF9';
const FILE = `broker${OSC_TITLE}${RLO}gol.log`;

const broker = (req: number, store: number): string =>
  `2023-09-05 03:21:20 WARN ConsumerManageThread_3 - [NOTIFYME]update consumer offset less than store. clientHost=172.66.6.3:52814, key=${TOPIC}@${GROUP}, queueId=0, requestOffset=${req}, storeOffset=${store}\n`;
const client = (offset: number): string =>
  `2023-09-05 03:21:20,003 INFO RocketmqClient - [persistAll] Group: ${GROUP} ClientId: 172.66.6.3@12345 updateConsumeOffsetToBroker MessageQueue [topic=${TOPIC}, brokerName=broker-b, queueId=0] ${offset}\r\n`;
const appLine = (t: string): string => `2023-09-05 ${t} [ConsumeMessageThread_1] INFO com.example.Handler - handleMessage msgId=${MSG_ID} group=${GROUP} client=${CLIENT_ID}\n`;
const CONSUME = '^(?<time>\\S+ \\S+) .*handleMessage msgId=(?<msgId>[0-9A-F]{32}) group=(?<group>\\S+) client=(?<client>\\S+)';

function evilBundle(): string {
  return writeBundle({
    [`172.66.1.31/${FILE}`]: broker(65, 108) + `2023-09-05 03:21:21 WARN ConsumerManageThread_3 - a line no signature knows ${CLEAR}${OSC_TITLE}${BS}${RLO}\n`,
    '172.66.6.3/rocketmq_client.log': client(65),
    [`172.66.6.3/app/consumer${CLEAR}.log`]: appLine('03:21:30.120') + appLine('03:21:42.311'),
  });
}

describe('terminal safety: neutralize and the output guards', () => {
  it('neutralize makes every control visible and keeps one entry on one line', () => {
    assert.equal(neutralize('a\u001b[31mb\u0007'), 'a\\x1b[31mb\\x07');
    assert.equal(neutralize(OSC_TITLE), '\\x1b]0;pwned\\x07');
    assert.equal(neutralize(CLEAR), '\\x1b[2J');
    assert.equal(neutralize('ab\b\bc'), 'ab\\x08\\x08c');
    assert.equal(neutralize(`group${RLO}txt`), 'group\\u202etxt');
    assert.equal(neutralize('\u2066x\u2069\u200f'), '\\u2066x\\u2069\\u200f');
    assert.equal(neutralize(CSI8), '\\x9b2J');
    assert.equal(neutralize('a\r\nb\nc\rd\te\u0000'), 'a ⏎ b ⏎ c\\x0dd e\\x00');
    for (const s of [OSC_TITLE, CLEAR, BEL, BS, RLO, CSI8, HYPERLINK, '\u007f', '\u0085', '\u2028']) assertSafe(JSON.stringify(s), neutralize(s));
  });

  it('guardOutput keeps our SGR colours and newlines, escapes the rest in a JSON-compatible form', () => {
    assert.equal(guardOutput('\u001b[1mbold\u001b[22m\n'), '\u001b[1mbold\u001b[22m\n');
    assert.equal(guardOutput(`x${OSC_TITLE}`), 'x\\u001b]0;pwned\\u0007');
    assert.equal(guardOutput(CLEAR), '\\u001b[2J');
    assertSafe('guardOutput', guardOutput(`${OSC_TITLE}${CLEAR}${BEL}${BS}${RLO}${CSI8}${HYPERLINK}\r`));
    assertSafe('guardStderr', guardStderr(`${OSC_TITLE}${CLEAR}${BEL}${BS}${RLO}${CSI8}${HYPERLINK}\r\u001b[31m`));
    assert.equal(guardStderr('one\ntwo\n'), 'one\ntwo\n');
  });

  it('JSON escapes control characters itself; safeJson also escapes DEL, C1 and bidi, and round-trips', () => {
    const value = { group: GROUP, topic: TOPIC, client: CLIENT_ID, file: FILE, c1: '\u0085\u009b\u007f', seps: '\u2028\u2029' };
    const plain = JSON.stringify(value);
    assert.doesNotMatch(plain, /[\u0000-\u001f]/, 'JSON.stringify escapes U+0000–U+001F');
    assert.match(plain, /\\u001b\]0;pwned\\u0007/);
    const safe = safeJson(value, 2);
    assertSafe('safeJson', safe);
    assert.deepEqual(JSON.parse(safe), value);
  });
});

describe('terminal safety: evil bundles through every command', () => {
  const dir = evilBundle();
  const common = ['--tz', 'Asia/Shanghai', '--consume-pattern', CONSUME];

  it('analyze: text (plain and coloured) and markdown show the names as visible escapes', async () => {
    for (const [args, tty] of [
      [['analyze', dir, ...common], false],
      [['analyze', dir, ...common, '--color', 'always'], true],
      [['analyze', dir, ...common, '--format', 'markdown'], false],
    ] as const) {
      const r = await run([...args], tty);
      assert.equal(r.code, 0, r.err);
      assertSafe(args.join(' ') + ' stdout', r.out);
      assertSafe(args.join(' ') + ' stderr', r.err);
      assert.match(r.out, /offset-regression|manual-offset-reset/);
      assert.match(r.out, /\\x1b\]0;pwned\\x07/, 'the OSC sequence is shown, escaped');
      assert.match(r.out, /\\u202e/, 'the bidi override is shown, escaped');
      assert.ok(r.out.includes('redivorp'), 'the rest of the name is kept');
    }
  });

  it('analyze: JSON and NDJSON escape them and keep the original values', async () => {
    const j = await run(['analyze', dir, ...common, '--format', 'json']);
    assert.equal(j.code, 0, j.err);
    assertSafe('json', j.out);
    const report = JSON.parse(j.out) as { incidents: { summary: string; chain: { file: string; text: string }[] }[]; inputs: { file: string }[] };
    // The broker's name is unknown in this bundle (no heartbeat), so the queue stays null; the
    // names travel in the summary and the chain, unchanged.
    const inc = report.incidents.find((i) => i.summary.includes(GROUP));
    assert.ok(inc, `no incident naming the evil group: ${JSON.stringify(report.incidents.map((i) => i.summary))}`);
    assert.ok(inc.chain.some((l) => l.file.endsWith(FILE) && l.text.includes(`key=${TOPIC}@${GROUP}`)));
    assert.ok(report.inputs.some((f) => f.file.endsWith(FILE)));
    const nd = await run(['analyze', dir, ...common, '--format', 'ndjson']);
    assertSafe('ndjson', nd.out);
    for (const line of nd.out.trim().split('\n')) JSON.parse(line);
  });

  it('explain: text, markdown and JSON', async () => {
    for (const fmt of ['text', 'markdown', 'json']) {
      const r = await run(['explain', MSG_ID, dir, ...common, '--format', fmt, '--color', 'always'], true);
      assert.equal(r.code, 0, r.err);
      assertSafe(`explain ${fmt}`, r.out);
      assertSafe(`explain ${fmt} stderr`, r.err);
      if (fmt === 'json') assert.equal((JSON.parse(r.out) as { deliveries: { group: string; client: string }[] }).deliveries[0]!.client, CLIENT_ID);
      else assert.match(r.out, /client evil\\x1b\]8;;http:\/\/evil\.example\/\\x1b\\client/);
    }
  });

  it('timeline and inputs: text and JSON', async () => {
    for (const args of [
      ['timeline', dir, ...common],
      ['timeline', dir, ...common, '--format', 'json'],
      ['inputs', dir, '--tz', 'Asia/Shanghai'],
      ['inputs', dir, '--tz', 'Asia/Shanghai', '--format', 'json'],
    ]) {
      const r = await run(args, true);
      assert.equal(r.code, 0, r.err);
      assertSafe(args.join(' '), r.out);
      assertSafe(args.join(' ') + ' stderr', r.err);
      if (args.includes('json')) JSON.parse(r.out);
    }
  });

  it('stderr: problems naming an evil path are neutralised', async () => {
    const r = await run(['analyze', dir, `${dir}/missing${OSC_TITLE}${RLO}.log`]);
    assert.match(r.err, /missing/);
    assertSafe('stderr', r.err);
  });
});
