import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAck, parseCk, popAckRevive } from '../../src/diagnose/rules/pop-ack-revive.js';
import { RULES } from '../../src/diagnose/rules/index.js';
import { contextFrom, diagnoseWith, fixtureContext, incidentsOf, type Diagnosis } from '../rule-helpers.js';

const T = 'pos_create_pos_cooperate_sale_order';
const G = 'pos-provider';
const POPT = 1715581400200;
const CK = (bm: number): string =>
  `PopCheckPoint [topic=${T}, cid=${G}, queueId=0, startOffset=1250, bitMap=${bm}, num=4, reviveTime=${POPT + 30000}, reviveOffset=88213, diff=[0, 1, 2, 3], brokerName=broker-b, rePutTimes=null]`;
const CKW = (bits: number): string => `CkWrap{rq=2, rqo=88213, ck=${CK(0)}, bits=${bits}, sBits=${bits.toString(2)}, nbo=false, cks=false, jo=false}`;
const ACK = (ao: number, bn: string): string => `AckMsg{ackOffset=${ao}, startOffset=1250, consumerGroup='${G}', topic='${T}', queueId=0, popTime=${POPT}, brokerName=${bn}}`;
const PUT =
  "PutMessageResult [putMessageStatus=PUT_OK, appendMessageResult=AppendMessageResult{status=PUT_OK, wroteOffset=123456799012, wroteBytes=512, msgId='AC42011F00002A9F0000001CBE994124', storeTimestamp=1715322211005, logicsOffset=37, pagecacheRT=0, msgNum=1}]";
const p = (ts: string, level: string, thread: string, msg: string): string => `2024-05-13 ${ts} ${level} ${thread} - ${msg}\n`;
const revive = (off: number): string => p('14:23:51', 'INFO', 'PopReviveService_2', `reviveQueueId=2,retry msg, ck=${CK(8)}, msg queueId 0, offset ${off}, reviveDelay=1, result is ${PUT} `);
const FINISH = p('14:23:51', 'INFO', 'PopReviveService_2', 'reviveQueueId=2, revive finish,old offset is 88200, new offset is 88218, ckDelay=1  ');
const BOOT = '2024-05-13 14:20:00 INFO main - The broker[broker-b, 172.66.1.31:10911] boot success. serializeType=JSON and name server is 172.66.1.10:9876\n';

const pops = (d: Diagnosis) => incidentsOf(d, 'pop-ack-revive');

describe('pop-ack-revive', () => {
  describe('valid', () => {
    it('fixture: acks stored with brokerName=null (#8835) → offsets 1250–1252 of broker-b:0 revived and consumed again', async () => {
      const ctx = await fixtureContext('pop-ack-revive');
      const d = diagnoseWith(ctx, [...RULES]);
      assert.equal(d.incidents.length, 1, d.incidents.map((i) => `${i.cause}: ${i.summary}`).join('\n'));
      const inc = pops(d)[0]!;
      assert.deepEqual(inc.queue, { group: G, topic: T, brokerName: 'broker-b', queueId: 0 });
      assert.deepEqual(inc.offsetRange, { from: 1250, to: 1252 });
      assert.equal(inc.redeliveredCount, 3);
      assert.equal(inc.confidence, 'high');
      assert.match(inc.summary, /brokerName=null/);
      const raws = inc.chain.map((l) => l.event.raw);
      assert.ok(raws.some((r) => r.includes('[PopBuffer]put ack to store ok') && r.includes('brokerName=null}')), 'the #8835 ack line is in the chain');
      assert.ok(raws.some((r) => /retry msg, ck=.*offset 1250, reviveDelay/.test(r)));
      assert.ok(!raws.some((r) => /offset 1253, reviveDelay/.test(r)), '1253 was not revived');
      assert.deepEqual([...inc.messageIds].sort(), ['AC42020D00016267C3BC317A248604E2', 'AC42020D00016267C3BC317A267904E3', 'AC42020D00016267C3BC317A286C04E4']);
      assert.equal(d.redeliveries.length, 3);
      assert.ok(d.redeliveries.every((r) => r.cause === 'pop-ack-revive'));
      assert.deepEqual(inc.missingEvidence, []);
    });

    it('the revive service reading an ack without "bn" is enough (no [PopBuffer] lines), medium without a trace', async () => {
      const ctx = await contextFrom({
        '172.66.1.31/logs/rocketmqlogs/broker.log': BOOT,
        '172.66.1.31/logs/rocketmqlogs/pop.log':
          p('14:23:51', 'INFO', 'PopReviveService_2', `reviveQueueId=2, find ack, offset:88214, raw : {"ao":1251,"so":1250,"c":"${G}","t":"${T}","q":0,"pt":${POPT}}`) + revive(1251) + FINISH,
      });
      const incs = pops(diagnoseWith(ctx, [popAckRevive]));
      assert.equal(incs.length, 1);
      assert.deepEqual(incs[0]!.offsetRange, { from: 1251, to: 1251 });
      assert.equal(incs[0]!.confidence, 'medium');
      assert.ok(incs[0]!.missingEvidence.some((m) => /message trace/.test(m)));
    });
  });

  describe('invalid', () => {
    it('un-acked messages revived (no ack for them): POP redelivery by design, not this cause', async () => {
      const ctx = await contextFrom({
        '172.66.1.31/logs/rocketmqlogs/broker.log': BOOT,
        '172.66.1.31/logs/rocketmqlogs/pop.log': p('14:23:20', 'INFO', 'PopMessageThread_2', `[PopBuffer]add ck, ${CKW(0)}`) + revive(1250) + revive(1251) + FINISH,
      });
      assert.equal(pops(diagnoseWith(ctx, [popAckRevive])).length, 0);
    });

    it('acks merged in the buffer and only the un-acked offset revived: nothing acked was revived', async () => {
      const ctx = await contextFrom({
        '172.66.1.31/logs/rocketmqlogs/broker.log': BOOT,
        '172.66.1.31/logs/rocketmqlogs/pop.log':
          p('14:23:20', 'INFO', 'PopMessageThread_2', `[PopBuffer]add ck, ${CKW(0)}`) +
          p('14:23:21', 'INFO', 'AckMessageThread_1', `[PopBuffer]add ack, rqId=2, ${CKW(1)}, ${ACK(1250, 'broker-b')}`) +
          p('14:23:21', 'INFO', 'AckMessageThread_2', `[PopBuffer]add ack, rqId=2, ${CKW(3)}, ${ACK(1251, 'broker-b')}`) +
          p('14:23:21', 'INFO', 'AckMessageThread_1', `[PopBuffer]add ack, rqId=2, ${CKW(7)}, ${ACK(1252, 'broker-b')}`) +
          revive(1253) +
          FINISH,
      });
      assert.equal(pops(diagnoseWith(ctx, [popAckRevive])).length, 0);
    });

    it('an ack of another checkpoint (other startOffset) does not make a revive of the same offset an acked one', async () => {
      const other = `AckMsg{ackOffset=1250, startOffset=1246, consumerGroup='${G}', topic='${T}', queueId=0, popTime=${POPT - 9000}, brokerName=null}`;
      const ctx = await contextFrom({
        '172.66.1.31/logs/rocketmqlogs/broker.log': BOOT,
        '172.66.1.31/logs/rocketmqlogs/pop.log': p('14:23:30', 'INFO', 'PopBufferMergeService', `[PopBuffer]put ack to store ok: ${CKW(1)}, ${other}, ${PUT}`) + revive(1250) + FINISH,
      });
      assert.equal(pops(diagnoseWith(ctx, [popAckRevive])).length, 0);
    });
  });

  describe('parsers', () => {
    it('read the CK and ACK toStrings and raw JSON', () => {
      assert.deepEqual(parseCk(CK(8)), { topic: T, group: G, queueId: 0, startOffset: 1250, brokerName: 'broker-b' });
      assert.deepEqual(parseAck(ACK(1252, 'null')), { offsets: [1252], startOffset: 1250, group: G, topic: T, queueId: 0, brokerName: null });
      assert.deepEqual(parseAck(`raw : {"aol":[1250,1251],"so":1250,"c":"${G}","t":"${T}","q":0,"pt":${POPT},"bn":"broker-b"}`)?.offsets, [1250, 1251]);
      assert.equal(parseAck('raw : {"so":1250}'), null);
    });
  });
});
