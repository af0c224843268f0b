import type { Delivery } from '../correlate/index.js';
import { countByCause, type Diagnosis, type Incident, type RedeliveredMessage } from '../diagnose/index.js';
import type { IngestResult } from '../ingest/index.js';
import type { RmqEvent } from '../model/events.js';
import { formatInstant, type ResolvedZone } from '../model/time.js';
import { inputJson, type InputJson } from './inputs.js';

/** The JSON report: a contract for tickets and scripts (schema/report.schema.json). */
export interface Report {
  schemaVersion: 1;
  tool: { name: 'rmq-forensics'; version: string };
  generatedAt: string;
  inputs: InputJson[];
  problems: { path: string; problem: string }[];
  incidents: IncidentJson[];
  redeliveries: RedeliveryJson[];
  dismissed: { messageId: string; cause: 'not-a-duplicate'; reason: string; deliveries: DeliveryJson[] }[];
  clockSkew: { clientHost: string; brokerHost: string; skewMs: number }[];
  summary: { incidents: number; redeliveredMessages: number; anomalies: number; byDesign: number; byCause: Record<string, number> };
  /** Only in `scan` reports. */
  scan?: { newIncidents: string[]; updatedIncidents: string[]; since: string | null; until: string | null; filesRead: number; newLines: number };
}

export interface ChainLinkJson {
  time: string;
  host: string | null;
  kind: string;
  summary: string;
  file: string;
  line: number;
  text: string;
}

export interface IncidentJson {
  id: string;
  cause: string;
  title: string;
  confidence: 'high' | 'medium' | 'low';
  group: string | null;
  topic: string | null;
  brokerName: string | null;
  brokerAddr: string | null;
  queueId: number | null;
  offsetRange: { from: number; to: number } | null;
  redeliveredCount: number | null;
  window: { start: string; end: string };
  summary: string;
  chain: ChainLinkJson[];
  missingEvidence: string[];
  remediation: string;
  references: string[];
  byDesign: boolean;
  messageIds: string[];
}

export interface DeliveryJson {
  time: string;
  client: string | null;
  retryTimes: number | null;
  success: boolean | null;
  source: { file: string; line: number };
}

export interface RedeliveryJson extends RedeliveredMessage {
  deliveries: DeliveryJson[];
  incidentId: string;
  cause: string;
}

/** Instants are rendered RFC 3339 in the display zone (--tz), with its offset. */
export function eventTime(e: RmqEvent, tz: ResolvedZone): string {
  return formatInstant(e.instant, tz);
}

export function chainLinkJson(e: RmqEvent, what: string, tz: ResolvedZone): ChainLinkJson {
  return { time: eventTime(e, tz), host: e.host, kind: e.kind, summary: what, file: e.file, line: e.line, text: e.raw };
}

function deliveryJson(d: Delivery, tz: ResolvedZone): DeliveryJson {
  return { time: eventTime(d.event, tz), client: d.client, retryTimes: d.retryTimes, success: d.success, source: { file: d.event.file, line: d.event.line } };
}

export function incidentJson(i: Incident, brokerAddr: (name: string) => string | null, tz: ResolvedZone): IncidentJson {
  const first = i.chain[0]?.event;
  const last = i.chain[i.chain.length - 1]?.event;
  return {
    id: i.id,
    cause: i.cause,
    title: i.meta.title,
    confidence: i.confidence,
    group: i.queue?.group ?? null,
    topic: i.queue?.topic ?? null,
    brokerName: i.queue?.brokerName ?? null,
    brokerAddr: i.queue ? brokerAddr(i.queue.brokerName) : null,
    queueId: i.queue?.queueId ?? null,
    offsetRange: i.offsetRange,
    redeliveredCount: i.redeliveredCount,
    window: {
      start: formatInstant(first ? first.instant : i.window.start, tz),
      end: formatInstant(last ? last.instant : i.window.end, tz),
    },
    summary: i.summary,
    chain: i.chain.map((l) => chainLinkJson(l.event, l.what, tz)),
    missingEvidence: i.missingEvidence,
    remediation: i.meta.remediation,
    references: i.meta.references,
    byDesign: i.meta.byDesign,
    messageIds: i.messageIds,
  };
}

export function buildReport(
  ingestResult: IngestResult,
  diagnosis: Diagnosis,
  opts: { version: string; now: Date; brokerAddr: (name: string) => string | null; skew: Map<string, number>; tz: ResolvedZone },
): Report {
  const incidents = diagnosis.incidents.map((i) => incidentJson(i, opts.brokerAddr, opts.tz));
  return {
    schemaVersion: 1,
    tool: { name: 'rmq-forensics', version: opts.version },
    generatedAt: opts.now.toISOString(),
    inputs: ingestResult.files.map(inputJson),
    problems: ingestResult.problems,
    incidents,
    redeliveries: diagnosis.redeliveries.map((r) => ({
      messageId: r.messageId,
      group: r.group,
      topic: r.topic,
      brokerName: r.brokerName,
      queueId: r.queueId,
      queueOffset: r.queueOffset,
      deliveries: r.deliveries.map((d) => deliveryJson(d, opts.tz)),
      incidentId: r.incidentId,
      cause: r.cause,
    })),
    dismissed: diagnosis.dismissed.map((d) => ({ messageId: d.messageId, cause: d.cause, reason: d.reason, deliveries: d.deliveries.map((x) => deliveryJson(x, opts.tz)) })),
    clockSkew: [...opts.skew.entries()].map(([k, v]) => {
      const [clientHost, brokerHost] = k.split('>');
      return { clientHost: clientHost!, brokerHost: brokerHost!, skewMs: v };
    }),
    summary: {
      incidents: incidents.length,
      redeliveredMessages: incidents.reduce((n, i) => n + (i.redeliveredCount ?? 0), 0),
      anomalies: incidents.filter((i) => !i.byDesign).length,
      byDesign: incidents.filter((i) => i.byDesign).length,
      byCause: countByCause(incidents),
    },
  };
}
