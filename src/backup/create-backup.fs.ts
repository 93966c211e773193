// What goes into a backup and in what order: hub.db by online backup, then (with the flusher held
// off, so the feed files hold every point accepted before) hub.json, the TLS material and the
// files of the feeds that copy of hub.db knows.
import type Database from 'better-sqlite3';
import { existsSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeBackupFile, type BackupEntry, type WrittenBackup } from './backup-writer.fs.js';
import { feedIdsIn, snapshotDatabase } from './database-snapshot.sqlite.js';
import { buildHeader, feedIdOfFile, isBackupPath } from './manifest.js';

export interface BackupDeps {
  paths: { dataDir: string };
  /** hubd's own connection (changes it makes during the copy reach the copy), or one opened here. */
  db: Database.Database;
  hubVersion: string;
  hostname: string;
  nowMs: () => number;
  /**
   * Runs `fn` with buffered points written first and no flush until it ends (FlushRunner.exclusive);
   * offline, with no flusher, `fn` as it is.
   */
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** Where hubd puts backups it makes (for the app's download, the `hub` command's through hubd). */
export const backupsDir = (dataDir: string): string => join(dataDir, 'backups');

/**
 * Removes what a backup or restore cut short by a crash left: scratch copies of hub.db, partial or
 * undownloaded archives, a restore's staging folder. Only for the run lock's holder, before any
 * backup starts (hubd at wiring).
 */
export function removeLeftovers(dataDir: string): void {
  if (!existsSync(dataDir)) return;
  for (const name of readdirSync(dataDir))
    if (/^\.(backup|restore)-/.test(name)) rmSync(join(dataDir, name), { recursive: true, force: true });
  const dir = backupsDir(dataDir);
  if (existsSync(dir)) for (const name of readdirSync(dir)) rmSync(join(dir, name), { force: true });
}

export async function createBackup(deps: BackupDeps, outFile: string): Promise<WrittenBackup> {
  const header = buildHeader(deps.hubVersion, deps.nowMs(), deps.hostname);
  return deps.exclusive(async () => {
    const scratch = mkdtempSync(join(deps.paths.dataDir, '.backup-'));
    try {
      const dbCopy = join(scratch, 'hub.db');
      await snapshotDatabase(deps.db, dbCopy);
      const entries: BackupEntry[] = [
        { path: 'hub.db', file: dbCopy },
        ...plainFiles(deps.paths.dataDir, ['hub.json']),
        ...folderEntries(deps.paths.dataDir, 'tls', () => true),
        ...folderEntries(deps.paths.dataDir, 'feeds', feedFileFilter(feedIdsIn(dbCopy))),
      ];
      return await writeBackupFile(header, entries, outFile);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
}

function feedFileFilter(ids: ReadonlySet<number>): (name: string) => boolean {
  return (name) => {
    const id = feedIdOfFile(name);
    return id !== undefined && ids.has(id);
  };
}

function plainFiles(dataDir: string, names: readonly string[]): BackupEntry[] {
  return names
    .filter((name) => lstatSync(join(dataDir, name), { throwIfNoEntry: false })?.isFile())
    .map((name) => ({ path: name, file: join(dataDir, name) }));
}

/** Regular files of a folder (links are never followed: hubd's data dir holds none of its own). */
function folderEntries(dataDir: string, folder: string, keep: (name: string) => boolean): BackupEntry[] {
  const dir = join(dataDir, folder);
  if (!lstatSync(dir, { throwIfNoEntry: false })?.isDirectory()) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && keep(d.name) && isBackupPath(`${folder}/${d.name}`))
    .map((d) => d.name)
    .sort(byFeedThenName)
    .map((name) => ({ path: `${folder}/${name}`, file: join(dir, name), mayVanish: folder === 'feeds' }));
}

function byFeedThenName(a: string, b: string): number {
  return (feedIdOfFile(a) ?? 0) - (feedIdOfFile(b) ?? 0) || a.localeCompare(b);
}
