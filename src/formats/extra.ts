import type { Format } from './types.js';
import { APP_LOG_FORMAT } from './app-log.js';
import { MQADMIN_CONSUME_STATS_FORMAT, MQADMIN_MSG_FORMAT, MQADMIN_PROGRESS_FORMAT, MQADMIN_TRACE_FORMAT } from './mqadmin.js';
import { TRACE_ALI_FORMAT, TRACE_HUAWEI_FORMAT } from './trace-cloud.js';
import { TRACE_DASHBOARD_FORMAT } from './trace-dashboard.js';
import { TRACE_RAW_FORMAT } from './trace-raw.js';
import { TRACE_JAEGER_FORMAT, TRACE_OTLP_FORMAT, TRACE_ZIPKIN_FORMAT } from './trace-spans.js';

/** Structured formats (traces, mqadmin output, APM spans) register here. */
export const EXTRA_FORMATS: readonly Format[] = [
  TRACE_RAW_FORMAT,
  TRACE_DASHBOARD_FORMAT,
  TRACE_HUAWEI_FORMAT,
  TRACE_ALI_FORMAT,
  TRACE_OTLP_FORMAT,
  TRACE_JAEGER_FORMAT,
  TRACE_ZIPKIN_FORMAT,
  MQADMIN_TRACE_FORMAT,
  MQADMIN_MSG_FORMAT,
  MQADMIN_PROGRESS_FORMAT,
  MQADMIN_CONSUME_STATS_FORMAT,
  // Only when forced (--format app-log) or wired through consumePatternScore.
  APP_LOG_FORMAT,
];
