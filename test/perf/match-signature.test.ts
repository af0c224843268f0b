import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BROKER_SIGNATURES } from '../../src/formats/signatures/broker.js';
import { CLIENT_SIGNATURES } from '../../src/formats/signatures/client.js';
import { matchSignature, matchSignatureSimple, routineSignatures } from '../../src/formats/text.js';
import { WARM_KINDS } from '../../src/model/cold.js';
import type { AnySignature, Entry } from '../../src/formats/types.js';

const entry = (msg: string): Entry => ({ msg, continuation: [], exception: null, level: null, thread: null, logger: null });

function same(table: readonly AnySignature[], msg: string): void {
  const fast = matchSignature(table, entry(msg));
  const simple = matchSignatureSimple(table, entry(msg));
  assert.equal(fast?.sig.id ?? null, simple?.sig.id ?? null, msg);
  assert.deepStrictEqual(fast?.fields ?? null, simple?.fields ?? null, msg);
}

const PERSIST = '[persistAll] Group: pos-provider ClientId: 172.66.6.3@12345#1289456702398741 updateConsumeOffsetToBroker MessageQueue [topic=pos_create, brokerName=broker-b, queueId=0] 1200';

describe('the anchor prefilter and the [persistAll] reader agree with the plain signature loop', () => {
  it('on every catalog sample line (message part, and every suffix of it)', () => {
    for (const table of [CLIENT_SIGNATURES, BROKER_SIGNATURES]) {
      for (const s of table) {
        for (const sample of s.samples) {
          const first = sample.split('\n', 1)[0]!;
          const i = first.indexOf(' - ');
          const msg = i >= 0 ? first.slice(i + 3) : first;
          same(table, msg);
          same(table, first);
          for (let k = 1; k < msg.length; k += 7) same(table, msg.slice(k));
        }
      }
    }
  });

  it('a line first matched by a routine kind (a reparse of warm or cold lines) matches the same in the routine kinds alone', () => {
    let routine = 0;
    for (const table of [CLIENT_SIGNATURES, BROKER_SIGNATURES]) {
      const sub = routineSignatures(table);
      assert.ok(sub.length > 0 && sub.length < table.length);
      for (const s of table) {
        for (const sample of s.samples) {
          const first = sample.split('\n', 1)[0]!;
          const i = first.indexOf(' - ');
          const msg = i >= 0 ? first.slice(i + 3) : first;
          for (let k = 0; k < msg.length; k += 7) {
            const full = matchSignature(table, entry(msg.slice(k)));
            if (!full || !WARM_KINDS.has(full.sig.kind)) continue;
            routine++;
            const again = matchSignature(sub, entry(msg.slice(k)));
            assert.equal(again?.sig.id, full.sig.id, msg.slice(k));
            assert.deepStrictEqual(again?.fields, full.fields, msg.slice(k));
          }
        }
      }
    }
    assert.ok(routine > 50, `${routine} routine lines`);
  });

  it('on [persistAll] lines that are almost of the usual shape', () => {
    const variants = [
      PERSIST,
      PERSIST.replace('[persistAll]', '[persist]'),
      PERSIST.replace(' 1200', ' -1'),
      PERSIST.replace(' 1200', ' -0'),
      PERSIST.replace(' 1200', ' 12,00'),
      PERSIST.replace(' 1200', ' 1200 '),
      PERSIST.replace(' 1200', ''),
      PERSIST.replace('queueId=0', 'queueId=-3'),
      PERSIST.replace('queueId=0', 'queueId='),
      PERSIST.replace('queueId=0', 'queueId=x'),
      PERSIST.replace('pos-provider', 'pos provider'),
      PERSIST.replace('pos-provider', 'pos\tprovider'),
      PERSIST.replace('pos-provider', '订单组'),
      PERSIST.replace('pos-provider', 'pos\u00a0provider'),
      PERSIST.replace('topic=pos_create', 'topic=pos,create'),
      PERSIST.replace('topic=pos_create', 'topic=pos[create'),
      PERSIST.replace('topic=pos_create', 'topic='),
      PERSIST.replace('brokerName=broker-b', 'brokerName=broker]b'),
      PERSIST.replace('ClientId: ', 'ClientId:  '),
      PERSIST.replace('Group: ', 'Group:  '),
      PERSIST + '\r',
      PERSIST.replace(' 1200', ' 1' + '0'.repeat(400)),
      '[persistAll] Group: g ClientId: c updateConsumeOffsetToBroker exception, ' + PERSIST,
    ];
    for (const v of variants) {
      same(CLIENT_SIGNATURES, v);
      same(BROKER_SIGNATURES, v);
    }
  });
});

describe('literal prefix of a signature pattern (the fast path dispatches on it)', () => {
  it('stops at the first regex construct, keeps escaped punctuation, refuses alternations and /i', async () => {
    const { literalPrefix } = await import('../../src/formats/text.js');
    assert.equal(literalPrefix(/^fetchConsumeOffsetFromBroker exception, (?<mq>x)/), 'fetchConsumeOffsetFromBroker exception, ');
    assert.equal(literalPrefix(/^\[NOTIFYME\]update consumer offset/), '[NOTIFYME]update consumer offset');
    assert.equal(literalPrefix(/^the request offset: \d+ over/), 'the request offset: ');
    assert.equal(literalPrefix(/^abcx?y/), 'abc');
    assert.equal(literalPrefix(/^abcx+y/), 'abcx');
    assert.equal(literalPrefix(/^Allocate (?<a>x)$|^allocate message/), '');
    assert.equal(literalPrefix(/^(?:client )?rebalanced/), '');
    assert.equal(literalPrefix(/^Send heart/i), '');
    assert.equal(literalPrefix(/send heart/), '');
  });
});

describe('thin [persistAll] events', () => {
  it('rebuild exactly the line they came from, and serialise with their raw text', async () => {
    const { parseWith } = await import('../helpers.js');
    const { CLIENT_INNER_FORMAT } = await import('../../src/formats/client-log.js');
    const lines = [
      '2024-05-10 14:23:00,012 INFO RocketmqClient - [persistAll] Group: pos-provider ClientId: 172.66.6.3@12345#1289456702398741 updateConsumeOffsetToBroker MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0] 1200',
      '2024-05-10 14:23:01,230 INFO RocketmqClient - [persist] Group: pos-provider ClientId: 172.66.6.3@12345 updateConsumeOffsetToBroker MessageQueue [topic=%RETRY%pos-provider, brokerName=broker-a, queueId=3] 0',
    ];
    const parsed = parseWith(CLIENT_INNER_FORMAT, lines.join('\r\n') + '\r\n');
    assert.equal(parsed.events.length, 2);
    parsed.events.forEach((e, i) => {
      assert.equal(e.kind, 'offset-persist');
      assert.equal(e.raw, lines[i]);
      const json = JSON.parse(JSON.stringify(e)) as Record<string, unknown>;
      assert.equal(json.raw, lines[i]);
      assert.equal(json.prefix, undefined);
      assert.deepEqual(json.fields, JSON.parse(JSON.stringify(e.fields)));
    });
  });
});
