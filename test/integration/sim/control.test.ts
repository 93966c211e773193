import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ControlStatusView, DeviceView } from '../../../src/api/contract.js';
import { EmonespSim } from '../../../scripts/sim/emonesp-sim.js';
import { OpenevseSim } from '../../../scripts/sim/openevse-sim.js';
import type { MqttDeviceSim } from '../../../scripts/sim/sim-base.js';
import { ShellySim } from '../../../scripts/sim/shelly-sim.js';
import { TasmotaSim } from '../../../scripts/sim/tasmota-sim.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { useTeardown } from '../../helpers/teardown.js';
import { addDevice, settle } from './sim-helpers.js';

// Each simulator driven by the hub's own drivers through the API: switched with read-back
// (confirmed by the device's own report), a press seen within a second, deletion ending its session.
const teardown = useTeardown();
let hub: TestHub;
let admin: HttpClient;
let url: string;

async function setState(id: number, desired: object): Promise<ControlStatusView> {
  const res = await admin.request('PUT', `/api/v1/devices/${id}/state?wait=1`, { json: desired });
  assert.equal(res.status, 200, res.text);
  return res.body as ControlStatusView;
}

async function view(id: number): Promise<DeviceView> {
  const res = await admin.request('GET', `/api/v1/devices/${id}`);
  assert.equal(res.status, 200, res.text);
  return res.body as DeviceView;
}

/** Polls the device until `check` holds; fails after `timeoutMs`. */
async function until(id: number, check: (d: DeviceView) => boolean, what: string, timeoutMs = 1000) {
  const deadline = Date.now() + timeoutMs;
  let last: DeviceView | undefined;
  while (Date.now() < deadline) {
    last = await view(id);
    if (check(last)) return last;
    await settle(25);
  }
  assert.fail(`${what} not seen in ${timeoutMs} ms: ${JSON.stringify(last?.state)}`);
}

async function switchPressDelete(
  id: number,
  sim: MqttDeviceSim & { press(): Promise<void> },
  relay = () => true,
) {
  await until(id, (d) => d.state.online === true, 'online', 3000);
  assert.equal((await setState(id, { on: true })).status, 'confirmed');
  assert.equal((await view(id)).state.relays[0], true);
  assert.equal(relay(), true, 'the simulated relay is on');
  assert.equal((await setState(id, { on: false })).status, 'confirmed');
  assert.equal((await view(id)).state.relays[0], false);
  await sim.press();
  await until(id, (d) => d.state.relays[0] === true, 'the press');
  const del = await admin.request('DELETE', `/api/v1/devices/${id}`);
  assert.equal(del.status, 204, del.text);
  for (let i = 0; i < 40 && sim.connected; i++) await settle(25);
  assert.equal(sim.connected, false, 'its session ended with the login');
}

describe('simulators under the hub’s drivers and control API', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown));
    url = `mqtt://127.0.0.1:${hub.mqttPort}`;
  });

  it('Tasmota: on/off confirmed by its report, a press, deletion', async () => {
    const login = await addDevice(admin, 'Plug', 'tasmota', 'ctl_plug');
    const sim = new TasmotaSim({ topic: 'ctl_plug', telePeriodS: 0 });
    teardown.add(() => sim.stop());
    await sim.start({ url, ...login });
    await switchPressDelete(login.id, sim, () => sim.relays[0] === true);
  });

  it('Shelly Gen2: on/off by RPC confirmed, a press, deletion', async () => {
    const sim = new ShellySim({ mac: 'A8032AB1C2E0' });
    const login = await addDevice(admin, 'Plug S', 'shelly', sim.id);
    teardown.add(() => sim.stop());
    await sim.start({ url, ...login });
    await switchPressDelete(login.id, sim, () => sim.output);
  });

  it('EmonESP: on/off by ctrlmode confirmed, a press, deletion', async () => {
    const login = await addDevice(admin, 'S20', 'emonesp', 'ctl_s20');
    const sim = new EmonespSim({ nodeName: 'smartplug3' });
    teardown.add(() => sim.stop());
    await sim.useCredentials(url, login.username, login.password, 'emon/ctl_s20');
    await switchPressDelete(login.id, sim, () => sim.relayOn);
  });

  it('OpenEVSE: start/stop, current and energy limits confirmed, a press, deletion', async () => {
    const sim = new OpenevseSim({ id: 'c44f330d9e9e' });
    const login = await addDevice(admin, 'Charger', 'openevse', sim.base);
    teardown.add(() => sim.stop());
    await sim.start({ url, ...login });
    await sim.plugIn();
    const id = login.id;
    await until(id, (d) => d.state.online === true, 'online', 3000);
    assert.equal((await setState(id, { on: true, currentLimitA: 16 })).status, 'confirmed');
    assert.equal(sim.pilotA, 16);
    assert.equal(sim.charging, true);
    assert.equal((await view(id)).state.ev?.currentLimitA, 16);
    assert.equal((await setState(id, { energyLimitKWh: 5 })).status, 'confirmed');
    assert.equal((await view(id)).state.ev?.energyLimitKWh, 5);
    assert.deepEqual([sim['limit'].type, sim['limit'].value], ['energy', 5000], 'the firmware takes Wh');
    assert.equal((await setState(id, { on: false })).status, 'confirmed');
    assert.equal(sim.charging, false);
    assert.equal((await setState(id, { energyLimitKWh: null })).status, 'confirmed');
    assert.equal((await view(id)).state.ev?.energyLimitKWh, null);
    assert.equal((await setState(id, { on: true })).status, 'confirmed');
    await sim.press();
    await until(id, (d) => d.state.relays[0] === false, 'the press');
    const del = await admin.request('DELETE', `/api/v1/devices/${id}`);
    assert.equal(del.status, 204, del.text);
    for (let i = 0; i < 40 && sim.connected; i++) await settle(25);
    assert.equal(sim.connected, false);
  });
});
