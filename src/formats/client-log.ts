import { CLIENT_INNER, CLIENT_LOG4J, CLIENT_LOGBACK5, CLIENT_SLF4J, LOGBACK_GMT8 } from './layouts.js';
import { CLIENT_SIGNATURES, clientHostProbe } from './signatures/client.js';
import { BROKER_SIGNATURES } from './signatures/broker.js';
import { createTextParser, layoutScore, signatureHits, type Layout } from './text.js';
import type { Format, SniffResult } from './types.js';

export const SECONDS_AS_FRACTION = 'seconds-as-fraction';

/**
 * 4.3.0–4.7.1 print `HH:mm:ss,0ss` (the seconds again) where 4.8.0+ print milliseconds. Decided
 * per file from its head: every header line repeats its seconds, over at least two distinct
 * seconds values (chance for real milliseconds: 1 in 10^6 or less).
 */
export function detectSecondsAsFraction(layout: Layout, head: readonly string[]): boolean {
  let lines = 0;
  const seconds = new Set<string>();
  for (const l of head) {
    const g = layout.header.exec(l)?.groups;
    if (!g || g.frac === undefined) continue;
    lines++;
    const ss = g.time!.slice(6, 8);
    if (g.frac !== '0' + ss) return false;
    seconds.add(ss);
  }
  return lines >= 2 && seconds.size >= 2;
}

function clientFormat(id: string, title: string, layout: Layout, weight: number): Format {
  return {
    id,
    title,
    zone: layout.zone,
    document: false,
    sniff(head): SniffResult {
      const score = layoutScore(layout, head) * weight;
      if (score === 0) return { score };
      // A generic application layout is RocketMQ's only when RocketMQ's messages are in it.
      if (layout === CLIENT_SLF4J && signatureHits(layout, CLIENT_SIGNATURES, head) === 0) return { score: 0 };
      if (layout === CLIENT_INNER && detectSecondsAsFraction(layout, head)) return { score, variant: SECONDS_AS_FRACTION };
      return { score };
    },
    createParser(ctx, sink, variant) {
      return createTextParser(ctx, sink, {
        layout,
        signatures: CLIENT_SIGNATURES,
        fracAsSeconds: variant === SECONDS_AS_FRACTION,
        hostProbe: clientHostProbe,
      });
    },
  };
}

export const CLIENT_INNER_FORMAT = clientFormat(
  'client-inner',
  'rocketmq_client.log, 4.3.0–5.0.0 inner logger (host-local time; 4.3–4.7.1 seconds-as-fraction detected)',
  CLIENT_INNER,
  1,
);
export const CLIENT_LOG4J_FORMAT = clientFormat('client-log4j', 'rocketmq_client.log, 4.0.0–4.2.0 log4j/log4j2 layout (host-local time)', CLIENT_LOG4J, 1);
export const CLIENT_LOGBACK_FORMAT = clientFormat('client-logback', 'rocketmq_client.log, 5.1.0+ logback layout (GMT+8)', CLIENT_LOGBACK5, 1);
/** Generic application layouts lose to every specific layout on the same head. */
export const CLIENT_SLF4J_FORMAT = clientFormat('client-slf4j', 'RocketMQ client lines in an application slf4j layout (host-local time)', CLIENT_SLF4J, 0.8);

/**
 * The 4.0.0–4.2.0 logback client layout is the broker's layout: the family is decided by which
 * signature table recognises more of the head; on a tie, by the file name.
 */
export function preferClientFamily(head: readonly string[], fileName: string): boolean {
  const c = signatureHits(LOGBACK_GMT8, CLIENT_SIGNATURES, head);
  const b = signatureHits(LOGBACK_GMT8, BROKER_SIGNATURES, head);
  if (c !== b) return c > b;
  return /rocketmq_client|client/i.test(fileName);
}

export const CLIENT_LOGBACK_GMT8_FORMAT: Format = {
  id: 'client-logback-gmt8',
  title: 'rocketmq_client.log, 4.0.0–4.2.0 logback layout (GMT+8, second resolution)',
  zone: 'GMT+8',
  document: false,
  sniff(head, fileName) {
    const score = layoutScore(LOGBACK_GMT8, head);
    if (score === 0) return { score };
    return { score: preferClientFamily(head, fileName) ? score : score * 0.5 };
  },
  createParser(ctx, sink) {
    return createTextParser(ctx, sink, { layout: LOGBACK_GMT8, signatures: CLIENT_SIGNATURES, fracAsSeconds: false, hostProbe: clientHostProbe });
  },
};
