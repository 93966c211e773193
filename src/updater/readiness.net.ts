// The real readiness probe: polls hubd's /readyz (200 when ready, 503 otherwise) until the
// install's deadline. A hubd that crash-loops or fails a migration never answers 200.
import type { Clock } from '../shared/clock.js';
import { describeError } from '../shared/errors.js';
import type { ReadinessProbe, Readiness } from './ports.js';

export function readyzProbe(opts: {
  url: string;
  clock: Clock;
  deadlineMs: number;
  intervalMs?: number;
}): ReadinessProbe {
  const { url, clock, deadlineMs } = opts;
  const intervalMs = opts.intervalMs ?? 1000;
  return {
    async waitReady(): Promise<Readiness> {
      const endMs = clock.nowMs() + deadlineMs;
      let last: string;
      for (;;) {
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(Math.min(5000, deadlineMs)) });
          const body = await res.text();
          if (res.status === 200) return { ready: true };
          last = `/readyz answered ${res.status}: ${body.slice(0, 300)}`;
        } catch (err) {
          last = `/readyz: ${describeError(err)}`;
        }
        if (clock.nowMs() + intervalMs > endMs)
          return { ready: false, why: `not ready within ${deadlineMs / 1000} s (${last})` };
        await clock.sleep(intervalMs);
      }
    },
  };
}
