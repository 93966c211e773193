import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UNKNOWN_STATE, type DeviceState } from '../../../../src/devices/driver.js';
import { tasmotaDriver, type TasmotaConfig } from '../../../../src/devices/drivers/tasmota.js';
import { UserError } from '../../../../src/shared/errors.js';

// Payloads from tasmota/docs: docs/MQTT.md (RESULT/POWER replies, LWT), docs/JSON-Status-Responses.md
// (StatusSTS, the POW's StatusSNS.ENERGY), docs/Teleinfo.md (a tele/SENSOR line).
const T0 = 1_790_000_000_000;
const device = (config: Partial<TasmotaConfig> = {}) => ({
  topicName: 'tasmota_switch',
  config: { relayCount: 1, metering: false, ...config },
});
const feed = (
  config: Partial<TasmotaConfig>,
  messages: [string, string][],
  start: DeviceState = UNKNOWN_STATE,
) => {
  let state = start;
  let learned: TasmotaConfig | undefined;
  let d = device(config);
  messages.forEach(([topic, payload], i) => {
    const out = tasmotaDriver.reduce(d, state, topic, Buffer.from(payload), T0 + i);
    if (!out) return;
    state = out.state;
    if (out.config) d = { ...d, config: (learned = out.config) };
  });
  return { state, learned };
};

describe('Tasmota driver: reports', () => {
  it('reads the reply to `Power TOGGLE` (RESULT and POWER) as relay 0 on', () => {
    const { state } = feed({}, [
      ['stat/tasmota_switch/RESULT', '{"POWER":"ON"}'],
      ['stat/tasmota_switch/POWER', 'ON'],
    ]);
    assert.deepEqual(state.relays, [true]);
    assert.equal(state.online, true);
    assert.equal(state.lastSeenMs, T0 + 1);
  });

  it('reads a plain `stat/<t>/POWER OFF` by itself (a button press)', () => {
    assert.deepEqual(feed({}, [['stat/tasmota_switch/POWER', 'OFF']]).state.relays, [false]);
  });

  it('reads the JSON reply on the POWER topic that SetOption4 gives', () => {
    assert.deepEqual(feed({}, [['stat/tasmota_switch/POWER', '{"POWER":"ON"}']]).state.relays, [true]);
  });

  it('reads the StatusSTS of `Status 11` and tele/STATE', () => {
    const sts =
      '{"StatusSTS":{"Time":"2018.02.15 01:00:50","Uptime":"1 02:33:26","Vcc":3.504,"POWER":"OFF","Wifi":{"AP":1,"SSId":"XXX","RSSI":100,"APMac":"34:31:C4:XX:XX:XX"}}}';
    assert.deepEqual(feed({}, [['stat/tasmota_switch/STATUS11', sts]]).state.relays, [false]);
    const tele =
      '{"Time":"2018.02.15 01:00:50","Uptime":"1 02:33:26","Vcc":3.504,"POWER":"ON","Wifi":{"AP":1,"RSSI":100}}';
    assert.deepEqual(feed({}, [['tele/tasmota_switch/STATE', tele]]).state.relays, [true]);
  });

  it('learns that it has four relays from POWER1…4 in tele/STATE', () => {
    const tele = '{"Time":"2026-11-27T21:00:00","POWER1":"ON","POWER2":"OFF","POWER3":"OFF","POWER4":"ON"}';
    const { state, learned } = feed({}, [['tele/tasmota_switch/STATE', tele]]);
    assert.deepEqual(state.relays, [true, false, false, true]);
    assert.deepEqual(learned, { relayCount: 4, metering: false });
  });

  it('reads power and the running total from tele/SENSOR, and learns that it meters', () => {
    const sensor =
      '{"Time":"2021-10-26T17:28:45","ENERGY":{"TotalStartTime":"2021-10-25T15:22:04","Total":9098.245,"Yesterday":6822.685,"Today":2275.560,"Period": 9,"Power":170,"Current":1.000,"Load":6},"ESP32":{"Temperature":36.1},"TempUnit":"C"}';
    const { state, learned } = feed({}, [['tele/tasmota_switch/SENSOR', sensor]]);
    assert.equal(state.powerW, 170);
    assert.equal(state.energyKWh, 9098.245);
    assert.deepEqual(state.relays, []);
    assert.deepEqual(learned, { relayCount: 1, metering: true });
    assert.deepEqual(tasmotaDriver.capabilities(device(learned)), ['switch', 'power', 'energy']);
  });

  it('reads the POW answer to `Status 10` (StatusSNS.ENERGY) and adds up per-channel arrays', () => {
    const pow =
      '{"StatusSNS":{"Time":"2018.02.04 23:17:01","ENERGY":{"Total":3.185,"Yesterday":3.058,"Today":0.127,"Power":0,"Factor":0.00,"Voltage":221,"Current":0.000}}}';
    const a = feed({ metering: true }, [['stat/tasmota_switch/STATUS10', pow]]);
    assert.equal(a.state.powerW, 0);
    assert.equal(a.state.energyKWh, 3.185);
    assert.equal(a.learned, undefined); // nothing new to store
    const dual = '{"Time":"2026-11-27T21:00:00","ENERGY":{"Total":[1.25,0.5],"Power":[12,30]}}';
    const b = feed({ metering: true }, [['tele/tasmota_switch/SENSOR', dual]]);
    assert.equal(b.state.powerW, 42);
    assert.equal(b.state.energyKWh, 1.75);
  });

  it('goes offline on LWT Offline, keeping when it was last seen, and back on Online', () => {
    const { state } = feed({}, [
      ['tele/tasmota_switch/LWT', 'Online'],
      ['tele/tasmota_switch/LWT', 'Offline'],
    ]);
    assert.equal(state.online, false);
    assert.equal(state.lastSeenMs, T0);
    assert.equal(feed({}, [['tele/tasmota_switch/LWT', 'Online']], state).state.online, true);
  });

  it("counts another command's RESULT as a sign of life only", () => {
    const before = feed({}, [['stat/tasmota_switch/POWER', 'ON']]).state;
    const { state } = feed({}, [['stat/tasmota_switch/RESULT', '{"MqttUser":"dev-plug"}']], before);
    assert.deepEqual(state.relays, [true]);
  });

  it('ignores its own command topics and other devices', () => {
    for (const topic of [
      'cmnd/tasmota_switch/POWER',
      'stat/other/POWER',
      'stat/tasmota_switch/POWER/x',
      'tasmota_switch/POWER',
    ])
      assert.equal(
        tasmotaDriver.reduce(device(), UNKNOWN_STATE, topic, Buffer.from('ON'), T0),
        undefined,
        topic,
      );
  });
});

describe('Tasmota driver: commands', () => {
  it('switches one relay with `Power` and several with `Power<n>`', () => {
    assert.deepEqual(tasmotaDriver.commands(device(), { on: true }), [
      { topic: 'cmnd/tasmota_switch/POWER', payload: 'ON', qos: 1 },
    ]);
    assert.deepEqual(tasmotaDriver.commands(device({ relayCount: 4 }), { on: false, relay: 2 }), [
      { topic: 'cmnd/tasmota_switch/POWER3', payload: 'OFF', qos: 1 },
    ]);
  });

  it('refuses a relay it does not have and what only a charger does', () => {
    assert.throws(() => tasmotaDriver.commands(device(), { on: true, relay: 1 }), /one relay/);
    assert.throws(
      () => tasmotaDriver.commands(device({ relayCount: 2 }), { on: true, relay: 2 }),
      /relays 0 to 1/,
    );
    assert.throws(() => tasmotaDriver.commands(device(), { currentLimitA: 16 }), UserError);
  });

  it('asks every relay for its state (empty payload), and a meter for `Status 10`', () => {
    assert.deepEqual(tasmotaDriver.queries(device({ relayCount: 2, metering: true })), [
      { topic: 'cmnd/tasmota_switch/POWER1', payload: '', qos: 1 },
      { topic: 'cmnd/tasmota_switch/POWER2', payload: '', qos: 1 },
      { topic: 'cmnd/tasmota_switch/STATUS', payload: '10', qos: 1 },
    ]);
  });

  it('confirms by the relay named', () => {
    const state = { ...UNKNOWN_STATE, relays: [false, true] };
    assert.equal(tasmotaDriver.confirms(device({ relayCount: 2 }), state, { on: true, relay: 1 }), true);
    assert.equal(tasmotaDriver.confirms(device({ relayCount: 2 }), state, { on: true }), false);
  });
});
