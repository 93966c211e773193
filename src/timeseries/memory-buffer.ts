import type { BufferedPoint, WriteBuffer } from './ports.js';

/**
 * The fallback while Redis is unreachable: points are held in this process, up to `maxPoints`
 * in all. FeedService refuses a post that would not fit (BufferBacklog.admit), so the drop of
 * the oldest past the bound (counted in `dropped`) is a last resort that should stay at 0.
 * Lost if hubd dies before a flush.
 */
export class MemoryWriteBuffer implements WriteBuffer {
  private readonly points = new Map<number, BufferedPoint[]>();
  private size = 0;
  dropped = 0;

  constructor(readonly maxPoints: number) {}

  get held(): number {
    return this.size;
  }

  async append(feedId: number, points: readonly BufferedPoint[]): Promise<void> {
    if (points.length === 0) return; // as in Redis: a feed is listed only while it holds points
    const list = this.points.get(feedId) ?? [];
    for (const p of points) list.push(p); // not push(...points): a spread of 100k+ overflows the stack
    this.points.set(feedId, list);
    this.size += points.length;
    while (this.size > this.maxPoints) this.dropOldest();
  }

  async peek(feedId: number): Promise<BufferedPoint[]> {
    return [...(this.points.get(feedId) ?? [])];
  }

  async feedsWithPoints(): Promise<number[]> {
    return [...this.points.keys()];
  }

  async length(feedId: number): Promise<number> {
    return this.points.get(feedId)?.length ?? 0;
  }

  async remove(feedId: number, count: number): Promise<void> {
    const list = this.points.get(feedId);
    if (!list) return;
    const removed = list.splice(0, count).length;
    this.size -= removed;
    if (list.length === 0) this.points.delete(feedId);
  }

  async discard(feedId: number): Promise<void> {
    await this.remove(feedId, Infinity);
  }

  /** Drops the oldest point of the feed holding the most. */
  private dropOldest(): void {
    let largest: BufferedPoint[] | undefined;
    let largestId = -1;
    for (const [id, list] of this.points) {
      if (!largest || list.length > largest.length) {
        largest = list;
        largestId = id;
      }
    }
    if (!largest) return;
    largest.shift();
    this.size--;
    this.dropped++;
    if (largest.length === 0) this.points.delete(largestId);
  }
}
