import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { MqttClient } from 'mqtt';
import type { InputJson } from '../../src/api/contract.js';
import { launchBrowser, VIEWPORTS } from '../helpers/browser.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { mqttClient } from '../helpers/mqtt.js';
import { until } from '../helpers/processes.js';
import { startRedis } from '../helpers/redis-server.js';
import { useTeardown } from '../helpers/teardown.js';

const teardown = useTeardown();
let browser: Browser;
let hub: TestHub;
let meter: MqttClient;
const HOLD_MS = 400;

/** A signed-in page that has shown the dashboard once (its feeds are known to the browser). */
async function dashboardSeenOnce() {
  // No service worker: page.route does not see the requests one forwards.
  const context = await browser.newContext({
    viewport: VIEWPORTS.phone,
    locale: 'en-GB',
    serviceWorkers: 'block',
  });
  teardown.add(() => context.close());
  const page = await context.newPage();
  await page.goto(hub.baseUrl);
  await page.getByLabel('Username').fill('ann');
  await page.getByLabel('Password').fill('ann-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('power-now').filter({ hasText: '150' }).waitFor();
  return page;
}

describe('dashboard loading on a slow link', () => {
  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    hub = await startTestHub(teardown, { redisUrl: redis.url });
    const admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    meter = await mqttClient(teardown, `mqtt://127.0.0.1:${hub.mqttPort}`, {
      username: 'ann',
      password: 'ann-password',
    });
    const use = (
      await admin.request('POST', '/api/v1/feeds', { json: { name: 'use', intervalS: 10, unit: 'W' } })
    ).body as { id: number };
    await meter.publishAsync('emon/house/power', '100', { qos: 1 });
    await until(
      async () => ((await admin.request('GET', '/api/v1/inputs')).body as InputJson[]).length === 1,
      3000,
      'input',
    );
    const power = ((await admin.request('GET', '/api/v1/inputs')).body as InputJson[])[0]!;
    await admin.request('PUT', `/api/v1/inputs/${power.id}/process`, {
      json: { steps: [{ id: 1, arg: use.id }] },
    });
    await meter.publishAsync('emon/house/power', '150', { qos: 1 });
    browser = await launchBrowser(teardown);
  });

  it('asks for session, hub facts and today at once and opens /ws before the session answers', async () => {
    const page = await dashboardSeenOnce();
    // Every API answer held back: requests asked one after another would never overlap.
    let inFlight = 0;
    let mostInFlight = 0;
    await page.route('**/api/v1/**', async (route) => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, HOLD_MS));
      inFlight--;
      await route.continue();
    });
    const events: string[] = [];
    page.on('websocket', () => events.push('ws'));
    page.on('response', (r) => r.url().endsWith('/api/v1/session') && events.push('session'));
    await page.reload();
    await page.getByTestId('power-now').waitFor();
    assert.ok(mostInFlight >= 4, `at most ${mostInFlight} API requests were under way together`);
    assert.deepEqual(events.slice(0, 2), ['ws', 'session']);
  });

  it('shows the live number without waiting for today’s figures', async () => {
    const page = await dashboardSeenOnce();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/v1/energy/today', async (route) => {
      await held;
      await route.continue();
    });
    await page.reload();
    try {
      await page.getByTestId('power-now').filter({ hasText: '150' }).waitFor({ timeout: 5000 });
      await meter.publishAsync('emon/house/power', '175', { qos: 1 });
      await page.getByTestId('power-now').filter({ hasText: '175' }).waitFor({ timeout: 2000 });
      assert.equal(await page.getByTestId('today-energy').count(), 0, 'today’s figures were still held');
    } finally {
      release();
    }
    await page.getByTestId('today-energy').waitFor();
    await meter.publishAsync('emon/house/power', '150', { qos: 1 });
  });
});
