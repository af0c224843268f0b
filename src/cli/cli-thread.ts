/**
 * The thread a big run goes on (see thread.ts): the CLI again, with the same arguments and the
 * main thread's terminal state, as runCli runs it (an internal error is one line and exit 2).
 */
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { internalError, main } from './main.js';
import type { CliThreadData, CliThreadMessage } from './thread.js';

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `text` to one of the process's descriptors (1 or 2), waiting whenever it is full
 * (a pipe's descriptor is non-blocking). A worker's `process.stdout` forwards every write
 * through the main thread: `timeline` over 1 GiB (2.4 GB of JSON) took 31.5 s that way, 22.4 s
 * on the main thread; and stderr written the same way keeps its order with stdout on a terminal.
 * Throws EPIPE when the reader has gone.
 */
function writeAll(fd: 1 | 2, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let at = 0;
  while (at < buf.length) {
    try {
      at += writeSync(fd, buf, at);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      // (50 µs: a reader drains a pipe's 64 KiB that fast; waiting 1 ms made `timeline … | wc`
      // take 47 s where the main thread's stream took 28.6, with 0.05 ms 29.4 s, 0.2 ms 37.7 s)
      Atomics.wait(pause, 0, 0, 0.05);
    }
  }
}

const data = workerData as CliThreadData | null;
if (parentPort !== null && data?.kind === 'rmq-forensics-cli') {
  const debug = data.argv.includes('--debug');
  if (debug) process.setSourceMapsEnabled(true);
  // A worker's stderr is no terminal stream: the width the progress line fits is the main thread's.
  let columns = data.columns;
  Object.defineProperty(process.stderr, 'columns', { get: () => columns, configurable: true });
  parentPort.on('message', (m: CliThreadMessage) => {
    if (m.type === 'signal') process.exit(m.code);
    else columns = m.columns;
  });
  parentPort.unref();
  const internal = (e: unknown): void => internalError(e, debug);
  process.on('uncaughtException', internal);
  process.on('unhandledRejection', internal);
  // stdout's reader going away (`… | head`) drops the rest of the output, as on the main thread.
  let closed = false;
  const out = (text: string): void => {
    if (closed) return;
    try {
      writeAll(1, text);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EPIPE' && code !== 'ECONNRESET') throw e;
      closed = true;
    }
  };
  const err = (text: string): void => {
    try {
      writeAll(2, text);
    } catch {
      // (stderr closed too: nowhere left to report anything)
    }
  };
  main(data.argv, { isTTY: data.isTTY, errIsTTY: data.errIsTTY, out, err, drain: () => Promise.resolve() }).then((code) => process.exit(code), internal);
}
