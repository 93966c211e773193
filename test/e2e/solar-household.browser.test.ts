import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { TariffJson } from '../../src/api/contract.js';
import { ManualClock } from '../../src/shared/clock.js';
import { ARTIFACTS, launchBrowser, VIEWPORTS } from '../helpers/browser.js';
import type { HttpClient } from '../helpers/http-client.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { ROOT } from '../helpers/processes.js';
import { startRedis } from '../helpers/redis-server.js';
import { useTeardown } from '../helpers/teardown.js';

// A solar household with import and export meters. London is on GMT in January, so a slot's local
// time is its UTC time. The hub started on the 15th; it is 14:00 on Tuesday 20 January 2026.
const teardown = useTeardown();
const AXE = join(ROOT, 'node_modules/axe-core/axe.min.js');
const DAY_S = 86_400;
const FIRST_S = Date.UTC(2026, 0, 15) / 1000;
const TODAY_S = Date.UTC(2026, 0, 20) / 1000;
const NOW_S = TODAY_S + 14 * 3600;
const clock = new ManualClock(NOW_S * 1000);
let browser: Browser;
let hub: TestHub;
let admin: HttpClient;

const houseW = (t: number) =>
  Math.round(350 + 250 * Math.sin(t / 2000) ** 2 + (Math.floor(t / 600) % 7 === 0 ? 2000 : 0));
const solarW = (t: number) => {
  const hour = (t % DAY_S) / 3600;
  return Math.round(
    Math.max(0, 3200 * Math.sin(((hour - 8) / 8) * Math.PI)) * (0.6 + 0.4 * Math.cos(t / 700) ** 2),
  );
};
const FEEDS: Record<string, (t: number) => number> = {
  use: houseW,
  solar: solarW,
  import: (t) => Math.max(0, houseW(t) - solarW(t)),
  export: (t) => Math.max(0, solarW(t) - houseW(t)),
};

const tariff: TariffJson = {
  currency: 'GBP',
  standingChargeMinorPerDay: 53.2,
  vatPercent: 5,
  bands: [
    { name: 'Night', start: '00:00', end: '07:30', priceMinorPerKWh: 9.5 },
    { name: 'Day', start: '07:30', end: '00:00', priceMinorPerKWh: 27.5 },
  ],
  exportBands: [
    { name: 'Peak export', start: '11:00', end: '13:00', priceMinorPerKWh: 20 },
    { name: 'Export', start: '13:00', end: '11:00', priceMinorPerKWh: 15 },
  ],
};

/** The day's figures computed here from the points written, independently of the hub's code. */
function expectedDay(dayS: number, untilS: number) {
  const kwh: Record<string, number> = { use: 0, solar: 0, import: 0, export: 0 };
  let costMinor = 0;
  for (let slot = dayS; slot < untilS; slot += 1800) {
    const minute = (slot - dayS) / 60;
    const mean = (f: (t: number) => number) => {
      let sum = 0;
      for (let t = slot; t < slot + 1800; t += 60) sum += f(t);
      return sum / 30;
    };
    const e = Object.fromEntries(Object.entries(FEEDS).map(([n, f]) => [n, (mean(f) * 0.5) / 1000]));
    for (const n of Object.keys(kwh)) kwh[n]! += e[n]!;
    const importPrice = minute < 450 ? 9.5 : 27.5;
    const exportPrice = minute >= 660 && minute < 780 ? 20 : 15;
    costMinor += e.import! * importPrice * 1.05 - e.export! * exportPrice;
  }
  return {
    totalMinor: costMinor + 53.2 * 1.05,
    selfSufficiency: (kwh.use! - kwh.import!) / kwh.use!,
    selfConsumption: (kwh.solar! - kwh.export!) / kwh.solar!,
  };
}

const money = (minor: number) =>
  new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' }).format(minor / 100);
const percent = (share: number) =>
  new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 0 }).format(share);

async function signIn(page: Page) {
  // The hub's clock is in January 2026, the browser's cookie jar on the real date: the session
  // cookie is kept for the browser's session instead of expiring by the hub's calendar.
  await page.route('**/api/v1/session', async (route) => {
    const response = await route.fetch();
    const cookie = response.headers()['set-cookie']?.replace(/;\s*(expires|max-age)=[^;]*/gi, '');
    await route.fulfill({
      response,
      headers: { ...response.headers(), ...(cookie ? { 'set-cookie': cookie } : {}) },
    });
  });
  await page.goto(hub.baseUrl);
  await page.getByLabel('Username').fill('ann');
  await page.getByLabel('Password').fill('ann-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function axeProblems(page: Page, where: string): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string }[] };
    const axe = (globalThis as unknown as { axe: { run(): Promise<Result> } }).axe;
    return (await axe.run()).violations.map((v) => `${v.impact} ${v.id}`);
  });
  return found.filter((v) => /^(serious|critical)/.test(v)).map((v) => `${where}: ${v}`);
}

describe('a solar household in a real browser: the figures are right', () => {
  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    hub = await startTestHub(teardown, { redisUrl: redis.url, clock, config: { timezone: 'Europe/London' } });
    admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    for (const [name, powerW] of Object.entries(FEEDS)) {
      const feed = await admin.request('POST', '/api/v1/feeds', { json: { name, intervalS: 60, unit: 'W' } });
      const id = (feed.body as { id: number }).id;
      const points = [];
      for (let t = FIRST_S; t < NOW_S; t += 60) points.push([t, powerW(t)]);
      for (let i = 0; i < points.length; i += 5000) {
        const res = await admin.request('POST', `/api/v1/feeds/${id}/points`, {
          json: { points: points.slice(i, i + 5000) },
        });
        assert.equal(res.status, 200, res.text);
      }
    }
    assert.equal((await admin.request('PUT', '/api/v1/tariff', { json: tariff })).status, 200);
    browser = await launchBrowser(teardown);
  });

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`shows today's cost, the grid and the solar ratios on a ${size} (${colorScheme})`, async () => {
        const context = await browser.newContext({ viewport, locale: 'en-GB', colorScheme, bypassCSP: true });
        const page = await context.newPage();
        await page.clock.setFixedTime(NOW_S * 1000);
        const shot = (name: string) =>
          page.screenshot({
            path: join(ARTIFACTS, `solar-${name}-${size}-${colorScheme}.png`),
            fullPage: true,
          });
        const problems: string[] = [];
        await signIn(page);
        await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

        const today = expectedDay(TODAY_S, NOW_S);
        await page
          .getByTestId('today-cost')
          .filter({ hasText: money(today.totalMinor) })
          .waitFor();
        assert.equal(
          await page.getByTestId('today-self-sufficiency').textContent(),
          percent(today.selfSufficiency),
        );
        assert.equal(
          await page.getByTestId('today-self-consumption').textContent(),
          percent(today.selfConsumption),
        );
        const lastS = NOW_S - 60;
        const gridW = FEEDS.import!(lastS) - FEEDS.export!(lastS);
        assert.ok(gridW < 0, 'the scenario exports at 13:59');
        await page
          .getByTestId('grid-now')
          .filter({ hasText: `Exporting ${Math.abs(gridW).toLocaleString('en-GB')} W` })
          .waitFor();
        await page
          .getByTestId('power-now')
          .filter({ hasText: houseW(lastS).toLocaleString('en-GB') })
          .waitFor();
        await page.getByTestId('today-flow').waitFor();
        await shot('dashboard');
        problems.push(...(await axeProblems(page, 'dashboard')));

        await page.getByRole('link', { name: 'Energy' }).click();
        await page.getByRole('heading', { name: 'January 2026', exact: true }).waitFor();
        await page.getByRole('button', { name: /^Day 20:/ }).click();
        await page.getByRole('heading', { name: 'Half-hours of 20 Jan' }).waitFor();
        assert.equal(await page.getByTestId('day-total').textContent(), money(today.totalMinor));
        assert.equal(
          await page.getByTestId('day-self-sufficiency').textContent(),
          percent(today.selfSufficiency),
        );
        const yesterday = expectedDay(TODAY_S - DAY_S, TODAY_S);
        await page.getByRole('button', { name: /^Day 19:/ }).click();
        await page.getByRole('heading', { name: 'Half-hours of 19 Jan' }).waitFor();
        await page
          .getByTestId('day-total')
          .filter({ hasText: money(yesterday.totalMinor) })
          .waitFor();
        assert.equal(
          await page.getByTestId('day-self-consumption').textContent(),
          percent(yesterday.selfConsumption),
        );
        // Days to come and days before the hub existed cannot be opened and are not charged.
        assert.ok(await page.getByRole('button', { name: 'Day 21: still to come' }).isDisabled());
        assert.ok(await page.getByRole('button', { name: 'Day 14: no data' }).isDisabled());
        await page.getByTestId('month-table').getByText('Standing charge (6 days with data)').waitFor();
        await shot('energy');
        problems.push(...(await axeProblems(page, 'energy')));
        assert.deepEqual(problems, []);
        await context.close();
      });
    }
  }

  it('labels dates and times the Welsh way, never in US format', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone, locale: 'en-US' });
    const page = await context.newPage();
    await page.clock.setFixedTime(NOW_S * 1000);
    await signIn(page);
    await page.getByLabel('Language').selectOption('cy');
    await page.getByRole('link', { name: 'Ynni' }).click();
    // Debian's Chromium has no Welsh locale data: the app then falls back to en-GB (day before
    // month, 24-hour), not to the browser's US default (this browser says en-US).
    await page.getByRole('heading', { name: /^(Ionawr|January) 2026$/ }).waitFor();
    await page.getByRole('button', { name: /^Diwrnod 20:/ }).click();
    await page.getByRole('heading', { name: /^Hanner oriau 20 (Ion|Jan)$/ }).waitFor();
    await page.getByRole('img', { name: /^13:30: [\d.,]+ kWh$/ }).waitFor();
    await page.getByRole('link', { name: 'Hanes' }).click();
    await page.getByLabel('Ffrwd', { exact: true }).selectOption({ label: 'use' });
    await page.getByRole('button', { name: 'Diwrnod' }).click();
    await page.locator('.chart canvas').waitFor();
    // uPlot draws its tick labels on the canvas: see the screenshot (not asserted here).
    await page.screenshot({ path: join(ARTIFACTS, 'solar-history-welsh-phone.png'), fullPage: true });
    await context.close();
  });
});
