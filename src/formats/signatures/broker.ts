import type { EventFieldMap } from '../../model/events.js';
import type { MessageQueueRef } from '../../model/queue.js';
import { sig, type AnySignature, type Entry } from '../types.js';
import { guarded, int, MQ, mq, mqs, reqInt } from './common.js';

/**
 * Message signatures of the broker's log files (`broker.log`, `store.log`, `remoting.log`,
 * `lock.log`, `pop.log`, `broker_default.log`). All share the logback layouts of catalog §18.2.
 * Every format comes from the catalog; samples are the catalog's example lines where it gives
 * one, otherwise the format string rendered with the catalog's example values.
 *
 * `stats.log`, `watermark.log` and `protection.log` have no signatures: the catalog gives their
 * layouts (§0, §18.2) but no message text, so any pattern for them would be invented.
 *
 * At most one signature matches any message (the generic test checks every sample).
 */

// ---- sample building blocks (catalog example values, Appendix A toStrings) ----
const MQ0 = 'MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]';
const CID3 = '172.66.6.3@12345#1289456702398741';
const CID4 = '172.66.6.4@23456#1290012345678901';
const CCI3 =
  'ClientChannelInfo [channel=[id: 0x5e9f8a3c, L:/172.66.1.31:10911 - R:/172.66.6.3:52814], clientId=172.66.6.3@12345#1289456702398741, language=JAVA, version=401, lastUpdateTimestamp=1715322181240]';
const CCI4 =
  'ClientChannelInfo [channel=[id: 0x8f3a2c1d, L:/172.66.1.31:10911 - R:/172.66.6.4:41022], clientId=172.66.6.4@23456#1290012345678901, language=JAVA, version=401, lastUpdateTimestamp=1715322178004]';
const SUB =
  'SubscriptionData [classFilterMode=false, topic=pos_create_pos_cooperate_sale_order, subString=*, tagsSet=[], codeSet=[], subVersion=1715322178004, expressionType=TAG]';
const CDATA = `ConsumerData [groupName=pos-provider, consumeType=CONSUME_PASSIVELY, messageModel=CLUSTERING, consumeFromWhere=CONSUME_FROM_LAST_OFFSET, unitMode=false, subscriptionDataSet=[${SUB}]]`;
const CK =
  'PopCheckPoint [topic=pos_create_pos_cooperate_sale_order, cid=pos-provider, queueId=0, startOffset=1250, bitMap=6, num=4, reviveTime=1715322190200, reviveOffset=88213, diff=[0, 1, 2, 3], brokerName=broker-b, rePutTimes=null]';
const ACK =
  "AckMsg{ackOffset=1251, startOffset=1250, consumerGroup='pos-provider', topic='pos_create_pos_cooperate_sale_order', queueId=0, popTime=1715322160200, brokerName=broker-b}";
const ACK_NO_BN =
  "AckMsg{ackOffset=1251, startOffset=1250, consumerGroup='pos-provider', topic='pos_create_pos_cooperate_sale_order', queueId=0, popTime=1715322160200, brokerName=null}";
const CKWRAP = `CkWrap{rq=2, rqo=88213, ck=${CK}, bits=6, sBits=110, nbo=false, cks=false, jo=false}`;
const PUT_OK =
  "PutMessageResult [putMessageStatus=PUT_OK, appendMessageResult=AppendMessageResult{status=PUT_OK, wroteOffset=123456799012, wroteBytes=512, msgId='AC42011F00002A9F0000001CBE994124', storeTimestamp=1715322211005, logicsOffset=37, pagecacheRT=0, msgNum=1}]";
const CK_RAW =
  '{"so":1250,"pt":1715322160200,"it":30000,"bm":6,"n":4,"q":0,"t":"pos_create_pos_cooperate_sale_order","c":"pos-provider","ro":88213,"d":[0,1,2,3],"bn":"broker-b"}';
const ACK_RAW = '{"ao":1251,"so":1250,"c":"pos-provider","t":"pos_create_pos_cooperate_sale_order","q":0,"pt":1715322160200,"bn":"broker-b"}';
const ACK_RAW_NO_BN = '{"ao":1251,"so":1250,"c":"pos-provider","t":"pos_create_pos_cooperate_sale_order","q":0,"pt":1715322160200}';

// ---- field helpers ----

/** `clientId=` and the remote (`R:/ip:port`) of a rendered `ClientChannelInfo [...]`. */
function channelInfo(text: string): { clientId: string | null; channel: string | null } {
  const cid = /clientId=([^,\]\s]*)/.exec(text);
  const r = /R:\/?([^\]\s,]+)/.exec(text);
  return { clientId: cid?.[1] || null, channel: r?.[1] || null };
}

/** Exactly one MessageQueue in a rendered set (`[MessageQueue [...]]`), else null. */
function singleMq(text: string | undefined): MessageQueueRef | null {
  if (text === undefined) return null;
  const qs = mqs(text);
  return qs.length === 1 ? qs[0]! : null;
}

function slash(addr: string | undefined): string | null {
  if (addr === undefined || addr === '') return null;
  return addr.replace(/^\//, '');
}

function exceptionDetail(e: Entry): string | null {
  if (!e.exception) return null;
  return e.exception.message ? `${e.exception.className}: ${e.exception.message}` : e.exception.className;
}

/** DLedger member role (`LEADER`/`FOLLOWER`) or a BrokerRole (`SYNC_MASTER`/`SLAVE`) → model role. */
function roleOf(text: string | undefined): 'master' | 'slave' | 'unknown' {
  if (text === undefined) return 'unknown';
  if (/master|leader/i.test(text)) return 'master';
  if (/slave|follower/i.test(text)) return 'slave';
  return 'unknown';
}

/** The brokerName an AckMsg toString (`AckMsg{…, brokerName=x}`) or ack JSON (`"bn":"x"`) names. */
function ackBrokerName(text: string): string | null {
  const m = /AckMsg\{[^}]*brokerName=([^,}]*)\}/.exec(text) ?? /"bn":"([^"]*)"/.exec(text);
  const v = m?.[1];
  return v === undefined || v === '' || v === 'null' ? null : v;
}

type Lock = EventFieldMap['lock'];

function lock(result: Lock['result'], g: Record<string, string>, q: MessageQueueRef | null): Lock {
  return {
    side: 'broker',
    result,
    group: g.group || null,
    mq: q,
    clientId: g.cid || null,
    otherClientId: g.old || null,
  };
}

type Reset = EventFieldMap['offset-reset'];

function reset(phase: Reset['phase'], g: Record<string, string>): Reset {
  return {
    side: 'broker',
    phase,
    topic: g.topic || null,
    group: g.group || null,
    timestamp: int(g.ts),
    by: g.by || null,
    clientId: g.cid || null,
  };
}

type Corrected = EventFieldMap['pull-offset-corrected'];

/** A pull-offset correction; what the line does not say is null. */
function corrected(reason: Corrected['reason'], f: Partial<Omit<Corrected, 'reason'>>): Corrected {
  return {
    reason,
    topic: f.topic ?? null,
    group: f.group ?? null,
    queueId: f.queueId ?? null,
    requestOffset: f.requestOffset ?? null,
    newOffset: f.newOffset ?? null,
    minOffset: f.minOffset ?? null,
    maxOffset: f.maxOffset ?? null,
    client: f.client ?? null,
  };
}

/** A context-only line: kind `info`, `what` fixed, `detail` from the `detail` group unless given. */
function info(s: {
  id: string;
  what: string;
  anchor: string;
  pattern: RegExp;
  detail?: (g: Record<string, string>, e: Entry) => string | null;
  ref: string;
  samples: string[];
}): AnySignature {
  const detail = s.detail ?? ((g: Record<string, string>) => g.detail ?? null);
  return sig({
    id: s.id,
    kind: 'info',
    anchor: s.anchor,
    pattern: s.pattern,
    fields: (g, e) => ({ what: s.what, detail: detail(g, e) }),
    ref: s.ref,
    samples: s.samples,
  });
}

export const BROKER_SIGNATURES: AnySignature[] = [
  // ======================= §11 ConsumerOffsetManager (broker.log) =======================
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
    id: 'broker.offset-commit-rejected',
    kind: 'offset-commit-rejected',
    anchor: 'Update consumer offset is rejected because of previous offset-reset. ',
    pattern:
      /^Update consumer offset is rejected because of previous offset-reset\. Group=(?<group>[^,]*), Topic=(?<topic>[^,]*), QueueId=(?<qid>-?\d+), Offset=(?<off>-?\d+)$/,
    fields: guarded((g) => ({ group: g.group!, topic: g.topic!, queueId: reqInt(g.qid), offset: reqInt(g.off) })),
    ref: '§11.1',
    samples: [
      '2024-05-10 15:00:05 INFO ConsumerManageThread_3 - Update consumer offset is rejected because of previous offset-reset. Group=pos-provider, Topic=pos_create_pos_cooperate_sale_order, QueueId=0, Offset=1250',
    ],
  }),
  info({
    id: 'broker.remove-topic-offset',
    what: 'remove-topic-offset',
    anchor: 'remove topic offset, ',
    pattern: /^remove topic offset, (?<detail>.*)$/,
    ref: '§11.2',
    samples: ['2024-05-10 14:23:05 WARN AdminBrokerThread_1 - remove topic offset, pos_create_pos_cooperate_sale_order@pos-provider'],
  }),
  info({
    id: 'broker.clean-group-offset',
    what: 'clean-group-offset',
    anchor: 'clean group offset ',
    pattern: /^clean group offset (?<detail>.*)$/,
    ref: '§11.2',
    samples: ['2024-05-10 14:23:05 WARN AdminBrokerThread_1 - clean group offset pos_create_pos_cooperate_sale_order@pos-provider'],
  }),
  info({
    id: 'broker.clean-offset-5x',
    what: 'clean-offset',
    anchor: "'s offset, ",
    pattern: /^Clean (?<which>group|topic)'s offset, (?<key>[^,]*), (?<rest>.*)$/,
    detail: (g) => `${g.which!}: ${g.key!}`,
    ref: '§11.2',
    samples: [
      "2024-05-10 14:23:05 WARN AdminBrokerThread_1 - Clean group's offset, pos_create_pos_cooperate_sale_order@pos-provider, {0=1250}",
      "2024-05-10 14:23:05 WARN AdminBrokerThread_1 - Clean topic's offset, pos_create_pos_cooperate_sale_order@pos-provider, {0=1250}",
    ],
  }),
  info({
    id: 'broker.clean-group-offset-5x',
    what: 'clean-group-offset',
    anchor: 'Consumer offset manager clean group offset, groupName=',
    pattern: /^Consumer offset manager clean group offset, groupName=(?<detail>[^,]*), offsetTable=/,
    ref: '§11.2',
    samples: [
      '2024-05-10 14:23:05 INFO AdminBrokerThread_1 - Consumer offset manager clean group offset, groupName=pos-provider, offsetTable={pos_create_pos_cooperate_sale_order@pos-provider={0=1250}}, resetOffsetTable={}, pullOffsetTable={}',
    ],
  }),
  sig({
    id: 'broker.reset-offset-illegal',
    kind: 'offset-reset',
    anchor: 'Illegal arguments when assigning reset offset. ',
    pattern:
      /^Illegal arguments when assigning reset offset\. Topic=(?<topic>[^,]*), group=(?<group>[^,]*), queueId=(?<qid>-?\d+), offset=(?<off>-?\d+)$/,
    fields: (g) => reset('failed', g),
    ref: '§11.2',
    samples: [
      '2024-05-10 15:00:00 WARN AdminBrokerThread_1 - Illegal arguments when assigning reset offset. Topic=pos_create_pos_cooperate_sale_order, group=pos-provider, queueId=-1, offset=1200',
    ],
  }),
  sig({
    id: 'broker.reset-offset-ok',
    kind: 'offset-reset',
    anchor: 'Reset offset OK. ',
    pattern: /^Reset offset OK\. Topic=(?<topic>[^,]*), group=(?<group>[^,]*), queueId=(?<qid>-?\d+), resetOffset=(?<off>-?\d+)$/,
    fields: (g) => reset('server-side', g),
    ref: '§11.2',
    samples: [
      '2024-05-10 15:00:00 DEBUG AdminBrokerThread_1 - Reset offset OK. Topic=pos_create_pos_cooperate_sale_order, group=pos-provider, queueId=0, resetOffset=1200',
    ],
  }),
  info({
    id: 'broker.load-offset-data-version',
    what: 'load-offset-data-version',
    anchor: 'load consumer offset dataVersion ',
    pattern: /^load consumer offset dataVersion (?<res>success|failed)[, ](?<rest>.*)$/,
    detail: (g) => `${g.res!}: ${g.rest!.trim()}`,
    ref: '§11.2',
    samples: [
      '2024-05-10 14:20:11 INFO main - load consumer offset dataVersion success,/root/store/config/consumerOffset.json,{"counter":1024,"stateVersion":0,"timestamp":1715322011000} ',
      '2024-05-10 14:20:11 ERROR main - load consumer offset dataVersion failed /root/store/config/consumerOffset.json',
    ],
  }),
  info({
    id: 'broker.config-load-ok',
    what: 'config-load',
    anchor: ' OK',
    pattern: /^load (?<detail>\S+) OK$/,
    ref: '§11.2',
    samples: ['2024-05-10 14:20:11 INFO main - load /root/store/config/consumerOffset.json OK'],
  }),
  sig({
    id: 'broker.config-load-failed',
    kind: 'broker-recovery',
    anchor: 'load ',
    pattern: /^load (?<file>\S+) (?<how>failed, and try to load backup file|Failed)$/,
    fields: (g) => ({
      abnormal: true,
      detail: g.how === 'Failed' ? `load ${g.file!} failed (backup too)` : `load ${g.file!} failed, using backup file`,
    }),
    ref: '§11.2',
    samples: [
      '2024-05-10 14:20:11 ERROR main - load /root/store/config/consumerOffset.json failed, and try to load backup file\ncom.alibaba.fastjson.JSONException: syntax error, pos 1\n\tat com.alibaba.fastjson.parser.DefaultJSONParser.parse(DefaultJSONParser.java:1339)',
      '2024-05-10 14:20:11 ERROR main - load /root/store/config/consumerOffset.json Failed',
    ],
  }),
  info({
    id: 'broker.config-persist-failed',
    what: 'config-persist-failed',
    anchor: 'persist file ',
    pattern: /^persist file (?<detail>\S+) exception$/,
    ref: '§11.2',
    samples: [
      '2024-05-10 14:23:10 ERROR BrokerControllerScheduledThread1 - persist file /root/store/config/consumerOffset.json exception\njava.io.IOException: No space left on device\n\tat java.io.FileOutputStream.writeBytes(Native Method)',
    ],
  }),
  info({
    id: 'broker.offset-persist-failed',
    what: 'offset-persist-failed',
    anchor: 'consumerOffset',
    pattern: /^(?:schedule persist consumerOffset error\.|BrokerController: failed to persist config file of consumerOffset)$/,
    detail: (_g, e) => exceptionDetail(e),
    ref: '§11.2',
    samples: [
      '2024-05-10 14:23:10 ERROR BrokerControllerScheduledThread1 - schedule persist consumerOffset error.',
      '2024-05-10 14:23:10 ERROR BrokerControllerScheduledThread1 - BrokerController: failed to persist config file of consumerOffset',
    ],
  }),

  // ======================= §12 pull path (broker.log, store.log) =======================
  sig({
    id: 'broker.no-queue-data',
    kind: 'pull-offset-corrected',
    anchor: ' no queue data, fix the request offset ',
    pattern:
      /^the broker stores? no queue data, fix the request offset (?<req>-?\d+) to (?<new>-?\d+), Topic: (?<topic>\S*) QueueId: (?<qid>-?\d+) Consumer Group: (?<group>\S*)$/,
    fields: (g) => corrected('no-queue-data', { topic: g.topic!, group: g.group!, queueId: int(g.qid), requestOffset: int(g.req), newOffset: int(g.new) }),
    ref: '§12.2',
    samples: [
      '2024-05-10 14:23:02 INFO PullMessageThread_7 - the broker store no queue data, fix the request offset 1250 to 0, Topic: pos_create_pos_cooperate_sale_order QueueId: 0 Consumer Group: pos-provider',
      '2024-05-10 14:23:02 INFO PullMessageThread_7 - the broker stores no queue data, fix the request offset 1250 to 0, Topic: pos_create_pos_cooperate_sale_order QueueId: 0 Consumer Group: pos-provider',
    ],
  }),
  sig({
    id: 'broker.offset-too-small',
    kind: 'pull-offset-corrected',
    anchor: 'the request offset too small. ',
    pattern:
      /^the request offset too small\. group=(?<group>[^,]*), topic=(?<topic>[^,]*), requestOffset=(?<req>-?\d+), brokerMinOffset=(?<min>-?\d+), clientIp=(?<client>\S*)$/,
    fields: (g) => corrected('too-small', { topic: g.topic!, group: g.group!, requestOffset: int(g.req), newOffset: int(g.min), minOffset: int(g.min), client: slash(g.client) }),
    ref: '§12.2',
    samples: [
      '2024-05-10 14:23:02 INFO PullMessageThread_7 - the request offset too small. group=pos-provider, topic=pos_create_pos_cooperate_sale_order, requestOffset=-1, brokerMinOffset=0, clientIp=/172.66.6.3:52814',
      '2024-05-10 14:23:02 INFO PullMessageThread_7 - the request offset too small. group=pos-provider, topic=pos_create_pos_cooperate_sale_order, requestOffset=-1, brokerMinOffset=0, clientIp=172.66.6.3:52814',
    ],
  }),
  sig({
    // 4.2.0–4.9.8: no `fix to` (the corrected value is in the PULL_OFFSET_MOVED line that follows);
    // 5.0.0+: `fix to <nextBeginOffset>`.
    id: 'broker.offset-overflow-badly',
    kind: 'pull-offset-corrected',
    anchor: ' over flow badly, ',
    pattern:
      /^the request offset: (?<req>-?\d+) over flow badly, (?:fix to (?<fix>-?\d+), )?broker max offset: (?<max>-?\d+), consumer: (?<client>\S*)$/,
    fields: (g) => corrected('overflow-badly', { requestOffset: int(g.req), newOffset: int(g.fix), maxOffset: int(g.max), client: slash(g.client) }),
    ref: '§12.2',
    samples: [
      '2024-05-10 14:23:02 INFO PullMessageThread_7 - the request offset: 1250 over flow badly, broker max offset: 600, consumer: /172.66.6.3:52814',
      '2024-05-10 14:23:02 INFO PullMessageThread_7 - the request offset: 1250 over flow badly, fix to 600, broker max offset: 600, consumer: 172.66.6.3:52814',
    ],
  }),
  sig({
    id: 'broker.pull-reset',
    kind: 'pull-offset-corrected',
    anchor: 'The queue under pulling was previously reset to start from ',
    pattern: /^The queue under pulling was previously reset to start from (?<new>-?\d+)$/,
    fields: (g) => corrected('reset', { newOffset: int(g.new) }),
    ref: '§12.2',
    samples: ['2024-05-10 15:00:03 INFO PullMessageThread_7 - The queue under pulling was previously reset to start from 1200'],
  }),
  sig({
    id: 'broker.pull-offset-moved',
    kind: 'pull-offset-corrected',
    anchor: 'PULL_OFFSET_MOVED:correction offset. ',
    pattern:
      /^PULL_OFFSET_MOVED:correction offset\. topic=(?<topic>[^,]*), groupId=(?<group>[^,]*), requestOffset=(?<req>-?\d+), newOffset=(?<new>-?\d+), suggestBrokerId=\d+$/,
    fields: (g) => corrected('moved', { topic: g.topic!, group: g.group!, requestOffset: int(g.req), newOffset: int(g.new) }),
    ref: '§12.2',
    samples: [
      '2024-05-10 14:23:02 WARN PullMessageThread_7 - PULL_OFFSET_MOVED:correction offset. topic=pos_create_pos_cooperate_sale_order, groupId=pos-provider, requestOffset=1250, newOffset=600, suggestBrokerId=0',
    ],
  }),
  sig({
    id: 'broker.pull-offset-none-correction',
    kind: 'pull-offset-corrected',
    anchor: 'PULL_OFFSET_MOVED:none correction. ',
    pattern:
      /^PULL_OFFSET_MOVED:none correction\. topic=(?<topic>[^,]*), groupId=(?<group>[^,]*), requestOffset=(?<req>-?\d+), suggestBrokerId=\d+$/,
    fields: (g) => corrected('none-correction', { topic: g.topic!, group: g.group!, requestOffset: int(g.req) }),
    ref: '§12.2',
    samples: [
      '2024-05-10 14:23:02 WARN PullMessageThread_7 - PULL_OFFSET_MOVED:none correction. topic=pos_create_pos_cooperate_sale_order, groupId=pos-provider, requestOffset=1250, suggestBrokerId=0',
    ],
  }),
  info({
    id: 'broker.offset-moved-event-failed',
    what: 'offset-moved-event-failed',
    anchor: 'generateOffsetMovedEvent Exception, ',
    pattern: /^generateOffsetMovedEvent Exception, (?<detail>.*)$/,
    ref: '§12.2',
    samples: [
      '2024-05-10 14:23:02 WARN PullMessageThread_7 - generateOffsetMovedEvent Exception, OffsetMovedEvent [consumerGroup=pos-provider, messageQueue=MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0], offsetRequest=1250, offsetNew=600]',
    ],
  }),
  info({
    id: 'broker.pull-group-not-exist',
    what: 'pull-group-not-exist',
    anchor: "the consumer's group info not exist, group: ",
    pattern: /^the consumer's group info not exist, group: (?<detail>\S*)$/,
    ref: '§12.2',
    samples: ["2024-05-10 14:23:02 WARN PullMessageThread_7 - the consumer's group info not exist, group: pos-provider"],
  }),
  info({
    id: 'broker.pull-subscription-not-exist',
    what: 'pull-subscription-not-exist',
    anchor: "the consumer's subscription not exist, group: ",
    pattern: /^the consumer's subscription not exist, group: (?<group>[^,]*), topic:(?<topic>\S*)$/,
    detail: (g) => `${g.group!} ${g.topic!}`,
    ref: '§12.2',
    samples: [
      "2024-05-10 14:23:02 WARN PullMessageThread_7 - the consumer's subscription not exist, group: pos-provider, topic:pos_create_pos_cooperate_sale_order",
    ],
  }),
  info({
    id: 'broker.pull-subscription-not-latest',
    what: 'pull-subscription-not-latest',
    anchor: "The broker's subscription is not latest, group: ",
    pattern: /^The broker's subscription is not latest, group: (?<detail>\S*) /,
    ref: '§12.2',
    samples: ["2024-05-10 14:23:02 WARN PullMessageThread_7 - The broker's subscription is not latest, group: pos-provider *"],
  }),
  info({
    id: 'broker.access-logic-queue-failed',
    what: 'access-logic-queue-failed',
    anchor: ', but access logic queue failed.',
    pattern:
      /^consumer request topic: (?<topic>[^ ,]*?),? ?offset: (?<off>-?\d+),? minOffset: (?<min>-?\d+),? maxOffset: (?<max>-?\d+), but access logic queue failed\.(?: Correct nextBeginOffset to (?<next>-?\d+))?$/,
    detail: (g) =>
      `topic=${g.topic!} offset=${g.off!} minOffset=${g.min!} maxOffset=${g.max!}${g.next !== undefined ? ` nextBeginOffset=${g.next}` : ''}`,
    ref: '§12.2',
    samples: [
      '2024-05-10 14:23:02 WARN PullMessageThread_7 - consumer request topic: pos_create_pos_cooperate_sale_orderoffset: 1250 minOffset: 0 maxOffset: 1300, but access logic queue failed.',
      '2024-05-10 14:23:02 WARN PullMessageThread_7 - consumer request topic: pos_create_pos_cooperate_sale_order, offset: 1250, minOffset: 0, maxOffset: 1300, but access logic queue failed. Correct nextBeginOffset to 300000',
    ],
  }),
  info({
    id: 'broker.get-message-forbidden',
    what: 'get-message-forbidden',
    anchor: ', so getMessage is forbidden',
    pattern: /^message store (?<why>has shutdown|is not readable), so getMessage is forbidden(?: (?<bits>\d+))?$/,
    detail: (g) => (g.bits !== undefined ? `${g.why!} ${g.bits}` : g.why!),
    ref: '§12.2',
    samples: [
      '2024-05-10 14:23:02 WARN PullMessageThread_7 - message store has shutdown, so getMessage is forbidden',
      '2024-05-10 14:23:02 WARN PullMessageThread_7 - message store is not readable, so getMessage is forbidden 4',
    ],
  }),

  // ======================= §13 consumer registry (broker.log, remoting.log) =======================
  sig({
    id: 'broker.channel-expired',
    kind: 'channel-expired',
    anchor: 'SCAN: remove expired channel from ConsumerManager consumerTable. ',
    pattern: /^SCAN: remove expired channel from ConsumerManager consumerTable\. channel=(?<channel>[^,]*), consumerGroup=(?<group>\S*)$/,
    fields: (g) => ({ channel: g.channel!, group: g.group! }),
    ref: '§13',
    samples: [
      '2024-05-10 14:25:11 WARN ClientHousekeepingScheduledThread1 - SCAN: remove expired channel from ConsumerManager consumerTable. channel=172.66.6.3:52814, consumerGroup=pos-provider',
    ],
  }),
  sig({
    // The group's last channel expired and the group was removed; the line names no channel
    // (the preceding per-channel SCAN line does), so `channel` is empty.
    id: 'broker.channel-expired-all-clear',
    kind: 'channel-expired',
    anchor: 'SCAN: remove expired channel from ConsumerManager consumerTable, all clear, ',
    pattern: /^SCAN: remove expired channel from ConsumerManager consumerTable, all clear, consumerGroup=(?<group>\S*)$/,
    fields: (g) => ({ channel: null, group: g.group! }),
    ref: '§13',
    samples: [
      '2024-05-10 14:25:11 WARN ClientHousekeepingScheduledThread1 - SCAN: remove expired channel from ConsumerManager consumerTable, all clear, consumerGroup=pos-provider',
    ],
  }),
  sig({
    id: 'broker.channel-closed',
    kind: 'channel-closed',
    anchor: 'NETTY EVENT: remove not active channel[',
    pattern: /^NETTY EVENT: remove not active channel\[(?<info>.*)\] from ConsumerGroupInfo groupChannelTable, consumer group: (?<group>\S*)$/,
    fields: (g) => {
      const c = channelInfo(g.info!);
      return { channel: c.channel, clientId: c.clientId, group: g.group || null };
    },
    ref: '§13',
    samples: [
      '2024-05-10 14:25:11 WARN NettyEventExecutor - NETTY EVENT: remove not active channel[ClientChannelInfo [channel=[id: 0x5e9f8a3c, L:/172.66.1.31:10911 ! R:/172.66.6.3:52814], clientId=172.66.6.3@12345#1289456702398741, language=JAVA, version=401, lastUpdateTimestamp=1715322181240]] from ConsumerGroupInfo groupChannelTable, consumer group: pos-provider',
    ],
  }),
  sig({
    id: 'broker.consumer-group-removed',
    kind: 'consumer-unregistered',
    anchor: 'unregister consumer ok, no any connection, and remove consumer group, ',
    pattern: /^unregister consumer ok, no any connection, and remove consumer group, (?<group>\S*)$/,
    fields: (g) => ({ group: g.group!, clientId: null }),
    ref: '§13',
    samples: ['2024-05-10 14:25:11 INFO NettyEventExecutor - unregister consumer ok, no any connection, and remove consumer group, pos-provider'],
  }),
  sig({
    id: 'broker.consumer-unregistered',
    kind: 'consumer-unregistered',
    anchor: 'unregister a consumer[',
    pattern: /^unregister a consumer\[(?<group>[^\]]*)\] from consumerGroupInfo (?<info>.*)$/,
    fields: (g) => ({ group: g.group!, clientId: channelInfo(g.info!).clientId }),
    ref: '§13',
    samples: [`2024-05-10 14:30:00 INFO ClientManageThread_1 - unregister a consumer[pos-provider] from consumerGroupInfo ${CCI3}`],
  }),
  sig({
    id: 'broker.consumer-registered',
    kind: 'consumer-registered',
    anchor: 'new consumer connected, group: ',
    pattern: /^new consumer connected, group: (?<group>\S*) (?<ctype>\S+) (?<model>\S+) channel: (?<info>.*)$/,
    fields: (g) => {
      const c = channelInfo(g.info!);
      return { group: g.group!, clientId: c.clientId, channel: c.channel, messageModel: g.model! };
    },
    ref: '§13',
    samples: [
      '2024-05-10 14:22:58 INFO HeartbeatThread_2 - new consumer connected, group: pos-provider CONSUME_PASSIVELY CLUSTERING channel: ClientChannelInfo [channel=[id: 0x8f3a2c1d, L:/172.66.1.31:10911 - R:/172.66.6.4:41022], clientId=172.66.6.4@23456#1290012345678901, language=JAVA, version=401, lastUpdateTimestamp=1715322178004]',
    ],
  }),
  info({
    id: 'broker.consumer-clientid-mismatch',
    what: 'consumer-clientid-mismatch',
    anchor: 'consumer channel exist',
    pattern:
      /^(?:\[BUG\] consumer channel exist in broker, but clientId not equal\. GROUP: (?<g4>\S*) OLD: |ConsumerGroupInfo: consumer channel exists in broker, but clientId is not the same one, group=(?<g5>[^,]*), old clientChannelInfo=)/,
    detail: (g) => g.g4 ?? g.g5 ?? null,
    ref: '§13',
    samples: [
      `2024-05-10 14:22:58 ERROR HeartbeatThread_2 - [BUG] consumer channel exist in broker, but clientId not equal. GROUP: pos-provider OLD: ${CCI3} NEW: ${CCI4} `,
      `2024-05-10 14:22:58 ERROR HeartbeatThread_2 - ConsumerGroupInfo: consumer channel exists in broker, but clientId is not the same one, group=pos-provider, old clientChannelInfo=${CCI3}, new clientChannelInfo=${CCI4}`,
    ],
  }),
  info({
    id: 'broker.subscription-changed',
    what: 'subscription-changed',
    anchor: 'subscription changed, ',
    pattern:
      /^subscription changed, (?:add new topic, group: (?<ga>\S*) |group: (?<gb>\S*) (?:OLD: |remove topic (?<topic>\S*) ))/,
    detail: (g) => {
      if (g.ga !== undefined) return `${g.ga} add topic`;
      if (g.topic !== undefined) return `${g.gb!} remove topic ${g.topic}`;
      return `${g.gb!} changed`;
    },
    ref: '§13',
    samples: [
      `2024-05-10 14:22:58 INFO HeartbeatThread_2 - subscription changed, add new topic, group: pos-provider ${SUB}`,
      `2024-05-10 14:22:58 INFO HeartbeatThread_2 - subscription changed, group: pos-provider OLD: ${SUB} NEW: ${SUB.replace('subVersion=1715322178004', 'subVersion=1715322198004')}`,
      `2024-05-10 14:22:58 WARN HeartbeatThread_2 - subscription changed, group: pos-provider remove topic pos_create_pos_cooperate_sale_order ${SUB}`,
    ],
  }),
  info({
    id: 'broker.register-consumer-changed',
    what: 'register-consumer-changed',
    anchor: 'registerConsumer info changed',
    pattern:
      /^(?:registerConsumer info changed ConsumerData \[groupName=(?<g4>[^,]*), |(?:heartBeatV2 )?ClientManageProcessor: registerConsumer info changed, SDK address=(?<addr>[^,]*), consumerData=ConsumerData \[groupName=(?<g5>[^,]*), )/,
    detail: (g) => g.g4 ?? g.g5 ?? null,
    ref: '§13',
    samples: [
      `2024-05-10 14:22:58 INFO HeartbeatThread_2 - registerConsumer info changed ${CDATA} 172.66.6.4:41022`,
      `2024-05-10 14:22:58 INFO HeartbeatThread_2 - ClientManageProcessor: registerConsumer info changed, SDK address=172.66.6.4:41022, consumerData=${CDATA}`,
      `2024-05-10 14:22:58 INFO HeartbeatThread_2 - heartBeatV2 ClientManageProcessor: registerConsumer info changed, SDK address=172.66.6.4:41022, consumerData=${CDATA}`,
    ],
  }),
  info({
    id: 'broker.notify-ids-changed-failed',
    what: 'notify-consumer-ids-changed-failed',
    anchor: 'notifyConsumerIdsChanged exception',
    pattern: /^notifyConsumerIdsChanged exception(?:, (?<g3>\S*)|\. group=(?<g4>[^,]*), error=(?<err>.*))$/,
    detail: (g, e) => {
      const group = g.g3 ?? g.g4 ?? '';
      const err = g.err ?? exceptionDetail(e);
      return err ? `${group}: ${err}` : group;
    },
    ref: '§13',
    samples: [
      '2024-05-10 14:25:11 ERROR NettyEventExecutor - notifyConsumerIdsChanged exception, pos-provider\norg.apache.rocketmq.remoting.exception.RemotingTooMuchRequestException: invokeOnewayImpl invoke too fast\n\tat org.apache.rocketmq.remoting.netty.NettyRemotingAbstract.invokeOnewayImpl(NettyRemotingAbstract.java:459)',
      '2024-05-10 14:25:11 ERROR NettyEventExecutor - notifyConsumerIdsChanged exception. group=pos-provider, error=org.apache.rocketmq.remoting.exception.RemotingTooMuchRequestException: invokeOnewayImpl invoke too fast',
    ],
  }),
  info({
    id: 'broker.notify-consumer-failed-5x',
    what: 'notify-consumer-ids-changed-failed',
    anchor: 'Failed to notify consumer when some consumers changed, consumerId to notify: ',
    pattern: /^Failed to notify consumer when some consumers changed, consumerId to notify: (?<detail>.*)$/,
    ref: '§13',
    samples: [
      `2024-05-10 14:25:11 ERROR NettyEventExecutor - Failed to notify consumer when some consumers changed, consumerId to notify: ${CID4}`,
    ],
  }),
  info({
    id: 'broker.netty-server-channel-event',
    what: 'netty-server-channel',
    anchor: 'NETTY SERVER PIPELINE: channel',
    pattern:
      /^NETTY SERVER PIPELINE: (?:channelRegistered (?<reg>\S*)|(?<ev>channelUnregistered|channelActive|channelInactive), the channel\[(?<addr>[^\]]*)\])$/,
    detail: (g) => (g.ev !== undefined ? `${g.ev} ${g.addr!}` : `channelRegistered ${g.reg!}`),
    ref: '§13',
    samples: [
      '2024-05-10 14:22:58 INFO NettyServerCodecThread_1 - NETTY SERVER PIPELINE: channelRegistered 172.66.6.4:41022',
      '2024-05-10 14:22:58 INFO NettyServerCodecThread_1 - NETTY SERVER PIPELINE: channelActive, the channel[172.66.6.4:41022]',
      '2024-05-10 14:25:11 INFO NettyServerCodecThread_1 - NETTY SERVER PIPELINE: channelInactive, the channel[172.66.6.3:52814]',
      '2024-05-10 14:25:11 INFO NettyServerCodecThread_1 - NETTY SERVER PIPELINE: channelUnregistered, the channel[172.66.6.3:52814]',
    ],
  }),
  sig({
    id: 'broker.netty-server-idle',
    kind: 'connection-failure',
    anchor: 'NETTY SERVER PIPELINE: IDLE exception [',
    pattern: /^NETTY SERVER PIPELINE: IDLE exception \[(?<addr>[^\]]*)\]$/,
    fields: (g) => ({ remote: slash(g.addr), op: 'idle' }),
    ref: '§13',
    samples: ['2024-05-10 14:25:11 WARN NettyServerCodecThread_1 - NETTY SERVER PIPELINE: IDLE exception [172.66.6.3:52814]'],
  }),
  sig({
    // First of the two exceptionCaught lines (≤5.3.0 and later alike): names the remote.
    id: 'broker.netty-server-exception',
    kind: 'connection-failure',
    anchor: 'NETTY SERVER PIPELINE: exceptionCaught ',
    pattern: /^NETTY SERVER PIPELINE: exceptionCaught (?!exception\.$)(?<addr>\S*)$/,
    fields: (g) => ({ remote: slash(g.addr), op: 'exceptionCaught' }),
    ref: '§13',
    samples: ['2024-05-10 14:25:11 WARN NettyServerCodecThread_1 - NETTY SERVER PIPELINE: exceptionCaught 172.66.6.3:52814'],
  }),
  info({
    // Second exceptionCaught line: carries the stack, not the remote (the line before has it).
    id: 'broker.netty-server-exception-stack',
    what: 'netty-server-exception',
    anchor: 'NETTY SERVER PIPELINE: exceptionCaught exception.',
    pattern: /^NETTY SERVER PIPELINE: exceptionCaught exception\.$/,
    detail: (_g, e) => exceptionDetail(e),
    ref: '§13',
    samples: [
      '2024-05-10 14:25:11 WARN NettyServerCodecThread_1 - NETTY SERVER PIPELINE: exceptionCaught exception.\njava.io.IOException: Connection reset by peer\n\tat sun.nio.ch.FileDispatcherImpl.read0(Native Method)',
    ],
  }),
  info({
    id: 'broker.close-channel-begin',
    what: 'close-channel',
    anchor: 'closeChannel: begin close the channel[',
    pattern: /^closeChannel: begin close the channel\[(?:addr=)?(?<detail>[^,\]]*)(?:, id=[^\]]*)?\] Found: (?:true|false)$/,
    ref: '§7.2',
    samples: [
      '2024-05-10 14:23:01 INFO NettyClientPublicExecutor_1 - closeChannel: begin close the channel[172.66.1.10:9876] Found: true',
      '2024-05-10 14:23:01 INFO NettyClientPublicExecutor_1 - closeChannel: begin close the channel[addr=172.66.1.10:9876, id=8f3a2c1d] Found: true',
    ],
  }),
  info({
    id: 'broker.close-channel-removed',
    what: 'close-channel-removed',
    anchor: 'closeChannel: the channel[',
    pattern:
      /^closeChannel: the channel\[(?:addr=)?(?<detail>[^,\]]*)(?:, id=[^\]]*)?\] (?:was removed from channel table|has been removed from the channel table before)$/,
    ref: '§7.2',
    samples: [
      '2024-05-10 14:23:01 INFO NettyClientPublicExecutor_1 - closeChannel: the channel[172.66.1.10:9876] was removed from channel table',
      '2024-05-10 14:23:01 INFO NettyClientPublicExecutor_1 - closeChannel: the channel[172.66.1.10:9876] has been removed from the channel table before',
    ],
  }),
  info({
    // The broker logs this when it closes an expired / failed client channel (§7.2, §13).
    id: 'broker.close-connection',
    what: 'close-connection',
    anchor: 'closeChannel: close the connection to remote address[',
    pattern: /^closeChannel: close the connection to remote address\[(?<addr>[^\]]*)\] result: (?<res>true|false)$/,
    detail: (g) => `${slash(g.addr) ?? ''} ${g.res!}`,
    ref: '§7.2',
    samples: [
      '2024-05-10 14:25:11 INFO ClientHousekeepingScheduledThread1 - closeChannel: close the connection to remote address[172.66.6.3:52814] result: true',
    ],
  }),
  info({
    id: 'broker.system-busy',
    what: 'system-busy',
    anchor: ', too many requests and system thread pool busy, RejectedExecutionException ',
    pattern: /^(?<addr>[^,]*), too many requests and system thread pool busy, RejectedExecutionException .* request code: (?<code>\d+)$/,
    detail: (g) => `${g.addr!} request code ${g.code!}`,
    ref: '§7.3',
    samples: [
      '2024-05-10 14:23:01 WARN NettyServerCodecThread_1 - 172.66.6.3:52814, too many requests and system thread pool busy, RejectedExecutionException java.util.concurrent.ThreadPoolExecutor@5f2b8ae1[Running, pool size = 16, active threads = 16, queued tasks = 100000, completed tasks = 1234567] request code: 11',
    ],
  }),

  // ======================= §3.2 lock.log =======================
  sig({
    id: 'broker.lock-ok',
    kind: 'lock',
    anchor: ', message queue not locked, I got it. ',
    pattern: new RegExp(`^tryLock(?:Batch)?, message queue not locked, I got it\\. Group: (?<group>\\S*) NewClientId: (?<cid>\\S*) (?<mq>${MQ})$`),
    fields: (g) => lock('ok', g, mq(g.mq)),
    ref: '§3.2',
    samples: [
      `2024-05-10 14:23:01 INFO AdminBrokerThread_2 - tryLockBatch, message queue not locked, I got it. Group: pos-provider NewClientId: ${CID3} ${MQ0}`,
      `2024-05-10 14:23:01 INFO AdminBrokerThread_2 - tryLock, message queue not locked, I got it. Group: pos-provider NewClientId: ${CID3} ${MQ0}`,
    ],
  }),
  sig({
    id: 'broker.lock-expired-takeover',
    kind: 'lock',
    anchor: ', message queue lock expired, I got it. ',
    pattern: new RegExp(
      `^tryLock(?:Batch)?, message queue lock expired, I got it\\. Group: (?<group>\\S*) OldClientId: (?<old>\\S*) NewClientId: (?<cid>\\S*) (?<mq>${MQ})$`,
    ),
    fields: (g) => lock('expired-takeover', g, mq(g.mq)),
    ref: '§3.2',
    samples: [
      '2024-05-10 14:24:02 WARN AdminBrokerThread_2 - tryLockBatch, message queue lock expired, I got it. Group: pos-provider OldClientId: 172.66.6.3@12345#1289456702398741 NewClientId: 172.66.6.4@23456#1290012345678901 MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]',
      `2024-05-10 14:24:02 WARN AdminBrokerThread_2 - tryLock, message queue lock expired, I got it. Group: pos-provider OldClientId: ${CID3} NewClientId: ${CID4} ${MQ0}`,
    ],
  }),
  sig({
    id: 'broker.lock-held-by-other',
    kind: 'lock',
    anchor: ', message queue locked by other client. ',
    pattern: new RegExp(
      `^tryLock(?:Batch)?, message queue locked by other client\\. Group: (?<group>\\S*) OtherClientId: (?<old>\\S*) NewClientId: (?<cid>\\S*) (?<mq>${MQ})$`,
    ),
    fields: (g) => lock('held-by-other', g, mq(g.mq)),
    ref: '§3.2',
    samples: [
      `2024-05-10 14:23:21 WARN AdminBrokerThread_2 - tryLockBatch, message queue locked by other client. Group: pos-provider OtherClientId: ${CID3} NewClientId: ${CID4} ${MQ0}`,
      `2024-05-10 14:23:21 WARN AdminBrokerThread_2 - tryLock, message queue locked by other client. Group: pos-provider OtherClientId: ${CID3} NewClientId: ${CID4} ${MQ0}`,
    ],
  }),
  sig({
    id: 'broker.unlock',
    kind: 'lock',
    anchor: 'unlockBatch, Group: ',
    pattern: new RegExp(`^unlockBatch, Group: (?<group>\\S*) (?<mq>${MQ}) (?<cid>\\S*)$`),
    fields: (g) => lock('unlock', g, mq(g.mq)),
    ref: '§3.2',
    samples: [`2024-05-10 14:30:00 INFO AdminBrokerThread_2 - unlockBatch, Group: pos-provider ${MQ0} ${CID3}`],
  }),
  sig({
    id: 'broker.unlock-held-by-other',
    kind: 'lock',
    anchor: 'unlockBatch, but mq locked by other client: ',
    pattern: new RegExp(`^unlockBatch, but mq locked by other client: (?<old>[^,]*), Group: (?<group>\\S*) (?<mq>${MQ}) (?<cid>\\S*)$`),
    fields: (g) => lock('held-by-other', g, mq(g.mq)),
    ref: '§3.2',
    samples: [`2024-05-10 14:30:00 WARN AdminBrokerThread_2 - unlockBatch, but mq locked by other client: ${CID4}, Group: pos-provider ${MQ0} ${CID3}`],
  }),
  sig({
    id: 'broker.unlock-not-locked',
    kind: 'lock',
    anchor: 'unlockBatch, but mq not locked, Group: ',
    pattern: new RegExp(`^unlockBatch, but mq not locked, Group: (?<group>\\S*) (?<mq>${MQ}) (?<cid>\\S*)$`),
    fields: (g) => lock('not-locked', g, mq(g.mq)),
    ref: '§3.2',
    samples: [`2024-05-10 14:30:00 WARN AdminBrokerThread_2 - unlockBatch, but mq not locked, Group: pos-provider ${MQ0} ${CID3}`],
  }),
  sig({
    id: 'broker.unlock-group-not-exist',
    kind: 'lock',
    anchor: 'unlockBatch, group not exist, Group: ',
    pattern: /^unlockBatch, group not exist, Group: (?<group>\S*) (?<cid>\S*)$/,
    fields: (g) => lock('not-locked', g, null),
    ref: '§3.2',
    samples: [`2024-05-10 14:30:00 WARN AdminBrokerThread_2 - unlockBatch, group not exist, Group: pos-provider ${CID3}`],
  }),
  sig({
    id: 'broker.lock-ok-5x',
    kind: 'lock',
    anchor: ' which has not been locked yet, group=',
    pattern: new RegExp(
      `^RebalanceLockManager#(?:tryLock: lock a message queue|tryLockBatch: lock a message) which has not been locked yet, group=(?<group>[^,]*), clientId=(?<cid>[^,]*), mq=(?<mq>${MQ})$`,
    ),
    fields: (g) => lock('ok', g, mq(g.mq)),
    ref: '§3.2',
    samples: [
      `2024-05-10 14:23:01 INFO AdminBrokerThread_2 - RebalanceLockManager#tryLockBatch: lock a message which has not been locked yet, group=pos-provider, clientId=${CID3}, mq=${MQ0}`,
      `2024-05-10 14:23:01 INFO AdminBrokerThread_2 - RebalanceLockManager#tryLock: lock a message queue which has not been locked yet, group=pos-provider, clientId=${CID3}, mq=${MQ0}`,
    ],
  }),
  sig({
    id: 'broker.lock-expired-takeover-5x',
    kind: 'lock',
    anchor: ': try to lock a expired message queue, group=',
    pattern: new RegExp(
      `^RebalanceLockManager#tryLock(?:Batch)?: try to lock a expired message queue, group=(?<group>[^,]*), mq=(?<mq>${MQ}), old client id=(?<old>[^,]*), new client id=(?<cid>\\S*)$`,
    ),
    fields: (g) => lock('expired-takeover', g, mq(g.mq)),
    ref: '§3.2',
    samples: [
      `2024-05-10 14:24:02 WARN AdminBrokerThread_2 - RebalanceLockManager#tryLockBatch: try to lock a expired message queue, group=pos-provider, mq=${MQ0}, old client id=${CID3}, new client id=${CID4}`,
      `2024-05-10 14:24:02 WARN AdminBrokerThread_2 - RebalanceLockManager#tryLock: try to lock a expired message queue, group=pos-provider, mq=${MQ0}, old client id=${CID3}, new client id=${CID4}`,
    ],
  }),
  sig({
    id: 'broker.lock-held-by-other-5x',
    kind: 'lock',
    anchor: ': message queue has been locked by other client, group=',
    pattern: new RegExp(
      `^RebalanceLockManager#tryLock(?:Batch)?: message queue has been locked by other client, group=(?<group>[^,]*), mq=(?<mq>${MQ}), locked client id=(?<old>[^,]*), current client id=(?<cid>\\S*)$`,
    ),
    fields: (g) => lock('held-by-other', g, mq(g.mq)),
    ref: '§3.2',
    samples: [
      `2024-05-10 14:23:21 WARN AdminBrokerThread_2 - RebalanceLockManager#tryLockBatch: message queue has been locked by other client, group=pos-provider, mq=${MQ0}, locked client id=${CID3}, current client id=${CID4}`,
      `2024-05-10 14:23:21 WARN AdminBrokerThread_2 - RebalanceLockManager#tryLock: message queue has been locked by other client, group=pos-provider, mq=${MQ0}, locked client id=${CID3}, current client id=${CID4}`,
    ],
  }),
  sig({
    id: 'broker.unlock-5x',
    kind: 'lock',
    anchor: 'RebalanceLockManager#unlockBatch: unlock mq, group=',
    pattern: /^RebalanceLockManager#unlockBatch: unlock mq, group=(?<group>[^,]*), clientId=(?<cid>[^,]*), mqs=(?<mqs>.*)$/,
    fields: (g) => lock('unlock', g, singleMq(g.mqs)),
    ref: '§3.2',
    samples: [`2024-05-10 14:30:00 INFO AdminBrokerThread_2 - RebalanceLockManager#unlockBatch: unlock mq, group=pos-provider, clientId=${CID3}, mqs=[${MQ0}]`],
  }),
  sig({
    id: 'broker.unlock-held-by-other-5x',
    kind: 'lock',
    anchor: 'RebalanceLockManager#unlockBatch: mq locked by other client, group=',
    pattern:
      /^RebalanceLockManager#unlockBatch: mq locked by other client, group=(?<group>[^,]*), locked clientId=(?<old>[^,]*), current clientId=(?<cid>[^,]*), mqs=(?<mqs>.*)$/,
    fields: (g) => lock('held-by-other', g, singleMq(g.mqs)),
    ref: '§3.2',
    samples: [
      `2024-05-10 14:30:00 WARN AdminBrokerThread_2 - RebalanceLockManager#unlockBatch: mq locked by other client, group=pos-provider, locked clientId=${CID4}, current clientId=${CID3}, mqs=[${MQ0}]`,
    ],
  }),
  sig({
    id: 'broker.unlock-not-locked-5x',
    kind: 'lock',
    anchor: 'RebalanceLockManager#unlockBatch: mq not locked, group=',
    pattern: /^RebalanceLockManager#unlockBatch: mq not locked, group=(?<group>[^,]*), clientId=(?<cid>[^,]*), mq=(?<mqs>.*)$/,
    fields: (g) => lock('not-locked', g, singleMq(g.mqs)),
    ref: '§3.2',
    samples: [`2024-05-10 14:30:00 WARN AdminBrokerThread_2 - RebalanceLockManager#unlockBatch: mq not locked, group=pos-provider, clientId=${CID3}, mq=${MQ0}`],
  }),
  sig({
    id: 'broker.unlock-group-not-exist-5x',
    kind: 'lock',
    anchor: 'RebalanceLockManager#unlockBatch: group not exist, group=',
    pattern: /^RebalanceLockManager#unlockBatch: group not exist, group=(?<group>[^,]*), clientId=(?<cid>[^,]*), mqs=(?<mqs>.*)$/,
    fields: (g) => lock('not-locked', g, singleMq(g.mqs)),
    ref: '§3.2',
    samples: [
      `2024-05-10 14:30:00 WARN AdminBrokerThread_2 - RebalanceLockManager#unlockBatch: group not exist, group=pos-provider, clientId=${CID3}, mqs=[${MQ0}]`,
    ],
  }),

  // ======================= §14.1 admin offset reset (broker.log) =======================
  sig({
    id: 'broker.reset-offset-started',
    kind: 'offset-reset',
    anchor: '[reset-offset] reset offset started by ',
    pattern:
      /^\[reset-offset\] reset offset started by (?<by>\S*)\. topic=(?<topic>[^,]*), group=(?<group>[^,]*), timestamp=(?<ts>-?\d+), isForce=(?:true|false)$/,
    fields: (g) => reset('requested', g),
    ref: '§14.1',
    samples: [
      '2024-05-10 15:00:00 INFO AdminBrokerThread_1 - [reset-offset] reset offset started by 172.66.1.50:61234. topic=pos_create_pos_cooperate_sale_order, group=pos-provider, timestamp=1715320800000, isForce=true',
    ],
  }),
  sig({
    id: 'broker.reset-offset-success',
    kind: 'offset-reset',
    anchor: '[reset-offset] reset offset success. ',
    pattern: /^\[reset-offset\] reset offset success\. topic=(?<topic>[^,]*), group=(?<group>[^,]*), clientId=(?<cid>\S*)$/,
    fields: (g) => reset('pushed', g),
    ref: '§14.1',
    samples: [
      '2024-05-10 15:00:00 INFO AdminBrokerThread_1 - [reset-offset] reset offset success. topic=pos_create_pos_cooperate_sale_order, group=pos-provider, clientId=172.66.6.3@12345#1289456702398741',
    ],
  }),
  sig({
    id: 'broker.reset-offset-failed',
    kind: 'offset-reset',
    anchor: '[reset-offset] ',
    pattern:
      /^\[reset-offset\] (?:reset offset failed, no topic in this broker\. topic=(?<t1>\S*)|reset offset exception\. topic=(?<t2>[^,]*), group=(?<g2>[^ ,]*)(?: ,error=.*)?|the client does not support this feature\. channel=(?<ch>[^,]*), version=\S*)$/,
    fields: (g) => reset('failed', { topic: g.t1 ?? g.t2 ?? '', group: g.g2 ?? '' }),
    ref: '§14.1',
    samples: [
      '2024-05-10 15:00:00 ERROR AdminBrokerThread_1 - [reset-offset] reset offset failed, no topic in this broker. topic=pos_create_pos_cooperate_sale_order',
      '2024-05-10 15:00:00 ERROR AdminBrokerThread_1 - [reset-offset] reset offset exception. topic=pos_create_pos_cooperate_sale_order, group=pos-provider ,error=org.apache.rocketmq.remoting.exception.RemotingSendRequestException: send request to <172.66.6.3:52814> failed',
      '2024-05-10 15:00:00 ERROR AdminBrokerThread_1 - [reset-offset] reset offset exception. topic=pos_create_pos_cooperate_sale_order, group=pos-provider',
      '2024-05-10 15:00:00 WARN AdminBrokerThread_1 - [reset-offset] the client does not support this feature. channel=172.66.6.3:52814, version=V4_9_4',
    ],
  }),
  info({
    // Timestamp offset < 0 for one queue: that queue is reset to 0.
    id: 'broker.reset-offset-invalid',
    what: 'reset-offset-invalid',
    anchor: 'reset offset is invalid. topic=',
    pattern: /^reset offset is invalid\. topic=(?<topic>[^,]*), queueId=(?<qid>-?\d+), timeStampOffset=(?<off>-?\d+)$/,
    detail: (g) => `${g.topic!} queueId=${g.qid!} timeStampOffset=${g.off!}`,
    ref: '§14.1',
    samples: [
      '2024-05-10 15:00:00 WARN AdminBrokerThread_1 - reset offset is invalid. topic=pos_create_pos_cooperate_sale_order, queueId=0, timeStampOffset=-1',
    ],
  }),
  sig({
    id: 'broker.reset-offset-consumer-offline',
    kind: 'offset-reset',
    anchor: 'Consumer not online, so can not reset offset, Group: ',
    pattern: /^Consumer not online, so can not reset offset, Group: (?<group>\S*) Topic: (?<topic>\S*) Timestamp: (?<ts>-?\d+)$/,
    fields: (g) => reset('failed', g),
    ref: '§14.1',
    samples: [
      '2024-05-10 15:00:00 ERROR AdminBrokerThread_1 - Consumer not online, so can not reset offset, Group: pos-provider Topic: pos_create_pos_cooperate_sale_order Timestamp: 1715320800000',
    ],
  }),
  sig({
    id: 'broker.reset-offset-server-side',
    kind: 'offset-reset',
    anchor: 'Reset offset, topic=',
    pattern: /^Reset offset, topic=(?<topic>[^,]*), group=(?<group>[^,]*), queues=/,
    fields: (g) => reset('server-side', g),
    ref: '§14.1',
    samples: [
      '2024-05-10 15:00:00 INFO AdminBrokerThread_1 - Reset offset, topic=pos_create_pos_cooperate_sale_order, group=pos-provider, queues={"offsetTable":{{"brokerName":"broker-b","queueId":0,"topic":"pos_create_pos_cooperate_sale_order"}:1200}}',
    ],
  }),
  sig({
    id: 'broker.reset-offset-server-side-failed',
    kind: 'offset-reset',
    anchor: 'Reset offset ',
    pattern: /^Reset offset (?:failed, (?:topic|group) does not exist\. topic=(?<topic>[^,]*), group=(?<group>\S*)|aborted: no queues to reset)$/,
    fields: (g) => reset('failed', g),
    ref: '§14.1',
    samples: [
      '2024-05-10 15:00:00 WARN AdminBrokerThread_1 - Reset offset failed, topic does not exist. topic=pos_create_pos_cooperate_sale_order, group=pos-provider',
      '2024-05-10 15:00:00 WARN AdminBrokerThread_1 - Reset offset failed, group does not exist. topic=pos_create_pos_cooperate_sale_order, group=pos-provider',
      '2024-05-10 15:00:00 WARN AdminBrokerThread_1 - Reset offset aborted: no queues to reset',
    ],
  }),

  // ======================= §15 lifecycle, recovery, HA =======================
  sig({
    id: 'broker.boot-success',
    kind: 'broker-start',
    anchor: '] boot success. serializeType=',
    pattern: /^The broker\[(?<name>[^,\]]*), (?<addr>[^\]]*)\] boot success\. serializeType=(?<ser>\S*)(?: and name server is (?<ns>\S*))?$/,
    fields: (g) => ({ brokerName: g.name!, brokerAddr: g.addr! }),
    ref: '§15.1',
    samples: [
      '2024-05-10 14:20:15 INFO main - The broker[broker-b, 172.66.1.31:10911] boot success. serializeType=JSON and name server is 172.66.1.10:9876',
      '2024-05-10 14:20:15 INFO main - The broker[broker-b, 172.66.1.31:10911] boot success. serializeType=JSON',
    ],
  }),
  sig({
    id: 'broker.shutdown-begin',
    kind: 'broker-shutdown',
    anchor: 'Shutdown hook was invoked, ',
    pattern: /^Shutdown hook was invoked, \S*$/,
    fields: () => ({ phase: 'begin' as const }),
    ref: '§15.1',
    samples: ['2024-05-10 14:19:50 INFO ShutdownHook - Shutdown hook was invoked, 1'],
  }),
  sig({
    id: 'broker.shutdown-end',
    kind: 'broker-shutdown',
    anchor: 'Shutdown hook over, consuming total time(ms): ',
    pattern: /^Shutdown hook over, consuming total time\(ms\): \S*$/,
    fields: () => ({ phase: 'end' as const }),
    ref: '§15.1',
    samples: ['2024-05-10 14:19:53 INFO ShutdownHook - Shutdown hook over, consuming total time(ms): 3012'],
  }),
  sig({
    id: 'broker.last-shutdown',
    kind: 'broker-last-shutdown',
    anchor: 'last shutdown ',
    pattern: /^last shutdown (?<how>normally|abnormally)(?:, store path root dir: .*)?$/,
    fields: (g) => ({ abnormal: g.how === 'abnormally' }),
    ref: '§15.1',
    samples: [
      '2024-05-10 14:20:11 INFO main - last shutdown abnormally',
      '2024-05-10 14:20:11 INFO main - last shutdown normally',
      '2024-05-10 14:20:11 INFO main - last shutdown abnormally, store path root dir: /root/store',
    ],
  }),
  sig({
    id: 'broker.store-may-be-wrong',
    kind: 'broker-recovery',
    anchor: 'the store may be wrong, so shutdown abnormally, and keep abort file.',
    pattern: /^the store may be wrong, so shutdown abnormally, and keep abort file\.$/,
    fields: () => ({ abnormal: true, detail: 'store may be wrong, abort file kept' }),
    ref: '§15.1',
    samples: ['2024-05-10 14:19:52 WARN ShutdownHook - the store may be wrong, so shutdown abnormally, and keep abort file.'],
  }),
  sig({
    id: 'broker.load-over',
    kind: 'broker-recovery',
    anchor: 'load over, and the max phy offset = ',
    pattern: /^load over, and the max phy offset = (?<off>-?\d+)$/,
    fields: (g) => ({ abnormal: false, detail: `load over, max phy offset ${g.off!}` }),
    ref: '§15.1',
    samples: ['2024-05-10 14:20:12 INFO main - load over, and the max phy offset = 123456799524'],
  }),
  sig({
    id: 'broker.recover-normally',
    kind: 'broker-recovery',
    anchor: 'recover last 3 physics file over, last mapped file ',
    pattern: /^recover last 3 physics file over, last mapped file (?<file>.*)$/,
    fields: (g) => ({ abnormal: false, detail: `recovered normally, last mapped file ${g.file!}` }),
    ref: '§15.1',
    samples: ['2024-05-10 14:20:12 INFO main - recover last 3 physics file over, last mapped file /root/store/commitlog/00000000122406567936'],
  }),
  sig({
    id: 'broker.recover-abnormally',
    kind: 'broker-recovery',
    anchor: 'recover ',
    pattern: /^recover (?:from this mapped file (?<from>.*)|physics file end, (?<end>.*) pos=(?<pos>-?\d+))$/,
    fields: (g) => ({
      abnormal: true,
      detail: g.from !== undefined ? `recover abnormally from ${g.from}` : `recover abnormally end ${g.end!} pos=${g.pos!}`,
    }),
    ref: '§15.1',
    samples: [
      '2024-05-10 14:20:12 INFO main - recover from this mapped file /root/store/commitlog/00000000122406567936',
      '2024-05-10 14:20:12 INFO main - recover physics file end, /root/store/commitlog/00000000122406567936 pos=1050231588',
    ],
  }),
  sig({
    id: 'broker.truncate',
    kind: 'broker-recovery',
    anchor: 'trunc',
    pattern:
      /^(?:found a half message at (?<half>-?\d+), it will be truncated\.|maxPhyOffsetOfConsumeQueue\((?<cq>-?\d+)\) >= processOffset\((?<proc>-?\d+)\), truncate dirty logic files)$/,
    fields: (g) => ({
      abnormal: true,
      detail: g.half !== undefined ? `half message at ${g.half} truncated` : `dirty logic files truncated: consume queue max ${g.cq!} >= ${g.proc!}`,
    }),
    ref: '§15.1',
    samples: [
      '2024-05-10 14:20:12 WARN main - found a half message at 123456799012, it will be truncated.',
      '2024-05-10 14:20:12 WARN main - maxPhyOffsetOfConsumeQueue(123456799524) >= processOffset(123456799012), truncate dirty logic files',
    ],
  }),
  sig({
    id: 'broker.slave-offset-sync',
    kind: 'slave-sync',
    anchor: 'Update slave consumer offset from master, ',
    pattern: /^Update slave consumer offset from master, (?<addr>\S*)$/,
    fields: (g) => ({ masterAddr: g.addr || null, ok: true }),
    ref: '§15.2',
    samples: ['2024-05-10 14:23:13 INFO BrokerControllerScheduledThread1 - Update slave consumer offset from master, 172.66.1.31:10911'],
  }),
  sig({
    id: 'broker.slave-offset-sync-failed',
    kind: 'slave-sync',
    anchor: 'SyncConsumerOffset Exception, ',
    pattern: /^SyncConsumerOffset Exception, (?<addr>\S*)$/,
    fields: (g) => ({ masterAddr: g.addr || null, ok: false }),
    ref: '§15.2',
    samples: [
      '2024-05-10 14:23:13 ERROR BrokerControllerScheduledThread1 - SyncConsumerOffset Exception, 172.66.1.31:10911\norg.apache.rocketmq.remoting.exception.RemotingTimeoutException: wait response on the channel <172.66.1.31:10911> timeout, 3000(ms)\n\tat org.apache.rocketmq.remoting.netty.NettyRemotingAbstract.invokeSyncImpl(NettyRemotingAbstract.java:438)',
    ],
  }),
  sig({
    id: 'broker.slave-sync-all-failed',
    kind: 'slave-sync',
    anchor: 'syncAll',
    pattern: /^ScheduledTask (?:syncAll slave exception|SlaveSynchronize syncAll error\.)$/,
    fields: () => ({ masterAddr: null, ok: false }),
    ref: '§15.2',
    samples: [
      '2024-05-10 14:23:13 ERROR BrokerControllerScheduledThread1 - ScheduledTask syncAll slave exception',
      '2024-05-10 14:23:13 ERROR BrokerControllerScheduledThread1 - ScheduledTask SlaveSynchronize syncAll error.',
    ],
  }),
  sig({
    id: 'broker.slave-sync-all-failed-5x',
    kind: 'slave-sync',
    anchor: 'Failed to sync all config for slave.',
    pattern: /^Failed to sync all config for slave\.$/,
    fields: () => ({ masterAddr: null, ok: false }),
    ref: '§15.2',
    samples: ['2024-05-10 14:23:13 ERROR BrokerControllerScheduledThread1 - Failed to sync all config for slave.'],
  }),
  info({
    id: 'broker.slave-config-sync',
    what: 'slave-config-sync',
    anchor: ' from master, ',
    pattern: /^Update slave (?<which>topic config|delay offset|Subscription Group) from master, (?<addr>\S*)$/,
    detail: (g) => `${g.which!} from ${g.addr!}`,
    ref: '§15.2',
    samples: [
      '2024-05-10 14:23:13 INFO BrokerControllerScheduledThread1 - Update slave topic config from master, 172.66.1.31:10911',
      '2024-05-10 14:23:13 INFO BrokerControllerScheduledThread1 - Update slave delay offset from master, 172.66.1.31:10911',
      '2024-05-10 14:23:13 INFO BrokerControllerScheduledThread1 - Update slave Subscription Group from master, 172.66.1.31:10911',
    ],
  }),
  info({
    id: 'broker.master-address-changed',
    what: 'master-address-changed',
    anchor: 'Update master address from ',
    pattern: /^Update master address from (?<old>\S*) to (?<new>\S*)$/,
    detail: (g) => `${g.old!} -> ${g.new!}`,
    ref: '§15.2',
    samples: ['2024-05-10 14:23:13 INFO BrokerControllerScheduledThread1 - Update master address from 172.66.1.31:10911 to 172.66.1.33:10911'],
  }),
  sig({
    // 4.5.1+ DLedger (BrokerController 4.x, DLedgerRoleChangeHandler 5.x).
    id: 'broker.role-change',
    kind: 'role-change',
    anchor: ' to change to ',
    pattern: /^(?<phase>Begin|Finish) to change to (?<role>slave|master) brokerName=(?<name>\S*)(?: brokerId=-?\d+)?$/,
    fields: (g) => ({
      role: g.role === 'master' ? ('master' as const) : ('slave' as const),
      phase: g.phase === 'Begin' ? ('begin' as const) : ('finish' as const),
      brokerName: g.name!,
    }),
    ref: '§15.3',
    samples: [
      '2024-05-10 14:26:00 INFO BrokerControllerScheduledThread1 - Begin to change to slave brokerName=broker-b brokerId=1',
      '2024-05-10 14:26:01 INFO BrokerControllerScheduledThread1 - Finish to change to slave brokerName=broker-b brokerId=1',
      '2024-05-10 14:26:00 INFO BrokerControllerScheduledThread1 - Begin to change to master brokerName=broker-b',
      '2024-05-10 14:26:01 INFO BrokerControllerScheduledThread1 - Finish to change to master brokerName=broker-b',
    ],
  }),
  sig({
    id: 'broker.role-change-dledger',
    kind: 'role-change',
    anchor: 'handling broker role change ',
    pattern:
      /^(?:Begin handling broker role change term=-?\d+ role=(?<r1>\S*) currStoreRole=\S*|Finish handling broker role change succ=(?<succ>true|false) term=-?\d+ role=(?<r2>\S*) currStoreRole=\S* cost=\S*|\[MONITOR\]Failed handling broker role change term=-?\d+ role=(?<r3>\S*) currStoreRole=\S* cost=\S*)$/,
    fields: (g) => ({
      role: roleOf(g.r1 ?? g.r2 ?? g.r3),
      phase: g.r1 !== undefined ? ('begin' as const) : g.r2 !== undefined && g.succ === 'true' ? ('finish' as const) : ('failed' as const),
      brokerName: null,
    }),
    ref: '§15.3',
    samples: [
      '2024-05-10 14:26:00 INFO BrokerControllerScheduledThread1 - Begin handling broker role change term=3 role=LEADER currStoreRole=SLAVE',
      '2024-05-10 14:26:01 INFO BrokerControllerScheduledThread1 - Finish handling broker role change succ=true term=3 role=LEADER currStoreRole=SYNC_MASTER cost=1012',
      '2024-05-10 14:26:01 INFO BrokerControllerScheduledThread1 - [MONITOR]Failed handling broker role change term=3 role=LEADER currStoreRole=SLAVE cost=1012',
    ],
  }),
  sig({
    // 5.x controller mode (ReplicasManager).
    id: 'broker.role-change-controller',
    kind: 'role-change',
    anchor: 'Begin to change to ',
    pattern: /^Begin to change to (?:master, brokerName:(?<m>[^,]*), replicas:|slave, brokerName=(?<s>[^,]*), brokerId=)/,
    fields: (g) => ({
      role: g.m !== undefined ? ('master' as const) : ('slave' as const),
      phase: 'begin' as const,
      brokerName: g.m ?? g.s ?? null,
    }),
    ref: '§15.3',
    samples: [
      '2024-05-10 14:26:00 INFO BrokerControllerScheduledThread1 - Begin to change to master, brokerName:broker-b, replicas:172.66.1.31:10911, new Epoch:2',
      '2024-05-10 14:26:00 INFO BrokerControllerScheduledThread1 - Begin to change to slave, brokerName=broker-b, brokerId=1, newMasterBrokerId=2, newMasterAddress=172.66.1.33:10911, newMasterEpoch=2',
    ],
  }),
  sig({
    id: 'broker.role-change-controller-finish',
    kind: 'role-change',
    anchor: 'Change broker [id:',
    pattern: /^Change broker \[id:[^\]]*\]\[address:[^\]]*\] to (?<role>[^,]*), newMasterBrokerId:/,
    fields: (g) => ({ role: roleOf(g.role), phase: 'finish' as const, brokerName: null }),
    ref: '§15.3',
    samples: [
      '2024-05-10 14:26:01 INFO BrokerControllerScheduledThread1 - Change broker [id:1][address:172.66.1.31:10911] to SLAVE, newMasterBrokerId:2, newMasterAddress:172.66.1.33:10911, newMasterEpoch:2, syncStateSetEpoch:3',
    ],
  }),
  sig({
    id: 'broker.master-elected',
    kind: 'role-change',
    anchor: 'Master in this broker set is elected, masterBrokerId: ',
    pattern: /^Master in this broker set is elected, masterBrokerId: (?<id>-?\d+), masterBrokerAddr: (?<addr>\S*)$/,
    fields: () => ({ role: 'unknown' as const, phase: 'finish' as const, brokerName: null }),
    ref: '§15.3',
    samples: ['2024-05-10 14:26:00 INFO BrokerControllerScheduledThread1 - Master in this broker set is elected, masterBrokerId: 2, masterBrokerAddr: 172.66.1.33:10911'],
  }),
  sig({
    // 5.x slave-acting-master: the broker serving the set changed.
    id: 'broker.min-broker-changed',
    kind: 'role-change',
    anchor: 'Min broker changed, old: ',
    pattern: /^Min broker changed, old: \S*, new \S*$/,
    fields: () => ({ role: 'unknown' as const, phase: 'finish' as const, brokerName: null }),
    ref: '§15.3',
    samples: ['2024-05-10 14:26:00 INFO BrokerControllerScheduledThread1 - Min broker changed, old: 0-172.66.1.31:10911, new 1-172.66.1.33:10911'],
  }),
  info({
    id: 'broker.slave-fall-behind',
    what: 'slave-fall-behind',
    anchor: 'lave fall behind master',
    pattern: /^(?:CommitLog: slave fall behind master (?<b5>-?\d+)bytes|Slave fall behind master: (?<b4>-?\d+) bytes)$/,
    detail: (g) => `${g.b5 ?? g.b4 ?? ''} bytes`,
    ref: '§15.3',
    samples: [
      '2024-05-10 14:23:15 INFO BrokerControllerScheduledThread1 - Slave fall behind master: 1048576 bytes',
      '2024-05-10 14:23:15 INFO BrokerControllerScheduledThread1 - CommitLog: slave fall behind master 1048576bytes',
    ],
  }),

  // ======================= §16 producer-side broker lines =======================
  info({
    id: 'broker.put-message-slow',
    what: 'put-message-in-lock-slow',
    anchor: ' in lock cost time(ms)=',
    pattern: /^\[NOTIFYME\]putMessages? in lock cost time\(ms\)=(?<ms>\d+), bodyLength=(?<len>\d+) AppendMessageResult=/,
    detail: (g) => `${g.ms!}ms bodyLength=${g.len!}`,
    ref: '§16',
    samples: [
      "2024-05-10 14:23:01 WARN SendMessageThread_1 - [NOTIFYME]putMessage in lock cost time(ms)=612, bodyLength=512 AppendMessageResult=AppendMessageResult{status=PUT_OK, wroteOffset=123456799012, wroteBytes=512, msgId='AC42011F00002A9F0000001CBE994124', storeTimestamp=1715322211005, logicsOffset=37, pagecacheRT=0, msgNum=1}",
    ],
  }),
  info({
    id: 'broker.flush-wait-failed',
    what: 'flush-wait-failed',
    anchor: 'do groupcommit, wait for flush failed, topic: ',
    pattern: /^do groupcommit, wait for flush failed, topic: (?<topic>\S*) tags: (?<tags>.*) client address: (?<addr>\S*)$/,
    detail: (g) => `${g.topic!} from ${slash(g.addr) ?? ''}`,
    ref: '§16',
    samples: [
      '2024-05-10 14:23:01 ERROR SendMessageThread_1 - do groupcommit, wait for flush failed, topic: pos_create_pos_cooperate_sale_order tags: create client address: /172.66.2.13:50123',
    ],
  }),
  info({
    id: 'broker.send-to-dlq',
    what: 'send-to-dlq',
    anchor: 'send msg to DLQ ',
    pattern: /^(?<failed>failed to )?send msg to DLQ (?<dlq>[^,]*), owner=[^,]*, originalTopic=(?<topic>[^,]*), consumerId=[^,]*, msgUniqKey=(?<key>[^,]*), /,
    detail: (g) => `${g.failed !== undefined ? 'failed ' : ''}${g.dlq!} ${g.topic!} ${g.key!}`,
    ref: '§16',
    samples: [
      '2024-05-10 14:23:01 INFO SendMessageThread_1 - send msg to DLQ %DLQ%pos-provider, owner=pos-provider, originalTopic=pos_create_pos_cooperate_sale_order, consumerId=172.66.6.3@12345#1289456702398741, msgUniqKey=AC42020D00016267C3BB316F58CCBF10, storeTimestamp=1715322181240',
      '2024-05-10 14:23:01 INFO SendMessageThread_1 - failed to send msg to DLQ %DLQ%pos-provider, owner=pos-provider, originalTopic=pos_create_pos_cooperate_sale_order, consumerId=172.66.6.3@12345#1289456702398741, msgUniqKey=AC42020D00016267C3BB316F58CCBF10, storeTimestamp=1715322181240',
    ],
  }),
  info({
    id: 'broker.orderly-to-dlq',
    what: 'orderly-to-dlq',
    anchor: 'Group has unexpired lock record, which show it is ordered message, send it to DLQ ',
    pattern: /^Group has unexpired lock record, which show it is ordered message, send it to DLQ right now group=(?<group>[^,]*), topic=(?<topic>[^,]*), reconsumeTimes=(?<n>\d+), /,
    detail: (g) => `${g.group!} ${g.topic!} reconsumeTimes=${g.n!}`,
    ref: '§16',
    samples: [
      '2024-05-10 14:23:01 INFO SendMessageThread_1 - Group has unexpired lock record, which show it is ordered message, send it to DLQ right now group=pos-provider, topic=pos_create_pos_cooperate_sale_order, reconsumeTimes=16, maxReconsumeTimes=16.',
    ],
  }),

  // ======================= §17 POP (pop.log, 5.x) =======================
  sig({
    id: 'broker.pop-revive',
    kind: 'pop-revive',
    anchor: ',retry msg',
    pattern: /^reviveQueueId=(?<rq>\d+),retry msg ?, ck=PopCheckPoint \[topic=(?<topic>[^,]*), cid=(?<group>[^,]*), queueId=(?<ckq>-?\d+), (?<rest>.*)$/,
    fields: guarded((g) => {
      const tail = /, msg queueId (-?\d+), offset (-?\d+), reviveDelay=/.exec(g.rest!);
      return {
        reviveQueueId: reqInt(g.rq),
        topic: g.topic!,
        group: g.group!,
        queueId: tail ? int(tail[1]) : int(g.ckq),
        offset: tail ? int(tail[2]) : null,
      };
    }),
    ref: '§17.1',
    samples: [
      `2024-05-10 14:23:31 INFO PopReviveService_2 - reviveQueueId=2,retry msg, ck=${CK}, msg queueId 0, offset 1250, reviveDelay=1, result is ${PUT_OK}`,
      `2024-05-10 14:23:31 INFO PopReviveService_2 - reviveQueueId=2,retry msg , ck=${CK}, msg queueId 0, offset 1250, reviveDelay=1, result is ${PUT_OK} `,
    ],
  }),
  info({
    id: 'broker.pop-revive-error',
    what: 'pop-revive-error',
    anchor: 'revive error, msg is: ',
    pattern: /^reviveQueueId=(?<rq>\d+), revive error, msg is: (?<msg>.*)$/,
    detail: (g) => `reviveQueueId=${g.rq!}`,
    ref: '§17.1',
    samples: [
      '2024-05-10 14:23:31 ERROR PopReviveService_2 - reviveQueueId=2, revive error, msg is: MessageExtBrokerInner [topic=%RETRY%pos-provider_pos_create_pos_cooperate_sale_order, queueId=0]',
    ],
  }),
  sig({
    id: 'broker.pop-revive-finish',
    kind: 'pop-revive-finish',
    anchor: 'revive finish,old offset is ',
    pattern: /^reviveQueueId=(?<rq>\d+), ?revive finish,old offset is (?<old>-?\d+), new offset is (?<new>-?\d+), ckDelay=-?\d+ *$/,
    fields: guarded((g) => ({ reviveQueueId: reqInt(g.rq), oldOffset: reqInt(g.old), newOffset: reqInt(g.new) })),
    ref: '§17.1',
    samples: [
      '2024-05-10 14:23:31 INFO PopReviveService_2 - reviveQueueId=2, revive finish,old offset is 88200, new offset is 88231, ckDelay=1  ',
      '2024-05-10 14:23:31 INFO PopReviveService_2 - reviveQueueId=2,revive finish,old offset is 88200, new offset is 88231, ckDelay=1  ',
    ],
  }),
  info({
    id: 'broker.pop-revive-idle',
    what: 'pop-revive-no-new-msg',
    anchor: 'has no new msg',
    pattern: /^reviveQueueId=(?<detail>\d+), ?has no new msg ?, ?take a rest \S*$/,
    ref: '§17.1',
    samples: [
      '2024-05-10 14:23:31 INFO PopReviveService_2 - reviveQueueId=2, has no new msg, take a rest 1',
      '2024-05-10 14:23:31 INFO PopReviveService_2 - reviveQueueId=2,has no new msg ,take a rest 1',
    ],
  }),
  info({
    id: 'broker.pop-revive-ck-list',
    what: 'pop-revive-ck-list',
    anchor: 'reviveQueueId=',
    pattern: /^reviveQueueId=(?<rq>\d+), (?:ck listSize=(?<n>\d+)|1st ck, startOffset=(?<so>-?\d+), reviveOffset=-?\d+; last ck, startOffset=(?<lo>-?\d+), reviveOffset=-?\d+)$/,
    detail: (g) => (g.n !== undefined ? `reviveQueueId=${g.rq!} ck listSize=${g.n}` : `reviveQueueId=${g.rq!} ck startOffset ${g.so!}..${g.lo!}`),
    ref: '§17.1',
    samples: [
      '2024-05-10 14:23:31 INFO PopReviveService_2 - reviveQueueId=2, ck listSize=1',
      '2024-05-10 14:23:31 INFO PopReviveService_2 - reviveQueueId=2, 1st ck, startOffset=1250, reviveOffset=88213; last ck, startOffset=1250, reviveOffset=88213',
    ],
  }),
  sig({
    id: 'broker.pop-find-ck',
    kind: 'pop-ck',
    anchor: ',find ck, offset:',
    pattern: /^reviveQueueId=(?<rq>\d+),find ck, offset:(?<off>-?\d+), raw : (?<raw>.*)$/,
    fields: (g) => ({ result: 'found' as const, detail: g.raw! }),
    ref: '§17.1',
    samples: [`2024-05-10 14:23:30 INFO PopReviveService_2 - reviveQueueId=2,find ck, offset:88213, raw : ${CK_RAW}`],
  }),
  sig({
    id: 'broker.pop-find-ack',
    kind: 'pop-ack',
    anchor: 'ack, offset:',
    pattern: /^reviveQueueId=(?<rq>\d+), ?find (?:batch )?ack, offset:(?<off>-?\d+), raw : (?<raw>.*)$/,
    fields: (g) => ({ result: 'found' as const, brokerName: ackBrokerName(g.raw!), detail: g.raw! }),
    ref: '§17.1',
    samples: [
      `2024-05-10 14:23:30 INFO PopReviveService_2 - reviveQueueId=2, find ack, offset:88214, raw : ${ACK_RAW}`,
      `2024-05-10 14:23:30 INFO PopReviveService_2 - reviveQueueId=2,find ack, offset:88214, raw : ${ACK_RAW_NO_BN}`,
      '2024-05-10 14:23:30 INFO PopReviveService_2 - reviveQueueId=2, find batch ack, offset:88214, raw : {"aol":[1250,1251],"so":1250,"c":"pos-provider","t":"pos_create_pos_cooperate_sale_order","q":0,"pt":1715322160200,"bn":"broker-b"}',
    ],
  }),
  sig({
    id: 'broker.pop-ack-skipped',
    kind: 'pop-ack',
    anchor: 'ms cannot find ck, skip this ack. ',
    pattern: /^ack wait for (?<ms>\d+)ms cannot find ck, skip this ack\. mergeKey:(?<key>[^,]*), ack:(?<rest>.*)$/,
    fields: (g) => ({ result: 'skipped' as const, brokerName: ackBrokerName(g.rest!), detail: g.key! }),
    ref: '§17.1',
    samples: [
      `2024-05-10 14:26:30 WARN PopReviveService_2 - ack wait for 180000ms cannot find ck, skip this ack. mergeKey:pos_create_pos_cooperate_sale_orderpos-provider012501715322160200broker-b, ack:${ACK}, mockCk:${CK}`,
    ],
  }),
  sig({
    id: 'broker.pop-buffer-add-ck',
    kind: 'pop-ck',
    anchor: '[PopBuffer]add ck',
    pattern: /^\[PopBuffer\]add ck(?: just offset)?, (?<rest>.*)$/,
    fields: (g) => ({ result: 'buffered' as const, detail: g.rest! }),
    ref: '§17.1',
    samples: [
      `2024-05-10 14:23:20 INFO PopBufferMergeService - [PopBuffer]add ck, ${CKWRAP}`,
      `2024-05-10 14:23:20 INFO PopBufferMergeService - [PopBuffer]add ck just offset, ${CKWRAP}`,
    ],
  }),
  sig({
    id: 'broker.pop-buffer-add-ack',
    kind: 'pop-ack',
    anchor: '[PopBuffer]add ack, rqId=',
    pattern: /^\[PopBuffer\]add ack, rqId=(?<rq>\d+), (?<rest>.*)$/,
    fields: (g) => ({ result: 'buffered' as const, brokerName: ackBrokerName(g.rest!), detail: g.rest! }),
    ref: '§17.1',
    samples: [`2024-05-10 14:23:21 INFO PopBufferMergeService - [PopBuffer]add ack, rqId=2, ${CKWRAP}, ${ACK}`],
  }),
  sig({
    id: 'broker.pop-buffer-add-ack-fail',
    kind: 'pop-ack',
    anchor: '[PopBuffer]add ack fail, rqId=',
    pattern: /^\[PopBuffer\]add ack fail, rqId=(?<rq>\d+), (?<why>no ck|almost timeout for revive|stay too long), (?<rest>.*)$/,
    fields: (g) => ({ result: 'failed' as const, brokerName: ackBrokerName(g.rest!), detail: `${g.why!}: ${g.rest!}` }),
    ref: '§17.1',
    samples: [
      `2024-05-10 14:23:29 WARN PopBufferMergeService - [PopBuffer]add ack fail, rqId=2, no ck, ${ACK}`,
      `2024-05-10 14:23:29 WARN PopBufferMergeService - [PopBuffer]add ack fail, rqId=2, almost timeout for revive, ${CKWRAP}, ${ACK}, 1715322209000`,
      `2024-05-10 14:23:29 WARN PopBufferMergeService - [PopBuffer]add ack fail, rqId=2, stay too long, ${CKWRAP}, ${ACK}, 1715322209000`,
    ],
  }),
  sig({
    id: 'broker.pop-buffer-ck-done',
    kind: 'pop-ck',
    anchor: '[PopBuffer]ck ',
    pattern: /^\[PopBuffer\]ck (?<which>done|finish), (?<rest>.*)$/,
    fields: (g) => ({ result: 'done' as const, detail: g.which === 'finish' ? `finish: ${g.rest!}` : g.rest! }),
    ref: '§17.1',
    samples: [
      `2024-05-10 14:23:22 INFO PopBufferMergeService - [PopBuffer]ck done, ${CKWRAP}`,
      `2024-05-10 14:23:30 INFO PopBufferMergeService - [PopBuffer]ck finish, ${CKWRAP}`,
    ],
  }),
  sig({
    id: 'broker.pop-buffer-ck-finish-fail',
    kind: 'pop-ck',
    anchor: '[PopBuffer]ck finish fail, stay too long, ',
    pattern: /^\[PopBuffer\]ck finish fail, stay too long, (?<rest>.*)$/,
    fields: (g) => ({ result: 'failed' as const, detail: g.rest! }),
    ref: '§17.1',
    samples: [`2024-05-10 14:23:30 WARN PopBufferMergeService - [PopBuffer]ck finish fail, stay too long, ${CKWRAP}`],
  }),
  sig({
    id: 'broker.pop-buffer-put-ck',
    kind: 'pop-ck',
    anchor: '[PopBuffer]put ck to store ',
    pattern: /^\[PopBuffer\]put ck to store (?<res>ok|fail): (?<rest>.*)$/,
    fields: (g) => ({ result: g.res === 'ok' ? ('stored' as const) : ('failed' as const), detail: g.rest! }),
    ref: '§17.1',
    samples: [
      `2024-05-10 14:23:30 INFO PopBufferMergeService - [PopBuffer]put ck to store ok: ${CKWRAP}, ${PUT_OK}`,
      `2024-05-10 14:23:30 ERROR PopBufferMergeService - [PopBuffer]put ck to store fail: ${CKWRAP}, ${PUT_OK.replace(/PUT_OK/g, 'FLUSH_DISK_TIMEOUT')}`,
    ],
  }),
  sig({
    id: 'broker.pop-buffer-put-ack',
    kind: 'pop-ack',
    anchor: 'ack to store ',
    pattern: /^\[PopBuffer\]put (?:batch )?ack to store (?<res>ok|fail): (?<rest>.*)$/,
    fields: (g) => ({
      result: g.res === 'ok' ? ('stored' as const) : ('failed' as const),
      brokerName: ackBrokerName(g.rest!),
      detail: g.rest!,
    }),
    ref: '§17.1',
    samples: [
      `2024-05-10 14:23:30 INFO PopBufferMergeService - [PopBuffer]put ack to store ok: ${CKWRAP}, ${ACK_NO_BN}, ${PUT_OK}`,
      `2024-05-10 14:23:30 INFO PopBufferMergeService - [PopBuffer]put batch ack to store ok: ${CKWRAP}, ${ACK}, ${PUT_OK}`,
      `2024-05-10 14:23:30 ERROR PopBufferMergeService - [PopBuffer]put ack to store fail: ${CKWRAP}, ${ACK}, ${PUT_OK.replace(/PUT_OK/g, 'FLUSH_DISK_TIMEOUT')}`,
    ],
  }),
  info({
    id: 'broker.pop-buffer-offset-not-commit',
    what: 'pop-ck-offset-not-commit',
    anchor: '[PopBuffer] ck offset long time not commit, ',
    pattern: /^\[PopBuffer\] ck offset long time not commit, (?<detail>.*)$/,
    ref: '§17.1',
    samples: [`2024-05-10 14:23:30 WARN PopBufferMergeService - [PopBuffer] ck offset long time not commit, ${CKWRAP}`],
  }),
  info({
    id: 'broker.pop-commit-offset-less',
    what: 'pop-commit-offset-less-than-store',
    anchor: 'Commit offset, consumer offset less than store, ',
    pattern: /^Commit offset, consumer offset less than store, (?<detail>.*)$/,
    ref: '§17.1',
    samples: [`2024-05-10 14:23:30 WARN PopBufferMergeService - Commit offset, consumer offset less than store, ${CKWRAP}, 1260`],
  }),
  info({
    id: 'broker.pop-buffer-scan',
    what: 'pop-buffer-scan',
    anchor: '[PopBuffer]scan, PopBufferEclipse=',
    pattern:
      /^\[PopBuffer\]scan, PopBufferEclipse=(?<e>-?\d+), PopBufferToStoreAck=(?<a>-?\d+), PopBufferToStoreCk=(?<c>-?\d+), PopBufferSize=(?<s>-?\d+), PopBufferOffsetSize=(?<o>-?\d+)$/,
    detail: (g) => `toStoreAck=${g.a!} toStoreCk=${g.c!} size=${g.s!}`,
    ref: '§17.1',
    samples: [
      '2024-05-10 14:23:30 INFO PopBufferMergeService - [PopBuffer]scan, PopBufferEclipse=3, PopBufferToStoreAck=0, PopBufferToStoreCk=1, PopBufferSize=4, PopBufferOffsetSize=1',
    ],
  }),
  info({
    id: 'broker.pop-too-much-unacked',
    what: 'pop-too-much-unacked',
    anchor: 'Too much msgs unacked, then stop popping. topic=',
    pattern: /^Too much msgs unacked, then stop popping\. topic=(?<topic>[^,]*), group=(?<group>[^,]*), queueId=(?<qid>-?\d+)$/,
    detail: (g) => `${g.topic!} ${g.group!} queueId=${g.qid!}`,
    ref: '§17.1',
    samples: [
      '2024-05-10 14:23:30 WARN PopMessageThread_1 - Too much msgs unacked, then stop popping. topic=pos_create_pos_cooperate_sale_order, group=pos-provider, queueId=0',
    ],
  }),
  info({
    id: 'broker.pop-initial-offset',
    what: 'pop-initial-offset',
    anchor: 'Pop initial offset, because store is no correct, ',
    pattern: /^Pop initial offset, because store is no correct, (?<detail>.*)$/,
    ref: '§17.1',
    samples: [
      '2024-05-10 14:23:30 WARN PopMessageThread_1 - Pop initial offset, because store is no correct, pos_create_pos_cooperate_sale_order@pos-provider@0, -1->1250',
    ],
  }),
];

/** The broker address of a `boot success` line reveals the host. */
export function brokerHostProbe(msg: string): string | null {
  const m = /^The broker\[[^,]+, (\d{1,3}(?:\.\d{1,3}){3}):\d+\] boot success/.exec(msg);
  return m ? m[1]! : null;
}
