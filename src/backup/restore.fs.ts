// Puts a backup in place of a data dir's hub.db, hub.json, feeds and TLS material. Everything is
// checked in a staging folder first; the data that was there is moved aside (kept), and a failure
// while swapping moves it back. Run only with hubd stopped and the data dir's run lock held.
import { chownSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir } from './fsync-dir.fs.js';
import { extractBackup, type ExtractedBackup } from './backup-reader.fs.js';
import { BackupRefused } from './manifest.js';

/** What a restore replaces: the backup's entries, and hub.db's WAL, which belongs to the old hub.db. */
const REPLACED = ['hub.db', 'hub.db-wal', 'hub.db-shm', 'hub.json', 'feeds', 'tls'] as const;

export interface RestoreResult extends ExtractedBackup {
  /** Where the data that was in the data dir now is; undefined if there was none. */
  asideDir: string | undefined;
}

export async function restoreBackup(opts: {
  file: string;
  dataDir: string;
  hubVersion: string;
  nowMs: number;
}): Promise<RestoreResult> {
  const { dataDir } = opts;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const stamp = new Date(opts.nowMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const staging = join(dataDir, `.restore-${stamp}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { mode: 0o700 });
  let extracted: ExtractedBackup;
  try {
    extracted = await extractBackup(opts.file, staging, opts.hubVersion);
    matchOwner(staging, dataDir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  const present = REPLACED.filter((name) => existsSync(join(dataDir, name)));
  const asideDir = present.length ? join(dataDir, `pre-restore-${stamp}`) : undefined;
  const moved: string[] = [];
  const placed: string[] = [];
  try {
    if (asideDir) mkdirSync(asideDir, { mode: 0o700 });
    for (const name of present) {
      renameSync(join(dataDir, name), join(asideDir!, name));
      moved.push(name);
    }
    for (const name of readdirSync(staging)) {
      renameSync(join(staging, name), join(dataDir, name));
      placed.push(name);
    }
    fsyncDir(dataDir);
  } catch (err) {
    // Back as it was: what was placed goes, what was moved aside returns.
    for (const name of placed) rmSync(join(dataDir, name), { recursive: true, force: true });
    for (const name of moved) renameSync(join(asideDir!, name), join(dataDir, name));
    if (asideDir) rmSync(asideDir, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
    fsyncDir(dataDir);
    throw new BackupRefused(`putting the backup in place failed (${String(err)}); the data dir is as it was`);
  }
  rmSync(staging, { recursive: true, force: true });
  return { ...extracted, asideDir };
}

/**
 * `sudo hub restore` unpacks as root: the files must be hubd's, as the data dir is, or hubd could
 * not open them.
 */
function matchOwner(dir: string, dataDir: string): void {
  if (process.getuid?.() !== 0) return;
  const { uid, gid } = statSync(dataDir);
  const visit = (path: string) => {
    chownSync(path, uid, gid);
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
}
