import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import type { InputJson } from '../../../src/api/contract.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { mqttClient, nextMessage } from '../../helpers/mqtt.js';
import { until } from '../../helpers/processes.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const NOW_S = 1_790_000_000;
const clock = new ManualClock(NOW_S * 1000);
let hub: TestHub;
let admin: HttpClient;
let emonhub: MqttClient;
let adminMqtt: MqttClient;

const inputs = async () => (await admin.request('GET', '/api/v1/inputs')).body as InputJson[];
const input = async (node: string, name: string) =>
  (await inputs()).find((i) => i.node === node && i.name === name);
async function waitForInput(node: string, name: string, value: number | null, timeS = NOW_S) {
  await until(
    async () => {
      const found = await input(node, name);
      return found?.value === value && found.timeS === timeS;
    },
    3000,
    `input ${node}/${name} = ${value}`,
  );
  return (await input(node, name))!;
}
async function waitForInputAfter(topic: string, payload: string, node: string, name: string, value: number) {
  await emonhub.publishAsync(topic, payload, { qos: 1 });
  return waitForInput(node, name, value);
}

describe('readings over MQTT (emoncms emon/# rules)', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, {
      clock,
      config: { ingest: { maxInputsPerNode: 8, maxNodes: 6 } },
    }));
    const device = await admin.request('POST', '/api/v1/devices', {
      json: { name: 'emonPi', kind: 'emonhub', topicName: 'emonpi' },
    });
    assert.equal(device.status, 201, device.text);
    const { mqttUsername, secret } = device.body as { mqttUsername: string; secret: string };
    const url = `mqtt://127.0.0.1:${hub.mqttPort}`;
    emonhub = await mqttClient(teardown, url, { username: mqttUsername, password: secret });
    adminMqtt = await mqttClient(teardown, url, { username: 'ann', password: 'ann-password' });
  });

  it('creates an input from an emonhub nodevar message and keeps its last value', async () => {
    await emonhub.publishAsync('emon/emonpi/power1', '123.4', { qos: 1 });
    const found = await waitForInput('emonpi', 'power1', 123.4);
    assert.equal(found.description, '');
    assert.deepEqual(found.processList, []);
  });

  it('logs to a feed through a process list, readable at once', async () => {
    const feed = await admin.request('POST', '/api/v1/feeds', { json: { name: 'use', intervalS: 10 } });
    const feedId = (feed.body as { id: number }).id;
    const power1 = (await input('emonpi', 'power1'))!;
    const set = await admin.request('PUT', `/api/v1/inputs/${power1.id}/process`, {
      json: {
        steps: [
          { id: 2, arg: 2 },
          { id: 1, arg: feedId },
        ],
      },
    });
    assert.equal(set.status, 200, set.text);
    await emonhub.publishAsync('emon/emonpi/power1', '250', { qos: 1 });
    await waitForInput('emonpi', 'power1', 250);
    const last = await admin.request('GET', `/api/v1/feeds/${feedId}/last`);
    assert.deepEqual(last.body, { tsS: NOW_S - (NOW_S % 10), value: 500 });
  });

  it('publishes a value to MQTT from a process list, never back under emon/', async () => {
    const vrms = await waitForInputAfter('emon/emonpi/vrms', '240.5', 'emonpi', 'vrms', 240.5);
    const refused = await admin.request('PUT', `/api/v1/inputs/${vrms.id}/process`, {
      json: { steps: [{ id: 35, arg: 'emon/loop/vrms' }] },
    });
    assert.equal(refused.status, 400);
    assert.match((refused.body as { error: string }).error, /feed the value back/);
    const set = await admin.request('PUT', `/api/v1/inputs/${vrms.id}/process`, {
      json: {
        steps: [
          { id: 3, arg: -0.5 },
          { id: 35, arg: 'hub/out/vrms' },
        ],
      },
    });
    assert.equal(set.status, 200, set.text);
    await adminMqtt.subscribeAsync('hub/out/vrms');
    const message = nextMessage(adminMqtt, (t) => t === 'hub/out/vrms');
    await emonhub.publishAsync('emon/emonpi/vrms', '241', { qos: 1 });
    assert.equal((await message).payload, '240.5');
  });
  // Parsing, naming, refusals and the per-node cap: test/unit/ingest/mqtt-readings.test.ts (in-memory ports).
});
