import { BROKER_PLAIN, BROKER_STATS, LOGBACK_GMT8 } from './layouts.js';
import { preferClientFamily } from './client-log.js';
import { BROKER_SIGNATURES, brokerHostProbe } from './signatures/broker.js';
import { createTextParser, layoutScore, type Layout } from './text.js';
import type { Format } from './types.js';

function brokerFormat(id: string, title: string, layout: Layout, shared: boolean): Format {
  return {
    id,
    title,
    zone: 'GMT+8',
    document: false,
    sniff(head, fileName) {
      const score = layoutScore(layout, head);
      if (score === 0 || !shared) return { score };
      return { score: preferClientFamily(head, fileName) ? score * 0.5 : score };
    },
    createParser(ctx, sink) {
      return createTextParser(ctx, sink, { layout, signatures: BROKER_SIGNATURES, fracAsSeconds: false, hostProbe: brokerHostProbe });
    },
  };
}

export const BROKER_FORMAT = brokerFormat(
  'broker',
  'broker logs: broker.log, store.log, remoting.log, lock.log, pop.log, … (GMT+8, second resolution)',
  LOGBACK_GMT8,
  true,
);
export const BROKER_STATS_FORMAT = brokerFormat('broker-stats', 'broker stats.log (GMT+8, second resolution)', BROKER_STATS, false);
export const BROKER_PLAIN_FORMAT = brokerFormat('broker-plain', 'broker protection.log / watermark.log (GMT+8, second resolution)', BROKER_PLAIN, false);
