import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ShellySim } from '../../scripts/sim/shelly-sim.js';
import { TasmotaSim, tasmotaDefaultLogin } from '../../scripts/sim/tasmota-sim.js';
import type { DeviceView, PairingStateView } from '../../src/api/contract.js';
import { ARTIFACTS, launchBrowser, VIEWPORTS } from '../helpers/browser.js';
import type { HttpClient } from '../helpers/http-client.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { closed, mqttClient } from '../helpers/mqtt.js';
import { ROOT } from '../helpers/processes.js';
import { startRedis } from '../helpers/redis-server.js';
import { useTeardown } from '../helpers/teardown.js';

// Pairing without typing in the app (issue 13, item 6): a Tasmota and a Shelly connect with a
// pairing login while the window is open; an admin sees each in the prompt on every page and
// allows it; the Tasmota takes its own login by itself, the Shelly (gone after Allow) leaves the
// settings to type in.
const teardown = useTeardown();
const AXE = join(ROOT, 'node_modules/axe-core/axe.min.js');
const HANDOVER_S = 3;
let browser: Browser;
let hub: TestHub;
let admin: HttpClient;

async function signIn(page: Page) {
  await page.goto(hub.baseUrl);
  await page.getByLabel('Username').fill('ann');
  await page.getByLabel('Password').fill('ann-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

async function axeProblems(page: Page, where: string): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
    const axe = (globalThis as unknown as { axe: { run(): Promise<Result> } }).axe;
    const result = await axe.run();
    return result.violations.map(
      (v) => `${v.impact} ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  });
  return found.filter((v) => /^(serious|critical)/.test(v)).map((v) => `${where}: ${v}`);
}

const pairing = async () => (await admin.request('GET', '/api/v1/pairing')).body as PairingStateView;
const devices = async () => (await admin.request('GET', '/api/v1/devices')).body as DeviceView[];

describe('pairing without typing in the app', () => {
  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    // The EmonESP beacon of the open window goes to this socket, not the LAN's broadcast address.
    const beacon = createSocket('udp4');
    await new Promise<void>((resolve) => beacon.bind(0, '127.0.0.1', resolve));
    teardown.add(() => new Promise<void>((resolve) => beacon.close(() => resolve())));
    hub = await startTestHub(teardown, {
      redisUrl: redis.url,
      config: {
        pairing: {
          mdns: false,
          beaconAddress: '127.0.0.1',
          beaconPort: beacon.address().port,
          handoverTimeoutS: HANDOVER_S,
        },
      },
    });
    admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    const opened = await admin.request('POST', '/api/v1/pairing/window', { json: { open: true } });
    assert.equal(opened.status, 200, opened.text);
    browser = await launchBrowser(teardown);
  });

  it('a Tasmota asks to join with its name and model; Allow hands it its own login, then Paired and online', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone, locale: 'en-GB', bypassCSP: true });
    const page = await context.newPage();
    await signIn(page);
    const prompt = page.getByRole('complementary', { name: 'Devices asking to join' });
    assert.equal(await prompt.count(), 0, 'no prompt before a device connects');

    const plug = new TasmotaSim({ topic: 'tasmota_1A2B3C', telePeriodS: 0 });
    teardown.add(() => plug.stop());
    await plug.start(tasmotaDefaultLogin(`mqtt://127.0.0.1:${hub.mqttPort}`));
    const asks = prompt
      .getByRole('alert')
      .filter({ hasText: 'A Tasmota plug "tasmota_1A2B3C" (Sonoff Basic) at 127.0.0.1 asks to join' });
    await asks.waitFor();
    assert.deepEqual(await axeProblems(page, 'the prompt with a Tasmota claim'), []);
    await page.screenshot({ path: join(ARTIFACTS, 'pairing-claim-phone.png'), fullPage: true });

    // Not modal: the page under it still works, and the prompt goes with it.
    await page.getByRole('link', { name: 'Energy' }).click();
    await page.getByRole('heading', { name: 'Energy', level: 1 }).waitFor();
    await prompt.getByLabel('Name (optional)').fill('Desk lamp');
    await prompt.getByLabel('Room (optional)').fill('Study');
    await prompt.getByRole('button', { name: 'Allow' }).click();
    await prompt.getByRole('status').filter({ hasText: 'Sending tasmota_1A2B3C its own login…' }).waitFor();
    assert.equal(await prompt.getByRole('button', { name: 'Allow' }).count(), 0, 'allowed once');
    await prompt
      .getByRole('status')
      .filter({ hasText: 'Paired: tasmota_1A2B3C is connected with its own login.' })
      .waitFor({ timeout: 10_000 });
    const lamp = (await devices()).find((d) => d.name === 'Desk lamp');
    assert.ok(lamp, 'the device was made with the given name');
    assert.equal(lamp.room, 'Study');
    assert.equal(plug.connected, true, 'the plug is connected again, with its own login');

    await prompt.getByRole('link', { name: 'Open tasmota_1A2B3C' }).click();
    await page.getByRole('heading', { name: 'Desk lamp', level: 1 }).waitFor();
    await prompt.getByRole('button', { name: 'Done' }).click();
    await prompt.waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'All devices' }).click();
    await page
      .locator('[data-device="Desk lamp"]')
      .getByTestId('online')
      .filter({ hasText: 'Online' })
      .waitFor();
    await plug.stop();
    await context.close();
  });

  it('a Shelly that never comes back shows the settings to type in, with copy buttons; they log in', async () => {
    const context = await browser.newContext({
      viewport: VIEWPORTS.desktop,
      locale: 'en-GB',
      bypassCSP: true,
    });
    const page = await context.newPage();
    await signIn(page);
    await page.goto(`${hub.baseUrl}/#/devices`);
    const card = page.getByRole('region', { name: 'Pair a device' });
    await card.getByText('Configuration → MQTT: Host 127.0.0.1; leave User (DVES_USER)').waitFor();
    await card.getByText('turn "RPC status notifications" on').waitFor();

    const shelly = new ShellySim({ mac: 'A8032AB1C2D3' });
    teardown.add(() => shelly.stop());
    await shelly.start({ url: `mqtt://127.0.0.1:${hub.mqttPort}` });
    // The Tasmota paired above is listed a while longer: this claim is the Shelly's group.
    const prompt = page.getByRole('complementary', { name: 'Devices asking to join' });
    const asks = /^A Shelly "shellyplusplugs-a8032ab1c2d3"( \(SNPL-00112EU\))? at 127\.0\.0\.1 asks to join$/;
    await prompt.getByRole('alert').filter({ hasText: asks }).waitFor();
    const claim = prompt.getByRole('group', { name: /Shelly/ });
    await claim.getByRole('button', { name: 'Allow' }).click();
    await claim.getByRole('status').filter({ hasText: 'its own login…' }).waitFor();
    // Gone right after Allow (it reboots a second after MQTT.SetConfig): it never comes back.
    await shelly.stop();
    await claim
      .getByRole('status')
      .filter({ hasText: 'did not take its own login by itself: type these into its MQTT settings.' })
      .waitFor({ timeout: (HANDOVER_S + 5) * 1000 });
    await claim.getByText(/^Why: /).waitFor();
    const settings = claim.getByTestId('claim-settings');
    await settings.getByTestId('claim-setting-port').waitFor();
    for (const name of [
      'MQTT username',
      'MQTT password (secret)',
      "Server (this hub's address)",
      'Port',
      'Topic',
    ])
      await settings.getByRole('button', { name: `Copy ${name}`, exact: true }).waitFor();
    const value = async (key: string) =>
      (await settings.getByTestId(`claim-setting-${key}`).textContent()) ?? '';
    assert.equal(await value('port'), String(hub.mqttPort));
    assert.match(await value('password'), /^•+$/, 'the password hidden until asked for');
    await settings.getByRole('button', { name: 'Show MQTT password (secret)' }).click();
    const password = await value('password');
    const username = await value('username');
    assert.deepEqual(await axeProblems(page, 'the prompt with the manual settings'), []);
    await page.screenshot({ path: join(ARTIFACTS, 'pairing-claim-manual-desktop.png'), fullPage: true });

    const listed = (await pairing()).claims.find((c) => c.clientId === shelly.id);
    assert.equal(listed?.status, 'manual');
    const device = await mqttClient(teardown, `mqtt://127.0.0.1:${hub.mqttPort}`, {
      clientId: shelly.id,
      username,
      password,
    });
    assert.equal(device.connected, true, 'the settings shown log in');
    await device.endAsync();
    await claim.getByRole('button', { name: 'Done' }).click();
    await claim.waitFor({ state: 'detached' });
    // Put away for good: a reload does not bring it back.
    await page.reload();
    await page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
    await prompt.getByRole('group', { name: /Tasmota/ }).waitFor();
    assert.equal(await prompt.getByRole('group', { name: /Shelly/ }).count(), 0);

    await page.getByLabel('Language').selectOption('cy');
    const welsh = page.getByRole('complementary', { name: 'Dyfeisiau sy’n gofyn am ymuno' });
    const paired = welsh.getByRole('group', {
      name: 'Plwg Tasmota "tasmota_1A2B3C" (Sonoff Basic) yn 127.0.0.1',
    });
    await paired
      .getByRole('status')
      .filter({ hasText: 'Wedi paru: mae tasmota_1A2B3C wedi cysylltu' })
      .waitFor();
    await page
      .getByRole('region', { name: 'Paru dyfais' })
      .getByText('Configuration → MQTT: Host 127.0.0.1; gadewch User (DVES_USER)')
      .waitFor();
    await context.close();
  });

  // Last: a denial keeps the address (127.0.0.1, every test's) out for pairing.requestTtlS.
  it('a device that has not said what it is may only be denied; Deny ends its connection', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone, locale: 'en-GB', bypassCSP: true });
    const page = await context.newPage();
    await signIn(page);
    const stranger = await mqttClient(teardown, `mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: 'esp-3f2a' });
    await stranger.publishAsync('hello/world', 'hi');
    const prompt = page.getByRole('complementary', { name: 'Devices asking to join' });
    const claim = prompt.getByRole('group', {
      name: 'A device at 127.0.0.1 connected to pair; waiting for it to say what it is',
    });
    await claim.waitFor();
    assert.equal(await claim.getByRole('button', { name: 'Allow' }).count(), 0, 'nothing to allow yet');
    assert.deepEqual(await axeProblems(page, 'the prompt with an unknown claim'), []);
    await claim.getByRole('button', { name: 'Deny' }).click();
    await prompt
      .getByRole('status')
      .filter({ hasText: 'Denied: esp-3f2a at 127.0.0.1 was not let in.' })
      .waitFor();
    await claim.waitFor({ state: 'detached' });
    assert.ok(await closed(stranger), 'its connection is ended');
    assert.equal(
      (await pairing()).claims.some((c) => c.clientId === 'esp-3f2a'),
      false,
    );
    await context.close();
  });
});
