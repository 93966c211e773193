import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { acquireRunLock, readHolder } from '../../src/config/run-lock.fs.js';
import { processAlive, runEntry, spawnHubd, until } from '../helpers/processes.js';
import { startRedis } from '../helpers/redis-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { useTeardown } from '../helpers/teardown.js';

// One writer of a data dir (ADR 009): hubd, or else one `hub` command at a time.
const teardown = useTeardown();
const hub = (args: string[], env: Record<string, string>, stdin = '') =>
  runEntry('src/cli/main.ts', args, env, stdin);

function hubdOn(dataDir: string, redisUrl: string, env: Record<string, string> = {}) {
  return spawnHubd(teardown, dataDir, { HUB_REDIS_URL: redisUrl, ...env });
}

async function started(dataDir: string, redisUrl: string, env: Record<string, string> = {}) {
  const running = hubdOn(dataDir, redisUrl, env);
  await until(
    () => running.output().stdout.includes('"msg":"hubd started"') || running.hubd.exitCode !== null,
    30_000,
    'hubd to start',
  );
  return running;
}

describe('one writer of the data dir', () => {
  it('refuses a second hubd on the same data dir, and takes over the lock of one that crashed', async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    const dataDir = makeTempDir(teardown);
    const lockPath = join(dataDir, 'hub.lock');
    const first = await started(dataDir, redis.url);
    const firstPid = first.hubd.pid!;
    assert.equal(readHolder(lockPath)?.pid, firstPid);

    // Another run dir: the lock is the data dir's all the same.
    const second = await (await started(dataDir, redis.url, { HUB_RUN_DIR: join(dataDir, 'run2') })).done;
    assert.equal(second.code, 1);
    assert.equal(
      second.stderr,
      `hubd (pid ${firstPid}) is already running on this data dir (lock ${lockPath})\nhubd did not start.\n`,
    );
    assert.equal(first.hubd.exitCode, null, 'the first hubd serves on');

    first.hubd.kill('SIGKILL'); // a crash or power cut: the record stays behind
    await first.done;
    assert.equal(readHolder(lockPath)?.pid, firstPid);
    const third = await started(dataDir, redis.url);
    assert.match(
      third.output().stdout,
      new RegExp(`"msg":"took over the lock of a hubd \\(pid ${firstPid}\\) that is no longer running"`),
    );
    assert.equal(readHolder(lockPath)?.pid, third.hubd.pid);
    third.hubd.kill('SIGTERM');
    assert.equal((await third.done).code, 0);
    assert.equal(existsSync(lockPath), false, 'a hubd that stops removes its lock');
  });

  it('while a hub command holds the lock: writes are refused, nothing is created, hubd waits for it', async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    const dataDir = makeTempDir(teardown);
    const env = { HUB_DATA_DIR: dataDir };
    // Another `hub` command (this test process) is importing.
    const other = await acquireRunLock(dataDir, 'hub', { command: 'feeds import-emoncms /mnt/emonpi' });
    teardown.add(() => other.release());
    const refused = await hub(['user', 'add', 'ann', '--admin'], env, 'ann-password\n');
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      `hub: a hub command (pid ${process.pid}, "hub feeds import-emoncms /mnt/emonpi") is changing this data dir (lock ${other.path}); try again when it ends; nothing was changed\n`,
    );
    const read = await hub(['user', 'list'], env);
    assert.equal(read.code, 1);
    assert.match(read.stderr, /^hub: no .*hub\.db yet: nothing has been added/);
    assert.equal(existsSync(join(dataDir, 'hub.json')), false, 'hub.json is written only under the lock');
    assert.equal(existsSync(join(dataDir, 'hub.db')), false, 'a read creates no hub.db');

    const hubd = hubdOn(dataDir, redis.url);
    await until(
      () =>
        hubd.output().stdout.includes('waiting for hub feeds import-emoncms /mnt/emonpi') ||
        hubd.hubd.exitCode !== null,
      30_000,
      'hubd to wait',
    );
    assert.match(
      hubd.output().stdout,
      new RegExp(`"msg":"waiting for hub feeds import-emoncms /mnt/emonpi \\(pid ${process.pid}\\)"`),
    );
    assert.ok(processAlive(hubd.hubd.pid!), 'hubd waits rather than exiting into a restart loop');
    assert.equal(existsSync(join(dataDir, 'hub.json')), false, 'nor does a waiting hubd write hub.json');
    await other.release();
    await until(() => hubd.output().stdout.includes('"msg":"hubd started"'), 30_000, 'hubd to start');
    assert.ok(existsSync(join(dataDir, 'hub.json')));
    hubd.hubd.kill('SIGTERM');
    assert.equal((await hubd.done).code, 0);

    const added = await hub(['user', 'add', 'ann', '--admin'], env, 'ann-password\n');
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, 'added admin "ann"\n');
    assert.equal(existsSync(other.path), false, 'the command let go of the lock when it ended');

    // A hubd that holds the lock but whose control socket does not answer: nothing is written.
    const stuck = await acquireRunLock(dataDir, 'hubd', { socket: join(dataDir, 'nowhere.sock') });
    teardown.add(() => stuck.release());
    const blocked = await hub(['user', 'delete', 'ann'], env);
    assert.equal(blocked.code, 1);
    assert.equal(
      blocked.stderr,
      `hub: hubd (pid ${process.pid}) runs on this data dir but its control socket does not answer (is it starting? see "hub status"); nothing was changed\n`,
    );
    assert.equal((await hub(['user', 'list'], env)).stdout, 'ann\tadmin\n');
  });

  it("finds hubd through the lock, whatever the shell's HUB_RUN_DIR", async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    const dataDir = makeTempDir(teardown);
    const runDir = join(makeTempDir(teardown), 'service-run'); // the service's, not this shell's
    const hubd = await started(dataDir, redis.url, { HUB_RUN_DIR: runDir });
    assert.equal(readHolder(join(dataDir, 'hub.lock'))?.socket, join(runDir, 'control', 'hubd.sock'));
    const added = await hub(['user', 'add', 'ann', '--admin'], { HUB_DATA_DIR: dataDir }, 'ann-password\n');
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, 'added admin "ann"\n');
    await until(() => hubd.output().stdout.includes('"msg":"ran a hub command"'), 5000, 'hubd to log it');
    assert.match(hubd.output().stdout, /"command":"user-add","code":0/, 'hubd ran it, not the command');
    hubd.hubd.kill('SIGTERM');
    assert.equal((await hubd.done).code, 0);
  });
});
