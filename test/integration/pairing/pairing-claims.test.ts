import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import type {
  ControlStatusView,
  DeviceView,
  PairingClaimSettings,
  PairingClaimView,
  PairingStateView,
} from '../../../src/api/contract.js';
import { OpenevseSim } from '../../../scripts/sim/openevse-sim.js';
import { ShellySim } from '../../../scripts/sim/shelly-sim.js';
import { TasmotaSim } from '../../../scripts/sim/tasmota-sim.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { closed, connectError, mqttClient } from '../../helpers/mqtt.js';
import { until } from '../../helpers/processes.js';
import { useTeardown } from '../../helpers/teardown.js';
import { Recorder, settle } from '../sim/sim-helpers.js';

// Pairing without typing (docs/devices.md): each simulator connects with a pairing login while
// the window is open, says what it is, is allowed by an admin, gets its own login through its
// firmware's own command, comes back with it and is switched with read-back. What a pairing
// session publishes reaches nobody else, and it receives nothing but the hub's own messages.
const teardown = useTeardown();
const BAD_LOGIN = 'Connection refused: Bad username or password';
const NOT_AUTHORIZED = 'Connection refused: Not authorized';
let hub: TestHub;
let admin: HttpClient;
let url: string;
/** An admin's MQTT client subscribed to everything: it must never see a pairing session's traffic. */
let watcher: Recorder;

const pairing = async (): Promise<PairingStateView> => {
  const res = await admin.request('GET', '/api/v1/pairing');
  assert.equal(res.status, 200, res.text);
  return res.body as PairingStateView;
};
const claimOf = async (clientId: string) => (await pairing()).claims.find((c) => c.clientId === clientId);
async function claimUntil(clientId: string, check: (c: PairingClaimView) => boolean, what: string) {
  let last: PairingClaimView | undefined;
  await until(async () => !!(last = await claimOf(clientId)) && check(last), 8000, `${clientId}: ${what}`);
  return last!;
}
const setWindow = async (open: boolean) =>
  assert.equal((await admin.request('POST', '/api/v1/pairing/window', { json: { open } })).status, 200);
const view = async (id: number) => (await admin.request('GET', `/api/v1/devices/${id}`)).body as DeviceView;

async function allowAndSwitch(clientId: string, sim: { connected: boolean }, relayOn: () => boolean) {
  const allowed = await admin.request('POST', `/api/v1/pairing/claims/${clientId}/allow`, {
    json: { room: 'Utility' },
  });
  assert.equal(allowed.status, 201, allowed.text);
  const { deviceId } = allowed.body as { deviceId: number; topicName: string };
  const paired = await claimUntil(clientId, (c) => c.status === 'paired', 'paired');
  assert.equal(paired.deviceId, deviceId);
  await until(async () => (await view(deviceId)).state.online === true, 8000, 'online with its own login');
  assert.equal(sim.connected, true);
  const res = await admin.request('PUT', `/api/v1/devices/${deviceId}/state?wait=1`, { json: { on: true } });
  assert.equal(res.status, 200, res.text);
  assert.equal((res.body as ControlStatusView).status, 'confirmed');
  assert.equal(relayOn(), true, 'the simulated relay is on');
  assert.equal((await view(deviceId)).room, 'Utility');
  return deviceId;
}

/** No login, no pairing topic, no secret ever reached the admin who reads every topic. */
function assertNothingRouted(mark: number, secretPart: string) {
  const leaked = watcher
    .since(mark)
    .filter((line) => line.includes(secretPart) || /Backlog|SetConfig|config\/set/.test(line));
  assert.deepEqual(leaked, []);
}

describe('pairing without typing: Tasmota, Shelly and OpenEVSE', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, { config: { pairing: { handoverTimeoutS: 30 } } }));
    url = `mqtt://127.0.0.1:${hub.mqttPort}`;
    const all = await mqttClient(teardown, url, { username: 'ann', password: 'ann-password' });
    await all.subscribeAsync([
      'cmnd/#',
      'tele/#',
      'stat/#',
      'openevse/#',
      'tasmota/#',
      '+/rpc',
      '+/online',
      '+/config/set',
    ]);
    watcher = new Recorder(all);
  });

  it('refuses a pairing login while no window is open, as a wrong password', async () => {
    assert.equal(await connectError(url, { clientId: 'DVES_0A0B0C' }), BAD_LOGIN);
    assert.equal(
      await connectError(url, { clientId: 'DVES_0A0B0C', username: 'DVES_USER', password: 'DVES_PASS' }),
      BAD_LOGIN,
    );
  });

  it('pairs a Tasmota that keeps its default login, confined until allowed', async () => {
    await setWindow(true);
    const mark = watcher.mark;
    const sim = new TasmotaSim({ topic: 'tasmota_1A2B3C', clientId: 'DVES_1A2B3C', telePeriodS: 0 });
    teardown.add(() => sim.stop());
    await sim.start({ url, username: 'DVES_USER', password: 'DVES_PASS' });
    const claim = await claimUntil('DVES_1A2B3C', (c) => c.model !== null, 'its module');
    assert.deepEqual(
      [claim.kind, claim.topicName, claim.model, claim.status, claim.ip],
      ['tasmota', 'tasmota_1A2B3C', 'Sonoff Basic', 'waiting', '127.0.0.1'],
    );
    // Confined: a command another client sends does not reach it; its LWT went nowhere.
    const ann = await mqttClient(teardown, url, { username: 'ann', password: 'ann-password' });
    await ann.publishAsync('cmnd/tasmota_1A2B3C/POWER', 'ON', { qos: 1 });
    await settle(200);
    assert.equal(sim.relays[0], false, 'a pairing session receives nothing routed');
    assert.equal(watcher.since(mark).filter((l) => l.startsWith('tele/tasmota_1A2B3C')).length, 0);
    const retained = await mqttClient(teardown, url, { username: 'ann', password: 'ann-password' });
    const got: string[] = [];
    retained.on('message', (t) => got.push(t));
    await retained.subscribeAsync(['tele/#', 'tasmota/#']);
    await settle(200);
    assert.deepEqual(got, [], 'nothing of a pairing session is retained');

    const deviceId = await allowAndSwitch('DVES_1A2B3C', sim, () => sim.relays[0] === true);
    const device = await view(deviceId);
    assert.deepEqual([device.kind, device.topicName], ['tasmota', 'tasmota_1A2B3C']);
    assertNothingRouted(mark, device.mqttUsername);
  });

  it('pairs a Shelly with no login, asking it what it is', async () => {
    const mark = watcher.mark;
    const sim = new ShellySim({ mac: 'A8032AB1C2D4' });
    teardown.add(() => sim.stop());
    await sim.start({ url });
    const claim = await claimUntil(sim.id, (c) => c.model !== null, 'its model');
    assert.deepEqual([claim.kind, claim.topicName, claim.model], ['shelly', sim.id, 'SNPL-00112EU']);
    await allowAndSwitch(sim.id, sim, () => sim.output);
    assertNothingRouted(mark, 'dev-shelly');
  });

  it('pairs an OpenEVSE with no login through its config/set topic', async () => {
    const mark = watcher.mark;
    const sim = new OpenevseSim({});
    teardown.add(() => sim.stop());
    await sim.start({ url });
    const clientId = await (async () => {
      let found: PairingClaimView | undefined;
      await until(
        async () => !!(found = (await pairing()).claims.find((c) => c.kind === 'openevse')),
        8000,
        'an OpenEVSE claim',
      );
      return found!.clientId;
    })();
    const claim = await claimOf(clientId);
    assert.equal(claim?.status, 'waiting');
    const allowed = await admin.request('POST', `/api/v1/pairing/claims/${clientId}/allow`, { json: {} });
    assert.equal(allowed.status, 201, allowed.text);
    await claimUntil(clientId, (c) => c.status === 'paired', 'paired');
    const { deviceId } = allowed.body as { deviceId: number };
    await until(async () => (await view(deviceId)).state.online === true, 8000, 'the charger online');
    assertNothingRouted(mark, 'dev-openevse');
  });

  it('a web page cannot pair (MQTT over WebSocket), and a dropped pairing session leaves no will', async () => {
    const ws = `ws://127.0.0.1:${new URL(hub.baseUrl).port}/mqtt`;
    assert.equal(await connectError(ws, { clientId: 'shellyplus1-fake' }), NOT_AUTHORIZED);
    const mark = watcher.mark;
    const dropping = await mqttClient(teardown, url, {
      clientId: 'DVES_CCCCCC',
      username: 'DVES_USER',
      will: { topic: 'tele/tasmota_CCCCCC/LWT', payload: Buffer.from('Offline'), qos: 1, retain: true },
    });
    await dropping.subscribeAsync('#'); // acknowledged, and nothing comes
    await dropping.publishAsync('tele/tasmota_CCCCCC/LWT', 'Online', { qos: 1, retain: true });
    await claimUntil('DVES_CCCCCC', (c) => c.status === 'waiting', 'waiting');
    dropping.stream.destroy(); // no DISCONNECT: a will would go out now
    await until(async () => (await claimOf('DVES_CCCCCC')) === undefined, 3000, 'the claim gone');
    await settle(200);
    assert.deepEqual(
      watcher.since(mark).filter((l) => l.includes('CCCCCC')),
      [],
    );
  });

  it('pairs an OpenEVSE 4.x (no config/set) through its web API, at the address it pairs from', async () => {
    const sim = new OpenevseSim({ id: 'c44f33aa0001', firmware: 'v4' });
    teardown.add(() => sim.stop());
    await sim.serveHttp();
    await sim.start({ url });
    await claimUntil(sim.hostname, (c) => c.status === 'waiting', 'waiting');
    const allowed = await admin.request('POST', `/api/v1/pairing/claims/${sim.hostname}/allow`, { json: {} });
    assert.equal(allowed.status, 201, allowed.text);
    await claimUntil(sim.hostname, (c) => c.status === 'paired', 'paired by its web API');
  });

  it('denies a device: its session ends and it is refused for a while', async () => {
    const client = await mqttClient(teardown, url, {
      clientId: 'DVES_DDDDDD',
      username: 'DVES_USER',
      password: 'x',
    });
    await client.publishAsync('tele/tasmota_DDDDDD/LWT', 'Online', { qos: 1, retain: true });
    await claimUntil('DVES_DDDDDD', (c) => c.status === 'waiting', 'waiting');
    assert.equal((await admin.request('POST', '/api/v1/pairing/claims/DVES_DDDDDD/deny')).status, 204);
    assert.equal(await closed(client), true, 'the session ended');
    assert.equal(await claimOf('DVES_DDDDDD'), undefined);
    assert.equal(await connectError(url, { clientId: 'DVES_DDDDDD', username: 'DVES_USER' }), NOT_AUTHORIZED);
    const gone = await admin.request('POST', '/api/v1/pairing/claims/DVES_DDDDDD/allow', { json: {} });
    assert.equal(gone.status, 404);
  });

  it("never takes a paired device's client id, and a claim that has said nothing cannot be allowed", async () => {
    // DVES_1A2B3C is the Tasmota paired above: its client id is its device's.
    assert.equal(await connectError(url, { clientId: 'DVES_1A2B3C', username: 'DVES_USER' }), NOT_AUTHORIZED);
    const quiet = await mqttClient(teardown, url, { clientId: 'quiet-one' });
    await quiet.publishAsync('some/topic', 'hello');
    const claim = await claimUntil('quiet-one', (c) => c.status === 'connected', 'connected');
    assert.equal(claim.kind, null);
    const res = await admin.request('POST', '/api/v1/pairing/claims/quiet-one/allow', { json: {} });
    assert.equal(res.status, 409);
    assert.equal((res.body as { code: string }).code, 'pairing_claim_unknown_kind');
  });

  it('closing the window sends away every device not yet allowed', async () => {
    const client = await mqttClient(teardown, url, { clientId: 'DVES_EEEEEE', username: 'DVES_USER' });
    await client.publishAsync('tele/tasmota_EEEEEE/LWT', 'Online');
    await claimUntil('DVES_EEEEEE', (c) => c.status === 'waiting', 'waiting');
    await setWindow(false);
    assert.equal(await closed(client), true);
    assert.deepEqual(
      (await pairing()).claims.filter((c) => c.status === 'waiting' || c.status === 'connected'),
      [],
    );
    assert.equal(await connectError(url, { clientId: 'DVES_EEEEEE', username: 'DVES_USER' }), BAD_LOGIN);
  });
});

describe('pairing without typing: the settings to type in when the device does not come back', () => {
  let hub2: TestHub;
  let admin2: HttpClient;
  let url2: string;
  before(async () => {
    ({ hub: hub2, admin: admin2 } = await startHubWithAdmin(teardown, {
      config: { pairing: { handoverTimeoutS: 1 } },
    }));
    url2 = `mqtt://127.0.0.1:${hub2.mqttPort}`;
  });

  it('shows the login it sent, which logs in', async () => {
    await admin2.request('POST', '/api/v1/pairing/window', { json: { open: true } });
    // A Tasmota-like client that takes its Backlog but never restarts.
    const fake: MqttClient = await mqttClient(teardown, url2, {
      clientId: 'DVES_FFFFFF',
      username: 'DVES_USER',
    });
    const got: string[] = [];
    fake.on('message', (t, p) => got.push(`${t} ${p.toString()}`));
    await fake.subscribeAsync('cmnd/tasmota/#');
    await fake.publishAsync('tele/tasmota/LWT', 'Online');
    const state = async () =>
      ((await admin2.request('GET', '/api/v1/pairing')).body as PairingStateView).claims.find(
        (c) => c.clientId === 'DVES_FFFFFF',
      );
    await until(async () => (await state())?.status === 'waiting', 5000, 'waiting');
    const early = await admin2.request('GET', '/api/v1/pairing/claims/DVES_FFFFFF/settings');
    assert.equal(early.status, 409);
    // "tasmota" is reserved (Tasmota's own namespace): the hub renames it in the same Backlog.
    const allowed = await admin2.request('POST', '/api/v1/pairing/claims/DVES_FFFFFF/allow', { json: {} });
    assert.equal(allowed.status, 201, allowed.text);
    const { topicName } = allowed.body as { topicName: string };
    assert.equal(topicName, 'tasmota-1');
    await until(() => got.length > 0, 3000, 'the Backlog');
    assert.match(
      got[0]!,
      /^cmnd\/tasmota\/Backlog MqttUser dev-tasmota-tasmota-1; MqttPassword2 \S+; Topic tasmota-1$/,
    );
    await until(async () => (await state())?.status === 'manual', 5000, 'manual');
    assert.match((await state())!.problem ?? '', /did not connect with its own login within 1 s/);
    const res = await admin2.request('GET', '/api/v1/pairing/claims/DVES_FFFFFF/settings');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const settings = res.body as PairingClaimSettings;
    assert.deepEqual(
      [settings.host, settings.port, settings.username, settings.topic],
      ['hub.local', hub2.mqttPort, 'dev-tasmota-tasmota-1', 'tasmota-1'],
    );
    assert.ok(got[0]!.includes(`MqttPassword2 ${settings.password};`), 'the password shown is the one sent');
    await fake.endAsync();
    const own = await mqttClient(teardown, url2, {
      clientId: 'DVES_FFFFFF',
      username: settings.username,
      password: settings.password,
    });
    assert.equal(own.connected, true);
    await until(async () => (await state())?.status === 'paired', 3000, 'paired once it logs in');
    assert.ok(!hub2.logs.join('').includes(settings.password), 'the password is never logged');
  });
});
