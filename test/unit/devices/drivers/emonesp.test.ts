import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UNKNOWN_STATE, type DeviceState } from '../../../../src/devices/driver.js';
import { emonespDriver, type EmonespConfig } from '../../../../src/devices/drivers/emonesp.js';
import { UserError } from '../../../../src/shared/errors.js';

// Payloads from openenergymonitor/EmonESP 3a41aec: src/mqtt.cpp (describe = node type on connect;
// the `in/state` answer {"ip","ctrlmode","timer","vout"} on out/state), src/src.ino (a button press
// publishes out/ctrlmode On|Off), branch pub_device_state src/src.ino (`state` 0|1 every 10 s).
const T0 = 1_790_000_000_000;
const UNLEARNED: EmonespConfig = { layout: 'nested', node: null, nodeType: null };
const PAIRED: EmonespConfig = { layout: 'nested', node: 'smartplug1', nodeType: 'smartplug' };
const device = (config: EmonespConfig) => ({ topicName: 'sp1', config });
const OUT_STATE_ON = '{"ip":"192.168.1.50","ctrlmode":"On","timer":"0 0 0 0","vout":"0"}';

function feed(config: EmonespConfig, messages: [string, string][], start: DeviceState = UNKNOWN_STATE) {
  let state = start;
  let d = device(config);
  const learned: EmonespConfig[] = [];
  messages.forEach(([topic, payload], i) => {
    const out = emonespDriver.reduce(d, state, topic, Buffer.from(payload), T0 + i);
    if (!out) return;
    state = out.state;
    if (out.config) learned.push((d = { ...d, config: out.config }).config);
  });
  return { state, learned };
}

describe('EmonESP driver: learning the node', () => {
  it('learns node and type from describe under emon/<t>/<node>, once', () => {
    const { state, learned } = feed(UNLEARNED, [
      ['emon/sp1/smartplug1/describe', 'smartplug'],
      ['emon/sp1/smartplug1/describe', 'smartplug'],
    ]);
    assert.deepEqual(learned, [PAIRED]);
    assert.equal(state.online, true);
    assert.deepEqual(state.relays, []);
  });

  it('learns the older layout (base emon, node = the topic name) from emon/<t>/describe', () => {
    assert.deepEqual(feed(UNLEARNED, [['emon/sp1/describe', 'wifirelay']]).learned, [
      { layout: 'flat', node: 'sp1', nodeType: 'wifirelay' },
    ]);
  });

  it('follows a plug that moved from the older layout to emon/<t>/<node>', () => {
    const flat: EmonespConfig = { layout: 'flat', node: 'sp1', nodeType: 'smartplug' };
    assert.deepEqual(feed(flat, [['emon/sp1/smartplug1/describe', 'smartplug']]).learned, [PAIRED]);
  });

  it('learns the node from its state report when the describe was missed', () => {
    const { state, learned } = feed(UNLEARNED, [['emon/sp1/smartplug7/out/state', OUT_STATE_ON]]);
    assert.deepEqual(learned, [{ layout: 'nested', node: 'smartplug7', nodeType: null }]);
    assert.deepEqual(state.relays, [true]);
  });

  it('refuses a describe that is not a node type', () => {
    assert.equal(
      emonespDriver.reduce(device(UNLEARNED), UNKNOWN_STATE, 'emon/sp1/x/describe', Buffer.from('a b'), T0),
      undefined,
    );
  });
});

describe('EmonESP driver: reports', () => {
  it('reads ctrlmode On/Off from out/state and a button press on out/ctrlmode', () => {
    const { state } = feed(PAIRED, [['emon/sp1/smartplug1/out/state', OUT_STATE_ON]]);
    assert.deepEqual(state.relays, [true]);
    assert.deepEqual(feed(PAIRED, [['emon/sp1/smartplug1/out/ctrlmode', 'Off']], state).state.relays, [
      false,
    ]);
  });

  it('does not guess the relay in Timer mode, and reads the 0/1 `state` report', () => {
    const { state } = feed(PAIRED, [['emon/sp1/smartplug1/out/ctrlmode', 'Timer']]);
    assert.deepEqual(state.relays, [null]);
    assert.deepEqual(feed(PAIRED, [['emon/sp1/smartplug1/state', '1']], state).state.relays, [true]);
  });

  it('reads the older layout once it is known', () => {
    const flat: EmonespConfig = { layout: 'flat', node: 'sp1', nodeType: 'smartplug' };
    assert.deepEqual(feed(flat, [['emon/sp1/out/ctrlmode', 'On']]).state.relays, [true]);
  });

  it('takes readings and freeram as signs of life only', () => {
    const { state } = feed(PAIRED, [
      ['emon/sp1/power1', '12.5'],
      ['emon/sp1/smartplug1/freeram', '21344'],
    ]);
    assert.equal(state.online, true);
    assert.equal(state.lastSeenMs, T0 + 1);
    assert.deepEqual(state.relays, []);
  });

  it('ignores commands on in/… (its own or anyone’s), other devices and unknown modes', () => {
    for (const [topic, payload] of [
      ['emon/sp1/smartplug1/in/ctrlmode', 'On'],
      ['emon/sp1/in/ctrlmode', 'On'],
      ['emon/sp2/smartplug1/out/ctrlmode', 'On'],
      ['emon/sp1/smartplug1/out/ctrlmode', 'on'],
      ['emon/sp1/smartplug1/out/state', '{"ctrlmode":"maybe"}'],
      ['emon/sp1/smartplug1/state', '2'],
    ])
      assert.equal(
        emonespDriver.reduce(device(PAIRED), UNKNOWN_STATE, topic!, Buffer.from(payload!), T0),
        undefined,
        topic,
      );
  });
});

describe('EmonESP driver: commands', () => {
  it('sends the case-sensitive ctrlmode, then asks for out/state', () => {
    assert.deepEqual(emonespDriver.commands(device(PAIRED), { on: true }), [
      { topic: 'emon/sp1/smartplug1/in/ctrlmode', payload: 'On', qos: 1 },
      { topic: 'emon/sp1/smartplug1/in/state', payload: '', qos: 1 },
    ]);
    const flat = {
      topicName: 'sp1',
      config: { layout: 'flat', node: 'sp1', nodeType: 'smartplug' } as EmonespConfig,
    };
    assert.deepEqual(emonespDriver.commands(flat, { on: false })[0], {
      topic: 'emon/sp1/in/ctrlmode',
      payload: 'Off',
      qos: 1,
    });
  });

  it('cannot switch a plug before it has named its node, and queries nothing then', () => {
    assert.throws(
      () => emonespDriver.commands(device(UNLEARNED), { on: true }),
      (err) => err instanceof UserError && err.status === 409 && /described itself/.test(err.message),
    );
    assert.deepEqual(emonespDriver.queries(device(UNLEARNED)), []);
    assert.deepEqual(emonespDriver.queries(device(PAIRED)), [
      { topic: 'emon/sp1/smartplug1/in/state', payload: '', qos: 1 },
    ]);
  });

  it('has one relay and no charging', () => {
    assert.throws(() => emonespDriver.commands(device(PAIRED), { on: true, relay: 1 }), UserError);
    assert.throws(() => emonespDriver.commands(device(PAIRED), { energyLimitKWh: 3 }), UserError);
    assert.deepEqual(emonespDriver.capabilities(device(PAIRED)), ['switch']);
  });
});
