import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../../src/shared/clock.js';
import { readyzProbe } from '../../../src/updater/readiness.net.js';
import type { Readiness } from '../../../src/updater/ports.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();

/** A stand-in hubd whose /readyz answers 503 `notReadyTimes` times, then 200. */
async function fakeReadyz(notReadyTimes: number): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    const ready = hits > notReadyTimes;
    res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json', connection: 'close' });
    res.end(JSON.stringify({ ready, components: { db: ready ? 'ready' : 'migrating' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  teardown.add(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/readyz`, hits: () => hits };
}

/** Runs the probe, moving the manual clock each time it sleeps between polls. */
async function drive(clock: ManualClock, wait: Promise<Readiness>): Promise<Readiness> {
  let result: Readiness | undefined;
  void wait.then((r) => (result = r));
  while (!result) {
    if (clock.pendingTimers() > 0) await clock.tickAsync(1000);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return result;
}

describe('readyzProbe', () => {
  it('is ready once /readyz answers 200 within the deadline', async () => {
    const hubd = await fakeReadyz(3);
    const clock = new ManualClock(0);
    const result = await drive(clock, readyzProbe({ url: hubd.url, clock, deadlineMs: 10_000 }).waitReady());
    assert.deepEqual(result, { ready: true });
    assert.equal(hubd.hits(), 4);
    assert.equal(clock.nowMs(), 3000);
  });

  it('gives up at the deadline with what /readyz said last', async () => {
    const hubd = await fakeReadyz(1000);
    const clock = new ManualClock(0);
    const result = await drive(clock, readyzProbe({ url: hubd.url, clock, deadlineMs: 5000 }).waitReady());
    assert.deepEqual(result, {
      ready: false,
      why: 'not ready within 5 s (/readyz answered 503: {"ready":false,"components":{"db":"migrating"}})',
    });
    assert.equal(hubd.hits(), 6);
  });

  it('says when nothing answers at all', async () => {
    const clock = new ManualClock(0);
    const result = await drive(
      clock,
      readyzProbe({ url: 'http://127.0.0.1:1/readyz', clock, deadlineMs: 2000 }).waitReady(),
    );
    assert.equal(result.ready, false);
    assert.match(result.ready ? '' : result.why, /^not ready within 2 s \(\/readyz: fetch failed\)$/);
  });
});
