#!/usr/bin/env node
// Deterministic generator of a realistic multi-host RocketMQ incident bundle for the benchmark.
//
//   node bench/generate.mjs --size 1G --seed 1 --out /tmp/rmq-bundle
//
// Layout (every host directory is its IPv4 address, as the tool expects):
//   <client ip>/logs/rocketmqlogs/rocketmq_client.log            4.8.0 inner logger (CRLF) or 5.1.4 logback (LF)
//   <client ip>/logs/rocketmqlogs/rocketmq_client.log.1          4.x rolled piece (older)
//   <client ip>/logs/rocketmqlogs/other_days/rocketmq_client-N.log.gz   5.x rolled pieces (1 = newest)
//   <broker ip>/logs/rocketmqlogs/broker.log, otherdays/broker.1.log.gz, remoting.log, lock.log
//
// Content: the periodic lines real client logs are made of (one `[persistAll]` per owned queue every
// 5 s, every 20th heartbeat's `send heart beat … success` + `HeartbeatData […]`, route updates,
// flow-control warnings, idle-channel churn, pull long-poll timeouts and name-server timeouts with
// their stack traces) and broker lines (connection churn, consumer (un)registration of other groups,
// slow puts), and ONE buried incident with the shape of fixtures/seed-000: network jitter on one
// 4.8 orderly consumer, heartbeat failure, the queue moves to another consumer and back,
// fetchConsumeOffsetFromBroker times out → NewOffset -1 → the broker corrects the pull to the
// queue's min offset → the client commits it ([NOTIFYME] requestOffset < storeOffset) → the next
// owner consumes the range again. Host names, queue, time and offsets derive from the seed.
//
// Rolling is by time share rather than by the real size thresholds (64 MB / 128 MB / 1 GiB), so
// that every file layout appears at every bundle size. All hosts run in Asia/Shanghai (GMT+8),
// which is also the fixed zone of the broker and 5.x client layouts: analyse with --tz Asia/Shanghai.
//
// Memory stays bounded: each file is produced in time order and flushed in CHUNK-sized buffers.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';

export const TZ = 'Asia/Shanghai';
const TZ_OFFSET_MS = 8 * 3600_000;
const CHUNK = 4 << 20; // characters buffered per file before a write
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;

// ------------------------------------------------------------------------------------------------
// Small utilities
// ------------------------------------------------------------------------------------------------

/** mulberry32: tiny, fast, deterministic. */
export function rng(seed) {
  let a = seed >>> 0;
  const f = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  f.int = (n) => Math.floor(f() * n);
  f.range = (lo, hi) => lo + Math.floor(f() * (hi - lo + 1));
  f.pick = (arr) => arr[Math.floor(f() * arr.length)];
  f.exp = (mean) => -Math.log(1 - f()) * mean;
  f.hex = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(f() * 16)];
    return s;
  };
  return f;
}

/** '100M' / '1G' / '4G' / '1.5G' / '500k' / plain bytes → bytes (binary units). */
export function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG]?)(?:i?[bB])?$/.exec(String(s).trim());
  if (!m) throw new Error(`bad size "${s}" (expected e.g. 100M, 1G, 4G)`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()];
  return Math.round(Number(m[1]) * mult);
}

export function formatSize(bytes) {
  if (bytes >= 1024 ** 3) return `${+(bytes / 1024 ** 3).toFixed(2)} GiB`;
  if (bytes >= 1024 ** 2) return `${+(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${bytes} B`;
}

const MS3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** 'yyyy-MM-dd HH:mm:ss' in GMT+8, cached per second. */
class Clock {
  constructor() {
    this.sec = -1;
    this.text = '';
  }
  at(ms) {
    const s = Math.floor(ms / 1000);
    if (s !== this.sec) {
      this.sec = s;
      this.text = new Date(s * 1000 + TZ_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
    }
    return this.text;
  }
}

/** One output file: buffered text, optionally gzipped, written with back-pressure. */
class FileSink {
  constructor(file, gz) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.file = file;
    this.buf = '';
    this.bytes = 0; // uncompressed
    this.lines = 0;
    this.out = fs.createWriteStream(file, { highWaterMark: 1 << 20 });
    this.z = gz ? zlib.createGzip({ level: 1 }) : null;
    if (this.z) this.z.pipe(this.out);
  }
  async flush() {
    if (this.buf.length === 0) return;
    const b = Buffer.from(this.buf, 'latin1');
    this.buf = '';
    this.bytes += b.length;
    const target = this.z ?? this.out;
    if (!target.write(b)) await once(target, 'drain');
  }
  async close() {
    await this.flush();
    const done = once(this.out, 'close');
    (this.z ?? this.out).end();
    await done;
  }
}

/** A size-only sink for calibration. */
class CountSink {
  constructor() {
    this.buf = '';
    this.bytes = 0;
    this.lines = 0;
  }
  async flush() {
    this.bytes += this.buf.length;
    this.buf = '';
  }
  async close() {
    await this.flush();
  }
}

/**
 * A log stream split into time-ordered pieces (rolled files). `pieces`: [{file, gz, until}] oldest
 * first; the last one has until = Infinity.
 */
class RolledLog {
  constructor(pieces, counting, manifest) {
    this.pieces = pieces;
    this.i = -1;
    this.sink = null;
    this.counting = counting;
    this.manifest = manifest;
    this.last = 0;
    this.clock = new Clock();
  }
  async open(t) {
    while (this.sink === null || t >= this.pieces[this.i].until) {
      if (this.sink) await this.closeSink();
      this.i++;
      const p = this.pieces[this.i];
      this.sink = this.counting ? new CountSink() : new FileSink(p.file, p.gz);
    }
  }
  async closeSink() {
    await this.sink.close();
    if (this.manifest) this.manifest.push({ file: this.pieces[this.i].file, gz: this.pieces[this.i].gz, bytes: this.sink.bytes, lines: this.sink.lines });
    else this.countedBytes = (this.countedBytes ?? 0) + this.sink.bytes;
  }
  async close() {
    if (this.sink) await this.closeSink();
    this.sink = null;
  }
  /** Monotonic time for the next line (clocks in one file never go back here). */
  mono(t) {
    if (t < this.last) t = this.last;
    this.last = t;
    return t;
  }
}

// ------------------------------------------------------------------------------------------------
// Line layouts
// ------------------------------------------------------------------------------------------------

/** Thread / logger per call site (5.1.x prints both; the 4.x inner logger only the logger name). */
const SRC = {
  offset: { thread: 'MQClientFactoryScheduledThread', logger: 'o.a.r.c.c.s.RemoteBrokerOffsetStore', inner: 'RocketmqClient' },
  factory: { thread: 'MQClientFactoryScheduledThread', logger: 'o.a.r.c.i.f.MQClientInstance', inner: 'RocketmqClient' },
  rebalance: { thread: 'RebalanceService', logger: 'o.a.r.c.i.c.RebalanceImpl', inner: 'RocketmqClient' },
  rebalanceOffset: { thread: 'RebalanceService', logger: 'o.a.r.c.c.s.RemoteBrokerOffsetStore', inner: 'RocketmqClient' },
  pull: { thread: 'PullMessageService', logger: 'o.a.r.c.i.c.DefaultMQPushConsumerImpl', inner: 'RocketmqClient' },
  pullCallback: { thread: 'NettyClientPublicExecutor_2', logger: 'o.a.r.c.i.c.DefaultMQPushConsumerImpl', inner: 'RocketmqClient' },
  notify: { thread: 'NettyClientPublicExecutor_1', logger: 'o.a.r.c.i.ClientRemotingProcessor', inner: 'RocketmqClient' },
  remoting: { thread: 'NettyClientWorkerThread_1', logger: 'RocketmqRemoting', inner: 'RocketmqRemoting' },
  remotingSync: { thread: 'MQClientFactoryScheduledThread', logger: 'RocketmqRemoting', inner: 'RocketmqRemoting' },
  remotingScan: { thread: 'NettyClientScan', logger: 'RocketmqRemoting', inner: 'RocketmqRemoting' },
};

/** A client log: 4.8.0 inner logger (`gen 4`, CRLF, blank line after a stack trace) or 5.1.4 logback (`gen 5`). */
class ClientLog extends RolledLog {
  constructor(gen, pid, pieces, counting, manifest) {
    super(pieces, counting, manifest);
    this.gen = gen;
    this.eol = gen === 4 ? '\r\n' : '\n';
    this.tails = new Map();
    this.pid = pid;
  }
  tail(level, src) {
    const key = level + '|' + src.thread + '|' + src.logger;
    let s = this.tails.get(key);
    if (s === undefined) {
      s = this.gen === 4 ? ` ${level} ${src.inner} - ` : ` ${level.padEnd(5)} [${this.pid}] [${src.thread}] [${src.logger}#?:?] - `;
      this.tails.set(key, s);
    }
    return s;
  }
  stamp(t) {
    return this.clock.at(t) + (this.gen === 4 ? ',' : '.') + MS3[t % 1000];
  }
  line(t, level, src, msg) {
    t = this.mono(t);
    this.sink.buf += this.stamp(t) + this.tail(level, src) + msg + this.eol;
    this.sink.lines++;
    return t;
  }
  /** A line followed by an exception (`trace`: the exception line(s) then `\tat …` frames). */
  exception(t, level, src, msg, trace) {
    t = this.line(t, level, src, msg);
    for (const l of trace) this.sink.buf += l + this.eol;
    this.sink.lines += trace.length;
    if (this.gen === 4) {
      this.sink.buf += this.eol; // the inner logger ends a throwable with an empty line
      this.sink.lines++;
    }
    return t;
  }
}

/** Broker logback layout `%d{yyy-MM-dd HH:mm:ss,GMT+8} %p %t - %m%n` (second resolution). */
class BrokerLog extends RolledLog {
  line(t, level, thread, msg) {
    t = this.mono(t);
    this.sink.buf += this.clock.at(t) + ' ' + level + ' ' + thread + ' - ' + msg + '\n';
    this.sink.lines++;
    return t;
  }
}

// ------------------------------------------------------------------------------------------------
// Stack traces (frames as printed by the 4.8 / 5.1 clients)
// ------------------------------------------------------------------------------------------------

const FRAMES = {
  invokeSync: ['\tat org.apache.rocketmq.remoting.netty.NettyRemotingAbstract.invokeSyncImpl(NettyRemotingAbstract.java:427)', '\tat org.apache.rocketmq.remoting.netty.NettyRemotingClient.invokeSync(NettyRemotingClient.java:375)'],
  route: [
    '\tat org.apache.rocketmq.client.impl.MQClientAPIImpl.getTopicRouteInfoFromNameServer(MQClientAPIImpl.java:1363)',
    '\tat org.apache.rocketmq.client.impl.MQClientAPIImpl.getTopicRouteInfoFromNameServer(MQClientAPIImpl.java:1353)',
    '\tat org.apache.rocketmq.client.impl.factory.MQClientInstance.updateTopicRouteInfoFromNameServer(MQClientInstance.java:622)',
    '\tat org.apache.rocketmq.client.impl.factory.MQClientInstance.updateTopicRouteInfoFromNameServer(MQClientInstance.java:513)',
    '\tat org.apache.rocketmq.client.impl.factory.MQClientInstance$3.run(MQClientInstance.java:266)',
  ],
  heartbeat: [
    '\tat org.apache.rocketmq.client.impl.MQClientAPIImpl.sendHearbeat(MQClientAPIImpl.java:1153)',
    '\tat org.apache.rocketmq.client.impl.factory.MQClientInstance.sendHeartbeatToAllBroker(MQClientInstance.java:559)',
    '\tat org.apache.rocketmq.client.impl.factory.MQClientInstance.sendHeartbeatToAllBrokerWithLock(MQClientInstance.java:467)',
    '\tat org.apache.rocketmq.client.impl.factory.MQClientInstance$4.run(MQClientInstance.java:286)',
  ],
  fetchOffset: [
    '\tat org.apache.rocketmq.client.impl.MQClientAPIImpl.queryConsumerOffset(MQClientAPIImpl.java:1037)',
    '\tat org.apache.rocketmq.client.consumer.store.RemoteBrokerOffsetStore.fetchConsumeOffsetFromBroker(RemoteBrokerOffsetStore.java:245)',
    '\tat org.apache.rocketmq.client.consumer.store.RemoteBrokerOffsetStore.readOffset(RemoteBrokerOffsetStore.java:93)',
    '\tat org.apache.rocketmq.client.impl.consumer.DefaultMQPushConsumerImpl$1.onSuccess(DefaultMQPushConsumerImpl.java:312)',
  ],
  pool: ['\tat java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1149)', '\tat java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:624)', '\tat java.lang.Thread.run(Thread.java:748)'],
  scheduled: [
    '\tat java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:511)',
    '\tat java.util.concurrent.FutureTask.runAndReset(FutureTask.java:308)',
    '\tat java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask.access$301(ScheduledThreadPoolExecutor.java:180)',
    '\tat java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask.run(ScheduledThreadPoolExecutor.java:294)',
  ],
  pullCallback: [
    '\tat org.apache.rocketmq.client.impl.MQClientAPIImpl$2.operationComplete(MQClientAPIImpl.java:702)',
    '\tat org.apache.rocketmq.remoting.netty.ResponseFuture.executeInvokeCallback(ResponseFuture.java:54)',
    '\tat org.apache.rocketmq.remoting.netty.NettyRemotingAbstract$2.run(NettyRemotingAbstract.java:319)',
    '\tat java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:511)',
    '\tat java.util.concurrent.FutureTask.run(FutureTask.java:266)',
  ],
  pullKernel: [
    '\tat org.apache.rocketmq.remoting.netty.NettyRemotingClient.invokeAsync(NettyRemotingClient.java:535)',
    '\tat org.apache.rocketmq.client.impl.MQClientAPIImpl.pullMessageAsync(MQClientAPIImpl.java:677)',
    '\tat org.apache.rocketmq.client.impl.MQClientAPIImpl.pullMessage(MQClientAPIImpl.java:653)',
    '\tat org.apache.rocketmq.client.impl.consumer.PullAPIWrapper.pullKernelImpl(PullAPIWrapper.java:227)',
    '\tat org.apache.rocketmq.client.impl.consumer.DefaultMQPushConsumerImpl.pullMessage(DefaultMQPushConsumerImpl.java:453)',
    '\tat org.apache.rocketmq.client.impl.consumer.PullMessageService.pullMessage(PullMessageService.java:89)',
    '\tat org.apache.rocketmq.client.impl.consumer.PullMessageService.run(PullMessageService.java:106)',
    '\tat java.lang.Thread.run(Thread.java:748)',
  ],
  netty: [
    '\tat sun.nio.ch.FileDispatcherImpl.read0(Native Method)',
    '\tat sun.nio.ch.SocketDispatcher.read(SocketDispatcher.java:39)',
    '\tat sun.nio.ch.IOUtil.readIntoNativeBuffer(IOUtil.java:223)',
    '\tat sun.nio.ch.IOUtil.read(IOUtil.java:192)',
    '\tat sun.nio.ch.SocketChannelImpl.read(SocketChannelImpl.java:380)',
    '\tat io.netty.buffer.PooledByteBuf.setBytes(PooledByteBuf.java:253)',
    '\tat io.netty.buffer.AbstractByteBuf.writeBytes(AbstractByteBuf.java:1133)',
    '\tat io.netty.channel.socket.nio.NioSocketChannel.doReadBytes(NioSocketChannel.java:350)',
    '\tat io.netty.channel.nio.AbstractNioByteChannel$NioByteUnsafe.read(AbstractNioByteChannel.java:148)',
    '\tat io.netty.channel.nio.NioEventLoop.processSelectedKey(NioEventLoop.java:714)',
    '\tat io.netty.channel.nio.NioEventLoop.run(NioEventLoop.java:459)',
    '\tat io.netty.util.concurrent.SingleThreadEventExecutor$5.run(SingleThreadEventExecutor.java:858)',
    '\tat java.lang.Thread.run(Thread.java:748)',
  ],
};
const TIMEOUT_EX = 'org.apache.rocketmq.remoting.exception.RemotingTimeoutException';
const FAQ = 'For more information, please visit the url, http://rocketmq.apache.org/docs/faq/';

// ------------------------------------------------------------------------------------------------
// The world: hosts, groups, topics, queues
// ------------------------------------------------------------------------------------------------

const WORDS = ['order', 'pay', 'stock', 'coupon', 'member', 'settle', 'invoice', 'refund', 'ship', 'promo', 'cart', 'price', 'ledger', 'store', 'trade', 'bill'];
const ACTS = ['create', 'sync', 'notify', 'audit', 'close', 'update', 'confirm', 'split'];
const REGIONS = ['bj', 'sh', 'hz', 'sz', 'gz', 'cd', 'wh', 'nj'];

/** Everything derived from the seed except the per-line randomness. */
export function buildWorld(seed, sizeBytes) {
  const r = rng(seed * 2654435761 + 17);
  const a = r.range(16, 250);
  const b = r.range(1, 240);
  const clientNet = `10.${a}.${b}`;
  const brokerNet = `10.${a}.${b + 8}`;
  const region = r.pick(REGIONS);
  const w1 = r.pick(WORDS);
  let w2 = r.pick(WORDS);
  while (w2 === w1) w2 = r.pick(WORDS);
  const namesrv = `${brokerNet}.${r.range(2, 9)}:9876`;

  const brokers = ['a', 'b', 'c', 'd'].map((x, i) => ({
    name: `${region}-broker-${x}`,
    ip: `${brokerNet}.${20 + i * 4 + r.int(3)}`,
    index: i,
  }));
  for (const bk of brokers) bk.addr = `${bk.ip}:10911`;

  // Six consumer hosts: three 4.8.0 inner-logger clients, three 5.1.4 logback clients (seeded order).
  const gens = [4, 4, 4, 5, 5, 5];
  for (let i = gens.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [gens[i], gens[j]] = [gens[j], gens[i]];
  }
  const used = new Set();
  const clients = gens.map((gen, i) => {
    let last;
    do last = r.range(11, 240);
    while (used.has(last));
    used.add(last);
    const ip = `${clientNet}.${last}`;
    const pid = r.range(1200, 65000);
    const cid = gen === 4 ? `${ip}@${pid}` : `${ip}@${pid}#${r.range(1e9, 9e9)}${r.range(100000, 999999)}`;
    return { index: i, gen, ip, pid, cid, version: gen === 4 ? 373 : 441, producerGroup: `${w1}-${r.pick(ACTS)}-producer` };
  });

  const mkQueues = (topic, perBroker) => {
    const qs = [];
    for (const bk of brokers) for (let q = 0; q < perBroker; q++) qs.push({ topic, brokerName: bk.name, queueId: q, str: `MessageQueue [topic=${topic}, brokerName=${bk.name}, queueId=${q}]` });
    return qs;
  };
  const g1 = `${w1}-${r.pick(ACTS)}-consumer`;
  const g2 = `${w2}-${r.pick(ACTS)}-consumer`;
  const g1Topics = [`${w1}_${r.pick(ACTS)}_event`, `${w1}_${w2}_change`, `${w1}_${r.pick(ACTS)}_cmd`].filter((t, i, arr) => arr.indexOf(t) === i);
  while (g1Topics.length < 3) g1Topics.push(`${w1}_topic_${g1Topics.length}`);
  const g2Topic = `${w2}_${r.pick(ACTS)}_notify`;
  const groups = [
    { name: g1, orderly: true, topics: g1Topics, members: clients.map((c) => c.index), subVersion: 0 },
    { name: g2, orderly: false, topics: [g2Topic], members: clients.filter((c) => c.gen === 5).map((c) => c.index), subVersion: 0 },
  ];
  // AVG allocation (contiguous blocks over the sorted queue list, sorted client ids).
  for (const g of groups) {
    g.owned = new Map(g.members.map((m) => [m, []]));
    const cids = [...g.members].sort((x, y) => (clients[x].cid < clients[y].cid ? -1 : 1));
    g.topicQueues = new Map();
    for (const topic of [...g.topics, `%RETRY%${g.name}`]) {
      const qs = topic.startsWith('%RETRY%') ? mkQueues(topic, 1) : mkQueues(topic, 8);
      g.topicQueues.set(topic, qs);
      const n = qs.length;
      const k = cids.length;
      let idx = 0;
      for (let ci = 0; ci < k; ci++) {
        const size = n <= ci ? 0 : Math.floor(n / k) + (ci < n % k ? 1 : 0);
        for (let j = 0; j < size; j++) g.owned.get(cids[ci]).push(qs[idx++]);
      }
    }
    // Per-queue production rate (msgs/s) and base offset; offsetTable iteration order is shuffled.
    for (const qs of g.topicQueues.values())
      for (const q of qs) {
        q.rate = q.topic.startsWith('%RETRY%') ? 0 : 0.01 + r() * r() * 2;
        q.base = q.topic.startsWith('%RETRY%') ? r.int(3) : r.range(1000, 8_000_000);
        q.group = g.name;
      }
    for (const list of g.owned.values())
      for (let i = list.length - 1; i > 0; i--) {
        const j = r.int(i + 1);
        [list[i], list[j]] = [list[j], list[i]];
      }
  }

  // Bundle start: a seeded day in 2023–2025, 00:00–12:00 GMT+8.
  const start = Date.UTC(2023, 0, 1) - TZ_OFFSET_MS + r.int(3 * 365) * 86400_000 + r.int(12 * 3600) * 1000;
  return { seed, sizeBytes, clientNet, brokerNet, namesrv, region, brokers, clients, groups, start, w1, w2, r };
}

/** The queue's offset at t: steady production, unless the incident overrides it. */
function offsetAt(q, t, t0) {
  if (q.fn) return q.fn(t);
  return q.base + Math.floor((q.rate * (t - t0)) / 1000);
}

// ------------------------------------------------------------------------------------------------
// The incident script (shape of fixtures/seed-000)
// ------------------------------------------------------------------------------------------------

function planIncident(world, spanMs) {
  const r = rng(world.seed * 7 + 3);
  const g = world.groups[0];
  const v4 = world.clients.filter((c) => c.gen === 4);
  const victim = v4[r.int(v4.length)];
  const others = v4.filter((c) => c !== victim);
  const heir = others[r.int(others.length)];
  const topic = g.topics[r.int(g.topics.length)];
  const candidates = g.owned.get(victim.index).filter((q) => q.topic === topic);
  const Q = candidates[r.int(candidates.length)];
  const broker = world.brokers.find((b) => b.name === Q.brokerName);
  const t0 = world.start;

  const tI = t0 + Math.floor(spanMs * (0.25 + 0.5 * r())) + r.int(1000); // jitter begins
  const tH = tI + 20 * MIN + r.int(10 * MIN) + r.int(1000); // heartbeat to the queue's broker fails
  const tB = tH + 12 * MIN + r.int(6 * MIN) + r.int(1000); // the victim is back in the group
  const tF = tB + 27 * SEC + r.int(1000); // flap: the queue goes away again
  const tA = tF + 10 * SEC + r.int(1000); // … and comes back
  const tFail = tA + 10 * SEC + r.int(1000); // the orderly first pull re-reads the offset: timeout
  const tRc = tFail + 79 * SEC + r.int(1000); // connection to the broker back; pull with -1 corrected
  const tRw = tRc + 10 * SEC + r.int(1000); // the client commits the corrected offset
  const tN2 = tRw + 7 * SEC + r.int(1000); // the heir takes the queue (reads the low offset)
  const tN2L = tN2 + 15 * SEC + r.int(1000); // … locks it and consumes again

  Q.rate = 0.001 + r() * 0.004; // a quiet orderly queue
  const produced = (t) => Q.base + Math.floor((Q.rate * (t - t0)) / 1000);
  const S = produced(tB); // stored offset the victim stalls at
  const blast = Math.ceil((Q.rate * (tB - t0)) / 1000) + 40 + r.int(1500);
  const M = S - blast; // the queue's minOffset: where the broker corrects -1 to
  const catchUp = 20 + r.int(30); // msgs/s while the heir re-consumes
  Q.fn = (t) => {
    if (t < tB) return produced(t);
    if (t < tRw) return S;
    if (t < tN2L) return M;
    return Math.min(produced(t), M + Math.floor((catchUp * (t - tN2L)) / 1000));
  };
  const ports = [r.range(30000, 60000), r.range(30000, 60000), r.range(30000, 60000), r.range(30000, 60000), r.range(30000, 60000)];
  return { group: g, victim, heir, topic, Q, broker, tI, tH, tB, tF, tA, tFail, tRc, tRw, tN2, tN2L, S, M, produced, ports, r, end: tN2L + 5 * MIN };
}

// ------------------------------------------------------------------------------------------------
// Client host generation
// ------------------------------------------------------------------------------------------------

function clientPieces(world, c, spanMs, dir) {
  const base = path.join(dir, c.ip, 'logs', 'rocketmqlogs');
  const t0 = world.start;
  if (c.gen === 4) {
    return [
      { file: path.join(base, 'rocketmq_client.log.1'), gz: false, until: t0 + Math.floor(spanMs * 0.45) },
      { file: path.join(base, 'rocketmq_client.log'), gz: false, until: Infinity },
    ];
  }
  const n = world.sizeBytes <= 256 << 20 ? 2 : world.sizeBytes <= 1.5 * 1024 ** 3 ? 3 : 8;
  const pieces = [];
  for (let i = 0; i < n; i++) pieces.push({ file: path.join(base, 'other_days', `rocketmq_client-${n - i}.log.gz`), gz: true, until: t0 + Math.floor((spanMs * 0.7 * (i + 1)) / n) });
  pieces.push({ file: path.join(base, 'rocketmq_client.log'), gz: false, until: Infinity });
  return pieces;
}

function heartbeatData(world, c) {
  const subs = (g) =>
    [...g.topics, `%RETRY%${g.name}`]
      .map((t, i) => `SubscriptionData [classFilterMode=false, topic=${t}, subString=*, tagsSet=[], codeSet=[], subVersion=${world.start - 86400_000 + c.pid * 13 + i * 7}, expressionType=TAG]`)
      .join(', ');
  const cons = world.groups
    .filter((g) => g.members.includes(c.index))
    .map((g) => `ConsumerData [groupName=${g.name}, consumeType=CONSUME_PASSIVELY, messageModel=CLUSTERING, consumeFromWhere=CONSUME_FROM_LAST_OFFSET, unitMode=false, subscriptionDataSet=[${subs(g)}]]`)
    .join(', ');
  return `HeartbeatData [clientID=${c.cid}, producerDataSet=[ProducerData [groupName=CLIENT_INNER_PRODUCER], ProducerData [groupName=${c.producerGroup}]], consumerDataSet=[${cons}]]`;
}

function routeData(world, topic, writeQ) {
  const bks = world.brokers.slice(0, 2);
  return `TopicRouteData [orderTopicConf=null, queueDatas=[${bks.map((b) => `QueueData [brokerName=${b.name}, readQueueNums=${writeQ}, writeQueueNums=${writeQ}, perm=6, topicSynFlag=0]`).join(', ')}], brokerDatas=[${bks.map((b) => `BrokerData [brokerName=${b.name}, brokerAddrs={0=${b.addr}}]`).join(', ')}], filterServerTable={}]`;
}

async function genClient(world, c, spanMs, dir, incident, counting, manifest) {
  const r = rng(world.seed * 1000 + c.index * 31 + 5);
  const log = new ClientLog(c.gen, c.pid, clientPieces(world, c, spanMs, dir), counting, manifest);
  const t0 = world.start;
  const end = t0 + spanMs;
  const mine = world.groups.filter((g) => g.members.includes(c.index));
  const persistMid = new Map(); // queue → '[persistAll] Group: … <mq> '
  const mid = (g, q, kind = 'persistAll') => `[${kind}] Group: ${g.name} ClientId: ${c.cid} updateConsumeOffsetToBroker ${q.str} `;
  const hbData = heartbeatData(world, c);
  const isVictim = incident && incident.victim === c;
  const tasks = [];

  // [persistAll]: every 5 s, one line per owned queue (first run 10 s after start).
  let persistAt = t0 + 10 * SEC + r.int(5000);
  tasks.push({
    next: persistAt,
    run(t) {
      let tt = t + r.int(4);
      for (const g of mine) {
        for (const q of g.owned.get(c.index)) {
          let m = persistMid.get(q);
          if (m === undefined) persistMid.set(q, (m = mid(g, q)));
          log.sink.buf += log.stamp(log.mono(tt)) + log.tail('INFO', SRC.offset) + m + offsetAt(q, tt, t0) + log.eol;
          log.sink.lines++;
          if (r() < 0.4) tt++;
        }
      }
      persistAt += 5000;
      return persistAt;
    },
  });

  // Heartbeat every 30 s; the success line (+ HeartbeatData) only every 20th (≈ 10 min).
  let hbAt = t0 + 1000 + r.int(30000);
  let hbCount = r.int(20);
  tasks.push({
    next: hbAt,
    run(t) {
      hbCount++;
      const quiet = isVictim && t >= incident.tI && t < incident.tRw + 2 * MIN;
      if (hbCount % 20 === 0 && !quiet) {
        let tt = t + r.int(3);
        for (const b of world.brokers) {
          tt = log.line(tt, 'INFO', SRC.factory, `send heart beat to broker[${b.name} 0 ${b.addr}] success`);
          tt = log.line(tt, 'INFO', SRC.factory, hbData) + 2;
        }
      }
      hbAt += 30000;
      return hbAt;
    },
  });

  // Route change of the host's own producer topic (queue count changes), every few hours.
  const prodTopic = `${c.producerGroup.replace(/-producer$/, '').replace(/-/g, '_')}_msg`;
  let writeQ = 4;
  tasks.push({
    next: t0 + r.exp(3 * HOUR),
    run(t) {
      const old = routeData(world, prodTopic, writeQ);
      writeQ = writeQ === 4 ? 8 : 4;
      const neu = routeData(world, prodTopic, writeQ);
      const tt = log.line(t, 'INFO', SRC.factory, `the topic[${prodTopic}] route info changed, old[${old}] ,new[${neu}]`);
      log.line(tt + 1, 'INFO', SRC.factory, `topicRouteTable.put. Topic = ${prodTopic}, TopicRouteData[${neu}]`);
      return t + r.exp(3 * HOUR);
    },
  });

  // Idle channel to the name server closed and re-opened (every ~15 min).
  tasks.push({
    next: t0 + r.exp(15 * MIN),
    run(t) {
      const ns = world.namesrv;
      let tt = log.line(t, 'INFO', SRC.remotingSync, `closeChannel: begin close the channel[${ns}] Found: true`);
      tt = log.line(tt, 'INFO', SRC.remotingSync, `closeChannel: the channel[${ns}] was removed from channel table`);
      tt = log.line(tt + 1, 'INFO', SRC.remoting, `NETTY CLIENT PIPELINE: CLOSE ${ns}`);
      tt = log.line(tt + 1, 'INFO', SRC.remoting, `closeChannel: close the connection to remote address[${ns}] result: true`);
      tt = log.line(tt + 1 + r.int(30), 'INFO', SRC.remotingSync, `createChannel: begin to connect remote host[${ns}] asynchronously`);
      tt = log.line(tt, 'INFO', SRC.remoting, `NETTY CLIENT PIPELINE: CONNECT  UNKNOWN => ${ns}`);
      log.line(tt + 1 + r.int(3), 'INFO', SRC.remotingSync, `createChannel: connect remote host[${ns}] success, DefaultChannelPromise@${r.hex(8)}(success)`);
      return t + r.exp(15 * MIN);
    },
  });

  // Sporadic timeouts with stack traces: a pull long-poll that got no answer, a name-server query.
  tasks.push({
    next: t0 + r.exp(40 * MIN),
    run(t) {
      if (r() < 0.6) pullTimeout(log, world, c, r, t, r.pick(world.brokers));
      else nsTimeout(log, world, r, t);
      return t + r.exp(40 * MIN);
    },
  });

  // Flow control bursts on one owned queue: one line per 1000 throttled pulls (~50 s), a few minutes long.
  let burst = null;
  tasks.push({
    next: t0 + r.exp(2 * HOUR),
    run(t) {
      if (!burst) {
        const g = r.pick(mine);
        const qs = g.owned.get(c.index).filter((q) => !q.topic.startsWith('%RETRY%') && !(incident && q === incident.Q));
        if (qs.length === 0) return t + r.exp(2 * HOUR);
        burst = { g, q: r.pick(qs), n: 0, len: r.range(3, 8), what: r() < 0.8 ? 'count' : 'size' };
      }
      const { g, q } = burst;
      const min = offsetAt(q, t, t0);
      const src = SRC.pull;
      if (burst.what === 'count') {
        log.line(t, 'WARN', src, `the cached message count exceeds the threshold 1000, so do flow control, minOffset=${min}, maxOffset=${min + 1000}, count=1001, size=${r.range(1, 9)} MiB, pullRequest=PullRequest [consumerGroup=${g.name}, messageQueue=${q.str}, nextOffset=${min + 1001}], flowControlTimes=${burst.n * 1000 + 1}`);
      } else {
        log.line(t, 'WARN', src, `the cached message size exceeds the threshold 100 MiB, so do flow control, minOffset=${min}, maxOffset=${min + 650}, count=651, size=101 MiB, pullRequest=PullRequest [consumerGroup=${g.name}, messageQueue=${q.str}, nextOffset=${min + 651}], flowControlTimes=${burst.n * 1000 + 1}`);
      }
      burst.n++;
      if (burst.n >= burst.len) {
        burst = null;
        return t + r.exp(2 * HOUR);
      }
      return t + 45 * SEC + r.int(10 * SEC);
    },
  });

  // The incident, if this host is part of it.
  if (incident && (incident.victim === c || incident.heir === c)) {
    const script = incident.victim === c ? victimScript(world, incident, log, c) : heirScript(world, incident, log, c);
    script.sort((x, y) => x.t - y.t);
    let i = 0;
    tasks.push({
      next: script.length ? script[0].t : Infinity,
      run(t) {
        script[i].fn(t);
        i++;
        return i < script.length ? script[i].t : Infinity;
      },
    });
  }

  await log.open(t0);
  for (;;) {
    let k = 0;
    for (let i = 1; i < tasks.length; i++) if (tasks[i].next < tasks[k].next) k = i;
    const t = tasks[k].next;
    if (t >= end) break;
    if (t >= log.pieces[log.i].until) await log.open(t);
    tasks[k].next = tasks[k].run(Math.floor(t));
    if (log.sink.buf.length >= CHUNK) await log.sink.flush();
  }
  await log.close();
  return log;
}

function pullTimeout(log, world, c, r, t, b) {
  const opaque = r.range(100000, 9999999);
  const port = r.range(30000, 60000);
  const begin = t - 31000 - r.int(1000);
  const qid = r.int(8);
  const g = world.groups.find((x) => x.members.includes(c.index));
  const topic = g.topics[0];
  let tt = log.line(
    t,
    'WARN',
    SRC.remotingScan,
    `remove timeout request, ResponseFuture [responseCommand=null, sendRequestOK=true, cause=null, opaque=${opaque}, ${c.gen === 4 ? `processChannel=[id: 0x${r.hex(8)}, L:/${c.ip}:${port} - R:/${b.addr}], ` : ''}timeoutMillis=30000, invokeCallback=org.apache.rocketmq.client.impl.MQClientAPIImpl$2@${r.hex(8)}, beginTimestamp=${begin}, countDownLatch=java.util.concurrent.CountDownLatch@${r.hex(8)}[Count = 1]]`,
  );
  log.exception(tt + 1, 'WARN', SRC.pullCallback, 'execute the pull request exception', [
    `org.apache.rocketmq.client.exception.MQClientException: wait response from ${b.addr} timeout :30000ms. Request: RemotingCommand [code=11, language=JAVA, version=${c.version}, opaque=${opaque}, flag(B)=0, remark=null, extFields={queueId=${qid}, maxMsgNums=32, sysFlag=3, suspendTimeoutMillis=15000, commitOffset=${r.range(1000, 900000)}, topic=${topic}, queueOffset=${r.range(1000, 900000)}, subVersion=${world.start - 3600_000}, consumerGroup=${g.name}, expressionType=TAG, subscription=*}, serializeTypeCurrentRPC=JSON]`,
    FAQ,
    ...FRAMES.pullCallback,
    ...FRAMES.pool,
  ]);
}

function nsTimeout(log, world, r, t) {
  const ns = world.namesrv;
  const tt = log.line(t, 'WARN', SRC.remotingSync, `invokeSync: wait response timeout exception, the channel[${ns}]`);
  log.exception(tt + 1, log.gen === 4 ? 'ERROR' : 'WARN', SRC.factory, 'updateTopicRouteInfoFromNameServer Exception', [`${TIMEOUT_EX}: wait response on the channel <${ns}> timeout, 3000(ms)`, ...FRAMES.invokeSync, ...FRAMES.route, ...FRAMES.scheduled, ...FRAMES.pool]);
}

function rebalanceResult(world, inc, log, c, t) {
  const g = inc.group;
  const set = g.owned.get(c.index).filter((q) => q.topic === inc.topic);
  const all = g.topicQueues.get(inc.topic).length;
  g.subVersion = g.subVersion || world.start - 3600_000;
  const old = g.subVersion;
  g.subVersion = t;
  let tt = log.line(t, 'INFO', SRC.rebalance, `rebalanced result changed. allocateMessageQueueStrategyName=AVG, group=${g.name}, topic=${inc.topic}, clientId=${c.cid}, mqAllSize=${all}, cidAllSize=${g.members.length}, rebalanceResultSize=${set.length}, rebalanceResultSet=[${set.map((q) => q.str).join(', ')}]`);
  log.line(tt, 'INFO', SRC.rebalance, `${inc.topic} Rebalance changed, also update version: ${old}, ${t}`);
}

function removeQueue(world, inc, log, c, t, offset, viaFix) {
  const g = inc.group;
  const Q = inc.Q;
  const list = g.owned.get(c.index);
  const i = list.indexOf(Q);
  if (i >= 0) list.splice(i, 1);
  let tt = log.line(t, 'INFO', SRC.rebalanceOffset, `[persist] Group: ${g.name} ClientId: ${c.cid} updateConsumeOffsetToBroker ${Q.str} ${offset}`);
  tt = log.line(tt, 'INFO', SRC.rebalanceOffset, `remove unnecessary messageQueue offset. group=${g.name}, mq=${Q.str}, offsetTableSize=${list.length}`);
  tt = log.line(tt + 1, 'WARN', SRC.rebalance, `unlock messageQueue. group:${g.name}, clientId:${c.cid}, mq:${Q.str}`);
  if (viaFix) {
    tt = log.line(tt, 'INFO', SRC.pull, `Fix Offset, ${g.name}, remove unnecessary mq, ${Q.str} Droped: true`);
    log.line(tt + 1, 'WARN', SRC.pull, `fix the pull request offset, PullRequest [consumerGroup=${g.name}, messageQueue=${Q.str}, nextOffset=${offset}]`);
    return;
  }
  tt = log.line(tt, 'INFO', SRC.rebalance, `doRebalance, ${g.name}, remove unnecessary mq, ${Q.str}`);
  rebalanceResult(world, inc, log, c, tt + 3);
}

function addQueue(world, inc, log, c, t, nextOffset) {
  const g = inc.group;
  const Q = inc.Q;
  let tt = log.line(t, 'INFO', SRC.rebalance, `the message queue lock OK, ${g.name} ${Q.str}`);
  tt = log.line(tt + 3, 'INFO', SRC.rebalance, `doRebalance, ${g.name}, add a new mq, ${Q.str}`);
  tt = log.line(tt + 2, 'INFO', SRC.rebalance, `doRebalance, ${g.name}, add a new pull request PullRequest [consumerGroup=${g.name}, messageQueue=${Q.str}, nextOffset=${nextOffset}]`);
  g.owned.get(c.index).push(Q);
  rebalanceResult(world, inc, log, c, tt + 1);
}

function firstPull(inc, log, t, offset, newOffset, busy) {
  const g = inc.group;
  const pr = `PullRequest [consumerGroup=${g.name}, messageQueue=${inc.Q.str}, nextOffset=${offset}]`;
  const tt = log.line(t, 'INFO', SRC.pull, `the first time to pull message, so fix offset from broker. pullRequest: ${pr} NewOffset: ${newOffset} brokerBusy: ${busy}`);
  if (busy) log.line(tt, 'INFO', SRC.pull, `[NOTIFYME]the first time to pull message, but pull request offset larger than broker consume offset. pullRequest: ${pr} NewOffset: ${newOffset}`);
}

function heartbeatFail(log, b, t) {
  const tt = log.line(t, 'WARN', SRC.remotingSync, `invokeSync: wait response timeout exception, the channel[${b.addr}]`);
  log.exception(tt + 1, 'INFO', SRC.factory, `send heart beat to broker[${b.name} 0 ${b.addr}] failed`, [`${TIMEOUT_EX}: wait response on the channel <${b.addr}> timeout, 3000(ms)`, ...FRAMES.invokeSync, ...FRAMES.heartbeat, ...FRAMES.scheduled, ...FRAMES.pool]);
}

function victimScript(world, inc, log, c) {
  const r = inc.r;
  const b = inc.broker;
  const g = inc.group;
  const Q = inc.Q;
  const s = [];
  const at = (t, fn) => s.push({ t, fn });
  // Jitter: name-server and pull timeouts, lock RPC timeouts, from tI to the reconnection.
  for (let t = inc.tI; t < inc.tRc; t += 40 * SEC + r.int(80 * SEC)) {
    const which = r();
    if (t === inc.tI || which < 0.4) at(t, (tt) => nsTimeout(log, world, r, tt));
    else if (which < 0.8) at(t, (tt) => pullTimeout(log, world, c, r, tt, r.pick(world.brokers)));
    else
      at(t, (tt) => {
        const other = r.pick(world.brokers);
        const qs = g.owned.get(c.index).filter((q) => q.brokerName === other.name && q !== Q);
        log.exception(tt, 'ERROR', SRC.rebalance, `lockBatchMQ exception, [${qs.map((q) => q.str).join(', ')}]`, [`${TIMEOUT_EX}: wait response on the channel <${other.addr}> timeout, 1000(ms)`, ...FRAMES.invokeSync, ...FRAMES.pool]);
      });
  }
  // Heartbeat to the queue's broker fails; the broker drops the channel; the queue is given away.
  at(inc.tH, (t) => heartbeatFail(log, b, t));
  at(inc.tH + 420, (t) => removeQueue(world, inc, log, c, t, Q.fn(t), false));
  for (let t = inc.tH + 30 * SEC; t < inc.tB; t += 30 * SEC) at(t + r.int(20), (tt) => heartbeatFail(log, b, tt));
  // Back in the group: takes the queue again (offset read correctly), flap, re-add.
  at(inc.tB + 20 * SEC, (t) => addQueue(world, inc, log, c, t, inc.S));
  at(inc.tB + 22 * SEC, (t) => {
    const tt = log.line(t, 'INFO', SRC.rebalance, `the message queue locked OK, Group: ${g.name} ${Q.str}`);
    firstPull(inc, log, tt + 40, inc.S, inc.S, false);
  });
  at(inc.tF, (t) => removeQueue(world, inc, log, c, t, inc.S, false));
  at(inc.tA, (t) => {
    const tt = log.line(t, 'INFO', SRC.notify, `receive broker's notification[${b.addr}], the consumer group: ${g.name} changed, rebalance immediately`);
    addQueue(world, inc, log, c, tt + 39, inc.S);
  });
  at(inc.tA + 5 * SEC, (t) => log.line(t, 'INFO', SRC.rebalance, `the message queue locked OK, Group: ${g.name} ${Q.str}`));
  // The offset read times out → -1.
  at(inc.tFail, (t) => {
    let tt = log.line(t, 'WARN', SRC.remotingSync, `invokeSync: wait response timeout exception, the channel[${b.addr}]`);
    tt = log.exception(tt + 1, 'WARN', SRC.pull, `fetchConsumeOffsetFromBroker exception, ${Q.str}`, [`${TIMEOUT_EX}: wait response on the channel <${b.addr}> timeout, 5000(ms)`, ...FRAMES.invokeSync, ...FRAMES.fetchOffset, ...FRAMES.pool]);
    firstPull(inc, log, tt + 1, inc.S, -1, true);
  });
  // The pull with -1 cannot get through: timeouts, connection reset, connect failures.
  at(inc.tFail + 31 * SEC, (t) => pullTimeout(log, world, c, r, t, b));
  at(inc.tFail + 36 * SEC, (t) => {
    let tt = log.line(t, 'WARN', SRC.remoting, `NETTY CLIENT PIPELINE: exceptionCaught ${b.addr}`);
    tt = log.exception(tt, 'WARN', SRC.remoting, 'NETTY CLIENT PIPELINE: exceptionCaught exception.', ['java.io.IOException: Connection reset by peer', ...FRAMES.netty]);
    tt = log.line(tt + 1, 'INFO', SRC.remoting, `closeChannel: close the connection to remote address[${b.addr}] result: true`);
    log.line(tt, 'INFO', SRC.remoting, `NETTY CLIENT PIPELINE: CLOSE ${b.addr}`);
  });
  for (const d of [42, 55, 68]) {
    at(inc.tFail + d * SEC + r.int(500), (t) => {
      const tt = log.line(t, 'WARN', SRC.remotingSync, `createChannel: connect remote host[${b.addr}] failed, DefaultChannelPromise@${r.hex(8)}(failure: io.netty.channel.AbstractChannel$AnnotatedConnectException: Connection refused: /${b.addr})`);
      log.exception(tt + 1, 'ERROR', SRC.pull, 'pullKernelImpl exception', [`org.apache.rocketmq.remoting.exception.RemotingConnectException: connect to ${b.addr} failed`, ...FRAMES.pullKernel]);
    });
  }
  // Reconnected: the broker corrects -1 to its min offset; the client takes it and commits it.
  at(inc.tRc, (t) => {
    let tt = log.line(t, 'INFO', SRC.remotingSync, `createChannel: begin to connect remote host[${b.addr}] asynchronously`);
    tt = log.line(tt, 'INFO', SRC.remoting, `NETTY CLIENT PIPELINE: CONNECT  UNKNOWN => ${b.addr}`);
    tt = log.line(tt + 2, 'INFO', SRC.remotingSync, `createChannel: connect remote host[${b.addr}] success, DefaultChannelPromise@${r.hex(8)}(success)`);
    log.line(tt + 28, 'WARN', SRC.pullCallback, `the pull request offset illegal, PullRequest [consumerGroup=${g.name}, messageQueue=${Q.str}, nextOffset=-1] PullResult [pullStatus=OFFSET_ILLEGAL, nextBeginOffset=${inc.M}, minOffset=${inc.M}, maxOffset=${inc.produced(t)}, msgFoundList=0]`);
  });
  at(inc.tRw, (t) => removeQueue(world, inc, log, c, t, inc.M, true));
  return s;
}

function heirScript(world, inc, log, c) {
  const g = inc.group;
  const Q = inc.Q;
  const s = [];
  const at = (t, fn) => s.push({ t, fn });
  at(inc.tH + 800, (t) => addQueue(world, inc, log, c, t, Q.fn(inc.tH)));
  at(inc.tH + 17 * SEC, (t) => {
    const tt = log.line(t, 'INFO', SRC.rebalance, `the message queue locked OK, Group: ${g.name} ${Q.str}`);
    firstPull(inc, log, tt + 42, Q.fn(inc.tH), Q.fn(inc.tH), false);
  });
  at(inc.tB, (t) => removeQueue(world, inc, log, c, t, inc.S, false));
  for (const d of [36, 76]) {
    at(inc.tFail + d * SEC + 200, (t) => {
      const tt = log.line(t, 'INFO', SRC.rebalance, `the message queue lock Failed, ${g.name} ${Q.str}`);
      log.line(tt, 'WARN', SRC.rebalance, `doRebalance, ${g.name}, add a new mq failed, ${Q.str}, because lock failed`);
    });
  }
  at(inc.tN2, (t) => addQueue(world, inc, log, c, t, inc.M));
  for (let k = 1; k <= 14; k++)
    at(inc.tN2 + k * 1000 + 12, (t) => log.line(t, 'INFO', SRC.pull, `pull message later because not locked in broker, PullRequest [consumerGroup=${g.name}, messageQueue=${Q.str}, nextOffset=${inc.M}]`));
  at(inc.tN2L, (t) => {
    const tt = log.line(t, 'INFO', SRC.rebalance, `the message queue locked OK, Group: ${g.name} ${Q.str}`);
    firstPull(inc, log, tt + 46, inc.M, inc.M, false);
  });
  return s;
}

// ------------------------------------------------------------------------------------------------
// Broker host generation
// ------------------------------------------------------------------------------------------------

function channelInfo(world, b, ip, port, cid, version, r, closed, lastUpdate) {
  return `ClientChannelInfo [channel=[id: 0x${r.hex(8)}, L:/${b.addr} ${closed ? '!' : '-'} R:/${ip}:${port}], clientId=${cid}, language=JAVA, version=${version}, lastUpdateTimestamp=${lastUpdate}]`;
}

async function genBroker(world, b, spanMs, dir, incident, counting, manifest) {
  const r = rng(world.seed * 1000 + 500 + b.index * 17);
  const t0 = world.start;
  const end = t0 + spanMs;
  const base = path.join(dir, b.ip, 'logs', 'rocketmqlogs');
  const brokerLog = new BrokerLog(
    [
      { file: path.join(base, 'otherdays', 'broker.1.log.gz'), gz: true, until: t0 + Math.floor(spanMs * 0.4) },
      { file: path.join(base, 'broker.log'), gz: false, until: Infinity },
    ],
    counting,
    manifest,
  );
  const remoting = new BrokerLog([{ file: path.join(base, 'remoting.log'), gz: false, until: Infinity }], counting, manifest);
  const lock = new BrokerLog([{ file: path.join(base, 'lock.log'), gz: false, until: Infinity }], counting, manifest);
  const logs = [brokerLog, remoting, lock];
  const tasks = [];
  // Application clients that are not part of the bundle (other groups / producers).
  const appNet = `${world.clientNet.split('.').slice(0, 2).join('.')}.${(Number(world.clientNet.split('.')[2]) + 3) % 250}`;
  const otherGroups = [`${world.w2}-report-consumer`, `${world.w1}-archive-consumer`, `${world.w2}-search-sync`];
  const otherOrderly = `${world.w1}-seq-consumer`;
  const apps = otherGroups.map((grp, i) => ({ grp, ip: `${appNet}.${30 + i * 7}`, pid: r.range(2000, 60000), port: r.range(30000, 60000) }));

  // broker.log: other groups' consumers come and go; slow puts.
  tasks.push({
    log: brokerLog,
    next: t0 + r.exp(20 * MIN),
    run(t) {
      const a = r.pick(apps);
      const cid = `${a.ip}@${a.pid}`;
      if (r() < 0.5) {
        brokerLog.line(t, 'WARN', 'NettyEventExecutor', `NETTY EVENT: remove not active channel[${channelInfo(world, b, a.ip, a.port, cid, 373, r, true, t - r.int(30000))}] from ConsumerGroupInfo groupChannelTable, consumer group: ${a.grp}`);
      } else {
        brokerLog.line(t, 'WARN', 'ClientHousekeepingScheduledThread1', `SCAN: remove expired channel from ConsumerManager consumerTable. channel=${a.ip}:${a.port}, consumerGroup=${a.grp}`);
      }
      a.port = r.range(30000, 60000);
      a.pid = r() < 0.3 ? r.range(2000, 60000) : a.pid;
      brokerLog.line(t + 5000 + r.int(20000), 'INFO', `HeartbeatThread_${r.range(1, 8)}`, `new consumer connected, group: ${a.grp} CONSUME_PASSIVELY CLUSTERING channel: ${channelInfo(world, b, a.ip, a.port, `${a.ip}@${a.pid}`, 373, r, false, t + 5000)}`);
      return t + 30 * SEC + r.exp(20 * MIN);
    },
  });
  tasks.push({
    log: brokerLog,
    next: t0 + r.exp(8 * MIN),
    run(t) {
      brokerLog.line(
        t,
        'WARN',
        `SendMessageThread_${r.range(1, 16)}`,
        `[NOTIFYME]putMessage in lock cost time(ms)=${r.range(500, 2500)}, bodyLength=${r.range(200, 4000)} AppendMessageResult=AppendMessageResult{status=PUT_OK, wroteOffset=${r.range(1e9, 9e11)}, wroteBytes=${r.range(300, 4200)}, msgId='${b.ip
          .split('.')
          .map((x) => Number(x).toString(16).toUpperCase().padStart(2, '0'))
          .join('')}00002A9F${r.hex(16).toUpperCase()}', storeTimestamp=${t}, logicsOffset=${r.range(1000, 9000000)}, pagecacheRT=0, msgNum=1}`,
      );
      return t + r.exp(8 * MIN);
    },
  });
  // remoting.log: short producer connections open and close; idle ones are closed.
  let open = [];
  tasks.push({
    log: remoting,
    next: t0 + r.int(5000),
    run(t) {
      if (open.length > 3 || (open.length > 0 && r() < 0.5)) {
        const ch = open.shift();
        if (r() < 0.1) {
          remoting.line(t, 'WARN', `NettyServerCodecThread_${r.range(1, 8)}`, `NETTY SERVER PIPELINE: IDLE exception [${ch}]`);
          remoting.line(t, 'INFO', `NettyServerNIOSelector_3_${r.range(1, 4)}`, `closeChannel: close the connection to remote address[${ch}] result: true`);
        }
        const th = `NettyServerCodecThread_${r.range(1, 8)}`;
        remoting.line(t, 'INFO', th, `NETTY SERVER PIPELINE: channelInactive, the channel[${ch}]`);
        remoting.line(t, 'INFO', th, `NETTY SERVER PIPELINE: channelUnregistered, the channel[${ch}]`);
      } else {
        const ch = `${appNet}.${r.range(40, 200)}:${r.range(30000, 60000)}`;
        open.push(ch);
        const th = `NettyServerCodecThread_${r.range(1, 8)}`;
        remoting.line(t, 'INFO', th, `NETTY SERVER PIPELINE: channelRegistered ${ch}`);
        remoting.line(t, 'INFO', th, `NETTY SERVER PIPELINE: channelActive, the channel[${ch}]`);
      }
      return t + 1000 + r.exp(4000);
    },
  });
  // lock.log: another orderly group's queues change hands now and then.
  tasks.push({
    log: lock,
    next: t0 + r.exp(2 * HOUR),
    run(t) {
      const q = r.int(8);
      const a = `${appNet}.${r.range(40, 200)}@${r.range(2000, 60000)}`;
      lock.line(t, 'INFO', `AdminBrokerThread_${r.range(1, 4)}`, `tryLockBatch, message queue not locked, I got it. Group: ${otherOrderly} NewClientId: ${a} MessageQueue [topic=${world.w1}_seq_event, brokerName=${b.name}, queueId=${q}]`);
      return t + r.exp(2 * HOUR);
    },
  });

  if (incident) {
    const script = brokerScript(world, incident, b, { brokerLog, lock });
    script.sort((x, y) => x.t - y.t);
    let i = 0;
    tasks.push({
      log: null,
      next: script.length ? script[0].t : Infinity,
      run(t) {
        script[i].fn(t);
        i++;
        return i < script.length ? script[i].t : Infinity;
      },
    });
  }

  for (const l of logs) await l.open(t0);
  for (;;) {
    let k = 0;
    for (let i = 1; i < tasks.length; i++) if (tasks[i].next < tasks[k].next) k = i;
    const t = tasks[k].next;
    if (t >= end) break;
    for (const l of logs) if (t >= l.pieces[l.i].until) await l.open(t);
    tasks[k].next = tasks[k].run(Math.floor(t));
    for (const l of logs) if (l.sink.buf.length >= CHUNK) await l.sink.flush();
  }
  for (const l of logs) await l.close();
  return logs;
}

function brokerScript(world, inc, b, { brokerLog, lock }) {
  const r = rng(world.seed * 13 + b.index);
  const v = inc.victim;
  const n = inc.heir;
  const g = inc.group;
  const Q = inc.Q;
  const s = [];
  const at = (t, fn) => s.push({ t, fn });
  const isQ = b === inc.broker;
  const [p1, p2, p3, p4, p5] = inc.ports;
  const removed = (t, port) => brokerLog.line(t, 'WARN', 'NettyEventExecutor', `NETTY EVENT: remove not active channel[${channelInfo(world, b, v.ip, port, v.cid, v.version, r, true, t - 20000 - r.int(10000))}] from ConsumerGroupInfo groupChannelTable, consumer group: ${g.name}`);
  const connected = (t, port) => brokerLog.line(t, 'INFO', 'HeartbeatThread_3', `new consumer connected, group: ${g.name} CONSUME_PASSIVELY CLUSTERING channel: ${channelInfo(world, b, v.ip, port, v.cid, v.version, r, false, t)}`);
  const gotIt = (t, cid) => lock.line(t, 'INFO', 'AdminBrokerThread_2', `tryLockBatch, message queue not locked, I got it. Group: ${g.name} NewClientId: ${cid} ${Q.str}`);
  const unlock = (t, cid) => lock.line(t, 'INFO', 'AdminBrokerThread_1', `unlockBatch, Group: ${g.name} ${Q.str} ${cid}`);

  at(inc.tH + 50, (t) => removed(t, p1));
  at(inc.tB - 500, (t) => connected(t, p2));
  if (!isQ) {
    at(inc.tRw + 60 * SEC, (t) => connected(t, p5));
    return s;
  }
  at(inc.tH + 420, (t) => unlock(t, v.cid));
  at(inc.tH + 800, (t) => gotIt(t, n.cid));
  at(inc.tB, (t) => unlock(t, n.cid));
  at(inc.tB + 20 * SEC, (t) => gotIt(t, v.cid));
  at(inc.tF - 5 * SEC, (t) => removed(t, p2));
  at(inc.tF, (t) => unlock(t, v.cid));
  at(inc.tA, (t) => connected(t, p3));
  at(inc.tA + 39, (t) => gotIt(t, v.cid));
  at(inc.tFail + 36 * SEC, (t) => removed(t, p3));
  for (const d of [36, 76])
    at(inc.tFail + d * SEC + 200, (t) => lock.line(t, 'WARN', 'AdminBrokerThread_2', `tryLockBatch, message queue locked by other client. Group: ${g.name} OtherClientId: ${v.cid} NewClientId: ${n.cid} ${Q.str}`));
  at(inc.tRc + 20, (t) => {
    brokerLog.line(t, 'INFO', 'PullMessageThread_12', `the request offset too small. group=${g.name}, topic=${Q.topic}, requestOffset=-1, brokerMinOffset=${inc.M}, clientIp=/${v.ip}:${p4}`);
    brokerLog.line(t, 'WARN', 'PullMessageThread_12', `PULL_OFFSET_MOVED:correction offset. topic=${Q.topic}, groupId=${g.name}, requestOffset=-1, newOffset=${inc.M}, suggestBrokerId=0`);
  });
  at(inc.tRw + 5, (t) => {
    brokerLog.line(t, 'WARN', 'ConsumerManageThread_3', `[NOTIFYME]update consumer offset less than store. clientHost=${v.ip}:${p4}, key=${Q.topic}@${g.name}, queueId=${Q.queueId}, requestOffset=${inc.M}, storeOffset=${inc.S}`);
    unlock(t + 20, v.cid);
  });
  at(inc.tN2, (t) => gotIt(t, n.cid));
  at(inc.tRw + 60 * SEC, (t) => connected(t, p5));
  return s;
}

// ------------------------------------------------------------------------------------------------
// Driver
// ------------------------------------------------------------------------------------------------

/** Bytes per hour of the steady-state bundle (one simulated hour written to a counter). */
async function calibrate(seed, sizeBytes) {
  const world = buildWorld(seed, sizeBytes);
  let bytes = 0;
  for (const c of world.clients) {
    const log = await genClient(world, c, HOUR, '/nonexistent', null, true, null);
    bytes += log.countedBytes ?? 0;
  }
  for (const b of world.brokers) {
    const logs = await genBroker(world, b, HOUR, '/nonexistent', null, true, null);
    for (const l of logs) bytes += l.countedBytes ?? 0;
  }
  return bytes;
}

/**
 * Generates the bundle under `outDir` (which must not exist or be empty). Returns the manifest:
 * files (path relative to outDir, uncompressed bytes, lines), totals, the zone and the incident
 * the tool must find.
 */
export async function generate({ sizeBytes, seed, outDir, log = () => {} }) {
  const perHour = await calibrate(seed, sizeBytes);
  const spanMs = Math.max(3 * HOUR, Math.round((sizeBytes / perHour) * HOUR));
  const world = buildWorld(seed, sizeBytes);
  const incident = planIncident(world, spanMs);
  fs.mkdirSync(outDir, { recursive: true });
  const manifest = [];
  const t = Date.now();
  for (const c of world.clients) {
    await genClient(world, c, spanMs, outDir, incident, false, manifest);
    log(`  client ${c.ip} (${c.gen === 4 ? '4.8.0 inner logger' : '5.1.4 logback'}) done, ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  for (const b of world.brokers) await genBroker(world, b, spanMs, outDir, incident, false, manifest);
  const files = manifest.map((m) => ({ path: path.relative(outDir, m.file), gz: m.gz, bytes: m.bytes, lines: m.lines }));
  const iso = (ms) => new Date(ms + TZ_OFFSET_MS).toISOString().replace('Z', '+08:00');
  return {
    seed,
    requestedBytes: sizeBytes,
    bytes: files.reduce((s, f) => s + f.bytes, 0),
    lines: files.reduce((s, f) => s + f.lines, 0),
    tz: TZ,
    span: { start: iso(world.start), end: iso(world.start + spanMs) },
    hosts: {
      clients: world.clients.map((c) => ({ ip: c.ip, clientId: c.cid, version: c.gen === 4 ? '4.8.0' : '5.1.4' })),
      brokers: world.brokers.map((b) => ({ ip: b.ip, name: b.name })),
    },
    incident: {
      cause: 'offset-fetch-failure',
      group: incident.group.name,
      topic: incident.Q.topic,
      brokerName: incident.Q.brokerName,
      queueId: incident.Q.queueId,
      offsetRange: { from: incident.M, to: incident.S - 1 },
      redeliveredCount: incident.S - incident.M,
      victim: incident.victim.ip,
      heir: incident.heir.ip,
      jitterFrom: iso(incident.tI),
      fetchFailedAt: iso(incident.tFail),
      regressionAt: iso(incident.tRw),
    },
    files,
  };
}

// CLI
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const sizeBytes = parseSize(opt('--size', '100M'));
  const seed = Number(opt('--seed', '1'));
  const outDir = opt('--out', null);
  if (!outDir) {
    process.stderr.write('usage: node bench/generate.mjs --out DIR [--size 100M|1G|4G] [--seed N]\n');
    process.exit(2);
  }
  const t = process.hrtime.bigint();
  const m = await generate({ sizeBytes, seed, outDir, log: (s) => process.stderr.write(s + '\n') });
  const sec = Number(process.hrtime.bigint() - t) / 1e9;
  fs.writeFileSync(path.join(path.dirname(path.resolve(outDir)), path.basename(outDir) + '.manifest.json'), JSON.stringify(m, null, 2));
  process.stderr.write(`generated ${formatSize(m.bytes)} (${m.lines} lines, ${m.files.length} files) in ${sec.toFixed(1)} s → ${outDir}\n`);
  process.stdout.write(JSON.stringify(m.incident, null, 2) + '\n');
}
