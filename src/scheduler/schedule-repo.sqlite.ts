import type { Db } from '../db/database.sqlite.js';

export interface StoredSchedule {
  deviceId: number;
  document: unknown;
  updatedAtMs: number;
}

/** Each device's schedule (written when a person changes it, never per reading). */
export class SqliteScheduleRepo {
  constructor(private readonly db: Db) {}

  get(deviceId: number): StoredSchedule | undefined {
    const row = this.db
      .prepare('SELECT document, updated_at_ms FROM device_schedules WHERE device_id = ?')
      .get(deviceId) as { document: string; updated_at_ms: number } | undefined;
    return row && { deviceId, document: JSON.parse(row.document) as unknown, updatedAtMs: row.updated_at_ms };
  }

  list(): StoredSchedule[] {
    const rows = this.db
      .prepare('SELECT device_id, document, updated_at_ms FROM device_schedules ORDER BY device_id')
      .all() as { device_id: number; document: string; updated_at_ms: number }[];
    return rows.map((r) => ({
      deviceId: r.device_id,
      document: JSON.parse(r.document) as unknown,
      updatedAtMs: r.updated_at_ms,
    }));
  }

  set(deviceId: number, document: unknown, updatedAtMs: number): void {
    this.db
      .prepare(
        `INSERT INTO device_schedules (device_id, document, updated_at_ms) VALUES (?, ?, ?)
         ON CONFLICT (device_id) DO UPDATE SET document = excluded.document, updated_at_ms = excluded.updated_at_ms`,
      )
      .run(deviceId, JSON.stringify(document), updatedAtMs);
  }

  delete(deviceId: number): boolean {
    return this.db.prepare('DELETE FROM device_schedules WHERE device_id = ?').run(deviceId).changes > 0;
  }
}
