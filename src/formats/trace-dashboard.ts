import { documentFormat, firstChar, type AnyRecord } from './document.js';
import {
  deliveryFields,
  epochRecord,
  headText,
  int,
  isObj,
  member,
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

function lineOf(doc: JsonDoc, o: object): number {
  return doc.lineOf.get(o) ?? 1;
}

function isView(o: JsonObject): boolean {
  return typeof o.traceType === 'string' && ('msgId' in o || 'requestId' in o);
}

function isGraph(o: JsonObject): boolean {
  return 'producerNode' in o || 'subscriptionNodeList' in o || 'messageTraceViews' in o;
}

function fromViews(views: JsonObject[], doc: JsonDoc): AnyRecord[] {
  const out: AnyRecord[] = [];
  const pairer = new SubPairer(ORIGIN);
  for (const v of views) {
    const msgId = str(v.msgId);
    if (!msgId) continue;
    const line = lineOf(doc, v);
    const ts = int(v.timeStamp);
    switch (str(v.traceType)) {
      case 'Pub':
        if (!plausibleMs(ts)) break;
        out.push(
          epochRecord(
            'trace-publication',
            publicationFields({
              msgId,
              offsetMsgId: str(v.offSetMsgId),
              topic: str(v.topic),
              producerGroup: groupOf(v.groupName),
              storeHost: str(v.storeHost),
              success: statusOf(v.status),
              keys: str(v.keys),
              origin: ORIGIN,
            }),
            ts,
            line,
            rawOf(v),
          ),
        );
        break;
      case 'SubBefore':
        pairer.before({
          requestId: str(v.requestId),
          msgId,
          group: groupOf(v.groupName),
          timeMs: ts,
          retryTimes: nonNegative(int(v.retryTimes)),
          client: str(v.clientHost),
          topic: str(v.topic),
          line,
          raw: rawOf(v),
        });
        break;
      case 'SubAfter':
        pairer.after({
          requestId: str(v.requestId),
          msgId,
          group: groupOf(v.groupName),
          timeMs: ts !== null && ts > 0 ? ts : null,
          costMs: nonNegative(int(v.costTime)),
          success: statusOf(v.status),
          client: str(v.clientHost),
          topic: str(v.topic),
          line,
          raw: rawOf(v),
        });
        break;
      case 'EndTransaction':
        if (!plausibleMs(ts)) break;
        out.push(
          epochRecord(
            'info',
            { what: 'trace-end-transaction', detail: `${str(v.transactionState) ?? 'UNKNOWN'} msgId=${msgId} topic=${str(v.topic) ?? ''} group=${str(v.groupName) ?? ''}` },
            ts,
            line,
            rawOf(v),
          ),
        );
        break;
      default:
        break;
    }
  }
  out.push(...pairer.records());
  return out.sort((a, b) => a.line - b.line);
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

export const TRACE_DASHBOARD_FORMAT = documentFormat({
  id: 'trace-dashboard-json',
  title: 'rocketmq-dashboard message trace JSON (MessageTraceGraph / MessageTraceView list, JsonResult)',
  zone: 'embedded',
  sniff(head) {
    const c = firstChar(head);
    if (c !== '{' && c !== '[') return { score: 0 };
    const t = headText(head);
    if (/"(?:subscriptionNodeList|producerNode|messageTraceViews|consumeNodeList)"\s*:/.test(t)) return { score: 1 };
    if (/"traceType"\s*:\s*"(?:Pub|SubBefore|SubAfter|EndTransaction)"/.test(t) && /"(?:offSetMsgId|groupName|requestId)"\s*:/.test(t)) return { score: 0.95 };
    return { score: 0 };
  },
  parse(lines) {
    const doc = parseJsonDocument(lines);
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
