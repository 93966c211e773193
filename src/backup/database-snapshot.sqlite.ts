// hub.db for a backup: SQLite's online backup, a consistent copy even while hubd writes (changes
// made through the same connection meanwhile are carried into the copy by SQLite itself).
import Database from 'better-sqlite3';

export async function snapshotDatabase(db: Database.Database, destFile: string): Promise<void> {
  await db.backup(destFile);
}

/** The feed ids the copy knows: only their files go into the backup (none made after the copy). */
export function feedIdsIn(dbFile: string): Set<number> {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'feeds'").get();
    if (!table) return new Set();
    const rows = db.prepare('SELECT id FROM feeds').all() as { id: number }[];
    return new Set(rows.map((r) => r.id));
  } finally {
    db.close();
  }
}
