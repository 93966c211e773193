import { authMigrations } from '../auth/migrations.js';
import { deviceMigrations } from '../devices/migrations.js';
import { ingestMigrations } from '../ingest/migrations.js';
import type { ModuleContext, WiredModule } from '../module-context.js';
import { signalMigrations } from '../signals/migrations.js';
import { timeseriesMigrations } from '../timeseries/migrations.js';
import { DatabaseComponent } from './database-component.sqlite.js';
import { openDatabase, type Db } from './database.sqlite.js';

/** Every capability's migrations, in the order they were written. */
export const HUB_MIGRATIONS = [
  ...authMigrations,
  ...timeseriesMigrations,
  ...deviceMigrations,
  ...ingestMigrations,
  ...signalMigrations,
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
