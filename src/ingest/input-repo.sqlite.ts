import type { Db } from '../db/database.sqlite.js';
import { PROCESSES } from './process-catalog.js';
import type { InputRecord } from './ports.js';
import type { ProcessStep } from './process-types.js';

interface Row {
  id: number;
  node: string;
  name: string;
  description: string;
  process_list: string;
  process_list_error: string | null;
}

const toRecord = (r: Row): InputRecord => ({
  id: r.id,
  node: r.node,
  name: r.name,
  description: r.description,
  processList: JSON.parse(r.process_list) as ProcessStep[],
  processListError: r.process_list_error,
});

/** Inputs' configuration: written when an input first appears or a person changes it, never per reading. */
export class SqliteInputRepo {
  constructor(private readonly db: Db) {}

  all(): InputRecord[] {
    return (this.db.prepare('SELECT * FROM inputs ORDER BY id').all() as Row[]).map(toRecord);
  }

  insert(node: string, name: string, description: string, createdAtMs: number): InputRecord {
    const result = this.db
      .prepare('INSERT INTO inputs (node, name, description, created_at_ms) VALUES (?, ?, ?, ?)')
      .run(node, name, description, createdAtMs);
    return {
      id: Number(result.lastInsertRowid),
      node,
      name,
      description,
      processList: [],
      processListError: null,
    };
  }

  setDescription(id: number, description: string): void {
    this.db.prepare('UPDATE inputs SET description = ? WHERE id = ?').run(description, id);
  }

  setProcessList(id: number, steps: readonly ProcessStep[], error: string | null): void {
    this.db
      .prepare('UPDATE inputs SET process_list = ?, process_list_error = ? WHERE id = ?')
      .run(JSON.stringify(steps), error, id);
  }

  delete(ids: readonly number[]): number {
    const del = this.db.prepare('DELETE FROM inputs WHERE id = ?');
    return this.db.transaction(() => ids.reduce((n, id) => n + del.run(id).changes, 0))();
  }

  // --- for `hub feeds import-emoncms --remap` (timeseries), run while hubd is stopped ---

  /** Points every process step whose feed argument is a key of `newIds` at its new id. */
  rewriteFeedArgs(newIds: ReadonlyMap<number, number>): InputRecord[] {
    const update = this.db.prepare('UPDATE inputs SET process_list = ? WHERE id = ?');
    return this.db.transaction(() =>
      this.all().flatMap((input) => {
        const steps = input.processList.map((step) => {
          const to = PROCESSES.get(step.id)?.argType === 'feed' ? newIds.get(Number(step.arg)) : undefined;
          return to === undefined ? step : { ...step, arg: to };
        });
        if (steps.every((step, i) => step === input.processList[i])) return [];
        update.run(JSON.stringify(steps), input.id);
        return [{ ...input, processList: steps }];
      }),
    )();
  }
}

/** vzlogger channel UUIDs an administrator mapped to inputs; an unknown UUID is refused. */
export class SqliteVzChannelRepo {
  constructor(private readonly db: Db) {}

  all(): { uuid: string; node: string; name: string }[] {
    return this.db.prepare('SELECT uuid, node, name FROM vz_channels ORDER BY uuid').all() as {
      uuid: string;
      node: string;
      name: string;
    }[];
  }

  upsert(uuid: string, node: string, name: string, createdAtMs: number): void {
    this.db
      .prepare(
        `INSERT INTO vz_channels (uuid, node, name, created_at_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT (uuid) DO UPDATE SET node = excluded.node, name = excluded.name`,
      )
      .run(uuid, node, name, createdAtMs);
  }

  delete(uuid: string): boolean {
    return this.db.prepare('DELETE FROM vz_channels WHERE uuid = ?').run(uuid).changes > 0;
  }
}
