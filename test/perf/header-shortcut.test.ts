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
