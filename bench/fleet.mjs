#!/usr/bin/env node
// A fleet of small files, the other shape of a big bundle: many hosts × rotated pieces, each a few
// KB. It measures what each file and each event costs (opening, detection, per-file state, events),
// where the size benchmark (run.mjs) measures throughput on a few large files.
//
//   node bench/fleet.mjs --out /tmp/fleet [--hosts 300] [--pieces 10] [--lines 90] [--seed 1]
//   /usr/bin/time -v node bin/rmq-forensics.js analyze /tmp/fleet --tz Asia/Shanghai --format json > /dev/null
//
// Every host <10.1.x.y>/logs/rocketmqlogs/ holds rocketmq_client.log and .1 … .(pieces − 1), in
// the 4.x client layout, consecutive in time (.N oldest). The lines are a stress mix, not a
// realistic one: a third heartbeats (`send heart beat … success`), a third closeChannel warnings,
// a third `[persistAll]` commits — the first two are events the tool keeps, so a fleet of these
// holds 180,000 events in 40 MB of text, where a realistic 1 GiB bundle holds ~15,000.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs as parseArgsOf } from 'node:util';

function parseArgs(argv) {
  let values;
  try {
    ({ values } = parseArgsOf({
      args: argv,
      options: { out: { type: 'string' }, hosts: { type: 'string' }, pieces: { type: 'string' }, lines: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (e) {
    usage(e.message);
  }
  if (values.help) usage(null);
  if (!values.out) usage('--out DIR is required');
  const o = { out: path.resolve(values.out), hosts: Number(values.hosts ?? 300), pieces: Number(values.pieces ?? 10), lines: Number(values.lines ?? 90), seed: Number(values.seed ?? 1) };
  for (const k of ['hosts', 'pieces', 'lines', 'seed']) if (!Number.isInteger(o[k]) || o[k] < (k === 'seed' ? 0 : 1)) usage(`--${k} expects a positive integer`);
  if (o.hosts > 250 * 250) usage('--hosts: at most 62,500');
  return o;
}

function usage(why) {
  process.stderr.write(`${why ? `bench/fleet.mjs: ${why}\n` : ''}usage: node bench/fleet.mjs --out DIR [--hosts 300] [--pieces 10] [--lines 90] [--seed 1]\n`);
  process.exit(why ? 2 : 0);
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** `yyyy-MM-dd HH:mm:ss,SSS` of a wall-clock time given as ms since 2023-01-10 00:00 (the log's own zone). */
function stamp(ms) {
  const d = new Date(Date.UTC(2023, 0, 10) + ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())},${pad(d.getUTCMilliseconds(), 3)}`;
}

const o = parseArgs(process.argv.slice(2));
if (fs.existsSync(o.out) && fs.readdirSync(o.out).length > 0) usage(`${o.out} exists and is not empty`);
let bytes = 0;
let files = 0;
for (let h = 0; h < o.hosts; h++) {
  const ip = `10.1.${Math.floor(h / 250)}.${h % 250}`;
  const dir = path.join(o.out, ip, 'logs', 'rocketmqlogs');
  fs.mkdirSync(dir, { recursive: true });
  const broker = `broker-${'abcd'[h % 4]}`;
  const addr = `10.0.0.${1 + (h % 4)}:10911`;
  // 5 s between triples, pieces back to back; hosts start a little apart
  let t = (o.seed * 7919 + h * 1013) % 60_000;
  let offset = 1000 + h * 100;
  for (let p = o.pieces - 1; p >= 0; p--) {
    const out = [];
    for (let i = 0; i < o.lines; i += 3) {
      const s = stamp(t);
      const q = (i / 3) % 4;
      out.push(`${s} INFO RocketmqClient - send heart beat to broker[${broker} 0 ${addr}] success`);
      out.push(`${s} WARN RocketmqRemoting - closeChannel: close the connection to remote address[${addr}] result: true`);
      out.push(`${s} INFO RocketmqClient - [persistAll] Group: fleet-consumer ClientId: ${ip}@${4000 + h} updateConsumeOffsetToBroker MessageQueue [topic=fleet_topic, brokerName=${broker}, queueId=${q}] ${offset++}`);
      t += 5000;
    }
    const text = out.join('\n') + '\n';
    fs.writeFileSync(path.join(dir, p === 0 ? 'rocketmq_client.log' : `rocketmq_client.log.${p}`), text);
    bytes += text.length;
    files++;
  }
}
process.stdout.write(`${files} files, ${(bytes / 1e6).toFixed(1)} MB, ${files * o.lines} lines → ${o.out}\n`);
