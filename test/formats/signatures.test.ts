import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLIENT_INNER, CLIENT_LOG4J, CLIENT_LOGBACK5, CLIENT_SLF4J, LOGBACK_GMT8, BROKER_STATS, BROKER_PLAIN } from '../../src/formats/layouts.js';
import { CLIENT_SIGNATURES } from '../../src/formats/signatures/client.js';
import { BROKER_SIGNATURES } from '../../src/formats/signatures/broker.js';
import { parseStamp, type Layout } from '../../src/formats/text.js';
import type { AnySignature, Entry } from '../../src/formats/types.js';
import { resolveZone } from '../../src/model/time.js';
import { lineEntry } from '../helpers.js';

/**
 * lnav-style format samples: every signature carries at least one full sample line from the
 * catalog; each sample's prefix fits one of its family's layouts, its timestamp parses, and its
 * message matches exactly this signature of its table (and no other).
 */
const FAMILIES: { name: string; table: AnySignature[]; layouts: Layout[] }[] = [
  { name: 'client', table: CLIENT_SIGNATURES, layouts: [CLIENT_INNER, CLIENT_LOGBACK5, CLIENT_LOG4J, LOGBACK_GMT8, CLIENT_SLF4J] },
  { name: 'broker', table: BROKER_SIGNATURES, layouts: [LOGBACK_GMT8, BROKER_STATS, BROKER_PLAIN] },
];

const zone = resolveZone('Asia/Shanghai');

function entryOf(sample: string, layouts: Layout[]): { entry: Entry; layout: Layout; stampOk: boolean } | null {
  const r = lineEntry(sample, layouts);
  if (!r) return null;
  const stamp = parseStamp(r.groups.date!, r.groups.time!, r.groups.frac, zone, 2024, false);
  return { entry: r.entry, layout: r.layout, stampOk: stamp !== null && Number.isFinite(stamp.instant) };
}

function matching(table: AnySignature[], entry: Entry): string[] {
  const ids: string[] = [];
  for (const s of table) {
    if (!entry.msg.includes(s.anchor)) continue;
    const m = s.pattern.exec(entry.msg);
    if (!m) continue;
    const f = (s.fields as (g: Record<string, string>, e: Entry) => unknown)(m.groups ?? {}, entry);
    if (f !== null) ids.push(s.id);
  }
  return ids;
}

for (const fam of FAMILIES) {
  describe(`${fam.name} signatures`, () => {
    it('have unique ids', () => {
      const ids = fam.table.map((s) => s.id);
      assert.equal(new Set(ids).size, ids.length);
    });
    for (const s of fam.table) {
      it(`${s.id}: every sample matches exactly this signature`, () => {
        assert.ok(s.samples.length >= 1, `${s.id} has no sample`);
        assert.ok(s.pattern.source.startsWith('^'), `${s.id}: pattern must be anchored at ^`);
        assert.ok(!s.pattern.flags.includes('g'), `${s.id}: pattern must not be global`);
        for (const sample of s.samples) {
          const r = entryOf(sample, fam.layouts);
          assert.ok(r, `${s.id}: sample prefix fits no ${fam.name} layout: ${sample.slice(0, 120)}`);
          assert.ok(r.stampOk, `${s.id}: timestamp does not parse: ${sample.slice(0, 40)}`);
          assert.deepEqual(matching(fam.table, r.entry), [s.id], `${s.id}: sample matched ${JSON.stringify(matching(fam.table, r.entry))}: ${sample.slice(0, 160)}`);
        }
      });
    }
  });
}

describe('layouts', () => {
  for (const layout of [CLIENT_INNER, CLIENT_LOG4J, CLIENT_LOGBACK5, CLIENT_SLF4J, LOGBACK_GMT8, BROKER_STATS, BROKER_PLAIN]) {
    it(`${layout.id}: samples fit the header and their timestamp parses`, () => {
      assert.ok(layout.samples.length >= 1);
      for (const sample of layout.samples) {
        const g = layout.header.exec(sample)?.groups;
        assert.ok(g, `${layout.id}: ${sample}`);
        assert.ok(parseStamp(g.date!, g.time!, g.frac, zone, 2024, false));
        assert.ok((g.msg ?? '').length > 0);
      }
    });
  }
});
