import { closeSync, constants, fchmodSync, fstatSync, lstatSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
// O_NONBLOCK: a path swapped for a FIFO meanwhile must not hang the open.
const OPEN_ENTRY = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const OPEN_ROOT = constants.O_RDONLY | constants.O_DIRECTORY;

export interface Tightened {
  /** Directories and files whose group or other bits were cleared. */
  count: number;
  /** Entries whose mode could not be changed (e.g. owned by another user). */
  failed: number;
}

export interface TightenOptions {
  /** Called between looking at an entry and opening it; tests swap paths here. */
  beforeOpen?: (path: string) => void;
}

/**
 * The data dir holds password hashes, API keys, session tokens and the MQTT CA's private key:
 * only hubd's user may read it. A tree made earlier with looser modes (755/644) is tightened to
 * 700 for directories and 600 for files. The data dir itself may be a symbolic link (to another
 * partition) and is followed; below it, symbolic links, sockets and devices are left as they are.
 * Each entry is opened with O_NOFOLLOW and changed through its descriptor, so a path swapped for a
 * link after it was looked at changes nothing outside the tree.
 */
export function tightenDataDir(dataDir: string, opts: TightenOptions = {}): Tightened {
  const result: Tightened = { count: 0, failed: 0 };
  const visit = (path: string, isRoot: boolean) => {
    if (!isRoot) {
      let kind;
      try {
        kind = lstatSync(path);
      } catch {
        return; // gone meanwhile
      }
      if (!kind.isDirectory() && !kind.isFile()) return;
    }
    opts.beforeOpen?.(path);
    let fd: number;
    try {
      fd = openSync(path, isRoot ? OPEN_ROOT : OPEN_ENTRY);
    } catch (err) {
      // ELOOP: it became a symbolic link; ENOENT: it went. Neither is ours to change.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ELOOP' && code !== 'ENOENT') result.failed++;
      return;
    }
    let isDir: boolean;
    try {
      const stat = fstatSync(fd);
      isDir = stat.isDirectory();
      if (!isDir && !stat.isFile()) return;
      tightenOpen(fd, stat.mode & 0o777, isDir ? DIR_MODE : FILE_MODE, result);
    } finally {
      closeSync(fd);
    }
    if (!isDir) return;
    let names: string[];
    try {
      names = readdirSync(path);
    } catch {
      result.failed++;
      return;
    }
    for (const name of names) visit(join(path, name), false);
  };
  visit(dataDir, true);
  return result;
}

function tightenOpen(fd: number, mode: number, wanted: number, result: Tightened): void {
  if ((mode & 0o077) === 0) return;
  try {
    fchmodSync(fd, (mode & 0o700) | wanted);
    result.count++;
  } catch {
    result.failed++;
  }
}
