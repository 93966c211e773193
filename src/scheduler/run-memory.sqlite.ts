import { z } from 'zod';
import type { Db } from '../db/database.sqlite.js';
import type { KeptRun, RunMemoryStore } from './run-memory.js';

const keptRunSchema = z.object({
  onSinceS: z.number().nullable(),
  runs: z.array(z.object({ startS: z.number(), endS: z.number() })),
  commanded: z.boolean().nullable(),
  pausedUntilMs: z.number().nullable(),
  limitKWh: z.number().nullable().default(null),
  savedAtS: z.number().default(0),
  measuredW: z.number().nullable(),
  baseline: z.object({ readyByS: z.number(), meterKWh: z.number() }).nullable(),
});

/** The scheduler's runs in SQLite (one row per device, written on a switch or a pause). */
export class SqliteRunMemoryStore implements RunMemoryStore {
  /** Rows that could not be read back (skipped: that device starts afresh). */
  unreadable = 0;

  constructor(private readonly db: Db) {}

  loadAll(): Map<number, KeptRun> {
    const rows = this.db.prepare('SELECT device_id, document FROM scheduler_runs').all() as {
      device_id: number;
      document: string;
    }[];
    const kept = new Map<number, KeptRun>();
    for (const row of rows) {
      let parsed: ReturnType<typeof keptRunSchema.safeParse>;
      try {
        parsed = keptRunSchema.safeParse(JSON.parse(row.document));
      } catch {
        parsed = keptRunSchema.safeParse(undefined);
      }
      if (parsed.success) kept.set(row.device_id, parsed.data);
      else this.unreadable += 1;
    }
    return kept;
  }

  save(deviceId: number, kept: KeptRun): void {
    this.db
      .prepare(
        `INSERT INTO scheduler_runs (device_id, document) VALUES (?, ?)
         ON CONFLICT (device_id) DO UPDATE SET document = excluded.document`,
      )
      .run(deviceId, JSON.stringify(kept));
  }

  delete(deviceId: number): void {
    this.db.prepare('DELETE FROM scheduler_runs WHERE device_id = ?').run(deviceId);
  }
}
