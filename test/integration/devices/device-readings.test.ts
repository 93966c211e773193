import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DeviceView, FeedLastJson, InputJson } from '../../../src/api/contract.js';
import type { FeedRecord } from '../../../src/timeseries/ports.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { mqttClient } from '../../helpers/mqtt.js';
import { until } from '../../helpers/processes.js';
import { startRedis } from '../../helpers/redis-server.js';
import { useTeardown } from '../../helpers/teardown.js';

// A real MQTT.js client plays a metering Tasmota plug on its own login, through the whole hub:
// its tele/<topic>/SENSOR readings become inputs of node <topic>, which log to the feeds its
// template made, and the device page lists those feeds (issue 13, items 5 and 11).
const teardown = useTeardown();
let hub: TestHub;
let admin: HttpClient;
let mqttUrl: string;

const eventually = (what: string, check: () => Promise<boolean>) => until(check, 5000, what);
const get = async <T>(path: string): Promise<T> => {
  const res = await admin.request('GET', path);
  assert.equal(res.status, 200, res.text);
  return res.body as T;
};

describe('device readings become history (Tasmota)', () => {
  before(async () => {
    const server = await startRedis();
    teardown.add(() => server.stop());
    hub = await startTestHub(teardown, {
      redisUrl: server.url,
      config: { pairing: { mdns: false, beaconAddress: '127.0.0.1', beaconPort: 9 } },
    });
    mqttUrl = `mqtt://127.0.0.1:${hub.mqttPort}`;
    admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
  });

  it('posts ENERGY Power and Total as inputs of node <topic>, logged to its feeds, listed by the device', async () => {
    const res = await admin.request('POST', '/api/v1/devices', {
      json: { name: 'Kitchen plug', kind: 'tasmota', topicName: 'kitchen' },
    });
    assert.equal(res.status, 201, res.text);
    const { device, mqttUsername, secret } = res.body as {
      device: { id: number };
      mqttUsername: string;
      secret: string;
    };
    // Adding it applied the template: its feeds exist before it said anything.
    const feeds = (await get<FeedRecord[]>('/api/v1/feeds')).filter((f) => f.tag === 'kitchen');
    assert.deepEqual(
      feeds.map((f) => [f.name, f.unit, f.intervalS, f.ownerId]),
      [
        ['power', 'W', 10, 1],
        ['energy', 'kWh', 10, 1],
      ],
    );
    const [power, energy] = feeds.map((f) => f.id) as [number, number];
    assert.deepEqual((await get<DeviceView>(`/api/v1/devices/${device.id}`)).feedIds, [power, energy]);

    const plug = await mqttClient(teardown, mqttUrl, {
      username: mqttUsername,
      password: secret,
      clientId: 'DVES_kitchen',
    });
    await plug.publishAsync('tele/kitchen/LWT', 'Online', { qos: 1, retain: true });
    await plug.publishAsync('tele/kitchen/SENSOR', '{"ENERGY":{"Total":12.25,"Power":230.5}}', { qos: 1 });

    const values = async () =>
      (await get<InputJson[]>('/api/v1/inputs'))
        .filter((i) => i.node === 'kitchen')
        .map((i) => [i.name, i.value]);
    await eventually('the readings as inputs', async () => (await values()).length === 2);
    assert.deepEqual(await values(), [
      ['power', 230.5],
      ['energy', 12.25],
    ]);
    const last = async (id: number) => (await get<FeedLastJson | null>(`/api/v1/feeds/${id}/last`))?.value;
    await eventually('the feeds got the values', async () => (await last(power)) === 230.5);
    assert.equal(await last(energy), 12.25);

    // A new reading goes on at once; the device still lists its two feeds.
    await plug.publishAsync('tele/kitchen/SENSOR', '{"ENERGY":{"Total":12.5,"Power":1000}}', { qos: 1 });
    await eventually('the next reading', async () => (await last(energy)) === 12.5);
    const view = await get<DeviceView>(`/api/v1/devices/${device.id}`);
    assert.deepEqual([view.state.powerW, view.feedIds], [1000, [power, energy]]);
    const ready = await get<{ components: Record<string, { state: string }> }>('/readyz');
    assert.equal(ready.components['device-readings']?.state, 'ready');
  });
});
