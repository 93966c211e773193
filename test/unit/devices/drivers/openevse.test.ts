import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UNKNOWN_STATE, type DeviceState } from '../../../../src/devices/driver.js';
import { openevseDriver } from '../../../../src/devices/drivers/openevse.js';
import { UserError } from '../../../../src/shared/errors.js';

// Payloads from OpenEVSE/openevse_esp32_firmware 1797b7a: src/mqtt.cpp (announce
// {"state","id","name","mqtt","http"} and its last-will {"state":"disconnected",…}; override
// `{"state":"null"}` when none), src/evse_man.cpp EvseProperties::serialize (state,
// charge_current, max_current, auto_release), src/limit.cpp LimitProperties::serialize
// ({type, value, auto_release}; a cleared limit is type "none", value 0),
// docs/Developers_Guide_MQTT.md (status topics and units; the 10 kWh limit example, value 10000).
const T0 = 1_790_000_000_000;
const device = { topicName: 'openevse-7b2c', config: {} };

function feed(messages: [string, string][], start: DeviceState = UNKNOWN_STATE): DeviceState {
  let state = start;
  messages.forEach(([topic, payload], i) => {
    const out = openevseDriver.reduce(device, state, topic, Buffer.from(payload), T0 + i);
    if (out) state = out.state;
  });
  return state;
}

describe('OpenEVSE driver: reports', () => {
  it('is online from its retained announce, offline from its last-will', () => {
    const up = feed([
      [
        'openevse/announce/7b2c',
        '{"state":"connected","id":"c44f330dxxad","name":"openevse-7b2c","mqtt":"openevse-7b2c","http":"http://192.168.1.60/"}',
      ],
    ]);
    assert.equal(up.online, true);
    const down = feed(
      [['openevse/announce/7b2c', '{"state":"disconnected","id":"c44f330dxxad","name":"openevse-7b2c"}']],
      up,
    );
    assert.equal(down.online, false);
    assert.equal(down.lastSeenMs, T0);
  });

  it('reads the status topics in their units (power W, session Wh, total kWh, pilot A)', () => {
    const state = feed([
      ['openevse-7b2c/status', 'active'],
      ['openevse-7b2c/state', '3'],
      ['openevse-7b2c/vehicle', '1'],
      ['openevse-7b2c/pilot', '32'],
      ['openevse-7b2c/amp', '31200'],
      ['openevse-7b2c/power', '7176'],
      ['openevse-7b2c/session_energy', '5400.5'],
      ['openevse-7b2c/total_energy', '1234.5'],
    ]);
    assert.deepEqual(state.relays, [true]);
    assert.equal(state.powerW, 7176);
    assert.equal(state.energyKWh, 1234.5);
    assert.deepEqual(state.ev, {
      evseState: 3,
      vehicleConnected: true,
      charging: true,
      currentLimitA: 32,
      energyLimitKWh: null,
      sessionEnergyKWh: 5.4005,
    });
    assert.equal(state.lastSeenMs, T0 + 7);
  });

  it('reads a sleeping charger as not charging', () => {
    const state = feed([['openevse-7b2c/state', '254']]);
    assert.equal(state.ev?.charging, false);
    assert.equal(state.ev?.evseState, 254);
  });

  it('reads the retained override: state and current; `null` leaves the switch as reported', () => {
    const state = feed([
      ['openevse-7b2c/override', '{"state":"disabled","charge_current":16,"auto_release":false}'],
    ]);
    assert.deepEqual(state.relays, [false]);
    assert.equal(state.ev?.currentLimitA, 16);
    assert.deepEqual(feed([['openevse-7b2c/override', '{"state":"null"}']], state).relays, [false]);
  });

  it('reads an energy limit in Wh; a cleared or non-energy limit is no energy limit', () => {
    const limited = feed([['openevse-7b2c/limit', '{"type":"energy","value":10000,"auto_release":true}']]);
    assert.equal(limited.ev?.energyLimitKWh, 10);
    assert.equal(
      feed([['openevse-7b2c/limit', '{"type":"none","value":0,"auto_release":true}']], limited).ev
        ?.energyLimitKWh,
      null,
    );
    assert.equal(
      feed([['openevse-7b2c/limit', '{"type":"time","value":3600,"auto_release":true}']], limited).ev
        ?.energyLimitKWh,
      null,
    );
  });

  it('ignores command topics (ours among them), RAPI and other chargers', () => {
    for (const topic of [
      'openevse-7b2c/override/set',
      'openevse-7b2c/limit/set',
      'openevse-7b2c/rapi/in/$GS',
      'openevse-7b2c/restart',
      'openevse-9999/status',
      'openevse/announce/9999',
    ])
      assert.equal(
        openevseDriver.reduce(device, UNKNOWN_STATE, topic, Buffer.from('{"state":"active"}'), T0),
        undefined,
        topic,
      );
  });
});

describe('OpenEVSE driver: commands', () => {
  it('starts at a current through one override message', () => {
    assert.deepEqual(openevseDriver.commands(device, { on: true, currentLimitA: 16 }), [
      { topic: 'openevse-7b2c/override/set', payload: '{"state":"active","charge_current":16}', qos: 1 },
    ]);
    assert.deepEqual(openevseDriver.commands(device, { on: false }), [
      { topic: 'openevse-7b2c/override/set', payload: '{"state":"disabled"}', qos: 1 },
    ]);
  });

  it('sets an energy limit in Wh with auto-release, and clears it', () => {
    assert.deepEqual(openevseDriver.commands(device, { energyLimitKWh: 7.25 }), [
      {
        topic: 'openevse-7b2c/limit/set',
        payload: '{"type":"energy","value":7250,"auto_release":true}',
        qos: 1,
      },
    ]);
    assert.deepEqual(openevseDriver.commands(device, { energyLimitKWh: null }), [
      { topic: 'openevse-7b2c/limit/set', payload: 'clear', qos: 1 },
    ]);
  });

  it('refuses currents and limits it cannot take', () => {
    for (const desired of [
      { currentLimitA: 5 },
      { currentLimitA: 81 },
      { currentLimitA: 16.5 },
      { energyLimitKWh: 0 },
      { energyLimitKWh: Infinity },
      { on: true, relay: 1 },
    ])
      assert.throws(() => openevseDriver.commands(device, desired), UserError, JSON.stringify(desired));
  });

  it('confirms a limit to the Wh, and a current from the override or pilot', () => {
    const state = feed([
      ['openevse-7b2c/limit', '{"type":"energy","value":7333,"auto_release":true}'],
      ['openevse-7b2c/pilot', '10'],
    ]);
    assert.equal(openevseDriver.confirms(device, state, { energyLimitKWh: 7.3333 }), true);
    assert.equal(openevseDriver.confirms(device, state, { energyLimitKWh: 7.4 }), false);
    assert.equal(openevseDriver.confirms(device, state, { energyLimitKWh: null }), false);
    assert.equal(openevseDriver.confirms(device, state, { currentLimitA: 10 }), true);
    assert.equal(openevseDriver.confirms(device, state, { currentLimitA: 10, on: true }), false);
  });

  it('queries nothing: it re-publishes its retained state itself', () => {
    assert.deepEqual(openevseDriver.queries(device), []);
    assert.deepEqual(openevseDriver.subscriptions(device), ['openevse-7b2c/+', 'openevse/announce/7b2c']);
  });
});
