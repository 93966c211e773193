// bench:timeseries, part 3 — what reads cost the event loop: the same year → 800 averaged reads,
// one after another, on the calling thread (synchronous file reads, as before ADR 007) and through
// the worker (each cold: the caller drops the read caches first), with monitorEventLoopDelay watching; a timer every 1 ms stands in for MQTT traffic.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate } from 'node:timers/promises';
import { summarizeDelay } from '../../src/shared/event-loop-delay.js';

type Emit = (metric: string, fields: Record<string, number | string | boolean>) => void;

const READS = 40;

async function delayWhile(read: () => Promise<unknown>): Promise<{ p99Ms: number; maxMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  const tick = setInterval(() => undefined, 1);
  h.enable();
  for (let i = 0; i < READS; i++) {
    await read();
    await setImmediate(); // a loop turn between reads, as between HTTP requests
  }
  h.disable();
  clearInterval(tick);
  const { p99Ms, maxMs } = summarizeDelay(h);
  return { p99Ms, maxMs };
}

export async function benchReadEventLoop(
  emit: Emit,
  onCallingThread: () => Promise<unknown>,
  viaWorker: () => Promise<unknown>,
): Promise<void> {
  const local = await delayWhile(onCallingThread);
  const worker = await delayWhile(viaWorker);
  emit('event_loop_delay_during_year_reads_ms', {
    reads: READS,
    cache: 'cold: cache dropped before each read',
    worker_p99: worker.p99Ms,
    worker_max: worker.maxMs,
    baseline_calling_thread_p99: local.p99Ms,
    baseline_calling_thread_max: local.maxMs,
  });
}
