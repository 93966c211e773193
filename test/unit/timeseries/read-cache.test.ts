import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReadCache, type FeedIdentity } from '../../../src/timeseries/read-cache.js';

const IDENTITY: FeedIdentity = {
  intervalS: 10,
  startTimeS: 1_000_000,
  fileId: 7,
  blockSlots: 60,
  rollups: '',
};
const BLOCK = () => new Float32Array(60); // 240 bytes, 368 with the entry's overhead

describe('read cache bounds and identity', () => {
  it('keeps a feed to half the cache, dropping its oldest blocks first', () => {
    const cache = new ReadCache(368 * 10);
    const entry = cache.open(1, IDENTITY, 10_000)!;
    for (let n = 0; n < 8; n++) entry.keepBlock(n, BLOCK());
    assert.equal(cache.bytes, 368 * 5);
    assert.deepEqual([...entry.blocks.keys()], [3, 4, 5, 6, 7]);
  });

  it('forgets the least recently read feed when the cache is full', () => {
    const cache = new ReadCache(368 * 10);
    for (const id of [1, 2, 3]) {
      const entry = cache.open(id, IDENTITY, 10_000)!;
      for (let n = 0; n < 4; n++) entry.keepBlock(n, BLOCK());
      if (id === 2) cache.open(1, IDENTITY, 10_000); // feed 1 read again: 2 is now the oldest
    }
    assert.equal(cache.bytes, 368 * 8);
    assert.equal(cache.open(2, IDENTITY, 10_000)!.blocks.size, 0, 'feed 2 was dropped');
    assert.equal(cache.open(1, IDENTITY, 10_000)!.blocks.size, 4);
  });

  it('drops a feed whose files changed under it, or got shorter', () => {
    const cache = new ReadCache(1 << 20);
    const fill = (id: number) => cache.open(id, IDENTITY, 10_000)!.keepBlock(0, BLOCK());
    for (const [change, npoints] of [
      [{ fileId: 8 }, 10_000], // a trim renamed a new .dat into place
      [{ startTimeS: 2_000_000 }, 10_000],
      [{ rollups: '600:1666' }, 10_000],
      [{}, 9_999], // cut shorter (a repair)
    ] as const) {
      fill(1);
      const entry = cache.open(1, { ...IDENTITY, ...change }, npoints)!;
      assert.equal(entry.blocks.size, 0, JSON.stringify(change));
      assert.equal(cache.bytes, 0);
      cache.forget(1);
    }
    fill(1);
    assert.equal(cache.open(1, IDENTITY, 10_060)!.blocks.size, 1, 'an append keeps what was read');
  });

  it('forgets only the blocks holding rewritten slots, and every record page', () => {
    const cache = new ReadCache(1 << 20);
    const entry = cache.open(1, IDENTITY, 10_000)!;
    for (let n = 0; n < 4; n++) entry.keepBlock(16_666 + n, BLOCK());
    entry.keepPage(600, 0, new Uint8Array(5120));
    cache.forgetSlots(1, [16_667 * 60 + 5, 16_667 * 60 + 59]);
    assert.deepEqual([...entry.blocks.keys()], [16_666, 16_668, 16_669]);
    assert.equal(entry.page(600, 0), undefined);
    assert.equal(cache.bytes, 3 * 368);
  });

  it('keeps nothing when its size is 0', () => {
    assert.equal(new ReadCache(0).open(1, IDENTITY, 10_000), undefined);
  });
});
