// hub-updater's side of the inbox on a real tree: requests hubd drops, bundles made by the real
// writer, the real status file; only hubd under systemd is the fixture's stand-in.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { useTeardown } from '../../helpers/teardown.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { createRequestRunner } from '../../../src/updater/updater-deps.fs.js';
import type { JournalStore } from '../../../src/updater/ports.js';
import type { Inbox } from '../../../src/updater/request-runner.js';
import { inboxPaths } from '../../../src/updater/update-inbox.js';
import {
  dropRequest,
  hubWithBundle,
  inboxOf,
  incomingOf,
  installedState,
  NOW_MS,
  runnerFor,
} from './request-fixture.js';
import { makeBundle, notes, updaterFor } from './updater-fixture.js';

const teardown = useTeardown();

describe('hub-updater run-request', () => {
  it('installs a requested bundle: status goes queued → verifying → each step → installed; the inbox is emptied', async () => {
    const hub = await hubWithBundle(teardown);
    dropRequest(hub.layout.appDir, hub.bundle);
    const { runner, seen, status } = runnerFor(hub);
    const outcome = await runner.runRequest();
    assert.deepEqual(seen, [
      'queued',
      'verifying',
      'installing:unpack',
      'installing:stop',
      'installing:snapshot',
      'installing:switch',
      'installing:start',
      'installing:await-ready',
      'installed',
    ]);
    const final = {
      format: 1,
      id: 'req-1',
      source: 'app',
      state: 'installed',
      version: '1.1.0',
      fromVersion: '1.0.0',
      updatedAtMs: NOW_MS,
    };
    assert.deepEqual(status(), final);
    assert.deepEqual(outcome, { outcome: 'done', status: final });
    assert.equal(readlinkSync(join(hub.layout.appDir, 'current')), 'releases/1.1.0');
    assert.equal(hub.hubd.running, '1.1.0');
    assert.deepEqual(inboxOf(hub.layout.appDir), []);
    assert.deepEqual(incomingOf(hub.layout.appDir), [], 'the root-only copy is deleted after the install');
    assert.equal(existsSync(join(hub.layout.appDir, 'update', 'lock')), false, 'the lock is released');
    const journal = JSON.parse(readFileSync(join(hub.layout.appDir, 'update', 'journal.json'), 'utf8'));
    assert.equal(journal.id, 'req-1', 'the journal carries the request id (recover reports it)');
    const { statusFile, statusDir } = inboxPaths(hub.layout.appDir);
    assert.equal(statSync(statusFile).mode & 0o777, 0o644);
    assert.deepEqual(readdirSync(statusDir), ['status.json'], 'no temporary file left beside it');
    assert.equal(statSync(statusDir).mode & 0o777, 0o755);
    assert.equal(statSync(join(hub.layout.appDir, 'update', 'incoming')).mode & 0o777, 0o700);
    assert.deepEqual(await runner.runRequest(), { outcome: 'nothing' }, 'a second run finds no request');
  });

  it('refuses a bundle signed by another key: nothing installed, the inbox cleaned', async () => {
    const hub = await hubWithBundle(teardown);
    const stranger = generateKeyPairSync('ed25519');
    const forged = await makeBundle(hub.root, {
      version: '1.2.0',
      behaviour: { schema: 2, healthy: true },
      privateKey: stranger.privateKey,
    });
    const before = installedState(hub.layout);
    dropRequest(hub.layout.appDir, forged, { id: 'forged', bundle: 'forged.bundle', source: 'remote' });
    const { runner, seen, status } = runnerFor(hub);
    await runner.runRequest();
    assert.deepEqual(seen, ['queued', 'verifying', 'refused']);
    assert.deepEqual(status(), {
      format: 1,
      id: 'forged',
      source: 'remote',
      state: 'refused',
      code: 'bad-signature',
      reason: 'the bundle is not signed by this hub’s update key',
      updatedAtMs: NOW_MS,
    });
    assert.deepEqual(installedState(hub.layout), before);
    assert.equal(hub.hubd.running, '1.0.0');
    assert.deepEqual(inboxOf(hub.layout.appDir), []);
    assert.deepEqual(incomingOf(hub.layout.appDir), []);
  });

  it('answers a request that is not JSON with failed, and removes it', async () => {
    const hub = await hubWithBundle(teardown);
    const { inboxDir, requestFile } = inboxPaths(hub.layout.appDir);
    mkdirSync(inboxDir, { recursive: true });
    writeFileSync(requestFile, '{"format":1,');
    const { runner, status } = runnerFor(hub);
    await runner.runRequest();
    assert.deepEqual(status(), {
      format: 1,
      id: 'invalid-request',
      source: 'app',
      state: 'failed',
      code: 'bad-request',
      reason: 'request.json is not JSON',
      updatedAtMs: NOW_MS,
    });
    assert.deepEqual(inboxOf(hub.layout.appDir), []);
  });

  it('answers a request.json that is a FIFO without blocking on it, and removes it', async () => {
    const hub = await hubWithBundle(teardown);
    const { inboxDir, requestFile } = inboxPaths(hub.layout.appDir);
    mkdirSync(inboxDir, { recursive: true });
    execFileSync('mkfifo', [requestFile]);
    const { runner, status } = runnerFor(hub);
    await runner.runRequest();
    assert.deepEqual(
      [status().state, status().code, status().reason],
      ['failed', 'bad-request', 'request.json is not a file'],
    );
    assert.deepEqual(inboxOf(hub.layout.appDir), []);
  });

  it('answers a request that breaks the schema under its own id, removing it and its bundle', async () => {
    const hub = await hubWithBundle(teardown);
    const before = installedState(hub.layout);
    dropRequest(hub.layout.appDir, hub.bundle, { id: 'req-2', bundle: 'other.bundle', by: 'x'.repeat(101) });
    const { runner, status } = runnerFor(hub);
    await runner.runRequest();
    const { reason, ...rest } = status();
    assert.deepEqual(rest, {
      format: 1,
      id: 'req-2',
      source: 'app',
      state: 'failed',
      code: 'bad-request',
      updatedAtMs: NOW_MS,
    });
    assert.match(reason ?? '', /^request\.json: by: /);
    assert.deepEqual(inboxOf(hub.layout.appDir), []);
    assert.deepEqual(installedState(hub.layout), before);
  });

  it('refuses a bundle that is a symbolic link, and leaves what it names alone', async () => {
    const hub = await hubWithBundle(teardown);
    const before = installedState(hub.layout);
    const request = dropRequest(hub.layout.appDir, null);
    symlinkSync(hub.bundle, inboxPaths(hub.layout.appDir).bundleFile(request.id));
    const target = readFileSync(hub.bundle);
    const { runner, seen, status } = runnerFor(hub);
    await runner.runRequest();
    assert.deepEqual(seen, ['queued', 'refused']);
    assert.deepEqual(status(), {
      format: 1,
      id: 'req-1',
      source: 'app',
      state: 'refused',
      code: 'bad-bundle-file',
      reason: 'req-1.bundle is a link',
      updatedAtMs: NOW_MS,
    });
    assert.deepEqual(inboxOf(hub.layout.appDir), []);
    assert.deepEqual(readFileSync(hub.bundle), target);
    assert.deepEqual(installedState(hub.layout), before);
  });

  it('answers a missing bundle with failed, and a bundle over the size limit with refused', async () => {
    const hub = await hubWithBundle(teardown);
    dropRequest(hub.layout.appDir, null);
    const missing = runnerFor(hub);
    await missing.runner.runRequest();
    assert.deepEqual(
      [missing.status().state, missing.status().code, missing.status().reason],
      ['failed', 'no-bundle', 'req-1.bundle is not in the inbox'],
    );
    dropRequest(hub.layout.appDir, hub.bundle);
    const small = runnerFor(hub, { maxBundleBytes: 200 });
    await small.runner.runRequest();
    assert.deepEqual(
      [small.status().state, small.status().code],
      ['refused', 'too-big'],
      small.status().reason,
    );
    assert.deepEqual(inboxOf(hub.layout.appDir), []);
    assert.deepEqual(incomingOf(hub.layout.appDir), []);
    assert.equal(hub.hubd.running, '1.0.0');
  });

  it('installs the bundle it copied, whatever is put in the inbox after the copy', async () => {
    const hub = await hubWithBundle(teardown);
    const other = await makeBundle(hub.root, {
      version: '1.2.0',
      behaviour: { schema: 2, healthy: true },
      privateKey: hub.keys.privateKey,
    });
    const request = dropRequest(hub.layout.appDir, hub.bundle);
    const inboxBundle = inboxPaths(hub.layout.appDir).bundleFile(request.id);
    const swapAfterCopy = (inbox: Inbox): Inbox => ({
      ...inbox,
      takeBundle: (r) => {
        const taken = inbox.takeBundle(r);
        copyFileSync(other, inboxBundle); // a compromised hubd replaces the bundle now
        return taken;
      },
    });
    const { runner, status } = runnerFor(hub, { wrapInbox: swapAfterCopy });
    await runner.runRequest();
    assert.equal(status().state, 'installed');
    assert.equal(status().version, '1.1.0');
    assert.equal(readlinkSync(join(hub.layout.appDir, 'current')), 'releases/1.1.0');
    assert.equal(hub.hubd.running, '1.1.0');
  });

  it('goes on installing when the status cannot be written, and says so', async () => {
    const hub = await hubWithBundle(teardown);
    dropRequest(hub.layout.appDir, hub.bundle);
    const errors: string[] = [];
    const runner = createRequestRunner({
      layout: hub.layout,
      updater: updaterFor(hub.layout, hub.keys.publicKey, hub.hubd),
      clock: new ManualClock(NOW_MS),
      maxBundleBytes: 64 * 1024 * 1024,
      wrapStatus: (store) => ({
        read: () => store.read(),
        write: () => {
          throw new Error('EROFS');
        },
      }),
      onStatusError: (err) => errors.push((err as Error).message),
    });
    const outcome = await runner.runRequest();
    assert.equal(outcome.outcome === 'done' && outcome.status.state, 'installed');
    assert.equal(readlinkSync(join(hub.layout.appDir, 'current')), 'releases/1.1.0');
    assert.equal(errors.length, 9);
    assert.deepEqual(inboxOf(hub.layout.appDir), []);
  });
});

describe('hub-updater install and recover write the status too', () => {
  it('install FILE reports as the cli; recover after a crash reports under the request’s id and source', async () => {
    const cli = await hubWithBundle(teardown);
    const { runner, status } = runnerFor(cli);
    const installed = await runner.installFile(cli.bundle, { force: false });
    assert.equal('state' in installed && installed.state, 'installed');
    assert.deepEqual([status().source, status().state, status().version], ['cli', 'installed', '1.1.0']);
    assert.match(status().id, /^[0-9a-f-]{36}$/);

    const hub = await hubWithBundle(teardown, { schema: 2, healthy: false });
    dropRequest(hub.layout.appDir, hub.bundle, { id: 'req-9', bundle: 'req-9.bundle', source: 'remote' });
    let writes = 0;
    const crashAtStart = (store: JournalStore): JournalStore => ({
      ...store,
      write: async (j) => {
        if (++writes === 6) throw new Error('power cut before start'); // journal at `start`
        await store.write(j);
      },
    });
    const crashed = runnerFor(hub, { wrapJournal: crashAtStart });
    await crashed.runner.runRequest();
    assert.deepEqual([crashed.status().state, crashed.status().step], ['failed', undefined]);
    await hub.hubd.stop(); // the reboot: systemd starts hubd from `current`
    await hub.hubd.start();
    const after = runnerFor(hub);
    await after.runner.recover();
    assert.equal(after.seen[0], 'installing:start');
    assert.deepEqual(after.seen.slice(-1), ['rolled-back']);
    const { reason, ...rest } = after.status();
    assert.deepEqual(rest, {
      format: 1,
      id: 'req-9',
      source: 'remote',
      state: 'rolled-back',
      version: '1.1.0',
      fromVersion: '1.0.0',
      updatedAtMs: NOW_MS,
    });
    assert.match(reason ?? '', /did not become ready/);
    assert.deepEqual(notes(hub.layout.dataDir), { schema: 1, texts: ['original'] });
    assert.equal(readlinkSync(join(hub.layout.appDir, 'current')), 'releases/1.0.0');
  });
});
