import type { BufferedPoint, WriteBuffer } from './ports.js';

/** Why the `hub` command refuses to buffer points: only a running hubd flushes them to files. */
export class OfflineWriteRefusedError extends Error {
  constructor() {
    super('points are taken only by a running hubd (the hub command does not buffer them)');
  }
}

/**
 * The write-behind buffer of the `hub` command: holds nothing and refuses every append loudly,
 * so a point can never be acknowledged and then lost (no flusher runs in the command).
 */
export class OfflineWriteBuffer implements WriteBuffer {
  readonly held = 0;
  /** Unbounded, so the refusal is this buffer's own error and not a "buffer full". */
  readonly maxPoints = Infinity;

  append(_feedId: number, points: readonly BufferedPoint[]): Promise<void> {
    return points.length === 0 ? Promise.resolve() : Promise.reject(new OfflineWriteRefusedError());
  }

  async peek(): Promise<BufferedPoint[]> {
    return [];
  }

  async feedsWithPoints(): Promise<number[]> {
    return [];
  }

  async length(): Promise<number> {
    return 0;
  }

  async remove(): Promise<void> {}

  async discard(): Promise<void> {}
}
