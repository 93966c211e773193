import type { BufferedPoint, WriteBuffer } from './ports.js';

/**
 * The fallback while Redis is unreachable: points are held in this process, up to `maxPoints`
 * in all; past that the oldest are dropped and counted. Lost if hubd dies before a flush.
 */
export class MemoryWriteBuffer implements WriteBuffer {
  private readonly points = new Map<number, BufferedPoint[]>();
  private size = 0;
  dropped = 0;

  constructor(private readonly maxPoints: number) {}

  get held(): number {
    return this.size;
  }

  async append(feedId: number, points: readonly BufferedPoint[]): Promise<void> {
    const list = this.points.get(feedId) ?? [];
    list.push(...points);
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
