import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { systemClock, type Clock } from '../shared/clock.js';
import { orderMigrations, type Migration } from './migration.js';

export type Db = Database.Database;

/**
 * Opens hub.db in WAL mode: readers never block the writer, and a crash loses no committed row.
 * `readOnly` (a `hub` command that only reads, hubd running or not) changes nothing: no file is
 * created, no mode or journal set.
 */
export function openDatabase(file: string, opts: { readOnly?: boolean } = {}): Db {
  if (opts.readOnly) {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return db;
  }
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  if (file !== ':memory:') chmodSync(file, 0o600); // API keys are stored here
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

export interface AppliedMigration {
  capability: string;
  version: number;
  name: string;
}

/**
 * Brings the schema up to date: each pending migration runs in its own transaction and is
 * recorded in schema_migrations with `clock`'s time. `limit` (capability → highest version) stops
 * early, for tests.
 */
export function migrate(
  db: Db,
  migrations: readonly Migration[],
  limit?: ReadonlyMap<string, number>,
  clock: Clock = systemClock,
): AppliedMigration[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    capability TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    applied_at_ms INTEGER NOT NULL,
    PRIMARY KEY (capability, version)
  ) STRICT`);
  const ordered = orderMigrations(migrations);
  const current = currentVersions(db);
  for (const [capability, version] of current) {
    const known = ordered.filter((m) => m.capability === capability).length;
    if (version > known) {
      throw new Error(
        `hub.db has ${capability} schema version ${version}, but this hub knows only up to ${known}; ` +
          'it was written by a newer hub',
      );
    }
  }
  const record = db.prepare(
    'INSERT INTO schema_migrations (capability, version, name, applied_at_ms) VALUES (?, ?, ?, ?)',
  );
  const applied: AppliedMigration[] = [];
  for (const m of ordered) {
    if (m.version <= (current.get(m.capability) ?? 0)) continue;
    if (limit && m.version > (limit.get(m.capability) ?? 0)) continue;
    db.transaction(() => {
      db.exec(m.up);
      record.run(m.capability, m.version, m.name, clock.nowMs());
    })();
    applied.push({ capability: m.capability, version: m.version, name: m.name });
  }
  return applied;
}

/** Migrations `migrations` has that `db` lacks (a read-only reader must not apply them). */
export function pendingMigrations(db: Db, migrations: readonly Migration[]): Migration[] {
  const hasTable = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  const current = hasTable ? currentVersions(db) : new Map<string, number>();
  return migrations.filter((m) => m.version > (current.get(m.capability) ?? 0));
}

export function currentVersions(db: Db): Map<string, number> {
  const rows = db
    .prepare('SELECT capability, MAX(version) AS version FROM schema_migrations GROUP BY capability')
    .all() as { capability: string; version: number }[];
  return new Map(rows.map((r) => [r.capability, r.version]));
}
