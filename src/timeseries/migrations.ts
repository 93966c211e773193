import type { Migration } from '../db/migration.js';

export const timeseriesMigrations: Migration[] = [
  {
    capability: 'timeseries',
    version: 1,
    name: 'feeds',
    up: `CREATE TABLE feeds (
      id INTEGER PRIMARY KEY,
      owner_id INTEGER NOT NULL,
      name TEXT NOT NULL,
      tag TEXT NOT NULL DEFAULT '',
      unit TEXT NOT NULL DEFAULT '',
      interval_s INTEGER NOT NULL,
      public INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
      retention_days INTEGER CHECK (retention_days IS NULL OR retention_days > 0),
      created_at_ms INTEGER NOT NULL
    ) STRICT;`,
  },
];
