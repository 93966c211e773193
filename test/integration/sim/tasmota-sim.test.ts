import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { TasmotaSim } from '../../../scripts/sim/tasmota-sim.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { mqttClient } from '../../helpers/mqtt.js';
import { useTeardown } from '../../helpers/teardown.js';
import { addDevice, Recorder, settle } from './sim-helpers.js';

// The Tasmota simulator's traffic through the hub's broker with the device's own login: every
// firmware message either reaches an administrator's observer or is a publish the grants refuse.
const teardown = useTeardown();
let hub: TestHub;
let admin: HttpClient;
let url: string;
let observer: MqttClient;
let rec: Recorder;

describe('Tasmota simulator through the hub', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown));
    url = `mqtt://127.0.0.1:${hub.mqttPort}`;
    observer = await mqttClient(teardown, url, { username: 'ann', password: 'ann-password' });
    await observer.subscribeAsync(['tele/#', 'stat/#', 'cmnd/#']);
    rec = new Recorder(observer);
  });

  it('connects with its will, says Online, subscribes, and leaves the empty POWER publish refused', async () => {
    const login = await addDevice(admin, 'Kettle', 'tasmota', 'kettle');
    const clock = new ManualClock(Date.UTC(2026, 10, 27, 12));
    const sim = new TasmotaSim({ topic: 'kettle', clock, metering: true, loadW: 2000 });
    teardown.add(() => sim.stop());
    const mark = rec.mark;
    const online = rec.next('tele/kettle/LWT', 'Online');
    await sim.start({ url, ...login });
    assert.equal((await online).retain, false, 'a live retained publish is forwarded without the flag');
    const info = await rec.next('tele/kettle/INFO1');
    assert.deepEqual(JSON.parse(info.payload), {
      Info1: {
        Module: 'Sonoff Pow R2',
        Version: '14.3.0(release-tasmota)',
        FallbackTopic: `cmnd/DVES_${sim['mqttClientId'].slice(5)}_fb/`,
        GroupTopic: 'cmnd/tasmotas/',
      },
    });
    // Its empty `cmnd/kettle/POWER` at connect (iobroker #299) is within its grants: nothing denied.
    const denied = hub.logs
      .map((line) => JSON.parse(line) as { msg: string; clientId?: string; topic?: string })
      .filter((l) => l.msg.startsWith('mqtt publish denied') && l.clientId === sim['mqttClientId']);
    assert.deepEqual(
      denied.map((l) => l.topic),
      [],
    );
    assert.equal(sim.connected, true);
    assert.ok(rec.since(mark).length > 0);
    // Its own commands and the group topic `tasmotas` (read only) are granted; the fallback topic
    // is not (refused in the SUBACK, the session kept).
    assert.deepEqual(sim.granted, [0, 0, 128]);

    // POWER ON / query / TOGGLE, each answered on RESULT and POWER.
    const cases: [string, string][] = [
      ['ON', 'ON'],
      ['', 'ON'],
      ['TOGGLE', 'OFF'],
      ['1', 'ON'],
    ];
    for (const [command, state] of cases) {
      const result = rec.next('stat/kettle/RESULT');
      const power = rec.next('stat/kettle/POWER');
      await observer.publishAsync('cmnd/kettle/POWER', command, { qos: 1 });
      assert.equal((await result).payload, JSON.stringify({ POWER: state }), `POWER ${command}`);
      assert.equal((await power).payload, state, `POWER ${command}`);
    }

    // First telemetry 5 s after connect, then every TelePeriod (300 s), metered at 2000 W.
    const state = rec.next('tele/kettle/STATE');
    const sensor = rec.next('tele/kettle/SENSOR');
    await clock.tickAsync(5000);
    const stateBody = JSON.parse((await state).payload) as Record<string, unknown>;
    assert.equal(stateBody.POWER, 'ON');
    assert.equal(stateBody.Time, '2026-11-27T12:00:05');
    const energy = (JSON.parse((await sensor).payload) as { ENERGY: Record<string, number> }).ENERGY;
    // On since 12:00:00 on the plug's clock: 2000 W × 5 s, in kWh to 3 places.
    assert.deepEqual([energy.Power, energy.Voltage, energy.Current, energy.Total], [2000, 230, 8.696, 0.003]);
    const sensor2 = rec.next('tele/kettle/SENSOR');
    await clock.tickAsync(300_000);
    const energy2 = (JSON.parse((await sensor2).payload) as { ENERGY: Record<string, number> }).ENERGY;
    assert.equal(energy2.Total, 0.169, '2000 W × 305 s');

    // Status 10 (what the hub's driver asks after connect) answers with the meter now.
    const status10 = rec.next('stat/kettle/STATUS10');
    await observer.publishAsync('cmnd/kettle/STATUS', '10', { qos: 1 });
    assert.equal(
      (JSON.parse((await status10).payload) as { StatusSNS: { ENERGY: { Power: number } } }).StatusSNS.ENERGY
        .Power,
      2000,
    );

    // The button.
    const pressed = rec.next('stat/kettle/POWER', 'OFF');
    await sim.press();
    await pressed;
  });

  it('switches each relay of a multi-relay board by POWER<x> and reports POWER<x>', async () => {
    const login = await addDevice(admin, 'Relay board', 'tasmota', 'board');
    const sim = new TasmotaSim({ topic: 'board', relayCount: 2, telePeriodS: 0 });
    teardown.add(() => sim.stop());
    await sim.start({ url, ...login });
    const result = rec.next('stat/board/RESULT');
    const power2 = rec.next('stat/board/POWER2', 'ON');
    await observer.publishAsync('cmnd/board/POWER2', 'ON', { qos: 1 });
    assert.equal((await result).payload, '{"POWER2":"ON"}');
    await power2;
    const unknown = rec.next('stat/board/RESULT');
    await observer.publishAsync('cmnd/board/POWER3', 'ON', { qos: 1 });
    assert.equal((await unknown).payload, '{"Command":"Unknown"}');
    assert.deepEqual(sim.relays, [false, true]);
  });

  it('takes new credentials by Backlog MqttUser; MqttPassword and reconnects with them, LWT staying Online', async () => {
    const login = await addDevice(admin, 'Heater', 'tasmota', 'heater');
    // First on the administrator's login (a device set up by hand), then its own.
    const sim = new TasmotaSim({ topic: 'heater', telePeriodS: 0 });
    teardown.add(() => sim.stop());
    await sim.start({ url, username: 'ann', password: 'ann-password' });
    const mark = rec.mark;
    const user = rec.next('stat/heater/RESULT', JSON.stringify({ MqttUser: login.username }));
    const back = rec.next('tele/heater/LWT', 'Online', 8000);
    const reconnected = sim.nextConnect();
    await observer.publishAsync(
      'cmnd/heater/Backlog',
      `MqttUser ${login.username}; MqttPassword ${login.password}`,
      {
        qos: 1,
      },
    );
    await user;
    await back;
    await reconnected;
    assert.equal(sim.connectCount, 2);
    assert.ok(!rec.since(mark).includes('tele/heater/LWT Offline'), 'a clean restart publishes no will');
    // Now on its own login: its reply still reaches the observer.
    const on = rec.next('stat/heater/POWER', 'ON');
    await observer.publishAsync('cmnd/heater/POWER', 'ON', { qos: 1 });
    await on;
  });

  it('goes Offline by its will when the power is cut', async () => {
    const login = await addDevice(admin, 'Lamp', 'tasmota', 'lamp');
    const sim = new TasmotaSim({ topic: 'lamp', telePeriodS: 0 });
    teardown.add(() => sim.stop());
    await sim.start({ url, ...login });
    await settle(100);
    const offline = rec.next('tele/lamp/LWT', 'Offline');
    sim.powerOff();
    await offline;
    // Retained: a newcomer learns it at once.
    const late = await mqttClient(teardown, url, { username: 'ann', password: 'ann-password' });
    const lateRec = new Recorder(late);
    const retained = lateRec.next('tele/lamp/LWT');
    await late.subscribeAsync('tele/lamp/LWT');
    assert.deepEqual(await retained, { topic: 'tele/lamp/LWT', payload: 'Offline', retain: true });
  });
});
