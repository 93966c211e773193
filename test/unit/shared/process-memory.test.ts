import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessMemory } from '../../../src/shared/process-memory.js';

const MB = 1024 * 1024;

describe('process memory in /readyz', () => {
  it('reports resident set and heap in MB, rounded to 0.1', () => {
    const memory = new ProcessMemory(() => ({
      rss: 71.04 * MB,
      heapTotal: 30 * MB,
      heapUsed: 21.56 * MB,
      external: 4.6 * MB,
      arrayBuffers: 0.74 * MB,
    }));
    assert.deepEqual(memory.status(), {
      state: 'ready',
      detail: { rssMb: 71, heapUsedMb: 21.6, heapTotalMb: 30, externalMb: 4.6, arrayBuffersMb: 0.7 },
    });
  });

  it('never makes the hub not ready', () => {
    assert.equal(new ProcessMemory().neededForReady, false);
  });

  it('reads the memory at each status call', () => {
    let rss = 50 * MB;
    const memory = new ProcessMemory(() => ({
      rss,
      heapTotal: 0,
      heapUsed: 0,
      external: 0,
      arrayBuffers: 0,
    }));
    assert.equal(memory.status().detail?.rssMb, 50);
    rss = 60 * MB;
    assert.equal(memory.status().detail?.rssMb, 60);
  });
});
