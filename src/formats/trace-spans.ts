import type { AnyRecord } from './document.js';
import { deliveryFields, epochRecord, int, isObj, jsonFormat, lineOf, objects, plausibleMs, publicationFields, rawOf, str, type Json, type JsonDoc, type JsonObject } from './trace-json.js';

/**
 * APM span exports carrying RocketMQ messaging attributes: OpenTelemetry OTLP JSON, Jaeger JSON
 * (query API / UI download) and Zipkin v2 JSON. Consumer spans with a message id → trace-delivery,
 * producer spans → trace-publication.
 *
 * Attribute names: OpenTelemetry semantic conventions for messaging / RocketMQ
 * (opentelemetry.io/docs/specs/semconv/messaging/rocketmq/: messaging.message.id,
 * messaging.destination.name, messaging.rocketmq.client_group → messaging.consumer.group.name,
 * messaging.rocketmq.message.keys / .tag, messaging.client.id) plus the older names
 * (messaging.message_id, messaging.destination) and the experimental ones of the
 * opentelemetry-java-instrumentation RocketMQ instrumentations (messaging.rocketmq.queue_id,
 * messaging.rocketmq.queue_offset, messaging.rocketmq.broker_address,
 * messaging.rocketmq.consume_concurrently_status, messaging.rocketmq.reconsume_times) and of
 * the Go instrumentation (messaging.rocketmq.broker_name).
 */

type AttrValue = string | number | boolean | null;

interface Span {
  kind: 'consumer' | 'producer' | 'other';
  name: string;
  startMs: number;
  startText: string;
  durationMs: number | null;
  attrs: Map<string, AttrValue>;
  /** Resource / process attributes. */
  res: Map<string, AttrValue>;
  /** Endpoint IP (Zipkin localEndpoint). */
  endpointIp: string | null;
  error: boolean | null;
  line: number;
  raw: string;
}

/** The first of the keys with a non-empty value. */
function firstOf(m: Map<string, AttrValue>, keys: string[]): AttrValue {
  for (const k of keys) {
    const v = m.get(k);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return null;
}

/** A span attribute. */
function a(span: Span, ...keys: string[]): AttrValue {
  return firstOf(span.attrs, keys);
}

/** A resource / process attribute. */
function r(span: Span, ...keys: string[]): AttrValue {
  return firstOf(span.res, keys);
}

/** A JSON tag value as an attribute value (objects and arrays are unknown). */
function scalar(v: Json | undefined): AttrValue {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : null;
}

function s(v: AttrValue): string | null {
  if (v === null) return null;
  const t = String(v).trim();
  return t.length > 0 ? t : null;
}

function n(v: AttrValue): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : null;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return null;
}

const MSG_ID = ['messaging.message.id', 'messaging.rocketmq.message.id', 'messaging.message_id'];
const GROUP = ['messaging.rocketmq.client_group', 'messaging.consumer.group.name', 'messaging.destination.subscription.name'];
const TOPIC = ['messaging.destination.name', 'messaging.destination'];
const QUEUE_ID = ['messaging.rocketmq.message.queue_id', 'messaging.rocketmq.queue_id'];
const QUEUE_OFFSET = ['messaging.rocketmq.message.queue_offset', 'messaging.rocketmq.queue_offset'];
const OPERATION = ['messaging.operation.type', 'messaging.operation', 'messaging.operation.name'];

function isRocketmq(span: Span): boolean {
  const sys = s(a(span, 'messaging.system'));
  if (sys !== null) return sys.toLowerCase() === 'rocketmq';
  for (const k of span.attrs.keys()) if (k.startsWith('messaging.rocketmq.')) return true;
  return false;
}

function successOf(span: Span): boolean | null {
  const consume = s(a(span, 'messaging.rocketmq.consume_concurrently_status', 'messaging.rocketmq.consume_orderly_status'));
  if (consume !== null) return /SUCCESS/i.test(consume) ? true : false;
  return span.error === true ? false : span.error === false ? true : null;
}

function clientOf(span: Span): string | null {
  return s(a(span, 'net.host.ip', 'host.ip')) ?? span.endpointIp ?? s(r(span, 'host.ip', 'ip', 'host.name', 'hostname')) ?? s(a(span, 'host.name', 'net.host.name'));
}

function spanRecords(spans: Span[], origin: string): AnyRecord[] {
  const out: AnyRecord[] = [];
  // A `receive` span and the `process` span of the same message are one consumption: keep the
  // receive span only when the message has no other consumer span.
  const processed = new Set<string>();
  for (const sp of spans) {
    if (sp.kind !== 'consumer') continue;
    const id = s(a(sp, ...MSG_ID));
    const op = s(a(sp, ...OPERATION))?.toLowerCase();
    if (id && op !== 'receive') processed.add(id);
  }
  for (const sp of spans) {
    if (sp.kind === 'other' || !isRocketmq(sp)) continue;
    const msgId = s(a(sp, ...MSG_ID));
    if (!msgId || !plausibleMs(sp.startMs)) continue;
    const op = s(a(sp, ...OPERATION))?.toLowerCase();
    const common = {
      msgId,
      topic: s(a(sp, ...TOPIC)),
      brokerName: s(a(sp, 'messaging.rocketmq.broker_name')),
      queueId: n(a(sp, ...QUEUE_ID)),
      queueOffset: n(a(sp, ...QUEUE_OFFSET)),
      success: successOf(sp),
      origin,
    };
    if (sp.kind === 'consumer') {
      if (op === 'receive' && processed.has(msgId)) continue;
      out.push(
        epochRecord(
          'trace-delivery',
          deliveryFields({
            ...common,
            group: s(a(sp, ...GROUP)),
            client: clientOf(sp),
            retryTimes: n(a(sp, 'messaging.rocketmq.reconsume_times')),
            costMs: sp.durationMs,
          }),
          sp.startMs,
          sp.line,
          sp.raw,
          sp.startText,
        ),
      );
    } else {
      const keys = a(sp, 'messaging.rocketmq.message.keys');
      out.push(
        epochRecord(
          'trace-publication',
          publicationFields({
            ...common,
            producerGroup: s(a(sp, 'messaging.rocketmq.client_group')),
            storeHost: s(a(sp, 'messaging.rocketmq.broker_address')),
            keys: s(keys),
          }),
          sp.startMs,
          sp.line,
          sp.raw,
          sp.startText,
        ),
      );
    }
  }
  return out;
}

function kindOf(v: string | number | null): Span['kind'] {
  if (v === null) return 'other';
  const k = String(v).toUpperCase();
  if (k === '5' || k === 'SPAN_KIND_CONSUMER' || k === 'CONSUMER') return 'consumer';
  if (k === '4' || k === 'SPAN_KIND_PRODUCER' || k === 'PRODUCER') return 'producer';
  return 'other';
}

/** Big integer strings (nanoseconds) → ms without losing the ms digits. */
function nanosToMs(v: Json | undefined): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.floor(v / 1e6) : null;
  if (typeof v === 'string' && /^\d{7,}$/.test(v)) return Number(v.slice(0, -6));
  return null;
}

function microsToMs(v: Json | undefined): number | null {
  const x = int(v);
  return x === null ? null : Math.floor(x / 1000);
}

// ---- OTLP JSON ----------------------------------------------------------------------------

/** OTLP AnyValue → a scalar (arrays are joined with a space, as RocketMQ joins keys). */
function otlpValue(v: Json | undefined): AttrValue {
  if (!isObj(v)) return null;
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (v.intValue !== undefined && v.intValue !== null) return int(v.intValue);
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (typeof v.doubleValue === 'number') return v.doubleValue;
  if (isObj(v.arrayValue)) {
    const parts = (Array.isArray(v.arrayValue.values) ? v.arrayValue.values : []).map((x) => otlpValue(x)).filter((x) => x !== null);
    return parts.map(String).join(' ');
  }
  return null;
}

/** A `[{key, value}]` list (OTLP attributes, Jaeger tags) as attributes. */
function keyValueAttrs(v: Json | undefined, value: (x: Json | undefined) => AttrValue): Map<string, AttrValue> {
  const m = new Map<string, AttrValue>();
  for (const kv of objects(v)) {
    const k = str(kv.key);
    if (k) m.set(k, value(kv.value));
  }
  return m;
}

function otlpAttrs(v: Json | undefined): Map<string, AttrValue> {
  return keyValueAttrs(v, otlpValue);
}

function otlpSpans(doc: JsonDoc): { spans: Span[]; shapes: number } {
  const spans: Span[] = [];
  let shapes = 0;
  for (const root of doc.roots) {
    if (!isObj(root) || !Array.isArray(root.resourceSpans)) continue;
    shapes++;
    for (const rs of objects(root.resourceSpans)) {
      const res = otlpAttrs(isObj(rs.resource) ? rs.resource.attributes : undefined);
      const scopes = [...objects(rs.scopeSpans), ...objects(rs.instrumentationLibrarySpans)];
      for (const sc of scopes) {
        for (const sp of objects(sc.spans)) {
          const start = nanosToMs(sp.startTimeUnixNano);
          if (start === null) continue;
          const end = nanosToMs(sp.endTimeUnixNano);
          const status = isObj(sp.status) ? sp.status : null;
          const code = status ? String(status.code ?? '') : '';
          spans.push({
            kind: kindOf(typeof sp.kind === 'number' || typeof sp.kind === 'string' ? sp.kind : null),
            name: str(sp.name) ?? '',
            startMs: start,
            startText: str(sp.startTimeUnixNano) ?? String(start),
            durationMs: end !== null && end >= start ? end - start : null,
            attrs: otlpAttrs(sp.attributes),
            res,
            endpointIp: null,
            error: code === '2' || code === 'STATUS_CODE_ERROR' ? true : code === '1' || code === 'STATUS_CODE_OK' ? false : null,
            line: lineOf(doc, sp),
            raw: rawOf(sp),
          });
        }
      }
    }
  }
  return { spans, shapes };
}

export const TRACE_OTLP_FORMAT = jsonFormat({
  id: 'trace-otlp-json',
  title: 'OpenTelemetry OTLP JSON spans (RocketMQ messaging attributes)',
  opens: '{',
  sniff(t) {
    if (!/"resourceSpans"\s*:/.test(t)) return 0;
    return /"(?:scopeSpans|instrumentationLibrarySpans)"\s*:/.test(t) ? 1 : 0.9;
  },
  parse(doc) {
    const { spans, shapes } = otlpSpans(doc);
    if (shapes === 0) throw new Error('no "resourceSpans" member');
    return spanRecords(spans, 'otlp');
  },
});

// ---- Jaeger JSON --------------------------------------------------------------------------

function jaegerTags(v: Json | undefined): Map<string, AttrValue> {
  return keyValueAttrs(v, scalar);
}

function jaegerTraces(root: Json): JsonObject[] {
  if (Array.isArray(root)) return objects(root).filter((t) => Array.isArray(t.spans));
  if (!isObj(root)) return [];
  if (Array.isArray(root.data)) return objects(root.data).filter((t) => Array.isArray(t.spans));
  if (Array.isArray(root.spans)) return [root];
  return [];
}

export const TRACE_JAEGER_FORMAT = jsonFormat({
  id: 'trace-jaeger-json',
  title: 'Jaeger JSON trace export (RocketMQ messaging tags)',
  opens: '{[',
  sniff(t) {
    if (/"resourceSpans"\s*:/.test(t)) return 0;
    return /"traceID"\s*:/.test(t) && /"(?:spanID|operationName|processes)"\s*:/.test(t) ? 0.95 : 0;
  },
  parse(doc) {
    const spans: Span[] = [];
    let shapes = 0;
    for (const root of doc.roots) {
      for (const tr of jaegerTraces(root)) {
        shapes++;
        const processes = isObj(tr.processes) ? tr.processes : {};
        for (const sp of objects(tr.spans)) {
          const startUs = int(sp.startTime);
          if (startUs === null) continue;
          const attrs = jaegerTags(sp.tags);
          const pid = str(sp.processID);
          const proc = isObj(sp.process) ? sp.process : pid && isObj(processes[pid]) ? (processes[pid] as JsonObject) : null;
          const dur = microsToMs(sp.duration);
          const err = attrs.get('error');
          const otelStatus = s(attrs.get('otel.status_code') ?? null);
          spans.push({
            kind: kindOf(s(attrs.get('span.kind') ?? null)),
            name: str(sp.operationName) ?? '',
            startMs: Math.floor(startUs / 1000),
            startText: String(startUs),
            durationMs: dur,
            attrs,
            res: jaegerTags(proc ? proc.tags : undefined),
            endpointIp: null,
            error: err === true || err === 'true' || otelStatus === 'ERROR' ? true : otelStatus === 'OK' ? false : null,
            line: lineOf(doc, sp),
            raw: rawOf(sp),
          });
        }
      }
    }
    if (shapes === 0) throw new Error('no Jaeger trace ({data:[{traceID, spans}]}) found');
    return spanRecords(spans, 'jaeger');
  },
});

// ---- Zipkin v2 JSON -----------------------------------------------------------------------

function zipkinSpans(v: Json, out: JsonObject[]): void {
  if (Array.isArray(v)) {
    for (const x of v) zipkinSpans(x, out);
    return;
  }
  if (isObj(v) && typeof v.traceId === 'string' && typeof v.id === 'string') out.push(v);
}

export const TRACE_ZIPKIN_FORMAT = jsonFormat({
  id: 'trace-zipkin-json',
  title: 'Zipkin v2 JSON spans (RocketMQ messaging tags)',
  opens: '[',
  sniff(t) {
    if (/"(?:resourceSpans|traceID)"\s*:/.test(t)) return 0;
    return /"traceId"\s*:/.test(t) && /"(?:localEndpoint|remoteEndpoint)"\s*:|"kind"\s*:\s*"(?:CONSUMER|PRODUCER|CLIENT|SERVER)"/.test(t) ? 0.9 : 0;
  },
  parse(doc) {
    const raw: JsonObject[] = [];
    for (const root of doc.roots) zipkinSpans(root, raw);
    if (raw.length === 0) throw new Error('no Zipkin span ({traceId, id, ...}) found');
    const spans: Span[] = [];
    for (const sp of raw) {
      const ts = int(sp.timestamp);
      if (ts === null) continue;
      const attrs = new Map<string, AttrValue>();
      if (isObj(sp.tags)) {
        for (const [k, v] of Object.entries(sp.tags)) attrs.set(k, scalar(v));
      }
      const local = isObj(sp.localEndpoint) ? sp.localEndpoint : null;
      const res = new Map<string, AttrValue>();
      if (local && str(local.serviceName)) res.set('service.name', str(local.serviceName));
      const otelStatus = s(attrs.get('otel.status_code') ?? null);
      spans.push({
        kind: kindOf(str(sp.kind)),
        name: str(sp.name) ?? '',
        startMs: Math.floor(ts / 1000),
        startText: String(ts),
        durationMs: microsToMs(sp.duration),
        attrs,
        res,
        endpointIp: local ? (str(local.ipv4) ?? str(local.ipv6)) : null,
        error: attrs.has('error') || otelStatus === 'ERROR' ? true : otelStatus === 'OK' ? false : null,
        line: lineOf(doc, sp),
        raw: rawOf(sp),
      });
    }
    return spanRecords(spans, 'zipkin');
  },
});
