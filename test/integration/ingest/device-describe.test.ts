import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IClientOptions, MqttClient } from 'mqtt';
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

  /** A device login as `hub device add` makes it, connected as its firmware connects. */
  const deviceLogin = async (kind: string, topicName: string, opts: IClientOptions = {}) => {
    const created = await admin.request('POST', '/api/v1/devices', {
      json: { name: topicName, kind, topicName },
    });
    assert.equal(created.status, 201, created.text);
    const { mqttUsername, secret } = created.body as { mqttUsername: string; secret: string };
    return mqttClient(teardown, `mqtt://127.0.0.1:${hub.mqttPort}`, {
      username: mqttUsername,
      password: secret,
      ...opts,
    });
  };

  it("configures an EmonESP smart plug from its describe (EmonESP src/mqtt.cpp: '<base>/<node>/describe' = NODE_TYPE)", async () => {
    const plug = await deviceLogin('emonesp', 'smartplug1');
    // PubSubClient publishes QoS 0, not retained, on every connect.
    await plug.publishAsync('emon/smartplug1/describe', 'smartplug');
    await until(async () => (await inputsOf('smartplug1')).length === 4, 3000, 'smart plug inputs');
    assert.deepEqual(
      (await feedsOf('smartplug1')).map((f) => f.name),
      ['status'],
    );
    await plug.publishAsync('emon/smartplug1/status', '1');
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

  it('reads an OpenEVSE device login with firmware defaults: base topic its host name, readings at <base>/<key>', async () => {
    const before = await mqttIngest();
    // ESP32_WiFi_V4.x src/mqtt.cpp: the will and the connect announce, both retained on
    // openevse/announce/<last 4 of id>; mqtt_topic defaults to the host name.
    const id = 'c44f330da1b2';
    const will = { state: 'disconnected', id, name: 'openevse-a1b2' };
    const evse = await deviceLogin('openevse', 'openevse-a1b2', {
      will: {
        topic: 'openevse/announce/a1b2',
        payload: Buffer.from(JSON.stringify(will)),
        qos: 0,
        retain: true,
      },
    });
    const announce = {
      state: 'connected',
      id,
      name: 'openevse-a1b2',
      mqtt: 'openevse-a1b2',
      http: 'http://192.168.1.45/',
    };
    await evse.publishAsync('openevse/announce/a1b2', JSON.stringify(announce), { retain: true });
    await until(async () => (await inputsOf('openevse-a1b2')).length === 10, 3000, 'OpenEVSE inputs');
    const feeds = await feedsOf('openevse-a1b2');
    assert.equal(feeds.length, 11);
    const feed = (name: string) => feeds.find((f) => f.name === name);

    // Status every 30 s, one topic per key, amp in mA; config/override are JSON, status is text.
    await evse.publishAsync(
      'openevse-a1b2/config',
      JSON.stringify({ firmware: '7.1.3', mqtt_topic: 'openevse-a1b2' }),
      {
        retain: true,
      },
    );
    await evse.publishAsync('openevse-a1b2/status', 'active');
    await evse.publishAsync('openevse-a1b2/voltage', '230');
    await evse.publishAsync('openevse-a1b2/amp', '16000');
    await until(async () => (await lastValue(feed('ev_current'))) === 16, 3000, 'ev_current');
    assert.equal(await lastValue(feed('ev_power')), 3680);
    assert.ok((await inputsOf('openevse-a1b2')).some((i) => i.name === 'voltage' && i.value === 230));

    // A second announce (the firmware reconnecting) applies the template again, not a second reader.
    await evse.publishAsync('openevse/announce/a1b2', JSON.stringify(announce), { retain: true });
    await until(
      async () => (await mqttIngest()).announcements === before.announcements! + 2,
      3000,
      'announces',
    );
    await evse.publishAsync('openevse-a1b2/amp', '10000');
    await until(async () => (await lastValue(feed('ev_current'))) === 10, 3000, 'ev_current again');
    const after = await mqttIngest();
    assert.equal(after.ownTopics, before.ownTopics! + 1);
    assert.equal(after.ignored, before.ignored! + 2, 'config and status are not readings');
    assert.equal(after.refused, before.refused, 'nor are they bad readings');
    assert.equal(after.messages, before.messages! + 5, 'each status value read once');
    assert.equal(feeds.length, (await feedsOf('openevse-a1b2')).length, 'the template is applied once');
  });

  it('only records a last will and an announce whose readings are neither under emon/ nor a topic of their own', async () => {
    const before = await mqttIngest();
    const will = { state: 'disconnected', id: 'c44f330d55ad', name: 'openevse-55ad' };
    await device.publishAsync('openevse/announce/55ad', JSON.stringify(will), { retain: true });
    const deepTopic = {
      state: 'connected',
      id: 'c44f330d77aa',
      name: 'openevse-77aa',
      mqtt: 'garage/openevse-77aa',
      http: 'http://192.168.1.44/',
    };
    await device.publishAsync('openevse/announce/77aa', JSON.stringify(deepTopic), { retain: true });
    await until(
      async () => (await mqttIngest()).announcements === before.announcements! + 2,
      3000,
      'announces',
    );
    const after = await mqttIngest();
    assert.equal(after.refused, before.refused);
    assert.equal(after.described, before.described);
    assert.equal(after.ownTopics, before.ownTopics);
    assert.ok(
      hub.logs.some((line) => line.includes('OpenEVSE openevse-77aa publishes under garage/openevse-77aa')),
    );
  });
});
