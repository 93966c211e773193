import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { MqttClient } from 'mqtt';
import type { ControlStatusView, DeviceView } from '../../../src/api/contract.js';
import { createKeys } from '../../../src/state/keys.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { liveClient } from '../../helpers/live.js';
import { closed, mqttClient } from '../../helpers/mqtt.js';
import { until } from '../../helpers/processes.js';
import { startRedis } from '../../helpers/redis-server.js';
import { useTeardown } from '../../helpers/teardown.js';

// A real MQTT.js client plays a Tasmota plug (its topics: tasmota docs/MQTT.md) on its own login,
// through the whole hub: reports, commands with read-back, retries, its last will and deletion.
const teardown = useTeardown();
let hub: TestHub;
let admin: HttpClient;
let viewer: HttpClient;
let redis: Redis;
let mqttUrl: string;
const keys = createKeys('hub');

interface Plug {
  id: number;
  client: MqttClient;
  /** Every command it got: `<topic> <payload> qos<n>`. */
  commands: string[];
}

/** Adds a Tasmota device over the API and connects as it, with Tasmota's last will. */
async function tasmota(topic: string, opts: { answer: boolean }): Promise<Plug> {
  const res = await admin.request('POST', '/api/v1/devices', {
    json: { name: `Plug ${topic}`, kind: 'tasmota', topicName: topic },
  });
  assert.equal(res.status, 201, res.text);
  const { device, mqttUsername, secret } = res.body as {
    device: { id: number };
    mqttUsername: string;
    secret: string;
  };
  const client = await mqttClient(teardown, mqttUrl, {
    username: mqttUsername,
    password: secret,
    clientId: `DVES_${topic}`,
    will: { topic: `tele/${topic}/LWT`, payload: Buffer.from('Offline'), qos: 1, retain: true },
  });
  const commands: string[] = [];
  client.on('message', (t, payload, packet) => {
    commands.push(`${t} ${payload.toString()} qos${packet.qos}`);
    // As the firmware: a POWER command (or an empty query) answers with the relay's state.
    if (opts.answer && t === `cmnd/${topic}/POWER`) {
      const asked = payload.toString().toUpperCase();
      if (asked === 'ON' || asked === 'OFF') relay.set(topic, asked);
      client.publish(`stat/${topic}/RESULT`, JSON.stringify({ POWER: relay.get(topic) ?? 'OFF' }));
      client.publish(`stat/${topic}/POWER`, relay.get(topic) ?? 'OFF');
    }
  });
  await client.subscribeAsync(`cmnd/${topic}/#`, { qos: 1 });
  await client.publishAsync(`tele/${topic}/LWT`, 'Online', { qos: 1, retain: true });
  return { id: device.id, client, commands };
}
const relay = new Map<string, string>();

const view = async (id: number, as = admin): Promise<DeviceView> => {
  const res = await as.request('GET', `/api/v1/devices/${id}`);
  assert.equal(res.status, 200, res.text);
  return res.body as DeviceView;
};
const eventually = (what: string, check: () => Promise<boolean>) => until(check, 3000, what);

describe('devices live: state, control with read-back, last will and deletion (Tasmota)', () => {
  before(async () => {
    const server = await startRedis();
    teardown.add(() => server.stop());
    hub = await startTestHub(teardown, {
      redisUrl: server.url,
      config: {
        devices: { confirmTimeoutMs: 400, retries: 1 },
        pairing: { mdns: false, beaconAddress: '127.0.0.1', beaconPort: 9 },
      },
    });
    mqttUrl = `mqtt://127.0.0.1:${hub.mqttPort}`;
    admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    await admin.request('POST', '/api/v1/users', {
      json: { username: 'vic', password: 'vic-password', role: 'viewer' },
    });
    viewer = hub.client();
    await viewer.request('POST', '/api/v1/session', { json: { username: 'vic', password: 'vic-password' } });
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    teardown.add(() => redis.quit());
  });

  it('shows the state the plug reports (tele and stat), to viewers too', async () => {
    const plug = await tasmota('plug1', { answer: true });
    await plug.client.publishAsync('tele/plug1/STATE', '{"POWER":"OFF"}');
    await plug.client.publishAsync('tele/plug1/SENSOR', '{"ENERGY":{"Total":12.25,"Power":0}}');
    await eventually('the meter reading', async () => (await view(plug.id)).state.energyKWh === 12.25);
    const seen = await view(plug.id, viewer);
    assert.deepEqual(
      [
        seen.kind,
        seen.room,
        seen.capabilities,
        seen.state.online,
        seen.state.relays,
        seen.state.powerW,
        seen.control,
      ],
      ['tasmota', null, ['switch', 'power', 'energy'], true, [false], 0, null],
    );
    const listed = (await viewer.request('GET', '/api/v1/devices')).body as DeviceView[];
    assert.deepEqual(
      listed.map((d) => [d.id, d.name]),
      [[plug.id, 'Plug plug1']],
    );
    // Redis gets it within STORE_DELAY_MS (100 ms).
    await eventually('the state in Redis', async () => {
      const stored = await redis.hget(keys.deviceStates(), String(plug.id));
      return stored !== null && (JSON.parse(stored) as DeviceView['state']).energyKWh === 12.25;
    });
    assert.equal(
      (await viewer.request('PUT', `/api/v1/devices/${plug.id}/state`, { json: { on: true } })).status,
      403,
    );
  });

  it('switches the plug with QoS 1 and shows it confirmed by the plug’s own report', async (t) => {
    const plug = await tasmota('plug2', { answer: true });
    await eventually('online', async () => (await view(plug.id)).state.online === true);
    plug.commands.length = 0;
    const res = await admin.request('PUT', `/api/v1/devices/${plug.id}/state`, { json: { on: true } });
    assert.equal(res.status, 202, res.text);
    assert.equal((res.body as ControlStatusView).status, 'pending');
    await eventually('confirmed', async () => (await view(plug.id)).control?.status === 'confirmed');
    const device = await view(plug.id);
    assert.deepEqual(device.state.relays, [true]);
    assert.deepEqual(device.control?.desired, { on: true });
    // The hub also asks a device that connects for its state (an empty POWER), which may reach
    // the plug just after its subscription, i.e. after this list was cleared: not this switch.
    assert.deepEqual(
      plug.commands.filter((c) => c !== 'cmnd/plug2/POWER  qos1'),
      ['cmnd/plug2/POWER ON qos1'],
    );
    // ?wait=1 answers once the report is in.
    const putAtMs = Date.now();
    const waited = await admin.request('PUT', `/api/v1/devices/${plug.id}/state?wait=1`, {
      json: { on: false },
    });
    assert.equal(waited.status, 200, waited.text);
    t.diagnostic(`PUT ?wait=1 to confirmed in ${Date.now() - putAtMs} ms`);
    assert.deepEqual(
      [(waited.body as ControlStatusView).status, (waited.body as ControlStatusView).attempts],
      ['confirmed', 1],
    );
    assert.deepEqual((await view(plug.id)).state.relays, [false]);
  });

  it('sends again when the plug does not answer, then shows "not confirmed"', async () => {
    const plug = await tasmota('plug3', { answer: false });
    await eventually('online', async () => (await view(plug.id)).state.online === true);
    plug.commands.length = 0;
    const res = await admin.request('PUT', `/api/v1/devices/${plug.id}/state?wait=1`, { json: { on: true } });
    assert.equal(res.status, 200, res.text);
    const status = res.body as ControlStatusView;
    assert.deepEqual([status.status, status.attempts], ['not_confirmed', 2]);
    assert.match(status.reason ?? '', /did not report the change within 0.4 s/);
    assert.deepEqual(plug.commands, [
      'cmnd/plug3/POWER ON qos1',
      'cmnd/plug3/POWER  qos1',
      'cmnd/plug3/POWER ON qos1',
    ]);
    assert.equal((await view(plug.id)).control?.status, 'not_confirmed');
  });

  it('refuses bad requests with the field or the reason', async () => {
    const plug = await tasmota('plug4', { answer: true });
    const put = (json: object, id = plug.id) => admin.request('PUT', `/api/v1/devices/${id}/state`, { json });
    const cases: [Awaited<ReturnType<typeof put>>, number, string][] = [
      [await put({ On: true }), 400, 'invalid_body'],
      [await put({ on: 'yes' }), 400, 'invalid_on'],
      [await put({}), 400, 'nothing_to_change'],
      [await put({ currentLimitA: 16 }), 400, 'unsupported'],
      [await put({ on: true }, 999), 404, 'device_not_found'],
    ];
    for (const [res, status, code] of cases) {
      assert.equal(res.status, status, res.text);
      assert.equal((res.body as { code: string }).code, code, res.text);
    }
    const renamed = await admin.request('PATCH', `/api/v1/devices/${plug.id}`, {
      json: { name: 'Kettle', room: 'Kitchen' },
    });
    assert.equal(renamed.status, 200, renamed.text);
    assert.deepEqual(
      [(renamed.body as DeviceView).name, (renamed.body as DeviceView).room],
      ['Kettle', 'Kitchen'],
    );
    const bad = await admin.request('PATCH', `/api/v1/devices/${plug.id}`, { json: { room: 5 } });
    assert.deepEqual([bad.status, (bad.body as { code: string }).code], [400, 'invalid_room']);
  });

  it('shows the plug offline when its last will comes, and a press on it on /ws at once', async (t) => {
    const plug = await tasmota('plug5', { answer: true });
    const { readApiKey } = (await viewer.request('GET', '/api/v1/me/apikeys')).body as { readApiKey: string };
    const wsUrl = `${hub.baseUrl.replace('http', 'ws')}/ws`;
    const live = await liveClient(teardown, `${wsUrl}?apikey=${readApiKey}`);
    const anonymous = await liveClient(teardown, wsUrl);
    await eventually('online', async () => (await view(plug.id)).state.online === true);
    const pressedAtMs = Date.now();
    await plug.client.publishAsync('stat/plug5/POWER', 'ON');
    const pushed = await live.next(
      'device',
      (m) => m.id === plug.id && m.device?.state.relays[0] === true,
      1000,
    );
    const pressToWsMs = Date.now() - pressedAtMs;
    t.diagnostic(`a press reached /ws in ${pressToWsMs} ms`);
    assert.ok(pressToWsMs < 1000, `${pressToWsMs} ms`);
    assert.equal(pushed.device?.name, 'Plug plug5');
    plug.client.stream.destroy(); // the plug loses power: the broker publishes its will
    await eventually('offline', async () => (await view(plug.id)).state.online === false);
    await live.next('device', (m) => m.id === plug.id && m.device?.state.online === false);
    assert.deepEqual(
      anonymous.received.filter((m) => m.type === 'device'),
      [],
      'an anonymous client gets no device',
    );
    const refused = await admin.request('PUT', `/api/v1/devices/${plug.id}/state`, { json: { on: false } });
    assert.deepEqual([refused.status, (refused.body as { code: string }).code], [409, 'device_offline']);
  });

  it('follows a device without a last will (EmonESP) by its MQTT session', async () => {
    const res = await admin.request('POST', '/api/v1/devices', {
      json: { name: 'Heater', kind: 'emonesp', topicName: 'heater1' },
    });
    assert.equal(res.status, 201, res.text);
    const { device, mqttUsername, secret } = res.body as {
      device: { id: number };
      mqttUsername: string;
      secret: string;
    };
    assert.equal((await view(device.id)).state.online, null, 'nothing known before it connects');
    const esp = await mqttClient(teardown, mqttUrl, { username: mqttUsername, password: secret });
    await eventually('online', async () => (await view(device.id)).state.online === true);
    await esp.endAsync();
    await eventually('offline', async () => (await view(device.id)).state.online === false);
  });

  it('deletes a device: its state is gone, its session ended, /ws told', async () => {
    const plug = await tasmota('plug6', { answer: true });
    await eventually('online', async () => (await view(plug.id)).state.online === true);
    await eventually(
      'its state in Redis',
      async () => (await redis.hget(keys.deviceStates(), String(plug.id))) !== null,
    );
    const { readApiKey } = (await admin.request('GET', '/api/v1/me/apikeys')).body as { readApiKey: string };
    const live = await liveClient(teardown, `${hub.baseUrl.replace('http', 'ws')}/ws?apikey=${readApiKey}`);
    assert.equal((await admin.request('DELETE', `/api/v1/devices/${plug.id}`)).status, 204);
    assert.equal(await closed(plug.client), true);
    await live.next('device', (m) => m.id === plug.id && m.device === null);
    assert.equal((await admin.request('GET', `/api/v1/devices/${plug.id}`)).status, 404);
    await eventually(
      'state gone',
      async () => (await redis.hget(keys.deviceStates(), String(plug.id))) === null,
    );
  });

  it('tells administrators only of pairing on /ws', async () => {
    const wsUrl = `${hub.baseUrl.replace('http', 'ws')}/ws`;
    const apiKey = async (c: HttpClient) =>
      ((await c.request('GET', '/api/v1/me/apikeys')).body as { readApiKey: string }).readApiKey;
    const adminLive = await liveClient(teardown, `${wsUrl}?apikey=${await apiKey(admin)}`);
    const viewerLive = await liveClient(teardown, `${wsUrl}?apikey=${await apiKey(viewer)}`);
    // What waits now comes with the socket: the app asks for nothing on the way to its page.
    assert.deepEqual((await adminLive.next('pairing')).pairing, {
      windowOpenUntilMs: null,
      requests: [],
      claims: [],
    });
    const opened = await admin.request('POST', '/api/v1/pairing/window', { json: { open: true } });
    assert.equal(opened.status, 200, opened.text);
    const pushed = await adminLive.next('pairing', (m) => m.pairing.windowOpenUntilMs !== null);
    assert.equal(
      pushed.pairing.windowOpenUntilMs,
      (opened.body as { windowOpenUntilMs: number }).windowOpenUntilMs,
    );
    await admin.request('POST', '/api/v1/pairing/window', { json: { open: false } });
    await adminLive.next('pairing', (m) => m.pairing.windowOpenUntilMs === null);
    assert.deepEqual(
      viewerLive.received.filter((m) => m.type === 'pairing'),
      [],
    );
  });
});
