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

// Issue 14 item 6 through the whole hub: three metering devices (Shelly 2000 W and 1500 W, a
// Tasmota POW 1000 W) on smart schedules that all want the same cheap hours, under a household
// limit of 3000 W (scheduler.householdLimitW). Two nights on the manual clock; what ran is read
// from the simulated relays. The first night the hub has not yet measured any draw; the second
// it has. The cost of what ran is computed here from the gateway's profile and compared with a
// brute-force search over every placement.
const teardown = useTeardown();
const T0 = Date.parse('2026-11-24T17:00:00Z'); // Tuesday, London (GMT)
const END = Date.parse('2026-11-26T07:30:00Z'); // Thursday, after the second ready-by
const clock = new ManualClock(T0);
const HALF_HOUR_S = 1800;
const LIMIT_W = 3000;
let hub: TestHub;
let admin: HttpClient;
let url: string;

/** Prices of the night's half hours from 00:00 to 07:00 (dearest in the evening, 30p). */
const NIGHT = [20, 18, 12, 8, 5, 4, 4, 6, 9, 11, 13, 15, 17, 19];

/** 48 half hours from midnight UTC of the day sent: 30p in the day, NIGHT every night. */
function profiles(dayStartS: number) {
  const values = Array.from({ length: 96 }, (_, i) => NIGHT[i % 48] ?? 30);
  const price: GatewayProfile = { start: dayStartS, interval: HALF_HOUR_S, unit: 'p/kWh', values };
  return { ...sampleProfiles(dayStartS), price };
}
const priceAt = (atS: number) => NIGHT[Math.floor((atS % 86_400) / HALF_HOUR_S)] ?? 30;

interface Device {
  name: string;
  loadW: number;
  slots: number;
  interruptible: boolean;
}
const DEVICES: Device[] = [
  { name: 'heater', loadW: 2000, slots: 4, interruptible: false },
  { name: 'washer', loadW: 1500, slots: 3, interruptible: false },
  { name: 'pump', loadW: 1000, slots: 2, interruptible: true },
];

interface Run {
  startS: number;
  endS: number;
}

/** Σ powerW × price × hours of what ran (pence), the runs cut at half hours. */
function costOf(runs: Run[], loadW: number): number {
  let pence = 0;
  for (const r of runs)
    for (
      let s = r.startS;
      s < r.endS;
      s = Math.min(r.endS, (Math.floor(s / HALF_HOUR_S) + 1) * HALF_HOUR_S)
    ) {
      const endS = Math.min(r.endS, (Math.floor(s / HALF_HOUR_S) + 1) * HALF_HOUR_S);
      pence += ((loadW / 1000) * priceAt(s) * (endS - s)) / 3600;
    }
  return pence;
}

/** Every placement in whole half hours of [fromS, toS): blocks at each start, the pump's slot pairs. */
function bruteForce(fromS: number, toS: number): number {
  const n = (toS - fromS) / HALF_HOUR_S;
  const slotPrice = Array.from({ length: n }, (_, i) => priceAt(fromS + i * HALF_HOUR_S));
  const choices = DEVICES.map((d) => {
    const sets: number[][] = [];
    if (!d.interruptible)
      for (let s = 0; s + d.slots <= n; s++) sets.push(Array.from({ length: d.slots }, (_, k) => s + k));
    else for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) sets.push([a, b]);
    return sets.map((slots) => ({
      slots,
      pence: slots.reduce((sum, i) => sum + (d.loadW / 1000) * slotPrice[i]! * 0.5, 0),
    }));
  });
  let best = Infinity;
  const load = new Array<number>(n).fill(0);
  const search = (k: number, pence: number) => {
    if (pence >= best) return;
    if (k === DEVICES.length) return void (best = pence);
    for (const c of choices[k]!) {
      if (c.slots.some((i) => load[i]! + DEVICES[k]!.loadW > LIMIT_W)) continue;
      for (const i of c.slots) load[i]! += DEVICES[k]!.loadW;
      search(k + 1, pence + c.pence);
      for (const i of c.slots) load[i]! -= DEVICES[k]!.loadW;
    }
  };
  search(0, 0);
  return best;
}

const iso = (s: number) => new Date(s * 1000).toISOString().slice(5, 16);
const at = (text: string) => Date.parse(text) / 1000;
const shown = (runs: Run[]) => runs.map((r) => `${iso(r.startS)}–${iso(r.endS)}`).join(', ');

describe('the demand shaper keeps three devices under a household limit of 3000 W', () => {
  const runs = new Map<string, Run[]>();
  const ids = new Map<string, number>();
  /** Half hours (manual clock) at which the devices that were on drew more than the limit. */
  const over: string[] = [];
  /** Each device's plan at 23:00 on Wednesday (planned on the evening profile, nothing started). */
  const secondNightPlans = new Map<string, DevicePlanJson>();

  before(
    async () => {
      ({ hub, admin } = await startHubWithAdmin(teardown, {
        clock,
        config: { timezone: 'Europe/London', scheduler: { householdLimitW: LIMIT_W } },
      }));
      url = `mqtt://127.0.0.1:${hub.mqttPort}`;
      const add = async (kind: string, topicName: string) => {
        const res = await admin.request('POST', '/api/v1/devices', {
          json: { name: topicName, kind, topicName },
        });
        assert.equal(res.status, 201, res.text);
        const body = res.body as { device: { id: number }; mqttUsername: string; secret: string };
        ids.set(topicName, body.device.id);
        return { url, username: body.mqttUsername, password: body.secret };
      };
      const gateway = new GatewaySim({ name: 'gw', clock, profiles });
      teardown.add(() => gateway.stop());
      await gateway.start(await add('gateway', 'gw'));
      const heater = new ShellySim({
        id: 'heater',
        mac: 'A8032AB1C2E1',
        clock,
        loadW: 2000,
        statusNtf: false,
      });
      const washer = new ShellySim({
        id: 'washer',
        mac: 'A8032AB1C2E2',
        clock,
        loadW: 1500,
        statusNtf: false,
      });
      const pump = new TasmotaSim({ topic: 'pump', clock, metering: true, loadW: 1000, telePeriodS: 300 });
      for (const sim of [heater, washer, pump]) teardown.add(() => sim.stop());
      await heater.start(await add('shelly', 'heater'));
      await washer.start(await add('shelly', 'washer'));
      await pump.start(await add('tasmota', 'pump'));
      const isOn: Record<string, () => boolean> = {
        heater: () => heater.output,
        washer: () => washer.output,
        pump: () => pump.relays[0] === true,
      };
      // The relays, watched in real time at the manual clock's time.
      const since = new Map<string, number>();
      for (const d of DEVICES) runs.set(d.name, []);
      const watch = setInterval(() => {
        const nowS = clock.nowMs() / 1000;
        for (const d of DEVICES) {
          const on = isOn[d.name]!();
          if (on && !since.has(d.name)) since.set(d.name, nowS);
          if (!on && since.has(d.name)) {
            runs.get(d.name)!.push({ startS: since.get(d.name)!, endS: nowS });
            since.delete(d.name);
          }
        }
      }, 1);
      teardown.add(() => clearInterval(watch));

      await until(
        async () => (await hub.signals.list()).signals.some((s) => s.name === 'price' && !s.stale),
        5000,
        'the first profile',
      );
      for (const d of DEVICES) {
        const json: ScheduleJson = {
          mode: 'smart',
          smart: {
            readyBy: '07:00',
            runMinutes: d.slots * 30,
            interruptible: d.interruptible,
            minOnMinutes: 0,
            minGapMinutes: 0,
            repeat: [0, 1, 2, 3, 4, 5, 6],
            onceDate: null,
            energyKWh: null,
            rangeKm: null,
            whPerKm: 170,
            // The householder gives each draw: nothing is measured before the first night.
            powerW: d.loadW,
          },
        };
        const res = await admin.request('PUT', `/api/v1/devices/${ids.get(d.name)}/schedule`, { json });
        assert.equal(res.status, 200, res.text);
      }

      // Half hour by half hour (plans switch there): the commands' round trips finish, then
      // 200 ms pass so the device runner's 100 ms batch reports them.
      while (clock.nowMs() < END) {
        const nextMs = (Math.floor(clock.nowMs() / 1_800_000) + 1) * 1_800_000;
        await clock.tickAsync(nextMs - clock.nowMs());
        await new Promise((resolve) => setTimeout(resolve, 10));
        for (let i = 0; i < 200 && hub.plans.busy(); i++) await new Promise((r) => setTimeout(r, 5));
        await clock.tickAsync(200);
        await new Promise((resolve) => setTimeout(resolve, 5));
        // The draw once the step's switches are done. (Not the milliseconds in between: when one
        // device goes off as another comes on, the two commands reach two MQTT clients in no fixed
        // order.)
        const drawW = DEVICES.reduce((w, d) => w + (isOn[d.name]!() ? d.loadW : 0), 0);
        if (drawW > LIMIT_W) over.push(`${iso(clock.nowMs() / 1000)} ${drawW} W`);
        if (clock.nowMs() - 200 === Date.parse('2026-11-25T23:00:00Z'))
          for (const d of DEVICES) {
            const res = await admin.request('GET', `/api/v1/devices/${ids.get(d.name)}/plan`);
            assert.equal(res.status, 200, res.text);
            secondNightPlans.set(d.name, res.body as DevicePlanJson);
          }
      }
    },
    { timeout: 300_000 },
  );

  const night = (name: string, fromIso: string, toIso: string) =>
    runs.get(name)!.filter((r) => r.startS >= at(fromIso) && r.startS < at(toIso));

  it('the first night, with the draws as the householder gave them, the devices on never draw more than the limit', () => {
    assert.deepEqual(
      over.filter((o) => o < '11-25T12:00'),
      [],
      DEVICES.map((d) => `${d.name}: ${shown(night(d.name, '2026-11-24T17:00Z', '2026-11-25T07:00Z'))}`).join(
        '; ',
      ),
    );
  });

  it('the second night the devices on never draw more than the limit, and each ran its full time by 07:00', () => {
    assert.deepEqual(
      over.filter((o) => o >= '11-25T12:00'),
      [],
    );
    for (const d of DEVICES) {
      const ran = night(d.name, '2026-11-25T12:00:00Z', '2026-11-26T07:00:00Z');
      const totalS = ran.reduce((sum, r) => sum + (r.endS - r.startS), 0);
      assert.ok(Math.abs(totalS - d.slots * HALF_HOUR_S) <= 5, `${d.name} ran ${totalS} s: ${shown(ran)}`);
      assert.ok(
        ran.every((r) => r.endS <= at('2026-11-26T07:00:01Z')),
        `${d.name}: ${shown(ran)}`,
      );
    }
  });

  it('the second night cost what the cheapest placement under the limit costs (brute force)', () => {
    // Planned at the evening profile (18:00 Wednesday), every half hour to 07:00 Thursday.
    const best = bruteForce(at('2026-11-25T18:00:00Z'), at('2026-11-26T07:00:00Z'));
    let pence = 0;
    for (const d of DEVICES)
      pence += costOf(night(d.name, '2026-11-25T12:00:00Z', '2026-11-26T07:00:00Z'), d.loadW);
    const all = DEVICES.map(
      (d) => `${d.name}: ${shown(night(d.name, '2026-11-25T12:00Z', '2026-11-26T07:00Z'))}`,
    );
    assert.ok(
      Math.abs(pence - best) <= best * 0.01,
      `ran for ${pence}p, the best is ${best}p: ${all.join('; ')}`,
    );
  });

  it('GET /api/v1/devices/:id/plan showed each plan, which is what ran', () => {
    for (const d of DEVICES) {
      const view = secondNightPlans.get(d.name);
      assert.equal(view?.signal?.source, 'gateway:gw', d.name);
      assert.equal(view?.plan?.reason, null, d.name);
      assert.equal(view?.period?.readyByS, at('2026-11-26T07:00:00Z'));
      assert.deepEqual(
        view?.plan?.intervals.map((i) => `${iso(i.startS)}–${iso(i.endS)}`).join(', '),
        shown(night(d.name, '2026-11-25T12:00:00Z', '2026-11-26T07:00:00Z')),
        d.name,
      );
    }
  });
});
