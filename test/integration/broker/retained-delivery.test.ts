import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import type { MqttBroker } from '../../../src/broker/mqtt-broker.net.js';
import { mqttClient } from '../../helpers/mqtt.js';
import { useTeardown } from '../../helpers/teardown.js';
import { makeBroker } from './broker-fixture.js';

// A retained publish is stored before it is forwarded, so a publish started after it (a QoS 0
// status, the hub's own command) can reach a subscriber first. None may be lost on the way
// (the Shelly `online` and OpenEVSE announce/limit flakes of the simulator tests).
const teardown = useTeardown();
const ROUNDS = 30;
let broker: MqttBroker;
let url: string;
let observer: MqttClient;
/** Every `topic payload` the observer received, in arrival order. */
const seen: string[] = [];

/** Resolves when the observer has seen all of `expected` (any order); rejects after `timeoutMs`. */
function seenAll(expected: string[], timeoutMs = 2000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => expected.every((m) => seen.includes(m));
    if (check()) return resolve();
    const onMessage = () => {
      if (!check()) return;
      clearTimeout(timer);
      observer.off('message', onMessage);
      resolve();
    };
    const timer = setTimeout(() => {
      observer.off('message', onMessage);
      reject(new Error(`missing: ${expected.filter((m) => !seen.includes(m)).join(' | ')}`));
    }, timeoutMs);
    observer.on('message', onMessage);
  });
}

/** A device's first session: connects and publishes `publishes` at once, as firmware does. */
async function deviceSession(
  clientId: string,
  publishes: { topic: string; payload: string; qos: 0 | 1; retain: boolean }[],
): Promise<void> {
  const device = await mqttClient(teardown, url, { clientId, username: 'ann', password: 'pw' });
  await Promise.all(publishes.map((p) => device.publishAsync(p.topic, p.payload, p)));
  await device.endAsync();
}

describe('messages reaching a subscriber that is already there', () => {
  before(async () => {
    broker = makeBroker(teardown);
    await broker.start();
    url = `mqtt://127.0.0.1:${broker.ports().tcp!}`;
    observer = await mqttClient(teardown, url, { clientId: 'observer', username: 'ann', password: 'pw' });
    observer.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
    await observer.subscribeAsync('dev/#', { qos: 1 });
  });

  it('gets a retained QoS 1 publish sent right before a QoS 1 status (Shelly online, then status)', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const online = `dev/shelly-${i}/online true`;
      const status = `dev/shelly-${i}/status/switch:0 {"output":false}`;
      await deviceSession(`shelly-${i}`, [
        { topic: `dev/shelly-${i}/online`, payload: 'true', qos: 1, retain: true },
        { topic: `dev/shelly-${i}/status/switch:0`, payload: '{"output":false}', qos: 1, retain: false },
      ]);
      await seenAll([online, status]).catch((err: Error) => assert.fail(`round ${i}: ${err.message}`));
    }
  });

  it('gets retained QoS 0 publishes sent right before QoS 0 telemetry (OpenEVSE announce, limit)', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const base = `dev/openevse-${i}`;
      await deviceSession(`openevse-${i}`, [
        { topic: `${base}/announce`, payload: '{"state":"connected"}', qos: 0, retain: true },
        { topic: `${base}/limit`, payload: '{"type":"none"}', qos: 0, retain: true },
        { topic: `${base}/amp`, payload: '0', qos: 0, retain: false },
      ]);
      await seenAll([
        `${base}/announce {"state":"connected"}`,
        `${base}/limit {"type":"none"}`,
        `${base}/amp 0`,
      ]).catch((err: Error) => assert.fail(`round ${i}: ${err.message}`));
    }
  });

  it('still sends one copy of a message to a client whose subscriptions overlap', async () => {
    const twice = await mqttClient(teardown, url, {
      clientId: 'overlapping',
      username: 'ann',
      password: 'pw',
    });
    const got: string[] = [];
    twice.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
    await twice.subscribeAsync(['over/#', 'over/+', 'over/a'], { qos: 1 });
    await broker.publish('over/a', '1', { qos: 1 });
    await broker.publish('over/a', '2', { qos: 0 });
    await broker.publish('over/b', '3');
    // Copies of the messages above were written before this one is published: it comes last.
    const end = new Promise((resolve) => twice.on('message', (topic) => topic === 'over/c' && resolve(0)));
    await twice.publishAsync('over/c', 'end', { qos: 1 });
    await end;
    assert.deepEqual(got, ['over/a 1', 'over/a 2', 'over/b 3', 'over/c end']);
  });
});
