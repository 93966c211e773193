import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { ShellySim } from '../../../scripts/sim/shelly-sim.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { mqttClient } from '../../helpers/mqtt.js';
import { useTeardown } from '../../helpers/teardown.js';
import { addDevice, brokerLogins, loginRecordingBroker, Recorder, settle } from './sim-helpers.js';

// The Shelly Gen2 simulator's RPC over MQTT through the hub with the device's own login.
const teardown = useTeardown();
const ID = 'shellyplusplugs-a8032ab1c2d3';
let hub: TestHub;
let admin: HttpClient;
let url: string;
let observer: MqttClient;
let rec: Recorder;
let nextId = 1;
/** `<clientId> <principal>:<username>` per connection the hub's broker let in. */
let logins: string[];

/** An RPC as a client with source `src` makes it; resolves with the reply frame. */
function rpc(src: string, method: string, params?: object): Promise<Record<string, unknown>> {
  return rpcAt(ID, src, method, params);
}

/** The same to the device whose topic prefix is `prefix`. */
async function rpcAt(
  prefix: string,
  src: string,
  method: string,
  params?: object,
): Promise<Record<string, unknown>> {
  const id = nextId++;
  const reply = rec.next(`${src}/rpc`);
  await observer.publishAsync(`${prefix}/rpc`, JSON.stringify({ id, src, method, params }), { qos: 1 });
  const frame = JSON.parse((await reply).payload) as Record<string, unknown>;
  assert.equal(frame.id, id);
  return frame;
}

describe('Shelly Gen2 simulator through the hub', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown));
    url = `mqtt://127.0.0.1:${hub.mqttPort}`;
    observer = await mqttClient(teardown, url, { username: 'ann', password: 'ann-password' });
    await observer.subscribeAsync([`${ID}/#`, 'observer/rpc']);
    rec = new Recorder(observer);
    logins = brokerLogins(hub, teardown);
  });

  it('is online, answers RPC to <src>/rpc with the documented frame and notifies each change', async () => {
    const login = await addDevice(admin, 'Dryer', 'shelly', ID);
    const clock = new ManualClock(Date.UTC(2026, 10, 27, 12));
    const sim = new ShellySim({ clock, loadW: 1200 });
    teardown.add(() => sim.stop());
    const online = rec.next(`${ID}/online`, 'true');
    await sim.start({ url, ...login });
    await online;
    // RPC, `command` and enable_control's `command/switch:0` are granted.
    assert.deepEqual(sim.granted, [1, 1, 1]);
    // A reply to a source under the device's own prefix passes its grants.
    // Its own reply topic, not the hub driver's (`<id>/hub`): the hub asks too, with its own ids.
    const src = `${ID}/test`;
    const info = await rpc(src, 'Shelly.GetDeviceInfo');
    assert.deepEqual({ src: info.src, dst: info.dst }, { src: ID, dst: src });
    assert.deepEqual((info.result as Record<string, unknown>).app, 'PlugS');
    assert.equal((info.result as Record<string, unknown>).gen, 2);

    const notify = rec.next(`${ID}/events/rpc`);
    const status = rec.next(`${ID}/status/switch:0`);
    const set = await rpc(src, 'Switch.Set', { id: 0, on: true });
    assert.deepEqual(set, { id: set.id, src: ID, dst: src, result: { was_on: false } });
    assert.deepEqual(JSON.parse((await notify).payload), {
      src: ID,
      dst: `${ID}/events`,
      method: 'NotifyStatus',
      params: { ts: clock.nowMs() / 1000, 'switch:0': { id: 0, output: true, source: 'MQTT', apower: 1200 } },
    });
    const full = JSON.parse((await status).payload) as Record<string, unknown>;
    assert.equal(full.output, true);
    assert.equal(full.apower, 1200);

    await clock.tickAsync(3_600_000);
    const got = await rpc(src, 'Switch.GetStatus', { id: 0 });
    assert.deepEqual(
      (got.result as { aenergy: { total: number } }).aenergy.total,
      1200,
      '1200 W for an hour',
    );
    const toggled = await rpc(src, 'Switch.Toggle', { id: 0 });
    assert.deepEqual(toggled.result, { was_on: true });
    const bad = await rpc(src, 'Switch.Set', { id: 0 });
    assert.deepEqual(bad.error, { code: -103, message: "Missing or invalid argument 'on'!" });
    const none = await rpc(src, 'Cover.Open');
    assert.deepEqual(none.error, { code: 404, message: 'No handler for Cover.Open' });

    const pressed = rec.next(`${ID}/events/rpc`);
    await sim.press();
    const pressParams = (JSON.parse((await pressed).payload) as { params: Record<string, unknown> }).params;
    assert.deepEqual(pressParams['switch:0'], { id: 0, output: true, source: 'button', apower: 1200 });

    // Going away without a goodbye: the broker publishes the retained will.
    const offline = rec.next(`${ID}/online`, 'false');
    sim.powerOff();
    await offline;
  });

  it("cannot reply to a caller whose source is outside the device's own topics", async () => {
    const sim = new ShellySim({ mac: 'A8032AB1C2D4' });
    const id = sim.id;
    const login = await addDevice(admin, 'Boiler', 'shelly', id);
    teardown.add(() => sim.stop());
    await sim.start({ url, ...login });
    // A client choosing src "observer" never gets its answer: <src>/rpc is not the device's to publish.
    await observer.publishAsync(
      `${id}/rpc`,
      JSON.stringify({ id: 1, src: 'observer', method: 'Shelly.GetDeviceInfo' }),
      {
        qos: 1,
      },
    );
    await assert.rejects(rec.next('observer/rpc', undefined, 700), /no observer\/rpc/);
    assert.equal(sim.connected, true);
  });

  it('takes new MQTT credentials by MQTT.SetConfig and Shelly.Reboot', async () => {
    const sim = new ShellySim({ mac: 'A8032AB1C2D5' });
    const id = sim.id;
    const login = await addDevice(admin, 'Pump', 'shelly', id);
    teardown.add(() => sim.stop());
    await sim.start({ url, username: 'ann', password: 'ann-password' });
    const src = `${id}/test`; // not the hub driver's `<id>/hub`
    const reply = rec.next(`${src}/rpc`);
    await observer.subscribeAsync(`${id}/#`);
    await observer.publishAsync(
      `${id}/rpc`,
      JSON.stringify({
        id: 7,
        src,
        method: 'MQTT.SetConfig',
        params: { config: { user: login.username, pass: login.password } },
      }),
      { qos: 1 },
    );
    assert.deepEqual(JSON.parse((await reply).payload), {
      id: 7,
      src: id,
      dst: src,
      result: { restart_required: true },
    });
    const back = sim.nextConnect();
    const online = rec.next(`${id}/online`, 'true', 8000);
    await observer.publishAsync(
      `${id}/rpc`,
      JSON.stringify({ id: 8, src, method: 'Shelly.Reboot', params: { delay_ms: 100 } }),
      {
        qos: 1,
      },
    );
    await online;
    await back;
    assert.equal(sim.connectCount, 2);
    const info = rec.next(`${src}/rpc`);
    await observer.publishAsync(
      `${id}/rpc`,
      JSON.stringify({ id: 9, src, method: 'Switch.GetStatus', params: { id: 0 } }),
      {
        qos: 1,
      },
    );
    assert.equal((JSON.parse((await info).payload) as { id: number }).id, 9, 'answers on its own login');
  });

  it('moves to a new topic_prefix and login by MQTT.SetConfig and Shelly.Reboot, keeping its client id', async () => {
    const sim = new ShellySim({ mac: 'A8032AB1C2D6' });
    const id = sim.id;
    const login = await addDevice(admin, 'Garage plug', 'shelly', 'garage-plug');
    teardown.add(() => sim.stop());
    await observer.subscribeAsync([`${id}/#`, 'garage-plug/#', 'hub-pairing/rpc']);
    // The hub's pairing service asks who it is, then hands over its login (ann stands for the
    // pairing login here: this test is about the device's side).
    await sim.start({ url, username: 'ann', password: 'ann-password' });
    const info = await rpcAt(id, 'hub-pairing', 'Shelly.GetDeviceInfo');
    assert.deepEqual([info.src, info.dst], [id, 'hub-pairing']);
    assert.deepEqual((info.result as { mac: string }).mac, 'A8032AB1C2D6');
    const bad = await rpcAt(id, 'hub-pairing', 'MQTT.SetConfig', { config: { topic_prefix: 'a/#' } });
    assert.deepEqual(bad.error, { code: -103, message: "Missing or invalid argument 'topic_prefix'!" });
    const set = await rpcAt(id, 'hub-pairing', 'MQTT.SetConfig', {
      config: { user: login.username, pass: login.password, topic_prefix: 'garage-plug' },
    });
    assert.deepEqual(set.result, { restart_required: true });
    assert.equal(sim.prefix, id, 'nothing changes before the reboot');

    const online = rec.next('garage-plug/online', 'true', 8000);
    const rebooted = await rpcAt(id, 'hub-pairing', 'Shelly.Reboot', { delay_ms: 100 });
    assert.equal(rebooted.result, null);
    await online;
    assert.equal(sim.prefix, 'garage-plug');
    assert.deepEqual(
      logins.filter((l) => l.startsWith(`${id} `)),
      [`${id} user:ann`, `${id} device:${login.username}`],
      'the same client id, let in as ann, then as the device',
    );
    // It listens on the new prefix only, and answers as itself.
    const status = await rpcAt('garage-plug', 'garage-plug/test', 'Switch.GetStatus', { id: 0 });
    assert.deepEqual([status.src, (status.result as { id: number }).id], [id, 0]);
    const mark = rec.mark;
    await observer.publishAsync(`${id}/command/switch:0`, 'on', { qos: 1 });
    await settle(200);
    assert.equal(sim.output, false, 'the old prefix is not its any more');
    assert.deepEqual(rec.since(mark), [`${id}/command/switch:0 on`]);
    const notify = rec.next('garage-plug/events/rpc');
    await observer.publishAsync('garage-plug/command/switch:0', 'on', { qos: 1 });
    assert.equal((JSON.parse((await notify).payload) as { dst: string }).dst, 'garage-plug/events');
  });

  it('connects with no user name when started with a pairing login', async () => {
    const broker = await loginRecordingBroker(teardown);
    const sim = new ShellySim({ mac: 'A8032AB1C2D7' });
    teardown.add(() => sim.stop());
    await sim.start({ url: broker.url });
    assert.deepEqual(broker.logins, [{ clientId: sim.id, username: undefined, password: undefined }]);
  });
});
