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
});
