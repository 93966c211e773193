import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BufferedPoint, WriteBuffer } from '../../src/timeseries/ports.js';

/** A fresh, empty buffer of the adapter under test (its own keys or process state). */
export type WriteBufferFactory = () => Promise<WriteBuffer>;

const points = (fromS: number, n: number, join = false): BufferedPoint[] =>
  Array.from({ length: n }, (_, i) => ({ tsS: fromS + i * 10, value: i + 0.5, join }));
const stamps = async (buffer: WriteBuffer, feedId: number) => (await buffer.peek(feedId)).map((p) => p.tsS);
const feeds = async (buffer: WriteBuffer) => (await buffer.feedsWithPoints()).sort((a, b) => a - b);

/** What FeedService and the flusher rely on from any WriteBuffer (ports.ts). */
export function writeBufferContract(name: string, make: WriteBufferFactory): void {
  describe(`WriteBuffer contract: ${name}`, () => {
    it('starts empty', async () => {
      const buffer = await make();
      assert.deepEqual(await buffer.feedsWithPoints(), []);
      assert.deepEqual(await buffer.peek(7), []);
      assert.equal(await buffer.length(7), 0);
    });

    it('keeps each feed’s points in arrival order across appends, values exactly', async () => {
      const buffer = await make();
      const odd: BufferedPoint[] = [
        { tsS: 1_790_000_000, value: 0.1 + 0.2, join: false },
        { tsS: 1_790_000_010, value: -1e-300, join: true },
        { tsS: 1_790_000_005, value: NaN, join: false }, // a later arrival stamped earlier stays last
      ];
      await buffer.append(1, points(100, 2));
      await buffer.append(2, points(5000, 1, true));
      await buffer.append(1, odd);
      assert.deepEqual(await buffer.peek(1), [...points(100, 2), ...odd]);
      assert.deepEqual(await buffer.peek(2), [{ tsS: 5000, value: 0.5, join: true }]);
      assert.equal(await buffer.length(1), 5);
      assert.equal(await buffer.length(2), 1);
      assert.deepEqual(await feeds(buffer), [1, 2]);
    });

    it('does not list a feed for an empty append', async () => {
      const buffer = await make();
      await buffer.append(3, []);
      assert.deepEqual(await buffer.feedsWithPoints(), []);
      assert.equal(await buffer.length(3), 0);
    });

    it('removes the first points written, keeps what arrived after, forgets a feed left empty', async () => {
      const buffer = await make();
      await buffer.append(1, points(0, 5));
      await buffer.append(2, points(0, 1));
      await buffer.remove(1, 2);
      assert.deepEqual(await stamps(buffer, 1), [20, 30, 40]);
      await buffer.append(1, points(50, 1)); // arrived while the flusher wrote
      await buffer.remove(1, 3);
      assert.deepEqual(await stamps(buffer, 1), [50]);
      assert.deepEqual(await feeds(buffer), [1, 2]);
      await buffer.remove(1, 1);
      assert.deepEqual(await buffer.peek(1), []);
      assert.deepEqual(await feeds(buffer), [2]);
    });

    it('takes a remove of more than it holds, or of an unknown feed, as removing what there is', async () => {
      const buffer = await make();
      await buffer.append(1, points(0, 2));
      await buffer.remove(1, 10);
      await buffer.remove(99, 3);
      assert.deepEqual(await buffer.feedsWithPoints(), []);
      assert.equal(await buffer.length(1), 0);
    });

    it('discards one feed whole and leaves the others', async () => {
      const buffer = await make();
      await buffer.append(1, points(0, 3));
      await buffer.append(2, points(0, 2));
      await buffer.discard(1);
      await buffer.discard(42); // nothing buffered: nothing happens
      assert.deepEqual(await buffer.peek(1), []);
      assert.deepEqual(await stamps(buffer, 2), [0, 10]);
      assert.deepEqual(await feeds(buffer), [2]);
    });

    it('holds a large batch (a bulk import) in one append', async () => {
      const buffer = await make();
      await buffer.append(4, points(0, 50_000));
      assert.equal(await buffer.length(4), 50_000);
      const held = await buffer.peek(4);
      assert.deepEqual([held[0]?.tsS, held.at(-1)?.tsS], [0, 499_990]);
    });
  });
}
