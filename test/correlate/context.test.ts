import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { buildContext } from '../../src/correlate/index.js';
import { CLIENT_INNER_FORMAT } from '../../src/formats/client-log.js';
import type { EventKindOf } from '../../src/correlate/index.js';
import type { RmqEvent } from '../../src/model/events.js';
import { FIXTURES, parseWith } from '../helpers.js';

/** buildContext's event lists: every event but the commits, in the order given; each kind's, exactly. */
describe('context: the event lists', () => {
  const text = readFileSync(path.join(FIXTURES, 'seed-000', '172.66.6.3', 'logs', 'rocketmqlogs', 'rocketmq_client.log'), 'utf8');
  const parsed = parseWith(CLIENT_INNER_FORMAT, text, { host: '172.66.6.3' }).events;
  const kinds = (events: readonly RmqEvent[]): Set<string> => new Set(events.map((e) => e.kind));

  it('with commits among the events: they go to the store, the rest keep their order, and each kind lists its own', () => {
    assert.ok(parsed.some((e) => e.kind === 'offset-persist'), 'the fixture log has commits');
    const ctx = buildContext(parsed, { skewMs: 5000 });
    const rest = parsed.filter((e) => e.kind !== 'offset-persist');
    assert.deepEqual(ctx.events, rest);
    assert.ok(ctx.persists.series.length > 0);
    for (const k of kinds(rest)) {
      const list = ctx.of(k as EventKindOf);
      assert.deepEqual(list, rest.filter((e) => e.kind === k), k);
      assert.ok(list.every((e) => e !== undefined), `${k}: no hole`);
    }
    assert.deepEqual(ctx.of('offset-persist' as EventKindOf), []);
  });

  it('without commits: the events as given (not copied), and the same lists', () => {
    const rest = parsed.filter((e) => e.kind !== 'offset-persist');
    const ctx = buildContext(rest, { skewMs: 5000 });
    assert.equal(ctx.events, rest);
    for (const k of kinds(rest)) assert.deepEqual(ctx.of(k as EventKindOf), rest.filter((e) => e.kind === k), k);
  });
});
