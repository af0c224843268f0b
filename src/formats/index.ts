import { BROKER_FORMAT, BROKER_PLAIN_FORMAT, BROKER_STATS_FORMAT } from './broker-log.js';
import {
  CLIENT_INNER_FORMAT,
  CLIENT_LOG4J_FORMAT,
  CLIENT_LOGBACK_FORMAT,
  CLIENT_LOGBACK_GMT8_FORMAT,
  CLIENT_SLF4J_FORMAT,
} from './client-log.js';
import { CONSUMER_OFFSET_FORMAT } from './consumer-offset.js';
import { EXTRA_FORMATS } from './extra.js';
import type { Format } from './types.js';
import { APP_LOG_FORMAT, consumePatternScore } from './app-log.js';

/** Every format, in sniffing order (ties go to the earlier one). */
export const FORMATS: readonly Format[] = [
  CLIENT_INNER_FORMAT,
  CLIENT_LOGBACK_FORMAT,
  CLIENT_LOG4J_FORMAT,
  CLIENT_LOGBACK_GMT8_FORMAT,
  BROKER_FORMAT,
  BROKER_STATS_FORMAT,
  BROKER_PLAIN_FORMAT,
  CONSUMER_OFFSET_FORMAT,
  ...EXTRA_FORMATS,
  CLIENT_SLF4J_FORMAT,
];

export function formatById(id: string): Format | undefined {
  return FORMATS.find((f) => f.id === id);
}

/** Minimum sniff score for a format to claim a file. */
export const MIN_SCORE = 0.3;

export interface Detection {
  format: Format | null;
  score: number;
  variant: string | undefined;
  reason: string;
}

export function detectFormat(head: readonly string[], fileName: string, consumePattern: RegExp | null = null): Detection {
  let best: Detection = { format: null, score: 0, variant: undefined, reason: 'no format recognises its first lines' };
  // The users' own consumer logs: claimed only when --consume-pattern matches their head, and
  // only when no RocketMQ format fits better.
  const appScore = consumePatternScore(head, consumePattern);
  if (appScore > 0) best = { format: APP_LOG_FORMAT, score: appScore, variant: undefined, reason: '--consume-pattern matches its first lines' };
  for (const f of FORMATS) {
    const r = f.sniff(head, fileName);
    if (r.score > best.score) best = { format: f, score: r.score, variant: r.variant, reason: `${Math.round(r.score * 100)}% of its first lines fit` };
  }
  if (best.score < MIN_SCORE) {
    return { format: null, score: best.score, variant: undefined, reason: 'no format recognises its first lines' };
  }
  return best;
}
