/** A RocketMQ message queue: `(topic, brokerName, queueId)`. */
export interface MessageQueueRef {
  topic: string;
  brokerName: string;
  queueId: number;
}

// `[` is excluded from the name classes: topic and broker names cannot contain it, and without it
// a line of repeated `MessageQueue [topic=` fragments would make the search quadratic.
const MQ_RE = /MessageQueue \[topic=([^,[\]]*), brokerName=([^,[\]]*), queueId=(-?\d+)\]/;
const MQ_RE_G = /MessageQueue \[topic=([^,[\]]*), brokerName=([^,[\]]*), queueId=(-?\d+)\]/g;

/** Parses `MessageQueue [topic=…, brokerName=…, queueId=…]` (catalog Appendix A). */
export function parseMessageQueue(text: string): MessageQueueRef | null {
  const m = MQ_RE.exec(text);
  if (!m) return null;
  return { topic: m[1]!, brokerName: m[2]!, queueId: Number(m[3]) };
}

/** Every MessageQueue rendered in a text (a rebalanceResultSet, a list of mqs). */
export function parseMessageQueues(text: string): MessageQueueRef[] {
  const out: MessageQueueRef[] = [];
  for (const m of text.matchAll(MQ_RE_G)) out.push({ topic: m[1]!, brokerName: m[2]!, queueId: Number(m[3]) });
  return out;
}

export function mqKey(q: MessageQueueRef): string {
  return `${q.topic}|${q.brokerName}|${q.queueId}`;
}

export function mqLabel(q: MessageQueueRef): string {
  return `${q.brokerName}:${q.queueId}`;
}

/** A message as rendered by `MessageExt.toString()` inside a log line (catalog Appendix A). */
export interface MessageRef {
  /** UNIQ_KEY (client msgId) when present, else null. */
  msgId: string | null;
  /** offsetMsgId (the `msgId=` field of MessageExt). */
  offsetMsgId: string | null;
  topic: string | null;
  brokerName: string | null;
  queueId: number | null;
  queueOffset: number | null;
  reconsumeTimes: number | null;
}

const MSG_EXT_SPLIT = 'MessageExt [';

/** Extracts every `MessageExt [...]` of a `msgs=[...]` / `Msgs: [...]` list. */
export function parseMessageExts(text: string): MessageRef[] {
  const out: MessageRef[] = [];
  let idx = text.indexOf(MSG_EXT_SPLIT);
  while (idx >= 0) {
    const next = text.indexOf(MSG_EXT_SPLIT, idx + MSG_EXT_SPLIT.length);
    const chunk = next >= 0 ? text.slice(idx, next) : text.slice(idx);
    out.push({
      msgId: field(chunk, /UNIQ_KEY=([0-9A-Fa-f]{32,56})/),
      offsetMsgId: field(chunk, /[ ,]msgId=([0-9A-Fa-f]{32,56})/),
      topic: field(chunk, /topic='([^']*)'/),
      brokerName: field(chunk, /MessageExt \[brokerName=([^,\]]*)/),
      queueId: num(field(chunk, /queueId=(-?\d+)/)),
      queueOffset: num(field(chunk, /queueOffset=(-?\d+)/)),
      reconsumeTimes: num(field(chunk, /reconsumeTimes=(\d+)/)),
    });
    idx = next;
  }
  return out;
}

function field(text: string, re: RegExp): string | null {
  const m = re.exec(text);
  return m ? m[1]! : null;
}

function num(s: string | null): number | null {
  return s === null ? null : Number(s);
}

/** Client ids look like `172.66.6.3@12345` or `172.66.6.3@12345#1289456702398741`. */
export function hostOfClientId(clientId: string): string | null {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})@/.exec(clientId);
  return m ? m[1]! : null;
}

/** `172.66.6.3:52814`, `/172.66.6.3:52814` → `172.66.6.3`. */
export function hostOfAddr(addr: string): string | null {
  const m = /^\/?(\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?$/.exec(addr.trim());
  return m ? m[1]! : null;
}

/** Decodes the producer IPv4 of a 32-hex client msgId (catalog §20.1). */
export function producerIpOfMsgId(msgId: string): string | null {
  if (!/^[0-9A-F]{32}$/i.test(msgId)) return null;
  const b = [0, 2, 4, 6].map((i) => parseInt(msgId.slice(i, i + 2), 16));
  return b.join('.');
}
