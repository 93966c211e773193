import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, VIEWPORTS } from '../helpers/browser.js';
import { startHubWithAdmin } from '../helpers/hub.js';
import { ROOT } from '../helpers/processes.js';
import { useTeardown } from '../helpers/teardown.js';

const teardown = useTeardown();
let browser: Browser;

describe('a hub that started without its MQTT broker, in a real browser', () => {
  before(async () => {
    assert.ok(existsSync(join(ROOT, 'dist/ui/index.html')), 'the web app is built (npm run build)');
    browser = await launchBrowser(teardown);
  });

  it('shows an administrator which part is down and why', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, () => resolve()));
    teardown.add(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const port = (holder.address() as AddressInfo).port;
    const { hub } = await startHubWithAdmin(teardown, { env: { HUB_MQTT_PORT: String(port) } });

    const context = await browser.newContext({ viewport: VIEWPORTS.phone });
    teardown.add(() => context.close());
    const page = await context.newPage();
    await page.goto(`${hub.baseUrl}/#/dashboard`);
    await page.getByLabel('Username').fill('ann');
    await page.getByLabel('Password').fill('ann-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const banner = page.locator('.down-banner');
    await banner.waitFor();
    assert.equal(
      (await banner.innerText()).trim(),
      `MQTT broker is down: port ${port} is in use by another program — retrying`,
    );
  });
});
