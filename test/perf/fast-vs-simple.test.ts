import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { fastPath } from '../../src/ingest/fastpath.js';
import { FIXTURES } from '../helpers.js';

/** The JSON report of one run, `generatedAt` removed. */
async function report(dir: string, args: string[], tz: string, fast: boolean): Promise<{ json: unknown; code: number }> {
  const before = fastPath.enabled;
  fastPath.enabled = fast;
  let out = '';
  try {
    const code = await main(['node', 'rmq-forensics', 'analyze', dir, '--format', 'json', '--tz', tz, ...args], {
      out: (s) => {
        out += s;
      },
      err: () => {},
      isTTY: false,
    });
    const json = JSON.parse(out) as Record<string, unknown>;
    delete json.generatedAt;
    return { json, code };
  } finally {
    fastPath.enabled = before;
  }
}

const bundles = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((d) => existsSync(path.join(FIXTURES, d, 'expected.json'))).sort() : [];

describe('the fast path gives exactly the report of the simple path', () => {
  it('there are fixture bundles', () => assert.ok(bundles.length > 0));
  for (const name of bundles) {
    it(name, async () => {
      const dir = path.join(FIXTURES, name);
      const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as { args?: string[]; tz?: string };
      const args = expected.args ?? [];
      const tz = expected.tz ?? 'Asia/Shanghai';
      const simple = await report(dir, args, tz, false);
      const fast = await report(dir, args, tz, true);
      assert.equal(fast.code, simple.code);
      assert.deepStrictEqual(fast.json, simple.json);
    });
  }
});
