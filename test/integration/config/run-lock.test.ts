import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  acquireRunLock,
  readHolder,
  RunLockHeld,
  runLockPath,
  type LockHolder,
} from '../../../src/config/run-lock.fs.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

const writeLock = (runDir: string, holder: LockHolder) =>
  writeFileSync(runLockPath(runDir), JSON.stringify(holder));

describe('the run lock', () => {
  it('is taken whole, refused to a second taker while its holder lives, and removed on release', () => {
    const runDir = join(makeTempDir(teardown), 'run');
    const lock = acquireRunLock(runDir, 'hubd');
    assert.equal(lock.takenOver, undefined);
    const holder = readHolder(lock.path)!;
    assert.equal(holder.pid, process.pid);
    assert.equal(holder.role, 'hubd');
    assert.throws(
      () => acquireRunLock(runDir, 'hub', 'user add bob'),
      (err: unknown) =>
        err instanceof RunLockHeld &&
        err.message === `hubd (pid ${process.pid}) is already running on this data dir (lock ${lock.path})`,
    );
    assert.equal(readHolder(lock.path)?.role, 'hubd', "a refused taker leaves the holder's lock alone");
    lock.release();
    assert.equal(existsSync(lock.path), false);
    const again = acquireRunLock(runDir, 'hub', 'user add bob');
    assert.throws(
      () => acquireRunLock(runDir, 'hubd'),
      new RegExp(
        `^Error: a hub command \\(pid ${process.pid}, "hub user add bob"\\) is changing this data dir`,
      ),
    );
    again.release();
  });

  it('takes over a lock whose holder is gone: dead pid, another boot, or a pid reused since', () => {
    const runDir = makeTempDir(teardown);
    const me = readHolderOf(runDir);
    const stale: LockHolder[] = [
      { role: 'hubd', pid: deadPid() },
      { ...me, bootId: '00000000-0000-0000-0000-000000000000' },
      { ...me, startTicks: '1' },
    ];
    for (const holder of stale) {
      writeLock(runDir, holder);
      const lock = acquireRunLock(runDir, 'hubd');
      assert.deepEqual(lock.takenOver, holder);
      assert.equal(readHolder(lock.path)?.startTicks, me.startTicks, 'the lock is now ours');
      lock.release();
    }
  });

  it('never removes a lock another process took over from this one', () => {
    const runDir = makeTempDir(teardown);
    const lock = acquireRunLock(runDir, 'hub');
    writeLock(runDir, { role: 'hubd', pid: process.ppid }); // e.g. this process was thought gone
    lock.release();
    assert.equal(JSON.parse(readFileSync(lock.path, 'utf8')).pid, process.ppid);
  });
});

/** This process's identity as the lock records it. */
function readHolderOf(runDir: string): LockHolder {
  const lock = acquireRunLock(runDir, 'hub');
  const holder = readHolder(lock.path)!;
  lock.release();
  return holder;
}
