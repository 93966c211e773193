import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  chownSync,
  renameSync,
  symlinkSync,
  existsSync,
  readdirSync,
  openSync,
  readFileSync,
  readlinkSync,
  writeSync,
  closeSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { useTeardown } from '../../helpers/teardown.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import type { JournalStore } from '../../../src/updater/ports.js';
import { FakeHubd, makeBundle, makeHub, notes, treeOf, updaterFor } from './updater-fixture.js';

const teardown = useTeardown();

class Crash extends Error {}

async function hubWithBundle(behaviour: { schema: number; healthy: boolean }) {
  const root = makeTempDir(teardown, 'hub-upd-');
  const hub = makeHub(root);
  const bundle = await makeBundle(root, { version: '1.1.0', behaviour, privateKey: hub.keys.privateKey });
  const hubd = new FakeHubd(hub.layout);
  await hubd.start();
  return { root, ...hub, bundle, hubd };
}

describe('hub-updater on a real directory tree', () => {
  it('installs a good bundle: current is the new release, hub.db migrated, the previous release kept', async () => {
    const { layout, keys, bundle, hubd } = await hubWithBundle({ schema: 2, healthy: true });
    const result = await updaterFor(layout, keys.publicKey, hubd).install(bundle);
    assert.deepEqual(result, { outcome: 'installed', version: '1.1.0', fromVersion: '1.0.0' });
    assert.equal(readlinkSync(join(layout.appDir, 'current')), 'releases/1.1.0');
    assert.equal(
      readFileSync(join(layout.appDir, 'current', 'node_modules', 'dep', 'index.js'), 'utf8'),
      'export const x = 1;\n',
    );
    assert.equal(readFileSync(join(layout.appDir, 'releases', '1.0.0', 'version.txt'), 'utf8'), '1.0.0');
    assert.equal(statSync(join(layout.appDir, 'current', 'suid-tool')).mode & 0o7777, 0o755, 'no setuid');
    assert.equal(hubd.running, '1.1.0');
    assert.deepEqual(notes(layout.dataDir), { schema: 2, texts: ['original', 'migrated by 1.1.0'] });
    const journal = JSON.parse(readFileSync(join(layout.appDir, 'update', 'journal.json'), 'utf8'));
    assert.equal(journal.phase, 'installed');
    assert.equal(statSync(join(layout.appDir, 'update', 'journal.json')).mode & 0o777, 0o600);
  });

  it('rolls back a release that never gets ready: snapshot restored, previous release running', async () => {
    const { layout, keys, bundle, hubd } = await hubWithBundle({ schema: 2, healthy: false });
    const configBefore = readFileSync(join(layout.dataDir, 'hub.json'));
    const result = await updaterFor(layout, keys.publicKey, hubd).install(bundle);
    assert.equal(result.outcome, 'rolled-back');
    assert.equal(
      result.outcome === 'rolled-back' ? result.why : '',
      '1.1.0 did not become ready: hubd 1.1.0 not ready (schema 2)',
    );
    assert.equal(readlinkSync(join(layout.appDir, 'current')), 'releases/1.0.0');
    assert.equal(hubd.running, '1.0.0');
    assert.deepEqual(notes(layout.dataDir), { schema: 1, texts: ['original'] });
    assert.deepEqual(readFileSync(join(layout.dataDir, 'hub.json')), configBefore);
    assert.ok((await hubd.waitReady()).ready);
  });

  it('restores hub.db and hub.json owned by the data dir’s owner, mode 600, when the updater is root', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to own files as another user');
    const { layout, keys, bundle, hubd } = await hubWithBundle({ schema: 2, healthy: false });
    for (const name of ['', 'hub.db', 'hub.json']) chownSync(join(layout.dataDir, name), 4321, 4321);
    assert.equal((await updaterFor(layout, keys.publicKey, hubd).install(bundle)).outcome, 'rolled-back');
    for (const name of ['hub.db', 'hub.json']) {
      const stat = statSync(join(layout.dataDir, name));
      assert.deepEqual([stat.uid, stat.gid, stat.mode & 0o777], [4321, 4321, 0o600], name);
    }
  });

  it('refuses a bad signature, a damaged payload and an older version, changing nothing', async () => {
    const { root, layout, keys, bundle, hubd } = await hubWithBundle({ schema: 2, healthy: true });
    const stranger = generateKeyPairSync('ed25519');
    const forged = await makeBundle(root, {
      version: '1.2.0',
      behaviour: { schema: 2, healthy: true },
      privateKey: stranger.privateKey,
    });
    const older = await makeBundle(root, {
      version: '0.9.0',
      behaviour: { schema: 1, healthy: true },
      privateKey: keys.privateKey,
      minFromVersion: '0.1.0',
    });
    const fd = openSync(bundle, 'r+');
    writeSync(fd, Buffer.from([0x42]), 0, 1, statSync(bundle).size - 10); // one byte of the payload
    closeSync(fd);
    const before = { app: treeOf(layout.appDir), data: treeOf(layout.dataDir) };
    const updater = updaterFor(layout, keys.publicKey, hubd);
    const refusals = [];
    for (const file of [forged, bundle, older]) refusals.push(await updater.install(file));
    assert.deepEqual(refusals, [
      {
        outcome: 'refused',
        code: 'bad-signature',
        reason: 'the bundle is not signed by this hub’s update key',
      },
      {
        outcome: 'refused',
        code: 'bad-payload',
        reason: 'the payload’s sha256 does not match the signed manifest (damaged or altered)',
      },
      {
        outcome: 'refused',
        code: 'not-newer',
        reason: 'version 0.9.0 is older than the running 1.0.0 (use --force)',
      },
    ]);
    assert.deepEqual({ app: treeOf(layout.appDir), data: treeOf(layout.dataDir) }, before);
    assert.equal(hubd.running, '1.0.0');
  });

  it('keeps only the new and the previous release after a second install', async () => {
    const { root, layout, keys, bundle, hubd } = await hubWithBundle({ schema: 2, healthy: true });
    // The factory release as the image may ship it: a link to a folder outside releases/.
    const factory = join(root, 'opt-hub');
    renameSync(join(layout.appDir, 'releases', '1.0.0'), factory);
    symlinkSync(factory, join(layout.appDir, 'releases', '1.0.0'));
    const updater = updaterFor(layout, keys.publicKey, hubd);
    assert.equal((await updater.install(bundle)).outcome, 'installed');
    const next = await makeBundle(root, {
      version: '1.2.0',
      behaviour: { schema: 2, healthy: true },
      privateKey: keys.privateKey,
    });
    assert.deepEqual(await updater.install(next), {
      outcome: 'installed',
      version: '1.2.0',
      fromVersion: '1.1.0',
    });
    assert.deepEqual(readdirSync(join(layout.appDir, 'releases')).sort(), ['1.1.0', '1.2.0']);
    assert.deepEqual(readdirSync(factory).sort(), ['.release.json', 'behaviour.json', 'version.txt']);
  });

  it('refuses a new install while an interrupted one is unfinished, until recover has run', async () => {
    const { layout, keys, bundle, hubd } = await hubWithBundle({ schema: 2, healthy: true });
    let n = 0;
    const crashAtSwitch = (store: JournalStore): JournalStore => ({
      ...store,
      write: async (j) => {
        if (++n === 4) throw new Crash('crash before the switch');
        await store.write(j);
      },
    });
    await assert.rejects(updaterFor(layout, keys.publicKey, hubd, crashAtSwitch).install(bundle), Crash);
    const updater = updaterFor(layout, keys.publicKey, hubd);
    assert.deepEqual(await updater.install(bundle), {
      outcome: 'refused',
      code: 'busy',
      reason: 'an install of 1.1.0 is unfinished; run recover',
    });
    const { result } = await updater.recover();
    assert.equal(result?.outcome, 'rolled-back');
    assert.equal((await updater.install(bundle)).outcome, 'installed');
  });

  for (const healthy of [true, false]) {
    it(`a crash before each journal write of a ${healthy ? 'good' : 'broken'} bundle, then recover, is consistent`, async () => {
      let writes = 0;
      {
        const { layout, keys, bundle, hubd } = await hubWithBundle({ schema: 2, healthy });
        const counting = (store: JournalStore): JournalStore => ({
          ...store,
          write: (j) => (writes++, store.write(j)),
        });
        await updaterFor(layout, keys.publicKey, hubd, counting).install(bundle);
      }
      assert.ok(writes >= 7, `${writes} journal writes`);
      for (let crashAt = 1; crashAt <= writes; crashAt++) {
        const { layout, keys, bundle, hubd } = await hubWithBundle({ schema: 2, healthy });
        let n = 0;
        const crashing = (store: JournalStore): JournalStore => ({
          ...store,
          write: async (j) => {
            if (++n === crashAt) throw new Crash(`crash at write ${crashAt}`);
            await store.write(j);
          },
        });
        await assert.rejects(updaterFor(layout, keys.publicKey, hubd, crashing).install(bundle), Crash);
        // The machine restarts: systemd starts hubd from `current`, then hub-updater recovers.
        await hubd.stop();
        await hubd.start();
        const { decision, result } = await updaterFor(layout, keys.publicKey, hubd).recover();
        const label = `crash at ${crashAt}: ${decision.why}`;
        const current = readlinkSync(join(layout.appDir, 'current'));
        const version = current.replace('releases/', '');
        assert.equal(hubd.running, version, label);
        assert.ok((await hubd.waitReady()).ready, label);
        assert.equal(readFileSync(join(layout.appDir, current, 'version.txt'), 'utf8'), version, label);
        assert.ok(existsSync(join(layout.appDir, 'releases', '1.0.0', 'version.txt')), label);
        const expected =
          version === '1.1.0'
            ? { schema: 2, texts: ['original', 'migrated by 1.1.0'] }
            : { schema: 1, texts: ['original'] };
        assert.deepEqual(notes(layout.dataDir), expected, label);
        if (decision.action === 'nothing') assert.equal(crashAt, 1, label);
        else assert.equal(result?.outcome, version === '1.1.0' ? 'installed' : 'rolled-back', label);
        if (!healthy) assert.equal(version, '1.0.0', label);
      }
    });
  }
});
