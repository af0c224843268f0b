// Fallback when /usr/bin/time is absent: runs the CLI in this process and reports the peak RSS
// (process.resourceUsage().maxRSS, KiB) on stderr as `RMQ_BENCH_MAXRSS_KB=<n>`.
//
//   node bench/rss-wrapper.mjs analyze <dir> --format json --tz Asia/Shanghai
import { pathToFileURL } from 'node:url';

const main = (await import(pathToFileURL(new URL('../dist/src/cli/main.js', import.meta.url).pathname).href)).main;
const code = await main([process.argv[0], 'rmq-forensics', ...process.argv.slice(2)]);
process.on('exit', () => {
  process.stderr.write(`RMQ_BENCH_MAXRSS_KB=${process.resourceUsage().maxRSS}\n`);
});
process.exitCode = code;
