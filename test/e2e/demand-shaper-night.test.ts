import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GatewaySim } from '../../scripts/sim/gateway-sim.js';
import { TasmotaSim } from '../../scripts/sim/tasmota-sim.js';
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

// One night of the demand shaper on the manual clock, through the whole hub: the gateway
// simulator's evening profile, a Tasmota simulator with "ready by 07:00, 3 hours, in one go,
// every day", switched on and off at the planned times by its driver (confirmed by its own
// report), a new profile in the middle of the run that does not move the started block, and the
// run time measured from the plug's reports.
const teardown = useTeardown();
const T0 = Date.parse('2026-11-24T17:00:00Z'); // Tuesday evening, London (GMT)
const clock = new ManualClock(T0);
let hub: TestHub;
let admin: HttpClient;
let url: string;

const addDevice = (kind: string, topicName: string) => addDeviceBy(admin, kind, topicName);
const plan = (id: number) => planOf(admin, id);
const iso = isoMinute;
const advanceTo = (when: string) => advanceHubTo(clock, hub, when);

describe('the demand shaper through one night', () => {
  let plug: TasmotaSim;
  let plugId: number;
  let gateway: GatewaySim;
  const switches: string[] = [];

  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, { clock, config: { timezone: 'Europe/London' } }));
    url = `mqtt://127.0.0.1:${hub.mqttPort}`;
    const gw = await addDevice('gateway', 'gw');
    // The profile covers 48 h from midnight UTC of the day it is sent: "tomorrow" is hours 24–47.
    gateway = new GatewaySim({ name: 'gw', clock, profiles: cheapAt(1, 4) });
    teardown.add(() => gateway.stop());
    await gateway.start({ url, username: gw.username, password: gw.password });
    const login = await addDevice('tasmota', 'washer');
    plugId = login.id;
    plug = new TasmotaSim({ topic: 'washer', clock, telePeriodS: 0 });
    teardown.add(() => plug.stop());
    await plug.start({ url, username: login.username, password: login.password });
    const record = plug as unknown as { relays: boolean[] };
    let last = false;
    teardown.add(() => clearInterval(watch));
    const watch = setInterval(() => {
      if (record.relays[0] !== last)
        switches.push(`${iso(clock.nowMs() / 1000)} ${record.relays[0] ? 'on' : 'off'}`);
      last = record.relays[0]!;
    }, 2);
  });

  it('plans "ready by 07:00, 3 h in one go" in the cheapest hours of the evening profile', async () => {
    await until(
      async () => (await hub.signals.list()).signals.some((s) => s.name === 'price' && !s.stale),
      5000,
      'the price signal',
    );
    const res = await admin.request('PUT', `/api/v1/devices/${plugId}/schedule`, {
      json: {
        mode: 'smart',
        smart: { readyBy: '07:00', runMinutes: 180, interruptible: false, repeat: [0, 1, 2, 3, 4, 5, 6] },
      },
    });
    assert.equal(res.status, 200, res.text);
    const planned = await plan(plugId);
    assert.deepEqual(
      planned.plan?.intervals.map((i) => `${iso(i.startS)}–${iso(i.endS)}`),
      ['2026-11-25T01:00–2026-11-25T04:00'],
    );
    assert.deepEqual([planned.signal?.source, planned.signal?.unit], ['gateway:gw', 'p/kWh']);
    assert.equal(planned.plan!.cost, 5 * 3 * 1); // 5p × 3 h × 1 kW (no draw measured yet)
    assert.ok(planned.plan!.runNowCost > planned.plan!.cost);
  });

  it('switches the plug on at 01:00, keeps the started block when a new profile comes, off at 04:00', async () => {
    await advanceTo('2026-11-25T01:00:00Z');
    await until(() => plug.relays[0] === true, 5000, 'the plug on');
    await advanceTo('2026-11-25T02:00:00Z');
    // A new profile makes 04:00–07:00 cheapest: the block that started stays where it is.
    await gateway.publishSignal(
      'price',
      JSON.stringify(cheapAt(4, 7)(Date.parse('2026-11-24T00:00:00Z') / 1000).price),
    );
    await until(async () => (await plan(plugId)).plan?.reason === 'continuing', 5000, 'the plan made again');
    assert.deepEqual(
      (await plan(plugId)).plan?.intervals.map((i) => `${iso(i.startS)}–${iso(i.endS)}`),
      ['2026-11-25T02:00–2026-11-25T04:00'],
    );
    await advanceTo('2026-11-25T04:00:00Z');
    await until(() => plug.relays[0] === false, 5000, 'the plug off');
    assert.deepEqual(switches, ['2026-11-25T01:00 on', '2026-11-25T04:00 off']);
    // Done for this period: the next one is planned for Thursday 07:00.
    await advanceTo('2026-11-25T07:00:00Z');
    assert.equal((await plan(plugId)).period?.readyByS, Date.parse('2026-11-26T07:00:00Z') / 1000);
  });
});
