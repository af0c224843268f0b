import type { EventFieldMap, ZoneRule } from '../model/events.js';
import { documentFormat, firstChar, record, type AnyRecord } from './document.js';
import type { Format } from './types.js';

/**
 * Shared helpers of the trace / APM formats: a JSON reader that remembers the line each object
 * starts on (so a record points at its place in a pretty-printed export), tolerant field getters,
 * and builders for the trace-delivery / trace-publication fields.
 */

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export interface JsonDoc {
  /** Top-level values: one for a JSON document, several for JSON Lines / concatenated JSON. */
  roots: Json[];
  /** 1-based line where each object / array starts. */
  lineOf: WeakMap<object, number>;
}

const MAX_DEPTH = 512;
const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Parses a JSON document (or JSON Lines); throws an Error with a one-line reason. */
export function parseJsonDocument(lines: readonly string[]): JsonDoc {
  const text = lines.join('\n').replace(/^\uFEFF/, '');
  const lineOf = new WeakMap<object, number>();
  let i = 0;
  let line = 1;
  const n = text.length;

  const fail = (what: string): never => {
    const shown = i < n ? JSON.stringify(text.slice(i, i + 12)) : 'end of input';
    throw new Error(`invalid JSON at line ${line}: ${what} (found ${shown})`);
  };
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 10) line++;
      else if (c !== 32 && c !== 9 && c !== 13) break;
      i++;
    }
  };
  const str = (): string => {
    const start = i;
    i++;
    let escaped = false;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 10) fail('newline inside a string');
      if (escaped) escaped = false;
      else if (c === 92) escaped = true;
      else if (c === 34) break;
      i++;
    }
    if (i >= n) fail('unterminated string');
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      i = start;
      return fail('bad string escape');
    }
  };
  const value = (depth: number): Json => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      const obj: JsonObject = {};
      lineOf.set(obj, line);
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a member name');
        const key = str();
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        obj[key] = value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      const out: Json[] = [];
      lineOf.set(out, line);
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return out;
      }
      for (;;) {
        out.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return out;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    NUMBER_RE.lastIndex = i;
    const m = NUMBER_RE.exec(text);
    if (m) {
      i += m[0].length;
      return Number(m[0]);
    }
    return fail('unexpected character');
  };

  const roots: Json[] = [];
  ws();
  if (i >= n) throw new Error('empty document');
  while (i < n) {
    roots.push(value(0));
    ws();
  }
  return { roots, lineOf };
}

/** 1-based line where a parsed object / array starts (1 when unknown). */
export function lineOf(doc: JsonDoc, o: object): number {
  return doc.lineOf.get(o) ?? 1;
}

export interface JsonFormatSpec {
  id: string;
  title: string;
  /** The characters the document may start with (`{[`, `{` or `[`). */
  opens: string;
  /** Score from the head text (first lines joined, capped); only called on a head that opens right. */
  sniff(text: string): number;
  /** Records of the parsed document; throws an Error saying what is missing. */
  parse(doc: JsonDoc): AnyRecord[];
}

/** A document format for a JSON export: opening-character check, head-text sniff, parsed document. */
export function jsonFormat(spec: JsonFormatSpec): Format {
  return documentFormat({
    id: spec.id,
    title: spec.title,
    zone: 'embedded',
    sniff(head) {
      const c = firstChar(head);
      if (c === '' || !spec.opens.includes(c)) return { score: 0 };
      return { score: spec.sniff(headText(head)) };
    },
    parse(lines) {
      return spec.parse(parseJsonDocument(lines));
    },
  });
}

export function isObj(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asArray(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}

export function objects(v: Json | undefined): JsonObject[] {
  return asArray(v).filter(isObj);
}

/** The first of the named members that is present and not null. */
export function member(o: JsonObject, ...names: string[]): Json | undefined {
  for (const k of names) {
    const v = o[k];
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

/** A non-empty string (numbers are rendered). */
export function str(v: Json | undefined): string | null {
  if (typeof v === 'string') {
    const t = v.trim();
    return t.length > 0 ? t : null;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/** An integer from a number or a numeric string. */
export function int(v: Json | undefined): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : null;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Math.trunc(Number(v));
  return null;
}

export function bool(v: Json | undefined): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
  }
  return null;
}

/** `-1` (the dashboard's MESSAGE_TRACE_MISSING_VALUE) and negative values mean "unknown". */
export function nonNegative(v: number | null): number | null {
  return v !== null && v >= 0 ? v : null;
}

export const EPOCH: ZoneRule = { zone: 'UTC', from: 'epoch' };

/** A plausible epoch-milliseconds instant (2001..2100). */
export function plausibleMs(ms: number | null): ms is number {
  return ms !== null && ms > 1e12 && ms < 4.2e12;
}

type Delivery = EventFieldMap['trace-delivery'];
type Publication = EventFieldMap['trace-publication'];

export function deliveryFields(p: Partial<Delivery> & { msgId: string; origin: string }): Delivery {
  return {
    msgId: p.msgId,
    group: p.group ?? null,
    client: p.client ?? null,
    topic: p.topic ?? null,
    brokerName: p.brokerName ?? null,
    queueId: p.queueId ?? null,
    queueOffset: p.queueOffset ?? null,
    retryTimes: p.retryTimes ?? null,
    success: p.success ?? null,
    requestId: p.requestId ?? null,
    costMs: p.costMs ?? null,
    origin: p.origin,
  };
}

export function publicationFields(p: Partial<Publication> & { msgId: string; origin: string }): Publication {
  return {
    msgId: p.msgId,
    offsetMsgId: p.offsetMsgId ?? null,
    topic: p.topic ?? null,
    producerGroup: p.producerGroup ?? null,
    storeHost: p.storeHost ?? null,
    brokerName: p.brokerName ?? null,
    queueId: p.queueId ?? null,
    queueOffset: p.queueOffset ?? null,
    success: p.success ?? null,
    keys: p.keys ?? null,
    origin: p.origin,
  };
}

/** A record at an epoch-milliseconds instant. */
export function epochRecord<K extends 'trace-delivery' | 'trace-publication' | 'info'>(
  kind: K,
  fields: EventFieldMap[K],
  ms: number,
  line: number,
  raw: string,
  stampText?: string,
): AnyRecord {
  return record<K>({
    kind,
    fields,
    line,
    timestampText: stampText ?? String(ms),
    instant: ms,
    precision: 'ms',
    zone: EPOCH,
    raw,
  });
}

/** Compact JSON of a node, as the record's raw text. */
export function rawOf(v: Json): string {
  const s = JSON.stringify(v);
  return s.length > 8192 ? s.slice(0, 8192) : s;
}

/** Head text for JSON sniffing (first lines joined, capped). */
export function headText(head: readonly string[]): string {
  let s = '';
  for (const l of head) {
    s += l + '\n';
    if (s.length > 256 * 1024) break;
  }
  return s;
}
