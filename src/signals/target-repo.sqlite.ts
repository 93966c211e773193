import type { Db } from '../db/database.sqlite.js';

/** What the household optimises, as one JSON document (it changes when a person sets it). */
export class SqliteTargetRepo {
  constructor(private readonly db: Db) {}

  get(): unknown {
    const row = this.db.prepare('SELECT document FROM signal_target WHERE id = 1').get() as
      { document: string } | undefined;
    return row ? (JSON.parse(row.document) as unknown) : undefined;
  }

  set(document: unknown, updatedAtMs: number): void {
    this.db
      .prepare(
        `INSERT INTO signal_target (id, document, updated_at_ms) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_at_ms = excluded.updated_at_ms`,
      )
      .run(JSON.stringify(document), updatedAtMs);
  }
}
