// Puts a backup in place of a data dir's hub.db, hub.json, feeds and TLS material. Everything is
// checked in a staging folder first; the data that was there is moved aside (kept), and a failure
// while swapping moves it back. The swap is journaled (restore-journal.fs.ts), so a power cut in it
// is finished or undone later. Run only with hubd stopped and the data dir's run lock held.
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { extractBackup, type ExtractedBackup } from './backup-reader.fs.js';
import { BackupRefused } from './manifest.js';
import {
  assertNoRestorePending,
  fsyncTree,
  RESTORE_JOURNAL,
  runSwap,
  undoRestore,
  writeRestoreJournal,
  type RestoreJournal,
} from './restore-journal.fs.js';

/** What a restore replaces: the backup's entries, and hub.db's WAL, which belongs to the old hub.db. */
const REPLACED = ['hub.db', 'hub.db-wal', 'hub.db-shm', 'hub.json', 'feeds', 'tls'] as const;

export interface RestoreResult extends ExtractedBackup {
  /** Where the data that was in the data dir now is; undefined if there was none. */
  asideDir: string | undefined;
}

export interface StagedRestore extends ExtractedBackup {
  journal: RestoreJournal;
}

/** Unpacks and checks the backup, then writes the journal: the data dir's entries are untouched. */
export async function stageRestore(opts: {
  file: string;
  dataDir: string;
  hubVersion: string;
  nowMs: number;
}): Promise<StagedRestore> {
  const { dataDir } = opts;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  assertNoRestorePending(dataDir);
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
  // A fresh aside folder: the swap reads "aside holds it" as "it was moved already".
  let asideDir = `pre-restore-${stamp}`;
  for (let n = 2; existsSync(join(dataDir, asideDir)); n++) asideDir = `pre-restore-${stamp}-${n}`;
  const journal: RestoreJournal = {
    stagingDir: basename(staging),
    asideDir,
    moved: REPLACED.filter((name) => existsSync(join(dataDir, name))),
    placed: readdirSync(staging),
    files: extracted.manifest.files.map(({ path, sha256 }) => ({ path, sha256 })),
  };
  try {
    fsyncTree(staging);
    writeRestoreJournal(dataDir, journal);
  } catch (err) {
    rmSync(join(dataDir, RESTORE_JOURNAL), { force: true });
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  return { ...extracted, journal };
}

export async function restoreBackup(opts: {
  file: string;
  dataDir: string;
  hubVersion: string;
  nowMs: number;
}): Promise<RestoreResult> {
  const { journal, ...extracted } = await stageRestore(opts);
  try {
    runSwap(opts.dataDir, journal);
  } catch (err) {
    // Back as it was (the same undo `hub restore --abort` does after a power cut).
    undoRestore(opts.dataDir);
    throw new BackupRefused(`putting the backup in place failed (${String(err)}); the data dir is as it was`);
  }
  const asideDir = journal.moved.length ? join(opts.dataDir, journal.asideDir) : undefined;
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
