// A lab host's files, seen from the machine through /proc/<anchor>/root. The kernel resolves an
// absolute symlink met under /proc/PID/root against OUR root, not the host's (/var/run → /run
// would land in the machine's /run), so symlinks are resolved here, in the host's terms.
import { promises as fsp } from 'fs';
import * as path from 'path';
import type { HostFs } from '../freebsd/types';

export class AnchorFs implements HostFs {
  constructor(private readonly anchorPid: number) {}

  private get root(): string {
    return `/proc/${this.anchorPid}/root`;
  }

  /** The host path with every symlink resolved (as far as the path exists). */
  async resolve(hostPath: string, followLast = true): Promise<string> {
    let todo = path.posix.normalize(hostPath).split('/').filter(Boolean);
    let done = '/';
    for (let hops = 0; todo.length > 0; ) {
      const part = todo.shift()!;
      const next = path.posix.join(done, part);
      if (todo.length === 0 && !followLast) return next;
      let target: string | null = null;
      try {
        const st = await fsp.lstat(this.root + next);
        if (st.isSymbolicLink()) target = await fsp.readlink(this.root + next);
      } catch {
        return path.posix.join(next, ...todo); // the rest does not exist yet
      }
      if (target === null) {
        done = next;
        continue;
      }
      if (++hops > 40) throw Object.assign(new Error(`too many levels of symbolic links: ${hostPath}`), { code: 'ELOOP' });
      todo = [...target.split('/').filter(Boolean), ...todo];
      if (target.startsWith('/')) done = '/';
    }
    return done;
  }

  /** The machine path of a host path. */
  async machinePath(hostPath: string, followLast = true): Promise<string> {
    return this.root + (await this.resolve(hostPath, followLast));
  }

  async read(p: string): Promise<string | null> {
    try {
      return await fsp.readFile(await this.machinePath(p), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async write(p: string, content: string, mode = 0o644): Promise<void> {
    const target = await this.machinePath(p);
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.lab-${process.pid}-${Date.now()}`);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.writeFile(tmp, content, { mode });
    await fsp.chmod(tmp, mode); // writeFile's mode is filtered by the umask
    await fsp.rename(tmp, target);
  }

  async exists(p: string): Promise<boolean> {
    try {
      await fsp.access(await this.machinePath(p));
      return true;
    } catch {
      return false;
    }
  }

  async remove(p: string): Promise<void> {
    await fsp.rm(await this.machinePath(p, false), { force: true });
  }
}
