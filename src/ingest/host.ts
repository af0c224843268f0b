/** Where a file came from: a host from its path in the bundle (content is the fallback, in ingest). */

const IPV4 = /^(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const HOSTNAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9_-]{0,62})(?:\.[a-zA-Z0-9_-]{1,63})*$/;

/** Directory names that say nothing about the host. */
const GENERIC = new Set(
  [
    'logs', 'log', 'rocketmqlogs', 'rocketmq', 'rocketmq_logs', 'other_days', 'otherdays', 'store', 'config', 'home', 'root',
    'admin', 'var', 'tmp', 'temp', 'data', 'app', 'apps', 'opt', 'usr', 'srv', 'broker', 'brokers', 'client', 'clients',
    'consumer', 'consumers', 'producer', 'producers', 'trace', 'traces', 'mqadmin', 'bundle', 'incident', 'namesrv',
    'dashboard', 'export', 'exports', 'archive', 'backup', 'current', 'latest', 'old', 'rotated', 'conf', '.', '..',
  ].map((s) => s.toLowerCase()),
);

function dirs(p: string): string[] {
  const parts = p.split(/[\\/]+|!\//).filter((s) => s.length > 0);
  parts.pop();
  return parts;
}

/**
 * The host named by a path: the deepest IPv4 directory anywhere in the path, else the deepest
 * host-like, non-generic directory inside the bundle (`rel`, relative to the input root).
 */
export function hostFromPath(fullPath: string, rel: string): string | null {
  const all = dirs(fullPath);
  for (let i = all.length - 1; i >= 0; i--) if (IPV4.test(all[i]!)) return all[i]!;
  const inside = dirs(rel);
  for (let i = inside.length - 1; i >= 0; i--) {
    const d = inside[i]!;
    if (GENERIC.has(d.toLowerCase())) continue;
    if (/\.(?:tar|tgz|gz|zip)$/i.test(d)) continue;
    if (/^\d{4}-?\d\d-?\d\d/.test(d)) continue; // a date directory
    if (HOSTNAME.test(d)) return d;
  }
  return null;
}
