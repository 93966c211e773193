// One hub-updater at a time (`run-request`, `install`, `recover`): a lock file in the root-only
// `<appDir>/update/` naming its holder. Not an abstract socket as hubd's run lock (ADR 009): any
// local user, hubd among them, could bind that name first and block every update.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

export interface UpdaterLockHolder {
  pid: number;
  /** With the pid's start time: a pid reused after a reboot or a crash is not the holder. */
  bootId?: string;
  startTicks?: string;
  command: string;
}

export type UpdaterLock =
  | { ok: true; takenOver?: UpdaterLockHolder; release(): void }
  | { ok: false; holder?: UpdaterLockHolder; reason: string };

function identity(pid: number): { bootId?: string; startTicks?: string; gone?: boolean } {
  let bootId: string;
  try {
    bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return {};
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state …": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? { bootId, gone: true } : { bootId, startTicks: fields[19] };
  } catch {
    return { bootId, gone: true };
  }
}

/** True while the process a lock record names still runs (not a zombie, not a reused pid). */
export function isHolderAlive(holder: UpdaterLockHolder): boolean {
  const now = identity(holder.pid);
  if (now.bootId === undefined) {
    try {
      process.kill(holder.pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  if (now.gone || (holder.bootId && holder.bootId !== now.bootId)) return false;
  return !holder.startTicks || !now.startTicks || holder.startTicks === now.startTicks;
}

/** The record at `file`, or undefined when it is unreadable as one (cut short: its holder is gone). */
function readRecord(file: string): UpdaterLockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as UpdaterLockHolder;
    return Number.isInteger(parsed?.pid) && parsed.pid > 0 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Our record, complete and fsync'ed, under a private name (linked into place only whole). */
function writeOwnRecord(file: string, command: string): string {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    const me: UpdaterLockHolder = { pid: process.pid, ...identity(process.pid), command };
    writeSync(fd, `${JSON.stringify(me)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return tmp;
}

/**
 * Takes the lock or says who holds it. link() makes the record visible whole or fails with EEXIST,
 * so two takers never both succeed. A dead holder's record is renamed aside and checked to be the
 * one found dead (not a lock another taker has just made) before the link is tried again.
 */
export function acquireUpdaterLock(file: string, command: string): UpdaterLock {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const mine = writeOwnRecord(file, command);
  let takenOver: UpdaterLockHolder | undefined;
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(mine, file);
        const release = () => {
          if (readRecord(file)?.pid === process.pid) rmSync(file, { force: true });
        };
        return { ok: true, release, ...(takenOver ? { takenOver } : {}) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let staleIno: number;
      try {
        staleIno = lstatSync(file).ino;
      } catch {
        continue; // released meanwhile
      }
      const holder = readRecord(file);
      if (holder && isHolderAlive(holder)) {
        return {
          ok: false,
          holder,
          reason: `another hub-updater (pid ${holder.pid}, ${holder.command}) is running`,
        };
      }
      const aside = `${file}.stale.${process.pid}`;
      try {
        renameSync(file, aside);
      } catch {
        continue;
      }
      if (lstatSync(aside).ino !== staleIno) {
        // Another taker replaced the dead record first: give its lock back and stand aside.
        try {
          linkSync(aside, file);
        } finally {
          rmSync(aside, { force: true });
        }
        return { ok: false, reason: 'another hub-updater took over a stale lock at the same moment' };
      }
      rmSync(aside, { force: true });
      takenOver = holder ?? { pid: 0, command: 'unreadable lock record' };
    }
    return { ok: false, reason: `could not take the lock ${file}` };
  } finally {
    rmSync(mine, { force: true });
  }
}
