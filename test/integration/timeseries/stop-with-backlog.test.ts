import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../../src/shared/clock.js';
import { startTestHub } from '../../helpers/hub.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const NOW_S = 1_790_000_000;
const T0 = NOW_S - (NOW_S % 10) - 3600;

/** A running redis-server (a zombie, not yet reaped by this process, has no command line). */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server');
  } catch {
    return false;
  }
};
const rows = (fromS: number, count: number, base: number): [number, number][] =>
  Array.from({ length: count }, (_, i) => [fromS + i * 10, base + i]);

describe('a graceful stop while a feed cannot be written (finding 2)', () => {
  it('leaves the embedded Redis running with the backlog; the next start adopts it and writes it', async () => {
    const dataDir = makeTempDir(teardown);
    const clock = new ManualClock(NOW_S * 1000);
    const first = await startTestHub(teardown, { redisUrl: 'embedded', dataDir, clock });
    const admin = first.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    const created = await admin.request('POST', '/api/v1/feeds', { json: { name: 'house', intervalS: 10 } });
    const id = (created.body as { id: number }).id;
    const post = (points: [number, number][]) =>
      admin.request('POST', `/api/v1/feeds/${id}/points`, { json: { points } });
    assert.equal((await post(rows(T0, 3, 100))).status, 200);
    await first.flusher.flush();

    // The .dat cannot be opened for writing (EISDIR) while its real file is away.
    const dat = join(dataDir, 'feeds', `${id}.dat`);
    renameSync(dat, `${dat}.away`);
    mkdirSync(dat);
    assert.equal((await post(rows(T0 + 30, 5, 200))).status, 200);
    await first.flusher.flush();
    assert.equal(first.flusher.status().state, 'degraded');

    const pidFile = join(dataDir, 'run', 'redis.pid');
    const redisPid = Number(readFileSync(pidFile, 'utf8'));
    teardown.add(() => alive(redisPid) && process.kill(redisPid, 'SIGKILL'));
    await first.hub.stop();
    assert.ok(alive(redisPid), 'the RAM-only Redis holding the backlog was not stopped');
    assert.ok(existsSync(pidFile), 'its pid file stays for the next start');
    assert.ok(first.logs.some((l) => l.includes('"points":5') && l.includes('not written at stop')));

    rmSync(dat, { recursive: true });
    renameSync(`${dat}.away`, dat);
    const second = await startTestHub(teardown, { redisUrl: 'embedded', dataDir, clock });
    assert.ok(second.logs.some((l) => l.includes('adopting the embedded redis-server')));
    assert.ok(
      second.logs.some((l) => l.includes('"points":5') && l.includes('buffered before this start')),
      'the adopted backlog is counted in the log',
    );
    assert.equal(second.flusher.status().state, 'ready');
    assert.deepEqual(second.feeds.meta(id), { intervalS: 10, startTimeS: T0, npoints: 8 });
    await second.hub.stop();
    assert.equal(alive(redisPid), false, 'stopped once nothing is left unwritten');
  });
});
