import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GatewaySim } from '../../scripts/sim/gateway-sim.js';
import { OpenevseSim } from '../../scripts/sim/openevse-sim.js';
import { ManualClock } from '../../src/shared/clock.js';
import type { HttpClient } from '../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../helpers/hub.js';
import { until } from '../helpers/processes.js';
import {
  addDevice as addDeviceBy,
  advanceTo as advanceHubTo,
  cheapAt,
  isoMinute,
  planOf,
} from '../helpers/demand-shaper.js';
import { useTeardown } from '../helpers/teardown.js';

// A charger on "100 km by 07:00" through the whole hub, on the manual clock: the gateway's
// evening profile has 01:00–04:00 cheap; the simulated OpenEVSE (firmware 5.x, 32 A at 240 V, a
// car plugged in) is planned at the rate its current offers, switched on through its manual
// override with its session's energy limit (so it stops by itself, even with the hub gone), and
// stops there; what it delivered is read from its own meter.
const teardown = useTeardown();
const T0 = Date.parse('2026-11-24T17:00:00Z'); // Tuesday evening, London (GMT)
const clock = new ManualClock(T0);
let hub: TestHub;
let admin: HttpClient;

const addDevice = (kind: string, topicName: string) => addDeviceBy(admin, kind, topicName);
const plan = (id: number) => planOf(admin, id);
const iso = isoMinute;
const advanceTo = (when: string) => advanceHubTo(clock, hub, when);

describe('a charger on the demand shaper: range by the morning, its own energy limit', () => {
  let ev: OpenevseSim;
  let evId: number;
  const runs: string[] = [];

  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, { clock, config: { timezone: 'Europe/London' } }));
    const url = `mqtt://127.0.0.1:${hub.mqttPort}`;
    const gw = await addDevice('gateway', 'gw');
    const gateway = new GatewaySim({ name: 'gw', clock, profiles: cheapAt(1, 4) });
    teardown.add(() => gateway.stop());
    await gateway.start({ url, username: gw.username, password: gw.password });
    const login = await addDevice('openevse', 'openevse-0e02');
    evId = login.id;
    ev = new OpenevseSim({ id: 'c44f330e0e02', base: 'openevse-0e02', clock, statusIntervalMs: 60_000 });
    ev.vehicleConnected = true;
    teardown.add(() => ev.stop());
    await ev.start({ url, username: login.username, password: login.password });
    let last: boolean | null = null;
    const watch = setInterval(() => {
      if (ev.charging !== last) runs.push(`${iso(clock.nowMs() / 1000)} ${ev.charging ? 'on' : 'off'}`);
      last = ev.charging;
    }, 2);
    teardown.add(() => clearInterval(watch));
    await until(
      async () => (await hub.signals.list()).signals.some((s) => s.name === 'price' && !s.stale),
      5000,
      'the price signal',
    );
    // Its pilot (32 A) is known before any draw is measured.
    await until(
      async () => {
        const res = await admin.request('GET', `/api/v1/devices/${evId}`);
        return (
          (res.body as { state?: { ev?: { currentLimitA: number | null } } }).state?.ev?.currentLimitA === 32
        );
      },
      5000,
      'the charger’s pilot',
    );
  });

  it('plans 100 km at 150 Wh/km (15 kWh) at the rate it was measured charging, in the cheap hours', async () => {
    const res = await admin.request('PUT', `/api/v1/devices/${evId}/schedule`, {
      json: {
        mode: 'smart',
        smart: {
          readyBy: '07:00',
          runMinutes: 60,
          interruptible: false,
          repeat: [0, 1, 2, 3, 4, 5, 6],
          rangeKm: 100,
          whPerKm: 150,
        },
      },
    });
    assert.equal(res.status, 200, res.text);
    await advanceTo('2026-11-24T17:20:00Z'); // planned again at 17:15, with what it had charged
    const planned = await plan(evId);
    // It charged at 32 A × 240 V when the test began, until the schedule took it off at 17:05:
    // 0.64 kWh of the 15 kWh. The rest at that measured 7.68 kW, ending at 04:00 (the cheap hours).
    assert.equal(planned.energy?.neededKWh, 15);
    assert.ok(
      Math.abs(planned.energy!.deliveredKWh! - 0.64) < 0.01,
      `delivered ${planned.energy!.deliveredKWh}`,
    );
    const [block] = planned.plan!.intervals;
    assert.equal(planned.plan!.intervals.length, 1);
    assert.equal(iso(block!.endS), '2026-11-25T04:00');
    const leftS = ((15 - planned.energy!.deliveredKWh!) * 3_600_000) / 7680;
    assert.ok(Math.abs(block!.endS - block!.startS - leftS) <= 1, `${block!.endS - block!.startS} s`);
  });

  it('charges in the cheap hours and stops at the limit it was given, not a switch by hand', async () => {
    await advanceTo('2026-11-25T02:30:00Z');
    assert.equal(ev.charging, true, runs.join(', '));
    // The limit as the charger itself reports it (its retained `limit`): the whole 15 kWh.
    const device = (await admin.request('GET', `/api/v1/devices/${evId}`)).body as {
      state: { ev: { energyLimitKWh: number | null; sessionEnergyKWh: number | null } };
    };
    assert.ok(
      Math.abs(device.state.ev.energyLimitKWh! - 15) < 0.05,
      `limit ${JSON.stringify((ev as unknown as { limit: unknown }).limit)} ${JSON.stringify(device.state)}`,
    );
    await advanceTo('2026-11-25T06:55:00Z');
    assert.equal(ev.charging, false);
    const view = await plan(evId);
    assert.equal(view.pausedUntilMs, null, view.problem ?? '');
    assert.equal(view.problem, null);
    assert.ok(Math.abs(view.energy!.deliveredKWh! - 15) < 0.3, `delivered ${view.energy!.deliveredKWh} kWh`);
    const charged = runs.filter((r) => r.startsWith('2026-11-25'));
    assert.ok(
      charged.length === 2 && charged[0]!.endsWith('on') && charged[1]!.endsWith('off'),
      runs.join(', '),
    );
    // In the cheap hours. The test moves time in 5-minute steps, so the charger hears its start a
    // step late and, charging by energy, runs that much past 04:00: at most two steps.
    assert.ok(
      charged[0]!.slice(0, 16) >= '2026-11-25T01:00' && charged[1]!.slice(0, 16) <= '2026-11-25T04:10',
      charged.join(', '),
    );
  });
});
