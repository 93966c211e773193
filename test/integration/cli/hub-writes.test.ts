import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InputJson } from '../../../src/api/contract.js';
import { encodeMeta, encodeValues } from '../../../src/timeseries/phpfina-format.js';
import { startHubWithAdmin } from '../../helpers/hub.js';
import { holdLockAsHubd } from '../../helpers/hubd-lock.js';
import { mqttClient } from '../../helpers/mqtt.js';
import { runEntry, until } from '../../helpers/processes.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

// The `hub` command against a hub that is running: its writes go through hubd (ADR 009).
const teardown = useTeardown();
const hub = (args: string[], env: Record<string, string>, stdin = '') =>
  runEntry('src/cli/main.ts', args, env, stdin);
const NOW_S = Math.floor(Date.now() / 1000);
const T0 = NOW_S - (NOW_S % 10) - 3600;

const floats = (bytes: Buffer) =>
  Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));

/** emoncms's feed/data.json, times in seconds. */
async function feedData(baseUrl: string, apiKey: string, id: number, startS: number, endS: number) {
  const res = await fetch(
    `${baseUrl}/feed/data.json?id=${id}&start=${startS}&end=${endS}&interval=10&timeformat=unix&apikey=${apiKey}`,
  );
  const body = (await res.json()) as unknown;
  assert.ok(res.status === 200 && Array.isArray(body), `feed ${id}: ${JSON.stringify(body)}`);
  return body as [number, number | null][];
}

describe('hub writes while hubd runs', () => {
  it('imports an emoncms feed that ingest takes at once, over HTTP and MQTT (no restart)', async () => {
    const { hub: running, admin } = await startHubWithAdmin(teardown);
    await holdLockAsHubd(teardown, running.dataDir);
    const { readApiKey, writeApiKey } = (await admin.request('GET', '/api/v1/me/apikeys')).body as {
      readApiKey: string;
      writeApiKey: string;
    };
    const inputPost = async (value: number, timeS: number) =>
      (
        await fetch(
          `${running.baseUrl}/emoncms/input/post?node=house&time=${timeS}&apikey=${writeApiKey}` +
            `&fulljson=${encodeURIComponent(JSON.stringify({ power: value }))}`,
        )
      ).text();
    // A process list logging to feed 1, whose feed was deleted: ingest learns that feed 1 is missing.
    const made = await admin.request('POST', '/api/v1/feeds', { json: { name: 'old', intervalS: 10 } });
    assert.equal((made.body as { id: number }).id, 1);
    assert.equal(await inputPost(0, T0), '{"success": true}');
    const input = ((await admin.request('GET', '/api/v1/inputs')).body as InputJson[])[0]!;
    const set = await admin.request('PUT', `/api/v1/inputs/${input.id}/process`, {
      json: { steps: [{ id: 1, arg: 1 }] },
    });
    assert.equal(set.status, 200, set.text);
    assert.equal((await admin.request('DELETE', '/api/v1/feeds/1')).status, 204);
    assert.equal(await inputPost(5, T0 + 10), '{"success": true}');
    assert.equal(running.ingest.counters.postsToMissingFeeds, 1, 'ingest asked about feed 1 and found none');

    const source = makeTempDir(teardown);
    writeFileSync(join(source, '1.meta'), encodeMeta({ intervalS: 10, startTimeS: T0 }));
    writeFileSync(join(source, '1.dat'), encodeValues([100, 101, 102]));
    writeFileSync(
      join(source, 'list.json'),
      JSON.stringify([{ id: '1', name: 'House power', tag: 'emonpi' }]),
    );
    const imported = await hub(['feeds', 'import-emoncms', source], { HUB_DATA_DIR: running.dataDir });
    assert.equal(imported.code, 0, imported.stderr);
    assert.deepEqual(imported.stdout.trim().split('\n'), [
      'took emoncms feed 1 "House power" (10 s, 3 values) as feed 1',
      'took 1, refused 0',
    ]);

    assert.equal(await inputPost(250, T0 + 100), '{"success": true}');
    const mqtt = await mqttClient(teardown, `mqtt://127.0.0.1:${running.mqttPort}`, {
      username: 'ann',
      password: 'ann-password',
    });
    await mqtt.publishAsync('emon/house', JSON.stringify({ time: T0 + 110, power: 260 }));
    const data = () => feedData(running.baseUrl, readApiKey, 1, T0, T0 + 120);
    await until(
      async () => (await data()).some(([t, v]) => t === T0 + 110 && v === 260),
      5000,
      'the MQTT value',
    );
    const values = new Map(await data());
    assert.deepEqual(
      [T0, T0 + 10, T0 + 20, T0 + 100, T0 + 110].map((t) => values.get(t)),
      [100, 101, 102, 250, 260],
      'the imported values, then the posts that came after the import',
    );
  });

  it('repairs feeds without losing buffered points: hubd flushes them first', async () => {
    const { hub: running, admin } = await startHubWithAdmin(teardown, {
      config: { timeseries: { flushIntervalS: 3600 } },
    });
    await holdLockAsHubd(teardown, running.dataDir);
    const made = await admin.request('POST', '/api/v1/feeds', { json: { name: 'house', intervalS: 10 } });
    const id = (made.body as { id: number }).id;
    const points = [0, 1, 2, 3, 4, 5].map((i) => [T0 + i * 10, 200 + i]);
    const posted = await admin.request('POST', `/api/v1/feeds/${id}/points`, {
      json: { points, join: false },
    });
    assert.equal(posted.status, 200, posted.text);
    const dat = join(running.dataDir, 'feeds', `${id}.dat`);
    assert.equal(statSync(dat).size, 0, 'the points are buffered, not yet written');

    const repaired = await hub(['feeds', 'check', '--repair'], { HUB_DATA_DIR: running.dataDir });
    assert.equal(repaired.code, 0, repaired.stderr);
    assert.equal(repaired.stdout, '1 feeds checked, 0 with problems; rollups rebuilt\n');
    assert.deepEqual(
      floats(readFileSync(dat)),
      [200, 201, 202, 203, 204, 205],
      'written before the repair looked at the file',
    );
    const { readApiKey } = (await admin.request('GET', '/api/v1/me/apikeys')).body as { readApiKey: string };
    assert.deepEqual(await feedData(running.baseUrl, readApiKey, id, T0, T0 + 50), points);
    assert.equal(running.flusher.counters.pointsWritten, 6);
  });
});
