import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { encodeMeta, encodeValues } from '../../../src/timeseries/phpfina-format.js';
import { collect, ROOT, runEntry } from '../../helpers/processes.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const hub = (args: string[], env: Record<string, string>, stdin = '') =>
  runEntry('src/cli/main.ts', args, env, stdin);

/** An emoncms phpfina folder: feeds as emoncms leaves them, good and bad. */
function emoncmsFolder(): string {
  const dir = makeTempDir(teardown);
  const day = Array.from({ length: 8640 }, (_, i) => (i % 97 === 0 ? NaN : 200 + (i % 300)));
  writeFileSync(join(dir, '1.meta'), encodeMeta({ intervalS: 10, startTimeS: 1_700_000_000 }));
  writeFileSync(join(dir, '1.dat'), encodeValues(day));
  writeFileSync(join(dir, '2.meta'), encodeMeta({ intervalS: 7, startTimeS: 1_700_000_000 }));
  writeFileSync(join(dir, '2.dat'), encodeValues([1]));
  writeFileSync(join(dir, '3.meta'), encodeMeta({ intervalS: 10, startTimeS: 1_700_000_000 }));
  writeFileSync(join(dir, '4.meta'), encodeMeta({ intervalS: 60, startTimeS: 1_700_000_040 }));
  writeFileSync(
    join(dir, '4.dat'),
    Buffer.concat([Buffer.from(encodeValues([1.5, 2.5])), Buffer.from([0x01, 0x02])]),
  );
  writeFileSync(
    join(dir, 'list.json'),
    JSON.stringify([{ id: '1', name: 'House power', tag: 'emonpi', unit: 'W', engine: '5' }]),
  );
  return dir;
}

describe('hub feeds', () => {
  it('imports emoncms PHPFina feeds, reporting what it took and refused', async () => {
    const dataDir = makeTempDir(teardown);
    const env = { HUB_DATA_DIR: dataDir };
    assert.equal((await hub(['user', 'add', 'ann', '--admin'], env, 'ann-password\n')).code, 0);
    const source = emoncmsFolder();
    const res = await hub(['feeds', 'import-emoncms', source], env);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(res.stdout.trim().split('\n'), [
      'took emoncms feed 1 "House power" (10 s, 8640 values) as feed 1',
      'refused emoncms feed 2: interval 7 s is not one emoncms offers',
      'refused emoncms feed 3: 3.dat is missing',
      'took emoncms feed 4 "emoncms feed 4" (60 s, 2 values, 2 bytes of a partial last value left behind) as feed 4',
      'took 2, refused 2',
    ]);
    const feeds = join(dataDir, 'feeds');
    assert.deepEqual(
      readFileSync(join(feeds, '1.dat')),
      readFileSync(join(source, '1.dat')),
      'values copied byte for byte',
    );
    assert.deepEqual(readFileSync(join(feeds, '1.meta')), readFileSync(join(source, '1.meta')));
    assert.ok(existsSync(join(feeds, '1.r600')), 'rollups built');
    assert.equal(
      (await hub(['feeds', 'list'], env)).stdout,
      '1\tHouse power\t10 s\n4\temoncms feed 4\t60 s\n',
    );
  });

  it("refuses a feed whose .dat is a link (a backup must not copy hubd's own files into a feed)", async () => {
    const dataDir = makeTempDir(teardown);
    const env = { HUB_DATA_DIR: dataDir };
    await hub(['user', 'add', 'ann', '--admin'], env, 'ann-password\n');
    const source = makeTempDir(teardown);
    const secret = join(makeTempDir(teardown), 'secret.key');
    writeFileSync(secret, 'PRIVATE KEY'.repeat(4)); // 44 bytes: 11 whole values
    writeFileSync(join(source, '5.meta'), encodeMeta({ intervalS: 10, startTimeS: 1_700_000_000 }));
    symlinkSync(secret, join(source, '5.dat'));
    const res = await hub(['feeds', 'import-emoncms', source], env);
    assert.deepEqual(res.stdout.trim().split('\n'), [
      `refused emoncms feed 5: ${join(source, '5.dat')} is a link or not a regular file`,
      'took 0, refused 1',
    ]);
    assert.equal(existsSync(join(dataDir, 'feeds', '5.dat')), false);
  });

  it('imports only the feeds asked for', async () => {
    const env = { HUB_DATA_DIR: makeTempDir(teardown) };
    await hub(['user', 'add', 'ann', '--admin'], env, 'ann-password\n');
    const source = emoncmsFolder();
    const res = await hub(['feeds', 'import-emoncms', source, '--only', '4,9'], env);
    assert.deepEqual(res.stdout.trim().split('\n'), [
      'took emoncms feed 4 "emoncms feed 4" (60 s, 2 values, 2 bytes of a partial last value left behind) as feed 4',
      `refused emoncms feed 9: no 9.meta in ${source}`,
      'took 1, refused 1',
    ]);
  });

  it('keeps emoncms ids and public flags, and refuses a tag:name that exists (as emoncms does)', async () => {
    const dataDir = makeTempDir(teardown);
    const env = { HUB_DATA_DIR: dataDir };
    await hub(['user', 'add', 'ann', '--admin'], env, 'ann-password\n');
    const source = makeTempDir(teardown);
    for (const id of [7, 12, 30]) {
      writeFileSync(join(source, `${id}.meta`), encodeMeta({ intervalS: 10, startTimeS: 1_700_000_000 }));
      writeFileSync(join(source, `${id}.dat`), encodeValues([id, id + 1]));
    }
    writeFileSync(
      join(source, 'list.json'),
      JSON.stringify([
        { id: '7', name: 'use', tag: 'emonpi', unit: 'W', engine: '5', public: '1' },
        { id: '12', name: 'solar', tag: 'emonpi', unit: 'W', engine: '5', public: '0' },
        { id: '30', name: 'use', tag: 'emonpi', unit: 'W', engine: '5', public: '0' },
      ]),
    );
    const res = await hub(['feeds', 'import-emoncms', source], env);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(res.stdout.trim().split('\n'), [
      'took emoncms feed 7 "use" (10 s, 2 values) as feed 7',
      'took emoncms feed 12 "solar" (10 s, 2 values) as feed 12',
      'refused emoncms feed 30: feed already exists: "emonpi:use" is feed 7',
      'took 2, refused 1',
    ]);
    assert.deepEqual(feedRows(dataDir), [
      { id: 7, tag: 'emonpi', name: 'use', public: 1 },
      { id: 12, tag: 'emonpi', name: 'solar', public: 0 },
    ]);
    assert.deepEqual(readFileSync(join(dataDir, 'feeds', '12.dat')), readFileSync(join(source, '12.dat')));
  });

  it('refuses ids taken here, listing them; --remap gives new ids, --rewrite-process-lists moves lists', async () => {
    const dataDir = makeTempDir(teardown);
    const env = { HUB_DATA_DIR: dataDir };
    await hub(['user', 'add', 'ann', '--admin'], env, 'ann-password\n');
    const db = new Database(join(dataDir, 'hub.db'));
    db.prepare(
      "INSERT INTO feeds (id, owner_id, name, interval_s, created_at_ms) VALUES (1, 1, 'hub feed', 10, 0)",
    ).run();
    // log to feed 1, scale by 1 (a value, not a feed), log to feed 4
    const steps = JSON.stringify([
      { id: 1, arg: 1 },
      { id: 2, arg: 1 },
      { id: 1, arg: 4 },
    ]);
    db.prepare(
      "INSERT INTO inputs (node, name, process_list, created_at_ms) VALUES ('emonpi', 'power1', ?, 0)",
    ).run(steps);
    db.close();
    const source = emoncmsFolder();

    const refused = await hub(['feeds', 'import-emoncms', source, '--only', '1,4'], env);
    assert.equal(refused.code, 1);
    assert.deepEqual(refused.stdout.trim().split('\n'), [
      'emoncms feed ids already taken here: 1',
      '  1 "House power"',
      'nothing imported; run again with --remap to give these feeds new ids',
      "(add --rewrite-process-lists if this hub's process lists use the emoncms ids)",
    ]);
    assert.deepEqual(
      feedRows(dataDir).map((f) => f.id),
      [1],
    );
    assert.ok(!existsSync(join(dataDir, 'feeds', '4.meta')), 'nothing imported');

    // --remap alone: the hub's lists keep logging to the hub's own feed 1.
    const kept = await hub(['feeds', 'import-emoncms', source, '--only', '1', '--remap'], env);
    assert.equal(kept.code, 0, kept.stderr);
    assert.deepEqual(kept.stdout.trim().split('\n'), [
      'took emoncms feed 1 "House power" (10 s, 8640 values) as feed 2',
      'emoncms feed 1 is feed 2 here',
      'took 1, refused 0',
    ]);
    assert.deepEqual(JSON.parse(processListOf(dataDir)), JSON.parse(steps));
    assert.deepEqual(readFileSync(join(dataDir, 'feeds', '2.dat')), readFileSync(join(source, '1.dat')));

    const res = await hub(
      ['feeds', 'import-emoncms', source, '--only', '1,4', '--remap', '--rewrite-process-lists'],
      env,
    );
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(res.stdout.trim().split('\n'), [
      'refused emoncms feed 1: feed already exists: "emonpi:House power" is feed 2',
      'took emoncms feed 4 "emoncms feed 4" (60 s, 2 values, 2 bytes of a partial last value left behind) as feed 4',
      'took 1, refused 1',
    ]);
    assert.deepEqual(JSON.parse(processListOf(dataDir)), JSON.parse(steps), 'nothing remapped this time');
  });

  it('--rewrite-process-lists points the lists that use a remapped emoncms id at its new id', async () => {
    const dataDir = makeTempDir(teardown);
    const env = { HUB_DATA_DIR: dataDir };
    await hub(['user', 'add', 'ann', '--admin'], env, 'ann-password\n');
    const db = new Database(join(dataDir, 'hub.db'));
    db.prepare(
      "INSERT INTO feeds (id, owner_id, name, interval_s, created_at_ms) VALUES (1, 1, 'hub feed', 10, 0)",
    ).run();
    db.prepare(
      "INSERT INTO inputs (node, name, process_list, created_at_ms) VALUES ('emonpi', 'power1', ?, 0)",
    ).run(
      JSON.stringify([
        { id: 1, arg: 1 },
        { id: 2, arg: 1 },
        { id: 1, arg: 4 },
      ]),
    );
    db.close();
    const source = emoncmsFolder();
    const res = await hub(
      ['feeds', 'import-emoncms', source, '--only', '1,4', '--remap', '--rewrite-process-lists'],
      env,
    );
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(res.stdout.trim().split('\n'), [
      'took emoncms feed 1 "House power" (10 s, 8640 values) as feed 5',
      'took emoncms feed 4 "emoncms feed 4" (60 s, 2 values, 2 bytes of a partial last value left behind) as feed 4',
      'emoncms feed 1 is feed 5 here',
      'process list of input 1 (emonpi/power1) now logs to the new ids',
      'took 2, refused 0',
    ]);
    assert.deepEqual(JSON.parse(processListOf(dataDir)), [
      { id: 1, arg: 5 },
      { id: 2, arg: 1 },
      { id: 1, arg: 4 },
    ]);
    assert.deepEqual(readFileSync(join(dataDir, 'feeds', '5.dat')), readFileSync(join(source, '1.dat')));
  });

  it('checks feed files and repairs a partial value', async () => {
    const dataDir = makeTempDir(teardown);
    const env = { HUB_DATA_DIR: dataDir };
    await hub(['user', 'add', 'ann', '--admin'], env, 'ann-password\n');
    await hub(['feeds', 'import-emoncms', emoncmsFolder(), '--only', '1'], env);
    assert.equal((await hub(['feeds', 'check'], env)).stdout, '1 feeds checked, 0 with problems\n');
    appendFileSync(join(dataDir, 'feeds', '1.dat'), Buffer.from([0xff]));
    const bad = await hub(['feeds', 'check'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /^feed 1: \.dat ends in 1 bytes of a partial value \(run with --repair\)$/m);
    const fixed = await hub(['feeds', 'check', '--repair'], env);
    assert.equal(fixed.code, 0, fixed.stdout);
    assert.match(fixed.stdout, /feed 1: cut 1 bytes of a partial value \(repaired\)/);
    assert.equal((await hub(['feeds', 'check'], env)).code, 0);
  });

  it('says why it cannot read the folder to import, rather than that there is none', async (t) => {
    const dataDir = makeTempDir(teardown);
    const me = userInfo().username;
    const file = join(makeTempDir(teardown), 'file');
    writeFileSync(file, '');
    const under = await hub(['feeds', 'import-emoncms', join(file, 'phpfina')], { HUB_DATA_DIR: dataDir });
    assert.equal(under.stderr, `hub: hub (user ${me}) cannot read ${join(file, 'phpfina')} (ENOTDIR)\n`);
    const notDir = await hub(['feeds', 'import-emoncms', file], { HUB_DATA_DIR: dataDir });
    assert.equal(notDir.stderr, `hub: ${file} is not a folder\n`);
    const none = await hub(['feeds', 'import-emoncms', join(dataDir, 'none')], { HUB_DATA_DIR: dataDir });
    assert.equal(none.stderr, `hub: no folder ${join(dataDir, 'none')}\n`);

    // `sudo hub …` with a folder in a home dir that hubd's user cannot enter.
    if (process.getuid?.() !== 0) return t.skip('needs root to run the command as another user');
    const theirs = makeTempDir(teardown);
    chmodSync(theirs, 0o777);
    const home = makeTempDir(teardown); // 0700, root's
    const folder = join(home, 'phpfina');
    mkdirSync(folder);
    const res = await runAs(65534, ['feeds', 'import-emoncms', folder], { HUB_DATA_DIR: theirs });
    assert.equal(res.code, 1);
    assert.equal(
      res.stderr.replace(/\(user [^)]+\)/, '(user U)'),
      `hub: hub (user U) cannot read ${folder} (EACCES): copy it where hub can read it\n`,
    );
  });

  it('refuses to import before an administrator exists', async () => {
    const dir = makeTempDir(teardown);
    const res = await hub(['feeds', 'import-emoncms', emoncmsFolder()], { HUB_DATA_DIR: dir });
    assert.equal(res.code, 1);
    assert.equal(res.stderr.trim(), 'hub: create the administrator first (hub user add NAME --admin)');
  });
});

/** The `hub` command as another user (uid), as hubd's own user would run it. */
function runAs(uid: number, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    uid,
    gid: uid,
    env: { ...process.env, ...env },
  });
  return collect(child).done;
}

function feedRows(dataDir: string): { id: number; tag: string; name: string; public: number }[] {
  const db = new Database(join(dataDir, 'hub.db'), { readonly: true });
  try {
    return db.prepare('SELECT id, tag, name, public FROM feeds ORDER BY id').all() as {
      id: number;
      tag: string;
      name: string;
      public: number;
    }[];
  } finally {
    db.close();
  }
}

function processListOf(dataDir: string): string {
  const db = new Database(join(dataDir, 'hub.db'), { readonly: true });
  try {
    return (db.prepare('SELECT process_list FROM inputs WHERE id = 1').get() as { process_list: string })
      .process_list;
  } finally {
    db.close();
  }
}
