import type { Layout } from './text.js';

const LEVEL = '(?<level>TRACE|DEBUG|INFO|WARN|ERROR|FATAL)';
const DATE4 = '(?<date>\\d{4}-\\d\\d-\\d\\d)';
const TIME = '(?<time>\\d\\d:\\d\\d:\\d\\d)';

/** Client 4.3.0–5.0.0 built-in "inner" logger (catalog §0, §10.1 B). CRLF, host-local time. */
export const CLIENT_INNER: Layout = {
  id: 'client-inner',
  pattern: 'yyyy-MM-dd HH:mm:ss,SSS LEVEL LOGGERNAME - msg\\r\\n (4.3.0–4.7.1: ,sss = seconds again)',
  header: new RegExp(`^${DATE4} ${TIME},(?<frac>\\d{3}) ${LEVEL} (?<logger>Rocketmq(?:Client|Remoting|Common)) - (?<msg>.*)$`),
  zone: 'host',
  samples: [
    '2024-05-10 14:23:01,234 INFO RocketmqClient - doRebalance, pos-provider, add a new mq, MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]',
    '2026-11-21 11:13:52,052 INFO RocketmqClient - doRebalance, pos-provider, add a new mq, MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]',
  ],
};

/** Client 4.0.0–4.2.0 with the log4j / log4j2 binding: `%d{yyy-MM-dd HH:mm:ss,SSS} %p %c{1}(%L) - %m%n`. */
export const CLIENT_LOG4J: Layout = {
  id: 'client-log4j',
  pattern: '%d{yyy-MM-dd HH:mm:ss,SSS} %p %c{1}(%L) - %m%n',
  header: new RegExp(`^${DATE4} ${TIME},(?<frac>\\d{3}) ${LEVEL} (?<logger>[\\w$.]+)\\((?<line>\\d+|\\?)\\) - (?<msg>.*)$`),
  zone: 'host',
  samples: ['2024-05-10 14:23:01,234 INFO RocketmqClient(301) - doRebalance, pos-provider, add a new mq, MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]'],
};

/**
 * `%d{yyy-MM-dd HH:mm:ss,GMT+8} %p %t - %m%n`: every broker log file, and the 4.0.0–4.2.0
 * client with the logback binding. Second resolution, GMT+8 (the `,GMT+8` is a zone option).
 */
export const LOGBACK_GMT8: Layout = {
  id: 'logback-gmt8',
  pattern: '%d{yyy-MM-dd HH:mm:ss,GMT+8} %p %t - %m%n',
  header: new RegExp(`^${DATE4} ${TIME} ${LEVEL} (?<thread>[^ ]+(?: [^ ]+){0,3}?) - (?<msg>.*)$`),
  zone: 'GMT+8',
  samples: ['2024-05-10 14:23:05 WARN ConsumerManageThread_3 - [NOTIFYME]update consumer offset less than store. clientHost=172.66.6.3:52814, key=pos_create_pos_cooperate_sale_order@pos-provider, queueId=0, requestOffset=1200, storeOffset=1250'],
};

/** Broker `stats.log`: `%d{yyy-MM-dd HH:mm:ss,GMT+8} %p - %m%n`. */
export const BROKER_STATS: Layout = {
  id: 'broker-stats',
  pattern: '%d{yyy-MM-dd HH:mm:ss,GMT+8} %p - %m%n',
  header: new RegExp(`^${DATE4} ${TIME} ${LEVEL} - (?<msg>.*)$`),
  zone: 'GMT+8',
  samples: ['2024-05-10 14:23:01 INFO - [TOPIC_PUT_NUMS] [pos_create_pos_cooperate_sale_order] Stats In One Minute, SUM: 120 TPS: 2.00 AVGPT: 1.00'],
};

/** Broker `protection.log`, `watermark.log`: `%d{yyy-MM-dd HH:mm:ss,GMT+8} - %m%n`. */
export const BROKER_PLAIN: Layout = {
  id: 'broker-plain',
  pattern: '%d{yyy-MM-dd HH:mm:ss,GMT+8} - %m%n',
  header: new RegExp(`^${DATE4} ${TIME} - (?<msg>.*)$`),
  zone: 'GMT+8',
  samples: ['2024-05-10 14:23:01 - [WATERMARK] Send Queue Size: 0 SlowTimeMills: 0'],
};

/** Client 5.1.0+ shaded logback: `%d{yyy-MM-dd HH:mm:ss.SSS,GMT+8} %-5p [%pid] [%t] [%logger{12}#%M:%L] - %m%n`. */
export const CLIENT_LOGBACK5: Layout = {
  id: 'client-logback',
  pattern: '%d{yyy-MM-dd HH:mm:ss.SSS,GMT+8} %-5p [%pid] [%t] [%logger{12}#%M:%L] - %m%n',
  header: new RegExp(
    `^${DATE4} ${TIME}\\.(?<frac>\\d{3}) ${LEVEL} +(?:\\[(?<pid>\\d+)\\] )?\\[(?<thread>[^\\]]*)\\] \\[(?<logger>[^#\\]]*)#[^\\]]*\\] - (?<msg>.*)$`,
  ),
  zone: 'GMT+8',
  samples: [
    '2024-05-10 14:23:01.234 INFO  [12345] [RebalanceService] [o.a.r.c.i.c.RebalanceImpl#?:?] - client rebalanced result changed. allocateMessageQueueStrategyName=AVG, group=pos-provider, topic=pos_create_pos_cooperate_sale_order, clientId=172.66.6.3@12345#1289456702398741, mqAllSize=4, cidAllSize=2, rebalanceResultSize=1, rebalanceResultSet=[MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]]',
    '2024-05-10 14:23:01.234 INFO  [12345] [RebalanceService] [o.a.r.c.i.c.RebalanceImpl#rebalanceByTopic:330] - client rebalanced result changed. allocateMessageQueueStrategyName=AVG, group=pos-provider, topic=pos_create_pos_cooperate_sale_order, clientId=172.66.6.3@12345#1289456702398741, mqAllSize=4, cidAllSize=2, rebalanceResultSize=1, rebalanceResultSet=[MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]]',
  ],
};

/**
 * Application-configured slf4j layouts (`rocketmq.client.logUseSlf4j=true`, or a log4j/logback
 * file of the application's) where the message text is RocketMQ's. Recognised: a timestamp at
 * the start (`yyyy-MM-dd`, `yy-MM-dd` or `MM-dd`; `T` or space; fraction optional), a level word,
 * then the message after the first ` - `, ` : ` or ` | ` separator. Host-local time.
 */
export const CLIENT_SLF4J: Layout = {
  id: 'client-slf4j',
  pattern: '<date> <time>[.,SSS] … LEVEL … (-|:) msg   (application layouts)',
  header: new RegExp(
    '^\\[?(?<date>\\d{4}-\\d\\d-\\d\\d|\\d\\d-\\d\\d-\\d\\d|\\d\\d-\\d\\d)[ T](?<time>\\d\\d:\\d\\d:\\d\\d)(?:[.,](?<frac>\\d{1,6}))?(?:Z|[+-]\\d\\d:?\\d\\d)?\\]?' +
      '[ \\t]+(?:[^ \\t]+[ \\t]+){0,4}?\\[?(?<level>TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)\\]?[ \\t]+' +
      '(?:[^ \\t]+[ \\t]+){0,6}?(?:-|:|\\|)[ \\t](?<msg>.*)$',
  ),
  zone: 'host',
  samples: [
    '2024-05-10 14:23:01.234  INFO 12345 --- [RebalanceService] RocketmqClient                           : doRebalance, pos-provider, add a new mq, MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]',
    '24-05-10 14:23:01 INFO [RebalanceService] RocketmqClient - doRebalance, pos-provider, add a new mq, MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]',
    '05-10 14:23:01.234 [RebalanceService] INFO RocketmqClient - doRebalance, pos-provider, add a new mq, MessageQueue [topic=pos_create_pos_cooperate_sale_order, brokerName=broker-b, queueId=0]',
  ],
};
