import type { AnyRecord } from './document.js';
import { bool, deliveryFields, epochRecord, int, isObj, jsonFormat, lineOf, nonNegative, objects, plausibleMs, publicationFields, rawOf, str, type Json, type JsonDoc, type JsonObject } from './trace-json.js';
import { typedTraceRecords, type TypedTrace } from './trace-pairing.js';

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

/** A Huawei trace object, read. */
function huaweiTrace(doc: JsonDoc, t: JsonObject, msgId: string): TypedTrace {
  const ts = int(t.timestamp);
  const group = str(t.group_name);
  return {
    type: str(t.trace_type),
    msgId,
    timeMs: ts,
    afterTimeMs: ts,
    requestId: str(t.request_id),
    group,
    groupText: group,
    topic: str(t.topic),
    client: str(t.client_host),
    storeHost: str(t.store_host),
    offsetMsgId: str(t.offset_msg_id),
    keys: str(t.keys),
    pubSuccess: bool(t.success),
    subSuccess: consumeStatusOk(t),
    retryTimes: nonNegative(int(t.retry_times)),
    costMs: nonNegative(int(t.cost_time)),
    transactionState: str(t.transaction_state),
    line: lineOf(doc, t),
    raw: rawOf(t),
  };
}

export const TRACE_HUAWEI_FORMAT = jsonFormat({
  id: 'trace-huawei-dms-json',
  title: 'Huawei Cloud DMS for RocketMQ ListMessageTrace response JSON',
  opens: '{[',
  sniff(t) {
    if (!/"trace_type"\s*:/.test(t)) return 0;
    return /"(?:msg_id|request_id|group_name|offset_msg_id)"\s*:/.test(t) ? 0.95 : 0.6;
  },
  parse(doc) {
    const traces: TypedTrace[] = [];
    let shapes = 0;
    for (const root of doc.roots) {
      const recs = huaweiRecords(root);
      if (recs === null) continue;
      shapes++;
      for (const t of recs) {
        const msgId = str(t.msg_id);
        if (msgId) traces.push(huaweiTrace(doc, t, msgId));
      }
    }
    if (shapes === 0) throw new Error('no "trace" list of trace_type records found');
    return typedTraceRecords(traces, HUAWEI);
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

export const TRACE_ALI_FORMAT = jsonFormat({
  id: 'trace-ali-ons-json',
  title: 'Alibaba Cloud ONS OnsTraceGetResult response JSON',
  opens: '{[',
  sniff(t) {
    if (/"(?:TraceMapDo|SubMapDo|SubClientInfoDo)"\s*:/.test(t)) return 1;
    if (/"[Tt]raceData"\s*:/.test(t) && /"(?:[Tt]raceList|[Pp]ubGroupName|[Ss]ubList)"\s*:/.test(t)) return 0.95;
    if (/"[Pp]ubGroupName"\s*:/.test(t) && /"[Pp]ubTime"\s*:/.test(t)) return 0.8;
    return 0;
  },
  parse(doc) {
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
