import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { authMigrations } from '../../../src/auth/migrations.js';
import { currentVersions, migrate, openDatabase, type Db } from '../../../src/db/database.sqlite.js';
import { DatabaseComponent } from '../../../src/db/database-component.sqlite.js';
import type { Migration } from '../../../src/db/migration.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { Logger } from '../../../src/shared/logger.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

// Every capability's migrations, as compose() registers them.
const ALL: Migration[] = [...authMigrations];
const teardown = useTeardown();

function open(name: string): Db {
  const db = openDatabase(join(makeTempDir(teardown), name));
  teardown.add(() => db.open && db.close());
  return db;
}

function schemaOf(db: Db): string[] {
  return (
    db
      .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
      .all() as { type: string; name: string; sql: string | null }[]
  ).map((r) => `${r.type} ${r.name}: ${(r.sql ?? '').replace(/\s+/g, ' ')}`);
}

describe('SQLite migrations', () => {
  it('opens in WAL mode with foreign keys on', () => {
    const db = open('wal.db');
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  });

  it('migrates an empty database and records every step', () => {
    const db = open('empty.db');
    const applied = migrate(db, ALL);
    assert.deepEqual(
      applied.map((m) => `${m.capability}/${m.version}`),
      ALL.map((m) => `${m.capability}/${m.version}`),
    );
    assert.deepEqual(migrate(db, ALL), [], 'a second run applies nothing');
  });

  it("stamps each applied migration with the hub's clock", async () => {
    const db = open('stamped.db');
    const atMs = Date.UTC(2026, 0, 2, 3, 4, 5);
    const log: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => log };
    await new DatabaseComponent(db, ALL, log, new ManualClock(atMs)).start();
    const stamps = db.prepare('SELECT DISTINCT applied_at_ms FROM schema_migrations').pluck().all();
    assert.deepEqual(stamps, [atMs]);
  });

  const reference = (() => {
    const db = openDatabase(':memory:');
    migrate(db, ALL);
    const schema = schemaOf(db);
    db.close();
    return schema;
  })();

  for (const capability of [...new Set(ALL.map((m) => m.capability))]) {
    const versions = ALL.filter((m) => m.capability === capability).map((m) => m.version);
    for (const from of [0, ...versions]) {
      it(`migrates ${capability} from version ${from} to the latest, keeping its rows`, () => {
        const db = open(`${capability}-${from}.db`);
        migrate(db, ALL, new Map([[capability, from]]));
        assert.equal(currentVersions(db).get(capability) ?? 0, from);
        if (capability === 'auth' && from >= 1) {
          db.prepare(
            "INSERT INTO users (username, role, password_hash, read_apikey, write_apikey, created_at_ms) VALUES ('ann', 'admin', 'h', 'r', 'w', 1)",
          ).run();
        }
        migrate(db, ALL);
        assert.deepEqual(schemaOf(db), reference);
        if (capability === 'auth' && from >= 1) {
          assert.deepEqual(db.prepare('SELECT username FROM users').all(), [{ username: 'ann' }]);
        }
      });
    }
  }

  it('refuses a database written by a newer hub', () => {
    const db = open('newer.db');
    migrate(db, ALL);
    db.prepare("INSERT INTO schema_migrations VALUES ('auth', 99, 'future', 0)").run();
    assert.throws(() => migrate(db, ALL), /auth schema version 99, but this hub knows only up to 3/);
  });

  it('refuses a capability whose migrations skip a number', () => {
    const db = open('gap.db');
    const gap: Migration[] = [{ capability: 'x', version: 2, name: 'two', up: 'SELECT 1' }];
    assert.throws(() => migrate(db, gap), /migrations of "x": expected version 1, found 2/);
  });

  it('rolls back a failing migration whole', () => {
    const db = open('fail.db');
    const broken: Migration[] = [
      {
        capability: 'y',
        version: 1,
        name: 'half',
        up: 'CREATE TABLE t (a INTEGER); INSERT INTO nope VALUES (1);',
      },
    ];
    assert.throws(() => migrate(db, broken), /no such table: nope/);
    assert.equal(currentVersions(db).get('y'), undefined);
    assert.deepEqual(
      schemaOf(db).filter((s) => s.includes(' t:')),
      [],
    );
  });
});
