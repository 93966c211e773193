import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
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

/**
 * Page loads get the plain shell, as when the hub could not inline the boot state in time: the app
 * then asks for it itself.
 */
async function withoutInlinedState(page: Page) {
  await page.route(`${hub.baseUrl}/`, (route) => route.continue({ url: `${hub.baseUrl}/index.html` }));
}

/** Every API request the page makes from now on, held until `release` (its paths in `paths`). */
async function holdApi(page: Page) {
  const paths: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route('**/api/v1/**', async (route) => {
    paths.push(new URL(route.request().url()).pathname);
    await held;
    await route.continue().catch(() => undefined);
  });
  return { paths, release };
}

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
    await withoutInlinedState(page);
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
    await withoutInlinedState(page);
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
  it('shows the number and today’s figures on a reload with every API answer held: they are in the page', async () => {
    const page = await dashboardSeenOnce();
    const api = await holdApi(page);
    let sockets = 0;
    page.on('websocket', () => sockets++);
    try {
      await page.reload();
      await page.getByTestId('power-now').filter({ hasText: '150' }).waitFor({ timeout: 5000 });
      await page.getByTestId('today-energy').waitFor({ timeout: 1000 });
      // Only what boot never asked for: the last hour's line and (admins) the data sources.
      const asked = new Set(api.paths.map((p) => p.replace(/\/\d+\//, '/:id/')));
      assert.deepEqual([...asked].sort(), ['/api/v1/feeds/:id/data', '/api/v1/inputs']);
      assert.equal(sockets, 1);
      await meter.publishAsync('emon/house/power', '175', { qos: 1 });
      await page.getByTestId('power-now').filter({ hasText: '175' }).waitFor({ timeout: 2000 });
    } finally {
      api.release();
      await meter.publishAsync('emon/house/power', '150', { qos: 1 });
    }
  });

  it('shows the number on a first visit of a signed-in browser with every API answer held', async () => {
    const client = hub.client();
    await client.request('POST', '/api/v1/session', { json: { username: 'ann', password: 'ann-password' } });
    const [name, value] = client.cookie!.split('=') as [string, string];
    const context = await browser.newContext({ viewport: VIEWPORTS.phone, serviceWorkers: 'block' });
    teardown.add(() => context.close());
    await context.addCookies([{ name, value, url: hub.baseUrl }]);
    const page = await context.newPage();
    const api = await holdApi(page);
    try {
      await page.goto(hub.baseUrl);
      await page.getByTestId('power-now').filter({ hasText: '150' }).waitFor({ timeout: 5000 });
      assert.ok(!api.paths.includes('/api/v1/session'), api.paths.join());
      assert.ok(!api.paths.includes('/api/v1/energy/today'), api.paths.join());
    } finally {
      api.release();
    }
  });

  it('keeps no user’s state in the service worker’s cache; offline, the plain shell opens', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone });
    teardown.add(() => context.close());
    const page = await context.newPage();
    await page.goto(hub.baseUrl);
    await page.getByLabel('Username').fill('ann');
    await page.getByLabel('Password').fill('ann-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('power-now').waitFor();
    await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
    // A signed-in load under the service worker: the page it forwards carries the state.
    const signedIn = await page.reload();
    await page.waitForFunction('navigator.serviceWorker.controller !== null');
    assert.ok((await signedIn!.text()).includes('id="hub-boot"'), 'the page came with its boot state');
    await page.getByTestId('power-now').waitFor();
    assert.equal(await page.locator('#hub-boot').count(), 0, 'the app took the state out of the page');
    const cached = (await page.evaluate(`(async () => {
      const out = [];
      for (const name of await caches.keys())
        for (const req of await (await caches.open(name)).keys())
          out.push({ path: new URL(req.url).pathname, text: await (await caches.match(req)).text() });
      return out;
    })()`)) as { path: string; text: string }[];
    assert.ok(
      cached.some((c) => c.path === '/index.html'),
      cached.map((c) => c.path).join(),
    );
    for (const c of cached) assert.ok(!c.text.includes('id="hub-boot"'), `${c.path} holds a boot state`);
    await context.setOffline(true);
    const offline = await page.reload();
    await page.getByRole('alert').filter({ hasText: 'The hub cannot be reached' }).waitFor();
    assert.ok(!(await offline!.text()).includes('id="hub-boot"'), 'the offline shell holds no state');
  });
});
