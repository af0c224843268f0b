import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { formatInstant, resolveZone, wallSecondText, wallToInstant } from '../../src/model/time.js';
import { DateTime as LuxonDateTime, FixedOffsetZone } from 'luxon';

/**
 * The zone's offset is known per hour (per minute in the hours it changes), and a wall time is
 * turned into an instant by arithmetic where the offset holds for a day around it. Both must give
 * exactly what luxon gives, across DST changes, in any order of asking.
 */
const ZONES = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Apia', 'America/Sao_Paulo'];

/** A small deterministic generator (the same cases every run). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function luxonWall(instant: number, zone: string): string {
  return DateTime.fromMillis(instant, { zone }).toFormat('yyyy-MM-dd HH:mm:ss');
}

function luxonInstant(zone: string, y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const dt = DateTime.fromObject({ year: y, month: mo, day: d, hour: h, minute: mi, second: 0, millisecond: 0 }, { zone });
  return (dt.isValid ? dt.toMillis() : Date.UTC(y, mo - 1, d, h, mi)) + s * 1000 + ms;
}

/** Instants through the transitions of 2011 (Apia skipped 30 December) and 2023 (Lord Howe moves half an hour at 15:30 UTC), minute steps and jumps. */
function instants(seed: number): number[] {
  const r = rng(seed);
  const out: number[] = [];
  for (const start of [Date.UTC(2011, 11, 28), Date.UTC(2023, 2, 10), Date.UTC(2023, 9, 27), Date.UTC(2023, 3, 1), Date.UTC(2023, 8, 29)]) {
    let t = start;
    for (let i = 0; i < 3000; i++) {
      t += Math.floor(r() * 7 * 60_000);
      out.push(t);
    }
  }
  // and some in no order at all
  for (let i = 0; i < 2000; i++) out.push(Date.UTC(2010, 0, 1) + Math.floor(r() * 15 * 365 * 86_400_000));
  return out;
}

describe('zone offsets known per hour: as luxon gives them', () => {
  for (const name of ZONES) {
    it(`${name}: wall text of instants, and instants of wall times`, () => {
      const zone = resolveZone(name);
      for (const t of instants(name.length * 7919)) {
        const text = wallSecondText(t, zone);
        assert.equal(text, luxonWall(Math.floor(t / 1000) * 1000, name), `wall text of ${new Date(t).toISOString()}`);
        const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(text)!;
        const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
        const ms = t % 1000;
        assert.equal(wallToInstant(zone, y, mo, d, h, mi, s, ms), luxonInstant(name, y, mo, d, h, mi, s, ms), `instant of ${text} in ${name}`);
      }
    });
  }

  it('wall times that do not exist or are ambiguous: as luxon reads them', () => {
    const ny = resolveZone('America/New_York');
    // settle the span on a quiet stretch first, then ask about the gap and the overlap next to it
    for (let d = 1; d <= 9; d++) wallToInstant(ny, 2023, 3, d, 12, 0, 0, 0);
    for (const [mo, d, h, mi] of [[3, 12, 2, 30], [3, 12, 1, 59], [3, 12, 3, 0], [11, 5, 1, 30], [11, 5, 0, 59], [11, 5, 2, 0]] as const) {
      assert.equal(wallToInstant(ny, 2023, mo, d, h, mi, 15, 250), luxonInstant('America/New_York', 2023, mo, d, h, mi, 15, 250));
    }
    // days that do not exist, and two-digit years: luxon's way
    const sh = resolveZone('Asia/Shanghai');
    for (const [y, mo, d] of [[2023, 2, 30], [2023, 4, 31], [2023, 13, 1], [99, 5, 1], [2024, 2, 29]] as const) {
      assert.equal(wallToInstant(sh, y, mo, d, 10, 0, 0, 0), luxonInstant('Asia/Shanghai', y, mo, d, 10, 0, 0, 0), `${y}-${mo}-${d}`);
    }
  });

  it('RFC 3339 text of instants, in fixed and ruled zones, as luxon writes it (Z only for a fixed zone at offset 0)', () => {
    const specs = ['UTC', 'GMT+8', '+05:30', '-03:00', '+14:00', '-12:00', ...ZONES, 'Europe/London', 'Africa/Abidjan'];
    for (const spec of specs) {
      const zone = resolveZone(spec);
      const name = zone.fixedOffsetMinutes !== null ? FixedOffsetZone.instance(zone.fixedOffsetMinutes).name : zone.name;
      const cases = [...instants(spec.length * 31), Date.UTC(1899, 11, 31, 23, 59, 59, 999), Date.UTC(999, 0, 1), Date.UTC(10000, 0, 1), 0, -1];
      for (const t of cases) {
        const want = LuxonDateTime.fromMillis(t, { zone: name }).toISO({ suppressMilliseconds: false, includeOffset: true }) ?? new Date(t).toISOString();
        assert.equal(formatInstant(t, zone), want, `${spec} ${t}`);
      }
    }
  });
});
