import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient, Packet } from 'mqtt';
import type { PairingStateView } from '../../../src/api/contract.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { mqttClient, nextMessage } from '../../helpers/mqtt.js';
import { useTeardown } from '../../helpers/teardown.js';
import { authRequestFrom, emonEspParts } from './auth-request-from.js';

// EmonESP's pairing (reference/emoncms.md §4.2–4.3) against the whole hub: each device is a
// different loopback source address, the hub listens dual-stack (so IPv4 arrives as ::ffff:…).
const teardown = useTeardown();
const clock = new ManualClock(Date.UTC(2026, 10, 27, 12));
let hub: TestHub;
let admin: HttpClient;
let viewer: HttpClient;
let mqttUrl: string;
const events: string[] = [];

const REGISTERED = (ip: string) => `Authentication request registered for IP ${ip}`;
const ask = (from: string, path?: string) => authRequestFrom(hub.baseUrl, from, { path });

async function pairingState(): Promise<PairingStateView> {
  const res = await admin.request('GET', '/api/v1/pairing');
  assert.equal(res.status, 200, res.text);
  return res.body as PairingStateView;
}

async function allow(ip: string, json: object = {}) {
  const res = await admin.request('POST', `/api/v1/pairing/requests/${ip}/allow`, { json });
  assert.equal(res.status, 201, res.text);
  return res.body as { deviceId: number; topicName: string };
}

/** The devices as stored (what /api/v1/devices lists). */
const deviceIds = () => hub.devices.list().map((d) => d.id);

/** The SUBACK's return codes as sent (MQTT.js turns a 0x80 into an error). */
function granted(client: MqttClient, filters: string[]): Promise<number[]> {
  return new Promise((resolve) => {
    const onPacket = (packet: Packet) => {
      if (packet.cmd !== 'suback') return;
      client.off('packetreceive', onPacket);
      resolve(packet.granted as number[]);
    };
    client.on('packetreceive', onPacket);
    client.subscribe(filters, () => undefined);
  });
}

describe('pairing an EmonESP over HTTP', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, {
      clock,
      config: {
        http: { host: '::' },
        pairing: { mdns: false, maxPendingRequests: 4, requestsPerAddressPerMinute: 6 },
      },
    }));
    mqttUrl = `mqtt://127.0.0.1:${hub.mqttPort}`;
    const created = await admin.request('POST', '/api/v1/users', {
      json: { username: 'vic', password: 'vic-password', role: 'viewer' },
    });
    assert.equal(created.status, 201);
    viewer = hub.client();
    assert.equal(
      (
        await viewer.request('POST', '/api/v1/session', {
          json: { username: 'vic', password: 'vic-password' },
        })
      ).status,
      200,
    );
    hub.bus.on('pairing.changed', () => events.push('pairing.changed'));
    hub.bus.on('device.added', ({ deviceId }) => events.push(`device.added ${deviceId}`));
  });

  it('registers a request as emoncms words it, at both URLs, and shows every pending one to admins', async () => {
    const first = await ask('127.0.0.23');
    assert.deepEqual(first, {
      status: 200,
      contentType: 'text/plain;charset=UTF-8',
      body: REGISTERED('127.0.0.23'),
    });
    clock.tick(2_000);
    assert.equal((await ask('127.0.0.23', '/device/auth/request.json')).body, REGISTERED('127.0.0.23'));
    assert.equal((await ask('127.0.0.24', '/emoncms/device/auth/request')).body, REGISTERED('127.0.0.24'));
    const t0 = clock.nowMs() - 2_000;
    assert.deepEqual(await pairingState(), {
      windowOpenUntilMs: null,
      requests: [
        {
          ip: '127.0.0.23',
          firstSeenMs: t0,
          lastSeenMs: t0 + 2_000,
          count: 2,
          hint: 'ESP8266HTTPClient',
          allowedUntilMs: null,
          deviceId: null,
        },
        {
          ip: '127.0.0.24',
          firstSeenMs: t0 + 2_000,
          lastSeenMs: t0 + 2_000,
          count: 1,
          hint: 'ESP8266HTTPClient',
          allowedUntilMs: null,
          deviceId: null,
        },
      ],
      claims: [],
    });
    assert.equal(events.filter((e) => e === 'pairing.changed').length, 3);
  });

  it("answers the allowed address once with its own login, user:pass:emon/<topic>:<the hub's MQTT port>", async () => {
    const devicesBefore = deviceIds();
    const { deviceId, topicName } = await allow('127.0.0.23', { name: 'Kitchen plug', room: 'Kitchen' });
    assert.equal(topicName, 'plug-23');
    const stored = hub.devices.list().find((d) => d.id === deviceId);
    assert.deepEqual([stored?.name, stored?.room, stored?.kind], ['Kitchen plug', 'Kitchen', 'emonesp']);
    assert.ok(events.includes(`device.added ${deviceId}`));
    assert.deepEqual(deviceIds(), [...devicesBefore, deviceId]);
    const shown = (await pairingState()).requests.find((r) => r.ip === '127.0.0.23');
    assert.equal(shown?.allowedUntilMs, clock.nowMs() + 60_000);
    assert.equal(shown?.deviceId, deviceId);
    assert.doesNotMatch(JSON.stringify(await pairingState()), /dev-emonesp/);

    // Another address, while the allowance runs: no credentials.
    assert.equal((await ask('127.0.0.24')).body, REGISTERED('127.0.0.24'));
    const answer = await ask('127.0.0.23');
    assert.equal(answer.status, 200);
    assert.equal(answer.contentType, 'text/plain;charset=UTF-8');
    const parts = emonEspParts(answer.body);
    assert.ok(parts, `user:pass:topic:port: ${answer.body}`);
    assert.equal(parts.user, 'dev-emonesp-plug-23');
    assert.match(parts.pass, /^[A-Za-z0-9_-]{32}$/);
    assert.equal(parts.baseTopic, 'emon/plug-23');
    // The test hub's broker is on a free port, not EmonESP's 1883: the 4th part sets it.
    assert.equal(parts.port, String(hub.mqttPort));
    assert.equal(answer.body.split(':').length, 4);
    // Spent: a second fetch is a new request.
    assert.equal((await ask('127.0.0.23')).body, REGISTERED('127.0.0.23'));
    assert.doesNotMatch(hub.logs.join(''), new RegExp(parts.pass));
    credentials = parts;
  });

  let credentials: { user: string; pass: string; baseTopic: string } | undefined;

  it("connects with that login to its own topics only, not another device's", async () => {
    assert.ok(credentials, 'the previous test fetched the credentials');
    const watcher = await mqttClient(teardown, mqttUrl, { username: 'ann', password: 'ann-password' });
    await watcher.subscribeAsync(['emon/#', 'tele/#']);
    hub.devices.add('Hall plug', 'tasmota', 'hallplug');
    const plug = await mqttClient(teardown, mqttUrl, {
      username: credentials.user,
      password: credentials.pass,
    });
    const delivered = async (topic: string, payload: string) => {
      const got = nextMessage(watcher, (t) => t === topic, 700).then(
        (m) => m.payload,
        () => undefined,
      );
      plug.publish(topic, payload, { qos: 0 });
      return got;
    };
    assert.equal(await delivered(`${credentials.baseTopic}/smartplug1/describe`, 'smartplug'), 'smartplug');
    assert.equal(await delivered(`${credentials.baseTopic}/power`, '120'), '120');
    assert.deepEqual(await granted(plug, [`${credentials.baseTopic}/smartplug1/in/#`]), [0]);
    assert.deepEqual(await granted(plug, ['cmnd/hallplug/#', 'emon/plug-24/smartplug1/in/#']), [128, 128]);
    assert.equal(await delivered('tele/hallplug/STATE', '{"POWER":"ON"}'), undefined);
    assert.equal(await delivered('emon/emonpi/power1', '1'), undefined);
  });

  it('gives nothing after the allowance lapsed, and deletes the unused login', async () => {
    const { deviceId } = await allow('127.0.0.24');
    assert.ok(deviceIds().includes(deviceId));
    clock.tick(60_001);
    assert.equal((await ask('127.0.0.24')).body, REGISTERED('127.0.0.24'));
    assert.ok(!deviceIds().includes(deviceId), 'the lapsed allowance took its device with it');
    assert.equal(hub.hub.readiness().components.pairing?.detail?.lapsedAllowances, 1);
  });

  it('forgets a denied request; allowing or denying it again is a 404', async () => {
    assert.equal((await ask('127.0.0.25')).status, 200);
    const denied = await admin.request('POST', '/api/v1/pairing/requests/127.0.0.25/deny');
    assert.equal(denied.status, 204);
    assert.ok(!(await pairingState()).requests.some((r) => r.ip === '127.0.0.25'));
    for (const action of ['allow', 'deny']) {
      const res = await admin.request('POST', `/api/v1/pairing/requests/127.0.0.25/${action}`, { json: {} });
      assert.equal(res.status, 404, action);
      assert.equal((res.body as { code: string }).code, 'pairing_request_not_found');
    }
    const bad = await admin.request('POST', '/api/v1/pairing/requests/fe80::1/allow', { json: {} });
    assert.equal((bad.body as { code: string }).code, 'invalid_ip');
  });

  it('lets only admins see, allow and deny', async () => {
    assert.equal((await ask('127.0.0.26')).status, 200);
    for (const [method, path] of [
      ['GET', '/api/v1/pairing'],
      ['POST', '/api/v1/pairing/requests/127.0.0.26/allow'],
      ['POST', '/api/v1/pairing/requests/127.0.0.26/deny'],
      ['POST', '/api/v1/pairing/window'],
    ] as const) {
      const body = method === 'GET' ? {} : { json: {} };
      assert.equal((await viewer.request(method, path, body)).status, 403, `viewer ${method} ${path}`);
      assert.equal((await hub.client().request(method, path, body)).status, 401, `anonymous ${path}`);
    }
    const still = (await pairingState()).requests.find((r) => r.ip === '127.0.0.26');
    assert.equal(still?.allowedUntilMs, null);
    assert.equal((await ask('127.0.0.26')).body, REGISTERED('127.0.0.26'));
  });

  it('refuses an IPv6 device in words, and a flood gets 429s and pushes out the oldest, never credentials', async () => {
    const v6 = await authRequestFrom(hub.baseUrl, '::1', { family: 6 });
    assert.equal(v6.status, 400);
    assert.match(v6.body, /IPv4 devices only/);

    clock.tick(61_000); // a fresh minute for every address's limit
    const { deviceId } = await allow('127.0.0.26');
    const flood = [];
    for (let i = 0; i < 8; i++) flood.push(await ask('127.0.0.27'));
    assert.deepEqual(
      flood.map((a) => a.status),
      [200, 200, 200, 200, 200, 200, 429, 429],
    );
    assert.match(flood[7]!.body, /Too many pairing requests/);
    for (let i = 100; i < 110; i++) assert.equal((await ask(`127.0.1.${i}`)).status, 200);
    const pending = (await pairingState()).requests;
    assert.equal(pending.length, 4, 'at most maxPendingRequests');
    assert.ok(
      pending.some((r) => r.ip === '127.0.0.26' && r.deviceId === deviceId),
      'the allowance stays',
    );
    // Every answer of the flood was a registration or a refusal, never a login.
    assert.ok(flood.every((a) => !emonEspParts(a.body)));
    assert.ok(emonEspParts((await ask('127.0.0.26')).body), 'the allowed address still gets its own');
  });

  it('refuses a request a browser sends (a web page cannot pair its visitor) and is never cached', async () => {
    for (const [header, value] of [
      ['Origin', 'http://evil.example'],
      ['Sec-Fetch-Site', 'cross-site'],
    ] as const) {
      const res = await fetch(`${hub.baseUrl}/emoncms/device/auth/request.json`, {
        headers: { [header]: value },
      });
      assert.equal(res.status, 403, header);
      assert.match(await res.text(), new RegExp(`not browsers \\(${header.toLowerCase()} sent\\)`));
      assert.equal(res.headers.get('cache-control'), 'no-store');
    }
    assert.equal((await pairingState()).requests.filter((r) => r.ip === '127.0.0.1').length, 0);
  });

  it('refuses a HEAD request: it neither registers nor spends an allowance', async () => {
    const head = () => authRequestFrom(hub.baseUrl, '127.0.0.28', { method: 'HEAD' });
    const refused = await head();
    assert.deepEqual([refused.status, refused.body], [405, '']);
    assert.ok(!(await pairingState()).requests.some((r) => r.ip === '127.0.0.28'), 'not registered');
    assert.equal((await ask('127.0.0.28')).body, REGISTERED('127.0.0.28'));
    const { deviceId } = await allow('127.0.0.28');
    assert.equal((await head()).status, 405);
    const shown = (await pairingState()).requests.find((r) => r.ip === '127.0.0.28');
    assert.equal(shown?.deviceId, deviceId, 'the allowance waits');
    assert.equal(emonEspParts((await ask('127.0.0.28')).body)?.baseTopic, 'emon/plug-28');
  });
});
