import { parentPort } from 'node:worker_threads';
import { ByteBudget } from './budget.js';
import { useSpillDir } from '../model/spill.js';
import { compileOptions, emptyReport, readFile } from './index.js';
import type { WorkerReply, WorkerTask } from './pool.js';
import { describeFsError, walkInputs, type SourceFile } from './walk.js';

/** A reader thread: reads the files it is sent, one at a time (see pool.ts). */
parentPort?.on('message', (task: WorkerTask) => {
  void run(task).then((reply) => parentPort!.postMessage(reply));
});

async function run(task: WorkerTask): Promise<WorkerReply> {
  useSpillDir(task.spillDir);
  try {
    const budget = new ByteBudget({ file: task.limits.file, run: task.limits.run }, task.used);
    let src: SourceFile | null = null;
    let problem: string | null = null;
    for await (const item of walkInputs([task.path], undefined, budget)) {
      if (item.type === 'problem') problem ??= item.problem.problem;
      else if (src === null) src = { ...item.file, rel: task.rel, independent: true };
      else item.file.stream.destroy();
    }
    if (src === null) return { id: task.id, ok: false, error: problem ?? 'the file could not be opened again' };
    const r = await readFile(src, task.opts, compileOptions(task.opts), budget);
    return {
      id: task.id,
      ok: true,
      report: r.report,
      events: r.events,
      series: r.series.map((s) => s.snapshot()),
      cold: r.cold ? r.cold.snapshot() : null,
      warm: r.warm ? r.warm.snapshot() : null,
      reparse: r.reparse,
    };
  } catch (e) {
    void emptyReport;
    return { id: task.id, ok: false, error: describeFsError(e) };
  }
}
