import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { MqttClient } from 'mqtt';
import { OpenevseSim } from '../../scripts/sim/openevse-sim.js';
import type { DeviceView } from '../../src/api/contract.js';
import { ARTIFACTS, launchBrowser, VIEWPORTS } from '../helpers/browser.js';
import type { HttpClient } from '../helpers/http-client.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { closed, mqttClient } from '../helpers/mqtt.js';
import { ROOT, until } from '../helpers/processes.js';
import { startRedis } from '../helpers/redis-server.js';
import { authRequestFrom } from '../integration/pairing/auth-request-from.js';
import { useTeardown } from '../helpers/teardown.js';

// The Devices pages, the pairing prompt and the add-device flow against the whole hub, with real
// MQTT.js clients playing Tasmota plugs on their own logins (issue 13, item 11).
const teardown = useTeardown();
const AXE = join(ROOT, 'node_modules/axe-core/axe.min.js');
let browser: Browser;
let hub: TestHub;
let admin: HttpClient;
let beacon: Socket;
const beacons: string[] = [];

/**
 * A Tasmota plug: Online on its LWT, its meter on tele/SENSOR; it answers `cmnd/<t>/POWER` on
 * stat/<t>/RESULT, or holds its answers while `hold` is set (to see the app wait for them).
 */
class FakeTasmota {
  on = false;
  hold = false;
  readonly commands: string[] = [];
  private held: (() => Promise<unknown>)[] = [];
  constructor(
    readonly client: MqttClient,
    readonly topic: string,
  ) {
    client.on('message', (topic, payload) => {
      const command = topic.slice(`cmnd/${this.topic}/`.length);
      if (command !== 'POWER') return;
      const value = payload.toString().toUpperCase();
      this.commands.push(`${command} ${value}`);
      if (value === 'ON' || value === 'OFF') this.on = value === 'ON';
      const reply = () =>
        client.publishAsync(`stat/${this.topic}/RESULT`, JSON.stringify({ POWER: this.on ? 'ON' : 'OFF' }));
      if (this.hold) this.held.push(reply);
      else void reply();
    });
  }

  static async start(login: { mqttUsername: string; secret: string }, topic: string, powerW: number) {
    const client = await mqttClient(teardown, `mqtt://127.0.0.1:${hub.mqttPort}`, {
      username: login.mqttUsername,
      password: login.secret,
      will: { topic: `tele/${topic}/LWT`, payload: Buffer.from('Offline'), qos: 1, retain: true },
    });
    const plug = new FakeTasmota(client, topic);
    await client.subscribeAsync(`cmnd/${topic}/#`, { qos: 1 });
    await client.publishAsync(`tele/${topic}/LWT`, 'Online', { qos: 1, retain: true });
    await client.publishAsync(`stat/${topic}/RESULT`, JSON.stringify({ POWER: 'OFF' }), { qos: 1 });
    await plug.meter(powerW);
    return plug;
  }

  meter(powerW: number) {
    const sensor = { ENERGY: { Total: 1.5, Power: powerW } };
    return this.client.publishAsync(`tele/${this.topic}/SENSOR`, JSON.stringify(sensor), { qos: 1 });
  }

  async release() {
    this.hold = false;
    for (const reply of this.held.splice(0)) await reply();
  }

  /** A press of the plug's own button: Tasmota reports it unasked. */
  press(on: boolean) {
    this.on = on;
    return this.client.publishAsync(`stat/${this.topic}/POWER`, on ? 'ON' : 'OFF', { qos: 1 });
  }
}

async function addDevice(name: string, topicName: string) {
  const res = await admin.request('POST', '/api/v1/devices', { json: { name, kind: 'tasmota', topicName } });
  assert.equal(res.status, 201, res.text);
  return res.body as { device: { id: number }; mqttUsername: string; secret: string };
}

async function signIn(page: Page, username: string, password: string) {
  await page.goto(hub.baseUrl);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

async function axeProblems(page: Page, where: string): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    type Result = {
      violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
      passes: unknown[];
    };
    const axe = (globalThis as unknown as { axe: { run(): Promise<Result> } }).axe;
    const result = await axe.run();
    return {
      checked: result.passes.length,
      violations: result.violations.map(
        (v) => `${v.impact} ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
      ),
    };
  });
  assert.ok(found.checked > 10, `axe ran its rules on ${where}`);
  return found.violations.filter((v) => /^(serious|critical)/.test(v)).map((v) => `${where}: ${v}`);
}

const devices = async () => (await admin.request('GET', '/api/v1/devices')).body as DeviceView[];

describe('devices in the app', () => {
  let kitchen: FakeTasmota;

  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    // The EmonESP beacon goes to this socket instead of the LAN's broadcast address.
    beacon = createSocket('udp4');
    beacon.on('message', (msg) => beacons.push(msg.toString()));
    await new Promise<void>((resolve) => beacon.bind(0, '127.0.0.1', resolve));
    teardown.add(() => new Promise<void>((resolve) => beacon.close(() => resolve())));
    hub = await startTestHub(teardown, {
      redisUrl: redis.url,
      config: {
        pairing: { mdns: false, beaconAddress: '127.0.0.1', beaconPort: beacon.address().port },
      },
    });
    admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    await admin.request('POST', '/api/v1/users', {
      json: { username: 'vic', password: 'vic-password', role: 'viewer' },
    });
    kitchen = await FakeTasmota.start(await addDevice('Kitchen plug', 'plug1'), 'plug1', 42);
    await until(
      async () => (await devices()).some((d) => d.state.online === true && d.state.powerW === 42),
      5000,
      'the plug online with its power',
    );
    browser = await launchBrowser(teardown);
  });

  it('an admin sees the plug, switches it (pending, then confirmed) and sees a manual press within a second', async () => {
    const context = await browser.newContext({
      viewport: VIEWPORTS.desktop,
      locale: 'en-GB',
      bypassCSP: true,
    });
    const page = await context.newPage();
    await signIn(page, 'ann', 'ann-password');
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
    const item = page.locator('[data-device="Kitchen plug"]');
    await item.getByTestId('online').filter({ hasText: 'Online' }).waitFor();
    assert.equal((await item.getByTestId('power').textContent())?.trim(), '42 W');
    assert.match((await item.textContent()) ?? '', /Tasmota plug/);
    const toggle = item.getByRole('switch', { name: 'Kitchen plug: switch' });
    await toggle.filter({ hasText: 'Off' }).waitFor();
    assert.equal(await toggle.getAttribute('aria-checked'), 'false');

    kitchen.hold = true;
    await toggle.click();
    await item.getByTestId('control-status').filter({ hasText: 'waiting for the device' }).waitFor();
    assert.equal(await toggle.getAttribute('aria-checked'), 'true', 'shows what was asked while pending');
    await until(() => kitchen.commands.includes('POWER ON'), 3000, 'cmnd/plug1/POWER ON');
    await kitchen.release();
    await item.getByTestId('control-status').filter({ hasText: 'Confirmed by the device' }).waitFor();
    assert.equal(await toggle.getAttribute('aria-checked'), 'true');
    await page.screenshot({ path: join(ARTIFACTS, 'devices-desktop.png'), fullPage: true });

    const pressedMs = Date.now();
    await kitchen.press(false);
    await page
      .locator('[data-device="Kitchen plug"] [role="switch"][aria-checked="false"]')
      .waitFor({ timeout: 1000 });
    const shownMs = Date.now() - pressedMs;
    assert.ok(shownMs <= 1000, `a manual press shown after ${shownMs} ms`);
    await kitchen.meter(1234);
    await item.getByTestId('power').filter({ hasText: '1,234 W' }).waitFor({ timeout: 2000 });

    assert.deepEqual(await axeProblems(page, 'devices'), []);
    await page.getByLabel('Language').selectOption('cy');
    await page.getByRole('heading', { name: 'Dyfeisiau', level: 1 }).waitFor();
    await item.getByRole('switch', { name: 'Kitchen plug: switsh' }).waitFor();
    await page.getByLabel('Iaith').selectOption('en');
    await context.close();
  });

  it('a viewer sees the state but no switch, and no pairing; dark theme axe clean', async () => {
    const context = await browser.newContext({
      viewport: VIEWPORTS.phone,
      locale: 'en-GB',
      colorScheme: 'dark',
      bypassCSP: true,
    });
    const page = await context.newPage();
    await signIn(page, 'vic', 'vic-password');
    await page.getByRole('link', { name: 'Devices' }).click();
    const item = page.locator('[data-device="Kitchen plug"]');
    await item.getByTestId('online').filter({ hasText: 'Online' }).waitFor();
    await kitchen.press(true);
    await item.getByTestId('relay-state').filter({ hasText: 'Relay: On' }).waitFor({ timeout: 2000 });
    assert.equal(await page.getByRole('switch').count(), 0, 'no switch for a viewer');
    assert.equal(await page.getByRole('button', { name: 'Pair a device' }).count(), 0);
    assert.equal(await page.getByRole('region', { name: 'Connect devices' }).count(), 0);
    assert.deepEqual(await axeProblems(page, 'devices, viewer, dark'), []);
    await page.getByRole('link', { name: 'Kitchen plug' }).click();
    await page.getByRole('heading', { name: 'Kitchen plug', level: 1 }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Delete device' }).count(), 0);
    assert.deepEqual(await axeProblems(page, 'device page, viewer, dark'), []);
    await page.getByRole('link', { name: 'All devices' }).click();
    await page.screenshot({ path: join(ARTIFACTS, 'devices-viewer-phone.png'), fullPage: true });
    await context.close();
  });

  it('a pairing request shows on the dashboard; Allow gives the device its own login once', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone, locale: 'en-GB', bypassCSP: true });
    const page = await context.newPage();
    await signIn(page, 'ann', 'ann-password');
    assert.equal(await page.getByRole('alert').filter({ hasText: 'asks to join' }).count(), 0);
    // EmonESP's call, from this test's address.
    // EmonESP's plain GET (fetch would send Sec-Fetch-Mode, which the hub refuses as a browser's).
    const asked = await authRequestFrom(hub.baseUrl, '127.0.0.1');
    assert.equal(asked.status, 200);
    assert.doesNotMatch(asked.body, /:.*:/, 'no credentials before an admin allows it');
    const prompt = page.getByRole('complementary', { name: 'Devices asking to join' });
    await prompt.getByRole('alert').filter({ hasText: 'A device at 127.0.0.1 asks to join' }).waitFor();
    assert.deepEqual(await axeProblems(page, 'dashboard with the pairing prompt'), []);
    await page.screenshot({ path: join(ARTIFACTS, 'pairing-prompt-phone.png'), fullPage: true });
    // Not modal: the page under it still works.
    await page.getByRole('link', { name: 'Energy' }).click();
    await page.getByRole('heading', { name: 'Energy', level: 1 }).waitFor();
    await prompt.getByLabel('Name (optional)').fill('Garage plug');
    await prompt.getByRole('button', { name: 'Allow' }).click();
    await prompt.getByRole('status').filter({ hasText: 'Allowed' }).waitFor();
    assert.equal(await prompt.getByRole('button', { name: 'Allow' }).count(), 0);

    const credentials = (await authRequestFrom(hub.baseUrl, '127.0.0.1')).body;
    const [username, password, baseTopic] = credentials.split(':');
    // The test hub's broker is not on EmonESP's 1883: its port comes as the 4th part.
    assert.deepEqual(
      credentials.split(':').slice(3),
      [String(hub.mqttPort)],
      `user:pass:basetopic:port, got ${credentials}`,
    );
    const again = (await authRequestFrom(hub.baseUrl, '127.0.0.1')).body;
    assert.notEqual(again, credentials, 'the answer is given once');
    const garage = (await devices()).find((d) => d.name === 'Garage plug');
    assert.ok(garage, 'the device was created with the given name');
    assert.equal(garage.mqttUsername, username);
    assert.ok(baseTopic);
    const device = await mqttClient(teardown, `mqtt://127.0.0.1:${hub.mqttPort}`, { username, password });
    await device.endAsync();
    await context.close();
  });

  it('Pair a device opens the window with its time left, sends the beacon again and closes', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone, locale: 'en-GB' });
    const page = await context.newPage();
    await signIn(page, 'ann', 'ann-password');
    await page.goto(`${hub.baseUrl}/#/devices`);
    const card = page.getByRole('region', { name: 'Pair a device' });
    await card.getByText('switch the plug off and on again').waitFor();
    await card.getByRole('button', { name: 'Pair a device' }).click();
    await card
      .getByTestId('pairing-left')
      .filter({ hasText: /Pairing window open: (10:00|9:\d\d) left/ })
      .waitFor();
    beacons.length = 0;
    await card.getByRole('button', { name: 'Send beacon again' }).click();
    await card.getByRole('status').filter({ hasText: 'Beacon sent' }).waitFor();
    await until(() => beacons.includes('emonpi.local'), 2000, 'the 12-byte beacon');
    await card.getByRole('button', { name: 'Close pairing window' }).click();
    await card.getByRole('button', { name: 'Pair a device' }).waitFor();
    const state = (await admin.request('GET', '/api/v1/pairing')).body as {
      windowOpenUntilMs: number | null;
    };
    assert.equal(state.windowOpenUntilMs, null);
    await context.close();
  });

  it('adds a Tasmota by hand: every setting shown with a copy button, and they connect', async () => {
    const context = await browser.newContext({
      viewport: VIEWPORTS.desktop,
      locale: 'en-GB',
      bypassCSP: true,
    });
    const page = await context.newPage();
    await signIn(page, 'ann', 'ann-password');
    await page.goto(`${hub.baseUrl}/#/devices`);
    const connect = page.getByRole('region', { name: 'Connect devices' });
    await connect.getByLabel('Device name').fill('Hall lamp');
    await connect.getByLabel('Type of device').selectOption({ label: 'Tasmota plug' });
    await connect.getByLabel('Topic name').fill('lamp1');
    await connect.getByRole('button', { name: 'Add device' }).click();
    const value = (key: string) => connect.getByTestId(`setting-${key}`).textContent();
    await connect.getByTestId('setting-port').waitFor();
    assert.equal(await value('host'), '127.0.0.1');
    assert.equal(await value('port'), String(hub.mqttPort));
    if (hub.mqttTlsPort) assert.equal(await value('tlsPort'), String(hub.mqttTlsPort));
    assert.equal(await value('topic'), 'lamp1');
    for (const name of [
      'MQTT username',
      "Server (this hub's address)",
      'Port',
      'Topic',
      'MQTT password (secret)',
    ])
      await connect.getByRole('button', { name: `Copy ${name}`, exact: true }).waitFor();
    await connect.getByRole('link', { name: "Download the hub's CA certificate" }).waitFor();
    const [username, secret] = await connect.getByTestId('device-login').locator('code').allTextContents();
    assert.deepEqual(await axeProblems(page, 'devices with settings'), []);
    await page.screenshot({ path: join(ARTIFACTS, 'devices-manual-desktop.png'), fullPage: true });
    const lamp = await FakeTasmota.start({ mqttUsername: username!, secret: secret! }, 'lamp1', 7);
    await page
      .locator('[data-device="Hall lamp"]')
      .getByTestId('online')
      .filter({ hasText: 'Online' })
      .waitFor();
    await lamp.client.endAsync();
    await context.close();
  });

  it('a charger: its session, and a current limit and an energy limit confirmed by the charger', async () => {
    const sim = new OpenevseSim({ id: 'c44f330d7b2c', maxCurrentA: 32 });
    teardown.add(() => sim.stop());
    const login = (await (
      await admin.request('POST', '/api/v1/devices', {
        json: { name: 'Car charger', kind: 'openevse', topicName: sim.base },
      })
    ).body) as { mqttUsername: string; secret: string };
    await sim.start({
      url: `mqtt://127.0.0.1:${hub.mqttPort}`,
      username: login.mqttUsername,
      password: login.secret,
    });
    await sim.plugIn();
    const context = await browser.newContext({
      viewport: VIEWPORTS.desktop,
      locale: 'en-GB',
      bypassCSP: true,
    });
    const page = await context.newPage();
    await signIn(page, 'ann', 'ann-password');
    await page.goto(`${hub.baseUrl}/#/devices`);
    const item = page.locator('[data-device="Car charger"]');
    await item
      .getByTestId('ev')
      .filter({ hasText: /^Charging · This session 0 kWh$/ })
      .waitFor();
    await item.getByLabel('Current limit (A)').fill('16');
    await item.getByRole('button', { name: 'Set current limit' }).click();
    await item.getByTestId('control-status').filter({ hasText: 'Confirmed by the device' }).waitFor();
    assert.equal(sim.pilotA, 16, 'the charger offers 16 A');
    await item.getByLabel('Energy limit (kWh, empty for none)').fill('10');
    await item.getByRole('button', { name: 'Set energy limit' }).click();
    await until(
      async () => (await devices()).find((d) => d.name === 'Car charger')?.state.ev?.energyLimitKWh === 10,
      5000,
      'the 10 kWh limit reported back',
    );
    await item.getByTestId('control-status').filter({ hasText: 'Confirmed by the device' }).waitFor();
    assert.deepEqual(await axeProblems(page, 'devices with a charger'), []);
    await page.screenshot({ path: join(ARTIFACTS, 'devices-charger-desktop.png'), fullPage: true });
    await sim.stop();
    await context.close();
  });

  it("a device's page: its feeds, rename and room, delete ends its login and connection", async () => {
    const login = await addDevice('Hall plug', 'plug2');
    const hall = await FakeTasmota.start(login, 'plug2', 5);
    const context = await browser.newContext({ viewport: VIEWPORTS.phone, locale: 'en-GB', bypassCSP: true });
    const page = await context.newPage();
    await signIn(page, 'ann', 'ann-password');
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('link', { name: 'Hall plug' }).click();
    await page.getByRole('heading', { name: 'Hall plug', level: 1 }).waitFor();
    assert.match(page.url(), new RegExp(`#/devices/${login.device.id}$`));
    await page.getByRole('region', { name: 'Feeds' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Hall heater');
    await page.getByLabel('Room', { exact: true }).fill('Hall');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await page.getByRole('heading', { name: 'Hall heater', level: 1 }).waitFor();
    const renamed = (await devices()).find((d) => d.id === login.device.id);
    assert.deepEqual([renamed?.name, renamed?.room], ['Hall heater', 'Hall']);
    assert.deepEqual(await axeProblems(page, 'device page'), []);

    await page.getByRole('button', { name: 'Delete device' }).click();
    const question = page.getByRole('alertdialog');
    await question.filter({ hasText: 'login is revoked and its connection to the hub is ended' }).waitFor();
    assert.equal(
      await question
        .getByRole('button', { name: 'Cancel' })
        .evaluate((b) => b === b.ownerDocument.activeElement),
      true,
      'the question takes the focus on its safe answer',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'device-delete-phone.png'), fullPage: true });
    await question.getByRole('button', { name: 'Delete Hall heater' }).click();
    await page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
    assert.ok(await closed(hall.client), "the device's MQTT connection is ended");
    assert.equal(
      (await devices()).some((d) => d.id === login.device.id),
      false,
    );
    await page.locator('[data-device="Hall heater"]').waitFor({ state: 'detached' });
    await context.close();
  });

  it('on a phone, all seven pages fit the bottom bar on one line, in English and Welsh', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone, locale: 'en-GB' });
    const page = await context.newPage();
    await signIn(page, 'ann', 'ann-password');
    for (const language of ['en', 'cy']) {
      await page.getByRole('combobox', { name: /^(Language|Iaith)$/ }).selectOption(language);
      const links = await page.locator('.topbar nav a').evaluateAll((all) =>
        all.map((a) => {
          const text = a.ownerDocument.createRange();
          text.selectNodeContents(a);
          const tops = new Set([...text.getClientRects()].map((r) => Math.round(r.top)));
          return { name: a.textContent, lines: tops.size, right: a.getBoundingClientRect().right };
        }),
      );
      assert.equal(links.length, 7, `${language}: seven pages`);
      for (const link of links) {
        assert.ok(link.right <= 390, `${language}: ${link.name} ends at ${link.right} px`);
        assert.equal(link.lines, 1, `${language}: ${link.name} on one line`);
      }
    }
    await page.screenshot({ path: join(ARTIFACTS, 'nav-devices-welsh-phone.png') });
    await context.close();
  });
});
