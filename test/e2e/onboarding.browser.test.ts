import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, launchBrowser, VIEWPORTS } from '../helpers/browser.js';
import { mqttClient } from '../helpers/mqtt.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { ROOT } from '../helpers/processes.js';
import { startRedis } from '../helpers/redis-server.js';
import { useTeardown } from '../helpers/teardown.js';

const teardown = useTeardown();
let browser: Browser;

async function freshHub(): Promise<TestHub> {
  const redis = await startRedis();
  teardown.add(() => redis.stop());
  return startTestHub(teardown, { redisUrl: redis.url });
}

describe('first visit in a real browser', () => {
  before(async () => {
    assert.ok(
      existsSync(join(ROOT, 'dist/ui/index.html')),
      'the web app is built (scripts/setup runs the build)',
    );
    browser = await launchBrowser(teardown);
  });

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    it(`onboarding → dashboard → logout → login → logout on a ${size}`, async () => {
      const hub = await freshHub();
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const shot = (name: string) =>
        page.screenshot({ path: join(ARTIFACTS, `${name}-${size}.png`), fullPage: true });

      await page.goto(hub.baseUrl);
      await page.getByRole('heading', { name: 'Welcome to your Energy Hub' }).waitFor();
      await shot('onboarding');
      await page.getByLabel('Username').fill('ann');
      await page.getByLabel('Password (at least 8 characters)').fill('ann-password');
      await page.getByLabel('Password again').fill('ann-passwort');
      await page.getByRole('button', { name: 'Create administrator' }).click();
      await page.getByRole('alert').filter({ hasText: 'The two passwords differ.' }).waitFor();
      await page.getByLabel('Password again').fill('ann-password');
      await page.getByRole('button', { name: 'Create administrator' }).click();

      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      assert.ok(await page.getByText('ann').first().isVisible());
      await shot('dashboard');
      const caLink = page.getByRole('link', { name: "Download the hub's CA certificate" });
      const caHref = await caLink.getAttribute('href');
      assert.equal(caHref, '/api/v1/mqtt/ca.crt');
      const ca = await page.evaluate(async (href) => (await fetch(href)).text(), caHref);
      assert.match(ca, /^-----BEGIN CERTIFICATE-----/);
      // A new hub's dashboard connects a meter in the app: the device's own login, usable at once.
      const connect = page.getByRole('region', { name: 'Connect devices' });
      await connect.getByLabel('Device name').fill('kitchen meter');
      await connect.getByLabel('Type of device').selectOption({ label: 'EmonESP or emonTx Wi-Fi' });
      await connect.getByLabel('Topic name').fill('kitchen');
      await connect.getByRole('button', { name: 'Add device' }).click();
      const login = page.getByTestId('device-login');
      await login.waitFor();
      const [username, secret] = await login.locator('code').allTextContents();
      assert.match(username!, /^dev-emonesp-/);
      // 24 random bytes as base64url: the whole secret, not a shortened or masked one.
      assert.match(secret!, /^[A-Za-z0-9_-]{32}$/, 'the secret is shown once, in full');
      await connect.getByRole('button', { name: 'Copy MQTT password (secret)' }).waitFor();
      await shot('dashboard-device-added');
      const meter = await mqttClient(teardown, `mqtt://127.0.0.1:${hub.mqttPort}`, {
        username,
        password: secret,
      });
      await meter.publishAsync('emon/kitchen/power', '42', { qos: 1 });
      const cookies = await context.cookies();
      assert.equal(cookies.find((c) => c.name === 'hub_session')?.httpOnly, true);

      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('heading', { name: 'Sign in to your Energy Hub' }).waitFor();
      await page.getByLabel('Username').fill('ann');
      await page.getByLabel('Password').fill('wrong-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'wrong username or password' }).waitFor();
      await shot('login-error');
      await page.getByLabel('Password').fill('ann-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

      await page.reload();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor(); // the session survives a reload
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('heading', { name: 'Sign in to your Energy Hub' }).waitFor();
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in to your Energy Hub' }).waitFor();
      await context.close();
    });
  }
});
