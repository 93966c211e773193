import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Level } from 'level';
import { ClientIdRegistry, MAX_KEPT_IDS_PER_OWNER } from '../../../src/broker/client-id-registry.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

// The client-id bindings in a real LevelDB: one login rotating random ids cannot grow them for good.
const teardown = useTeardown();

async function openRegistry(
  dir: string,
): Promise<{ registry: ClientIdRegistry; db: Level<string, unknown> }> {
  const db = new Level<string, unknown>(dir);
  const registry = new ClientIdRegistry(db);
  await registry.load();
  return { registry, db };
}

describe('client id registry', () => {
  it('keeps at most MAX_KEPT_IDS_PER_OWNER ids per owner, dropping the least recently claimed', async () => {
    const dir = makeTempDir(teardown);
    const { registry, db } = await openRegistry(dir);
    const opts = { keep: true, willTopic: null, token: {} };
    assert.equal(await registry.claim('device-id', 'device:7', opts), 'claimed');
    for (let i = 0; i < 40; i++) {
      assert.equal(await registry.claim(`rnd-${i}`, 'user:eve:admin', opts), 'claimed');
      registry.release(`rnd-${i}`, opts.token);
      if (i === 30) await registry.claim('rnd-20', 'user:eve:admin', opts); // used again: recent
    }
    await db.close();

    const reopened = await openRegistry(dir);
    teardown.add(() => reopened.db.close());
    const eves = Array.from({ length: 40 }, (_, i) => `rnd-${i}`).filter(
      (id) => reopened.registry.ownerOfId(id) === 'user:eve:admin',
    );
    assert.equal(eves.length, MAX_KEPT_IDS_PER_OWNER);
    assert.deepEqual(eves, ['rnd-20', ...Array.from({ length: 15 }, (_, i) => `rnd-${25 + i}`)]);
    assert.equal(reopened.registry.ownerOfId('device-id'), 'device:7', "another owner's ids are kept");
    // A freed id is anybody's again.
    assert.equal(
      await reopened.registry.claim('rnd-1', 'legacy:emonpi', { ...opts, keep: false }),
      'claimed',
    );
  });

  it('gives a role-less binding from before the upgrade to any role of its user, rewritten to that role', async () => {
    const dir = makeTempDir(teardown);
    const old = new Level<string, unknown>(dir);
    const store = old.sublevel<string, unknown>('client-ids', { valueEncoding: 'json' });
    await store.put('ann-phone', { owner: 'user:ann', willTopic: null });
    await store.put('ann-desk', { owner: 'user:ann', willTopic: null });
    await store.put('bob-desk', { owner: 'user:bob', willTopic: null });
    await old.close();

    const { registry, db } = await openRegistry(dir);
    const opts = { keep: true, willTopic: null, token: {} };
    // The viewer may not know whose session the binding held: it gets the id with a clean session.
    assert.equal(await registry.claim('ann-phone', 'user:ann:viewer', opts), 'role-changed');
    assert.equal(await registry.claim('ann-desk', 'user:ann:admin', opts), 'claimed');
    assert.equal(await registry.claim('bob-desk', 'user:ann:admin', opts), 'refused');
    assert.equal(
      await registry.claim('bob-desk', 'user:bob:viewer', { ...opts, keep: false }),
      'role-changed',
    );
    await db.close();

    const reopened = await openRegistry(dir);
    teardown.add(() => reopened.db.close());
    assert.equal(reopened.registry.ownerOfId('ann-phone'), 'user:ann:viewer');
    assert.equal(reopened.registry.ownerOfId('ann-desk'), 'user:ann:admin');
    assert.equal(reopened.registry.ownerOfId('bob-desk'), 'user:bob:viewer');
    assert.equal(await reopened.registry.claim('ann-phone', 'user:ann:viewer', opts), 'claimed');
  });

  it("rebinds a user's id across roles with a clean session, but never a connected admin's to its read key", async () => {
    const { registry, db } = await openRegistry(makeTempDir(teardown));
    teardown.add(() => db.close());
    const admin = { keep: true, willTopic: null, token: {} };
    const viewer = { keep: true, willTopic: null, token: {} };
    assert.equal(await registry.claim('ann-desk', 'user:ann:admin', admin), 'claimed');
    assert.equal(await registry.claim('ann-desk', 'user:ann:viewer', viewer), 'refused', 'admin connected');
    registry.release('ann-desk', admin.token);
    assert.equal(await registry.claim('ann-desk', 'user:ann:viewer', viewer), 'role-changed');
    assert.equal(registry.ownerOfId('ann-desk'), 'user:ann:viewer');
    // The write key may take its user's id from a connected read key (same user, more rights).
    assert.equal(await registry.claim('ann-desk', 'user:ann:admin', admin), 'role-changed');
    assert.equal(await registry.claim('ann-desk', 'user:bob:admin', { ...admin, token: {} }), 'refused');
  });

  it('lets a device take its id back from a user or legacy login only while that one is not connected', async () => {
    const { registry, db } = await openRegistry(makeTempDir(teardown));
    teardown.add(() => db.close());
    for (const squatter of ['user:eve:viewer', 'legacy:emonpi']) {
      const clientId = `DVES_${squatter}`;
      const user = { keep: true, willTopic: null, token: {} };
      const device = { keep: true, willTopic: null, token: {} };
      assert.equal(await registry.claim(clientId, squatter, user), 'claimed');
      assert.equal(await registry.claim(clientId, 'device:3', device), 'held-by-live-user', squatter);
      assert.equal(registry.ownerOfId(clientId), squatter, 'the live session is kept');
      registry.release(clientId, user.token);
      assert.equal(await registry.claim(clientId, 'device:3', device), 'taken-over', squatter);
      assert.equal(await registry.claim(clientId, squatter, { ...user, token: {} }), 'refused');
    }
  });
});
