import type { Component, ComponentStatus } from './component.js';

/** What process.memoryUsage() returns; injected so a test can supply the numbers. */
export type MemoryReader = () => Pick<
  NodeJS.MemoryUsage,
  'rss' | 'heapTotal' | 'heapUsed' | 'external' | 'arrayBuffers'
>;

const toMb = (bytes: number) => Math.round(bytes / 104_857.6) / 10;

/**
 * hubd's memory in /readyz (details for a signed-in user or an API key): resident set and V8 heap,
 * in MB. A Pi 3 shares 1 GB between the OS, Redis, the hub and its page cache, so growth here is
 * worth seeing without a debugger; `npm run bench:memory` reads it too.
 */
export class ProcessMemory implements Component {
  readonly name = 'memory';
  readonly neededForReady = false;

  constructor(private readonly read: MemoryReader = () => process.memoryUsage()) {}

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  status(): ComponentStatus {
    const usage = this.read();
    return {
      state: 'ready',
      detail: {
        rssMb: toMb(usage.rss),
        heapUsedMb: toMb(usage.heapUsed),
        heapTotalMb: toMb(usage.heapTotal),
        externalMb: toMb(usage.external),
        arrayBuffersMb: toMb(usage.arrayBuffers),
      },
    };
  }
}
