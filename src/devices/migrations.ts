import type { Migration } from '../db/migration.js';

export const deviceMigrations: Migration[] = [
  {
    capability: 'devices',
    version: 1,
    name: 'devices',
    up: `CREATE TABLE devices (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      kind TEXT NOT NULL,
      mqtt_username TEXT NOT NULL UNIQUE,
      secret_sha256 TEXT NOT NULL,
      publish_filters TEXT NOT NULL,
      subscribe_filters TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL
    ) STRICT;`,
  },
];
