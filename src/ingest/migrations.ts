import type { Migration } from '../db/migration.js';

export const ingestMigrations: Migration[] = [
  {
    capability: 'ingest',
    version: 1,
    name: 'inputs and vzlogger channels',
    up: `CREATE TABLE inputs (
      id INTEGER PRIMARY KEY,
      node TEXT NOT NULL,
      name TEXT NOT NULL,
      description TEXT NOT NULL DEFAULT '',
      process_list TEXT NOT NULL DEFAULT '[]',
      process_list_error TEXT,
      created_at_ms INTEGER NOT NULL,
      UNIQUE (node, name)
    ) STRICT;
    CREATE TABLE vz_channels (
      uuid TEXT PRIMARY KEY,
      node TEXT NOT NULL,
      name TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL
    ) STRICT;`,
  },
];
