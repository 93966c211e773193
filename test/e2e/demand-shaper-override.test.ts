import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DevicePlanJson, ScheduleJson } from '../../src/api/contract.js';
import { GatewaySim, sampleProfiles, type GatewayProfile } from '../../scripts/sim/gateway-sim.js';
import { ShellySim } from '../../scripts/sim/shelly-sim.js';
import { TasmotaSim } from '../../scripts/sim/tasmota-sim.js';
import { ManualClock } from '../../src/shared/clock.js';
import type { HttpClient } from '../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../helpers/hub.js';
import { until } from '../helpers/processes.js';
import { useTeardown } from '../helpers/teardown.js';

// A switch by hand against a running plan, through the whole hub on the manual clock (issue 14
// item 8): two plugs on "weekdays, ready by 07:00, 2 h in one go" start at 01:00; at 01:30 one is
// switched off in the app (PUT /api/v1/devices/:id/state) and the other with its own button. The
// plan says so, the hub leaves both off for the rest of that period, and the next night both run
// as planned. What ran is read from the simulated relays.
const teardown = useTeardown();
const T0 = Date.parse('2026-11-24T17:00:00Z'); // Tuesday, London (GMT)
const clock = new ManualClock(T0);
let hub: TestHub;
let admin: HttpClient;
let url: string;

/** 48 half hours from midnight UTC of the day sent: 30p, 5p every night from 01:00 to 03:00. */
function profiles(dayStartS: number) {
  const values = Array.from({ length: 96 }, (_, i) => ((i % 48) / 2 >= 1 && (i % 48) / 2 < 3 ? 5 : 30));
  const price: GatewayProfile = { start: dayStartS, interval: 1800, unit: 'p/kWh', values };
  return { ...sampleProfiles(dayStartS), price };
}

interface Run {
  startS: number;
  endS: number | null;
}

const iso = (s: number) => new Date(s * 1000).toISOString().slice(5, 16);
const shown = (runs: Run[]) => runs.map((r) => `${iso(r.startS)}–${r.endS === null ? '…' : iso(r.endS)}`);

/** To `when` half hour by half hour (plans switch there), letting each step's switches finish. */
async function advanceTo(when: string) {
  while (clock.nowMs() < Date.parse(when)) {
    const nextMs = Math.min(Date.parse(when), (Math.floor(clock.nowMs() / 1_800_000) + 1) * 1_800_000);
    await clock.tickAsync(nextMs - clock.nowMs());
    await new Promise((resolve) => setTimeout(resolve, 10));
    for (let i = 0; i < 200 && hub.plans.busy(); i++) await new Promise((r) => setTimeout(r, 5));
    await clock.tickAsync(200);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('a switch by hand pauses a smart schedule for its period', () => {
  const ids: Record<string, number> = {};
  const runs: { app: Run[]; button: Run[]; onByHand: Run[] } = { app: [], button: [], onByHand: [] };
  let appPlug: TasmotaSim;
  let buttonPlug: ShellySim;
  let onPlug: TasmotaSim;
  const plan = async (id: number) =>
    (await admin.request('GET', `/api/v1/devices/${id}/plan`)).body as DevicePlanJson;

  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, { clock, config: { timezone: 'Europe/London' } }));
    url = `mqtt://127.0.0.1:${hub.mqttPort}`;
    const add = async (kind: string, topicName: string) => {
      const res = await admin.request('POST', '/api/v1/devices', {
        json: { name: topicName, kind, topicName },
      });
      assert.equal(res.status, 201, res.text);
      const body = res.body as { device: { id: number }; mqttUsername: string; secret: string };
      ids[topicName] = body.device.id;
      return { url, username: body.mqttUsername, password: body.secret };
    };
    const gateway = new GatewaySim({ name: 'gw', clock, profiles });
    teardown.add(() => gateway.stop());
    await gateway.start(await add('gateway', 'gw'));
    appPlug = new TasmotaSim({ topic: 'washer', clock, telePeriodS: 0 });
    buttonPlug = new ShellySim({ id: 'dishwasher', mac: 'A8032AB1C2F1', clock, statusNtf: false });
    onPlug = new TasmotaSim({ topic: 'dryer', clock, telePeriodS: 0 });
    for (const sim of [appPlug, buttonPlug, onPlug]) teardown.add(() => sim.stop());
    await appPlug.start(await add('tasmota', 'washer'));
    await buttonPlug.start(await add('shelly', 'dishwasher'));
    await onPlug.start(await add('tasmota', 'dryer'));
    const isOn = {
      app: () => appPlug.relays[0] === true,
      button: () => buttonPlug.output,
      onByHand: () => onPlug.relays[0] === true,
    };
    const watch = setInterval(() => {
      for (const key of ['app', 'button', 'onByHand'] as const) {
        const last = runs[key].at(-1);
        const open = last !== undefined && last.endS === null;
        if (isOn[key]() && !open) runs[key].push({ startS: clock.nowMs() / 1000, endS: null });
        if (!isOn[key]() && open) last.endS = clock.nowMs() / 1000;
      }
    }, 1);
    teardown.add(() => clearInterval(watch));
    await until(
      async () => (await hub.signals.list()).signals.some((s) => s.name === 'price' && !s.stale),
      5000,
      'the first profile',
    );
    const weekdays: ScheduleJson = {
      mode: 'smart',
      smart: {
        readyBy: '07:00',
        runMinutes: 120,
        interruptible: false,
        minOnMinutes: 0,
        minGapMinutes: 0,
        repeat: [1, 2, 3, 4, 5],
        onceDate: null,
        energyKWh: null,
        rangeKm: null,
        whPerKm: 170,
      },
    };
    for (const id of [ids.washer!, ids.dishwasher!, ids.dryer!]) {
      const res = await admin.request('PUT', `/api/v1/devices/${id}/schedule`, { json: weekdays });
      assert.equal(res.status, 200, res.text);
    }
  });

  it('switched on with its button while its plan says off: the plan says so, it is left on', async () => {
    await advanceTo('2026-11-24T20:00:00Z');
    await onPlug.press();
    await until(async () => (await plan(ids.dryer!)).pausedUntilMs !== null, 5000, 'the dryer paused');
    const view = await plan(ids.dryer!);
    assert.equal(view.pausedUntilMs, Date.parse('2026-11-25T07:00:00Z'));
    assert.match(view.problem ?? '', /^switched by hand/);
    await advanceTo('2026-11-25T01:30:00Z');
    assert.deepEqual(shown(runs.onByHand), ['11-24T20:00–…'], 'not switched off by the hub');
  });

  it('switched off in the app and with the button during its block: the plan says so, both stay off', async () => {
    await advanceTo('2026-11-25T01:30:00Z');
    assert.deepEqual([shown(runs.app), shown(runs.button)], [['11-25T01:00–…'], ['11-25T01:00–…']]);
    const res = await admin.request('PUT', `/api/v1/devices/${ids.washer}/state?wait=1`, {
      json: { on: false },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body as { status: string }).status, 'confirmed', res.text);
    await buttonPlug.press();
    await until(() => !appPlug.relays[0] && !buttonPlug.output, 5000, 'both off');
    for (const id of [ids.washer!, ids.dishwasher!])
      await until(async () => (await plan(id)).pausedUntilMs !== null, 5000, `device ${id} paused`);
    for (const id of [ids.washer!, ids.dishwasher!]) {
      const view = await plan(id);
      assert.equal(view.pausedUntilMs, Date.parse('2026-11-25T07:00:00Z'), `device ${id}`);
      assert.match(view.problem ?? '', /^switched by hand/, `device ${id}`);
    }
    await advanceTo('2026-11-25T07:30:00Z');
    assert.deepEqual(shown(runs.app), ['11-25T01:00–11-25T01:30']);
    assert.deepEqual(shown(runs.button), ['11-25T01:00–11-25T01:30']);
    // On by hand from 20:00 to its ready-by, when the pause ended and its schedule took it back.
    assert.deepEqual(shown(runs.onByHand), ['11-24T20:00–11-25T07:00']);
    for (const id of [ids.washer!, ids.dishwasher!, ids.dryer!]) {
      const view = await plan(id);
      assert.equal(view.pausedUntilMs, null, `device ${id}: no longer paused`);
      // (Thursday's plan waits for the evening profile, and says that instead.)
      assert.doesNotMatch(view.problem ?? '', /switched by hand/, `device ${id}`);
    }
  });

  it('the next period all three run as planned', async () => {
    await advanceTo('2026-11-26T04:00:00Z');
    const expected = ['11-25T01:00–11-25T01:30', '11-26T01:00–11-26T03:00'];
    assert.deepEqual([shown(runs.app), shown(runs.button)], [expected, expected]);
    assert.deepEqual(shown(runs.onByHand), ['11-24T20:00–11-25T07:00', '11-26T01:00–11-26T03:00']);
  });
});
