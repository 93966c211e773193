import type { Db } from '../db/database.sqlite.js';
import type { FeedChanges, FeedRecord, FeedRepo, NewFeed } from './ports.js';

interface Row {
  id: number;
  owner_id: number;
  name: string;
  tag: string;
  unit: string;
  interval_s: number;
  public: number;
  retention_days: number | null;
  created_at_ms: number;
}

const toRecord = (r: Row): FeedRecord => ({
  id: r.id,
  ownerId: r.owner_id,
  name: r.name,
  tag: r.tag,
  unit: r.unit,
  intervalS: r.interval_s,
  public: r.public === 1,
  retentionDays: r.retention_days,
  createdAtMs: r.created_at_ms,
});

const COLUMNS: Record<keyof FeedChanges, string> = {
  name: 'name',
  tag: 'tag',
  unit: 'unit',
  public: 'public',
  retentionDays: 'retention_days',
};

/** Feed metadata: written when a person changes a feed, never per reading. */
export class SqliteFeedRepo implements FeedRepo {
  constructor(private readonly db: Db) {}

  /** With `id`, takes exactly that id (an import keeping emoncms's); else the next free one. */
  insert(feed: NewFeed, id?: number): FeedRecord {
    const result = this.db
      .prepare(
        `INSERT INTO feeds (id, owner_id, name, tag, unit, interval_s, public, retention_days, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id ?? null,
        feed.ownerId,
        feed.name,
        feed.tag,
        feed.unit,
        feed.intervalS,
        feed.public ? 1 : 0,
        feed.retentionDays,
        feed.createdAtMs,
      );
    return { ...feed, id: Number(result.lastInsertRowid) };
  }

  get(id: number): FeedRecord | undefined {
    const row = this.db.prepare('SELECT * FROM feeds WHERE id = ?').get(id) as Row | undefined;
    return row && toRecord(row);
  }

  list(): FeedRecord[] {
    return (this.db.prepare('SELECT * FROM feeds ORDER BY id').all() as Row[]).map(toRecord);
  }

  update(id: number, changes: FeedChanges): void {
    const entries = Object.entries(changes).filter(([, v]) => v !== undefined) as [
      keyof FeedChanges,
      unknown,
    ][];
    if (entries.length === 0) return;
    const sets = entries.map(([key]) => `${COLUMNS[key]} = ?`).join(', ');
    const values = entries.map(([, v]) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
    this.db.prepare(`UPDATE feeds SET ${sets} WHERE id = ?`).run(...values, id);
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM feeds WHERE id = ?').run(id);
  }
}
