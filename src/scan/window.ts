import { DateTime } from 'luxon';
import type { ResolvedZone } from '../model/time.js';

/**
 * `--since` / `--until` values: RFC 3339 (`2023-09-05T02:00:00+08:00`), a wall time in the
 * display zone (`2023-09-05 02:00`, `2023-09-05`), a duration back from now (`24h`, `90m`, `7d`,
 * `2w`), or `today` / `yesterday` (midnight in the display zone). Returns epoch ms.
 */
export function parseWhen(text: string, zone: ResolvedZone, now: Date = new Date()): number {
  const s = text.trim();
  const zoneName = zone.fixedOffsetMinutes !== null ? offsetZoneName(zone.fixedOffsetMinutes) : zone.name;
  const nowDt = DateTime.fromJSDate(now, { zone: zoneName });
  const rel = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/i.exec(s);
  if (rel) {
    const n = Number(rel[1]);
    const unit = rel[2]!.toLowerCase();
    const ms = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[unit as 's' | 'm' | 'h' | 'd' | 'w'];
    return now.getTime() - n * ms;
  }
  if (/^today$/i.test(s)) return nowDt.startOf('day').toMillis();
  if (/^yesterday$/i.test(s)) return nowDt.minus({ days: 1 }).startOf('day').toMillis();
  if (/^now$/i.test(s)) return now.getTime();
  // RFC 3339 / ISO with an offset or Z.
  if (/[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)$/i.test(s)) {
    const dt = DateTime.fromISO(s.replace(' ', 'T'), { setZone: true });
    if (dt.isValid) return dt.toMillis();
  }
  for (const fmt of ['yyyy-MM-dd HH:mm:ss.SSS', 'yyyy-MM-dd HH:mm:ss', 'yyyy-MM-dd HH:mm', "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", 'yyyy-MM-dd']) {
    const dt = DateTime.fromFormat(s, fmt, { zone: zoneName });
    if (dt.isValid) return dt.toMillis();
  }
  throw new Error(
    `cannot read the time "${text}": use RFC 3339 (2023-09-05T02:00:00+08:00), "2023-09-05 02:00" (in --tz), a duration such as 24h, 90m or 7d, or today / yesterday`,
  );
}

function offsetZoneName(minutes: number): string {
  if (minutes === 0) return 'UTC';
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `UTC${sign}${Math.floor(a / 60)}${a % 60 ? ':' + String(a % 60).padStart(2, '0') : ''}`;
}

export interface TimeWindow {
  since: number | null;
  until: number | null;
}

/** An incident is inside the window when its re-delivery (window end) falls in [since, until). */
export function inWindow(w: TimeWindow, startMs: number, endMs: number): boolean {
  if (w.since !== null && endMs < w.since) return false;
  if (w.until !== null && startMs >= w.until) return false;
  return true;
}
