import path from 'node:path';

/**
 * Rotated pieces of one log: `rocketmq_client.log` (current), `rocketmq_client.log.3` (4.3–5.0),
 * `other_days/rocketmq_client-2.log.gz` (5.1+), `otherdays/rocketmq_client.1.log` (4.0–4.2 logback),
 * `otherdays/broker.1.log.gz` (broker), `rocketmq_client-2024-05-10-1.log` (log4j2),
 * `consumerOffset.json.bak` (the older snapshot). A larger `age` is older.
 */
export interface RotationInfo {
  /** The log's base name: `rocketmq_client.log`, `broker.log`, `consumerOffset.json`. */
  logName: string;
  /** 0 for the current file; larger is older. */
  age: number;
  /** Group key: same host dir + same log name. */
  group: string;
}

const ROTATED_DIR = /^(?:other_?days)$/i;

export function rotationOf(p: string): RotationInfo {
  const parts = p.split(/[\\/]+|!\//).filter((s) => s.length > 0);
  let base = parts.pop() ?? p;
  const dirParts = parts.filter((d) => !ROTATED_DIR.test(d));
  base = base.replace(/\.(?:gz|gzip)$/i, '');
  let logName = base;
  let age = 0;
  let m: RegExpExecArray | null;
  if ((m = /^(.*\.(?:log|json|txt))\.(\d+)$/.exec(base))) {
    logName = m[1]!;
    age = Number(m[2]);
  } else if ((m = /^(.*?)-(\d{4})-?(\d\d)-?(\d\d)(?:-(\d+))?\.(log|txt)$/.exec(base))) {
    logName = `${m[1]}.${m[6]}`;
    // Newer dates are younger: age decreases with the date, index breaks ties.
    age = 1e9 - (Number(m[2]) * 10000 + Number(m[3]) * 100 + Number(m[4])) * 100 + Number(m[5] ?? '0');
  } else if ((m = /^(.*?)[.-](\d+)\.(log|txt)$/.exec(base))) {
    logName = `${m[1]}.${m[3]}`;
    age = Number(m[2]);
  } else if ((m = /^(.*)\.bak$/.exec(base))) {
    logName = m[1]!;
    age = 1;
  }
  return { logName, age, group: [...dirParts, logName].join('/') };
}

/** Chronological reading order: by group, oldest piece first, then by path. */
export function compareRotation(a: { path: string; rotation: RotationInfo }, b: { path: string; rotation: RotationInfo }): number {
  if (a.rotation.group !== b.rotation.group) return a.rotation.group < b.rotation.group ? -1 : 1;
  if (a.rotation.age !== b.rotation.age) return b.rotation.age - a.rotation.age;
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

export function baseName(p: string): string {
  return path.basename(p.replace(/!\//g, '/'));
}
