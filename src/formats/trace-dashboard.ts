import type { AnyRecord } from './document.js';
import { deliveryFields, epochRecord, int, isObj, jsonFormat, lineOf, member, nonNegative, objects, plausibleMs, publicationFields, rawOf, str, type Json, type JsonDoc, type JsonObject } from './trace-json.js';
import { typedTraceRecords, type TypedTrace } from './trace-pairing.js';

/**
 * rocketmq-dashboard message trace JSON (apache/rocketmq-dashboard, `model/trace/*.java`,
 * `model/MessageTraceView.java`, `support/JsonResult.java`, `service/impl/MessageTraceServiceImpl.java`):
 *
 * - `/messageTrace/viewMessageTraceGraph.query` → `MessageTraceGraph {producerNode, subscriptionNodeList,
 *   messageTraceViews}`; `ProducerNode {msgId, tags, keys, offSetMsgId, topic, groupName, traceNode,
 *   transactionNodeList}`; `SubscriptionNode {subscriptionGroup, consumeNodeList}`; `TraceNode {requestId,
 *   storeHost, clientHost, costTime, beginTimestamp, endTimestamp, retryTimes, status, transactionState,
 *   transactionId, fromTransactionCheck, msgType}` (-1 = missing, status success/failed/unknown);
 * - `/messageTrace/viewMessageTraceDetail.query` → a list of `MessageTraceView {requestId, msgId, tags, keys,
 *   storeHost, clientHost, costTime, msgType, offSetMsgId, timeStamp, topic, groupName, retryTimes, status,
 *   transactionState, transactionId, fromTransactionCheck, traceType}`;
 * - either bare or inside `JsonResult {status, data, errMsg}`.
 *
 * The flat views are preferred when present (they keep msgId per record); the graph is used otherwise.
 */
const ORIGIN = 'dashboard';
const UNKNOWN_GROUP = '%UNKNOWN_GROUP%';

function statusOf(v: Json | undefined): boolean | null {
  const s = str(v)?.toLowerCase();
  if (s === 'success') return true;
  if (s === 'failed') return false;
  return null;
}

function groupOf(v: Json | undefined): string | null {
  const g = str(v);
  return g && g !== UNKNOWN_GROUP ? g : null;
}

function isView(o: JsonObject): boolean {
  return typeof o.traceType === 'string' && ('msgId' in o || 'requestId' in o);
}

function isGraph(o: JsonObject): boolean {
  return 'producerNode' in o || 'subscriptionNodeList' in o || 'messageTraceViews' in o;
}

/** A MessageTraceView, read. */
function viewTrace(doc: JsonDoc, v: JsonObject, msgId: string): TypedTrace {
  const ts = int(v.timeStamp);
  const status = statusOf(v.status);
  return {
    type: str(v.traceType),
    msgId,
    timeMs: ts,
    afterTimeMs: ts !== null && ts > 0 ? ts : null,
    requestId: str(v.requestId),
    group: groupOf(v.groupName),
    groupText: str(v.groupName),
    topic: str(v.topic),
    client: str(v.clientHost),
    storeHost: str(v.storeHost),
    offsetMsgId: str(v.offSetMsgId),
    keys: str(v.keys),
    pubSuccess: status,
    subSuccess: status,
    retryTimes: nonNegative(int(v.retryTimes)),
    costMs: nonNegative(int(v.costTime)),
    transactionState: str(v.transactionState),
    line: lineOf(doc, v),
    raw: rawOf(v),
  };
}

function fromViews(views: JsonObject[], doc: JsonDoc): AnyRecord[] {
  const traces: TypedTrace[] = [];
  for (const v of views) {
    const msgId = str(v.msgId);
    if (msgId) traces.push(viewTrace(doc, v, msgId));
  }
  return typedTraceRecords(traces, ORIGIN);
}

function fromGraph(g: JsonObject, doc: JsonDoc): AnyRecord[] {
  const out: AnyRecord[] = [];
  const producer = isObj(g.producerNode) ? g.producerNode : null;
  const viewMsgId = objects(g.messageTraceViews).map((v) => str(v.msgId)).find((m) => m !== null) ?? null;
  const msgId = (producer ? str(producer.msgId) : null) ?? viewMsgId;
  if (!msgId) {
    if (producer || objects(g.subscriptionNodeList).length > 0) throw new Error('message trace graph without a msgId (no producerNode.msgId)');
    return out;
  }
  const topic = producer ? str(producer.topic) : null;
  if (producer) {
    const node = isObj(producer.traceNode) ? producer.traceNode : null;
    const ts = node ? int(node.beginTimestamp) : null;
    if (plausibleMs(ts)) {
      out.push(
        epochRecord(
          'trace-publication',
          publicationFields({
            msgId,
            offsetMsgId: str(producer.offSetMsgId),
            topic,
            producerGroup: groupOf(producer.groupName),
            storeHost: node ? str(node.storeHost) : null,
            success: node ? statusOf(node.status) : null,
            keys: str(producer.keys),
            origin: ORIGIN,
          }),
          ts,
          lineOf(doc, producer),
          rawOf(producer),
        ),
      );
    }
  }
  for (const sub of objects(g.subscriptionNodeList)) {
    const group = groupOf(sub.subscriptionGroup);
    for (const node of objects(sub.consumeNodeList)) {
      const begin = int(node.beginTimestamp);
      const end = int(node.endTimestamp);
      const ts = plausibleMs(begin) ? begin : plausibleMs(end) ? end : null;
      if (ts === null) continue;
      out.push(
        epochRecord(
          'trace-delivery',
          deliveryFields({
            msgId,
            group,
            client: str(node.clientHost),
            topic,
            retryTimes: nonNegative(int(node.retryTimes)),
            success: statusOf(node.status),
            requestId: str(node.requestId),
            costMs: nonNegative(int(node.costTime)),
            origin: ORIGIN,
          }),
          ts,
          lineOf(doc, node),
          rawOf(node),
        ),
      );
    }
  }
  return out;
}

export const TRACE_DASHBOARD_FORMAT = jsonFormat({
  id: 'trace-dashboard-json',
  title: 'rocketmq-dashboard message trace JSON (MessageTraceGraph / MessageTraceView list, JsonResult)',
  opens: '{[',
  sniff(t) {
    if (/"(?:subscriptionNodeList|producerNode|messageTraceViews|consumeNodeList)"\s*:/.test(t)) return 1;
    if (/"traceType"\s*:\s*"(?:Pub|SubBefore|SubAfter|EndTransaction)"/.test(t) && /"(?:offSetMsgId|groupName|requestId)"\s*:/.test(t)) return 0.95;
    return 0;
  },
  parse(doc) {
    const out: AnyRecord[] = [];
    let shapes = 0;
    const visit = (v: Json): void => {
      if (Array.isArray(v)) {
        const views = v.filter(isObj).filter(isView);
        if (views.length > 0) {
          shapes++;
          out.push(...fromViews(views, doc));
        }
        return;
      }
      if (!isObj(v)) return;
      const err = str(v.errMsg);
      if ('data' in v && ('status' in v || 'errMsg' in v)) {
        const status = int(v.status);
        if (status !== null && status !== 0 && (v.data === null || v.data === undefined)) throw new Error(`dashboard returned status ${status}: ${err ?? 'no data'}`);
        const data = member(v, 'data');
        if (data !== undefined) visit(data);
        return;
      }
      if (isGraph(v)) {
        shapes++;
        const views = objects(v.messageTraceViews).filter(isView);
        out.push(...(views.length > 0 ? fromViews(views, doc) : fromGraph(v, doc)));
        return;
      }
      if (isView(v)) {
        shapes++;
        out.push(...fromViews([v], doc));
      }
    };
    for (const r of doc.roots) visit(r);
    if (shapes === 0) throw new Error('no MessageTraceGraph or MessageTraceView found');
    return out;
  },
});
