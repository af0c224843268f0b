import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BROKER_FORMAT } from '../../src/formats/broker-log.js';
import { CLIENT_INNER_FORMAT, CLIENT_LOGBACK_FORMAT } from '../../src/formats/client-log.js';
import type { Format } from '../../src/formats/types.js';
import { fastPath } from '../../src/ingest/fastpath.js';
import { parseWith } from '../helpers.js';

/**
 * The fast path reuses the previous line's header groups when a line repeats that header around a
 * new, well-formed timestamp. Lines that only look alike must be read exactly as the layout's
 * regex reads them.
 */
function both(format: Format, text: string): void {
  const before = fastPath.enabled;
  try {
    fastPath.enabled = false;
    const simple = parseWith(format, text);
    fastPath.enabled = true;
    const fast = parseWith(format, text);
    assert.deepEqual(fast.counts, simple.counts);
    assert.deepEqual(JSON.parse(JSON.stringify(fast.events)), JSON.parse(JSON.stringify(simple.events)));
    assert.deepEqual(fast.unrecognised, simple.unrecognised);
  } finally {
    fastPath.enabled = before;
  }
}

const P = (offset: number): string =>
  `[persistAll] Group: pos-provider ClientId: 172.66.6.4@31877 updateConsumeOffsetToBroker MessageQueue [topic=pos_order, brokerName=broker-b, queueId=0] ${offset}`;

describe('header shortcut: the same events as the layout regex', () => {
  it('4.x inner logger: repeated headers, a changed level, a broken stamp, a wrong separator, a line break inside the message', () => {
    const lines = [
      `2023-09-05 03:05:30,012 INFO RocketmqClient - ${P(100)}`,
      `2023-09-05 03:05:30,013 INFO RocketmqClient - ${P(101)}`,
      `2023-09-05 03:05:35,999 WARN RocketmqClient - ${P(102)}`,
      `2023-09-05 03:05:36,000 WARN RocketmqClient - ${P(103)}`,
      `2023-09-05 03:0x:36,000 WARN RocketmqClient - ${P(104)}`,
      `2023-09-05 03:05:36.001 WARN RocketmqClient - ${P(105)}`,
      `2023-09-05 03:05:36,002 WARN RocketmqClient - ${P(106)}\u2028tail`,
      `2023-09-05 03:05:36,003 WARN RocketmqClientX - ${P(107)}`,
      `2023-09-05 03:05:36,004 WARN RocketmqClient -${P(108)}`,
      `2023-09-05 03:05:36,005 WARN RocketmqClient - `,
      `2023-09-05 03:05:36,006 WARN RocketmqClient - - ${P(109)}`,
      `2023-13-45 03:05:36,007 WARN RocketmqClient - ${P(110)}`,
      `\tat org.apache.rocketmq.client.impl.MQClientAPIImpl.updateConsumerOffsetOneway(MQClientAPIImpl.java:1)`,
      `2023-09-05 03:05:37,008 WARN RocketmqClient - ${P(111)}`,
    ];
    both(CLIENT_INNER_FORMAT, lines.join('\n') + '\n');
  });

  it('5.x logback: thread and logger groups reused only for the same text', () => {
    const h = (t: string, thread: string): string => `2023-09-05 03:10:00.${t} INFO  [2212] [${thread}] [o.a.r.c.c.s.RemoteBrokerOffsetStore#?:?] - `;
    const lines = [
      h('008', 'MQClientFactoryScheduledThread') + P(1),
      h('009', 'MQClientFactoryScheduledThread') + P(2),
      h('010', 'MQClientFactoryScheduledThread2') + P(3),
      h('011', 'MQClientFactoryScheduledThread') + P(4),
      h('012', 'MQClientFactoryScheduledThread') + `[persistAll] Group: pos-provider ClientId: x`,
      h('013', 'MQClientFactoryScheduledThread') + P(5),
    ];
    both(CLIENT_LOGBACK_FORMAT, lines.join('\n') + '\n');
  });

  it('broker layout (seconds only): repeated headers and lookalikes', () => {
    const lines = [
      '2024-05-10 14:22:58 INFO NettyServerCodecThread_1 - NETTY SERVER PIPELINE: channelRegistered 172.66.6.4:41022',
      '2024-05-10 14:22:58 INFO NettyServerCodecThread_1 - NETTY SERVER PIPELINE: channelActive, the channel[172.66.6.4:41022]',
      '2024-05-10 14:22:59 INFO NettyServerCodecThread_1 - NETTY SERVER PIPELINE: channelInactive, the channel[172.66.6.3:52814]',
      '2024-05-10 14:22:59,123 INFO NettyServerCodecThread_1 - NETTY SERVER PIPELINE: channelInactive, the channel[172.66.6.3:52814]',
      '2024-05-10 14:23:00 INFO NettyServerCodecThread_1 - NETTY SERVER PIPELINE: channelUnregistered, the channel[172.66.6.3:52814]',
    ];
    both(BROKER_FORMAT, lines.join('\n') + '\n');
  });
});

describe('byte path: commit lines read from bytes are the lines the simple path reads', () => {
  it('cycles of commits, a reordered cycle, a commit with a stack trace after it, odd offsets, CRLF', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { allEvents, ingest } = await import('../../src/ingest/index.js');
    const { resolveZone } = await import('../../src/model/time.js');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rmq-bytes-'));
    try {
      const q = (id: number, offset: string): string =>
        ` INFO RocketmqClient - [persistAll] Group: pos-provider ClientId: 172.66.6.4@31877 updateConsumeOffsetToBroker MessageQueue [topic=pos_order, brokerName=broker-b, queueId=${id}] ${offset}`;
      const lines: string[] = ['2023-09-05 03:05:00,000 INFO RocketmqClient - the consumer [pos-provider] start OK.'];
      let t = 0;
      const stamp = (): string => {
        t += 7;
        const s = Math.floor(t / 1000);
        return `2023-09-05 03:05:${String(s).padStart(2, '0')},${String(t % 1000).padStart(3, '0')}`;
      };
      for (let cycle = 0; cycle < 6; cycle++) {
        const order = cycle === 3 ? [3, 1, 0, 2, 4, 5] : [0, 1, 2, 3, 4, 5];
        for (const id of order) {
          let offset = String(1000 * id + cycle);
          if (cycle === 4 && id === 2) offset = '0' + offset; // a leading zero: not how the client prints it
          if (cycle === 4 && id === 4) offset = '1234567890123456'; // too long to be exact
          lines.push(stamp() + q(id, offset) + (cycle === 5 && id === 1 ? '\r' : ''));
          if (cycle === 2 && id === 3) {
            lines.push('java.lang.IllegalStateException: boom');
            lines.push('\tat org.apache.rocketmq.client.consumer.store.RemoteBrokerOffsetStore.persistAll(RemoteBrokerOffsetStore.java:120)');
          }
        }
      }
      lines.push(stamp() + q(0, '9999'));
      mkdirSync(path.join(dir, '172.66.6.4'));
      writeFileSync(path.join(dir, '172.66.6.4', 'rocketmq_client.log'), lines.join('\n') + '\n');
      const opts = { tz: resolveZone('Asia/Shanghai'), tzFrom: 'tz' as const, tzFor: [], inputFormats: [], consumePattern: null, year: null };
      const before = fastPath.enabled;
      try {
        fastPath.enabled = false;
        const simple = await ingest([dir], opts);
        fastPath.enabled = true;
        const fast = await ingest([dir], opts);
        const plain = (r: typeof simple): unknown => JSON.parse(JSON.stringify({ files: r.files, events: allEvents(r) }));
        assert.deepEqual(plain(fast), plain(simple));
        const withTrace = allEvents(simple).find((e) => e.exception !== null);
        assert.ok(withTrace && withTrace.kind === 'offset-persist', 'the commit followed by a stack trace keeps its exception');
      } finally {
        fastPath.enabled = before;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
