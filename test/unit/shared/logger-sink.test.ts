import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/shared/clock.js';
import { LogSink, type ChunkWriter } from '../../../src/shared/logger-sink.fs.js';

/** A writer that holds each chunk until the test says what the system answered. */
function heldWriter() {
  const pending: { chunk: string; done: (err?: Error | null) => void }[] = [];
  const writer: ChunkWriter = {
    write: (chunk, done) => void pending.push({ chunk: chunk.toString(), done }),
  };
  const answer = (err?: Error) => pending.shift()!.done(err);
  return { writer, pending, answer };
}

const enospc = () => Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
const line = (i: number) => `{"msg":"line ${i}"}\n`;

describe('LogSink', () => {
  it('writes lines in order, one write in flight, batching what queued meanwhile', () => {
    const { writer, pending, answer } = heldWriter();
    const sink = new LogSink(writer, new ManualClock(0));
    sink.write(line(1));
    sink.write(line(2));
    sink.write(line(3));
    assert.deepEqual(
      pending.map((p) => p.chunk),
      [line(1)],
    );
    answer();
    assert.deepEqual(
      pending.map((p) => p.chunk),
      [line(2) + line(3)],
    );
    answer();
    assert.deepEqual(sink.counters, { linesWritten: 3, linesDropped: 0, writeErrors: 0 });
  });

  it('counts a refused write (disk full) and its lines, never throws, and goes on writing', () => {
    const { writer, answer } = heldWriter();
    const sink = new LogSink(writer, new ManualClock(0));
    sink.write(line(1));
    sink.write(line(2));
    assert.doesNotThrow(() => answer(enospc()));
    answer(enospc());
    sink.write(line(3));
    answer();
    assert.deepEqual(sink.counters, { linesWritten: 1, linesDropped: 2, writeErrors: 2 });
    assert.deepEqual(sink.status(), {
      state: 'degraded',
      detail: { linesWritten: 1, linesDropped: 2, writeErrors: 2, queuedBytes: 0, lastError: 'ENOSPC' },
    });
  });

  it("is 'degraded' for 5 minutes after a failed write, then ready again with the error still shown", () => {
    const { writer, answer } = heldWriter();
    const clock = new ManualClock(0);
    const sink = new LogSink(writer, clock);
    assert.equal(sink.status().state, 'ready');
    sink.write(line(1));
    answer(enospc());
    clock.tick(5 * 60_000 - 1);
    assert.equal(sink.status().state, 'degraded');
    sink.write(line(2));
    answer();
    assert.equal(sink.status().state, 'degraded', 'a later good write does not hide a recent failure');
    clock.tick(1);
    assert.deepEqual([sink.status().state, sink.status().detail?.lastError], ['ready', 'ENOSPC']);
    assert.equal(sink.neededForReady, false, 'a full log disk never makes the hub not ready');
  });

  it('holds at most its byte budget while stdout is not read, dropping and counting the rest', () => {
    const { writer, pending, answer } = heldWriter();
    const sink = new LogSink(writer, new ManualClock(0), 100);
    for (let i = 0; i < 50; i++) sink.write(line(i)); // 17 bytes each up to line 9
    assert.equal(pending.length, 1, 'the first write is stuck');
    // Lines 0-9 are 17 bytes: the one in flight and four waiting fill 85 of the 100; 45 are dropped.
    assert.equal(sink.counters.linesDropped, 45);
    assert.equal(sink.status().detail?.queuedBytes, 85);
    answer();
    answer();
    assert.equal(sink.counters.linesWritten + sink.counters.linesDropped, 50, 'every line accounted for');
    assert.equal(pending.length, 0);
  });

  it('flush waits for the queue to drain, and gives up after its deadline on the clock', async () => {
    const { writer, answer } = heldWriter();
    const clock = new ManualClock(0);
    const sink = new LogSink(writer, clock);
    assert.equal(await sink.flush(10), true, 'nothing queued');
    sink.write(line(1));
    let gaveUp: boolean | undefined;
    void sink.flush(20).then((ok) => (gaveUp = !ok));
    await clock.tickAsync(19);
    assert.equal(gaveUp, undefined, 'still waiting 1 ms before the deadline');
    await clock.tickAsync(1);
    assert.equal(gaveUp, true, 'stdout not read: gave up at the deadline');
    const flushed = sink.flush(1000);
    answer();
    assert.equal(await flushed, true);
    assert.equal(clock.pendingTimers(), 0, 'a drained flush cancels its deadline');
  });
});
