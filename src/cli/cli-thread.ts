/**
 * The thread a big run goes on (see thread.ts): the CLI again, with the same arguments and the
 * main thread's terminal state, as runCli runs it (an internal error is one line and exit 2).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { dropStdout, internalError, main } from './main.js';
import type { CliThreadData, CliThreadMessage } from './thread.js';

const data = workerData as CliThreadData | null;
if (parentPort !== null && data?.kind === 'rmq-forensics-cli') {
  const debug = data.argv.includes('--debug');
  if (debug) process.setSourceMapsEnabled(true);
  // A worker's stderr is no terminal stream: the width the progress line fits is the main thread's.
  let columns = data.columns;
  Object.defineProperty(process.stderr, 'columns', { get: () => columns, configurable: true });
  parentPort.on('message', (m: CliThreadMessage) => {
    if (m.type === 'signal') process.exit(m.code);
    else if (m.type === 'stdout-closed') dropStdout();
    else columns = m.columns;
  });
  parentPort.unref();
  const internal = (e: unknown): void => internalError(e, debug);
  // (writes after dropStdout, and a destroyed stream's own complaint, are nothing to report)
  process.stdout.on('error', () => undefined);
  process.on('uncaughtException', internal);
  process.on('unhandledRejection', internal);
  main(data.argv, { isTTY: data.isTTY, errIsTTY: data.errIsTTY }).then((code) => process.exit(code), internal);
}
