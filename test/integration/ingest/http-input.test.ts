import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import type { InputJson } from '../../../src/api/contract.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const NOW_S = 1_790_000_000;
const clock = new ManualClock(NOW_S * 1000);
let hub: TestHub;
let admin: HttpClient;
let keys: { readApiKey: string; writeApiKey: string };

const inputs = async () => (await admin.request('GET', '/api/v1/inputs')).body as InputJson[];
const valuesOf = async (node: string) =>
  Object.fromEntries(
    (await inputs()).filter((i) => i.node === node).map((i) => [i.name, [i.timeS, i.value]]),
  );
const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${hub.baseUrl}${path}`, { headers });

describe('emoncms HTTP input API', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, { clock }));
    keys = (await admin.request('GET', '/api/v1/me/apikeys')).body as typeof keys;
  });

  it('takes EmonESP\'s input/post?fulljson under /emoncms and answers {"success": true}', async () => {
    const json = encodeURIComponent(JSON.stringify({ power: 1200.5, temp: 21.3 }));
    const res = await get(`/emoncms/input/post?fulljson=${json}&node=smartplug1&apikey=${keys.writeApiKey}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain;charset=UTF-8');
    assert.equal(await res.text(), '{"success": true}');
    assert.deepEqual(await valuesOf('smartplug1'), { power: [NOW_S, 1200.5], temp: [NOW_S, 21.3] });
  });

  it('takes csv with names from 1 and a time, answering ok', async () => {
    const res = await get(`/input/post.json?node=10&csv=100,200,300&time=${NOW_S - 60}`, {
      authorization: `Bearer ${keys.writeApiKey}`,
    });
    assert.equal(await res.text(), 'ok');
    assert.deepEqual(await valuesOf('10'), {
      '1': [NOW_S - 60, 100],
      '2': [NOW_S - 60, 200],
      '3': [NOW_S - 60, 300],
    });
  });

  it("takes emonhub's input/bulk with sentat, plain and compressed", async () => {
    // emonhub sends absolute times in rows and sentat = its clock, which runs 5 s ahead of ours.
    const sentat = NOW_S + 5;
    const rows = [
      [sentat - 20, 'emontx', 100, 200],
      [sentat - 10, 'emontx', 110, 210],
    ];
    const res = await fetch(`${hub.baseUrl}/input/bulk.json?sentat=${sentat}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${keys.writeApiKey}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `data=${encodeURIComponent(JSON.stringify(rows))}`,
    });
    assert.equal(await res.text(), 'ok');
    assert.deepEqual(await valuesOf('emontx'), { '1': [NOW_S - 10, 110], '2': [NOW_S - 10, 210] });

    const named = [[sentat, 'emonpi', { power1: 300, vrms: 241.2 }]];
    const compressed = await fetch(`${hub.baseUrl}/input/bulk.json?sentat=${sentat}&cb=1`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${keys.writeApiKey}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: deflateSync(JSON.stringify(named)),
    });
    assert.equal(await compressed.text(), 'ok');
    assert.deepEqual(await valuesOf('emonpi'), { power1: [NOW_S, 300], vrms: [NOW_S, 241.2] });
  });

  it('refuses bad input with emoncms messages and stores nothing of it', async () => {
    const before = (await inputs()).length;
    const cases: [string, RegExp][] = [
      [`/input/post.json?node=bad&csv=1,abc`, /csv value is not numeric/],
      [`/input/post.json?node=bad`, /Request contains no data via csv, json or data tag/],
      [`/input/post.json?node=bad&fulljson=${encodeURIComponent('{"a":"NaN"}')}`, /.+/],
      [`/input/post.json?node=bad&csv=1&time=${NOW_S + 30 * 86_400}`, /future/],
      // A readable input/bulk body is never refused whole (emonhub-bulk.test.ts); an unreadable one is.
      [`/input/bulk.json?data=${encodeURIComponent('[[0,"bad"]')}`, /json string supplied is not valid/],
    ];
    for (const [path, message] of cases) {
      const res = await get(`${path}&apikey=${keys.writeApiKey}`);
      const body = JSON.parse(await res.text()) as { success: boolean; message: string };
      assert.equal(body.success, false, path);
      assert.match(body.message, message, path);
    }
    const broken = await fetch(`${hub.baseUrl}/input/bulk.json?cb=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.writeApiKey}` },
      body: 'not zlib at all',
    });
    assert.equal(((await broken.json()) as { success: boolean }).success, false);
    const huge = [[NOW_S, 'bad', ...Array.from({ length: 40_000 }, (_, i) => i)]];
    const tooBig = await fetch(`${hub.baseUrl}/input/bulk.json`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${keys.writeApiKey}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `data=${encodeURIComponent(JSON.stringify(huge))}`,
    });
    assert.equal(tooBig.status, 413);
    assert.equal((await inputs()).length, before);
  });

  it('answers unknown and read-only keys as emoncms does', async () => {
    const wrong = await get(`/input/post.json?node=x&csv=1&apikey=${'a'.repeat(32)}`);
    assert.equal(wrong.status, 401);
    assert.equal(await wrong.text(), 'Invalid API key');
    const readOnly = await get(`/input/post.json?node=x&csv=1&apikey=${keys.readApiKey}`);
    assert.equal(await readOnly.text(), 'false');
    assert.equal(
      (await inputs()).some((i) => i.node === 'x'),
      false,
    );
  });

  it('lists inputs and sets a process list through the emoncms API', async () => {
    const feed = await admin.request('POST', '/api/v1/feeds', { json: { name: 'plug', intervalS: 10 } });
    const feedId = (feed.body as { id: number }).id;
    const power = (await inputs()).find((i) => i.node === 'smartplug1' && i.name === 'power')!;
    const set = await fetch(
      `${hub.baseUrl}/input/process/set.json?inputid=${power.id}&apikey=${keys.writeApiKey}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `processlist=${encodeURIComponent(JSON.stringify([{ fn: 'process__log_to_feed', args: [String(feedId)] }]))}`,
      },
    );
    assert.deepEqual(await set.json(), {
      success: true,
      message: 'Input processlist updated',
      encoded_processlist: `1:${feedId}`,
    });
    const got = await get(`/input/get/smartplug1/power.json?apikey=${keys.readApiKey}`);
    assert.deepEqual(await got.json(), { time: NOW_S, value: 1200.5, processList: `1:${feedId}` });
    const missing = await get(`/input/get/nosuchnode.json?apikey=${keys.readApiKey}`);
    assert.equal(await missing.text(), '"Node does not exist"');

    await get(
      `/input/post?node=smartplug1&fulljson=${encodeURIComponent('{"power":900}')}&apikey=${keys.writeApiKey}`,
    );
    const fetched = await get(`/feed/fetch.json?ids=${feedId}&apikey=${keys.readApiKey}`);
    assert.deepEqual(await fetched.json(), [900]);
  });
});
