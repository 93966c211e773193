import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { ManualClock } from '../../src/shared/clock.js';
import { ARTIFACTS, launchBrowser, VIEWPORTS } from '../helpers/browser.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { startRedis } from '../helpers/redis-server.js';
import { useTeardown } from '../helpers/teardown.js';

// One meter: 1 kW from Sunday 1 March 2026 and 2 kW from Monday 9th; nothing in March 2025. It is
// 15:10 on Wednesday 11 March 2026 (GMT). Flat 20 p/kWh, no VAT.
const teardown = useTeardown();
const utc = (y: number, m: number, d: number, h = 0, min = 0) => Date.UTC(y, m - 1, d, h, min) / 1000;
const NOW_S = utc(2026, 3, 11, 15, 10);
const clock = new ManualClock(NOW_S * 1000);
let browser: Browser;
let hub: TestHub;

async function signIn(page: Page) {
  // The hub's clock is in 2026, the browser's cookie jar on the real date (see solar-household).
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

describe('the Energy page compares this week and this month with earlier ones', () => {
  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    hub = await startTestHub(teardown, { redisUrl: redis.url, clock, config: { timezone: 'Europe/London' } });
    const admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    const feed = await admin.request('POST', '/api/v1/feeds', {
      json: { name: 'use', intervalS: 1800, unit: 'W' },
    });
    const id = (feed.body as { id: number }).id;
    const points = [];
    for (let t = utc(2026, 3, 1); t <= NOW_S; t += 1800) points.push([t, t < utc(2026, 3, 9) ? 1000 : 2000]);
    const res = await admin.request('POST', `/api/v1/feeds/${id}/points`, { json: { points } });
    assert.equal(res.status, 200, res.text);
    const tariff = {
      currency: 'GBP',
      standingChargeMinorPerDay: 50,
      vatPercent: 0,
      bands: [{ name: 'Flat', start: '00:00', end: '00:00', priceMinorPerKWh: 20 }],
    };
    assert.equal((await admin.request('PUT', '/api/v1/tariff', { json: tariff })).status, 200);
    browser = await launchBrowser(teardown);
  });

  it('shows the week against last week, "no data" for last year, and each day’s cost', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone, locale: 'en-GB', bypassCSP: true });
    const page = await context.newPage();
    await page.clock.setFixedTime(NOW_S * 1000);
    await signIn(page);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByRole('link', { name: 'Energy' }).click();
    await page.getByRole('heading', { name: 'March 2026', exact: true }).waitFor();

    // This week 126.3 kWh (£25.27) against last week's same days and hours 63.2 kWh (£12.63).
    const week = page.getByTestId('compare-week');
    await week.getByText('This week so far (9 Mar to 11 Mar) and the same days last week').waitFor();
    assert.equal(await page.getByTestId('compare-week-kwh-change').textContent(), '+63.2 kWh (+100%)');
    assert.equal(await page.getByTestId('compare-week-cost-change').textContent(), '+£12.63 (+100%)');
    await week.getByRole('cell', { name: '£25.27' }).waitFor();
    await week.getByRole('cell', { name: '£12.63', exact: true }).waitFor();
    const month = page.getByTestId('compare-month');
    await month.getByText('No data for March 2025').waitFor();
    assert.equal(await page.getByTestId('compare-month-kwh-change').count(), 0);

    // Each day's cost: 24 kWh at 20 p on the 2nd, 48 kWh on the 10th.
    await page.getByRole('button', { name: 'Cost' }).click();
    await page.getByRole('button', { name: 'Day 2: £4.80' }).waitFor();
    await page.getByRole('button', { name: 'Day 10: £9.60' }).waitFor();
    assert.equal(await page.getByTestId('bar-scale').first().locator('span').first().textContent(), '£10.00');
    await page.screenshot({ path: join(ARTIFACTS, 'energy-compare-phone.png'), fullPage: true });
    await page.getByRole('button', { name: 'kWh' }).click();
    await page.getByRole('button', { name: /^Day 10: 48(\.0)? kWh$/ }).waitFor();
    await context.close();
  });
});
