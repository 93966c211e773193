import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UNKNOWN_STATE, type DeviceState } from '../../../../src/devices/driver.js';
import { shellyDriver, type ShellyConfig } from '../../../../src/devices/drivers/shelly.js';
import { UserError } from '../../../../src/shared/errors.js';

// Payloads: the Switch status in the form of shelly-api-docs gen2 ComponentsAndServices/Switch
// (Switch.GetStatus example: output, apower W, voltage, current, aenergy{total Wh, by_minute,
// minute_ts}, temperature); a NotifyStatus a Shelly 1 Mini Gen3 published, quoted in
// asnowfix/home-automation pkg/shelly/script/follower-switch.js; response frames per
// General/RPCProtocol ({id, src, dst, result|error}).
const T0 = 1_790_000_000_000;
const ID = 'shellyplusplugs-80646fc9a0b8';
const device = (config: Partial<ShellyConfig> = {}) => ({
  topicName: ID,
  config: { switchCount: 1, metering: false, ...config },
});
const STATUS =
  '{"id":0,"source":"timer","output":true,"apower":8.9,"voltage":237.5,"current":0.068,"aenergy":{"total":6.532,"by_minute":[45.199,47.141,88.397],"minute_ts":1654511972},"temperature":{"tC":23.5,"tF":74.4}}';
const NOTIFY_OFF = `{"src":"${ID}","dst":"${ID}/events","method":"NotifyStatus","params":{"ts":1745708765.60,"switch:0":{"id":0,"output":false,"source":"MQTT"}}}`;

function feed(
  config: Partial<ShellyConfig>,
  messages: [string, string][],
  start: DeviceState = UNKNOWN_STATE,
) {
  let state = start;
  let d = device(config);
  let learned: ShellyConfig | undefined;
  messages.forEach(([topic, payload], i) => {
    const out = shellyDriver.reduce(d, state, topic, Buffer.from(payload), T0 + i);
    if (!out) return;
    state = out.state;
    if (out.config) d = { ...d, config: (learned = out.config) };
  });
  return { state, learned };
}

describe('Shelly driver: reports', () => {
  it('reads output, power and the Wh total from status/switch:0, and learns it meters', () => {
    const { state, learned } = feed({}, [[`${ID}/status/switch:0`, STATUS]]);
    assert.deepEqual(state.relays, [true]);
    assert.equal(state.powerW, 8.9);
    assert.equal(state.energyKWh, 0.006532);
    assert.deepEqual(learned, { switchCount: 1, metering: true });
  });

  it('folds a partial NotifyStatus without losing the power it had', () => {
    const { state } = feed({ metering: true }, [
      [`${ID}/status/switch:0`, STATUS],
      [`${ID}/events/rpc`, NOTIFY_OFF],
    ]);
    assert.deepEqual(state.relays, [false]);
    assert.equal(state.powerW, 8.9);
  });

  it('reads our Switch.GetStatus answer on <t>/hub/rpc, and a Shelly.GetStatus with two switches', () => {
    const answer = `{"id":100,"src":"${ID}","dst":"${ID}/hub","result":${STATUS}}`;
    assert.deepEqual(feed({ metering: true }, [[`${ID}/hub/rpc`, answer]]).state.relays, [true]);
    const all = `{"id":7,"src":"${ID}","dst":"${ID}/hub","result":{"switch:0":{"id":0,"output":false},"switch:1":{"id":1,"output":true},"sys":{"uptime":5}}}`;
    const { state, learned } = feed({}, [[`${ID}/hub/rpc`, all]]);
    assert.deepEqual(state.relays, [false, true]);
    assert.deepEqual(learned, { switchCount: 2, metering: false });
  });

  it('keeps a Plus 1 (no apower) a plain switch', () => {
    const plus1 = '{"id":0,"source":"button","output":true,"temperature":{"tC":41.2,"tF":106.2}}';
    const { state, learned } = feed({}, [[`${ID}/status/switch:0`, plus1]]);
    assert.deepEqual(state.relays, [true]);
    assert.equal(state.powerW, null);
    assert.equal(learned, undefined);
    assert.deepEqual(shellyDriver.capabilities(device()), ['switch']);
  });

  it('takes Switch.Set answers and errors as signs of life only', () => {
    const before = feed({}, [[`${ID}/status/switch:0`, STATUS]]).state;
    for (const frame of [
      `{"id":1,"src":"${ID}","dst":"${ID}/hub","result":{"was_on":true}}`,
      `{"id":1,"src":"${ID}","dst":"${ID}/hub","error":{"code":-105,"message":"Argument 'id', value 5 not found!"}}`,
    ]) {
      const { state } = feed({}, [[`${ID}/hub/rpc`, frame]], before);
      assert.deepEqual(state.relays, [true]);
      assert.equal(state.lastSeenMs, T0);
    }
  });

  it('goes offline on online=false, and back on true', () => {
    const { state } = feed({}, [
      [`${ID}/online`, 'true'],
      [`${ID}/online`, 'false'],
    ]);
    assert.equal(state.online, false);
    assert.equal(state.lastSeenMs, T0);
  });

  it('ignores requests on <t>/rpc (ours among them) and other devices', () => {
    const request = `{"id":1,"src":"${ID}/hub","method":"Switch.Set","params":{"id":0,"on":true}}`;
    for (const topic of [`${ID}/rpc`, `other/status/switch:0`, `${ID}x/events/rpc`])
      assert.equal(
        shellyDriver.reduce(device(), UNKNOWN_STATE, topic, Buffer.from(request), T0),
        undefined,
        topic,
      );
  });
});

describe('Shelly driver: commands', () => {
  it('sends Switch.Set then Switch.GetStatus with src <t>/hub, so the answers come back inside its root', () => {
    const [set, get] = shellyDriver.commands(device(), { on: true });
    assert.equal(set!.topic, `${ID}/rpc`);
    assert.deepEqual(JSON.parse(set!.payload), {
      id: 1,
      src: `${ID}/hub`,
      method: 'Switch.Set',
      params: { id: 0, on: true },
    });
    assert.deepEqual(JSON.parse(get!.payload), {
      id: 100,
      src: `${ID}/hub`,
      method: 'Switch.GetStatus',
      params: { id: 0 },
    });
    assert.ok(shellyDriver.subscriptions(device()).includes(`${ID}/hub/rpc`));
  });

  it('switches the second switch of a 2PM, refuses a third', () => {
    const [set] = shellyDriver.commands(device({ switchCount: 2 }), { on: false, relay: 1 });
    assert.deepEqual(JSON.parse(set!.payload).params, { id: 1, on: false });
    assert.throws(
      () => shellyDriver.commands(device({ switchCount: 2 }), { on: false, relay: 2 }),
      UserError,
    );
    assert.throws(() => shellyDriver.commands(device(), { currentLimitA: 10 }), UserError);
  });

  it('queries every switch', () => {
    assert.deepEqual(
      shellyDriver.queries(device({ switchCount: 2 })).map((m) => JSON.parse(m.payload).params),
      [{ id: 0 }, { id: 1 }],
    );
  });
});
