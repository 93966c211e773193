import type { Migration } from '../db/migration.js';

export const signalMigrations: Migration[] = [
  {
    capability: 'signals',
    version: 1,
    name: 'tariff',
    up: `CREATE TABLE tariff (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      document TEXT NOT NULL,
      updated_at_ms INTEGER NOT NULL
    ) STRICT;`,
  },
  {
    capability: 'signals',
    version: 2,
    name: 'optimisation target',
    up: `CREATE TABLE signal_target (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      document TEXT NOT NULL,
      updated_at_ms INTEGER NOT NULL
    ) STRICT;`,
  },
];
