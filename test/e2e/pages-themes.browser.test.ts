import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { InputJson } from '../../src/api/contract.js';
import { ARTIFACTS, launchBrowser, VIEWPORTS } from '../helpers/browser.js';
import type { HttpClient } from '../helpers/http-client.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { mqttClient } from '../helpers/mqtt.js';
import { ROOT, until } from '../helpers/processes.js';
import { startRedis } from '../helpers/redis-server.js';
import { useTeardown } from '../helpers/teardown.js';

// Every page at both sizes, light and dark: a screenshot each in test-results/ and no serious or
// critical axe-core finding on any of them (dark mode has its own colours to get wrong).
const teardown = useTeardown();
const AXE = join(ROOT, 'node_modules/axe-core/axe.min.js');
const DAY_S = 86_400;
let browser: Browser;
let hub: TestHub;
let admin: HttpClient;

const solarW = (t: number) =>
  Math.round(Math.max(0, 3000 * Math.sin((((t % DAY_S) / 3600 - 8) / 8) * Math.PI)));
const FEEDS: Record<string, (t: number) => number> = {
  use: (t) => 400 + (Math.floor(t / 900) % 5) * 150,
  solar: solarW,
  import: (t) => Math.max(0, 400 + (Math.floor(t / 900) % 5) * 150 - solarW(t)),
  export: (t) => Math.max(0, solarW(t) - 400 - (Math.floor(t / 900) % 5) * 150),
};

/** Each page, how to know it has drawn its data. */
const PAGES: { name: string; ready: (page: Page) => Promise<void> }[] = [
  { name: 'dashboard', ready: (p) => p.getByTestId('today-cost').filter({ hasText: '£' }).waitFor() },
  { name: 'energy', ready: (p) => p.locator('.bar-button').first().waitFor() },
  { name: 'history', ready: (p) => p.locator('.chart canvas').waitFor() },
  { name: 'inputs', ready: (p) => p.getByText('power', { exact: true }).first().waitFor() },
  { name: 'settings', ready: (p) => p.getByRole('button', { name: 'Save tariff' }).waitFor() },
];

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

describe('every page, both sizes, light and dark', () => {
  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    hub = await startTestHub(teardown, { redisUrl: redis.url, config: { timezone: 'Europe/London' } });
    admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    const endS = Math.floor(Date.now() / 1000 / 60) * 60;
    for (const [name, powerW] of Object.entries(FEEDS)) {
      const feed = await admin.request('POST', '/api/v1/feeds', { json: { name, intervalS: 60, unit: 'W' } });
      const id = (feed.body as { id: number }).id;
      const points = Array.from({ length: 3 * 1440 }, (_, i) => {
        const t = endS - (3 * 1440 - i) * 60;
        return [t, powerW(t)];
      });
      for (let i = 0; i < points.length; i += 5000) {
        const res = await admin.request('POST', `/api/v1/feeds/${id}/points`, {
          json: { points: points.slice(i, i + 5000) },
        });
        assert.equal(res.status, 200, res.text);
      }
    }
    const tariff = {
      currency: 'GBP',
      standingChargeMinorPerDay: 53.2,
      vatPercent: 5,
      bands: [{ name: 'Flat', start: '00:00', end: '00:00', priceMinorPerKWh: 24.5 }],
    };
    assert.equal((await admin.request('PUT', '/api/v1/tariff', { json: tariff })).status, 200);
    const meter = await mqttClient(teardown, `mqtt://127.0.0.1:${hub.mqttPort}`, {
      username: 'ann',
      password: 'ann-password',
    });
    await meter.publishAsync('emon/house/power', '640', { qos: 1 });
    await until(
      async () => ((await admin.request('GET', '/api/v1/inputs')).body as InputJson[]).length === 1,
      3000,
      'the input',
    );
    browser = await launchBrowser(teardown);
  });

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`${size}, ${colorScheme}: a screenshot of each page, axe clean`, async () => {
        // The hub's CSP forbids injected scripts; axe-core is test tooling, so this context bypasses it.
        const context = await browser.newContext({ viewport, locale: 'en-GB', colorScheme, bypassCSP: true });
        const page = await context.newPage();
        await page.goto(hub.baseUrl);
        await page.getByLabel('Username').fill('ann');
        await page.getByLabel('Password').fill('ann-password');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
        const problems: string[] = [];
        for (const { name, ready } of PAGES) {
          await page.goto(`${hub.baseUrl}/#/${name}`);
          await ready(page);
          await page.screenshot({
            path: join(ARTIFACTS, `${name}-${size}-${colorScheme}.png`),
            fullPage: true,
          });
          problems.push(...(await axeProblems(page, name)));
        }
        assert.deepEqual(problems, []);
        await context.close();
      });
    }
  }
});
