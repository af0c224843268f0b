import { DateTime, IANAZone, FixedOffsetZone } from 'luxon';

/**
 * Wall-clock → instant conversion with the zone's offset known per hour (per minute in the hours
 * it changes), so luxon stays off the hot path: plain arithmetic for nearly every line.
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

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * What is known of a zone with rules: spans `[from, to)` of whole hours over which its offset is
 * `minutes` throughout (luxon asked at both ends of each of them), a few per zone (files of other
 * days are read at the same time), the most recently used first; `stopFrom` and `stopTo`, where
 * widening a span met an hour with another offset; and per-minute offsets for the hours in which
 * the offset changes.
 */
interface OffsetSpan {
  from: number;
  to: number;
  minutes: number;
  stopFrom: number;
  stopTo: number;
}

interface ZoneSpans {
  spans: OffsetSpan[];
  byMinute: Map<number, number>;
}

/** Spans kept per zone. */
const SPANS = 8;

const zoneSpans = new Map<string, ZoneSpans>();

function spansOf(name: string): ZoneSpans {
  let z = zoneSpans.get(name);
  if (z === undefined) {
    z = { spans: [], byMinute: new Map() };
    zoneSpans.set(name, z);
  }
  return z;
}

/** The span holding the instant (moved to the front), or null. */
function spanAt(z: ZoneSpans, instant: number): OffsetSpan | null {
  const spans = z.spans;
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    if (instant >= s.from && instant < s.to) {
      if (i > 0) {
        spans.splice(i, 1);
        spans.unshift(s);
      }
      return s;
    }
  }
  return null;
}

function luxonOffset(name: string, instant: number): number {
  return DateTime.fromMillis(instant, { zone: name }).offset;
}

/** The offset of a whole hour, or null when it changes within it (no zone changes its offset twice within an hour). */
function hourOffset(name: string, hour: number): number | null {
  const a = luxonOffset(name, hour);
  return luxonOffset(name, hour + HOUR - 60_000) === a ? a : null;
}

/**
 * Offset (minutes) of a zone with rules at the start of the instant's minute, as luxon gives it,
 * asking luxon twice per hour of log rather than once per minute.
 */
function ruledOffset(name: string, instant: number): number {
  const z = spansOf(name);
  const hit = spanAt(z, instant);
  if (hit !== null) return hit.minutes;
  const hour = Math.floor(instant / HOUR) * HOUR;
  const o = hourOffset(name, hour);
  if (o === null) {
    // An hour with a transition: minute by minute.
    const minute = Math.floor(instant / 60_000) * 60_000;
    let m = z.byMinute.get(minute);
    if (m === undefined) {
      m = luxonOffset(name, minute);
      if (z.byMinute.size > 50_000) z.byMinute.clear();
      z.byMinute.set(minute, m);
    }
    return m;
  }
  // (an hour next to a span with the same offset joins it; else it starts a span of its own)
  const next = z.spans.find((s) => s.minutes === o && (hour === s.to || hour + HOUR === s.from));
  if (next !== undefined) {
    if (hour === next.to) next.to += HOUR;
    else next.from = hour;
    spanAt(z, hour);
  } else {
    z.spans.unshift({ from: hour, to: hour + HOUR, minutes: o, stopFrom: Number.NEGATIVE_INFINITY, stopTo: Number.POSITIVE_INFINITY });
    if (z.spans.length > SPANS) z.spans.pop();
  }
  return o;
}

/** Offsets differ by at most 26 hours: every reading of a wall time lies within this of any other. */
const READINGS_WITHIN = 27 * HOUR;

/**
 * The instant a wall time (as if UTC) stands for in a zone with rules, when the zone's offset is
 * known to hold for long enough around it that no other instant can stand for it (else null).
 */
function uniqueWallInstant(name: string, wallUtc: number): number | null {
  const z = zoneSpans.get(name);
  if (z === undefined) return null;
  for (const s of z.spans) {
    const t = wallUtc - s.minutes * 60_000;
    if (t < s.from - HOUR || t >= s.to + HOUR) continue;
    // Widen the span over every other reading's place, an hour at a time, while the offset
    // holds: another reading would need another offset, so there is none, and t is the one
    // luxon gives.
    while (s.to <= t + READINGS_WITHIN) {
      if (s.to >= s.stopTo) return null;
      if (hourOffset(name, s.to) !== s.minutes) {
        s.stopTo = s.to;
        return null;
      }
      s.to += HOUR;
    }
    while (s.from > t - READINGS_WITHIN) {
      if (s.from <= s.stopFrom) return null;
      if (hourOffset(name, s.from - HOUR) !== s.minutes) {
        s.stopFrom = s.from;
        return null;
      }
      s.from -= HOUR;
    }
    return t;
  }
  return null;
}

let lastValidDay = -1;

/** A calendar date that exists (the last one asked about is remembered). */
function validDay(year: number, month: number, day: number): boolean {
  const key = year * 10_000 + month * 100 + day;
  if (key === lastValidDay) return true;
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31)) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCDate() !== day || d.getUTCMonth() !== month - 1) return false;
  lastValidDay = key;
  return true;
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
  // (Date.UTC reads years 0–99 as 1900–1999, and rolls a day 31 of a 30-day month over: those
  // take luxon's way, which reads them as written or calls them invalid)
  const wallMinute = year >= 100 && hour < 24 && minute < 60 && validDay(year, month, day) ? Date.UTC(year, month - 1, day, hour, minute) : Number.NaN;
  if (!Number.isNaN(wallMinute)) {
    const unique = uniqueWallInstant(zone.name, wallMinute);
    if (unique !== null) return unique + second * 1000 + ms;
  }
  const key = `${zone.name}|${year}|${month}|${day}|${hour}|${minute}`;
  let base = minuteCache.get(key);
  if (base === undefined) {
    const dt = DateTime.fromObject({ year, month, day, hour, minute, second: 0, millisecond: 0 }, { zone: zone.name });
    base = dt.isValid ? dt.toMillis() : Date.UTC(year, month - 1, day, hour, minute);
    if (minuteCache.size > 50_000) minuteCache.clear();
    minuteCache.set(key, base);
    // (learn the offsets around it, so that the next wall times of this stretch take the short way)
    if (dt.isValid) ruledOffset(zone.name, base);
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
  if (typeof zone !== 'string') {
    const quick = isoByArithmetic(instant, zone);
    if (quick !== null) return quick;
  }
  const name = typeof zone === 'string' ? zone : zone.fixedOffsetMinutes !== null ? FixedOffsetZone.instance(zone.fixedOffsetMinutes).name : zone.name;
  const dt = DateTime.fromMillis(instant, { zone: name });
  return dt.toISO({ suppressMilliseconds: false, includeOffset: true }) ?? new Date(instant).toISOString();
}

/** The last day's `yyyy-MM-dd` (wall days since the epoch → text). */
/**
 * What luxon's toISO gives, by arithmetic (the zone's offset known per hour): for whole-minute
 * offsets and years 1000–9999; null otherwise, and luxon answers. A fixed zone at offset 0 is
 * `Z`, a zone with rules `+00:00`, as luxon writes them.
 */
function isoByArithmetic(instant: number, zone: ResolvedZone): string | null {
  if (!Number.isFinite(instant)) return null;
  const minutes = zone.fixedOffsetMinutes ?? ruledOffset(zone.name, instant);
  if (!Number.isInteger(minutes)) return null;
  const w = wallOf(instant, minutes);
  if (!(w.year >= 1000 && w.year <= 9999)) return null;
  const frac = w.ms < 10 ? `00${w.ms}` : w.ms < 100 ? `0${w.ms}` : `${w.ms}`;
  let offset: string;
  if (minutes === 0 && zone.fixedOffsetMinutes !== null) offset = 'Z';
  else {
    const a = Math.abs(minutes);
    offset = `${minutes < 0 ? '-' : '+'}${TWO_DIGITS[Math.floor(a / 60)] ?? String(Math.floor(a / 60))}:${TWO_DIGITS[a % 60]}`;
  }
  return `${w.date}T${w.time}.${frac}${offset}`;
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

/** The last day's `yyyy-MM-dd ` (wall days since the epoch → text). */
/** The last day's `yyyy-MM-dd` and year (wall days since the epoch → text). */
let dayText = { day: Number.NaN, year: 0, text: '' };
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/** The wall date, time of day and milliseconds of an instant at an offset (the day's text cached). */
function wallOf(instant: number, minutes: number): { year: number; date: string; time: string; ms: number } {
  const wall = instant + minutes * 60_000;
  const day = Math.floor(wall / DAY);
  if (day !== dayText.day) {
    const d = new Date(day * DAY);
    const y = d.getUTCFullYear();
    dayText = { day, year: y, text: y >= 0 && y <= 9999 ? `${pad(y, 4)}-${TWO_DIGITS[d.getUTCMonth() + 1]}-${TWO_DIGITS[d.getUTCDate()]}` : '' };
  }
  const inDay = wall - day * DAY;
  const sec = Math.floor(inDay / 1000);
  return { year: dayText.year, date: dayText.text, time: `${TWO_DIGITS[Math.floor(sec / 3600)]}:${TWO_DIGITS[Math.floor(sec / 60) % 60]}:${TWO_DIGITS[sec % 60]}`, ms: inDay - sec * 1000 };
}

/**
 * `yyyy-MM-dd HH:mm:ss` of an instant in a zone: the wall time a log line printed, rebuilt (the
 * zone's offset known per hour, so luxon stays off the hot path). Years outside 0–9999 give a
 * text no layout prints, which the caller's check rejects.
 */
export function wallSecondText(instant: number, zone: ResolvedZone): string {
  const w = wallOf(instant, zone.fixedOffsetMinutes ?? ruledOffset(zone.name, instant));
  return w.date === '' ? '' : `${w.date} ${w.time}`;
}

function pad(v: number, n: number): string {
  const s = String(v);
  return s.length >= n ? s : '0'.repeat(n - s.length) + s;
}
