import { documentFormat, firstChar, record, type AnyRecord } from './document.js';

/**
 * `config/consumerOffset.json` (and `.bak`, the previous content): fastjson output with unquoted
 * integer keys, 4.x and 5.x shapes (catalog §11.3). One offset-snapshot event per
 * `(topic@group, queueId)`. The file holds no time: the snapshot instant is the file's mtime.
 */
export const CONSUMER_OFFSET_FORMAT = documentFormat({
  id: 'consumer-offset-json',
  title: 'broker config/consumerOffset.json (.bak) offset snapshot',
  zone: 'embedded',
  sniff(head) {
    if (firstChar(head) !== '{') return { score: 0 };
    const text = head.join('\n');
    return { score: /"offsetTable"\s*:/.test(text) ? 1 : 0 };
  },
  parse(lines, ctx) {
    const text = lines.join('\n');
    const start = text.indexOf('"offsetTable"');
    if (start < 0) throw new Error('no "offsetTable" member');
    const out: AnyRecord[] = [];
    const isBak = /\.bak(?:\.gz)?$/i.test(ctx.file);
    const instant = ctx.fileMtimeMs ?? 0;
    const stampText = instant ? new Date(instant).toISOString() : '';
    // Inside offsetTable: "topic@group":{0:1250,1:1198}
    const tableEnd = findTableEnd(text, start);
    const body = text.slice(start, tableEnd);
    const entryRe = /"([^"]+)"\s*:\s*\{([^{}]*)\}/g;
    for (const m of body.matchAll(entryRe)) {
      const key = m[1]!;
      const at = key.lastIndexOf('@');
      if (at < 0) continue;
      const topic = key.slice(0, at);
      const group = key.slice(at + 1);
      const line = lineOf(text, start + (m.index ?? 0));
      for (const q of m[2]!.matchAll(/"?(\d+)"?\s*:\s*(-?\d+)/g)) {
        out.push(
          record({
            kind: 'offset-snapshot',
            fields: {
              source: isBak ? 'consumerOffset.json.bak' : 'consumerOffset.json',
              group,
              topic,
              brokerName: null,
              queueId: Number(q[1]),
              consumerOffset: Number(q[2]),
              brokerOffset: null,
              clientIp: null,
            },
            line,
            timestampText: stampText,
            instant,
            precision: 's',
            zone: { zone: 'UTC', from: 'epoch' },
            raw: lines[line - 1] ?? key,
          }),
        );
      }
    }
    if (out.length === 0 && !/"offsetTable"\s*:\s*\{\s*\}/.test(text)) throw new Error('offsetTable has no readable entries');
    return out;
  },
});

function findTableEnd(text: string, start: number): number {
  const open = text.indexOf('{', start);
  if (open < 0) return text.length;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

function lineOf(text: string, index: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
