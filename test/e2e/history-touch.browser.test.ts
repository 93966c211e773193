import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, BrowserContext, CDPSession, Page, Request } from 'playwright-core';
import { ARTIFACTS, launchBrowser, VIEWPORTS } from '../helpers/browser.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { until } from '../helpers/processes.js';
import { startRedis } from '../helpers/redis-server.js';
import { useTeardown } from '../helpers/teardown.js';

// The history chart on a phone: fingers zoom it, it follows rotation, a failed load says so.
const teardown = useTeardown();
const DAY_S = 86_400;
let browser: Browser;
let hub: TestHub;
let feedId: number;

type Range = { startS: number; endS: number };
const rangeOf = (request: Request): Range => {
  const url = new URL(request.url());
  return { startS: Number(url.searchParams.get('start')), endS: Number(url.searchParams.get('end')) };
};
const isData = (request: Request) => request.url().includes(`/api/v1/feeds/${feedId}/data`);
// The dashboard's own last-day requests may still be in flight: the chart's first load is the day
// the page opens on, and a zoom is anything narrower.
const isDay = (request: Request) => isData(request) && width(rangeOf(request)) === DAY_S;
const isZoom = (request: Request) => isData(request) && width(rangeOf(request)) < DAY_S;
const width = (range: Range) => range.endS - range.startS;

/** A phone with a touch screen, signed in, on History showing the last day of one feed. */
async function historyOnPhone(): Promise<{
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  day: Range;
}> {
  const context = await browser.newContext({ viewport: VIEWPORTS.phone, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await page.goto(hub.baseUrl);
  await page.getByLabel('Username').fill('ann');
  await page.getByLabel('Password').fill('ann-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  const first = page.waitForRequest(isDay);
  await page.getByRole('link', { name: 'History' }).click();
  const day = rangeOf(await first);
  await page.locator('.chart[data-drawn="1"] .u-over').waitFor();
  return { context, page, cdp: await context.newCDPSession(page), day };
}

async function plotBox(page: Page) {
  const box = await page.locator('.chart .u-over').boundingBox();
  assert.ok(box, 'the plot area is on screen');
  return box;
}

type Point = { x: number; y: number };
/** Real touch events from Chromium's input pipeline: fingers go down, move in steps, lift. */
async function gesture(cdp: CDPSession, from: Point[], to: Point[], steps = 8) {
  const at = (k: number) =>
    from.map((p, id) => ({
      id,
      x: p.x + ((to[id]!.x - p.x) * k) / steps,
      y: p.y + ((to[id]!.y - p.y) * k) / steps,
    }));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0) });
  for (let k = 1; k <= steps; k++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(k) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

describe('history on a touch screen', () => {
  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    hub = await startTestHub(teardown, { redisUrl: redis.url });
    const admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    const feed = await admin.request('POST', '/api/v1/feeds', {
      json: { name: 'use', intervalS: 60, unit: 'W' },
    });
    feedId = (feed.body as { id: number }).id;
    const endS = Math.floor(Date.now() / 1000 / 60) * 60;
    const points = Array.from({ length: 1440 }, (_, i) => [endS - (1440 - i) * 60, 500 + (i % 300)]);
    const res = await admin.request('POST', `/api/v1/feeds/${feedId}/points`, { json: { points } });
    assert.equal(res.status, 200, res.text);
    browser = await launchBrowser(teardown);
  });

  it('a finger slid across the chart shows the range it covered', async () => {
    const { context, page, cdp, day } = await historyOnPhone();
    const box = await plotBox(page);
    const y = box.y + box.height / 2;
    const next = page.waitForRequest(isZoom);
    // From a quarter to three quarters of the way across: the middle half of the day.
    await gesture(cdp, [{ x: box.x + box.width / 4, y }], [{ x: box.x + (box.width * 3) / 4, y }]);
    const zoomed = rangeOf(await next);
    const pxS = DAY_S / box.width;
    assert.ok(
      Math.abs(zoomed.startS - (day.startS + DAY_S / 4)) < 3 * pxS,
      `start ${zoomed.startS - day.startS}`,
    );
    assert.ok(
      Math.abs(zoomed.endS - (day.startS + (DAY_S * 3) / 4)) < 3 * pxS,
      `end ${zoomed.endS - day.startS}`,
    );
    await page.locator('.chart[data-drawn="2"] canvas').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'history-touch-zoomed-phone.png'), fullPage: true });
    await context.close();
  });

  it('two fingers spreading apart zoom in around their centre', async () => {
    const { context, page, cdp, day } = await historyOnPhone();
    const box = await plotBox(page);
    const y = box.y + box.height / 2;
    const mid = box.x + box.width / 2;
    const next = page.waitForRequest(isZoom);
    // Fingers 60 px apart spread to 240 px: a quarter of the day, centred where it was.
    await gesture(
      cdp,
      [
        { x: mid - 30, y },
        { x: mid + 30, y },
      ],
      [
        { x: mid - 120, y },
        { x: mid + 120, y },
      ],
    );
    const zoomed = rangeOf(await next);
    const width = zoomed.endS - zoomed.startS;
    assert.ok(Math.abs(width - DAY_S / 4) < 120, `a quarter of a day, not ${width} s`);
    const centre = (zoomed.startS + zoomed.endS) / 2;
    assert.ok(Math.abs(centre - (day.startS + day.endS) / 2) < 120, 'centred where the fingers were');
    await context.close();
  });

  it('the chart follows the phone turned sideways', async () => {
    const { context, page } = await historyOnPhone();
    const widths = () =>
      page.evaluate<{ chart: number; plot: number }>(`({
        chart: document.querySelector('.chart').clientWidth,
        plot: document.querySelector('.chart .uplot').getBoundingClientRect().width,
      })`);
    const upright = await widths();
    assert.ok(Math.abs(upright.plot - upright.chart) <= 1, JSON.stringify(upright));
    await page.setViewportSize({ width: VIEWPORTS.phone.height, height: VIEWPORTS.phone.width });
    await until(
      async () => {
        const sideways = await widths();
        return sideways.chart > upright.chart + 200 && Math.abs(sideways.plot - sideways.chart) <= 1;
      },
      3000,
      'the chart to fill the wider screen',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'history-sideways-phone.png'), fullPage: true });
    await context.close();
  });

  it('a failed load shows its error in place of the old chart', async () => {
    const { context, page } = await historyOnPhone();
    await page.route(`**/api/v1/feeds/${feedId}/data*`, (route) =>
      route.fulfill({
        status: 500,
        contentType: 'application/json',
        body: '{"error":"storage unavailable"}',
      }),
    );
    await page.getByRole('button', { name: 'Week' }).click();
    await page.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
    assert.equal(await page.locator('.chart canvas').count(), 0, 'the stale chart is gone');
    assert.ok(await page.getByRole('alert').isVisible());
    await page.screenshot({ path: join(ARTIFACTS, 'history-error-phone.png'), fullPage: true });
    await context.close();
  });
});
