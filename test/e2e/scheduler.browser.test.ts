import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import type { DevicePlanJson, DeviceScheduleJson, DeviceView, SignalsView } from '../../src/api/contract.js';
import { ARTIFACTS, launchBrowser, VIEWPORTS } from '../helpers/browser.js';
import type { HttpClient } from '../helpers/http-client.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { mqttClient } from '../helpers/mqtt.js';
import { ROOT, until } from '../helpers/processes.js';
import { startRedis } from '../helpers/redis-server.js';
import { useTeardown } from '../helpers/teardown.js';

// The demand shaper in the app (issue 14, items 9–10) against the whole hub: a Tasmota plug on its
// own login, a meter gateway publishing a day-ahead price, a smart schedule set on the device's
// page, its plan drawn on the signal with the cost against running now, and the Community page.
const teardown = useTeardown();
const AXE = join(ROOT, 'node_modules/axe-core/axe.min.js');
const SLOT_S = 1800;
let browser: Browser;
let hub: TestHub;
let admin: HttpClient;
let plugId: number;
let plug: MqttClient;
let startS: number;

/** 48 half-hours from this hour: dear now, falling to 30.5p, six at 5p from +10 h, then rising. */
function prices(): number[] {
  return Array.from({ length: 48 }, (_, i) => (i < 20 ? 40 - i / 2 : i < 26 ? 5 : 30 + (i - 26) / 2));
}

async function addDevice(name: string, kind: string, topicName: string) {
  const res = await admin.request('POST', '/api/v1/devices', { json: { name, kind, topicName } });
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

const hhmm = (s: number) => new Date(s * 1000).toISOString().slice(11, 16);

describe('the demand shaper in the app', () => {
  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    hub = await startTestHub(teardown, { redisUrl: redis.url, config: { timezone: 'UTC' } });
    admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    await admin.request('POST', '/api/v1/users', {
      json: { username: 'vic', password: 'vic-password', role: 'viewer' },
    });
    // A Tasmota plug, online and off, answering its POWER commands.
    const login = await addDevice('Washing machine', 'tasmota', 'wash');
    plugId = login.device.id;
    const client = await mqttClient(teardown, `mqtt://127.0.0.1:${hub.mqttPort}`, {
      username: login.mqttUsername,
      password: login.secret,
    });
    plug = client;
    client.on('message', (topic, payload) => {
      if (topic === 'cmnd/wash/POWER')
        void client.publishAsync(
          'stat/wash/RESULT',
          JSON.stringify({ POWER: payload.toString().toUpperCase() }),
        );
    });
    await client.subscribeAsync('cmnd/wash/#', { qos: 1 });
    await client.publishAsync('tele/wash/LWT', 'Online', { qos: 1, retain: true });
    await client.publishAsync('stat/wash/RESULT', JSON.stringify({ POWER: 'OFF' }), { qos: 1 });
    // The meter gateway's day-ahead price, retained, from this hour for 24 h.
    const gateway = await addDevice('Meter gateway', 'gateway', 'gw');
    const gw = await mqttClient(teardown, `mqtt://127.0.0.1:${hub.mqttPort}`, {
      username: gateway.mqttUsername,
      password: gateway.secret,
    });
    startS = Math.floor(Date.now() / 1000 / 3600) * 3600;
    const profile = { start: startS, interval: SLOT_S, unit: 'p/kWh', values: prices() };
    await gw.publishAsync('gateway/gw/signals/price', JSON.stringify(profile), { qos: 1, retain: true });
    await until(
      async () => {
        const view = (await admin.request('GET', '/api/v1/signals')).body as SignalsView;
        return view.signals.find((s) => s.name === 'price')?.signal !== null;
      },
      5000,
      'the price signal taken',
    );
    browser = await launchBrowser(teardown);
  });

  it('an admin sets a smart schedule; the plan is drawn on the price with its cost; a reload keeps it', async () => {
    const context = await browser.newContext({
      viewport: VIEWPORTS.desktop,
      locale: 'en-GB',
      bypassCSP: true,
    });
    const page = await context.newPage();
    await signIn(page, 'ann', 'ann-password');
    await page.goto(`${hub.baseUrl}/#/devices/${plugId}`);
    await page.getByRole('heading', { name: 'Washing machine', level: 1 }).waitFor();
    const card = page.getByRole('region', { name: 'Schedule' });
    await card.getByLabel('By hand only (no schedule)').waitFor();
    assert.equal(await card.getByLabel('By hand only (no schedule)').isChecked(), true);
    await card.getByLabel('Smart: ready by a time, in the best hours').check();

    // What the form refuses, in words, before anything is sent.
    await card.getByRole('spinbutton', { name: 'Hours' }).fill('0');
    await card.getByRole('spinbutton', { name: 'Minutes' }).fill('0');
    await card.getByRole('button', { name: 'Set schedule' }).click();
    await card.getByRole('alert').filter({ hasText: 'Run for must be more than 0' }).waitFor();

    const readyByS = startS + 20 * 3600;
    await card.getByLabel('Ready by', { exact: true }).fill(hhmm(readyByS));
    await card.getByRole('spinbutton', { name: 'Hours' }).fill('2');
    await card.getByRole('spinbutton', { name: 'Minutes' }).fill('30');
    // Every day, so that a period lies within the day-ahead price whatever today is.
    for (const day of ['Saturday', 'Sunday']) {
      const chip = card.getByRole('button', { name: day });
      if ((await chip.getAttribute('aria-pressed')) === 'false') await chip.click();
      assert.equal(await chip.getAttribute('aria-pressed'), 'true');
    }
    await card.getByRole('button', { name: 'Set schedule' }).click();
    await card.getByRole('status').filter({ hasText: 'Schedule set.' }).waitFor();

    const stored = (await admin.request('GET', `/api/v1/devices/${plugId}/schedule`))
      .body as DeviceScheduleJson;
    assert.deepEqual(stored.schedule, {
      mode: 'smart',
      smart: {
        readyBy: hhmm(readyByS),
        runMinutes: 150,
        interruptible: false,
        minOnMinutes: 0,
        minGapMinutes: 0,
        repeat: [0, 1, 2, 3, 4, 5, 6],
        onceDate: null,
        energyKWh: null,
        rangeKm: null,
        whPerKm: 170,
        powerW: null,
      },
    });
    // The 5p hours from +10 h: one block of 2.5 h, later window on a tie (10:30–13:00 from the start).
    const plan = (await admin.request('GET', `/api/v1/devices/${plugId}/plan`)).body as DevicePlanJson;
    assert.deepEqual(plan.plan?.intervals, [{ startS: startS + 21 * SLOT_S, endS: startS + 26 * SLOT_S }]);
    const shown = page.getByRole('region', { name: 'Plan' });
    await shown
      .getByTestId('plan-intervals')
      .filter({ hasText: `Planned to run: ${hhmm(startS + 21 * SLOT_S)}–${hhmm(startS + 26 * SLOT_S)}` })
      .waitFor();
    const chart = shown.getByTestId('plan-chart');
    assert.equal(await chart.getAttribute('data-marked'), '5', 'the five planned half-hours highlighted');
    assert.match((await chart.getAttribute('aria-label')) ?? '', /highlighted slots: \d\d:\d\d–\d\d:\d\d/);
    // 2.5 h at 5p at the default 1 kW against the same from now (the hub's figures, in pence).
    assert.equal(plan.signal?.unit, 'p/kWh');
    assert.equal(plan.plan?.cost, 12.5);
    assert.equal(
      (await shown.getByTestId('plan-cost').textContent())?.trim(),
      `Expected cost about 13p, ${Math.round(plan.plan.runNowCost)}p if run now.`,
    );
    assert.equal(await shown.getByTestId('plan-no-signal').count(), 0);
    assert.deepEqual(await axeProblems(page, 'device page with a schedule'), []);
    await page.screenshot({ path: join(ARTIFACTS, 'schedule-desktop.png'), fullPage: true });

    await page.reload();
    await page.getByRole('heading', { name: 'Washing machine', level: 1 }).waitFor();
    const again = page.getByRole('region', { name: 'Schedule' });
    await again.getByLabel('Smart: ready by a time, in the best hours').waitFor();
    assert.equal(await again.getByLabel('Smart: ready by a time, in the best hours').isChecked(), true);
    assert.equal(await again.getByLabel('Ready by', { exact: true }).inputValue(), hhmm(readyByS));
    assert.equal(await again.getByRole('spinbutton', { name: 'Hours' }).inputValue(), '2');
    assert.equal(await again.getByRole('spinbutton', { name: 'Minutes' }).inputValue(), '30');
    await page.getByRole('region', { name: 'Plan' }).getByTestId('plan-chart').waitFor();

    // Switched on at the plug itself while the plan wants it off: the schedule pauses, and the app
    // says until when (the hub's pausedUntilMs). Pressed on, off and on: the runner takes a report
    // as a switch by hand once it has seen the plug's state since the schedule was set.
    for (const power of ['ON', 'OFF', 'ON']) {
      await plug.publishAsync('stat/wash/POWER', power, { qos: 1 });
      await until(
        async () => {
          const res = await admin.request('GET', `/api/v1/devices/${plugId}`);
          return (res.body as DeviceView).state.relays[0] === (power === 'ON');
        },
        3000,
        `the plug reported ${power}`,
      );
    }
    const paused = page.getByRole('region', { name: 'Plan' }).getByTestId('plan-paused');
    await paused.waitFor();
    const after = (await admin.request('GET', `/api/v1/devices/${plugId}/plan`)).body as DevicePlanJson;
    assert.ok(after.pausedUntilMs !== null && after.pausedUntilMs > Date.now(), 'paused by the hub');
    const untilS = after.pausedUntilMs / 1000;
    const day = new Date(untilS * 1000).toISOString().slice(0, 10) === new Date().toISOString().slice(0, 10);
    assert.match(
      (await paused.textContent()) ?? '',
      new RegExp(
        `^Paused after you switched it by hand; back to the schedule at ${day ? '' : '\\d+ \\w+ '}${hhmm(untilS)}\\.$`,
      ),
    );
    assert.equal(await page.getByTestId('plan-problem').count(), 0, 'said once, in the app’s words');

    await page.getByLabel('Language').selectOption('cy');
    await page
      .getByRole('region', { name: 'Amserlen' })
      .getByRole('button', { name: 'Gosod yr amserlen' })
      .waitFor();
    await page.getByLabel('Iaith').selectOption('en');
    await context.close();
  });

  it('a viewer reads the schedule, the plan and the Community page, with nothing to change', async () => {
    const context = await browser.newContext({
      viewport: VIEWPORTS.phone,
      locale: 'en-GB',
      colorScheme: 'dark',
      bypassCSP: true,
    });
    const page = await context.newPage();
    await signIn(page, 'vic', 'vic-password');
    await page.goto(`${hub.baseUrl}/#/devices/${plugId}`);
    const card = page.getByRole('region', { name: 'Schedule' });
    const text = card.getByTestId('schedule-text');
    await text.waitFor();
    assert.equal(
      (await text.textContent())?.trim(),
      `Ready by ${hhmm(startS + 20 * 3600)}, runs for 2 h 30 min. In one block. Repeats every day.`,
    );
    assert.equal(await card.getByRole('button').count(), 0, 'no controls for a viewer');
    assert.equal(await card.getByRole('radio').count(), 0);
    await page.getByRole('region', { name: 'Plan' }).getByTestId('plan-chart').waitFor();
    assert.deepEqual(await axeProblems(page, 'device page, viewer, dark'), []);
    await page.screenshot({ path: join(ARTIFACTS, 'schedule-viewer-phone.png'), fullPage: true });
    await page.getByRole('link', { name: 'Community' }).click();
    await page.getByTestId('good-light').waitFor();
    assert.equal(await page.getByRole('region', { name: 'What the household optimises' }).count(), 0);
    assert.deepEqual(await axeProblems(page, 'community, viewer, dark'), []);
    await context.close();
  });

  it('the Community page says hydro is missing and lights "good time" from the price', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone, locale: 'en-GB', bypassCSP: true });
    const page = await context.newPage();
    await signIn(page, 'ann', 'ann-password');
    await page.getByRole('link', { name: 'Community' }).click();
    await page.getByRole('heading', { name: 'Community', level: 1 }).waitFor();
    const hydro = page.getByTestId('signal-hydro');
    await hydro.waitFor();
    assert.match((await hydro.textContent()) ?? '', /^Missing: no hydro generation forecast yet\./);
    assert.equal(await hydro.locator('[data-stale="true"]').count(), 1);
    // Now is at the dear start of the day: not among the cheapest third of the next 24 h.
    const light = page.getByTestId('good-light');
    assert.equal(await light.getAttribute('data-light'), 'wait');
    assert.match((await light.textContent()) ?? '', /^Not the best time now\. Next good time: \d\d:\d\d\.$/);
    const card = page.getByRole('region', { name: 'Good time to use electricity' });
    assert.match(
      (await card.textContent()) ?? '',
      /best third of the next 24 hours of what the household optimises: price/,
    );
    assert.match((await card.locator('.sources').textContent()) ?? '', /price: Up to date: received/);
    assert.ok(Number(await page.getByTestId('good-chart').getAttribute('data-marked')) >= 15);
    assert.deepEqual(await axeProblems(page, 'community'), []);
    await page.screenshot({ path: join(ARTIFACTS, 'community-phone.png'), fullPage: true });

    // An admin mixes in hydro: saved, and said to be missing.
    const target = page.getByRole('region', { name: 'What the household optimises' });
    await target.getByLabel('Weight of hydro').fill('1');
    await target.getByRole('button', { name: 'Save' }).click();
    await target.getByRole('status').filter({ hasText: 'Named but not there: hydro.' }).waitFor();
    const stored = (await admin.request('GET', '/api/v1/signals/target')).body as { terms: unknown[] };
    assert.deepEqual(stored.terms, [
      { signal: 'hydro', weight: 1 },
      { signal: 'price', weight: 1 },
    ]);
    await context.close();
  });
});
