import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ReadinessReport } from '../../../src/api/contract.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { useTeardown } from '../../helpers/teardown.js';
import { loginFrom, mqttLoginFrom } from './login-from.js';

const WEB_ADDRESS = '127.0.0.40';
/** One address each: the broker admits only a few connections per address before their login. */
const mqttAddress = (i: number) => `127.0.1.${100 + i}`;
/** Far more than one check running and 8 waiting; each scrypt takes ~0.1-0.2 s here. */
const BURST = 30;
const MIB_KB = 1024;

const teardown = useTeardown();
let hub: TestHub;
let admin: HttpClient;
let rssBeforeKb: number;
const busy = { web: 0, mqtt: 0 };
const checked = { web: 0, mqtt: 0 };

describe('a burst of logins at once', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown));
    rssBeforeKb = process.memoryUsage().rss / 1024;
  });

  it('gets its passwords checked one at a time; the rest are told to retry, and count as no failure', async () => {
    const answers = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        loginFrom(hub.baseUrl, WEB_ADDRESS, `nobody-${i}`, 'wrong-pass'),
      ),
    );
    const statuses = answers.map((a) => a.status).join(' ');
    assert.ok(
      answers.every((a) => a.status === 401 || (a.status === 503 && a.retryAfter === '1')),
      `only wrong-password and retry-in-1-s answers: ${statuses}`,
    );
    busy.web = answers.filter((a) => a.status === 503).length;
    checked.web = answers.filter((a) => a.status === 401).length;
    assert.ok(busy.web > 0, `some found the queue full: ${statuses}`);
    // The address failed only as often as its passwords were checked (< 20, the per-address
    // limit); counting the busy ones too would have locked it out.
    const ann = await loginFrom(hub.baseUrl, WEB_ADDRESS, 'ann', 'ann-password');
    assert.equal(ann.status, 200, 'the address is not locked out by the refused logins');
  });

  it('answers a busy MQTT login with CONNACK 3 (server unavailable), not a wrong password', async () => {
    const answers = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        // The last admitted waits for 9 scrypts: seconds on a loaded machine.
        mqttLoginFrom(hub.mqttPort, mqttAddress(i), `nobody-mqtt-${i}`, 'wrong-pass', 60_000),
      ),
    );
    const refusedAsWrong = (a: string | undefined) => a === 'Connection refused: Bad username or password';
    const refusedAsBusy = (a: string | undefined) => a === 'Connection refused: Server unavailable';
    assert.ok(
      answers.every((a) => refusedAsWrong(a) || refusedAsBusy(a)),
      `answers: ${answers.join(', ')}`,
    );
    busy.mqtt = answers.filter(refusedAsBusy).length;
    checked.mqtt = answers.filter(refusedAsWrong).length;
    assert.ok(busy.mqtt > 0, `some found the queue full: ${answers.join(', ')}`);
  });

  it('counts the refused checks in /readyz, and held one 32 MiB scrypt at a time, not four', async () => {
    const detail = ((await admin.request('GET', '/readyz')).body as ReadinessReport).components.passwords
      ?.detail;
    assert.deepEqual(detail, {
      inProgress: 0,
      maxWaiting: 8,
      // onboarding's hash and login, each burst's wrong passwords, ann's login
      checked: 2 + checked.web + checked.mqtt + 1,
      refusedBusy: busy.web + busy.mqtt,
    });
    // Four scrypts side by side (libuv's 4 threads) raised the peak by 136 MiB here; one at a
    // time, by 52 (32 MiB of scrypt, the rest this process's heap: the hub, 60 clients, logs).
    const peakGrowthMb = (process.resourceUsage().maxRSS - rssBeforeKb) / MIB_KB;
    assert.ok(peakGrowthMb < 96, `peak resident set grew ${peakGrowthMb.toFixed(1)} MiB over the bursts`);
  });
});
