// One hub-updater at a time: the lock in <appDir>/update/lock, held by a real other process, or
// left by a dead one or by one of an earlier boot.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTeardown } from '../../helpers/teardown.js';
import type { UpdaterLayout } from '../../../src/updater/updater-layout.js';
import { dropRequest, hubWithBundle, inboxOf, installedState, NOW_MS, runnerFor } from './request-fixture.js';
import { makeBundle } from './updater-fixture.js';

const teardown = useTeardown();

describe('the updater lock', () => {
  /** A lock record as hub-updater writes it, for another process. */
  function lockFor(layout: UpdaterLayout, pid: number, extra: object = {}): string {
    const file = join(layout.appDir, 'update', 'lock');
    mkdirSync(join(layout.appDir, 'update'), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify({ pid, command: 'install', ...extra }));
    return file;
  }

  it('held by a live process: run-request, install and recover answer busy and change nothing', async () => {
    const hub = await hubWithBundle(teardown);
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    teardown.add(() => holder.kill());
    const lockFile = lockFor(hub.layout, holder.pid!);
    const before = installedState(hub.layout);
    dropRequest(hub.layout.appDir, hub.bundle);
    const { runner, seen, status } = runnerFor(hub);
    await runner.runRequest();
    const busy = `another hub-updater (pid ${holder.pid}, install) is running`;
    assert.deepEqual(seen, ['refused']);
    assert.deepEqual(status(), {
      format: 1,
      id: 'req-1',
      source: 'app',
      state: 'refused',
      code: 'busy',
      reason: busy,
      updatedAtMs: NOW_MS,
    });
    assert.deepEqual(inboxOf(hub.layout.appDir), [], 'the request is answered, so the path unit stops');
    assert.deepEqual(await runner.installFile(hub.bundle, { force: false }), {
      outcome: 'refused',
      code: 'busy',
      reason: busy,
    });
    assert.deepEqual(await runner.recover(), { outcome: 'refused', code: 'busy', reason: busy });
    assert.deepEqual(installedState(hub.layout), before);
    assert.equal(JSON.parse(readFileSync(lockFile, 'utf8')).pid, holder.pid, 'the holder keeps its lock');
  });

  it('left by a dead process, or by a process of an earlier boot, is taken over', async () => {
    const hub = await hubWithBundle(teardown);
    const dead = spawnSync('true').pid;
    for (const [i, record] of [
      { pid: dead },
      { pid: process.pid, bootId: '00000000-0000-0000-0000-000000000000' },
    ].entries()) {
      lockFor(hub.layout, record.pid, record);
      const id = `req-${i + 10}`;
      const bundle =
        i === 0
          ? hub.bundle
          : await makeBundle(hub.root, {
              version: '1.2.0',
              behaviour: { schema: 2, healthy: true },
              privateKey: hub.keys.privateKey,
            });
      dropRequest(hub.layout.appDir, bundle, { id, bundle: `${id}.bundle` });
      const { runner, status } = runnerFor(hub);
      await runner.runRequest();
      assert.equal(status().state, 'installed', JSON.stringify(record));
      assert.equal(existsSync(join(hub.layout.appDir, 'update', 'lock')), false);
    }
    assert.equal(readlinkSync(join(hub.layout.appDir, 'current')), 'releases/1.2.0');
  });
});
