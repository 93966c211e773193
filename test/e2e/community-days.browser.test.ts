import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ManualClock } from '../../src/shared/clock.js';
import { ARTIFACTS, launchBrowser, VIEWPORTS } from '../helpers/browser.js';
import type { HttpClient } from '../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../helpers/hub.js';
import { mqttClient } from '../helpers/mqtt.js';
import { ROOT, until } from '../helpers/processes.js';
import { useTeardown } from '../helpers/teardown.js';

// The Community page's past days in a real browser (issue 14 item 10): a meter gateway's hydro
// (40 kW) and community (20 kW) profiles, sent 30 and 6 hours ago on the hub's clock, and a
// household using 1 kW; the page shows yesterday's kWh and the household's 5 % share, on a phone.
const teardown = useTeardown();
const AXE = join(ROOT, 'node_modules/axe-core/axe.min.js');
const SLOT_S = 1800;
const NOW_MS = Date.now(); // the browser's session cookie lives in real time
const NOW_S = Math.floor(NOW_MS / 1000);
const clock = new ManualClock(NOW_MS - 30 * 3600_000);
let hub: TestHub;
let admin: HttpClient;
let browser: Browser;

const slotOf = (s: number) => Math.floor(s / SLOT_S) * SLOT_S;
const YESTERDAY_S = Math.floor(NOW_S / 86_400) * 86_400 - 86_400; // the hub runs on UTC here
const FIRST_SLOT_S = slotOf(NOW_S - 30 * 3600);

async function publishProfiles(gw: Awaited<ReturnType<typeof mqttClient>>) {
  const start = slotOf(clock.nowMs() / 1000);
  for (const [name, kW] of [
    ['hydro', 40],
    ['community', 20],
  ] as const) {
    const profile = { start, interval: SLOT_S, unit: 'kW', values: new Array<number>(48).fill(kW) };
    await gw.publishAsync(`gateway/gw/signals/${name}`, JSON.stringify(profile), { qos: 1, retain: true });
  }
}

const pointsWritten = () =>
  hub.hub.readiness().components['signal-feeds']?.detail?.pointsWritten as number | undefined;

async function axeProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
    const axe = (globalThis as unknown as { axe: { run(): Promise<Result> } }).axe;
    return (await axe.run()).violations.map(
      (v) => `${v.impact} ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  });
  return violations.filter((v) => /^(serious|critical)/.test(v));
}

describe("the Community page's past days in the browser", () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, { clock, config: { timezone: 'UTC' } }));
    const res = await admin.request('POST', '/api/v1/devices', {
      json: { name: 'Meter gateway', kind: 'gateway', topicName: 'gw' },
    });
    assert.equal(res.status, 201, res.text);
    const login = res.body as { mqttUsername: string; secret: string };
    const gw = await mqttClient(teardown, `mqtt://127.0.0.1:${hub.mqttPort}`, {
      username: login.mqttUsername,
      password: login.secret,
    });
    await publishProfiles(gw);
    await until(() => pointsWritten() === 2 * 48, 5000, 'the first profiles kept');
    clock.jump(24 * 3600_000);
    await publishProfiles(gw);
    await until(() => pointsWritten() === 4 * 48, 5000, 'the second profiles kept');
    clock.jump(NOW_MS - clock.nowMs());
    const feed = await admin.request('POST', '/api/v1/feeds', {
      json: { name: 'use', intervalS: 60, unit: 'W' },
    });
    const id = (feed.body as { id: number }).id;
    const points: [number, number][] = [];
    for (let t = YESTERDAY_S; t < NOW_S - 60; t += 60) points.push([t, 1000]);
    for (let i = 0; i < points.length; i += 5000) {
      const posted = await admin.request('POST', `/api/v1/feeds/${id}/points`, {
        json: { points: points.slice(i, i + 5000) },
      });
      assert.equal(posted.status, 200, posted.text);
    }
    browser = await launchBrowser(teardown);
  });

  it("shows yesterday's river and community kWh and the household's share, as a table on a phone", async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone, locale: 'en-GB', bypassCSP: true });
    const page = await context.newPage();
    await page.goto(hub.baseUrl);
    await page.getByLabel('Username').fill('ann');
    await page.getByLabel('Password').fill('ann-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByRole('link', { name: 'Community' }).click();
    const card = page.getByRole('region', { name: 'Past days' });
    await card.getByTestId('past-days-table').waitFor();
    await card.getByTestId('past-days-chart').waitFor();

    const yesterday = card.locator(`tr[data-day="${YESTERDAY_S}"]`);
    const cell = async (figure: string) =>
      ((await yesterday.locator(`td[data-figure="${figure}"]`).textContent()) ?? '').trim();
    const hydroHours = (YESTERDAY_S + 86_400 - Math.max(YESTERDAY_S, FIRST_SLOT_S)) / 3600;
    const kWh = (v: number) => new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 }).format(v);
    const partial = hydroHours < 24 ? ` (${hydroHours} h of 24)` : '';
    assert.equal(await cell('hydro'), `${kWh(40 * hydroHours)}${partial}`);
    assert.equal(await cell('community'), `${kWh(20 * hydroHours)}${partial}`);
    assert.equal(await cell('household'), '24');
    assert.equal(await cell('share'), '5 %');
    // Two days before yesterday, before the first profile (at most 30 h ago): no figures, and why.
    const before = card.locator(`tr[data-day="${YESTERDAY_S - 2 * 86_400}"]`);
    assert.equal(
      ((await before.locator('td[data-figure="hydro"]').textContent()) ?? '').trim(),
      '– (no data)',
    );
    // On a phone each figure is labelled in its row (the header row is for screen readers).
    assert.equal(
      await yesterday
        .locator('td[data-figure="share"]')
        .evaluate(
          (td) =>
            (
              globalThis as unknown as { getComputedStyle(e: unknown, p: string): { content: string } }
            ).getComputedStyle(td, '::before').content,
        ),
      '"Household share"',
    );
    assert.deepEqual(await axeProblems(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'community-days-phone.png'), fullPage: true });

    await page.getByLabel('Language').selectOption('cy');
    await page.getByRole('region', { name: 'Dyddiau a fu' }).waitFor();
    await page.getByLabel('Iaith').selectOption('en');
    await context.close();
  });
});
