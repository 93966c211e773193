import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

export interface Tightened {
  /** Directories and files whose group or other bits were cleared. */
  count: number;
  /** Entries whose mode could not be changed (e.g. owned by another user). */
  failed: number;
}

/**
 * The data dir holds password hashes, API keys, session tokens and the MQTT CA's private key:
 * only hubd's user may read it. A tree made earlier with looser modes (755/644) is tightened to
 * 700 for directories and 600 for files; symbolic links and sockets are left as they are.
 */
export function tightenDataDir(dataDir: string): Tightened {
  const result: Tightened = { count: 0, failed: 0 };
  const visit = (path: string) => {
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      return; // gone meanwhile
    }
    const isDir = stat.isDirectory();
    if (!isDir && !stat.isFile()) return;
    const mode = stat.mode & 0o777;
    const wanted = isDir ? DIR_MODE : FILE_MODE;
    if ((mode & 0o077) !== 0) {
      try {
        chmodSync(path, (mode & 0o700) | wanted);
        result.count++;
      } catch {
        result.failed++;
      }
    }
    if (!isDir) return;
    let names: string[];
    try {
      names = readdirSync(path);
    } catch {
      result.failed++;
      return;
    }
    for (const name of names) visit(join(path, name));
  };
  visit(dataDir);
  return result;
}
