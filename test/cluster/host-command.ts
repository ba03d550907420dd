import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

const resolved = new Map<string, string>();

/**
 * The absolute path of a host program, looked up on the harness's own PATH. Children get their
 * own PATH (a container's puts busybox applets first), which must not decide which setpriv,
 * unshare or nsenter the harness runs.
 */
export function hostCommand(name: string): string {
  const cached = resolved.get(name);
  if (cached !== undefined) return cached;
  for (const dir of (process.env['PATH'] ?? '/usr/bin:/bin').split(':')) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      resolved.set(name, candidate);
      return candidate;
    } catch {
      // Not here.
    }
  }
  throw new Error(`${name} not found on PATH (scripts/test-deps.sh installs it)`);
}
