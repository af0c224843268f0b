import { documentFormat, firstChar, type AnyRecord } from './document.js';
import {
  bool,
  deliveryFields,
  epochRecord,
  headText,
  int,
  isObj,
  nonNegative,
  objects,
  parseJsonDocument,
  plausibleMs,
  publicationFields,
  rawOf,
  str,
  type Json,
  type JsonDoc,
  type JsonObject,
} from './trace-json.js';
import { SubPairer } from './trace-pairing.js';

function lineOf(doc: JsonDoc, o: object): number {
  return doc.lineOf.get(o) ?? 1;
}

// ---------------------------------------------------------------------------------------------
// Huawei Cloud DMS for RocketMQ — ListMessageTrace
// (support.huaweicloud.com/api-hrm/ListMessageTrace.html, "Querying the Message Trace").
// Response body: {total, next_offset, previous_offset, trace: [trace]}; the page's own example
// response is a bare array of trace objects, so both are accepted. trace: success, trace_type
// (Pub, SubBefore, SubAfter, EndTransaction, Receive, Ack), timestamp, group_name, cost_time,
// request_id, consume_status (0 ok, 1 timeout, 2 exception, 3 null, 5 failed), topic, msg_id,
// offset_msg_id, tags, keys, store_host, client_host, retry_times (String in older revisions,
// Integer in newer), body_length, msg_type, transaction_state, transaction_id,
// from_transaction_check. Receive / Ack records are documented only by one line each and are not
// turned into events.
// ---------------------------------------------------------------------------------------------

const HUAWEI = 'huawei-dms';

function huaweiRecords(v: Json): JsonObject[] | null {
  if (Array.isArray(v)) {
    const recs = v.filter(isObj).filter((o) => typeof o.trace_type === 'string');
    return recs.length > 0 || v.length === 0 ? recs : null;
  }
  if (isObj(v) && Array.isArray(v.trace)) return objects(v.trace).filter((o) => typeof o.trace_type === 'string');
  return null;
}

function consumeStatusOk(t: JsonObject): boolean | null {
  const cs = int(t.consume_status);
  if (cs !== null) return cs === 0;
  return bool(t.success);
}

export const TRACE_HUAWEI_FORMAT = documentFormat({
  id: 'trace-huawei-dms-json',
  title: 'Huawei Cloud DMS for RocketMQ ListMessageTrace response JSON',
  zone: 'embedded',
  sniff(head) {
    const c = firstChar(head);
    if (c !== '{' && c !== '[') return { score: 0 };
    const t = headText(head);
    if (!/"trace_type"\s*:/.test(t)) return { score: 0 };
    return { score: /"(?:msg_id|request_id|group_name|offset_msg_id)"\s*:/.test(t) ? 0.95 : 0.6 };
  },
  parse(lines) {
    const doc = parseJsonDocument(lines);
    const out: AnyRecord[] = [];
    const pairer = new SubPairer(HUAWEI);
    let shapes = 0;
    for (const root of doc.roots) {
      const recs = huaweiRecords(root);
      if (recs === null) continue;
      shapes++;
      for (const t of recs) {
        const msgId = str(t.msg_id);
        if (!msgId) continue;
        const ts = int(t.timestamp);
        const line = lineOf(doc, t);
        switch (str(t.trace_type)) {
          case 'Pub':
            if (!plausibleMs(ts)) break;
            out.push(
              epochRecord(
                'trace-publication',
                publicationFields({
                  msgId,
                  offsetMsgId: str(t.offset_msg_id),
                  topic: str(t.topic),
                  producerGroup: str(t.group_name),
                  storeHost: str(t.store_host),
                  success: bool(t.success),
                  keys: str(t.keys),
                  origin: HUAWEI,
                }),
                ts,
                line,
                rawOf(t),
              ),
            );
            break;
          case 'SubBefore':
            pairer.before({
              requestId: str(t.request_id),
              msgId,
              group: str(t.group_name),
              timeMs: ts,
              retryTimes: nonNegative(int(t.retry_times)),
              client: str(t.client_host),
              topic: str(t.topic),
              line,
              raw: rawOf(t),
            });
            break;
          case 'SubAfter':
            pairer.after({
              requestId: str(t.request_id),
              msgId,
              group: str(t.group_name),
              timeMs: ts,
              costMs: nonNegative(int(t.cost_time)),
              success: consumeStatusOk(t),
              client: str(t.client_host),
              topic: str(t.topic),
              line,
              raw: rawOf(t),
            });
            break;
          case 'EndTransaction':
            if (!plausibleMs(ts)) break;
            out.push(
              epochRecord(
                'info',
                { what: 'trace-end-transaction', detail: `${str(t.transaction_state) ?? 'UNKNOWN'} msgId=${msgId} topic=${str(t.topic) ?? ''} group=${str(t.group_name) ?? ''}` },
                ts,
                line,
                rawOf(t),
              ),
            );
            break;
          default:
            break;
        }
      }
    }
    if (shapes === 0) throw new Error('no "trace" list of trace_type records found');
    out.push(...pairer.records());
    return out.sort((a, b) => a.line - b.line);
  },
});

// ---------------------------------------------------------------------------------------------
// Alibaba Cloud ONS (ApsaraMQ for RocketMQ 4.x) — OnsTraceGetResult
// (alibabacloud.com/help/en/apsaramq-for-rocketmq/api-onstracegetresult; field names as in the
// generated SDK model aliyun/alibabacloud-csharp-sdk ons-20190214 OnsTraceGetResultResponseBody.cs):
// {RequestId, TraceData: {QueryId, UserId, Topic, MsgId, MsgKey, Status, CreateTime, UpdateTime,
// InstanceId, TraceList: {TraceMapDo: [{PubTime, Topic, PubGroupName, MsgId, Tag, MsgKey, BornHost,
// CostTime, Status (SEND_SUCCESS / SEND_FAILED / SEND_ROLLBACK), SubList: {SubMapDo: [{SubGroupName,
// SuccessCount, FailCount, ClientList: {SubClientInfoDo: [{SubGroupName, SubTime, ClientHost,
// ReconsumeTimes, CostTime, Status}]}}]}}]}}}. The 2019 revision of the page spells members in
// lowerCamelCase with plain lists (traceList: [TraceMapDo]); both spellings are accepted.
// The values of SubClientInfoDo.Status are not documented: a value containing SUCCESS counts as
// success, one containing FAIL as failure, anything else stays unknown. BornHost is the producer,
// not the store host, and is not mapped.
// ---------------------------------------------------------------------------------------------

const ALI = 'ali-ons';

/** Member lookup ignoring the case of the first letter (PubTime / pubTime). */
function m(o: JsonObject, name: string): Json | undefined {
  const v = o[name];
  if (v !== undefined) return v;
  return o[name[0]!.toLowerCase() + name.slice(1)];
}

/** A list written either as a plain array or wrapped as {Wrapper: [...]}. */
function list(v: Json | undefined, wrapper: string): JsonObject[] {
  if (Array.isArray(v)) return objects(v);
  if (isObj(v)) return objects(m(v, wrapper));
  return [];
}

function aliSubStatus(v: Json | undefined): boolean | null {
  const s = str(v)?.toUpperCase();
  if (!s) return null;
  if (s.includes('SUCCESS')) return true;
  if (s.includes('FAIL')) return false;
  return null;
}

function aliPubStatus(v: Json | undefined): boolean | null {
  const s = str(v)?.toUpperCase();
  if (s === 'SEND_SUCCESS') return true;
  if (s === 'SEND_FAILED' || s === 'SEND_ROLLBACK') return false;
  return null;
}

export const TRACE_ALI_FORMAT = documentFormat({
  id: 'trace-ali-ons-json',
  title: 'Alibaba Cloud ONS OnsTraceGetResult response JSON',
  zone: 'embedded',
  sniff(head) {
    const c = firstChar(head);
    if (c !== '{' && c !== '[') return { score: 0 };
    const t = headText(head);
    if (/"(?:TraceMapDo|SubMapDo|SubClientInfoDo)"\s*:/.test(t)) return { score: 1 };
    if (/"[Tt]raceData"\s*:/.test(t) && /"(?:[Tt]raceList|[Pp]ubGroupName|[Ss]ubList)"\s*:/.test(t)) return { score: 0.95 };
    if (/"[Pp]ubGroupName"\s*:/.test(t) && /"[Pp]ubTime"\s*:/.test(t)) return { score: 0.8 };
    return { score: 0 };
  },
  parse(lines) {
    const doc = parseJsonDocument(lines);
    const out: AnyRecord[] = [];
    let shapes = 0;
    const traceMaps = (root: Json): JsonObject[] => {
      if (Array.isArray(root)) return objects(root).filter((o) => m(o, 'PubTime') !== undefined || m(o, 'SubList') !== undefined);
      if (!isObj(root)) return [];
      const data = m(root, 'TraceData');
      if (isObj(data)) return list(m(data, 'TraceList'), 'TraceMapDo');
      const tl = m(root, 'TraceList');
      if (tl !== undefined) return list(tl, 'TraceMapDo');
      if (m(root, 'PubTime') !== undefined || m(root, 'SubList') !== undefined) return [root];
      return [];
    };
    for (const root of doc.roots) {
      if (isObj(root)) {
        const data = m(root, 'TraceData');
        const status = isObj(data) ? str(m(data, 'Status')) : null;
        if (status === 'working' && list(m(data as JsonObject, 'TraceList'), 'TraceMapDo').length === 0) {
          throw new Error('the trace query task is still "working": fetch OnsTraceGetResult again later');
        }
        if (isObj(data)) shapes++;
      }
      const maps = traceMaps(root);
      if (maps.length > 0) shapes++;
      for (const t of maps) {
        const msgId = str(m(t, 'MsgId'));
        if (!msgId) continue;
        const topic = str(m(t, 'Topic'));
        const pubTime = int(m(t, 'PubTime'));
        if (plausibleMs(pubTime)) {
          out.push(
            epochRecord(
              'trace-publication',
              publicationFields({
                msgId,
                topic,
                producerGroup: str(m(t, 'PubGroupName')),
                success: aliPubStatus(m(t, 'Status')),
                keys: str(m(t, 'MsgKey')),
                origin: ALI,
              }),
              pubTime,
              lineOf(doc, t),
              rawOf({ ...t, SubList: null, subList: null }),
            ),
          );
        }
        for (const sub of list(m(t, 'SubList'), 'SubMapDo')) {
          const subGroup = str(m(sub, 'SubGroupName'));
          for (const c of list(m(sub, 'ClientList'), 'SubClientInfoDo')) {
            const ts = int(m(c, 'SubTime'));
            if (!plausibleMs(ts)) continue;
            out.push(
              epochRecord(
                'trace-delivery',
                deliveryFields({
                  msgId,
                  group: str(m(c, 'SubGroupName')) ?? subGroup,
                  client: str(m(c, 'ClientHost')),
                  topic,
                  retryTimes: nonNegative(int(m(c, 'ReconsumeTimes'))),
                  success: aliSubStatus(m(c, 'Status')),
                  costMs: nonNegative(int(m(c, 'CostTime'))),
                  origin: ALI,
                }),
                ts,
                lineOf(doc, c),
                rawOf(c),
              ),
            );
          }
        }
      }
    }
    if (shapes === 0) throw new Error('no TraceData / TraceList found');
    return out;
  },
});
