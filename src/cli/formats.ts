import type { Command } from 'commander';
import { FORMATS } from '../formats/index.js';
import type { Io } from './main.js';

export function registerFormats(program: Command, io: Io): void {
  program
    .command('formats')
    .description('list the input formats rmq-forensics recognises (ids for --input-format)')
    .action(() => {
      const w = Math.max(...FORMATS.map((f) => f.id.length));
      for (const f of FORMATS) io.out(`${f.id.padEnd(w)}  ${f.zone.padEnd(8)}  ${f.title}\n`);
    });
}
