import type { InputRecord, InputRepo } from './ports.js';
import type { ProcessStep } from './process-types.js';

/** Inputs' configuration held in this process, for service tests: SqliteInputRepo's behaviour. */
export class MemoryInputRepo implements InputRepo {
  private readonly rows = new Map<number, InputRecord>();
  private lastId = 0;

  all(): InputRecord[] {
    return [...this.rows.values()].map((r) => ({ ...r, processList: [...r.processList] }));
  }

  insert(node: string, name: string, description: string, _createdAtMs: number): InputRecord {
    const record = { id: ++this.lastId, node, name, description, processList: [], processListError: null };
    this.rows.set(record.id, record);
    return { ...record };
  }

  setDescription(id: number, description: string): void {
    const row = this.rows.get(id);
    if (row) row.description = description;
  }

  setProcessList(id: number, steps: readonly ProcessStep[], error: string | null): void {
    const row = this.rows.get(id);
    if (row) Object.assign(row, { processList: [...steps], processListError: error });
  }

  delete(ids: readonly number[]): number {
    return ids.filter((id) => this.rows.delete(id)).length;
  }
}
