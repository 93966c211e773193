// The install's snapshot of the data that a new release may change: hub.db by SQLite's online
// backup (consistent even with a WAL), and hub.json as bytes. Taken and restored with hubd stopped.
import Database from 'better-sqlite3';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { fsyncPath } from './durable-file.fs.js';

const DB = 'hub.db';
const CONFIG = 'hub.json';

export async function takeSnapshot(dataDir: string, snapshotDir: string): Promise<void> {
  // Started afresh, so a file missing here was missing in the data dir (a hub never started).
  rmSync(snapshotDir, { recursive: true, force: true });
  mkdirSync(snapshotDir, { recursive: true, mode: 0o700 });
  if (existsSync(join(dataDir, DB))) {
    const db = new Database(join(dataDir, DB), { fileMustExist: true });
    try {
      await db.backup(join(snapshotDir, DB));
    } finally {
      db.close();
    }
    fsyncPath(join(snapshotDir, DB));
  }
  if (existsSync(join(dataDir, CONFIG))) {
    copyFileSync(join(dataDir, CONFIG), join(snapshotDir, CONFIG));
    fsyncPath(join(snapshotDir, CONFIG));
  }
  fsyncPath(snapshotDir);
}

/** Copies `name` from the snapshot over the data dir's file in one rename (or removes it). */
function restoreFile(dataDir: string, snapshotDir: string, name: string): void {
  const target = join(dataDir, name);
  const saved = join(snapshotDir, name);
  if (!existsSync(saved)) {
    rmSync(target, { force: true });
    return;
  }
  const tmp = `${target}.restore-tmp`;
  copyFileSync(saved, tmp);
  chmodSync(tmp, 0o600);
  // hub-updater may run as root; the restored file must stay hubd's, as the data dir is.
  const owner = statSync(dataDir);
  if (process.getuid?.() === 0) chownSync(tmp, owner.uid, owner.gid);
  fsyncPath(tmp);
  renameSync(tmp, target);
}

/** Puts hub.db and hub.json back. The snapshot stays, so a repeat after a power cut does the same. */
export function restoreSnapshot(dataDir: string, snapshotDir: string): void {
  // The newer release's WAL belongs to the database being replaced: replayed onto the restored
  // file it would corrupt it.
  for (const suffix of ['-wal', '-shm']) rmSync(join(dataDir, DB + suffix), { force: true });
  restoreFile(dataDir, snapshotDir, DB);
  restoreFile(dataDir, snapshotDir, CONFIG);
  fsyncPath(dataDir);
}
