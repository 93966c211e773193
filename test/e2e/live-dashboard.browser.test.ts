import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { MqttClient } from 'mqtt';
import type { InputJson } from '../../src/api/contract.js';
import { ARTIFACTS, launchBrowser, VIEWPORTS } from '../helpers/browser.js';
import type { HttpClient } from '../helpers/http-client.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { mqttClient } from '../helpers/mqtt.js';
import { ROOT, until } from '../helpers/processes.js';
import { startRedis } from '../helpers/redis-server.js';
import { useTeardown } from '../helpers/teardown.js';

const teardown = useTeardown();
const AXE = join(ROOT, 'node_modules/axe-core/axe.min.js');
let browser: Browser;
let hub: TestHub;
let admin: HttpClient;
let meter: MqttClient;

async function signIn(page: Page, username: string, password: string) {
  await page.goto(hub.baseUrl);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

type Box = { height: number; bottom: number };
type NavLayout = {
  header: Box;
  nav: Box;
  links: { name: string; current: string | null; lines: number; right: number }[];
};
// Run in the page: the header, the nav and each link's line count (one line box per distinct top
// among the link's visible text fragments) and right edge.
const NAV_LAYOUT = `(() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return { height: r.height, bottom: r.bottom }; };
  const links = [...document.querySelectorAll('.topbar nav a')].map((a) => {
    const text = document.createRange();
    text.selectNodeContents(a);
    const tops = new Set([...text.getClientRects()].map((r) => Math.round(r.top)));
    return {
      name: a.getAttribute('aria-label') ?? a.textContent,
      current: a.getAttribute('aria-current'),
      lines: tops.size,
      right: a.getBoundingClientRect().right,
    };
  });
  return { header: box(document.querySelector('.topbar')), nav: box(document.querySelector('.topbar nav')), links };
})()`;

describe('live dashboard and inputs in a real browser', () => {
  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    hub = await startTestHub(teardown, { redisUrl: redis.url });
    admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    await admin.request('POST', '/api/v1/users', {
      json: { username: 'vic', password: 'vic-password', role: 'viewer' },
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

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    it(`shows a published value within 2 s and edits a process list on a ${size}`, async () => {
      const context = await browser.newContext({ viewport, locale: 'en-GB' });
      const page = await context.newPage();
      const shot = (name: string) =>
        page.screenshot({ path: join(ARTIFACTS, `${name}-${size}.png`), fullPage: true });
      await signIn(page, 'ann', 'ann-password');
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await page.getByRole('region', { name: 'House use now' }).getByTestId('power-now').waitFor();
      const value = size === 'phone' ? 1234 : 2345;
      await meter.publishAsync('emon/house/power', String(value), { qos: 1 });
      await page
        .getByTestId('power-now')
        .filter({ hasText: value.toLocaleString('en-GB') })
        .waitFor({ timeout: 2000 });
      await shot('dashboard-live');

      await page.getByRole('link', { name: 'Inputs and feeds' }).click();
      await page.getByRole('heading', { name: 'Inputs and feeds' }).waitFor();
      const feedName = `solar ${size}`;
      await page.getByLabel('Feed name').fill(feedName);
      await page.getByRole('button', { name: 'Create feed' }).click();
      await page.locator(`[data-feed="${feedName}"]`).waitFor();
      await page.getByRole('button', { name: 'Edit process list of power' }).click();
      await page.getByRole('button', { name: 'Add step' }).click();
      const steps = await page.getByRole('combobox', { name: /^Step \d+$/ }).count();
      await page
        .getByRole('combobox', { name: `Step ${steps}`, exact: true })
        .selectOption({ label: 'Log to feed' });
      await page.getByRole('combobox', { name: `Step ${steps}: Argument` }).selectOption({ label: feedName });
      await page.getByRole('button', { name: 'Save' }).click();
      await page
        .locator('[data-input="house/power"]')
        .filter({ hasText: `Log to feed ${feedName}` })
        .waitFor();
      await meter.publishAsync('emon/house/power', '321', { qos: 1 });
      await page.locator('[data-input="house/power"]').filter({ hasText: '321' }).waitFor({ timeout: 2000 });
      await shot('inputs');
      if (size === 'desktop') {
        await page.getByLabel('Template', { exact: true }).selectOption({ label: 'EmonESP smart plug' });
        await page.getByLabel('Node', { exact: true }).fill('plug1');
        await page.getByRole('button', { name: 'Apply template' }).click();
        await page.locator('[data-input="plug1/status"]').waitFor();
      }
      const feeds = (await admin.request('GET', '/api/v1/feeds')).body as { id: number; name: string }[];
      const solar = feeds.find((f) => f.name === feedName)!;
      const last = (await admin.request('GET', `/api/v1/feeds/${solar.id}/last`)).body as { value: number };
      assert.equal(last.value, 321, 'the new feed fills from the edited process list');

      await page.getByLabel('Language').selectOption('cy');
      await page.getByRole('heading', { name: 'Mewnbynnau a ffrydiau' }).waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), 'cy');
      await page.getByRole('link', { name: 'Dangosfwrdd' }).click();
      await page.getByRole('heading', { name: 'Dangosfwrdd' }).waitFor();
      await shot('dashboard-welsh');
      await page.getByLabel('Iaith').selectOption('en');
      // A screenshot of every page at this size, for people reviewing the change.
      for (const [link, name] of [
        ['Energy', 'energy'],
        ['History', 'history'],
        ['Settings', 'settings'],
      ] as const) {
        await page.getByRole('link', { name: link }).click();
        await page.getByRole('heading', { name: link, exact: true }).waitFor();
        await shot(`page-${name}`);
      }
      await context.close();
    });
  }

  it('on a phone: a one-row header, a bottom nav whose labels never wrap, the active page marked', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone, locale: 'en-GB' });
    const page = await context.newPage();
    await signIn(page, 'ann', 'ann-password');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const pages = {
      en: ['Dashboard', 'Energy', 'History', 'Inputs and feeds', 'Settings'],
      cy: ['Dangosfwrdd', 'Ynni', 'Hanes', 'Mewnbynnau a ffrydiau', 'Gosodiadau'],
    };
    for (const [language, names] of Object.entries(pages)) {
      await page.getByRole('combobox', { name: /^(Language|Iaith)$/ }).selectOption(language);
      for (const name of names) {
        await page.getByRole('link', { name, exact: true }).click();
        await page.getByRole('heading', { name, exact: true, level: 1 }).waitFor();
        const layout = await page.evaluate<NavLayout>(NAV_LAYOUT);
        const where = `${language} ${name}`;
        assert.ok(layout.header.height <= 64, `${where}: header ${layout.header.height} px tall`);
        assert.ok(
          layout.nav.bottom === 844 && layout.nav.height <= 64,
          `${where}: a bottom nav ${JSON.stringify(layout.nav)}`,
        );
        for (const link of layout.links) {
          assert.ok(
            link.right <= 390,
            `${where}: ${link.name} fits on the screen (right edge ${link.right})`,
          );
          assert.equal(link.lines, 1, `${where}: "${link.name}" on one line`);
        }
        assert.deepEqual(
          layout.links.filter((l) => l.current === 'page').map((l) => l.name),
          [name],
          `${where}: only the open page is marked current`,
        );
      }
    }
    await page.screenshot({ path: join(ARTIFACTS, 'nav-welsh-phone.png') });
    await context.close();
  });

  it('draws a back-filled week of a feed as averaged points, and zooms by a preset', async () => {
    const created = await admin.request('POST', '/api/v1/feeds', {
      json: { name: 'week', intervalS: 60, unit: 'W' },
    });
    const weekFeed = (created.body as { id: number }).id;
    const endS = Math.floor(Date.now() / 1000 / 60) * 60;
    const points = Array.from({ length: 7 * 1440 }, (_, i) => [
      endS - (7 * 1440 - i) * 60,
      1000 + (i % 1440),
    ]);
    for (let i = 0; i < points.length; i += 2000) {
      const res = await admin.request('POST', `/api/v1/feeds/${weekFeed}/points`, {
        json: { points: points.slice(i, i + 2000) },
      });
      assert.equal(res.status, 200, res.text);
    }
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    const page = await context.newPage();
    await signIn(page, 'ann', 'ann-password');
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByRole('heading', { name: 'History' }).waitFor();
    await page.getByLabel('Feed', { exact: true }).selectOption({ label: 'week' });
    const reply = page.waitForResponse(
      (r) => r.url().includes(`/api/v1/feeds/${weekFeed}/data`) && r.url().includes('interval=900'),
    );
    await page.getByRole('button', { name: 'Week' }).click();
    const drawn = (await (await reply).json()) as [number, number | null][];
    assert.ok(drawn.length > 600 && drawn.length <= 800, `a week at 15 min: ${drawn.length} points`);
    assert.ok(drawn.filter((p) => p[1] !== null).length > 600);
    await page.locator('.chart canvas').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'history-week-desktop.png'), fullPage: true });
    await context.close();
  });

  it('adds a user and shows the API keys on the settings page; no serious accessibility problems', async () => {
    // The hub's CSP forbids injected scripts; axe-core is test tooling, so this context bypasses it.
    const context = await browser.newContext({
      viewport: VIEWPORTS.desktop,
      bypassCSP: true,
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const page = await context.newPage();
    await signIn(page, 'ann', 'ann-password');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const problems: string[] = [];
    const scan = async (where: string) => {
      await page.addScriptTag({ path: AXE });
      const found = await page.evaluate(async () => {
        type Result = { violations: { id: string; impact: string }[]; passes: unknown[] };
        const axe = (globalThis as unknown as { axe: { run(): Promise<Result> } }).axe;
        const result = await axe.run();
        return {
          checked: result.passes.length,
          violations: result.violations.map((v) => `${v.impact} ${v.id}`),
        };
      });
      assert.ok(found.checked > 10, `axe ran its rules on ${where}`);
      problems.push(
        ...found.violations.filter((v) => /^(serious|critical)/.test(v)).map((v) => `${where}: ${v}`),
      );
    };
    await scan('dashboard');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    const keys = (await admin.request('GET', '/api/v1/me/apikeys')).body as {
      readApiKey: string;
      writeApiKey: string;
    };
    // Keys stay off the screen until asked for; Copy puts one on the clipboard without showing it.
    await page.getByRole('button', { name: 'Show Read key' }).waitFor();
    const onScreen = (await page.locator('main').textContent()) ?? '';
    assert.ok(!onScreen.includes(keys.readApiKey) && !onScreen.includes(keys.writeApiKey), 'keys hidden');
    await page.getByRole('button', { name: 'Show Read key' }).click();
    await page.getByTestId('read-key').filter({ hasText: keys.readApiKey }).waitFor();
    await page.getByRole('button', { name: 'Hide Read key' }).waitFor();
    await page.getByRole('button', { name: 'Copy Write key' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), keys.writeApiKey);
    assert.ok(!((await page.getByTestId('write-key').textContent()) ?? '').includes(keys.writeApiKey));
    await page.getByLabel('Username').fill('zoe');
    await page.getByLabel('Password', { exact: true }).fill('zoe-password');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.locator('[data-user="zoe"]').waitFor();
    await page.getByLabel('New password for zoe').fill('zoe-new-password');
    await page.locator('[data-user="zoe"]').getByRole('button', { name: 'Set password' }).click();
    // The form clears once the hub has taken the password; only then try it, once: polling with
    // a password not yet set would count as failed logins and lock zoe out from this address.
    await until(
      async () => (await page.getByLabel('New password for zoe').inputValue()) === '',
      10_000,
      'the password form to clear',
    );
    const zoeSignIn = await hub
      .client()
      .request('POST', '/api/v1/session', { json: { username: 'zoe', password: 'zoe-new-password' } });
    assert.equal(zoeSignIn.status, 200, 'the new password works');
    // Prices as bills print them; the API keeps minor units (pence, öre).
    type Stored = { standingChargeMinorPerDay: number; bands: { priceMinorPerKWh: number }[] };
    const stored = async () => (await admin.request('GET', '/api/v1/tariff')).body as Stored;
    await page.getByLabel('Currency').fill('SEK');
    await page.getByLabel('Standing charge (SEK/day)').fill('3.2');
    await page.getByLabel('Price (SEK/kWh)').fill('1.85');
    await page.getByRole('button', { name: 'Save tariff' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    assert.deepEqual(
      [(await stored()).standingChargeMinorPerDay, (await stored()).bands[0]!.priceMinorPerKWh],
      [320, 185],
    );
    await page.getByLabel('Currency').fill('GBP');
    await page.getByLabel('Standing charge (p/day)').fill('50');
    await page.getByLabel('Price (p/kWh)').fill('24.5');
    await page.getByRole('button', { name: 'Save tariff' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await until(
      async () => (await stored()).bands[0]!.priceMinorPerKWh === 24.5,
      3000,
      '24.5 p/kWh stored as 24.5 pence',
    );
    assert.equal((await stored()).standingChargeMinorPerDay, 50);
    await page.getByRole('combobox', { name: 'Timezone' }).selectOption('Europe/Paris');
    await page.locator('form:has(#hub-timezone)').getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'next restart' }).waitFor();
    const saved = JSON.parse(readFileSync(join(hub.dataDir, 'hub.json'), 'utf8')) as { timezone: string };
    assert.equal(saved.timezone, 'Europe/Paris');
    await page.screenshot({ path: join(ARTIFACTS, 'settings-desktop.png'), fullPage: true });
    await scan('settings');
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page
      .getByTestId('today-cost')
      .filter({ hasText: 'including a standing charge of £0.50' })
      .waitFor();
    await page.getByTestId('good-time').filter({ hasText: 'Flat rate' }).waitFor();
    await scan('dashboard with costs');
    for (const name of ['Energy', 'History', 'Inputs and feeds']) {
      await page.getByRole('link', { name }).click();
      await page.getByRole('heading', { name, exact: true }).waitFor();
      await scan(name);
    }
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('shows the month as daily bars that open into half-hours, and a summary equal to the feed data', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone });
    const page = await context.newPage();
    await signIn(page, 'ann', 'ann-password');
    await page.getByRole('link', { name: 'Energy' }).click();
    await page.getByTestId('month-table').waitFor();
    const now = new Date();
    const startS = new Date(now.getFullYear(), now.getMonth(), 1).getTime() / 1000;
    const endS = new Date(now.getFullYear(), now.getMonth() + 1, 1).getTime() / 1000;
    const feeds = (await admin.request('GET', '/api/v1/feeds')).body as { id: number; name: string }[];
    const use = feeds.find((f) => f.name === 'use')!;
    const askedS = Math.floor(Date.now() / 1000);
    const month = (
      await admin.request('GET', `/api/v1/energy/summary?feedId=${use.id}&start=${startS}&end=${endS}`)
    ).body as { energyKWh: number; days: { startS: number }[] };
    const answeredS = Math.floor(Date.now() / 1000);
    // The oracle: the half-hour means of what this test logged, each over its half-hour up to "now"
    // (whole seconds, which the hub read between askedS and answeredS).
    const halfHourMeansW = (
      await admin.request(
        'GET',
        `/api/v1/feeds/${use.id}/data?start=${startS}&end=${endS}&interval=1800&average=1`,
      )
    ).body as [number, number | null][];
    const energyUpToKWh = (nowS: number) =>
      halfHourMeansW.reduce(
        (kWh, [slotS, w]) =>
          w === null || slotS >= nowS ? kWh : kWh + (w * Math.min(1800, nowS - slotS)) / 3_600_000,
        0,
      );
    assert.ok(energyUpToKWh(askedS) > 0, 'the test logged power this month');
    assert.ok(
      month.energyKWh >= energyUpToKWh(askedS) - 1e-9 && month.energyKWh <= energyUpToKWh(answeredS) + 1e-9,
      `${month.energyKWh} kWh, expected ${energyUpToKWh(askedS)} to ${energyUpToKWh(answeredS)}`,
    );
    const kwh = month.energyKWh.toLocaleString('en-GB', { maximumFractionDigits: 2 });
    assert.equal((await page.getByTestId('month-kwh').textContent())?.trim(), kwh);
    const today = new Date(month.days.at(-1)!.startS * 1000).getDate();
    // Thumb-sized day bars on a 390 px phone, a kWh scale, readable day numbers.
    const dayBars = page.getByRole('button', { name: /^Day \d+/ });
    const daysInMonth = new Date(now.getFullYear(), now.getMonth() + 1, 0).getDate();
    assert.equal(await dayBars.count(), daysInMonth, 'a bar for every day of the month');
    for (const bar of await dayBars.all()) {
      const box = (await bar.boundingBox())!;
      assert.ok(box.width >= 24 && box.height >= 24, `tap target ${box.width}×${box.height} px`);
    }
    const monthCard = page.getByRole('region', { name: /^Energy per day/ });
    assert.match((await monthCard.getByTestId('bar-scale').textContent())!, /kWh/);
    await monthCard.getByText('15', { exact: true }).waitFor();
    const todayBar = page.getByRole('button', { name: new RegExp(`^Day ${today}:`) });
    await todayBar.click();
    await page.getByRole('heading', { name: /^Half-hours of/ }).waitFor();
    assert.equal(await todayBar.getAttribute('aria-pressed'), 'true');
    const colour = (day: number) =>
      page.evaluate<string>(
        `getComputedStyle(document.querySelector('[aria-label^="Day ${day}:"] .bar')).backgroundColor`,
      );
    assert.notEqual(await colour(today), await colour(today === 1 ? 2 : 1), 'the chosen day stands out');
    // The half-hour chart: a time axis and a kWh scale.
    const halfHours = page.getByRole('region', { name: /^Half-hours of/ });
    assert.match((await halfHours.getByTestId('bar-scale').textContent())!, /kWh/);
    for (const time of ['00:00', '06:00', '12:00', '18:00'])
      await halfHours.getByText(time, { exact: true }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'energy-phone.png'), fullPage: true });
    await context.close();
  });

  it('opens as an app with no network once it has been visited (service worker shell)', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone });
    const page = await context.newPage();
    await page.goto(hub.baseUrl);
    await page.getByRole('heading', { name: 'Sign in to your Energy Hub' }).waitFor();
    await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
    await context.setOffline(true);
    await page.reload();
    await page.getByRole('alert').filter({ hasText: 'The hub cannot be reached' }).waitFor();
    const manifest = await page.getAttribute('link[rel=manifest]', 'href');
    assert.equal(manifest, '/manifest.webmanifest');
    await context.close();
  });

  it('keeps a viewer to the dashboard: no admin link, the admin route falls back, the API refuses', async () => {
    const solar = await admin.request('POST', '/api/v1/feeds', {
      json: { name: 'solar', intervalS: 10, unit: 'W' },
    });
    const solarId = (solar.body as { id: number }).id;
    await admin.request('POST', `/api/v1/feeds/${solarId}/points`, {
      json: { points: [[Math.floor(Date.now() / 1000), 1500]] },
    });
    const context = await browser.newContext({ viewport: VIEWPORTS.phone });
    const page = await context.newPage();
    await signIn(page, 'vic', 'vic-password');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByRole('region', { name: 'Solar now' }).filter({ hasText: '1,500' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Inputs and feeds' }).count(), 0);
    await page.goto(`${hub.baseUrl}/#/inputs`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/v1/inputs')).status);
    assert.equal(status, 403);
    await meter.publishAsync('emon/house/power', '999', { qos: 1 });
    await page.getByTestId('power-now').filter({ hasText: '999' }).waitFor({ timeout: 2000 });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-viewer-phone.png'), fullPage: true });
    await context.close();
  });
});
