import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryWriteBuffer } from '../../../src/timeseries/memory-buffer.js';

const pts = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ tsS: from + i * 10, value: i, join: false }));

describe('memory write buffer (while Redis is away)', () => {
  it('drops the oldest points past its bound and counts every drop', async () => {
    const buffer = new MemoryWriteBuffer(5);
    await buffer.append(1, pts(0, 4));
    await buffer.append(2, pts(1000, 3));
    assert.equal(buffer.held, 5);
    assert.equal(buffer.dropped, 2);
    assert.deepEqual(
      (await buffer.peek(1)).map((p) => p.tsS),
      [20, 30],
      'the fuller feed lost its oldest',
    );
    assert.deepEqual(
      (await buffer.peek(2)).map((p) => p.tsS),
      [1000, 1010, 1020],
    );
  });

  it('removes written points and forgets empty feeds', async () => {
    const buffer = new MemoryWriteBuffer(100);
    await buffer.append(1, pts(0, 3));
    await buffer.remove(1, 2);
    assert.deepEqual(
      (await buffer.peek(1)).map((p) => p.tsS),
      [20],
    );
    await buffer.remove(1, 1);
    assert.deepEqual(await buffer.feedsWithPoints(), []);
    assert.equal(buffer.held, 0);
  });
});
