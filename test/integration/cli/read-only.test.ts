import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, openDatabase } from '../../../src/db/database.sqlite.js';
import { HUB_MIGRATIONS } from '../../../src/db/wire.js';
import { runEntry } from '../../helpers/processes.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

// Reads take no lock (ADR 009): they must change nothing a running hubd owns.
const teardown = useTeardown();
const hub = (args: string[], env: Record<string, string>, stdin = '') =>
  runEntry('src/cli/main.ts', args, env, stdin);

const schemaRows = (dbFile: string) => {
  const db = openDatabase(dbFile, { readOnly: true });
  try {
    return db.prepare('SELECT capability, version FROM schema_migrations ORDER BY 1, 2').all();
  } finally {
    db.close();
  }
};

describe('hub commands that only read', () => {
  it('do not migrate an older hub.db; they say that hubd must bring it up to date', async () => {
    const dataDir = makeTempDir(teardown);
    const dbFile = join(dataDir, 'hub.db');
    const db = openDatabase(dbFile);
    migrate(db, HUB_MIGRATIONS, new Map([['auth', 1]]));
    db.close();
    const before = schemaRows(dbFile);
    const pending = HUB_MIGRATIONS.length - before.length;
    assert.ok(pending > 0);

    for (const args of [
      ['user', 'list'],
      ['device', 'list'],
      ['feeds', 'list'],
      ['feeds', 'check'],
    ]) {
      const res = await hub(args, { HUB_DATA_DIR: dataDir });
      assert.equal(res.code, 1, args.join(' '));
      assert.equal(
        res.stderr,
        `hub: hub.db lacks ${pending} migration(s) of this hub; start hubd (it applies them) and try again\n`,
      );
    }
    assert.deepEqual(schemaRows(dbFile), before, 'hub.db is as it was');
    assert.equal(existsSync(join(dataDir, 'hub.json')), false, 'no hub.json was written');
  });

  it('create neither hub.db nor hub.json', async () => {
    const dataDir = makeTempDir(teardown);
    mkdirSync(join(dataDir, 'feeds'));
    const res = await hub(['user', 'list'], { HUB_DATA_DIR: dataDir });
    assert.equal(res.code, 1);
    assert.equal(
      res.stderr,
      `hub: no ${join(dataDir, 'hub.db')} yet: nothing has been added (hubd creates it at its first start)\n`,
    );
    assert.equal(existsSync(join(dataDir, 'hub.db')), false);
    assert.equal(existsSync(join(dataDir, 'hub.json')), false);

    // With an up-to-date hub.db, a read works and writes nothing.
    const dbFile = join(dataDir, 'hub.db');
    const db = openDatabase(dbFile);
    migrate(db, HUB_MIGRATIONS);
    db.close();
    const bytes = readFileSync(dbFile);
    const listed = await hub(['user', 'list'], { HUB_DATA_DIR: dataDir });
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout, '');
    assert.deepEqual(readFileSync(dbFile), bytes);
    assert.equal(existsSync(join(dataDir, 'hub.json')), false);
  });
});
