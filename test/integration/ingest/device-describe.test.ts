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

const teardown = useTeardown();
const NOW_S = 1_790_000_000 - (1_790_000_000 % 30);
const clock = new ManualClock(NOW_S * 1000);
let hub: TestHub;
let admin: HttpClient;
let device: MqttClient;

type FeedJson = { id: number; tag: string; name: string };
const inputsOf = async (node: string) =>
  ((await admin.request('GET', '/api/v1/inputs')).body as InputJson[]).filter((i) => i.node === node);
const feedsOf = async (tag: string) =>
  ((await admin.request('GET', '/api/v1/feeds')).body as FeedJson[]).filter((f) => f.tag === tag);
const lastValue = async (feed: FeedJson | undefined) =>
  ((await admin.request('GET', `/api/v1/feeds/${feed?.id}/last`)).body as { value: number | null } | null)
    ?.value;
const mqttIngest = async () =>
  (
    (await admin.request('GET', '/readyz')).body as {
      components: Record<string, { detail: Record<string, number> }>;
    }
  ).components['mqtt-ingest']!.detail;

describe('devices that say what they are over MQTT get their template', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, { clock }));
    // The test hub's administrator login may publish anywhere (device logins are the ACL's business).
    device = await mqttClient(teardown, `mqtt://127.0.0.1:${hub.mqttPort}`, {
      username: 'ann',
      password: 'ann-password',
    });
  });

  it("configures an EmonESP smart plug from its describe (EmonESP src/mqtt.cpp: '<base>/<node>/describe' = NODE_TYPE)", async () => {
    // PubSubClient publishes QoS 0, not retained, on every connect.
    await device.publishAsync('emon/smartplug1/describe', 'smartplug');
    await until(async () => (await inputsOf('smartplug1')).length === 4, 3000, 'smart plug inputs');
    assert.deepEqual(
      (await feedsOf('smartplug1')).map((f) => f.name),
      ['status'],
    );
    await device.publishAsync('emon/smartplug1/status', '1');
    const [status] = await feedsOf('smartplug1');
    await until(async () => (await lastValue(status)) === 1, 3000, 'status feed');
  });

  it('configures an OpenEVSE from its retained announce (ESP32_WiFi_V4.x src/mqtt.cpp) and its readings then fill the feeds', async () => {
    const before = await mqttIngest();
    const announce = {
      state: 'connected',
      id: 'c44f330d55ad',
      name: 'openevse-55ad',
      mqtt: 'emon/openevse-55ad',
      http: 'http://192.168.1.43/',
    };
    await device.publishAsync('openevse/announce/55ad', JSON.stringify(announce), { retain: true });
    await until(async () => (await inputsOf('openevse-55ad')).length === 10, 3000, 'OpenEVSE inputs');
    const feeds = await feedsOf('openevse-55ad');
    assert.equal(feeds.length, 11);
    const amp = (await inputsOf('openevse-55ad')).find((i) => i.name === 'amp')!;
    assert.equal(amp.processList.length, 4);

    // Status values go to `<mqtt>/<key>` every 30 s; amp is in mA.
    await device.publishAsync('emon/openevse-55ad/amp', '16000');
    const feed = (name: string) => feeds.find((f) => f.name === name);
    await until(async () => (await lastValue(feed('ev_current'))) === 16, 3000, 'ev_current');
    assert.equal(await lastValue(feed('ev_power')), 3680);
    const after = await mqttIngest();
    assert.equal(after.announcements, before.announcements! + 1);
    assert.equal(after.refused, before.refused, 'an announce is not a bad reading');
  });

  it('only records a last will and an announce whose readings are outside emon/', async () => {
    const before = await mqttIngest();
    const will = { state: 'disconnected', id: 'c44f330d55ad', name: 'openevse-55ad' };
    await device.publishAsync('openevse/announce/55ad', JSON.stringify(will), { retain: true });
    const defaultTopic = {
      state: 'connected',
      id: 'c44f330d77aa',
      name: 'openevse-77aa',
      mqtt: 'openevse-77aa',
      http: 'http://192.168.1.44/',
    };
    await device.publishAsync('openevse/announce/77aa', JSON.stringify(defaultTopic), { retain: true });
    await until(
      async () => (await mqttIngest()).announcements === before.announcements! + 2,
      3000,
      'announces',
    );
    const after = await mqttIngest();
    assert.equal(after.refused, before.refused);
    assert.equal(after.described, before.described);
    assert.deepEqual(await inputsOf('openevse-77aa'), []);
    assert.ok(hub.logs.some((line) => line.includes('OpenEVSE openevse-77aa publishes under openevse-77aa')));
  });
});
