import { sig, type AnySignature } from '../types.js';
import { guarded, int, reqInt } from './common.js';

/**
 * Message signatures of the broker's log files (`broker.log`, `store.log`, `remoting.log`,
 * `lock.log`, `pop.log`, `stats.log`, `watermark.log`, `protection.log`). All share the logback
 * layouts of catalog §18.2. Samples are full lines from the catalog.
 */
export const BROKER_SIGNATURES: AnySignature[] = [
  sig({
    id: 'broker.offset-regression',
    kind: 'offset-regression',
    anchor: '[NOTIFYME]update consumer offset less than store.',
    pattern:
      /^\[NOTIFYME\]update consumer offset less than store\. clientHost=(?<client>[^,]*), key=(?<topic>[^@,]*)@(?<group>[^,]*), queueId=(?<qid>\d+), requestOffset=(?<req>-?\d+), storeOffset=(?<store>-?\d+)$/,
    fields: guarded((g) => ({
      clientHost: g.client!,
      topic: g.topic!,
      group: g.group!,
      queueId: reqInt(g.qid),
      requestOffset: reqInt(g.req),
      storeOffset: reqInt(g.store),
    })),
    ref: '§11.1',
    samples: [
      '2024-05-10 14:23:05 WARN ConsumerManageThread_3 - [NOTIFYME]update consumer offset less than store. clientHost=172.66.6.3:52814, key=pos_create_pos_cooperate_sale_order@pos-provider, queueId=0, requestOffset=1200, storeOffset=1250',
    ],
  }),
  sig({
    id: 'broker.offset-too-small',
    kind: 'pull-offset-corrected',
    anchor: 'the request offset too small. ',
    pattern:
      /^the request offset too small\. group=(?<group>[^,]*), topic=(?<topic>[^,]*), requestOffset=(?<req>-?\d+), brokerMinOffset=(?<min>-?\d+), clientIp=(?<client>\S*)$/,
    fields: (g) => ({
      reason: 'too-small' as const,
      topic: g.topic!,
      group: g.group!,
      queueId: null,
      requestOffset: int(g.req),
      newOffset: int(g.min),
      minOffset: int(g.min),
      maxOffset: null,
      client: g.client!.replace(/^\//, ''),
    }),
    ref: '§12.2',
    samples: [
      '2024-05-10 14:23:02 INFO PullMessageThread_7 - the request offset too small. group=pos-provider, topic=pos_create_pos_cooperate_sale_order, requestOffset=-1, brokerMinOffset=0, clientIp=/172.66.6.3:52814',
    ],
  }),
  sig({
    id: 'broker.offset-overflow-badly',
    kind: 'pull-offset-corrected',
    anchor: ' over flow badly, ',
    pattern:
      /^the request offset: (?<req>-?\d+) over flow badly, (?:fix to (?<fix>-?\d+), )?broker max offset: (?<max>-?\d+), consumer: (?<client>\S*)$/,
    fields: (g) => ({
      reason: 'overflow-badly' as const,
      topic: null,
      group: null,
      queueId: null,
      requestOffset: int(g.req),
      newOffset: int(g.fix),
      minOffset: null,
      maxOffset: int(g.max),
      client: g.client!.replace(/^\//, ''),
    }),
    ref: '§12.2',
    samples: [
      '2024-05-10 14:23:02 INFO PullMessageThread_7 - the request offset: 1250 over flow badly, broker max offset: 600, consumer: /172.66.6.3:52814',
    ],
  }),
  sig({
    id: 'broker.pull-offset-moved',
    kind: 'pull-offset-corrected',
    anchor: 'PULL_OFFSET_MOVED:correction offset. ',
    pattern:
      /^PULL_OFFSET_MOVED:correction offset\. topic=(?<topic>[^,]*), groupId=(?<group>[^,]*), requestOffset=(?<req>-?\d+), newOffset=(?<new>-?\d+), suggestBrokerId=\d+$/,
    fields: (g) => ({
      reason: 'moved' as const,
      topic: g.topic!,
      group: g.group!,
      queueId: null,
      requestOffset: int(g.req),
      newOffset: int(g.new),
      minOffset: null,
      maxOffset: null,
      client: null,
    }),
    ref: '§12.2',
    samples: [
      '2024-05-10 14:23:02 WARN PullMessageThread_7 - PULL_OFFSET_MOVED:correction offset. topic=pos_create_pos_cooperate_sale_order, groupId=pos-provider, requestOffset=1250, newOffset=600, suggestBrokerId=0',
    ],
  }),
];

/** The broker address of a `boot success` line reveals the host. */
export function brokerHostProbe(msg: string): string | null {
  const m = /^The broker\[[^,]+, (\d{1,3}(?:\.\d{1,3}){3}):\d+\] boot success/.exec(msg);
  return m ? m[1]! : null;
}
