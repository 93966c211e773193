import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_DELAY_MS } from '../../../src/devices/device-runner.js';
import { UNKNOWN_STATE } from '../../../src/devices/driver.js';
import { runtime, T0 } from './runtime-fixture.js';

const connected = (username: string, clientId = username) => ({
  clientId,
  principal: 'device',
  username,
  remoteAddress: '192.168.1.23',
});

describe('DeviceRunner', () => {
  it('listens to a driven device and asks for its state at start; a kind without a driver is left alone', async () => {
    const rt = runtime();
    rt.devices.add(1, 'tasmota', 'plug1');
    rt.devices.add(2, 'emonhub', 'emonpi');
    await rt.start();
    assert.deepEqual(
      rt.sent().map((m) => [m.topic, m.payload, m.qos]),
      [['cmnd/plug1/POWER', '', 1]],
    );
    assert.deepEqual(rt.runner.capabilities(1), ['switch']);
    assert.deepEqual(rt.runner.capabilities(2), []);
    assert.equal(rt.runner.driven(2), undefined);
    assert.deepEqual(rt.runner.status().detail?.devices, 1);
    await rt.stop();
  });

  it('folds the device’s reports into its state at once, stores it and says so on the bus', async () => {
    const rt = runtime();
    rt.devices.add(1, 'tasmota', 'plug1');
    await rt.start();
    rt.clock.tick(1000);
    await rt.fromDevice('tele/plug1/STATE', '{"Time":"2026-11-27T22:00:00","POWER":"ON"}');
    assert.deepEqual(rt.runner.state(1), {
      ...UNKNOWN_STATE,
      online: true,
      relays: [true],
      lastSeenMs: T0 + 1000,
    });
    // A press on the plug: no timer needs to run for it to show.
    await rt.fromDevice('stat/plug1/POWER', 'OFF');
    assert.deepEqual(rt.runner.state(1).relays, [false]);
    assert.deepEqual(rt.events, [{ deviceId: 1 }, { deviceId: 1 }]);
    // Redis gets the states of a short window together, the last one of each device.
    assert.equal(await rt.store.get(1), undefined);
    await rt.clock.tickAsync(STORE_DELAY_MS);
    assert.deepEqual((await rt.store.get(1))?.relays, [false]);
    await rt.stop();
  });

  it('keeps what the driver learned (a second relay, a meter) in the device’s config', async () => {
    const rt = runtime();
    rt.devices.add(1, 'tasmota', 'strip');
    await rt.start();
    await rt.fromDevice('tele/strip/STATE', '{"POWER1":"ON","POWER2":"OFF"}');
    await rt.fromDevice('tele/strip/SENSOR', '{"ENERGY":{"Total":1.5,"Power":42}}');
    assert.deepEqual(rt.devices.configs.get(1), { relayCount: 2, metering: true });
    assert.deepEqual(rt.runner.capabilities(1), ['switch', 'power', 'energy']);
    assert.deepEqual(rt.runner.state(1).relays, [true, false]);
    assert.equal(rt.runner.state(1).powerW, 42);
    await rt.stop();
  });

  it('ignores what is not the device’s (another plug, another prefix)', async () => {
    const rt = runtime();
    rt.devices.add(1, 'tasmota', 'plug1');
    await rt.start();
    await rt.fromDevice('stat/plug2/POWER', 'ON');
    await rt.fromDevice('cmnd/plug1/POWER', 'ON');
    assert.deepEqual(rt.runner.state(1), UNKNOWN_STATE);
    assert.deepEqual(rt.events, []);
    await rt.stop();
  });

  it('takes a device added while running and forgets one removed, state included', async () => {
    const rt = runtime();
    await rt.start();
    rt.devices.add(7, 'tasmota', 'plug7');
    rt.bus.emit('device.added', { deviceId: 7 });
    assert.deepEqual(
      rt.sent().map((m) => m.topic),
      ['cmnd/plug7/POWER'],
    );
    await rt.fromDevice('stat/plug7/POWER', 'ON');
    await rt.clock.tickAsync(STORE_DELAY_MS);
    assert.deepEqual((await rt.store.get(7))?.relays, [true]);
    rt.devices.rows.delete(7);
    rt.bus.emit('device.removed', { deviceId: 7 });
    await rt.fromDevice('stat/plug7/POWER', 'OFF');
    assert.deepEqual(rt.runner.state(7), UNKNOWN_STATE);
    assert.equal(await rt.store.get(7), undefined);
    assert.equal(rt.runner.driven(7), undefined);
    await rt.stop();
  });

  it('follows the device’s MQTT session: offline when its last session ends, online and asked again when it connects', async () => {
    const rt = runtime();
    const row = rt.devices.add(1, 'tasmota', 'plug1');
    await rt.start();
    rt.clock.tick(5000);
    rt.bus.emit('mqtt.connected', connected(row.mqttUsername));
    assert.equal(rt.runner.state(1).online, true);
    assert.equal(rt.runner.state(1).lastSeenMs, T0 + 5000);
    assert.equal(rt.sent().length, 2, 'asked at start and again on connect');
    // A takeover: the new session is ready before the old one ends.
    rt.bus.emit('mqtt.connected', connected(row.mqttUsername));
    rt.bus.emit('mqtt.disconnected', { clientId: row.mqttUsername, username: row.mqttUsername });
    assert.equal(rt.runner.state(1).online, true);
    rt.bus.emit('mqtt.disconnected', { clientId: row.mqttUsername, username: row.mqttUsername });
    assert.equal(rt.runner.state(1).online, false);
    assert.equal(rt.runner.state(1).lastSeenMs, T0 + 5000, 'going away is not being seen');
    rt.bus.emit('mqtt.disconnected', { clientId: 'someone', username: 'ann' });
    assert.equal(rt.runner.state(1).online, false);
    await rt.stop();
  });

  it('counts a session opened while it reads the stored states: a later takeover leaves the device online', async () => {
    const rt = runtime();
    const row = rt.devices.add(1, 'emonesp', 'sp1');
    await rt.store.set(1, { ...UNKNOWN_STATE, online: true, relays: [true], lastSeenMs: T0 - 60_000 });
    let release!: () => void;
    const read = rt.store.all.bind(rt.store);
    rt.store.all = async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return read();
    };
    const started = rt.start();
    rt.clock.tick(1000);
    // EmonESP has no last will: the broker's sessions are all the hub knows of it.
    rt.bus.emit('mqtt.connected', connected(row.mqttUsername));
    release();
    await started;
    assert.equal(rt.runner.state(1).online, true);
    assert.equal(rt.runner.state(1).lastSeenMs, T0 + 1000);
    assert.deepEqual(rt.runner.state(1).relays, [true], 'the stored state is kept');
    // Its reconnect takes over the client id: the new session opens before the old one ends.
    rt.bus.emit('mqtt.connected', connected(row.mqttUsername));
    rt.bus.emit('mqtt.disconnected', { clientId: row.mqttUsername, username: row.mqttUsername });
    assert.equal(rt.runner.state(1).online, true);
    rt.bus.emit('mqtt.disconnected', { clientId: row.mqttUsername, username: row.mqttUsername });
    assert.equal(rt.runner.state(1).online, false);
    await rt.stop();
  });

  it('starts from the stored states, with online unknown until the device speaks', async () => {
    const rt = runtime();
    rt.devices.add(1, 'tasmota', 'plug1');
    await rt.store.set(1, {
      ...UNKNOWN_STATE,
      online: true,
      relays: [true],
      powerW: 5,
      lastSeenMs: T0 - 60_000,
    });
    await rt.start();
    assert.deepEqual(rt.runner.state(1), {
      ...UNKNOWN_STATE,
      online: null,
      relays: [true],
      powerW: 5,
      lastSeenMs: T0 - 60_000,
    });
    await rt.stop();
  });

  it('stops listening when stopped', async () => {
    const rt = runtime();
    rt.devices.add(1, 'tasmota', 'plug1');
    await rt.start();
    await rt.stop();
    await rt.fromDevice('stat/plug1/POWER', 'ON');
    rt.bus.emit('device.added', { deviceId: 1 });
    assert.deepEqual(rt.runner.state(1), UNKNOWN_STATE);
    assert.equal(rt.runner.status().state, 'stopped');
  });

  it('writes what is still unsaved when it stops', async () => {
    const rt = runtime();
    rt.devices.add(1, 'tasmota', 'plug1');
    await rt.start();
    await rt.fromDevice('stat/plug1/POWER', 'ON');
    await rt.stop();
    assert.deepEqual((await rt.store.get(1))?.relays, [true]);
    assert.equal(rt.clock.pendingTimers(), 0);
  });
});
