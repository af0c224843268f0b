import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import iconv from 'iconv-lite';
import tar from 'tar-stream';
import yauzl from 'yauzl';
import type { ByteBudget } from './budget.js';
import { gunzip, isGzip, isTar, isZip, peek, peekChunks, type Chunks } from './stream.js';

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
  /** True when the walk never touches `stream` again (a plain file): it may be read while the walk goes on. */
  independent?: boolean;
  /**
   * A plain file (not gzip, zip or tar): its descriptor, to read it directly from its start
   * instead of through `stream` (which is then never read; destroying it closes the file).
   */
  direct?: { fd: number } | null;
  /** The content as chunks, its start already read (read these rather than `stream`, which then only releases it). */
  chunks?: Chunks | null;
  /** A gzipped file's text size as its trailer gives it (mod 4 GiB; null when not believable). */
  textSize?: number | null;
}

export interface WalkProblem {
  path: string;
  problem: string;
}

export type WalkItem = { type: 'file'; file: SourceFile } | { type: 'problem'; problem: WalkProblem };

const HEAD_PEEK = 512;

/** Walks every input (files, directories recursively, `-` for stdin) in a stable order. */
export async function* walkInputs(inputs: readonly string[], stdin: Readable = process.stdin, budget: ByteBudget | null = null): AsyncGenerator<WalkItem> {
  for (const input of inputs) {
    if (input === '-') {
      yield* openStream('-', '-', null, null, stdin, budget);
      continue;
    }
    let st;
    try {
      st = fs.statSync(input);
    } catch (e) {
      yield { type: 'problem', problem: { path: input, problem: describeFsError(e) } };
      continue;
    }
    if (st.isDirectory()) {
      yield* walkDir(input, input, new Set<string>(), budget);
    } else if (st.isFile()) {
      yield* openFile(input, path.basename(input), st.size, st.mtimeMs, budget);
    } else {
      yield { type: 'problem', problem: { path: input, problem: 'not a regular file or directory' } };
    }
  }
}

async function* walkDir(dir: string, root: string, seen: Set<string>, budget: ByteBudget | null): AsyncGenerator<WalkItem> {
  let real: string;
  try {
    real = fs.realpathSync(dir);
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
    names = fs.readdirSync(dir).sort();
  } catch (e) {
    yield { type: 'problem', problem: { path: dir, problem: describeFsError(e) } };
    return;
  }
  // (synchronous, as the opens: a directory of 20,000 small files is mostly stat calls, and each
  // await of the thread pool costs more than the call)
  for (const name of names) {
    const p = path.join(dir, name);
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (err) {
      yield { type: 'problem', problem: { path: p, problem: describeFsError(err) } };
      continue;
    }
    if (st.isDirectory()) yield* walkDir(p, root, seen, budget);
    else if (st.isFile()) yield* openFile(p, path.relative(root, p), st.size, st.mtimeMs, budget);
    else yield { type: 'problem', problem: { path: p, problem: 'not a regular file (a socket, FIFO or device): skipped' } };
  }
}

/**
 * The walk is synchronous between files (below), so it gives the event loop a turn when it has
 * not had one for this long: signals (Ctrl-C), the progress line and the reader threads' replies
 * (each asks for the next file) wait on it.
 */
const TURN_MS = 4;
let lastTurn = 0;

export async function eventLoopTurn(): Promise<void> {
  const now = performance.now();
  if (now - lastTurn < TURN_MS) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  lastTurn = performance.now();
}

async function* openFile(p: string, rel: string, size: number, mtimeMs: number, budget: ByteBudget | null): AsyncGenerator<WalkItem> {
  // One open per file: the head is read through the same descriptor the file is then read from.
  // Synchronous: a local open and a 512-byte read take microseconds, where each await of the
  // thread pool cost ~0.1 ms (a bundle of 3,000 small files spent a second walking).
  await eventLoopTurn();
  let fd: number;
  try {
    fd = fs.openSync(p, 'r');
  } catch (e) {
    yield { type: 'problem', problem: { path: p, problem: describeFsError(e) } };
    return;
  }
  if (isZipName(p) && size > 0) {
    closeQuietly(fd);
    yield* walkZip(p, mtimeMs, budget);
    return;
  }
  const probe = Buffer.alloc(Math.min(HEAD_PEEK, size));
  let got = -1;
  if (probe.length > 0) got = readQuietly(fd, probe, 0);
  const head = probe.subarray(0, Math.max(0, got));
  if (got > 0 && !isGzip(head) && !isZip(head) && !isTar(head)) {
    // A plain text file is read directly (stream.ts, directChunks); its stream is never read and
    // only closes the file when destroyed.
    yield { type: 'file', file: { path: p, rel, size, mtimeMs, stream: releaser(fd), gzipped: false, problem: null, independent: true, direct: { fd } } };
    return;
  }
  // A gzip, zip or tar is read through a stream, with small buffers for small files (a 64 KiB
  // buffer per read of a 200-byte file is most of the work in a big bundle).
  const stream = fs.createReadStream('', { fd, highWaterMark: Math.max(4096, Math.min(1 << 16, size + 1)), start: 0 });
  if (got > 0 && isGzip(head)) {
    // (a gzip member ends with its text's size mod 4 GiB: a file smaller than that is a
    // concatenation or damaged, and the reader threads' scheduling guesses instead)
    let textSize: number | null = null;
    if (size >= 18) {
      const tail = Buffer.alloc(4);
      if (readQuietly(fd, tail, size - 4) === 4 && tail.readUInt32LE(0) >= size) textSize = tail.readUInt32LE(0);
    }
    yield* openContent(p, rel, size, mtimeMs, gunzip(stream), true, null, budget, true, textSize);
    return;
  }
  yield* openStream(p, rel, size, mtimeMs, stream, budget, true);
}

/** Bytes read at a position, or -1 on an error (the file is then read, and fails, as a stream). */
function readQuietly(fd: number, into: Buffer, position: number): number {
  try {
    return fs.readSync(fd, into, 0, into.length, position);
  } catch {
    return -1;
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // closed already
  }
}

/** The stream of a file read directly: never read; destroying it closes the file (once). */
function releaser(fd: number): Readable {
  return new Readable({
    read() {
      this.push(null);
    },
    destroy(err, cb) {
      closeQuietly(fd);
      cb(err);
    },
  });
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
  budget: ByteBudget | null,
  independent = false,
): AsyncGenerator<WalkItem> {
  let stream = raw;
  let head: Buffer;
  let error: Error | null;
  ({ head, stream, error } = await peek(stream, HEAD_PEEK));
  if (error && head.length === 0) {
    stream.destroy();
    yield { type: 'problem', problem: { path: p, problem: `unreadable: ${describeFsError(error)}` } };
    return;
  }
  if (independent && mtimeMs !== null && isZip(head)) {
    // A zip under another name (zips are read by random access, from the file itself).
    stream.destroy();
    yield* walkZip(p, mtimeMs, budget);
    return;
  }
  if (!error && isGzip(head)) {
    yield* openContent(p, rel, size, mtimeMs, gunzip(stream), true, null, budget, independent);
    return;
  }
  yield* openContent(p, rel, size, mtimeMs, stream, false, error, budget, independent);
}

/** The (decompressed) content: tar → entries; otherwise one file, its start already read. */
async function* openContent(
  p: string,
  rel: string,
  size: number | null,
  mtimeMs: number | null,
  stream: Readable,
  gzipped: boolean,
  priorError: Error | null,
  budget: ByteBudget | null,
  independent: boolean,
  textSize: number | null = null,
): AsyncGenerator<WalkItem> {
  const peeked = await peekChunks(stream, HEAD_PEEK);
  const error = priorError ?? peeked.error;
  if (isTar(peeked.head)) {
    yield* walkTar(p, Readable.from(peeked.chunks), mtimeMs, budget, error);
    return;
  }
  const problem = error ? `${gzipped ? 'gzip' : 'read'} error: ${errorText(error)} (the readable part was used)` : null;
  yield { type: 'file', file: { path: p, rel, size, mtimeMs, stream, gzipped, problem, independent, chunks: peeked.chunks, textSize } };
}

async function* walkTar(
  archive: string,
  stream: Readable,
  mtimeMs: number | null,
  budget: ByteBudget | null,
  priorError: Error | null,
): AsyncGenerator<WalkItem> {
  const extract = tar.extract();
  stream.on('error', (e) => extract.destroy(e));
  stream.pipe(extract);
  let overBudget = false;
  try {
    for await (const entry of extract) {
      // Entry names are only labels: nothing is ever written to disk, `..` and absolute names included.
      const name = entry.header.name.replace(/^\.\//, '');
      // Every entry runs to its end before the next one is pulled; unread bytes are counted against the run bound.
      let ended = false;
      const end = new Promise<void>((resolve) => {
        const done = (): void => {
          ended = true;
          resolve();
        };
        entry.once('end', done);
        entry.once('error', done);
        entry.once('close', done);
      });
      if (entry.header.type !== 'file' && entry.header.type !== 'contiguous-file') {
        entry.resume();
        await end;
        continue;
      }
      const entryPath = `${archive}!/${name}`;
      const mtime = entry.header.mtime ? entry.header.mtime.getTime() : mtimeMs;
      const body = new PassThrough({ highWaterMark: 1 << 16 });
      // A hand-made pipe: when the reader gives up on `body`, the rest of the entry is discarded
      // (destroying the entry would destroy the whole archive).
      entry.on('data', (data: unknown) => {
        const c = data as Buffer;
        if (body.destroyed) {
          if (budget) {
            budget.add(c.length);
            if (budget.exhausted && !overBudget) {
              overBudget = true;
              extract.destroy(new Error('byte bound'));
            }
          }
          return;
        }
        if (!body.write(c)) entry.pause();
      });
      body.on('drain', () => entry.resume());
      body.on('close', () => entry.resume());
      entry.once('end', () => body.end());
      entry.once('error', (e: Error) => body.destroy(e));
      for await (const item of openStream(entryPath, name, entry.header.size ?? null, mtime, body, budget)) {
        yield item;
      }
      if (!ended) {
        if (!body.destroyed) body.destroy();
        entry.resume();
        await end;
      }
    }
    if (priorError) throw priorError;
  } catch (e) {
    const problem = overBudget
      ? `archive not read further: ${budget!.describe('run')}`
      : `archive truncated or corrupt: ${errorText(priorError ?? e)} (the entries before the damage were used)`;
    yield { type: 'problem', problem: { path: archive, problem } };
  } finally {
    if (!stream.destroyed) stream.destroy();
  }
}

async function* walkZip(archive: string, mtimeMs: number, budget: ByteBudget | null): AsyncGenerator<WalkItem> {
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(archive, { lazyEntries: true, autoClose: true, strictFileNames: false, decodeStrings: false }, (err, z) =>
        err || !z ? reject(err ?? new Error('cannot open')) : resolve(z),
      ),
    );
  } catch (e) {
    yield { type: 'problem', problem: { path: archive, problem: zipOpenProblem(e) } };
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
      // Names decoded here, not by yauzl: an absolute or `..` name is only a label (read in memory,
      // never written anywhere) and must not stop the entries after it from being read.
      const fileName = zipEntryName(entry);
      if (fileName.endsWith('/')) continue;
      const entryPath = `${archive}!/${fileName}`;
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
      for await (const item of openStream(entryPath, fileName, entry.uncompressedSize, mtime, s, budget)) yield item;
      // Zip entries are independent: what the reader left is not decompressed at all.
      if (!s.destroyed && !s.readableEnded) s.destroy();
      if (budget?.exhausted) break;
    }
  } catch (e) {
    yield { type: 'problem', problem: { path: archive, problem: `zip truncated or corrupt: ${errorText(e)} (the entries before the damage were used)` } };
  } finally {
    zip.close();
  }
}

function zipEntryName(entry: yauzl.Entry): string {
  const raw = entry.fileNameRaw;
  if ((entry.generalPurposeBitFlag & 0x800) !== 0 || isUtf8(raw)) return raw.toString('utf8');
  return iconv.decode(raw, 'cp437');
}

function zipOpenProblem(e: unknown): string {
  const text = errorText(e);
  if (/central directory|end of central directory/i.test(text)) {
    return `zip central directory missing or corrupt (a truncated or damaged download?): ${text}; nothing in it was read`;
  }
  return `zip unreadable: ${text}`;
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
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'EIO':
      return 'input/output error';
    case 'EISDIR':
      return 'is a directory';
    default:
      return errorText(e);
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}
