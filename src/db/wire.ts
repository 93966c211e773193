import { authMigrations } from '../auth/migrations.js';
import { deviceMigrations } from '../devices/migrations.js';
import { ingestMigrations } from '../ingest/migrations.js';
import type { ModuleContext, WiredModule } from '../module-context.js';
import { schedulerMigrations } from '../scheduler/migrations.js';
import { signalMigrations } from '../signals/migrations.js';
import { timeseriesMigrations } from '../timeseries/migrations.js';
import { DatabaseComponent } from './database-component.sqlite.js';
import type { Clock } from '../shared/clock.js';
import { UserError } from '../shared/errors.js';
import { migrate, openDatabase, pendingMigrations, type Db } from './database.sqlite.js';

/** Every capability's migrations, in the order they were written. */
export const HUB_MIGRATIONS = [
  ...authMigrations,
  ...timeseriesMigrations,
  ...deviceMigrations,
  ...ingestMigrations,
  ...signalMigrations,
  ...schedulerMigrations,
];

export interface DbPorts {
  db: Db;
}

/** hub.db: opened now, migrated at start (a failure ends start-up: nothing serves without it). */
export function wireDatabase(ctx: Pick<ModuleContext, 'paths' | 'log' | 'clock'>): WiredModule<DbPorts> {
  const db = openDatabase(ctx.paths.dbFile);
  const database = new DatabaseComponent(
    db,
    HUB_MIGRATIONS,
    ctx.log.child({ component: 'sqlite' }),
    ctx.clock,
  );
  return { components: [database], routes: [], ports: { db } };
}

/**
 * hub.db for the `hub` command. `readOnly` (reads, which take no lock): neither created nor
 * migrated, and refused while migrations are pending, since only hubd applies them (ADR 009).
 */
export function openAdminDatabase(dbFile: string, clock: Clock, opts: { readOnly?: boolean } = {}): Db {
  const db = openDatabase(dbFile, opts);
  if (!opts.readOnly) {
    migrate(db, HUB_MIGRATIONS, undefined, clock);
    return db;
  }
  const pending = pendingMigrations(db, HUB_MIGRATIONS).length;
  if (pending === 0) return db;
  db.close();
  throw new UserError(
    `hub.db lacks ${pending} migration(s) of this hub; start hubd (it applies them) and try again`,
  );
}
