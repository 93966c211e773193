import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  acquireRunLock,
  readHolder,
  RunLockHeld,
  runLockPath,
  type LockHolder,
} from '../../../src/config/run-lock.fs.js';
import { collect, ROOT } from '../../helpers/processes.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

const writeRecord = (dataDir: string, holder: LockHolder) =>
  writeFileSync(runLockPath(dataDir), JSON.stringify(holder));

describe('the run lock', () => {
  it('is taken in the data dir, refused to a second taker while its holder lives, and removed on release', async () => {
    const dataDir = makeTempDir(teardown);
    const lock = await acquireRunLock(dataDir, 'hubd', { socket: '/run/x/control/hubd.sock' });
    assert.equal(lock.path, join(dataDir, 'hub.lock'));
    assert.equal(lock.takenOver, undefined);
    const holder = readHolder(lock.path)!;
    assert.equal(holder.pid, process.pid);
    assert.equal(holder.role, 'hubd');
    assert.equal(holder.socket, '/run/x/control/hubd.sock', 'the command finds hubd through the record');
    await assert.rejects(
      acquireRunLock(dataDir, 'hub', { command: 'user add bob' }),
      (err: unknown) =>
        err instanceof RunLockHeld &&
        err.message === `hubd (pid ${process.pid}) is already running on this data dir (lock ${lock.path})`,
    );
    assert.equal(readHolder(lock.path)?.role, 'hubd', "a refused taker leaves the holder's record alone");
    await lock.release();
    assert.equal(existsSync(lock.path), false);
    const again = await acquireRunLock(dataDir, 'hub', { command: 'user add bob' });
    await assert.rejects(
      acquireRunLock(dataDir, 'hubd'),
      new RegExp(
        `^Error: a hub command \\(pid ${process.pid}, "hub user add bob"\\) is changing this data dir`,
      ),
    );
    await again.release();
  });

  it('replaces the record of a holder that is gone: dead pid, another boot, a reused pid, a torn file', async () => {
    const dataDir = makeTempDir(teardown);
    const me = await holderOf(dataDir);
    const stale: LockHolder[] = [
      { role: 'hubd', pid: deadPid() },
      { ...me, bootId: '00000000-0000-0000-0000-000000000000' },
      { ...me, startTicks: '1' },
      // A live process's record that the kernel lock does not back: its holder let go or died.
      { role: 'hubd', pid: process.ppid },
    ];
    for (const holder of stale) {
      writeRecord(dataDir, holder);
      const lock = await acquireRunLock(dataDir, 'hubd');
      assert.deepEqual(lock.takenOver, holder);
      assert.equal(readHolder(lock.path)?.startTicks, me.startTicks, 'the record is now ours');
      await lock.release();
    }
    writeFileSync(runLockPath(dataDir), '{"role":"hu'); // cut by a power cut
    const lock = await acquireRunLock(dataDir, 'hub');
    assert.equal(readHolder(lock.path)?.pid, process.pid);
    await lock.release();
  });

  it('counts only a missing, empty or torn record as stale; a record it cannot read is an error', async () => {
    const dataDir = makeTempDir(teardown);
    const path = runLockPath(dataDir);
    assert.equal(readHolder(path), undefined);
    writeFileSync(path, '');
    assert.equal(readHolder(path), undefined);
    writeFileSync(path, 'not json');
    assert.equal(readHolder(path), undefined);
    mkdirSync(`${path}.d`);
    assert.throws(() => readHolder(`${path}.d`), { code: 'EISDIR' });
    // A read error (EACCES, EIO) says nothing about the holder: the record is not removed.
    rmSync(path);
    mkdirSync(path);
    await assert.rejects(acquireRunLock(dataDir, 'hub'), { code: 'EISDIR' });
    assert.ok(existsSync(path), 'left in place for a person to look at');
  });

  it('names no holder while the holder has not yet written its record', async () => {
    const dataDir = makeTempDir(teardown);
    const lock = await acquireRunLock(dataDir, 'hub');
    writeRecord(dataDir, { role: 'hubd', pid: deadPid() }); // as if ours were not yet in place
    await assert.rejects(
      acquireRunLock(dataDir, 'hubd'),
      (err: unknown) =>
        err instanceof RunLockHeld &&
        err.holder === undefined &&
        /^another process is taking the lock of this data dir/.test(err.message),
    );
    await lock.release();
  });

  it('never removes a record another process wrote after this one', async () => {
    const dataDir = makeTempDir(teardown);
    const lock = await acquireRunLock(dataDir, 'hub');
    writeRecord(dataDir, { role: 'hubd', pid: process.ppid });
    await lock.release();
    assert.equal(JSON.parse(readFileSync(lock.path, 'utf8')).pid, process.ppid);
  });

  it("is held by one of three processes at a time while they take over dead holders' records", async () => {
    const dataDir = makeTempDir(teardown);
    const dead = deadPid();
    const takers = [0, 1, 2].map(() => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', RACER, dataDir, String(dead)],
        { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
      );
      teardown.add(() => child.kill('SIGKILL'));
      return { child, ...collect(child) };
    });
    // All start together, once each has loaded.
    await Promise.all(
      takers.map(({ child }) => new Promise((resolve) => child.stdout.once('data', resolve))),
    );
    for (const { child } of takers) child.stdin.end('go');
    const results = await Promise.all(takers.map(({ done }) => done));
    const counts = results.map((r) => {
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { wins: number; overlaps: number };
    });
    assert.ok(
      counts.reduce((n, c) => n + c.wins, 0) > 20,
      `the lock changed hands often: ${JSON.stringify(counts)}`,
    );
    assert.deepEqual(
      counts.map((c) => c.overlaps),
      [0, 0, 0],
      'no two held it at once',
    );
  });
});

/**
 * A taker: for 1.5 s, takes the lock, marks "held" with an exclusive create (which fails if
 * another taker holds it too), then leaves a dead holder's record behind, as a crash does.
 */
const RACER = `
import { closeSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireRunLock, runLockPath } from './src/config/run-lock.fs.ts';
const [dataDir, dead] = process.argv.slice(1);
const marker = join(dataDir, 'held');
console.log('ready');
await new Promise((resolve) => process.stdin.once('data', resolve));
let wins = 0, overlaps = 0;
const end = Date.now() + 1500;
while (Date.now() < end) {
  let lock;
  try {
    lock = await acquireRunLock(dataDir, 'hub', { command: 'race' });
  } catch {
    await new Promise((resolve) => setImmediate(resolve));
    continue;
  }
  wins++;
  try { closeSync(openSync(marker, 'wx')); } catch { overlaps++; }
  const busy = Date.now() + 1;
  while (Date.now() < busy);
  rmSync(marker, { force: true });
  writeFileSync(runLockPath(dataDir), JSON.stringify({ role: 'hub', pid: Number(dead) }));
  await lock.release();
}
console.log(JSON.stringify({ wins, overlaps }));
process.exit(0);
`;

/** This process's identity as the lock records it. */
async function holderOf(dataDir: string): Promise<LockHolder> {
  const lock = await acquireRunLock(dataDir, 'hub');
  const holder = readHolder(lock.path)!;
  await lock.release();
  return holder;
}
