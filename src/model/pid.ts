/**
 * Whether a process of this machine is running: signal 0 reaches it, or it exists but belongs to
 * another user (EPERM). A run that finds its predecessor gone takes over its lock or removes its
 * spill directory.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
