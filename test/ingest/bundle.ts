import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import yazl from 'yazl';

/** Writes files into a fresh temp dir; values ending in .gz paths are gzipped. */
export function writeBundle(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rmqf-ingest-'));
  for (const [p, content] of Object.entries(files)) {
    const full = path.join(dir, p);
    mkdirSync(path.dirname(full), { recursive: true });
    const buf = typeof content === 'string' ? Buffer.from(content) : content;
    writeFileSync(full, p.endsWith('.gz') && !p.endsWith('.tar.gz') ? gzipSync(buf) : buf);
  }
  return dir;
}

/** An uncompressed tar; entry names are written as given (absolute and `..` names included). */
export async function tarBuffer(files: Record<string, string | Buffer>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mtime: new Date('2023-09-05T00:00:00Z') }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

export async function tarGz(files: Record<string, string | Buffer>): Promise<Buffer> {
  return gzipSync(await tarBuffer(files));
}

export async function zip(files: Record<string, string | Buffer>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) z.addBuffer(typeof content === 'string' ? Buffer.from(content) : content, name);
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/**
 * A zip whose entry names are replaced after the fact (yazl refuses absolute and `..` names): each
 * `from` must have the same length as its `to` and appear in the names only.
 */
export async function zipRenamed(files: Record<string, string | Buffer>, renames: Record<string, string>): Promise<Buffer> {
  const buf = await zip(files);
  for (const [from, to] of Object.entries(renames)) {
    if (from.length !== to.length) throw new Error('zipRenamed: same length only');
    const a = Buffer.from(from);
    const b = Buffer.from(to);
    for (let i = buf.indexOf(a); i !== -1; i = buf.indexOf(a, i + 1)) b.copy(buf, i);
  }
  return buf;
}
