import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Who may write the data dir: hubd while it runs, else one `hub` command at a time. */
export type LockRole = 'hubd' | 'hub';

export interface LockHolder {
  role: LockRole;
  pid: number;
  /** The holder's boot and process start time: a pid reused after a reboot or crash is not it. */
  bootId?: string;
  startTicks?: string;
  /** For a `hub` command: what it is doing, for the message another writer reads. */
  command?: string;
}

export interface RunLock {
  readonly path: string;
  /** The dead holder whose lock was taken over (a crash or power cut), if any. */
  readonly takenOver: LockHolder | undefined;
  /** Removes the lock if it is still this process's; safe to call twice. */
  release(): void;
}

/** The lock is held by a live process; the message says who and what to do. */
export class RunLockHeld extends Error {
  constructor(
    readonly holder: LockHolder,
    readonly path: string,
  ) {
    super(
      holder.role === 'hubd'
        ? `hubd (pid ${holder.pid}) is already running on this data dir (lock ${path})`
        : `a hub command (pid ${holder.pid}${holder.command ? `, "hub ${holder.command}"` : ''}) is changing this data dir (lock ${path}); try again when it ends`,
    );
  }
}

export const runLockPath = (runDir: string): string => join(runDir, 'hub.lock');

/**
 * Takes `<runDir>/hub.lock` for this process, or throws RunLockHeld. The lock appears whole and
 * at once (written aside, then hard-linked into place, which fails if it exists), so a reader
 * never sees half of it. A lock whose holder is gone (no such process, a zombie, another boot or a
 * pid reused by a younger process) is taken over.
 */
export function acquireRunLock(runDir: string, role: LockRole, command?: string): RunLock {
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const path = runLockPath(runDir);
  const me: LockHolder = { role, pid: process.pid, ...processIdentity(process.pid), command };
  const mine = `${path}.${process.pid}.new`;
  writeFileSync(mine, `${JSON.stringify(me)}\n`, { mode: 0o600 });
  let takenOver: LockHolder | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(mine, path);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw err;
      }
      const holder = readHolder(path);
      if (holder && isAlive(holder)) throw new RunLockHeld(holder, path);
      if (removeIfStill(path, holder)) takenOver = holder ?? { role: 'hub', pid: 0 };
    }
  } finally {
    rmSync(mine, { force: true });
  }
  let released = false;
  return {
    path,
    takenOver,
    release: () => {
      if (released) return;
      released = true;
      const holder = readHolder(path);
      if (holder?.pid === process.pid) rmSync(path, { force: true });
    },
  };
}

/** The holder named in a lock file, or undefined if there is none or it cannot be read. */
export function readHolder(path: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return Number.isInteger(parsed.pid) && parsed.pid > 0 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** True while the process that wrote `holder` still runs (not a zombie, not a reused pid). */
export function isAlive(holder: LockHolder): boolean {
  const now = processIdentity(holder.pid);
  if (holder.bootId && now.bootId && holder.bootId !== now.bootId) return false;
  if (now.state === undefined) {
    // No /proc (not Linux): a signal 0 says whether the pid exists.
    try {
      process.kill(holder.pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  if (now.state === 'gone' || now.state === 'Z') return false;
  return !holder.startTicks || !now.startTicks || holder.startTicks === now.startTicks;
}

/**
 * Moves a stale lock aside and removes it, unless another process took it over meanwhile (then
 * its live lock is put back). Returns whether the stale one is gone.
 */
function removeIfStill(path: string, stale: LockHolder | undefined): boolean {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false; // someone else removed it
    throw err;
  }
  const moved = readHolder(aside);
  const same = moved?.pid === stale?.pid && moved?.startTicks === stale?.startTicks;
  if (!same) {
    try {
      linkSync(aside, path); // a live lock taken between our read and our move: put it back
    } catch {
      // Another lock is in place already: whoever holds it is the writer now.
    }
  }
  rmSync(aside, { force: true });
  return same;
}

interface ProcessIdentity {
  bootId?: string;
  startTicks?: string;
  /** The /proc state letter, 'gone' if the pid does not exist, undefined without /proc. */
  state?: string;
}

function processIdentity(pid: number): ProcessIdentity {
  let bootId: string | undefined;
  try {
    bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return {};
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return { bootId, state: 'gone' };
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { bootId, state: fields[0], startTicks: fields[19] };
}

/**
 * hubd's lock for as long as it runs (released when the process exits), or undefined if a live
 * process holds it: then the reason is logged and printed, and hubd must not start.
 */
export function holdRunLockForHubd(
  runDir: string,
  log: { warn(o: object, m: string): void; error(o: object, m: string): void },
  stderr: (text: string) => void,
): RunLock | undefined {
  let lock: RunLock;
  try {
    lock = acquireRunLock(runDir, 'hubd');
  } catch (err) {
    if (!(err instanceof RunLockHeld)) throw err;
    log.error({ lock: err.path, holder: err.holder }, `${err.message}; hubd did not start`);
    stderr(`${err.message}\nhubd did not start.\n`);
    return undefined;
  }
  process.on('exit', () => lock.release());
  const gone = lock.takenOver;
  if (gone)
    log.warn(
      { lock: lock.path, pid: gone.pid },
      `took over the lock of a ${gone.role === 'hubd' ? 'hubd' : 'hub command'} (pid ${gone.pid}) that is no longer running`,
    );
  return lock;
}
