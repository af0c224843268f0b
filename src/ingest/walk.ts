import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import tar from 'tar-stream';
import yauzl from 'yauzl';
import { gunzip, isGzip, isTar, isZip, peek } from './stream.js';

/** One readable piece of the bundle: a plain file, a `.gz`, an archive entry, or stdin. */
export interface SourceFile {
  /** Path as given in the bundle: `bundle/172.66.6.3/rocketmq_client.log`, `x.tar.gz!/a/b.log`. */
  path: string;
  /** Path relative to the input root it was found under (for host detection). */
  rel: string;
  size: number | null;
  mtimeMs: number | null;
  /** The decompressed content. Archive entries are valid only until the next item is pulled. */
  stream: Readable;
  /** True when the content was gunzipped on the way. */
  gzipped: boolean;
  /** An error met while sniffing the container (a truncated .gz): the readable part is still used. */
  problem: string | null;
}

export interface WalkProblem {
  path: string;
  problem: string;
}

export type WalkItem = { type: 'file'; file: SourceFile } | { type: 'problem'; problem: WalkProblem };

const HEAD_PEEK = 512;

/** Walks every input (files, directories recursively, `-` for stdin) in a stable order. */
export async function* walkInputs(inputs: readonly string[], stdin: Readable = process.stdin): AsyncGenerator<WalkItem> {
  for (const input of inputs) {
    if (input === '-') {
      yield* openStream('-', '-', null, null, stdin);
      continue;
    }
    let st;
    try {
      st = await fs.stat(input);
    } catch (e) {
      yield { type: 'problem', problem: { path: input, problem: describeFsError(e) } };
      continue;
    }
    if (st.isDirectory()) {
      yield* walkDir(input, input, new Set<string>());
    } else if (st.isFile()) {
      yield* openFile(input, path.basename(input), st.size, st.mtimeMs);
    } else {
      yield { type: 'problem', problem: { path: input, problem: 'not a regular file or directory' } };
    }
  }
}

async function* walkDir(dir: string, root: string, seen: Set<string>): AsyncGenerator<WalkItem> {
  let real: string;
  try {
    real = await fs.realpath(dir);
  } catch (e) {
    yield { type: 'problem', problem: { path: dir, problem: describeFsError(e) } };
    return;
  }
  if (seen.has(real)) {
    yield { type: 'problem', problem: { path: dir, problem: 'symlink loop (directory already visited)' } };
    return;
  }
  seen.add(real);
  let names: string[];
  try {
    names = (await fs.readdir(dir)).sort();
  } catch (e) {
    yield { type: 'problem', problem: { path: dir, problem: describeFsError(e) } };
    return;
  }
  for (const name of names) {
    const p = path.join(dir, name);
    let st;
    try {
      st = await fs.stat(p);
    } catch (e) {
      yield { type: 'problem', problem: { path: p, problem: describeFsError(e) } };
      continue;
    }
    if (st.isDirectory()) yield* walkDir(p, root, seen);
    else if (st.isFile()) yield* openFile(p, path.relative(root, p), st.size, st.mtimeMs);
  }
}

async function* openFile(p: string, rel: string, size: number, mtimeMs: number): AsyncGenerator<WalkItem> {
  let stream: Readable;
  try {
    const fh = await fs.open(p, 'r');
    await fh.close();
    stream = createReadStream(p, { highWaterMark: 1 << 16 });
  } catch (e) {
    yield { type: 'problem', problem: { path: p, problem: describeFsError(e) } };
    return;
  }
  if (isZipName(p) || (await hasZipMagic(p))) {
    stream.destroy();
    yield* walkZip(p, mtimeMs);
    return;
  }
  yield* openStream(p, rel, size, mtimeMs, stream);
}

async function hasZipMagic(p: string): Promise<boolean> {
  try {
    const fh = await fs.open(p, 'r');
    try {
      const buf = Buffer.alloc(4);
      await fh.read(buf, 0, 4, 0);
      return isZip(buf);
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}

function isZipName(p: string): boolean {
  return /\.zip$/i.test(p);
}

/** Content-sniffed: gzip → gunzip; tar (plain or gunzipped) → entries; otherwise one file. */
async function* openStream(
  p: string,
  rel: string,
  size: number | null,
  mtimeMs: number | null,
  raw: Readable,
): AsyncGenerator<WalkItem> {
  let stream = raw;
  let gzipped = false;
  let head: Buffer;
  let error: Error | null;
  ({ head, stream, error } = await peek(stream, HEAD_PEEK));
  if (error && head.length === 0) {
    yield { type: 'problem', problem: { path: p, problem: `unreadable: ${errorText(error)}` } };
    return;
  }
  if (!error && isGzip(head)) {
    gzipped = true;
    ({ head, stream, error } = await peek(gunzip(stream), HEAD_PEEK));
  }
  if (isTar(head)) {
    yield* walkTar(p, stream, mtimeMs);
    return;
  }
  const problem = error ? `${gzipped ? 'gzip' : 'read'} error: ${errorText(error)} (the readable part was used)` : null;
  yield { type: 'file', file: { path: p, rel, size, mtimeMs, stream, gzipped, problem } };
}

async function* walkTar(archive: string, stream: Readable, mtimeMs: number | null): AsyncGenerator<WalkItem> {
  const extract = tar.extract();
  stream.on('error', (e) => extract.destroy(e));
  stream.pipe(extract);
  try {
    for await (const entry of extract) {
      const name = entry.header.name.replace(/^\.\//, '');
      if (entry.header.type !== 'file') {
        entry.resume();
        continue;
      }
      const entryPath = `${archive}!/${name}`;
      const mtime = entry.header.mtime ? entry.header.mtime.getTime() : mtimeMs;
      const body = new PassThrough({ highWaterMark: 1 << 16 });
      entry.on('error', (e: Error) => body.destroy(e));
      entry.pipe(body);
      for await (const item of openStream(entryPath, name, entry.header.size ?? null, mtime, body)) {
        yield item;
      }
      // Whatever the consumer left unread must be drained before the next entry.
      await drain(body);
    }
  } catch (e) {
    yield { type: 'problem', problem: { path: archive, problem: `archive truncated or corrupt: ${errorText(e)}` } };
  }
}

async function* walkZip(archive: string, mtimeMs: number): AsyncGenerator<WalkItem> {
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(archive, { lazyEntries: true, autoClose: true, strictFileNames: false, decodeStrings: true }, (err, z) =>
        err || !z ? reject(err ?? new Error('cannot open')) : resolve(z),
      ),
    );
  } catch (e) {
    yield { type: 'problem', problem: { path: archive, problem: `zip unreadable: ${errorText(e)}` } };
    return;
  }
  const nextEntry = (): Promise<yauzl.Entry | null> =>
    new Promise((resolve, reject) => {
      const onEntry = (e: yauzl.Entry): void => {
        cleanup();
        resolve(e);
      };
      const onEnd = (): void => {
        cleanup();
        resolve(null);
      };
      const onError = (err: Error): void => {
        cleanup();
        reject(err);
      };
      const cleanup = (): void => {
        zip.off('entry', onEntry);
        zip.off('end', onEnd);
        zip.off('error', onError);
      };
      zip.on('entry', onEntry);
      zip.on('end', onEnd);
      zip.on('error', onError);
      zip.readEntry();
    });
  try {
    for (;;) {
      const entry = await nextEntry();
      if (!entry) break;
      if (entry.fileName.endsWith('/')) continue;
      const entryPath = `${archive}!/${entry.fileName}`;
      let s: Readable;
      try {
        s = await new Promise<Readable>((resolve, reject) =>
          zip.openReadStream(entry, (err, rs) => (err || !rs ? reject(err ?? new Error('cannot read')) : resolve(rs))),
        );
      } catch (e) {
        yield { type: 'problem', problem: { path: entryPath, problem: `zip entry unreadable: ${errorText(e)}` } };
        continue;
      }
      const mtime = entry.getLastModDate?.().getTime() ?? mtimeMs;
      for await (const item of openStream(entryPath, entry.fileName, entry.uncompressedSize, mtime, s)) yield item;
      await drain(s);
    }
  } catch (e) {
    yield { type: 'problem', problem: { path: archive, problem: `zip truncated or corrupt: ${errorText(e)}` } };
  } finally {
    zip.close();
  }
}

async function drain(s: Readable): Promise<void> {
  if (s.readableEnded || s.destroyed) return;
  await new Promise<void>((resolve) => {
    s.once('end', () => resolve());
    s.once('error', () => resolve());
    s.once('close', () => resolve());
    s.resume();
  });
}

export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'symlink loop';
    case 'EISDIR':
      return 'is a directory';
    default:
      return errorText(e);
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}
