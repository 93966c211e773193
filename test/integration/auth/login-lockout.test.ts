import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createConnection } from 'node:net';
import { MqttClient } from 'mqtt';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { useTeardown } from '../../helpers/teardown.js';

// Different callers on the LAN, played by loopback addresses (all of 127/8 is local on Linux).
const NEIGHBOUR = '127.0.0.2';
const HOUSEHOLD = '127.0.0.3';
const LAPTOP = '127.0.0.4';
const BACKOFF_CAP_MS = 3000;

const teardown = useTeardown();
const clock = new ManualClock(Date.UTC(2026, 10, 24, 12));
let hub: TestHub;
let admin: HttpClient;

/** POST /api/v1/session from a given source address; how long the answer took. */
function loginFrom(
  localAddress: string,
  username: string,
  password: string,
): Promise<{ status: number; retryAfter: string | undefined; ms: number }> {
  const body = JSON.stringify({ username, password });
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      `${hub.baseUrl}/api/v1/session`,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json', connection: 'close' } },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'],
            ms: performance.now() - t0,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** An MQTT CONNECT from a given source address: undefined when accepted, else MQTT.js's error. */
function mqttLoginFrom(
  localAddress: string,
  username: string,
  password: string,
): Promise<string | undefined> {
  const stream = () => createConnection({ host: '127.0.0.1', port: hub.mqttPort, localAddress });
  const client = new MqttClient(stream, { username, password, reconnectPeriod: 0, connectTimeout: 10_000 });
  return new Promise((resolve) => {
    const finish = (result: string | undefined) => {
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true, () => resolve(result));
    };
    client.once('connect', () => finish(undefined));
    client.once('error', (err) => finish(err.message));
    client.once('close', () => finish('closed'));
  });
}

describe('failed logins cannot lock the household out', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, { clock }));
  });

  it('after many wrong passwords from one address, the right one from another gets in; the guesser stays locked', async () => {
    for (let i = 0; i < 12; i++) {
      const res = await loginFrom(NEIGHBOUR, 'ann', `guess-${i}-password`);
      assert.equal(res.status, i < 5 ? 401 : 429, `guess ${i}`);
    }
    const household = await loginFrom(HOUSEHOLD, 'ann', 'ann-password');
    assert.equal(household.status, 200, 'the administrator signs in from a device that has not failed');
    assert.ok(
      household.ms < BACKOFF_CAP_MS + 1500,
      `within a bounded delay (${Math.round(household.ms)} ms)`,
    );

    const guesser = await loginFrom(NEIGHBOUR, 'ann', 'ann-password');
    assert.equal(guesser.status, 429, 'the guessing address is refused even with the right password');
    assert.equal(guesser.retryAfter, '900');
    assert.equal(
      (await admin.request('GET', '/api/v1/session')).status,
      200,
      'an open session keeps working',
    );
  });

  it('an MQTT user login from another address still works after failures from one address', async () => {
    const created = await admin.request('POST', '/api/v1/users', {
      json: { username: 'bob', password: 'bob-password', role: 'admin' },
    });
    assert.equal(created.status, 201);
    for (let i = 0; i < 7; i++)
      assert.equal(
        await mqttLoginFrom(LAPTOP, 'bob', `mqtt-guess-${i}`),
        // Checked and wrong (CONNACK 4) five times; then refused unchecked: retry later (CONNACK 3).
        `Connection refused: ${i < 5 ? 'Bad username or password' : 'Server unavailable'}`,
        `guess ${i}`,
      );
    assert.equal(
      await mqttLoginFrom(LAPTOP, 'bob', 'bob-password'),
      'Connection refused: Server unavailable',
      'the guessing address is refused even with the right password',
    );
    const t0 = performance.now();
    assert.equal(await mqttLoginFrom(HOUSEHOLD, 'bob', 'bob-password'), undefined, 'another address logs in');
    assert.ok(performance.now() - t0 < BACKOFF_CAP_MS + 1500, 'within a bounded delay');
    assert.equal((await loginFrom(HOUSEHOLD, 'bob', 'bob-password')).status, 200, 'and on the web');
  });
});
