import type { Context, QueueKey } from '../correlate/index.js';
import type { RmqEvent } from '../model/events.js';

/** Stable cause codes: they go into tickets. */
export const CAUSE_CODES = [
  'offset-fetch-failure',
  'offset-overflow-reset',
  'offset-regression',
  'rebalance-uncommitted',
  'consumer-restart-uncommitted',
  'slow-message-offset-hold',
  'broker-offset-loss',
  'slave-offset-lag',
  'consume-failure-retry',
  'consume-timeout',
  'producer-retry',
  'manual-offset-reset',
  'pop-ack-revive',
  'not-a-duplicate',
  'undetermined',
] as const;

export type CauseCode = (typeof CAUSE_CODES)[number];

export type Confidence = 'high' | 'medium' | 'low';

export interface RuleMeta {
  code: CauseCode;
  title: string;
  description: string;
  remediation: string;
  references: string[];
  /** Re-deliveries RocketMQ makes on purpose (retry after a failed consumption). */
  byDesign: boolean;
  /**
   * Higher wins when two rules claim the same evidence (a specific explanation of an offset
   * regression beats the generic `offset-regression`).
   */
  priority: number;
}

/** One link of an evidence chain: a log line and what it shows. */
export interface ChainLink {
  event: RmqEvent;
  /** One sentence: what this line proves, in the incident's terms. */
  what: string;
}

export interface IncidentDraft {
  cause: CauseCode;
  confidence: Confidence;
  queue: QueueKey | null;
  /** Inclusive range of offsets consumed again, when the timeline proves one. */
  offsetRange: { from: number; to: number } | null;
  redeliveredCount: number | null;
  window: { start: number; end: number };
  summary: string;
  chain: ChainLink[];
  missingEvidence: string[];
  /** Message ids this incident explains by name (a trace, a consume failure, a stored copy). */
  messageIds: string[];
  /** The line that identifies the incident across runs (its id is derived from it). */
  anchor: RmqEvent;
  /** Events this draft claims; a higher-priority draft claiming any of them wins. */
  claims: RmqEvent[];
}

/** A root-cause rule, ESLint style: metadata plus one detect function. */
export interface Rule {
  meta: RuleMeta;
  detect(ctx: Context): IncidentDraft[];
}
