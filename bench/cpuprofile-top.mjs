#!/usr/bin/env node
// Top self-time functions of a V8 .cpuprofile (as written by `node --cpu-prof`). No dependency.
//
//   node bench/cpuprofile-top.mjs <file.cpuprofile> [N=15]
//
// Self time per node = the sum of the sampling intervals (timeDeltas) of the samples that landed
// in it; nodes are merged by function name + script + line. Also prints self time per script.
import fs from 'node:fs';
import path from 'node:path';

const [file, nArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/cpuprofile-top.mjs <file.cpuprofile> [N]\n');
  process.exit(2);
}
const N = Number(nArg ?? 15);
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
const { samples, timeDeltas } = prof;
for (let i = 0; i < samples.length; i++) {
  // timeDeltas[i] is the time since the previous sample; attribute the interval ending at sample i+1 to sample i.
  const dt = timeDeltas[i + 1] ?? timeDeltas[i] ?? 0;
  selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, dt));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const root = process.cwd();
const where = (cf) => {
  if (!cf.url) return '';
  let u = cf.url.replace(/^file:\/\//, '');
  if (u.startsWith(root + '/')) u = path.relative(root, u);
  return `${u}:${cf.lineNumber + 1}`;
};
const agg = new Map();
const byScript = new Map();
for (const [id, us] of selfUs) {
  const cf = byId.get(id).callFrame;
  const name = cf.functionName || (cf.url ? '(anonymous)' : `(${cf.functionName || 'native'})`);
  const key = `${name}\t${where(cf)}`;
  agg.set(key, (agg.get(key) ?? 0) + us);
  const script = cf.url ? where({ ...cf, lineNumber: -1 }).replace(/:0$/, '') : name.startsWith('(') ? name : '(native / builtins)';
  byScript.set(script, (byScript.get(script) ?? 0) + us);
}
const pct = (us) => ((100 * us) / total).toFixed(1).padStart(5) + '%';
const ms = (us) => (us / 1000).toFixed(0).padStart(8) + ' ms';
process.stdout.write(`${path.basename(file)}: ${(total / 1e6).toFixed(2)} s sampled, ${samples.length} samples\n\n`);
process.stdout.write(`Top ${N} functions by self time:\n`);
for (const [key, us] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, N)) {
  const [name, loc] = key.split('\t');
  process.stdout.write(`${ms(us)} ${pct(us)}  ${name}${loc ? `  ${loc}` : ''}\n`);
}
process.stdout.write(`\nSelf time by script (top 10):\n`);
for (const [s, us] of [...byScript].sort((a, b) => b[1] - a[1]).slice(0, 10)) process.stdout.write(`${ms(us)} ${pct(us)}  ${s}\n`);
