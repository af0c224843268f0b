import { isUtf8 } from 'node:buffer';

/**
 * What a file's head says about its content before any format looks at it: binary (core dump,
 * heap dump, image, a compressed file inside an archive, UTF-16) with the reason, or text and its
 * encoding (UTF-8, or GB18030/GBK as logs written on Chinese hosts often are).
 */
export type TextEncoding = 'utf8' | 'gb18030';

export interface Sniffed {
  /** Why the file is not text, or null. */
  binary: string | null;
  /** The encoding the head reads as (auto-detected): meaningful when `binary` is null. */
  encoding: TextEncoding;
}

interface Magic {
  test: (h: Buffer) => boolean;
  reason: (h: Buffer) => string;
}

const starts = (h: Buffer, bytes: number[] | string, at = 0): boolean => {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  return h.length >= at + b.length && h.subarray(at, at + b.length).equals(b);
};

const elfType = (h: Buffer): number => (h[5] === 2 ? h.readUInt16BE(16) : h.readUInt16LE(16));

const MAGIC: Magic[] = [
  {
    // A well-formed ELF header (class, byte order, version, type); anything else falls to the generic checks.
    test: (h) => starts(h, [0x7f, 0x45, 0x4c, 0x46]) && h.length >= 18 && (h[4] === 1 || h[4] === 2) && (h[5] === 1 || h[5] === 2) && h[6] === 1 && elfType(h) >= 1 && elfType(h) <= 4,
    reason: (h) => (elfType(h) === 4 ? 'binary content: ELF core dump' : 'binary content: ELF executable or library'),
  },
  { test: (h) => starts(h, 'JAVA PROFILE 1.'), reason: () => 'binary content: Java heap dump (hprof)' },
  { test: (h) => starts(h, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), reason: () => 'binary content: PNG image' },
  { test: (h) => starts(h, [0xff, 0xd8, 0xff]), reason: () => 'binary content: JPEG image' },
  { test: (h) => starts(h, 'GIF87a') || starts(h, 'GIF89a'), reason: () => 'binary content: GIF image' },
  { test: (h) => starts(h, 'RIFF') && starts(h, 'WEBP', 8), reason: () => 'binary content: WebP image' },
  { test: (h) => starts(h, 'BM') && h.length >= 14 && h.readUInt32LE(6) === 0, reason: () => 'binary content: BMP image' },
  { test: (h) => starts(h, [0x49, 0x49, 0x2a, 0x00]) || starts(h, [0x4d, 0x4d, 0x00, 0x2a]), reason: () => 'binary content: TIFF image' },
  { test: (h) => starts(h, '%PDF-'), reason: () => 'binary content: PDF document' },
  { test: (h) => starts(h, [0xca, 0xfe, 0xba, 0xbe]), reason: () => 'binary content: Java class file' },
  { test: (h) => starts(h, [0xac, 0xed, 0x00, 0x05]), reason: () => 'binary content: Java serialized data' },
  { test: (h) => starts(h, 'SQLite format 3\0'), reason: () => 'binary content: SQLite database' },
  {
    test: (h) => starts(h, [0x50, 0x4b, 0x03, 0x04]) || starts(h, [0x50, 0x4b, 0x05, 0x06]),
    reason: () => 'a zip archive inside another container (not read; extract it first)',
  },
  { test: (h) => starts(h, [0x1f, 0x8b]), reason: () => 'gzip-compressed twice (not read; gunzip it first)' },
  { test: (h) => starts(h, 'BZh') && h.length > 3 && h[3]! >= 0x31 && h[3]! <= 0x39, reason: () => 'bzip2-compressed (not supported; decompress it first)' },
  { test: (h) => starts(h, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), reason: () => 'xz-compressed (not supported; decompress it first)' },
  { test: (h) => starts(h, [0x28, 0xb5, 0x2f, 0xfd]), reason: () => 'zstd-compressed (not supported; decompress it first)' },
  { test: (h) => starts(h, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]), reason: () => '7-Zip archive (not supported; extract it first)' },
  { test: (h) => starts(h, 'Rar!\x1a\x07'), reason: () => 'RAR archive (not supported; extract it first)' },
  { test: (h) => starts(h, [0xff, 0xfe, 0x00, 0x00]) || starts(h, [0x00, 0x00, 0xfe, 0xff]), reason: () => 'UTF-32 text (not supported; convert it to UTF-8 first)' },
  { test: (h) => starts(h, [0xff, 0xfe]) || starts(h, [0xfe, 0xff]), reason: () => 'UTF-16 text (not supported; convert it to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8)' },
];

/** NUL runs at least this long are padding (a crash-truncated write, a preallocated block), not content. */
const NUL_RUN = 8;
const SAMPLE = 8192;

/**
 * Classifies a head. `complete`: the head is the whole file (a multi-byte sequence cut at its end
 * is then an error, not an artefact of the cut). `forced`: --encoding was given, so only the
 * structural checks apply.
 */
export function sniffContent(head: Buffer, complete: boolean, forced: boolean): Sniffed {
  for (const m of MAGIC) if (m.test(head)) return { binary: m.reason(head), encoding: 'utf8' };
  const sample = head.subarray(0, Math.min(head.length, SAMPLE));
  const n = sample.length;
  // UTF-16 without a byte-order mark: NUL in every other byte.
  let evenNul = 0;
  let oddNul = 0;
  const pairs = Math.min(n, 4096) >> 1;
  for (let i = 0; i < pairs * 2; i += 2) {
    if (sample[i] === 0) evenNul++;
    if (sample[i + 1] === 0) oddNul++;
  }
  if (pairs >= 8 && ((oddNul > pairs * 0.4 && evenNul < pairs * 0.05) || (evenNul > pairs * 0.4 && oddNul < pairs * 0.05))) {
    return { binary: 'UTF-16 text (not supported; convert it to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8)', encoding: 'utf8' };
  }
  let padding = 0;
  let scatteredNul = 0;
  let ctrl = 0;
  let high = 0;
  for (let i = 0; i < n; ) {
    const b = sample[i]!;
    if (b === 0) {
      let j = i;
      while (j < n && sample[j] === 0) j++;
      if (j - i >= NUL_RUN) padding += j - i;
      else scatteredNul += j - i;
      i = j;
      continue;
    }
    // TAB LF VT FF CR ESC are text; 0x01/0x02 separate RocketMQ message properties.
    if (b < 32 && b !== 9 && b !== 10 && b !== 11 && b !== 12 && b !== 13 && b !== 27 && b !== 1 && b !== 2) ctrl++;
    else if (b >= 0x80) high++;
    i++;
  }
  const content = n - padding;
  if (content === 0) return { binary: `binary content (only NUL bytes in the first ${n})`, encoding: 'utf8' };
  if ((scatteredNul + ctrl) / content > 0.03) {
    const nul = scatteredNul + padding;
    const binary = nul > ctrl ? `binary content (${nul} NUL bytes in the first ${n})` : `binary content (${ctrl} control bytes in the first ${n})`;
    return { binary, encoding: 'utf8' };
  }
  if (forced || high === 0 || isUtf8(head)) return { binary: null, encoding: 'utf8' };
  const u = utf8Check(head, complete);
  if (u.invalid === 0 || u.invalid / (u.invalid + u.valid) < 0.1) return { binary: null, encoding: 'utf8' };
  const g = gb18030Check(head, complete);
  if (g.invalid / (g.invalid + g.valid) < 0.05) return { binary: null, encoding: 'gb18030' };
  // Mostly ASCII with a sprinkle of some 8-bit encoding: text, decoded line by line.
  if (high / content < 0.3) return { binary: null, encoding: 'utf8' };
  return { binary: `binary content (${u.invalid} byte sequences in the first ${head.length} are neither UTF-8 nor GB18030)`, encoding: 'utf8' };
}

/** Valid and invalid non-ASCII sequences as UTF-8; a sequence cut by the end of an incomplete head is ignored. */
export function utf8Check(buf: Buffer, complete: boolean): { valid: number; invalid: number } {
  let valid = 0;
  let invalid = 0;
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else {
      invalid++;
      i++;
      continue;
    }
    if (i + need >= n && !complete) break;
    let ok = true;
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      const l = k === 1 ? lo : 0x80;
      const h = k === 1 ? hi : 0xbf;
      if (c === undefined || c < l || c > h) {
        ok = false;
        break;
      }
    }
    if (ok) {
      valid++;
      i += need + 1;
    } else {
      invalid++;
      i++;
    }
  }
  return { valid, invalid };
}

/** Valid and invalid non-ASCII sequences as GB18030 (GBK two-byte and GB18030 four-byte forms). */
export function gb18030Check(buf: Buffer, complete: boolean): { valid: number; invalid: number } {
  let valid = 0;
  let invalid = 0;
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    if (b === 0x80 || b === 0xff) {
      invalid++;
      i++;
      continue;
    }
    if (i + 1 >= n) {
      if (complete) invalid++;
      break;
    }
    const c = buf[i + 1]!;
    if ((c >= 0x40 && c <= 0x7e) || (c >= 0x80 && c <= 0xfe)) {
      valid++;
      i += 2;
      continue;
    }
    if (c >= 0x30 && c <= 0x39) {
      if (i + 3 >= n && !complete) break;
      const d = buf[i + 2];
      const e = buf[i + 3];
      if (d !== undefined && e !== undefined && d >= 0x81 && d <= 0xfe && e >= 0x30 && e <= 0x39) {
        valid++;
        i += 4;
        continue;
      }
    }
    invalid++;
    i++;
  }
  return { valid, invalid };
}
