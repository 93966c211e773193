import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { useTeardown } from '../../helpers/teardown.js';
import { loginFrom as loginFromAddress, mqttLoginFrom as mqttLoginFromAddress } from './login-from.js';

// Different callers on the LAN, played by loopback addresses (all of 127/8 is local on Linux).
const NEIGHBOUR = '127.0.0.2';
const HOUSEHOLD = '127.0.0.3';
const LAPTOP = '127.0.0.4';
const BACKOFF_CAP_MS = 3000;

const teardown = useTeardown();
const clock = new ManualClock(Date.UTC(2026, 10, 24, 12));
let hub: TestHub;
let admin: HttpClient;

// The shared helpers, bound to this file's hub.
const loginFrom = (localAddress: string, username: string, password: string) =>
  loginFromAddress(hub.baseUrl, localAddress, username, password);
const mqttLoginFrom = (localAddress: string, username: string, password: string) =>
  mqttLoginFromAddress(hub.mqttPort, localAddress, username, password);

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

  it("the guessers' locks end when their 15-minute window has passed on the clock, on the web and over MQTT", async () => {
    clock.tick(900_000 - 1);
    assert.equal((await loginFrom(NEIGHBOUR, 'ann', 'ann-password')).status, 429, 'not a moment early');
    assert.equal(
      await mqttLoginFrom(LAPTOP, 'bob', 'bob-password'),
      'Connection refused: Server unavailable',
    );
    clock.tick(1);
    assert.equal((await loginFrom(NEIGHBOUR, 'ann', 'ann-password')).status, 200);
    assert.equal(await mqttLoginFrom(LAPTOP, 'bob', 'bob-password'), undefined);
  });
});
