import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DevicePlanJson, ScheduleJson } from '../../src/api/contract.js';
import { GatewaySim, sampleProfiles } from '../../scripts/sim/gateway-sim.js';
import { OpenevseSim } from '../../scripts/sim/openevse-sim.js';
import { ShellySim } from '../../scripts/sim/shelly-sim.js';
import { TasmotaSim } from '../../scripts/sim/tasmota-sim.js';
import { ManualClock } from '../../src/shared/clock.js';
import type { HttpClient } from '../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../helpers/hub.js';
import { until } from '../helpers/processes.js';
import { useTeardown } from '../helpers/teardown.js';

// A week of the demand shaper on the manual clock, through the whole hub and the simulators: the
// gateway publishes its profile every evening at 18:00; a Tasmota washer ("weekdays, ready by
// 07:00, 3 h in one go"), a Shelly heater ("every day, ready by 22:00, 4 h, may pause: runs of an
// hour at least, pauses of 30 min") and an OpenEVSE ("once, Saturday 07:00, 4 h") run their
// schedules; a Tasmota dryer on a timer stops obeying one night and is flagged. What ran is
// read from the simulated relays, at the manual clock's time.
const teardown = useTeardown();
const T0 = Date.parse('2026-11-24T17:00:00Z'); // Tuesday
const END = Date.parse('2026-12-01T17:00:00Z'); // the next Tuesday
const clock = new ManualClock(T0);
const HALF_HOUR_S = 1800;
let hub: TestHub;
let admin: HttpClient;
let url: string;

/** A Tasmota that can stop obeying (it stays connected and says nothing: a hung relay board). */
class DeafTasmota extends TasmotaSim {
  deaf = false;
  protected override onMessage(topic: string, payload: Buffer): void {
    if (!this.deaf) super.onMessage(topic, payload);
  }
}

interface Run {
  startS: number;
  endS: number;
}

/** Every on-run of a relay, at the manual clock's time, watched in real time. */
function watchRuns(isOn: () => boolean): Run[] {
  const runs: Run[] = [];
  let since: number | null = null;
  const timer = setInterval(() => {
    const nowS = clock.nowMs() / 1000;
    if (isOn() && since === null) since = nowS;
    if (!isOn() && since !== null) {
      runs.push({ startS: since, endS: nowS });
      since = null;
    }
  }, 1);
  teardown.add(() => clearInterval(timer));
  return runs;
}

async function addDevice(kind: string, topicName: string) {
  const res = await admin.request('POST', '/api/v1/devices', { json: { name: topicName, kind, topicName } });
  assert.equal(res.status, 201, res.text);
  const body = res.body as { device: { id: number }; mqttUsername: string; secret: string };
  return { id: body.device.id, login: { url, username: body.mqttUsername, password: body.secret } };
}

async function schedule(id: number, json: ScheduleJson) {
  const res = await admin.request('PUT', `/api/v1/devices/${id}/schedule`, { json });
  assert.equal(res.status, 200, res.text);
}

const smart = (over: Partial<Extract<ScheduleJson, { mode: 'smart' }>['smart']>): ScheduleJson => ({
  mode: 'smart',
  smart: {
    readyBy: '07:00',
    runMinutes: 180,
    interruptible: false,
    minOnMinutes: 0,
    minGapMinutes: 0,
    repeat: [],
    onceDate: null,
    energyKWh: null,
    rangeKm: null,
    whPerKm: 170,
    ...over,
  },
});

/** The price the gateway published at 18:00 on the day before `atS` (its 48 h from midnight). */
function priceAt(atS: number, publishedDayS: number): number {
  const { price } = sampleProfiles(publishedDayS);
  return price.values[Math.floor((atS - price.start) / HALF_HOUR_S)]!;
}

/** The cheapest 3 h in one go in [fromS, toS) on half-hour starts, ties to the later (brute force). */
function cheapestBlock(fromS: number, toS: number, lengthS: number, dayS: number): number {
  let best = { startS: -1, cost: Infinity };
  for (let startS = fromS; startS + lengthS <= toS; startS += HALF_HOUR_S) {
    let cost = 0;
    for (let t = startS; t < startS + lengthS; t += HALF_HOUR_S) cost += priceAt(t, dayS);
    if (cost <= best.cost + 1e-9) best = { startS, cost };
  }
  return best.startS;
}

const iso = (s: number) => new Date(s * 1000).toISOString().slice(5, 16);
const at = (text: string) => Date.parse(text) / 1000;

describe('the demand shaper through a week of simulated time', () => {
  const ids: Record<string, number> = {};
  let washerRuns: Run[];
  let heaterRuns: Run[];
  let evRuns: Run[];
  let dryer: DeafTasmota;
  let flagged: string | null = null;

  // About a minute on a quiet machine; the default per-test timeout (120 s) is too short under load.
  before(
    async () => {
      ({ hub, admin } = await startHubWithAdmin(teardown, { clock, config: { timezone: 'Europe/London' } }));
      url = `mqtt://127.0.0.1:${hub.mqttPort}`;
      const gw = await addDevice('gateway', 'gw');
      const gateway = new GatewaySim({ name: 'gw', clock });
      teardown.add(() => gateway.stop());
      await gateway.start(gw.login);

      const washer = await addDevice('tasmota', 'washer');
      const washerSim = new TasmotaSim({ topic: 'washer', clock, telePeriodS: 0 });
      const heater = await addDevice('shelly', 'heater');
      const heaterSim = new ShellySim({ id: 'heater', mac: 'A8032AB1C2E1', clock, statusNtf: false });
      const ev = await addDevice('openevse', 'openevse-0e01');
      const evSim = new OpenevseSim({
        id: 'c44f330e0e01',
        base: 'openevse-0e01',
        clock,
        statusIntervalMs: 3_600_000,
      });
      const dryerDevice = await addDevice('tasmota', 'dryer');
      dryer = new DeafTasmota({ topic: 'dryer', clock, telePeriodS: 0 });
      for (const sim of [washerSim, heaterSim, evSim, dryer]) teardown.add(() => sim.stop());
      await Promise.all([
        washerSim.start(washer.login),
        heaterSim.start(heater.login),
        evSim.start(ev.login),
        dryer.start(dryerDevice.login),
      ]);
      Object.assign(ids, { washer: washer.id, heater: heater.id, ev: ev.id, dryer: dryerDevice.id });
      washerRuns = watchRuns(() => washerSim.relays[0] === true);
      heaterRuns = watchRuns(() => heaterSim.output);
      evRuns = watchRuns(() => evSim.active);
      await until(
        async () => (await hub.signals.list()).signals.some((s) => s.name === 'price' && !s.stale),
        5000,
        'the first profile',
      );
      await schedule(washer.id, smart({ repeat: [1, 2, 3, 4, 5] }));
      await schedule(
        heater.id,
        smart({
          readyBy: '22:00',
          runMinutes: 240,
          interruptible: true,
          minOnMinutes: 60,
          minGapMinutes: 30,
          repeat: [0, 1, 2, 3, 4, 5, 6],
        }),
      );
      await schedule(ev.id, smart({ runMinutes: 240, onceDate: '2026-11-28' }));
      await schedule(dryerDevice.id, {
        mode: 'timer',
        timer: { periods: [{ start: '02:00', stop: '03:00' }], repeat: [0, 1, 2, 3, 4, 5, 6] },
      });

      // The week, in 5-minute steps; on Thursday night the dryer stops obeying.
      while (clock.nowMs() < END) {
        const nowMs = clock.nowMs();
        dryer.deaf =
          nowMs >= Date.parse('2026-11-26T18:00:00Z') && nowMs < Date.parse('2026-11-27T12:00:00Z');
        // To the next half hour (plans and timers switch there); the commands' MQTT round trips
        // finish, then 200 ms pass so the device runner's 100 ms batch reports them.
        const nextMs = (Math.floor(clock.nowMs() / 1_800_000) + 1) * 1_800_000;
        await clock.tickAsync(nextMs - clock.nowMs());
        await new Promise((resolve) => setTimeout(resolve, 10));
        // Confirmed, or given up on (a deaf device's timeouts run on this clock): at most 1 s.
        for (let i = 0; i < 200 && hub.plans.busy(); i++) await new Promise((r) => setTimeout(r, 5));
        await clock.tickAsync(200);
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (dryer.deaf && flagged === null) {
          const plan = (await admin.request('GET', `/api/v1/devices/${ids.dryer}/plan`))
            .body as DevicePlanJson;
          if (plan?.problem?.startsWith('not confirmed')) flagged = iso(clock.nowMs() / 1000);
        }
      }
    },
    { timeout: 600_000 },
  );

  it('the washer ran 3 h in one go in the cheapest hours before 07:00 on weekdays only', () => {
    // Ready by Wed, Thu, Fri, Mon and Tue 07:00: planned at the evening profile (18:00 the day before).
    const readyBys = ['2026-11-25', '2026-11-26', '2026-11-27', '2026-11-30', '2026-12-01'];
    const expected = readyBys.map((day) => {
      const readyByS = at(`${day}T07:00:00Z`);
      const eveningS = readyByS - 13 * 3600;
      const dayS = eveningS - (eveningS % 86_400);
      const startS = cheapestBlock(eveningS, readyByS, 3 * 3600, dayS);
      return `${iso(startS)}–${iso(startS + 3 * 3600)}`;
    });
    assert.deepEqual(
      washerRuns.map((r) => `${iso(r.startS)}–${iso(r.endS)}`),
      expected,
    );
  });

  it('the heater ran 4 h a day before 22:00, in runs of an hour or more with pauses of 30 min or more', () => {
    // Whole periods only: the first began before the test (22:00 Monday).
    for (const day of ['11-25', '11-26', '11-27', '11-28', '11-29', '11-30']) {
      const readyByS = at(`2026-${day}T22:00:00Z`);
      const fromS = readyByS - 86_400;
      const runs = heaterRuns.filter((r) => r.startS >= fromS && r.startS < readyByS);
      const totalS = runs.reduce((sum, r) => sum + (r.endS - r.startS), 0);
      const shown = runs.map((r) => `${iso(r.startS)}–${iso(r.endS)}`).join(', ');
      assert.ok(Math.abs(totalS - 4 * 3600) <= 300, `${iso(readyByS)}: ran ${totalS / 3600} h: ${shown}`);
      for (const r of runs) {
        assert.ok(r.endS <= readyByS, `${iso(r.endS)} after the ready-by`);
        assert.ok(r.endS - r.startS >= 3600 - 300, `a run of ${(r.endS - r.startS) / 60} min`);
      }
      for (let i = 1; i < runs.length; i++)
        assert.ok(runs[i]!.startS - runs[i - 1]!.endS >= 1800 - 300, 'a pause under 30 min');
    }
  });

  it('the charger ran once, the night before Saturday 07:00, and never again', () => {
    // It allowed charging when the test began (no override): the schedule took it off at once.
    assert.deepEqual(
      evRuns.slice(0, 1).map((r) => `${iso(r.startS)}–${iso(r.endS)}`),
      ['11-24T17:00–11-24T17:00'],
    );
    evRuns = evRuns.slice(1);
    const shown = evRuns.map((r) => `${iso(r.startS)}–${iso(r.endS)}`).join(', ');
    assert.equal(evRuns.length >= 1, true, 'it ran');
    const total = evRuns.reduce((sum, r) => sum + (r.endS - r.startS), 0);
    assert.ok(
      evRuns.every((r) => r.startS >= at('2026-11-27T07:00:00Z') && r.endS <= at('2026-11-28T07:00:00Z')),
      shown,
    );
    assert.ok(Math.abs(total - 4 * 3600) <= 300, `charged ${total / 3600} h: ${shown}`);
  });

  it('flagged the dryer that stopped obeying, on the night it did', () => {
    assert.ok(flagged !== null && flagged.startsWith('11-27T02:'), `flagged at ${flagged}`);
  });
});
