import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpClient } from '../helpers/http-client.js';
import { processAlive, spawnHubd, until } from '../helpers/processes.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { useTeardown } from '../helpers/teardown.js';

const teardown = useTeardown();

/** Starts hubd on a data dir and returns its HTTP client once it listens. */
async function startHubd(dataDir: string) {
  const { hubd, output, done } = spawnHubd(teardown, dataDir);
  await until(() => output().stderr.includes('web app:'), 20_000, 'hubd to start');
  const port = Number(/localhost:(\d+)\//.exec(output().stderr)?.[1]);
  return { hubd, output, done, client: new HttpClient(`http://127.0.0.1:${port}`) };
}

describe('power cut and crash safety', () => {
  it('keeps every accepted point through kill -9 mid-ingest, and repairs a cut .dat', async () => {
    const dataDir = makeTempDir(teardown);
    writeFileSync(join(dataDir, 'hub.json'), JSON.stringify({ timeseries: { flushIntervalS: 1 } }));
    const first = await startHubd(dataDir);
    const admin = first.client;
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    const feed = (await admin.request('POST', '/api/v1/feeds', { json: { name: 'meter', intervalS: 10 } }))
      .body as { id: number };

    // Ingest batches; stop the process with SIGKILL while batches are still being posted.
    const baseS = Math.floor(Date.now() / 1000 / 10) * 10 - 200_000;
    const accepted = new Map<number, number>();
    let batch = 0;
    let killed = false;
    const ingest = (async () => {
      while (!killed) {
        const points: [number, number][] = Array.from({ length: 50 }, (_, i) => [
          baseS + (batch * 50 + i) * 10,
          batch * 50 + i,
        ]);
        batch++;
        const res = await admin
          .request('POST', `/api/v1/feeds/${feed.id}/points`, { json: { points } })
          .catch(() => undefined);
        if (res?.status === 200) for (const [t, v] of points) accepted.set(t, v);
      }
    })();
    await until(() => accepted.size >= 2000, 20_000, 'some ingest');
    const redisPid = Number(readFileSync(join(dataDir, 'run', 'redis.pid'), 'utf8'));
    first.hubd.kill('SIGKILL');
    killed = true;
    await ingest;
    await first.done;
    assert.ok(processAlive(redisPid), 'the embedded Redis outlived hubd, holding the buffer');

    // A write cut short by the power cut: half a value at the end of the .dat.
    const dat = join(dataDir, 'feeds', `${feed.id}.dat`);
    appendFileSync(dat, Buffer.from([0x12, 0x34]));

    const second = await startHubd(dataDir);
    await until(
      () => second.output().stdout.includes('cut a partial value off a .dat'),
      5000,
      'the repair log line',
    );
    assert.ok(second.output().stdout.includes('adopting the embedded redis-server'));
    await second.client.request('POST', '/api/v1/session', {
      json: { username: 'ann', password: 'ann-password' },
    });
    const lastT = Math.max(...accepted.keys());
    const res = await second.client.request(
      'GET',
      `/api/v1/feeds/${feed.id}/data?start=${baseS}&end=${lastT}&interval=10&skipmissing=1`,
    );
    const stored = new Map((res.body as [number, number][]).map(([t, v]) => [t, v]));
    const missing = [...accepted].filter(([t, v]) => stored.get(t) !== v);
    assert.deepEqual(
      missing.slice(0, 5),
      [],
      `${missing.length} of ${accepted.size} accepted points are missing`,
    );
    assert.equal(statSync(dat).size % 4, 0);

    second.hubd.kill('SIGTERM');
    assert.equal((await second.done).code, 0);
    assert.equal(processAlive(redisPid), false, 'the adopted Redis is stopped with hubd');
    assert.ok(statSync(dat).size >= accepted.size * 4, 'everything is in the file after a graceful stop');
  });
});
