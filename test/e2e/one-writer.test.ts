import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { acquireRunLock, readHolder } from '../../src/config/run-lock.fs.js';
import { runEntry, spawnHubd, until } from '../helpers/processes.js';
import { startRedis } from '../helpers/redis-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { useTeardown } from '../helpers/teardown.js';

// One writer of a data dir (ADR 009): hubd, or else one `hub` command at a time.
const teardown = useTeardown();
const hub = (args: string[], env: Record<string, string>, stdin = '') =>
  runEntry('src/cli/main.ts', args, env, stdin);

async function hubdOn(dataDir: string, redisUrl: string) {
  const started = spawnHubd(teardown, dataDir, { HUB_REDIS_URL: redisUrl });
  await until(
    () => started.output().stdout.includes('"msg":"hubd started"') || started.hubd.exitCode !== null,
    30_000,
    'hubd to start',
  );
  return started;
}

describe('one writer of the data dir', () => {
  it('refuses a second hubd on the same data dir, and takes over the lock of one that crashed', async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    const dataDir = makeTempDir(teardown);
    const lockPath = join(dataDir, 'run', 'hub.lock');
    const first = await hubdOn(dataDir, redis.url);
    const firstPid = first.hubd.pid!;
    assert.equal(readHolder(lockPath)?.pid, firstPid);

    const second = await (await hubdOn(dataDir, redis.url)).done;
    assert.equal(second.code, 1);
    assert.equal(
      second.stderr,
      `hubd (pid ${firstPid}) is already running on this data dir (lock ${lockPath})\nhubd did not start.\n`,
    );
    assert.equal(first.hubd.exitCode, null, 'the first hubd serves on');

    first.hubd.kill('SIGKILL'); // a crash or power cut: the lock stays behind
    await first.done;
    assert.equal(readHolder(lockPath)?.pid, firstPid);
    const third = await hubdOn(dataDir, redis.url);
    assert.match(
      third.output().stdout,
      new RegExp(`"msg":"took over the lock of a hubd \\(pid ${firstPid}\\) that is no longer running"`),
    );
    assert.equal(readHolder(lockPath)?.pid, third.hubd.pid);
    third.hubd.kill('SIGTERM');
    assert.equal((await third.done).code, 0);
    assert.equal(existsSync(lockPath), false, 'a hubd that stops removes its lock');
  });

  it('lets a hub command write only while it holds the lock, and keeps hubd out meanwhile', async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    const dataDir = makeTempDir(teardown);
    const env = { HUB_DATA_DIR: dataDir };
    const runDir = join(dataDir, 'run');
    // Another `hub` command (this test process) is importing.
    const other = acquireRunLock(runDir, 'hub', 'feeds import-emoncms /mnt/emonpi');
    const refused = await hub(['user', 'add', 'ann', '--admin'], env, 'ann-password\n');
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      `hub: a hub command (pid ${process.pid}, "hub feeds import-emoncms /mnt/emonpi") is changing this data dir (lock ${other.path}); try again when it ends; nothing was changed\n`,
    );
    const hubd = await (await hubdOn(dataDir, redis.url)).done;
    assert.equal(hubd.code, 1);
    assert.match(
      hubd.stderr,
      /^a hub command \(pid \d+, "hub feeds import-emoncms \/mnt\/emonpi"\) is changing/,
    );
    assert.equal((await hub(['user', 'list'], env)).stdout, '', 'reading needs no lock; nothing was added');
    other.release();

    const added = await hub(['user', 'add', 'ann', '--admin'], env, 'ann-password\n');
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, 'added admin "ann"\n');
    assert.equal(existsSync(other.path), false, 'the command let go of the lock when it ended');

    // A hubd that holds the lock but whose control socket does not answer: nothing is written.
    const stuck = acquireRunLock(runDir, 'hubd');
    teardown.add(() => stuck.release());
    const blocked = await hub(['user', 'delete', 'ann'], env);
    assert.equal(blocked.code, 1);
    assert.equal(
      blocked.stderr,
      `hub: hubd (pid ${process.pid}) runs on this data dir but its control socket does not answer (is it starting? see "hub status"); nothing was changed\n`,
    );
    assert.equal((await hub(['user', 'list'], env)).stdout, 'ann\tadmin\n');
  });
});
