import type { Rule } from '../types.js';
import { brokerOffsetLoss } from './broker-offset-loss.js';
import { consumeFailureRetry } from './consume-failure-retry.js';
import { consumeTimeout } from './consume-timeout.js';
import { consumerRestartUncommitted } from './consumer-restart-uncommitted.js';
import { manualOffsetReset } from './manual-offset-reset.js';
import { offsetFetchFailure } from './offset-fetch-failure.js';
import { offsetOverflowReset } from './offset-overflow-reset.js';
import { offsetRegression } from './offset-regression.js';
import { popAckRevive } from './pop-ack-revive.js';
import { producerRetry } from './producer-retry.js';
import { rebalanceUncommitted } from './rebalance-uncommitted.js';
import { slaveOffsetLag } from './slave-offset-lag.js';
import { slowMessageOffsetHold } from './slow-message-offset-hold.js';

/**
 * Every root-cause rule (one file each; `not-a-duplicate` and `undetermined` are decided by the
 * engine's ledger attribution). Adding one: a file in this folder, one line here, a fixture, a test.
 */
export const RULES: readonly Rule[] = [
  offsetFetchFailure,
  offsetOverflowReset,
  offsetRegression,
  rebalanceUncommitted,
  consumerRestartUncommitted,
  slowMessageOffsetHold,
  brokerOffsetLoss,
  slaveOffsetLag,
  consumeFailureRetry,
  consumeTimeout,
  producerRetry,
  manualOffsetReset,
  popAckRevive,
];
