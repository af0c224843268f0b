import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ColdFile, ColdStore, RULE_INFO_WHATS } from '../../src/model/cold.js';
import type { RmqEvent } from '../../src/model/events.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** A stand-in parser: one `info` event per line, its text as detail. */
const reparse = (lines: readonly { text: string; line: number }[]): RmqEvent[] =>
  lines.map(
    (l) =>
      ({
        kind: 'info',
        fields: { what: 'netty-server-channel', detail: l.text },
        file: 'remoting.log',
        line: l.line,
        host: null,
        timestampText: '',
        instant: Number(l.text.split(' ')[0]),
        precision: 's',
        zone: { zone: 'UTC', from: 'tz' },
        raw: l.text,
        exception: null,
        level: null,
        thread: null,
        seq: 0,
      }) as RmqEvent,
  );

describe('cold lines', () => {
  it('every info `what` a rule compares is kept hot (RULE_INFO_WHATS)', () => {
    const root = path.join(import.meta.dirname, '..', '..', '..', 'src', 'diagnose');
    const used = new Set<string>();
    for (const f of sources(root)) for (const m of readFileSync(f, 'utf8').matchAll(/what === '([a-z0-9-]+)'/g)) used.add(m[1]!);
    assert.ok(used.size > 0, 'the rules compare some info lines by name');
    for (const w of used) assert.ok(RULE_INFO_WHATS.has(w), `${w} is read by a rule but may go cold`);
  });

  it('blocks (spilled or not) give back each line, the first and last of a host in a window, and every line', () => {
    const f = new ColdFile('remoting.log', '10.0.0.1', reparse);
    f.rank = 3;
    for (let i = 1; i <= 5000; i++) f.add(`${1000 + i * 10} channel ${i}`, i * 2, 1000 + i * 10);
    f.seal();
    const store = new ColdStore();
    store.add(f);
    assert.equal(store.count, 5000);
    assert.equal(store.max, 1000 + 5000 * 10);
    const first = store.edge('10.0.0.1', 1000 + 2047 * 10, 1000 + 4100 * 10, 'first');
    assert.equal(first?.raw, `${1000 + 2047 * 10} channel 2047`);
    assert.equal(first?.line, 2047 * 2);
    assert.equal(first?.seq, 3 * 1e8 + 2047 * 2);
    assert.equal(first?.host, '10.0.0.1');
    const last = store.edge('10.0.0.1', 0, 1000 + 4100 * 10, 'last');
    assert.equal(last?.raw, `${1000 + 4100 * 10} channel 4100`);
    assert.equal(store.edge('10.0.0.1', 0, 1000, 'first'), null);
    assert.equal(store.edge('10.0.0.2', 0, 1e9, 'first'), null);
    assert.equal(f.at(4999).raw, `${1000 + 5000 * 10} channel 5000`);
    assert.equal(f.at(10), f.at(10), 'one object per line');
    const all = f.events();
    assert.equal(all.length, 5000);
    assert.deepEqual(
      all.slice(2046, 2049).map((e) => e.line),
      [4094, 4096, 4098],
    );
  });
});
