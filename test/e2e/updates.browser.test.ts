import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, VIEWPORTS } from '../helpers/browser.js';
import { startHubWithAdmin, type TestHub } from '../helpers/hub.js';
import { until } from '../helpers/processes.js';
import { useTeardown } from '../helpers/teardown.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { inboxPaths, updateRequestSchema, type UpdateStatus } from '../../src/updater/update-inbox.js';

// The Updates card in Settings (issue 15 item 7, "from the app"): an administrator chooses a
// bundle, the upload lands in hub-updater's inbox byte for byte, and the card follows the status
// hub-updater writes (the test writes it, as hub-updater would) to the end.
const teardown = useTeardown();
let hub: TestHub;
let browser: Browser;
let appDir: string;

describe('installing an update from the app', () => {
  before(async () => {
    appDir = makeTempDir(teardown, 'hub-app-');
    ({ hub } = await startHubWithAdmin(teardown, { env: { HUB_APP_DIR: appDir } }));
    browser = await launchBrowser(teardown);
  });

  it('uploads the chosen bundle into the inbox and shows the installer through to the result', async () => {
    const bundle = join(makeTempDir(teardown, 'hub-bundle-'), 'hub-9.9.9.bundle');
    const bytes = randomBytes(600_000);
    writeFileSync(bundle, bytes);
    const context = await browser.newContext({ viewport: VIEWPORTS.phone, locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(hub.baseUrl);
    await page.getByLabel('Username').fill('ann');
    await page.getByLabel('Password').fill('ann-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.goto(`${hub.baseUrl}/#/settings`);
    const card = page.getByRole('region', { name: 'Updates' });
    await card.getByTestId('update-version').waitFor();
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    assert.equal(await card.getByTestId('update-version').textContent(), `This hub runs version ${version}.`);
    assert.equal(await card.getByRole('status').textContent(), 'No update is under way.');

    await card.getByLabel('Update bundle (.bundle)').setInputFiles(bundle);
    await card.getByRole('button', { name: 'Install the update' }).click();
    await card.getByText('Waiting for the installer…').waitFor();
    assert.ok(await card.getByRole('button', { name: 'Install the update' }).isDisabled(), 'one at a time');
    const paths = inboxPaths(appDir);
    const request = updateRequestSchema.parse(JSON.parse(readFileSync(paths.requestFile, 'utf8')));
    assert.equal(request.source, 'app');
    assert.equal(request.by, 'ann');
    assert.ok(
      readFileSync(paths.bundleFile(request.id)).equals(bytes),
      'the inbox holds the bundle as chosen',
    );
    assert.deepEqual(readdirSync(paths.inboxDir).sort(), [`${request.id}.bundle`, 'request.json']);

    // hub-updater takes it (the test plays it: the request goes, the status comes).
    mkdirSync(paths.statusDir, { recursive: true });
    const status = (over: Partial<UpdateStatus>): void =>
      writeFileSync(
        paths.statusFile,
        JSON.stringify({ format: 1, id: request.id, source: 'app', updatedAtMs: Date.now(), ...over }),
      );
    status({ state: 'installing', step: 'switch', version: '9.9.9', fromVersion: version });
    await card.getByText('Installing: switch').waitFor({ timeout: 10_000 });
    status({
      state: 'rolled-back',
      version: '9.9.9',
      fromVersion: version,
      reason: 'not ready within 120 s',
    });
    await card
      .getByText(/9\.9\.9 did not start properly and was rolled back: not ready within 120 s/)
      .waitFor({
        timeout: 10_000,
      });
    assert.ok(
      await card.getByRole('button', { name: 'Install the update' }).isEnabled(),
      'a final state frees it',
    );
    await until(() => existsSync(paths.statusFile), 1000, 'status kept');
    await context.close();
  });
});
