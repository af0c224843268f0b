import type { FileContext } from './types.js';
import { documentFormat, record, type AnyRecord } from './document.js';
import { wallToInstant } from '../model/time.js';
import { deliveryFields, publicationFields } from './trace-json.js';

/**
 * `mqadmin` command output saved to a file (stdout, not a log): queryMsgTraceById,
 * queryMsgById / queryMsgByUniqueKey (`printMsg`), consumerProgress -g and brokerConsumeStats.
 * mqadmin prints wall times in its own JVM's zone: the file's host zone applies.
 */

const HEX_ID = /\b([0-9A-F]{32}|[0-9A-F]{56})\b/i;
const WALL_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[,.](\d{1,3}))?$/;

interface Wall {
  instant: number;
  precision: 'ms' | 's';
}

function wall(text: string, ctx: FileContext): Wall | null {
  const m = WALL_RE.exec(text.trim());
  if (!m) return null;
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  return {
    instant: wallToInstant(ctx.hostZone, Number(m[1]), mo, d, Number(m[4]), Number(m[5]), Number(m[6]), ms),
    precision: m[7] ? 'ms' : 's',
  };
}

function nul(s: string | undefined): string | null {
  if (s === undefined) return null;
  const t = s.trim();
  return t.length > 0 && t !== 'null' && t !== 'N/A' && t !== '-' ? t : null;
}

/** The first group of the first line the pattern matches. */
function firstMatch(lines: readonly string[], re: RegExp): string | null {
  for (const l of lines) {
    const m = re.exec(l);
    if (m) return m[1]!;
  }
  return null;
}

/** Sniffs a table output by its header line. */
function headerSniff(header: RegExp): (head: readonly string[]) => { score: number } {
  return (head) => ({ score: head.some((l) => header.test(l.trim())) ? 1 : 0 });
}

function baseName(file: string): string {
  const i = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'), file.lastIndexOf('!'));
  return file.slice(i + 1);
}

// ---- queryMsgTraceById (catalog §19.3) -----------------------------------------------------

const TRACE_HEADER = /^#Type\s+#(ProducerGroup|ConsumerGroup)\s+#ClientHost\s+#(?:SendTime|ConsumerTime)\s+#CostTimes\s+#Status\s*$/;
const TRACE_ROW = /^(Pub|Sub)\s+(\S+)\s+(\S+)\s+(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\s+(-?\d+)ms\s+(\S+)\s*$/;

/** The message id the output is about: `-i <id>` / `msgId <id>` on a command line, else the file name. */
function traceMsgId(lines: readonly string[], file: string): string | null {
  const arg = firstMatch(lines, /(?:^|\s)(?:-i|--msgId|msgId)[\s=:]+([0-9A-Fa-f]{32}|[0-9A-Fa-f]{56})\b/);
  if (arg) return arg.toUpperCase();
  for (const l of lines) {
    if (TRACE_ROW.test(l) || TRACE_HEADER.test(l)) continue;
    const m = HEX_ID.exec(l);
    if (m) return m[1]!.toUpperCase();
  }
  const m = HEX_ID.exec(baseName(file));
  return m ? m[1]!.toUpperCase() : null;
}

export const MQADMIN_TRACE_FORMAT = documentFormat({
  id: 'mqadmin-trace',
  title: 'mqadmin queryMsgTraceById output',
  zone: 'host',
  sniff: headerSniff(TRACE_HEADER),
  parse(lines, ctx) {
    let section: 'pub' | 'sub' | null = null;
    const rows: { type: 'Pub' | 'Sub'; m: RegExpExecArray; line: number }[] = [];
    lines.forEach((l, i) => {
      const t = l.trim();
      const h = TRACE_HEADER.exec(t);
      if (h) {
        section = h[1] === 'ProducerGroup' ? 'pub' : 'sub';
        return;
      }
      const m = TRACE_ROW.exec(t);
      if (m && section !== null) rows.push({ type: m[1] as 'Pub' | 'Sub', m, line: i + 1 });
    });
    if (rows.length === 0) return [];
    const msgId = traceMsgId(lines, ctx.file);
    if (!msgId) throw new Error('queryMsgTraceById does not print the message id: keep the command line (-i <msgId>) in the file or name the file after the id');
    const out: AnyRecord[] = [];
    for (const { type, m, line } of rows) {
      const w = wall(m[4]!, ctx);
      if (!w) continue;
      const cost = Number(m[5]);
      const status = m[6]!.toLowerCase();
      const success = status === 'success' ? true : status === 'failed' ? false : null;
      const base = { line, timestampText: m[4]!, instant: w.instant, precision: w.precision, zone: ctx.hostZoneRule, raw: lines[line - 1]! };
      if (type === 'Pub') {
        out.push(record({ ...base, kind: 'trace-publication', fields: publicationFields({ msgId, producerGroup: nul(m[2]), success, origin: 'mqadmin-trace' }) }));
      } else {
        out.push(
          record({
            ...base,
            kind: 'trace-delivery',
            fields: deliveryFields({ msgId, group: nul(m[2]), client: nul(m[3]), success, costMs: cost >= 0 ? cost : null, origin: 'mqadmin-trace' }),
          }),
        );
      }
    }
    return out;
  },
});

// ---- queryMsgById / queryMsgByUniqueKey printMsg (catalog §19.4) ----------------------------

const MSG_KEYS = new Set([
  'OffsetID',
  'Topic',
  'Tags',
  'Keys',
  'Queue ID',
  'Queue Offset',
  'CommitLog Offset',
  'Reconsume Times',
  'Born Timestamp',
  'Store Timestamp',
  'Born Host',
  'Store Host',
  'System Flag',
  'Properties',
  'Message Body Path',
  'Message Body',
]);
const MSG_LINE = /^([A-Za-z][A-Za-z ]*?):\s+(.*?)\s*$/;
const STRONG_KEYS = ['Queue Offset', 'Store Host', 'Properties', 'OffsetID', 'CommitLog Offset'];

/** offsetMsgId = store IPv4 (4 bytes) + port (4 bytes) + commit-log offset (8 bytes), upper-case hex (catalog §20.2). */
export function offsetMsgIdOf(storeHost: string, commitLogOffset: number): string | null {
  const m = /^\/?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}):(\d{1,5})$/.exec(storeHost.trim());
  if (!m || !Number.isSafeInteger(commitLogOffset) || commitLogOffset < 0) return null;
  const bytes = [m[1], m[2], m[3], m[4]].map((b) => Number(b));
  if (bytes.some((b) => b > 255)) return null;
  const hex = (v: number, width: number): string => v.toString(16).toUpperCase().padStart(width, '0');
  return bytes.map((b) => hex(b, 2)).join('') + hex(Number(m[5]), 8) + hex(commitLogOffset, 16);
}

export const MQADMIN_MSG_FORMAT = documentFormat({
  id: 'mqadmin-msg',
  title: 'mqadmin queryMsgById / queryMsgByUniqueKey output (printMsg)',
  zone: 'host',
  sniff(head) {
    const seen = new Set<string>();
    for (const l of head) {
      const m = MSG_LINE.exec(l);
      if (m && MSG_KEYS.has(m[1]!)) seen.add(m[1]!);
    }
    if (seen.size < 3 || !STRONG_KEYS.some((k) => seen.has(k))) return { score: 0 };
    return { score: Math.min(1, 0.7 + 0.05 * seen.size) };
  },
  parse(lines, ctx) {
    const uniqArg = firstMatch(lines, /queryMsgByUniqueKey\b.*?(?:\s-i|\s--msgId)[\s=]+(\S+)/i);
    interface Block {
      line: number;
      f: Map<string, string>;
    }
    const blocks: Block[] = [];
    let cur: Block | null = null;
    lines.forEach((l, i) => {
      const m = MSG_LINE.exec(l);
      if (!m || !MSG_KEYS.has(m[1]!)) return;
      const key = m[1]!;
      const starts = cur === null || (key === 'OffsetID' && cur.f.has('Topic')) || (key === 'Topic' && cur.f.has('Topic'));
      if (starts) {
        cur = { line: i + 1, f: new Map() };
        blocks.push(cur);
      }
      if (!cur!.f.has(key)) cur!.f.set(key, m[2]!);
    });
    const out: AnyRecord[] = [];
    for (const b of blocks) {
      const props = b.f.get('Properties') ?? '';
      const uniq = /(?:^|[{,\s])UNIQ_KEY=([^,}\s]+)/.exec(props)?.[1] ?? null;
      const offsetIdLine = nul(b.f.get('OffsetID'));
      const storeHost = nul(b.f.get('Store Host'))?.replace(/^\//, '') ?? null;
      const commitLog = nul(b.f.get('CommitLog Offset'));
      const offsetMsgId = offsetIdLine ?? (storeHost && commitLog && /^\d+$/.test(commitLog) ? offsetMsgIdOf(storeHost, Number(commitLog)) : null);
      const msgId = uniq ?? uniqArg ?? offsetMsgId;
      if (!msgId) continue;
      const stampText = nul(b.f.get('Store Timestamp')) ?? nul(b.f.get('Born Timestamp'));
      const w = stampText ? wall(stampText, ctx) : null;
      if (!w || !stampText) continue;
      const keysField = nul(b.f.get('Keys'))?.replace(/^\[(.*)\]$/, '$1') ?? null;
      const keys = nul(keysField ?? undefined) ?? /(?:^|[{,\s])KEYS=([^,}]+)/.exec(props)?.[1]?.trim() ?? null;
      const qid = nul(b.f.get('Queue ID'));
      const qoff = nul(b.f.get('Queue Offset'));
      out.push(
        record({
          kind: 'trace-publication',
          fields: publicationFields({
            msgId,
            offsetMsgId,
            topic: nul(b.f.get('Topic')),
            storeHost,
            queueId: qid && /^-?\d+$/.test(qid) ? Number(qid) : null,
            queueOffset: qoff && /^-?\d+$/.test(qoff) ? Number(qoff) : null,
            success: true,
            keys,
            origin: 'mqadmin-msg',
          }),
          line: b.line,
          timestampText: stampText,
          instant: w.instant,
          precision: w.precision,
          zone: ctx.hostZoneRule,
          raw: lines[b.line - 1]!,
        }),
      );
    }
    if (out.length === 0 && blocks.length > 0) throw new Error('printMsg output without a readable message (no UNIQ_KEY / store time)');
    return out;
  },
});

// ---- consumerProgress -g and brokerConsumeStats (catalog §19.5; BrokerConsumeStatsSubCommad) ----

const PROGRESS_HEADER = /^#Topic\s+#Broker Name\s+#QID\s+#Broker Offset\s+#Consumer Offset\s+(#Client IP\s+)?#Diff\s+(#Inflight\s*)?#LastTime\s*$/;
const STATS_HEADER = /^#Topic\s+#Group\s+#Broker Name\s+#QID\s+#Broker Offset\s+#Consumer Offset\s+#Diff\s+#LastTime\s*$/;
const GROUP_ARG = /(?:^|\s)(?:-g|--groupName)[\s=]+([%A-Za-z0-9_|-]+)/;
const DATE_TOKEN = /^\d{4}-\d{2}-\d{2}$/;
const TIME_TOKEN = /^\d{2}:\d{2}:\d{2}$/;
const INT = /^-?\d+$/;

/** Splits a table row; the trailing `yyyy-MM-dd HH:mm:ss` (or N/A / -) is one token. */
function rowTokens(line: string): string[] {
  const t = line.trim().split(/\s+/);
  if (t.length >= 2 && DATE_TOKEN.test(t[t.length - 2]!) && TIME_TOKEN.test(t[t.length - 1]!)) {
    const time = t.pop()!;
    t[t.length - 1] = `${t[t.length - 1]} ${time}`;
  }
  return t;
}

function snapshotStamp(ctx: FileContext): { instant: number; text: string } {
  const instant = ctx.fileMtimeMs ?? 0;
  return { instant, text: instant ? new Date(instant).toISOString() : '' };
}

/** The columns of a consumerProgress / brokerConsumeStats row, as printed. */
interface OffsetRow {
  source: 'consumerProgress' | 'brokerConsumeStats';
  group: string | null;
  topic: string;
  brokerName: string;
  qid: string;
  brokerOffset: string;
  consumerOffset: string;
  clientIp: string | null;
}

/** An offset-snapshot record at the file's time; null when a number column is not a number. */
function offsetSnapshot(row: OffsetRow, line: number, stamp: { instant: number; text: string }, raw: string): AnyRecord | null {
  if (!INT.test(row.qid) || !INT.test(row.brokerOffset) || !INT.test(row.consumerOffset)) return null;
  return record({
    kind: 'offset-snapshot',
    fields: {
      source: row.source,
      group: row.group,
      topic: row.topic,
      brokerName: nul(row.brokerName),
      queueId: Number(row.qid),
      consumerOffset: Number(row.consumerOffset),
      brokerOffset: Number(row.brokerOffset),
      clientIp: row.clientIp,
    },
    line,
    timestampText: stamp.text,
    instant: stamp.instant,
    precision: 's',
    zone: { zone: 'UTC', from: 'epoch' },
    raw,
  });
}

export const MQADMIN_PROGRESS_FORMAT = documentFormat({
  id: 'mqadmin-progress',
  title: 'mqadmin consumerProgress -g output (offset snapshot)',
  zone: 'embedded',
  sniff: headerSniff(PROGRESS_HEADER),
  parse(lines, ctx) {
    const out: AnyRecord[] = [];
    const stamp = snapshotStamp(ctx);
    let group: string | null = firstMatch(lines, GROUP_ARG);
    let cols: { client: boolean; inflight: boolean } | null = null;
    let headers = 0;
    lines.forEach((l, i) => {
      const t = l.trim();
      const g = GROUP_ARG.exec(t);
      if (g && !t.startsWith('#')) group = g[1]!;
      const h = PROGRESS_HEADER.exec(t);
      if (h) {
        cols = { client: h[1] !== undefined, inflight: h[2] !== undefined };
        headers++;
        return;
      }
      if (cols === null || t.length === 0 || t.startsWith('#')) return;
      const tok = rowTokens(t);
      const want = 7 + (cols.client ? 1 : 0) + (cols.inflight ? 1 : 0);
      if (tok.length !== want) return;
      const [topic, brokerName, qid, brokerOffset, consumerOffset] = tok as [string, string, string, string, string];
      const clientIp = cols.client ? nul(tok[5]) : null;
      const r = offsetSnapshot({ source: 'consumerProgress', group, topic, brokerName, qid, brokerOffset, consumerOffset, clientIp }, i + 1, stamp, l);
      if (r) out.push(r);
    });
    if (headers === 0) throw new Error('no consumerProgress header (#Topic #Broker Name #QID ...) found');
    return out;
  },
});

export const MQADMIN_CONSUME_STATS_FORMAT = documentFormat({
  id: 'mqadmin-consume-stats',
  title: 'mqadmin brokerConsumeStats output (offset snapshot)',
  zone: 'embedded',
  sniff: headerSniff(STATS_HEADER),
  parse(lines, ctx) {
    const out: AnyRecord[] = [];
    const stamp = snapshotStamp(ctx);
    let inTable = false;
    lines.forEach((l, i) => {
      const t = l.trim();
      if (STATS_HEADER.test(t)) {
        inTable = true;
        return;
      }
      if (!inTable || t.length === 0 || t.startsWith('#')) return;
      const tok = rowTokens(t);
      if (tok.length !== 8) return;
      const [topic, group, brokerName, qid, brokerOffset, consumerOffset] = tok as [string, string, string, string, string, string];
      const r = offsetSnapshot({ source: 'brokerConsumeStats', group, topic, brokerName, qid, brokerOffset, consumerOffset, clientIp: null }, i + 1, stamp, l);
      if (r) out.push(r);
    });
    if (!inTable) throw new Error('no brokerConsumeStats header (#Topic #Group #Broker Name ...) found');
    return out;
  },
});
