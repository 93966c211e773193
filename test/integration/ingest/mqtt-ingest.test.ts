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
const ingestDetail = async () =>
  (
    (await admin.request('GET', '/readyz')).body as {
      components: Record<string, { detail: Record<string, number> }>;
    }
  ).components;

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

  it('reads a JSON object with its own time, and extra topic levels as a name prefix', async () => {
    const timeS = NOW_S - 30;
    await adminMqtt.publishAsync('emon/emontx4', JSON.stringify({ P1: 100.5, P2: -20, time: timeS }), {
      qos: 1,
    });
    await waitForInput('emontx4', 'P1', 100.5, timeS);
    await waitForInput('emontx4', 'P2', -20, timeS);
    await adminMqtt.publishAsync('emon/openevse/status', JSON.stringify({ amp: 16000 }), { qos: 1 });
    await waitForInput('openevse', 'status_amp', 16000);
  });

  it('names comma-separated values 0, 1, 2 on a node-only topic', async () => {
    await adminMqtt.publishAsync('emon/rfnode', '1,2.5,-3', { qos: 1 });
    await waitForInput('rfnode', '0', 1);
    await waitForInput('rfnode', '2', -3);
  });

  it('counts and logs bad messages and stores nothing of them', async () => {
    const before = (await ingestDetail())['mqtt-ingest']!.detail.refused ?? 0;
    await adminMqtt.publishAsync('emon/badnode/power', 'twelve', { qos: 1 });
    await adminMqtt.publishAsync('emon/badnode/power', 'Infinity', { qos: 1 });
    await adminMqtt.publishAsync('emon/badnode', JSON.stringify({ a: 1, time: NOW_S + 10 * 86_400 }), {
      qos: 1,
    });
    await until(
      async () => (await ingestDetail())['mqtt-ingest']!.detail.refused === before + 3,
      3000,
      'refusals counted',
    );
    assert.equal((await inputs()).filter((i) => i.node === 'badnode').length, 0);
    assert.ok(hub.logs.some((l) => l.includes('mqtt reading refused') && l.includes('emon/badnode')));
  });

  it('refuses new inputs over the per-node cap and keeps the ones it has', async () => {
    const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`ch${i}`, i]));
    await adminMqtt.publishAsync('emon/capnode', JSON.stringify(many), { qos: 1 });
    await adminMqtt.publishAsync('emon/capnode', JSON.stringify({ ch0: 7 }), { qos: 1 });
    await waitForInput('capnode', 'ch0', 7);
    assert.equal((await inputs()).filter((i) => i.node === 'capnode').length, 1);
  });
});
