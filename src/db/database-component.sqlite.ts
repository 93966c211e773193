import type { Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import type { Logger } from '../shared/logger.js';
import { migrate, type Db } from './database.sqlite.js';
import type { Migration } from './migration.js';

/** Runs pending migrations at start and closes hub.db at stop. */
export class DatabaseComponent implements Component {
  readonly name = 'sqlite';
  /** Users, feeds, inputs and devices live here: without it nothing can serve (ADR 008). */
  readonly onStartFailure = 'fatal';
  private open = true;
  private migrated = false;

  constructor(
    private readonly db: Db,
    private readonly migrations: readonly Migration[],
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  async start(): Promise<void> {
    const applied = migrate(this.db, this.migrations, undefined, this.clock);
    for (const m of applied)
      this.log.info({ capability: m.capability, version: m.version }, `migrated: ${m.name}`);
    this.migrated = true;
  }

  async stop(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.db.close();
  }

  status(): ComponentStatus {
    if (!this.open) return { state: 'stopped' };
    return { state: this.migrated ? 'ready' : 'starting', detail: { file: this.db.name } };
  }
}
