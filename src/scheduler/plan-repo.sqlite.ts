import type { Db } from '../db/database.sqlite.js';

/** Each device's latest plan and the signal it used, as JSON (written only when it changes). */
export class SqlitePlanRepo {
  constructor(private readonly db: Db) {}

  save(deviceId: number, madeAtMs: number, document: unknown): void {
    this.db
      .prepare(
        `INSERT INTO device_plans (device_id, made_at_ms, document) VALUES (?, ?, ?)
         ON CONFLICT (device_id) DO UPDATE SET made_at_ms = excluded.made_at_ms, document = excluded.document`,
      )
      .run(deviceId, madeAtMs, JSON.stringify(document));
  }

  delete(deviceId: number): void {
    this.db.prepare('DELETE FROM device_plans WHERE device_id = ?').run(deviceId);
  }
}
