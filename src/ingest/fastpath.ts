/**
 * The fast path (signature prefilter, timestamp cache, indexed evidence queries, compaction of
 * routine events) must give exactly the same report as the simple path. `RMQ_FORENSICS_SIMPLE=1`
 * turns it off for a run; tests flip `fastPath.enabled` to compare both over every fixture.
 */
export const fastPath = { enabled: process.env.RMQ_FORENSICS_SIMPLE !== '1' };
