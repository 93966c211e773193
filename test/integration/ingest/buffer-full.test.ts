import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import type { InputJson } from '../../../src/api/contract.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { mqttClient } from '../../helpers/mqtt.js';
import { until } from '../../helpers/processes.js';
import { useTeardown } from '../../helpers/teardown.js';

// The write-behind buffer holds at most 4 points and the flusher does not run until the test
// calls it (its timer, on the manual clock, is an hour away; the test moves the clock a minute):
// the fifth point a process list would log cannot be taken.
const teardown = useTeardown();
const NOW_S = 1_790_000_000;
const T0 = NOW_S - 100;
const MAX_POINTS = 4;
const METER = '3e8d5f67-7e0f-11ee-9a3b-0242ac120002';
const clock = new ManualClock(NOW_S * 1000);
let hub: TestHub;
let admin: HttpClient;
let adminMqtt: MqttClient;
let writeApiKey: string;
let feedId: number;

const power = async () => {
  const input = ((await admin.request('GET', '/api/v1/inputs')).body as InputJson[]).find(
    (i) => i.node === 'house' && i.name === 'power',
  );
  return input && [input.timeS, input.value];
};
const feedData = async (startS: number, endS: number) =>
  (await admin.request('GET', `/api/v1/feeds/${feedId}/data?start=${startS}&end=${endS}&interval=10`))
    .body as [number, number | null][];
const components = async () =>
  (
    (await admin.request('GET', '/readyz')).body as {
      components: Record<string, { detail: Record<string, number> }>;
    }
  ).components;
const bufferFullLogLines = () => hub.logs.filter((l) => l.includes('the write-behind buffer is full')).length;

/** EmonESP's `input/post?fulljson=…&node=…&apikey=…` (src/http.cpp), with a time. */
const inputPost = (value: number, timeS: number) =>
  fetch(
    `${hub.baseUrl}/emoncms/input/post?node=house&time=${timeS}&apikey=${writeApiKey}` +
      `&fulljson=${encodeURIComponent(JSON.stringify({ power: value }))}`,
  );
/** emonhub's `POST input/bulk.json?sentat=<its clock>` with a form field `data` (EmonHubEmoncmsHTTPInterfacer). */
const bulk = (frames: [number, number][]) =>
  fetch(`${hub.baseUrl}/input/bulk.json?sentat=${Math.floor(clock.nowMs() / 1000)}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${writeApiKey}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: `data=${encodeURIComponent(JSON.stringify(frames.map(([t, v]) => [t, 'house', { power: v }])))}`,
  });
const refusal = (held: number) =>
  `{"success": false, "message": "the write-behind buffer is full (${held} of ${MAX_POINTS} points); nothing was stored"}`;

describe('readings are refused, not lost, when the write-behind buffer is full', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, {
      clock,
      config: { timeseries: { maxBufferedPoints: MAX_POINTS, flushIntervalS: 3600 } },
    }));
    ({ writeApiKey } = (await admin.request('GET', '/api/v1/me/apikeys')).body as { writeApiKey: string });
    adminMqtt = await mqttClient(teardown, `mqtt://127.0.0.1:${hub.mqttPort}`, {
      username: 'ann',
      password: 'ann-password',
    });
    const feed = await admin.request('POST', '/api/v1/feeds', { json: { name: 'house', intervalS: 10 } });
    feedId = (feed.body as { id: number }).id;
    assert.equal(await (await inputPost(0, T0)).text(), '{"success": true}'); // creates the input
    const input = ((await admin.request('GET', '/api/v1/inputs')).body as InputJson[])[0]!;
    const set = await admin.request('PUT', `/api/v1/inputs/${input.id}/process`, {
      json: { steps: [{ id: 1, arg: feedId }] },
    });
    assert.equal(set.status, 200, set.text);
    const mapped = await admin.request('PUT', `/api/v1/vzlogger/channels/${METER}`, {
      json: { node: 'house', name: 'power' },
    });
    assert.equal(mapped.status, 200, mapped.text);
  });

  it('answers input/bulk and input/post 503 with emoncms error bodies and stores nothing of them', async () => {
    for (const i of [1, 2, 3])
      assert.equal(await (await inputPost(100 + i, T0 + 10 * i)).text(), '{"success": true}');

    // Three points held, one free: a body of two frames is refused whole, not half-stored.
    const tooBig = await bulk([
      [T0 + 40, 104],
      [T0 + 50, 105],
    ]);
    assert.equal(tooBig.status, 503);
    assert.equal(tooBig.headers.get('content-type'), 'text/plain;charset=UTF-8');
    assert.equal(await tooBig.text(), refusal(3));
    assert.deepEqual(await power(), [T0 + 30, 103]);

    assert.equal(await (await inputPost(104, T0 + 40)).text(), '{"success": true}');
    const full = await inputPost(999, T0 + 50);
    assert.equal(full.status, 503);
    assert.equal(await full.text(), refusal(4));

    assert.deepEqual(await power(), [T0 + 40, 104], 'the refused value is not the last value');
    assert.deepEqual(await feedData(T0 + 10, T0 + 50), [
      [T0 + 10, 101],
      [T0 + 20, 102],
      [T0 + 30, 103],
      [T0 + 40, 104],
      [T0 + 50, null],
    ]);
    const ingest = (await components()).ingest!.detail;
    assert.equal(ingest.bufferFullValues, 3);
    assert.equal(ingest.refusedValues, 3);
    assert.equal(ingest.droppedFrames, 0, 'a refused body is not a dropped frame');
  });

  it('counts refused MQTT readings in /readyz and logs them at most once a minute', async () => {
    assert.equal(bufferFullLogLines(), 1, 'one line for the refusals of this minute');
    await adminMqtt.publishAsync('emon/house/power', '555', { qos: 1 });
    await adminMqtt.publishAsync('emon/house', JSON.stringify({ power: 556 }), { qos: 1 });
    await until(
      async () => (await components())['mqtt-ingest']!.detail.refusedBufferFull === 2,
      3000,
      'MQTT refusals counted',
    );
    const mqtt = (await components())['mqtt-ingest']!.detail;
    assert.equal(mqtt.refused, 2);
    assert.equal((await components()).ingest!.detail.bufferFullValues, 5);
    assert.deepEqual(await power(), [T0 + 40, 104]);
    assert.equal(bufferFullLogLines(), 1);

    clock.tick(60_000);
    await adminMqtt.publishAsync('emon/house/power', '557', { qos: 1 });
    await until(
      async () => (await components())['mqtt-ingest']!.detail.refusedBufferFull === 3,
      3000,
      'third MQTT refusal counted',
    );
    assert.equal(bufferFullLogLines(), 2, 'a new line a minute later');
  });

  it("answers vzlogger 503 with volkszaehler's exception body on the middleware and push port", async () => {
    const middleware = await fetch(`${hub.baseUrl}/middleware.php/data/${METER}.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([[NOW_S * 1000, 777]]),
    });
    const pushed = await fetch(`http://127.0.0.1:${hub.vzPush!.boundPort()}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: [{ uuid: METER, tuples: [[NOW_S * 1000, 778]] }] }),
    });
    for (const res of [middleware, pushed]) {
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), {
        version: '0.3',
        exception: {
          message: 'the write-behind buffer is full (4 of 4 points); nothing was stored',
          type: 'Exception',
          code: 0,
        },
      });
    }
    assert.deepEqual(await power(), [T0 + 40, 104]);
    assert.equal((await components())['vzlogger-push']!.detail.refused, 1);
    assert.equal(bufferFullLogLines(), 2, 'still one line a minute');
  });

  it('takes readings again once the buffer drains; the feed holds what was acknowledged, once', async () => {
    await hub.flusher.flush();
    const resent = await bulk([
      [T0 + 50, 105],
      [T0 + 60, 106],
    ]);
    assert.equal(resent.status, 200);
    assert.equal(await resent.text(), 'ok');
    assert.deepEqual(await power(), [T0 + 60, 106]);
    await hub.flusher.flush();
    assert.deepEqual(await feedData(T0 + 10, NOW_S), [
      [T0 + 10, 101],
      [T0 + 20, 102],
      [T0 + 30, 103],
      [T0 + 40, 104],
      [T0 + 50, 105],
      [T0 + 60, 106],
      [T0 + 70, null],
      [T0 + 80, null],
      [T0 + 90, null],
      [NOW_S, null],
    ]);
    assert.equal(hub.feeds.meta(feedId).npoints, 6, 'in the file: T0 + 10 … T0 + 60');
  });

  it('admits posts of one turn of the event loop only as far as the buffer has room, each whole', async () => {
    await hub.flusher.flush();
    // Six posts applied together (as a local meter's would be), one point each, room for four.
    const times = [70, 80, 90, 100, 110, 120].map((d) => T0 + d);
    const outcomes = await Promise.all(
      times.map((t, i) =>
        hub.ingest.post([{ node: 'house', timeS: t, values: [{ name: 'power', value: 200 + i }] }], 'local'),
      ),
    );
    assert.deepEqual(
      outcomes.map((o) => [o.stored, o.refused, o.bufferFull ?? false]),
      [...times.slice(0, 4).map(() => [1, 0, false]), [0, 1, true], [0, 1, true]],
    );
    assert.deepEqual(await power(), [T0 + 100, 203]);
    await hub.flusher.flush();
    assert.deepEqual(
      await feedData(T0 + 70, T0 + 120),
      times.map((t, i) => [t, i < 4 ? 200 + i : null]),
      'every acknowledged value in the feed, no refused one',
    );
    assert.equal((await components()).ingest!.detail.feedWriteErrors, 0);
  });
});
