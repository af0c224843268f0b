import { DateTime, IANAZone, FixedOffsetZone } from 'luxon';

/**
 * Wall-clock → instant conversion with a per-minute cache of the zone offset, so luxon stays
 * off the hot path: one luxon call per distinct (zone, minute), plain arithmetic otherwise.
 */
export interface ResolvedZone {
  /** As shown to users: `GMT+8`, `Asia/Shanghai`, `UTC`. */
  name: string;
  /** Fixed offset in minutes, or null for a zone with rules (DST). */
  fixedOffsetMinutes: number | null;
}

export const GMT8: ResolvedZone = { name: 'GMT+8', fixedOffsetMinutes: 480 };

export function systemZoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * Accepts IANA names (`Asia/Shanghai`), `UTC`, `GMT+8`, `UTC+08:00`, `+08:00`, `-0530`.
 * Throws an Error with a one-line message when the zone is unknown.
 */
export function resolveZone(spec: string): ResolvedZone {
  const s = spec.trim();
  const m = /^(?:GMT|UTC)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(s);
  if (m) {
    const minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? '0'));
    if (Math.abs(minutes) > 14 * 60) throw new Error(`time zone offset out of range: ${spec}`);
    return { name: s.toUpperCase().startsWith('UTC') || s.toUpperCase().startsWith('GMT') ? s : `UTC${s}`, fixedOffsetMinutes: minutes };
  }
  if (/^(UTC|GMT|Z)$/i.test(s)) return { name: 'UTC', fixedOffsetMinutes: 0 };
  if (!IANAZone.isValidZone(s)) throw new Error(`unknown time zone "${spec}" (use an IANA name such as Asia/Shanghai, or an offset such as +08:00)`);
  const zone = IANAZone.create(s);
  // A zone without DST rules in practice still goes through the cache; that is cheap enough.
  return { name: zone.name, fixedOffsetMinutes: null };
}

const minuteCache = new Map<string, number>();

/**
 * Epoch ms of a wall-clock time in a zone. Month is 1-based. Milliseconds may be 0 when the
 * layout has none.
 */
export function wallToInstant(
  zone: ResolvedZone,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
): number {
  if (zone.fixedOffsetMinutes !== null) {
    return Date.UTC(year, month - 1, day, hour, minute, second, ms) - zone.fixedOffsetMinutes * 60_000;
  }
  const key = `${zone.name}|${year}|${month}|${day}|${hour}|${minute}`;
  let base = minuteCache.get(key);
  if (base === undefined) {
    const dt = DateTime.fromObject({ year, month, day, hour, minute, second: 0, millisecond: 0 }, { zone: zone.name });
    base = dt.isValid ? dt.toMillis() : Date.UTC(year, month - 1, day, hour, minute);
    if (minuteCache.size > 50_000) minuteCache.clear();
    minuteCache.set(key, base);
  }
  return base + second * 1000 + ms;
}

/** Offset of a zone at an instant, for display (`+08:00`). */
export function offsetAt(zone: ResolvedZone, instant: number): string {
  const minutes =
    zone.fixedOffsetMinutes ?? DateTime.fromMillis(instant, { zone: zone.name }).offset;
  return FixedOffsetZone.instance(minutes).formatOffset(instant, 'short');
}

/** RFC 3339 with the given zone's offset, millisecond precision: `2023-09-05T03:21:42.000+08:00`. */
export function formatInstant(instant: number, zone: ResolvedZone | string = 'UTC'): string {
  const name = typeof zone === 'string' ? zone : zone.fixedOffsetMinutes !== null ? FixedOffsetZone.instance(zone.fixedOffsetMinutes).name : zone.name;
  const dt = DateTime.fromMillis(instant, { zone: name });
  return dt.toISO({ suppressMilliseconds: false, includeOffset: true }) ?? new Date(instant).toISOString();
}

/** Parses RFC 3339 / ISO 8601 with offset; returns null when unparseable. */
export function parseRfc3339(text: string): number | null {
  const dt = DateTime.fromISO(text, { setZone: true });
  return dt.isValid ? dt.toMillis() : null;
}

/** Human form in a zone: `2023-09-05 03:21:42.000`. */
export function formatWall(instant: number, zone: ResolvedZone): string {
  const name = zone.fixedOffsetMinutes !== null ? FixedOffsetZone.instance(zone.fixedOffsetMinutes).name : zone.name;
  return DateTime.fromMillis(instant, { zone: name }).toFormat('yyyy-MM-dd HH:mm:ss.SSS');
}

const offsetCache = new Map<string, number>();

/**
 * `yyyy-MM-dd HH:mm:ss` of an instant in a zone: the wall time a log line printed, rebuilt (the
 * zone's offset cached per minute, so luxon stays off the hot path). Years outside 0–9999 give
 * a text no layout prints, which the caller's check rejects.
 */
export function wallSecondText(instant: number, zone: ResolvedZone): string {
  let minutes = zone.fixedOffsetMinutes;
  if (minutes === null) {
    const minute = Math.floor(instant / 60_000);
    const key = `${zone.name}|${minute}`;
    let m = offsetCache.get(key);
    if (m === undefined) {
      m = DateTime.fromMillis(minute * 60_000, { zone: zone.name }).offset;
      if (offsetCache.size > 50_000) offsetCache.clear();
      offsetCache.set(key, m);
    }
    minutes = m;
  }
  const d = new Date(instant + minutes * 60_000);
  const y = d.getUTCFullYear();
  if (!(y >= 0 && y <= 9999)) return '';
  return `${pad(y, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
}

function pad(v: number, n: number): string {
  const s = String(v);
  return s.length >= n ? s : '0'.repeat(n - s.length) + s;
}
