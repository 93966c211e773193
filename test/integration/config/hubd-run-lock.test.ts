import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { holdRunLockForHubd } from '../../../src/config/hubd-run-lock.js';
import { acquireRunLock, readHolder } from '../../../src/config/run-lock.fs.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { until } from '../../helpers/processes.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();

function recordingLog() {
  const lines: string[] = [];
  const log = {
    info: (_o: object, m: string) => lines.push(`info ${m}`),
    warn: (_o: object, m: string) => lines.push(`warn ${m}`),
    error: (_o: object, m: string) => lines.push(`error ${m}`),
  };
  return { lines, log };
}

describe("hubd's hold on the run lock", () => {
  it('waits for a hub command on the clock, backing off, and takes the lock when it ends', async () => {
    const dataDir = makeTempDir(teardown);
    const command = await acquireRunLock(dataDir, 'hub', { command: 'feeds import-emoncms /mnt/x' });
    const clock = new ManualClock(0);
    const { lines, log } = recordingLog();
    let stderr = '';
    const held = holdRunLockForHubd(dataDir, '/run/hub/control/hubd.sock', clock, log, (t) => (stderr += t));
    await until(() => clock.pendingTimers() === 1, 5000, 'the first wait');
    // 250, 500, 1000, 2000, 4000, then 5000 ms between polls: none before its time.
    for (const waitMs of [250, 500, 1000, 2000, 4000, 5000, 5000]) {
      await clock.tickAsync(waitMs - 1);
      assert.equal(clock.pendingTimers(), 1, `still waiting ${waitMs - 1} ms into a ${waitMs} ms wait`);
      await clock.tickAsync(1);
      await until(() => clock.pendingTimers() === 1, 5000, 'the next wait');
    }
    assert.deepEqual(
      lines,
      [`info waiting for hub feeds import-emoncms /mnt/x (pid ${process.pid})`],
      'said once, not at every poll',
    );
    await command.release();
    await clock.tickAsync(5000);
    const lock = await held;
    assert.ok(lock);
    assert.equal(readHolder(lock.path)?.role, 'hubd');
    assert.equal(readHolder(lock.path)?.socket, '/run/hub/control/hubd.sock');
    assert.equal(stderr, '');
    await lock.release();
  });

  it('does not wait for another hubd: it says so and gives up', async () => {
    const dataDir = makeTempDir(teardown);
    const other = await acquireRunLock(dataDir, 'hubd');
    const { lines, log } = recordingLog();
    let stderr = '';
    const lock = await holdRunLockForHubd(dataDir, '/s', new ManualClock(0), log, (t) => (stderr += t));
    assert.equal(lock, undefined);
    assert.match(stderr, /^hubd \(pid \d+\) is already running on this data dir .*\nhubd did not start\.\n$/);
    assert.equal(lines.length, 1);
    await other.release();
  });
});
