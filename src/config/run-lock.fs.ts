import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
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
  /** For hubd: its control socket, where the `hub` command finds it (whatever its HUB_RUN_DIR). */
  socket?: string;
}

export interface RunLock {
  readonly path: string;
  /** The record of a holder that is gone (a crash or power cut), left in place and replaced. */
  readonly takenOver: LockHolder | undefined;
  /** Removes the record if it is still this process's and lets go of the lock; safe to call twice. */
  release(): Promise<void>;
}

/** The lock is held by a live process; the message says who (if it has said yet) and what to do. */
export class RunLockHeld extends Error {
  constructor(
    readonly holder: LockHolder | undefined,
    readonly path: string,
  ) {
    super(
      holder === undefined
        ? `another process is taking the lock of this data dir (lock ${path}); try again`
        : holder.role === 'hubd'
          ? `hubd (pid ${holder.pid}) is already running on this data dir (lock ${path})`
          : `a hub command (pid ${holder.pid}${holder.command ? `, "hub ${holder.command}"` : ''}) is changing this data dir (lock ${path}); try again when it ends`,
    );
  }
}

export const runLockPath = (dataDir: string): string => join(dataDir, 'hub.lock');

/**
 * The lock itself: an abstract unix socket named after the data dir. Binding it is atomic and
 * the kernel lets go of it when its holder dies, however it dies, so two takers can never both
 * hold it and a crash leaves nothing to clean up (ADR 009). Linux only, as the hub is.
 */
export const runLockSocketName = (dataDir: string): string =>
  `\0energy-hub:${createHash('sha256').update(realpathSync(dataDir)).digest('hex')}`;

/**
 * Takes the lock of `dataDir` for this process, or throws RunLockHeld. Then writes the record
 * `<dataDir>/hub.lock` (who holds it; hubd's control socket), whole and at once.
 */
export async function acquireRunLock(
  dataDir: string,
  role: LockRole,
  opts: { command?: string; socket?: string } = {},
): Promise<RunLock> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = runLockPath(dataDir);
  const server = createServer();
  try {
    await listen(server, runLockSocketName(dataDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    throw new RunLockHeld(liveHolder(path), path);
  }
  server.unref(); // the lock never keeps a process alive
  let takenOver: LockHolder | undefined;
  try {
    takenOver = readHolder(path); // we hold the lock: a record still there is a dead holder's
    const me: LockHolder = { role, pid: process.pid, ...processIdentity(process.pid), ...opts };
    const aside = `${path}.${process.pid}.new`;
    writeFileSync(aside, `${JSON.stringify(me)}\n`, { mode: 0o600 });
    renameSync(aside, path);
  } catch (err) {
    await close(server);
    throw err;
  }
  let released: Promise<void> | undefined;
  return {
    path,
    takenOver,
    release: () => {
      released ??= (async () => {
        let holder: LockHolder | undefined;
        try {
          holder = readHolder(path);
        } catch {
          holder = undefined; // unreadable now: not ours to remove
        }
        if (holder?.pid === process.pid) rmSync(path, { force: true });
        await close(server);
      })();
      return released;
    },
  };
}

/**
 * The holder named in a lock record; undefined if there is none, or it is empty or not JSON (a
 * record cut by a power cut). Any other read error (EACCES, EIO) is thrown: it says nothing
 * about whether the holder lives.
 */
export function readHolder(path: string): LockHolder | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: LockHolder;
  try {
    parsed = JSON.parse(text) as LockHolder;
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && Number.isInteger(parsed.pid) && parsed.pid > 0
    ? parsed
    : undefined;
}

/** Who holds a lock that is held: its record, unless that is a dead one not yet replaced. */
function liveHolder(path: string): LockHolder | undefined {
  const holder = readHolder(path);
  return holder && isAlive(holder) ? holder : undefined;
}

/** True while the process that wrote `holder` still runs (not a zombie, not a reused pid). */
export function isAlive(holder: LockHolder): boolean {
  const now = processIdentity(holder.pid);
  if (holder.bootId && now.bootId && holder.bootId !== now.bootId) return false;
  if (now.state === undefined) {
    // No /proc: a signal 0 says whether the pid exists.
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

function listen(server: Server, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(name, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
