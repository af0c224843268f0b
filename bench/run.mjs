#!/usr/bin/env node
// `npm run bench` — end-to-end throughput of `rmq-forensics analyze` on a generated bundle, against
// `grep -c -F` with the tool's own keyword set as the yardstick. See BENCHMARKS.md.
//
//   npm run bench -- [--size 100M|1G|4G[,…]] [--seed N] [--out DIR] [--keep] [--no-gz] [--no-write] [--timeout SEC] [--heap MB]
//
// --heap MB runs the tool with --max-old-space-size=MB (recorded with the figures); by default it
// runs with Node's default heap limit, as a user would.
//
// For each size: generate the bundle (plain: text files plus the rotated .gz pieces real hosts
// have), derive the gz variant (every file gzipped), then time grep and the tool on each variant,
// check that the tool found the buried incident, print the figures and record them in
// BENCHMARKS.md (between the bench:results markers). Exit status 1 when the incident was not found
// (or the tool failed), 2 for usage errors.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { formatSize, generate, parseSize } from './generate.mjs';
import { anchors } from './keywords.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const BIN = path.join(ROOT, 'bin', 'rmq-forensics.js');
const TIME = '/usr/bin/time';
const MB = 1e6;

// ------------------------------------------------------------------------------------------------
// Arguments
// ------------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const o = { sizes: ['1G'], seed: 1, out: null, keep: false, gz: true, write: true, timeout: 3600, heap: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--size') o.sizes = val().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--seed') o.seed = Number(val());
    else if (a === '--out') o.out = path.resolve(val());
    else if (a === '--keep') o.keep = true;
    else if (a === '--no-gz') o.gz = false;
    else if (a === '--no-write') o.write = false;
    else if (a === '--timeout') o.timeout = Number(val());
    else if (a === '--heap') o.heap = Number(val());
    else if (a === '-h' || a === '--help') usage(null);
    else usage(`unknown argument ${a}`);
  }
  if (!Number.isInteger(o.seed) || o.seed < 0) usage('--seed expects a non-negative integer');
  for (const s of o.sizes) parseSize(s);
  return o;
}

function usage(msg) {
  if (msg) process.stderr.write(`bench: ${msg}\n`);
  process.stderr.write('usage: npm run bench -- [--size 100M|1G|4G[,...]] [--seed N] [--out DIR] [--keep] [--no-gz] [--no-write] [--timeout SEC] [--heap MB]\n');
  process.exit(msg ? 2 : 0);
}

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

const now = () => Number(process.hrtime.bigint()) / 1e9;

/** Runs a command; stdout/stderr to files; resolves {code, signal, seconds}. */
function run(cmd, args, { stdout, stderr, timeout }) {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(stdout, 'w');
    const err = fs.openSync(stderr, 'w');
    const t = now();
    const child = spawn(cmd, args, { stdio: ['ignore', out, err], cwd: ROOT });
    let timer = null;
    if (timeout) timer = setTimeout(() => child.kill('SIGKILL'), timeout * 1000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      fs.closeSync(out);
      fs.closeSync(err);
      resolve({ code, signal, seconds: now() - t });
    });
  });
}

function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out.sort();
}

/** The gz variant: every file of the plain bundle gzipped (rotated .gz pieces are linked as they are). */
async function gzipBundle(src, dst) {
  const files = walk(src);
  const jobs = files.map((f) => async () => {
    const rel = path.relative(src, f);
    fs.mkdirSync(path.dirname(path.join(dst, rel)), { recursive: true });
    if (f.endsWith('.gz')) fs.linkSync(f, path.join(dst, rel));
    else await pipeline(fs.createReadStream(f, { highWaterMark: 1 << 20 }), zlib.createGzip({ level: 6 }), fs.createWriteStream(path.join(dst, rel) + '.gz'));
  });
  const workers = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < jobs.length) await jobs[next++]();
    }),
  );
  return walk(dst).reduce((s, f) => s + fs.statSync(f).size, 0);
}

const shq = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/** grep -c -F over plain files, `gzip -dc | grep -c -F` over .gz files; output to a file (not /dev/null). */
function grepScript(files, keywords, outFile) {
  const plain = files.filter((f) => !f.endsWith('.gz'));
  const gz = files.filter((f) => f.endsWith('.gz'));
  const lines = ['export LC_ALL=C', `: > ${shq(outFile)}`];
  if (plain.length) lines.push(`grep -c -F -f ${shq(keywords)} -- ${plain.map(shq).join(' ')} >> ${shq(outFile)} || true`);
  for (const f of gz) lines.push(`{ printf '%s:' ${shq(f)}; gzip -dc -- ${shq(f)} | grep -c -F -f ${shq(keywords)} || true; } >> ${shq(outFile)}`);
  return lines.join('\n') + '\n';
}

function countMatches(outFile) {
  let n = 0;
  for (const l of fs.readFileSync(outFile, 'utf8').split('\n')) {
    const m = /:(\d+)$/.exec(l) ?? /^(\d+)$/.exec(l);
    if (m) n += Number(m[1]);
  }
  return n;
}

/** Times the tool; peak RSS from /usr/bin/time -v, else from the in-process wrapper. */
async function timeTool(bundle, tz, work, label, timeout, heapMB) {
  const report = path.join(work, `report-${label}.json`);
  const errFile = path.join(work, `tool-${label}.stderr`);
  const toolArgs = ['analyze', bundle, '--format', 'json', '--tz', tz];
  const haveTime = fs.existsSync(TIME);
  const nodeArgs = heapMB ? [`--max-old-space-size=${heapMB}`] : [];
  const res = haveTime
    ? await run(TIME, ['-v', process.execPath, ...nodeArgs, BIN, ...toolArgs], { stdout: report, stderr: errFile, timeout })
    : await run(process.execPath, [...nodeArgs, path.join(ROOT, 'bench', 'rss-wrapper.mjs'), ...toolArgs], { stdout: report, stderr: errFile, timeout });
  const err = fs.readFileSync(errFile, 'utf8');
  const kb = haveTime ? /Maximum resident set size \(kbytes\): (\d+)/.exec(err) : /RMQ_BENCH_MAXRSS_KB=(\d+)/.exec(err);
  const exit = haveTime ? /Exit status: (\d+)/.exec(err) : null;
  const sig = /Command terminated by signal (\d+)/.exec(err);
  const code = res.signal ? res.signal : sig ? `signal ${sig[1]}` : exit ? Number(exit[1]) : res.code;
  const lines = err.split('\n').filter((l) => l && !/^\t/.test(l) && !/^Command (being timed|terminated)/.test(l) && !/^RMQ_BENCH_MAXRSS_KB=/.test(l) && !/^\s*$/.test(l));
  const fatal = lines.filter((l) => /FATAL ERROR|out of memory|Error:/.test(l));
  const toolErr = (fatal.length ? fatal : lines).slice(0, 3);
  return { seconds: res.seconds, rssMB: kb ? Number(kb[1]) / 1024 : null, code, report, stderr: toolErr, rssFrom: haveTime ? '/usr/bin/time -v' : 'process.resourceUsage().maxRSS' };
}

/** Did the report name the buried incident (cause, queue, offset range)? */
function checkReport(reportFile, expected) {
  let r;
  try {
    r = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  } catch (e) {
    return { found: false, why: `no JSON report (${e.message.split('\n')[0]})`, others: 0, confidence: null };
  }
  const inc = (r.incidents ?? []).find(
    (i) =>
      i.cause === expected.cause &&
      i.group === expected.group &&
      i.topic === expected.topic &&
      i.brokerName === expected.brokerName &&
      i.queueId === expected.queueId &&
      i.offsetRange?.from === expected.offsetRange.from &&
      i.offsetRange?.to === expected.offsetRange.to,
  );
  const others = (r.incidents ?? []).length - (inc ? 1 : 0);
  if (inc) return { found: true, why: null, others, confidence: inc.confidence };
  const got = (r.incidents ?? []).map((i) => `${i.cause} ${i.brokerName}:${i.queueId} ${i.offsetRange ? `${i.offsetRange.from}–${i.offsetRange.to}` : '?'}`).join('; ') || 'no incident';
  return { found: false, why: `expected ${expected.cause} ${expected.brokerName}:${expected.queueId} ${expected.offsetRange.from}–${expected.offsetRange.to}, got ${got}`, others, confidence: null };
}

function machine() {
  const cpus = os.cpus();
  return {
    cores: os.availableParallelism?.() ?? cpus.length,
    cpu: cpus[0]?.model?.replace(/\s+/g, ' ').trim() ?? 'unknown',
    memGiB: +(os.totalmem() / 1024 ** 3).toFixed(1),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString().slice(0, 19) + 'Z',
  };
}

// ------------------------------------------------------------------------------------------------
// BENCHMARKS.md
// ------------------------------------------------------------------------------------------------

const BEGIN = '<!-- bench:results:begin — generated by `npm run bench`; everything up to bench:results:end is overwritten -->';
const END = '<!-- bench:results:end -->';
const SIZE_ORDER = (a, b) => parseSize(a) - parseSize(b);

function fmt(n, d = 1) {
  return n === null || n === undefined || Number.isNaN(n) ? '—' : n.toFixed(d);
}

function renderSection(data) {
  const out = [BEGIN, ''];
  const sizes = Object.keys(data.runs).sort(SIZE_ORDER);
  out.push('| size | variant | input (uncompressed) | lines | tool s | tool MB/s | tool lines/s | grep s | grep MB/s | tool / grep | peak RSS MB | incident found | run |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|');
  for (const s of sizes) {
    const run = data.runs[s];
    for (const v of run.variants) {
      const found = v.found ? `yes (${v.confidence}${v.others ? `, +${v.others} other` : ''})` : `**NO**${v.why ? ` — ${v.why}` : ''}`;
      out.push(
        `| ${s} | ${v.variant} | ${formatSize(run.bytes)}${v.variant === 'gz' ? ` (${formatSize(v.diskBytes)} on disk)` : ''} | ${run.lines.toLocaleString('en-US')} | ${fmt(v.toolSeconds, 2)} | ${fmt(v.toolMBs)} | ${v.toolLinesPerSec ? Math.round(v.toolLinesPerSec).toLocaleString('en-US') : '—'} | ${fmt(v.grepSeconds, 2)} | ${fmt(v.grepMBs)} | ${fmt(v.ratio, 2)}× | ${fmt(v.rssMB, 0)} | ${found} | ${run.machine.date.slice(0, 10)}, seed ${run.seed} |`,
      );
    }
  }
  out.push('');
  const machines = [...new Set(sizes.map((s) => JSON.stringify(data.runs[s].machine, ['cores', 'cpu', 'memGiB', 'node', 'os'])))].map((m) => JSON.parse(m));
  for (const m of machines) out.push(`Machine: ${m.cores} cores (${m.cpu}), ${m.memGiB} GiB RAM, ${m.os}, Node ${m.node}.`);
  out.push('');
  for (const s of sizes) {
    const run = data.runs[s];
    out.push(
      `- ${s}: generated in ${fmt(run.genSeconds, 1)} s (${fmt(run.bytes / MB / run.genSeconds, 0)} MB/s); ${run.files} files (${run.rotatedGz} rotated .gz pieces), span ${run.span.start} → ${run.span.end}; incident ${run.incident.cause} on ${run.incident.brokerName}:${run.incident.queueId} offsets ${run.incident.offsetRange.from}–${run.incident.offsetRange.to}; grep matched ${run.variants[0]?.grepMatches?.toLocaleString('en-US') ?? '?'} lines with ${run.keywords} keywords; peak RSS via ${run.variants[0]?.rssFrom ?? '?'}; tool heap limit ${run.heapMB ? `--max-old-space-size=${run.heapMB}` : "Node's default"}.`,
    );
  }
  out.push('', `<!-- bench:data ${JSON.stringify(data)} -->`, END);
  return out.join('\n');
}

function writeBenchmarks(newRuns) {
  const file = path.join(ROOT, 'BENCHMARKS.md');
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n\n';
  let data = { runs: {} };
  const m = /<!-- bench:data (.*?) -->/s.exec(text);
  if (m) {
    try {
      data = JSON.parse(m[1]);
    } catch {
      data = { runs: {} };
    }
  }
  Object.assign(data.runs, newRuns);
  const section = renderSection(data);
  const b = text.indexOf('<!-- bench:results:begin');
  const e = text.indexOf(END);
  if (b >= 0 && e > b) text = text.slice(0, b) + section + text.slice(e + END.length);
  else text = text.replace(/\s*$/, '\n\n') + section + '\n';
  fs.writeFileSync(file, text);
  return file;
}

// ------------------------------------------------------------------------------------------------
// Main
// ------------------------------------------------------------------------------------------------

async function benchOne(sizeLabel, o, outRoot, kwFile, kwCount) {
  const sizeBytes = parseSize(sizeLabel);
  const work = path.join(outRoot, `bundle-${sizeLabel}-seed${o.seed}`);
  fs.rmSync(work, { recursive: true, force: true });
  const plain = path.join(work, 'plain');
  const gzDir = path.join(work, 'gz');
  fs.mkdirSync(work, { recursive: true });

  const log = (s) => process.stderr.write(s + '\n');
  log(`\n== ${sizeLabel} (seed ${o.seed}) → ${work}`);
  let t = now();
  const m = await generate({ sizeBytes, seed: o.seed, outDir: plain });
  const genSeconds = now() - t;
  fs.writeFileSync(path.join(work, 'manifest.json'), JSON.stringify(m, null, 2));
  log(`generated ${formatSize(m.bytes)} uncompressed, ${m.lines.toLocaleString('en-US')} lines, ${m.files.length} files in ${genSeconds.toFixed(1)} s (${(m.bytes / MB / genSeconds).toFixed(0)} MB/s)`);
  log(`incident: ${m.incident.cause} ${m.incident.group} ${m.incident.brokerName}:${m.incident.queueId} offsets ${m.incident.offsetRange.from}–${m.incident.offsetRange.to}, victim ${m.incident.victim}, fetch failed at ${m.incident.fetchFailedAt}`);

  const variants = [{ variant: 'plain', dir: plain, diskBytes: walk(plain).reduce((s, f) => s + fs.statSync(f).size, 0) }];
  if (o.gz) {
    t = now();
    const disk = await gzipBundle(plain, gzDir);
    log(`gz variant: ${formatSize(disk)} on disk, made in ${(now() - t).toFixed(1)} s`);
    variants.push({ variant: 'gz', dir: gzDir, diskBytes: disk });
  }

  const results = [];
  for (const v of variants) {
    const files = walk(v.dir);
    const script = path.join(work, `grep-${v.variant}.sh`);
    const grepOut = path.join(work, `grep-${v.variant}.out`);
    fs.writeFileSync(script, grepScript(files, kwFile, grepOut));
    const g = await run('bash', [script], { stdout: path.join(work, `grep-${v.variant}.stdout`), stderr: path.join(work, `grep-${v.variant}.stderr`), timeout: o.timeout });
    const grepMatches = countMatches(grepOut);
    log(`${v.variant}: grep ${g.seconds.toFixed(2)} s (${(m.bytes / MB / g.seconds).toFixed(0)} MB/s, ${grepMatches.toLocaleString('en-US')} matching lines)`);
    const tool = await timeTool(v.dir, m.tz, work, v.variant, o.timeout, o.heap);
    const check = tool.code === 0 ? checkReport(tool.report, m.incident) : { found: false, why: `tool exit ${tool.code}${tool.stderr.length ? `: ${tool.stderr.join(' | ').slice(0, 200)}` : ''}`, others: 0, confidence: null };
    log(
      `${v.variant}: tool ${tool.seconds.toFixed(2)} s (${(m.bytes / MB / tool.seconds).toFixed(1)} MB/s, ${Math.round(m.lines / tool.seconds).toLocaleString('en-US')} lines/s), ${(tool.seconds / g.seconds).toFixed(2)}× grep, peak RSS ${tool.rssMB === null ? '?' : tool.rssMB.toFixed(0) + ' MB'}; incident ${check.found ? `found (${check.confidence})` : `NOT FOUND: ${check.why}`}${check.others ? `; ${check.others} other incident(s)` : ''}`,
    );
    results.push({
      variant: v.variant,
      diskBytes: v.diskBytes,
      toolSeconds: tool.seconds,
      toolMBs: m.bytes / MB / tool.seconds,
      toolLinesPerSec: m.lines / tool.seconds,
      grepSeconds: g.seconds,
      grepMBs: m.bytes / MB / g.seconds,
      grepMatches,
      ratio: tool.seconds / g.seconds,
      rssMB: tool.rssMB,
      rssFrom: tool.rssFrom,
      exit: tool.code,
      found: check.found,
      confidence: check.confidence,
      others: check.others,
      why: check.why,
    });
  }
  return {
    work,
    run: {
      seed: o.seed,
      bytes: m.bytes,
      lines: m.lines,
      files: m.files.length,
      rotatedGz: m.files.filter((f) => f.gz).length,
      span: m.span,
      genSeconds,
      keywords: kwCount,
      heapMB: o.heap,
      incident: m.incident,
      machine: machine(),
      variants: results,
    },
  };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(DIST, 'src', 'formats', 'signatures', 'client.js'))) {
    process.stderr.write('bench: dist/ is missing; run `npm run build` first\n');
    process.exit(2);
  }
  const outRoot = o.out ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rmq-bench-'));
  fs.mkdirSync(outRoot, { recursive: true });

  // Disk: the plain bundle, its gz variant (~10 %) and the reports, with a margin.
  const biggest = Math.max(...o.sizes.map(parseSize));
  const need = biggest * (o.gz ? 1.25 : 1.1) * 1.2;
  try {
    const st = fs.statfsSync(outRoot);
    const avail = st.bavail * st.bsize;
    if (avail < need) {
      process.stderr.write(`bench: ${outRoot} has ${formatSize(avail)} free, ${formatSize(need)} needed for ${formatSize(biggest)}\n`);
      process.exit(2);
    }
  } catch {
    /* statfs unavailable: go ahead */
  }

  const { anchors: kw } = await anchors(DIST);
  const kwFile = path.join(outRoot, 'keywords.txt');
  fs.writeFileSync(kwFile, kw.join('\n') + '\n');
  process.stderr.write(`keyword set: ${kw.length} signature anchors → ${kwFile}\n`);

  const runs = {};
  let ok = true;
  for (const s of o.sizes) {
    const { work, run } = await benchOne(s, o, outRoot, kwFile, kw.length);
    runs[s] = run;
    ok &&= run.variants.every((v) => v.found);
    if (!o.keep) fs.rmSync(work, { recursive: true, force: true });
  }
  if (!o.keep && !o.out) fs.rmSync(outRoot, { recursive: true, force: true });

  // Summary table on stdout.
  const rows = [['size', 'variant', 'tool s', 'MB/s', 'lines/s', 'grep s', 'grep MB/s', 'tool/grep', 'RSS MB', 'incident']];
  for (const [s, r] of Object.entries(runs))
    for (const v of r.variants)
      rows.push([s, v.variant, fmt(v.toolSeconds, 2), fmt(v.toolMBs), Math.round(v.toolLinesPerSec).toLocaleString('en-US'), fmt(v.grepSeconds, 2), fmt(v.grepMBs), fmt(v.ratio, 2) + '×', fmt(v.rssMB, 0), v.found ? 'found' : 'NOT FOUND']);
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  process.stdout.write('\n' + rows.map((r) => r.map((c, i) => String(c).padStart(w[i])).join('  ')).join('\n') + '\n');
  process.stdout.write('targets: plain ≥ 600 MB/s end to end (≤ 1.5× grep), gz ≥ 400 MB/s of uncompressed text, peak RSS ≤ 256 MB and flat across sizes\n');

  if (o.write) process.stderr.write(`recorded in ${writeBenchmarks(runs)}\n`);
  if (o.keep) process.stderr.write(`kept: ${outRoot}\n`);
  process.exit(ok ? 0 : 1);
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.stack ?? e}\n`);
  process.exit(1);
});
