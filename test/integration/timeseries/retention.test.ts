import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { until } from '../../helpers/processes.js';
import { useTeardown } from '../../helpers/teardown.js';

const HOUR_MS = 3_600_000;
const DAY_S = 86_400;
const T0_MS = Date.UTC(2026, 10, 24, 12);
const T0_S = T0_MS / 1000;

const teardown = useTeardown();
const clock = new ManualClock(T0_MS);
let hub: TestHub;
let admin: HttpClient;

/** Ticks the clock and waits until the flushes it set off have finished. */
async function tickFlushing(deltaMs: number, flushes: number): Promise<void> {
  const before = hub.flusher.counters.flushes;
  clock.tick(deltaMs);
  await until(async () => hub.flusher.counters.flushes >= before + flushes, 5000, `${flushes} flushes`);
  assert.equal(hub.flusher.counters.flushes, before + flushes, 'flushes on the clock only');
}

describe('retention on the clock', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, {
      clock,
      config: { timeseries: { flushIntervalS: 3600 }, mqtt: { enabled: false } },
    }));
  });

  it('trims at the first flush a day after the last pass, not before', async () => {
    const made = await admin.request('POST', '/api/v1/feeds', {
      json: { name: 'house', intervalS: 10, retentionDays: 1 },
    });
    assert.equal(made.status, 201, made.text);
    const id = (made.body as { id: number }).id;
    // Hourly points from three days ago until now.
    const points = Array.from({ length: 73 }, (_, i) => [T0_S - 3 * DAY_S + i * 3600, i]);
    const posted = await admin.request('POST', `/api/v1/feeds/${id}/points`, { json: { points } });
    assert.equal(posted.status, 200, posted.text);
    const startS = async () =>
      ((await admin.request('GET', `/feed/getmeta.json?id=${id}`)).body as { start_time: number }).start_time;

    // The pass at start (T0) found nothing to trim; the next flush writes three days.
    await tickFlushing(HOUR_MS, 1);
    assert.equal(await startS(), T0_S - 3 * DAY_S, 'written, not yet trimmed');

    await tickFlushing(23 * HOUR_MS - 1, 22);
    assert.equal(await startS(), T0_S - 3 * DAY_S, 'a day has not passed since the last pass');

    await tickFlushing(1, 1);
    assert.equal(await startS(), T0_S, 'trimmed to one day before now (T0 + 1 day)');
  });
});
