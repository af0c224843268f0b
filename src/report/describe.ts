import type { RmqEvent } from '../model/events.js';
import { mqLabel } from '../model/queue.js';

/** One short phrase per event, for timelines. */
export function describeEvent(e: RmqEvent): string {
  switch (e.kind) {
    case 'queue-added':
      return `${e.fields.group} adds ${mqLabel(e.fields.mq)}${e.fields.nextOffset !== null ? ` from offset ${e.fields.nextOffset}` : ''}`;
    case 'queue-removed':
      return `${e.fields.group} removes ${mqLabel(e.fields.mq)} (${e.fields.reason})`;
    case 'queue-add-failed':
      return `${e.fields.group} failed to add ${mqLabel(e.fields.mq)} (${e.fields.reason})`;
    case 'rebalance-result':
      return `rebalance: ${e.fields.clientId} owns ${e.fields.queues.map(mqLabel).join(', ') || 'nothing'} (clients ${e.fields.cidAllSize})`;
    case 'offset-persist':
      return `${e.fields.mode} commit ${e.fields.offset} by ${e.fields.clientId}`;
    case 'offset-regression':
      return `broker overwrote ${e.fields.storeOffset} with lower ${e.fields.requestOffset} from ${e.fields.clientHost}`;
    case 'offset-snapshot':
      return `${e.fields.source}: offset ${e.fields.consumerOffset}`;
    case 'fetch-offset-failed':
      return `offset read failed (${e.fields.variant})${e.exception ? `: ${e.exception.className.replace(/^.*\./, '')}` : ''}`;
    case 'first-pull-offset':
      return `first pull: requested ${e.fields.requestOffset}, broker says ${e.fields.newOffset}`;
    case 'pull-offset-illegal':
      return `pull offset ${e.fields.requestOffset} illegal, next ${e.fields.nextBeginOffset} (min ${e.fields.minOffset ?? '?'}, max ${e.fields.maxOffset ?? '?'})`;
    case 'pull-offset-fixed':
      return `pull request offset fixed to ${e.fields.offset}`;
    case 'pull-offset-corrected':
      return `broker correction (${e.fields.reason}): ${e.fields.requestOffset ?? '?'} → ${e.fields.newOffset ?? '?'}`;
    case 'lock':
      return `lock ${e.fields.result} (${e.fields.side})${e.fields.clientId ? ` ${e.fields.clientId}` : ''}`;
    case 'trace-delivery':
      return `message ${e.fields.msgId} consumed by ${e.fields.client ?? '?'}${e.fields.retryTimes ? ` (retry ${e.fields.retryTimes})` : ''}`;
    case 'dropped-without-result':
      return `consumed ${e.fields.messages.length} message(s) but the queue was dropped before the offset advanced`;
    case 'remote-timeout':
      return `timeout${e.fields.remote ? ` to ${e.fields.remote}` : ''}`;
    case 'connection-failure':
      return `connection failure (${e.fields.op})${e.fields.remote ? ` ${e.fields.remote}` : ''}`;
    case 'heartbeat-failed':
      return `heartbeat to ${e.fields.brokerName ?? '?'} failed`;
    default:
      return e.kind;
  }
}
