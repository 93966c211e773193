import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { TasmotaSim, tasmotaDefaultLogin } from '../../../scripts/sim/tasmota-sim.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { mqttClient } from '../../helpers/mqtt.js';
import { useTeardown } from '../../helpers/teardown.js';
import {
  addDevice,
  brokerLogins,
  loginRecordingBroker,
  Recorder,
  retainedOn,
  settle,
} from './sim-helpers.js';

// The Tasmota simulator's traffic through the hub's broker with the device's own login: every
// firmware message either reaches an administrator's observer or is a publish the grants refuse.
const teardown = useTeardown();
let hub: TestHub;
let admin: HttpClient;
let url: string;
let observer: MqttClient;
let rec: Recorder;
/** `<clientId> <principal>:<username>` per connection the hub's broker let in. */
let logins: string[];
const ANN = { username: 'ann', password: 'ann-password' };

describe('Tasmota simulator through the hub', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown));
    url = `mqtt://127.0.0.1:${hub.mqttPort}`;
    observer = await mqttClient(teardown, url, { username: 'ann', password: 'ann-password' });
    await observer.subscribeAsync(['tele/#', 'stat/#', 'cmnd/#']);
    rec = new Recorder(observer);
    logins = brokerLogins(hub, teardown);
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

  it('publishes its native discovery retained 1 s after subscribing, with topic, MAC, module and relays, and INFO2', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 27, 12));
    const sim = new TasmotaSim({
      topic: 'tasmota_ABCDEF',
      mac: 'a4:cf:12:ab:cd:ef',
      relayCount: 2,
      metering: true,
      deviceName: 'Dryer',
      ip: '192.168.1.77',
      clock,
    });
    teardown.add(() => sim.stop());
    const configTopic = 'tasmota/discovery/A4CF12ABCDEF/config';
    const sensorsTopic = 'tasmota/discovery/A4CF12ABCDEF/sensors';
    await observer.subscribeAsync('tasmota/discovery/#');
    const info2 = rec.next('tele/tasmota_ABCDEF/INFO2');
    // A factory-fresh device, before anyone gave it a login (the hub admits it for pairing).
    await sim.start({ url, ...ANN });
    assert.deepEqual(JSON.parse((await info2).payload), {
      Info2: { WebServerMode: 'Admin', Hostname: 'tasmota-ABCDEF-3567', IPAddress: '192.168.1.77' },
    });
    assert.equal(sim['mqttClientId'], 'DVES_ABCDEF', 'the client id ends with the MAC');
    await assert.rejects(retainedOn(teardown, url, configTopic, 300), /no tasmota/, 'not before its second');

    const config = rec.next(configTopic);
    const sensors = rec.next(sensorsTopic);
    await clock.tickAsync(1000);
    await Promise.all([config, sensors]);
    const kept = await retainedOn(teardown, url, configTopic);
    assert.equal(kept.retain, true);
    const body = JSON.parse(kept.payload) as Record<string, unknown>;
    const fields = [
      'ip',
      'dn',
      'fn',
      'hn',
      'mac',
      'md',
      'ofln',
      'onln',
      'state',
      't',
      'ft',
      'tp',
      'rl',
      'ver',
    ];
    assert.deepEqual(Object.fromEntries(fields.map((k) => [k, body[k]])), {
      ip: '192.168.1.77',
      dn: 'Dryer',
      fn: ['Dryer', 'Dryer2', null, null, null, null, null, null],
      hn: 'tasmota-ABCDEF-3567',
      mac: 'A4CF12ABCDEF',
      md: 'Sonoff Pow R2',
      ofln: 'Offline',
      onln: 'Online',
      state: ['OFF', 'ON', 'TOGGLE', 'HOLD'],
      t: 'tasmota_ABCDEF',
      ft: '%prefix%/%topic%/',
      tp: ['cmnd', 'stat', 'tele'],
      rl: [1, 1, 0, 0, 0, 0, 0, 0],
      ver: 1,
    });
    assert.deepEqual(Object.keys(body), [
      ...['ip', 'dn', 'fn', 'hn', 'mac', 'md', 'ty', 'if', 'ofln', 'onln', 'state', 'sw', 't', 'ft', 'tp'],
      ...['rl', 'swc', 'swn', 'btn', 'so', 'lk', 'lt_st', 'sho', 'ver'],
    ]);
    const sn = JSON.parse((await retainedOn(teardown, url, sensorsTopic)).payload) as {
      sn: { Time: string; ENERGY: { Power: number } };
      ver: number;
    };
    assert.deepEqual([sn.sn.Time, sn.sn.ENERGY.Power, sn.ver], ['2026-11-27T12:00:01', 0, 1]);
  });

  it('takes MqttUser, MqttPassword and Topic in one Backlog and comes back on its own login under the new topic', async () => {
    const login = await addDevice(admin, 'Toaster', 'tasmota', 'toaster');
    const sim = new TasmotaSim({ topic: 'tasmota_5A6B7C', mac: 'A4CF125A6B7C', telePeriodS: 0 });
    teardown.add(() => sim.stop());
    await sim.start({ url, ...ANN });
    const mark = rec.mark;
    const renamed = rec.next('stat/tasmota_5A6B7C/RESULT', '{"Topic":"toaster"}');
    const online = rec.next('tele/toaster/LWT', 'Online', 8000);
    const reconnected = sim.nextConnect();
    await observer.publishAsync(
      'cmnd/tasmota_5A6B7C/Backlog',
      `MqttUser ${login.username}; MqttPassword ${login.password}; Topic toaster`,
      { qos: 1 },
    );
    await renamed;
    await online;
    await reconnected;
    assert.equal(sim.topic, 'toaster');
    assert.deepEqual(
      logins.filter((l) => l.startsWith('DVES_5A6B7C ')),
      ['DVES_5A6B7C user:ann', `DVES_5A6B7C device:${login.username}`],
      'the broker let it in as ann, then as the device',
    );
    assert.deepEqual(sim.granted, [0, 0, 128], "its own topic and the group's, not the fallback topic");
    assert.ok(
      !rec.since(mark).some((l) => l.startsWith('tele/tasmota_5A6B7C/LWT Offline')),
      'a clean restart',
    );
    const on = rec.next('stat/toaster/POWER', 'ON');
    await observer.publishAsync('cmnd/toaster/POWER', 'ON', { qos: 1 });
    await on;
  });

  it('restarts MQTT for Topic alone, in a Backlog or not; the group topic cannot rename it', async () => {
    const sim = new TasmotaSim({ topic: 'spare_a', telePeriodS: 0 });
    teardown.add(() => sim.stop());
    await sim.start({ url, ...ANN });
    const online = rec.next('tele/spare_b/LWT', 'Online', 8000);
    await observer.publishAsync('cmnd/spare_a/Backlog', 'Topic spare/b', { qos: 1 }); // `/` is made `_`
    await online;
    assert.equal(sim.connectCount, 2);
    const kept = rec.next('stat/spare_b/RESULT', '{"Topic":"spare_b"}');
    await observer.publishAsync('cmnd/tasmotas/Topic', 'everyone', { qos: 1 });
    await kept;
    await settle(600); // a restart would have dropped the session 200 ms after the command
    assert.deepEqual([sim.topic, sim.connectCount, sim.connected], ['spare_b', 2, true]);
    const back = rec.next('tele/spare_c/LWT', 'Online', 8000);
    await observer.publishAsync('cmnd/spare_b/Topic', 'spare_c', { qos: 1 });
    await back;
    assert.equal(sim.connectCount, 3);
  });

  it("connects with Tasmota's default login DVES_USER / DVES_PASS when asked to", async () => {
    const broker = await loginRecordingBroker(teardown);
    const sim = new TasmotaSim({
      topic: 'tasmota_0A0B0C',
      mac: 'A4CF120A0B0C',
      telePeriodS: 0,
      discovery: false,
    });
    teardown.add(() => sim.stop());
    await sim.start(tasmotaDefaultLogin(broker.url));
    assert.deepEqual(broker.logins, [
      { clientId: 'DVES_0A0B0C', username: 'DVES_USER', password: 'DVES_PASS' },
    ]);
  });
});
