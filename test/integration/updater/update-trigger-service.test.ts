import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Readable } from 'node:stream';
import { ManualClock } from '../../../src/shared/clock.js';
import { silentLog } from '../../../src/shared/logger.js';
import { openInbox } from '../../../src/updater/inbox.fs.js';
import type { DownloadBundle, UpdateProgress } from '../../../src/updater/update-inbox.js';
import { UpdateTriggerService } from '../../../src/updater/update-trigger-service.js';
import { useTeardown } from '../../helpers/teardown.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { until } from '../../helpers/processes.js';

const teardown = useTeardown();
const order = (bundle: Buffer) => ({
  id: 'remote-42',
  version: '2.0.0',
  url: 'https://updates.example/hub-2.0.0.bundle',
  sha256: 'ab'.repeat(32),
  bytes: bundle.length,
});

/**
 * A download from a local copy that resumes the `.part` as the real one does; the first `fails`
 * tries stop half-way with an error, as a dropped connection would.
 */
function localDownload(source: Buffer, fails: number): DownloadBundle & { calls: number[] } {
  const calls: number[] = [];
  const download = async ({ file, onProgress }: Parameters<DownloadBundle>[0]) => {
    const part = `${file}.part`;
    const have = existsSync(part) ? statSync(part).size : 0;
    calls.push(have);
    if (calls.length <= fails) {
      appendFileSync(part, source.subarray(have, have + Math.floor(source.length / 4)));
      onProgress(statSync(part).size, source.length);
      throw new Error('connection reset');
    }
    appendFileSync(part, source.subarray(have));
    onProgress(source.length, source.length);
    renameSync(part, file);
    return Promise.resolve();
  };
  return Object.assign(download, { calls });
}

function service(appDir: string, clock: ManualClock, download?: DownloadBundle) {
  const updates = new UpdateTriggerService({
    inbox: openInbox(appDir),
    download,
    clock,
    log: silentLog,
    currentVersion: '1.0.0',
    downloadAttempts: 3,
    firstRetryDelayMs: 5000,
  });
  teardown.add(() => updates.stop());
  return updates;
}

describe('the update trigger service', () => {
  it('retries a failed download after a wait, resuming it, then writes the request', async () => {
    const appDir = makeTempDir(teardown);
    const clock = new ManualClock(1_700_000_000_000);
    const bundle = randomBytes(400_000);
    const download = localDownload(bundle, 1);
    const updates = service(appDir, clock, download);
    await updates.start();
    const seen: UpdateProgress[] = [];
    updates.onProgress((p) => seen.push(p));

    updates.fromRemote(order(bundle));
    await until(() => download.calls.length === 1, 5000, 'the first try');
    await new Promise((r) => setImmediate(r));
    assert.equal(updates.progress().state, 'downloading');
    await clock.tickAsync(4999);
    assert.equal(download.calls.length, 1, 'no retry before the wait is over');
    await clock.tickAsync(1);
    await until(() => updates.progress().state === 'waiting', 5000, 'the request');

    assert.deepEqual(download.calls, [0, 100_000]); // the second try resumed the part
    const inbox = openInbox(appDir);
    assert.deepEqual(readFileSync(inbox.paths.bundleFile('remote-42')), bundle);
    assert.deepEqual(inbox.readRequest(), {
      format: 1,
      id: 'remote-42',
      source: 'remote',
      bundle: 'remote-42.bundle',
      requestedAtMs: 1_700_000_005_000,
      by: 'server',
    });
    assert.deepEqual(
      seen.map((p) => p.state),
      ['downloading', 'downloading', 'waiting'], // its start, the bytes seen by the 2 s poll, handed over
    );
    updates.fromRemote({ ...order(bundle), id: 'remote-43' }); // refused: one update at a time
    assert.equal(download.calls.length, 2);
    assert.deepEqual(updates.progress(), {
      state: 'waiting',
      id: 'remote-42',
      source: 'remote',
      currentVersion: '1.0.0',
    });
  });

  it('gives up after its tries, removes the part and takes the next order', async () => {
    const appDir = makeTempDir(teardown);
    const clock = new ManualClock(0);
    const bundle = randomBytes(1000);
    const download = localDownload(bundle, 99);
    const updates = service(appDir, clock, download);
    await updates.start();
    updates.fromRemote(order(bundle));
    for (let i = 0; i < 3; i++) {
      await until(() => download.calls.length === i + 1, 5000, `try ${i + 1}`);
      await clock.tickAsync(20_000);
    }
    await until(() => updates.progress().state === 'download-failed', 5000, 'the failure');
    assert.deepEqual(updates.progress(), {
      state: 'download-failed',
      id: 'remote-42',
      source: 'remote',
      reason: 'connection reset',
      currentVersion: '1.0.0',
    });
    const inbox = openInbox(appDir);
    assert.equal(existsSync(inbox.paths.partFile('remote-42')), false);
    assert.equal(inbox.readRequest(), null);
    updates.fromRemote({ ...order(bundle), id: 'remote-43' }); // not refused as in flight
    assert.equal(updates.progress().state, 'downloading');
  });

  it('stops at once while it waits to retry, leaving no part behind', async () => {
    const appDir = makeTempDir(teardown);
    const clock = new ManualClock(0);
    const bundle = randomBytes(1000);
    const download = localDownload(bundle, 1);
    const updates = service(appDir, clock, download);
    await updates.start();
    updates.fromRemote(order(bundle));
    await until(() => download.calls.length === 1, 5000, 'the first try');
    await updates.stop(); // the clock never moves: only the stop can end the wait
    assert.equal(download.calls.length, 1);
    assert.equal(clock.pendingTimers(), 0);
    assert.deepEqual(readdirSync(openInbox(appDir).paths.inboxDir), []);
  });

  it('after a restart shows a request still in the inbox as waiting, then its status', async () => {
    const appDir = makeTempDir(teardown);
    const clock = new ManualClock(0);
    const inbox = openInbox(appDir);
    inbox.writeRequest({
      format: 1,
      id: 'app-7',
      source: 'app',
      bundle: 'app-7.bundle',
      requestedAtMs: 1,
      by: 'ann',
    });
    const updates = service(appDir, clock);
    await updates.start();
    const seen: UpdateProgress[] = [];
    updates.onProgress((p) => seen.push(p));
    assert.deepEqual(updates.progress(), {
      state: 'waiting',
      id: 'app-7',
      source: 'app',
      currentVersion: '1.0.0',
    });

    // hub-updater takes the request and says what it does.
    rmSync(inbox.paths.requestFile);
    const status = { format: 1, id: 'app-7', source: 'app', state: 'verifying', updatedAtMs: 9 } as const;
    mkdirSync(inbox.paths.statusDir, { recursive: true });
    writeFileSync(inbox.paths.statusFile, JSON.stringify(status));
    assert.deepEqual(seen, [], 'seen at the next poll');
    clock.tick(2000);
    assert.deepEqual(seen, [{ ...status, currentVersion: '1.0.0' }]);
  });

  it('removes the part of an upload that failed and takes the next one', async () => {
    const appDir = makeTempDir(teardown);
    const updates = new UpdateTriggerService({
      inbox: openInbox(appDir, 1000),
      clock: new ManualClock(0),
      log: silentLog,
      currentVersion: '1.0.0',
    });
    await assert.rejects(updates.fromUpload(Readable.from([randomBytes(600), randomBytes(600)]), 'ann'), {
      name: 'BundleTooLarge',
      status: 413,
    });
    const broken = new Readable({ read() {} });
    const failed = updates.fromUpload(broken, 'ann');
    broken.push(randomBytes(100));
    broken.destroy(new Error('the client left'));
    await assert.rejects(failed, /the client left/);
    const inbox = openInbox(appDir);
    assert.deepEqual(readdirSync(inbox.paths.inboxDir), []);
    assert.equal(updates.progress().state, 'idle');
    const bundle = randomBytes(900);
    const { id } = await updates.fromUpload(Readable.from([bundle]), 'ann');
    assert.deepEqual(readFileSync(inbox.paths.bundleFile(id)), bundle);
    assert.deepEqual(readdirSync(inbox.paths.inboxDir).sort(), [`${id}.bundle`, 'request.json']);
  });
});
