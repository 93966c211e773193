import type { Migration } from '../db/migration.js';

export const authMigrations: Migration[] = [
  {
    capability: 'auth',
    version: 1,
    name: 'users',
    up: `CREATE TABLE users (
      id INTEGER PRIMARY KEY,
      username TEXT NOT NULL UNIQUE COLLATE NOCASE,
      role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
      password_hash TEXT NOT NULL,
      read_apikey TEXT NOT NULL UNIQUE,
      write_apikey TEXT NOT NULL UNIQUE,
      created_at_ms INTEGER NOT NULL
    ) STRICT;`,
  },
  {
    capability: 'auth',
    version: 2,
    name: 'sessions',
    up: `CREATE TABLE sessions (
      token_sha256 TEXT PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      csrf_token TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL,
      expires_at_ms INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX sessions_by_expiry ON sessions (expires_at_ms);`,
  },
  {
    capability: 'auth',
    version: 3,
    name: 'recent sign-ins',
    up: `CREATE TABLE recent_sign_ins (
      username TEXT NOT NULL,
      client TEXT NOT NULL,
      signed_in_at_ms INTEGER NOT NULL,
      PRIMARY KEY (username, client)
    ) STRICT;`,
  },
];
