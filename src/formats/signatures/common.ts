import { fastPath } from '../../ingest/fastpath.js';
import { parseMessageQueue, parseMessageQueues, type MessageQueueRef } from '../../model/queue.js';

/**
 * Regex fragment for a rendered MessageQueue, captured whole (parse it with `mq()`). Topic and
 * broker names never contain `[` (RocketMQ's topic charset is `%|a-zA-Z0-9_-`): excluding it
 * keeps every scan for a MessageQueue linear — with `[^,\]]*` a line of 100 KB of repeated
 * `MessageQueue [topic=` made each unanchored search quadratic (~0.4 s per line).
 */
export const MQ = 'MessageQueue \\[topic=[^,\\[\\]]*, brokerName=[^,\\[\\]]*, queueId=-?\\d+\\]';

/** Parses a captured MessageQueue; throws never, returns null on a malformed one. Linear time. */
export function mq(text: string | undefined): MessageQueueRef | null {
  if (text === undefined) return null;
  if (!fastPath.enabled) return parseMessageQueue(text);
  // The fast path shares one (never mutated) object per rendered queue: a few hundred distinct
  // queues carried by millions of events.
  let q = mqCache.get(text);
  if (q === undefined) {
    q = parseMessageQueue(text);
    if (mqCache.size >= MQ_CACHE_MAX) mqCache.clear();
    mqCache.set(text, q);
  }
  return q;
}

const MQ_CACHE_MAX = 10_000;
const mqCache = new Map<string, MessageQueueRef | null>();

/** Every MessageQueue rendered in a text (a rebalanceResultSet, a list of mqs). Linear time. */
export const mqs = parseMessageQueues;

export function int(text: string | undefined): number | null {
  if (text === undefined || text === '') return null;
  const n = Number(text.replace(/,/g, ''));
  return Number.isFinite(n) ? n : null;
}

/** Non-null integer or reject the match (signature `fields` returns null). */
export function reqInt(text: string | undefined): number {
  const n = int(text);
  if (n === null) throw new RejectMatch();
  return n;
}

export class RejectMatch extends Error {}

/** Wraps a fields function so a RejectMatch thrown inside becomes a null (no match). */
export function guarded<A extends unknown[], R>(fn: (...a: A) => R): (...a: A) => R | null {
  return (...a: A) => {
    try {
      return fn(...a);
    } catch (e) {
      if (e instanceof RejectMatch) return null;
      throw e;
    }
  };
}

/** A MessageQueue or reject the match. */
export function reqMq(text: string | undefined): MessageQueueRef {
  const q = mq(text);
  if (!q) throw new RejectMatch();
  return q;
}
