import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { connect } from 'mqtt';
import type { HttpClient } from '../../helpers/http-client.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { closed, connectError, mqttClient, nextMessage } from '../../helpers/mqtt.js';
import { startRedis } from '../../helpers/redis-server.js';
import { useTeardown } from '../../helpers/teardown.js';

// Issue 10: wills, client ids, $SYS, invalid strings, protocol levels, denied publishes.

const teardown = useTeardown();
let hub: TestHub;
let admin: HttpClient;
let url: string;
let keys: { readApiKey: string; writeApiKey: string };
const logins: Record<string, { username: string; password: string }> = {};
const NOT_AUTHORIZED = 'Connection refused: Not authorized';

async function addDevice(name: string, kind: string, topicName: string) {
  const res = await admin.request('POST', '/api/v1/devices', { json: { name, kind, topicName } });
  assert.equal(res.status, 201, res.text);
  const { mqttUsername, secret } = res.body as { mqttUsername: string; secret: string };
  logins[name] = { username: mqttUsername, password: secret };
}

/** An MQTT string: two length bytes, then the bytes. */
function str(bytes: Buffer | string): Buffer {
  const b = Buffer.from(bytes);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
}

function packet(type: number, body: Buffer): Buffer {
  assert.ok(body.length < 128);
  return Buffer.concat([Buffer.from([type, body.length]), body]);
}

function connectBytes(opts: { level?: number; keepaliveS?: number; will?: Buffer } = {}): Buffer {
  const flags = 0xc2 | (opts.will ? 0x04 : 0); // username, password, clean session (+ will, QoS 0)
  return packet(
    0x10,
    Buffer.concat([
      str('MQTT'),
      Buffer.from([opts.level ?? 4, flags, 0, opts.keepaliveS ?? 30]),
      str('raw-client'),
      ...(opts.will ? [str(opts.will), str('gone')] : []),
      str('ann'),
      str(keys.writeApiKey),
    ]),
  );
}

/** A raw TCP connection; collects what the broker sends. */
async function rawSocket(): Promise<{ socket: Socket; received: () => Buffer; ended: Promise<void> }> {
  const socket = createConnection(hub.mqttPort, '127.0.0.1');
  teardown.add(() => socket.destroy());
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, received: () => Buffer.concat(chunks), ended };
}

async function loggedInRaw() {
  const raw = await rawSocket();
  raw.socket.write(connectBytes());
  await once(raw.socket, 'data');
  assert.deepEqual([...raw.received()], [0x20, 2, 0, 0]);
  return raw;
}

async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const nothingOn = (client: ReturnType<typeof connect>, pred: (t: string) => boolean, ms = 500) =>
  nextMessage(client, pred, ms).then(
    (m) => `delivered ${m.topic}`,
    () => 'nothing',
  );

describe('broker security (issue 10)', () => {
  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    hub = await startTestHub(teardown, {
      redisUrl: redis.url,
      config: { mqtt: { legacyLogin: { enabled: true, password: 'legacy-secret' } } },
    });
    url = `mqtt://127.0.0.1:${hub.mqttPort}`;
    admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    keys = (await admin.request('GET', '/api/v1/me/apikeys')).body as typeof keys;
    logins.admin = { username: 'ann', password: keys.writeApiKey };
    logins.viewer = { username: 'ann', password: keys.readApiKey };
    logins.legacy = { username: 'emonpi', password: 'legacy-secret' };
    await addDevice('plug1', 'tasmota', 'plug1');
    await addDevice('plug2', 'tasmota', 'plug2');
    await addDevice('emontx', 'emonhub', 'emontx4');
  });

  it('authorises the will at CONNECT: each kind of principal against each class of topic', async () => {
    const cases: [login: string, willTopic: string, allowed: boolean][] = [
      ['plug1', 'tele/plug1/LWT', true],
      ['plug1', 'cmnd/plug2/POWER', false],
      ['plug1', 'tele/plug2/LWT', false],
      ['plug1', '$SYS/broker/uptime', false],
      ['plug1', 'emon/emontx4/power', false],
      ['emontx', 'emon/emontx4/status', true],
      ['emontx', 'cmnd/plug2/POWER', false],
      ['viewer', 'cmnd/plug2/POWER', false],
      ['viewer', 'anything/else', false],
      ['legacy', 'emon/gateway/status', true],
      ['legacy', 'cmnd/plug2/POWER', false],
      ['admin', 'cmnd/plug2/POWER', true],
    ];
    for (const [login, topic, allowed] of cases) {
      const error = await connectError(url, {
        ...logins[login],
        // A refused will is retained, so the next test would find it had it been stored.
        will: { topic, payload: Buffer.from('Offline'), qos: 1, retain: !allowed },
      });
      assert.equal(error, allowed ? undefined : NOT_AUTHORIZED, `${login} with a will on ${topic}`);
    }
  });

  it('publishes an authorised will when its device vanishes, and never a refused one', async () => {
    const watcher = await mqttClient(teardown, url, logins.admin);
    await watcher.subscribeAsync(['tele/plug1/LWT', 'cmnd/plug2/POWER']);
    const will = nextMessage(watcher, (t) => t === 'tele/plug1/LWT');
    const plug = await mqttClient(teardown, url, {
      ...logins.plug1,
      will: { topic: 'tele/plug1/LWT', payload: Buffer.from('Offline'), qos: 1, retain: false },
    });
    (plug.stream as Socket).destroy(); // a crash of the device: no DISCONNECT
    assert.equal((await will).payload, 'Offline');
    // The refused wills of the test before were never stored: no retained command for plug2.
    const reader = await mqttClient(teardown, url, logins.admin);
    const retained = nothingOn(reader, (t) => t === 'cmnd/plug2/POWER');
    await reader.subscribeAsync('cmnd/plug2/POWER');
    assert.equal(await retained, 'nothing');
  });

  it("refuses (CONNACK 5) a client id bound to another principal, and keeps the owner's session", async () => {
    const owner = { ...logins.plug1, clientId: 'DVES_PLUG1', clean: false };
    const plug = await mqttClient(teardown, url, owner);
    await plug.subscribeAsync('cmnd/plug1/POWER', { qos: 1 });
    // While the owner is connected, no other login can kick it off.
    for (const other of ['plug2', 'admin', 'viewer', 'legacy']) {
      const error = await connectError(url, { ...logins[other], clientId: 'DVES_PLUG1', clean: false });
      assert.equal(error, NOT_AUTHORIZED, `${other} taking DVES_PLUG1 over`);
    }
    assert.equal(plug.connected, true, 'the owner stays connected');
    await plug.endAsync();
    // A command queued while it is away goes to the owner only.
    const sender = await mqttClient(teardown, url, logins.admin);
    await sender.publishAsync('cmnd/plug1/POWER', 'ON', { qos: 1 });
    assert.equal(
      await connectError(url, { ...logins.plug2, clientId: 'DVES_PLUG1', clean: false }),
      NOT_AUTHORIZED,
    );
    assert.equal(
      await connectError(url, { ...logins.plug2, clientId: 'DVES_PLUG1', clean: true }),
      NOT_AUTHORIZED,
    );
    const back = connect(url, { ...owner, reconnectPeriod: 0 });
    teardown.add(() => back.endAsync(true));
    const connack = await new Promise<{ sessionPresent: boolean }>((r) => back.once('connect', r));
    assert.equal(connack.sessionPresent, true);
    assert.equal((await nextMessage(back, (t) => t === 'cmnd/plug1/POWER')).payload, 'ON');
    await back.endAsync();
  });

  it('lets the same principal use its client id again, and a free id be used by anyone', async () => {
    const a = await mqttClient(teardown, url, { ...logins.plug2, clientId: 'plug2-a' });
    const again = await mqttClient(teardown, url, { ...logins.plug2, clientId: 'plug2-a' });
    assert.equal(await closed(a), true, 'the older connection of the same device is taken over');
    await again.endAsync();
    const viewer = await mqttClient(teardown, url, { ...logins.viewer, clientId: 'dashboard-1' });
    await viewer.endAsync();
    // A clean user session without a will holds its id only while connected.
    const adminAfter = await mqttClient(teardown, url, { ...logins.admin, clientId: 'dashboard-1' });
    await adminAfter.endAsync();
  });

  it("lets a device take back its client id from a squatting user once it is gone, without the squatter's session", async () => {
    const squatter = await mqttClient(teardown, url, {
      ...logins.viewer,
      clientId: 'DVES_SQUAT',
      clean: false,
    });
    await squatter.subscribeAsync('tele/plug2/#', { qos: 1 });
    const deviceLogin = { ...logins.plug1, clientId: 'DVES_SQUAT', clean: false };
    // A connected user's session is kept: the device is refused, and says so once a minute.
    const logged = () => hub.logs.filter((l) => l.includes('in use by a connected user')).length;
    const before = logged();
    assert.equal(await connectError(url, deviceLogin), NOT_AUTHORIZED);
    assert.equal(await connectError(url, deviceLogin), NOT_AUTHORIZED);
    assert.equal(squatter.connected, true, 'the live user session is kept');
    assert.equal(logged() - before, 1, 'the conflict is logged once a minute, not at every retry');
    await squatter.endAsync();

    const device = connect(url, { ...deviceLogin, reconnectPeriod: 0 });
    teardown.add(() => device.endAsync(true));
    const connack = await new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
      device.once('connect', resolve);
      device.once('error', reject);
    });
    assert.equal(connack.sessionPresent, false, "the squatter's session is not inherited");
    const leaked = nothingOn(device, (t) => t.startsWith('tele/plug2/'));
    const sender = await mqttClient(teardown, url, logins.admin);
    await sender.publishAsync('tele/plug2/SENSOR', 'x', { qos: 1 });
    assert.equal(await leaked, 'nothing', "the squatter's subscription went with it");
    for (const other of ['viewer', 'admin', 'legacy']) {
      const error = await connectError(url, { ...logins[other], clientId: 'DVES_SQUAT', clean: false });
      assert.equal(error, NOT_AUTHORIZED, `${other} taking the device's id back`);
    }
    await device.endAsync();
  });

  it("keeps a read key off the write key's id while that one is connected, then gives it a clean session", async () => {
    const desk = { ...logins.admin, clientId: 'ann-desk', clean: false };
    const writer = await mqttClient(teardown, url, desk);
    await writer.subscribeAsync('hub/test/desk', { qos: 1 });
    const error = await connectError(url, { ...logins.viewer, clientId: 'ann-desk', clean: false });
    assert.equal(error, NOT_AUTHORIZED, 'the read key may not take over a connected write key');
    assert.equal(writer.connected, true);
    await writer.endAsync();
    const sender = await mqttClient(teardown, url, logins.admin);
    await sender.publishAsync('hub/test/desk', 'queued', { qos: 1 }); // queued for the write key

    const reader = connect(url, { ...logins.viewer, clientId: 'ann-desk', clean: false, reconnectPeriod: 0 });
    teardown.add(() => reader.endAsync(true));
    const queued = nothingOn(reader, (t) => t === 'hub/test/desk', 1000);
    const connack = await new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
      reader.once('connect', resolve);
      reader.once('error', reject);
    });
    assert.equal(connack.sessionPresent, false, "the write key's session is not the read key's");
    assert.equal(await queued, 'nothing', "the write key's queued message is not delivered");
    await reader.endAsync();
    // The write key gets its id back, with a clean session too.
    const again = connect(url, { ...desk, reconnectPeriod: 0 });
    teardown.add(() => again.endAsync(true));
    const back = await new Promise<{ sessionPresent: boolean }>((r) => again.once('connect', r));
    assert.equal(back.sessionPresent, false);
    await again.endAsync();
  });

  it("keeps retained $ topics of an admin from '#' and '+/#' subscribers", async () => {
    const publisher = await mqttClient(teardown, url, logins.admin);
    await publisher.publishAsync('$test/x', 'retained', { qos: 1, retain: true });
    const all = await mqttClient(teardown, url, logins.admin);
    const leaked = nothingOn(all, (t) => t === '$test/x', 700);
    await all.subscribeAsync(['#', '+/#']);
    assert.equal(await leaked, 'nothing');
    const direct = await mqttClient(teardown, url, logins.admin);
    const got = nextMessage(direct, (t) => t === '$test/x', 1000);
    await direct.subscribeAsync('$test/#');
    assert.equal((await got).retain, true, 'a $ filter gets it');
  });

  it("keeps retained $SYS from '+/#' and '#' subscribers (MQTT-4.7.2-1), and gives it to $SYS/# at once", async () => {
    const viewer = await mqttClient(teardown, url, logins.viewer);
    const viewerSys = nothingOn(viewer, (t) => t.startsWith('$'), 700);
    await viewer.subscribeAsync(['+/broker/#', '+/broker/version']);
    const adminAll = await mqttClient(teardown, url, logins.admin);
    const adminSys = nothingOn(adminAll, (t) => t.startsWith('$'), 700);
    await adminAll.subscribeAsync(['#', '+/#']);
    assert.equal(await viewerSys, 'nothing');
    assert.equal(await adminSys, 'nothing');

    const sys = await mqttClient(teardown, url, logins.admin);
    const first = nextMessage(sys, (t) => t === '$SYS/broker/version', 1000);
    await sys.subscribeAsync('$SYS/broker/#');
    const got = await first;
    assert.match(got.payload, /^energy-hub /);
    assert.equal(got.retain, true, 'current values come as retained messages');
  });

  it('closes the connection on a topic that is not valid UTF-8 or holds U+0000 (MQTT-1.5.3-1/-2)', async () => {
    const watcher = await mqttClient(teardown, url, logins.admin);
    await watcher.subscribeAsync('bad/#');
    const leaked = nothingOn(watcher, (t) => t.startsWith('bad/'), 1500);
    const badTopics = [
      Buffer.from([0x62, 0x61, 0x64, 0x2f, 0xff]), // bad/ + a byte that is never UTF-8
      Buffer.from([0x62, 0x61, 0x64, 0x2f, 0x00]), // bad/ + U+0000
      Buffer.from([0x62, 0x61, 0x64, 0x2f, 0xed, 0xa0, 0x80]), // bad/ + the surrogate U+D800
      Buffer.from([0x62, 0x61, 0x64, 0x2f, 0xc0, 0xaf]), // bad/ + an overlong '/'
    ];
    for (const topic of badTopics) {
      const raw = await loggedInRaw();
      raw.socket.write(packet(0x30, Buffer.concat([str(topic), Buffer.from('x')])));
      assert.notEqual(await within(raw.ended, 2000), 'timeout', `PUBLISH to ${topic.toString('hex')}`);
    }
    for (const filter of [Buffer.from([0x61, 0xff, 0x2f, 0x23]), Buffer.from([0x61, 0x00])]) {
      const raw = await loggedInRaw();
      raw.socket.write(packet(0x82, Buffer.concat([Buffer.from([0, 1]), str(filter), Buffer.from([0])])));
      assert.notEqual(await within(raw.ended, 2000), 'timeout', `SUBSCRIBE to ${filter.toString('hex')}`);
      assert.deepEqual([...raw.received()], [0x20, 2, 0, 0], 'no SUBACK');
    }
    const raw = await rawSocket();
    raw.socket.write(connectBytes({ will: Buffer.from([0x77, 0xff]) }));
    assert.notEqual(await within(raw.ended, 2000), 'timeout', 'CONNECT with a bad will topic');
    assert.equal(raw.received().length, 0, 'no CONNACK');
    assert.equal(await leaked, 'nothing');

    // A genuine U+FFFD is a valid character and is delivered.
    const good = await loggedInRaw();
    const delivered = nextMessage(watcher, (t) => t === 'bad/\uFFFD');
    good.socket.write(packet(0x30, Buffer.concat([str('bad/\uFFFD'), Buffer.from('fine')])));
    assert.equal((await delivered).payload, 'fine');
  });

  it('answers an unknown protocol level with CONNACK 1, then closes (MQTT-3.1.2-2)', async () => {
    for (const level of [9, 2]) {
      const raw = await rawSocket();
      raw.socket.write(connectBytes({ level }));
      assert.notEqual(await within(raw.ended, 2000), 'timeout');
      assert.deepEqual([...raw.received()], [0x20, 2, 0, 1], `level ${level}`);
    }
  });

  it('accepts keepalive 0, and refuses one over the limit with a 3.1.1 code', async () => {
    const raw = await rawSocket();
    raw.socket.write(connectBytes({ keepaliveS: 0 }));
    await once(raw.socket, 'data');
    assert.deepEqual([...raw.received()], [0x20, 2, 0, 0]);
    const client = await mqttClient(teardown, url, { ...logins.admin, keepalive: 0 });
    await client.publishAsync('keepalive/zero', 'ok', { qos: 1 });
    assert.equal(
      await connectError(url, { ...logins.admin, keepalive: 3601 }),
      'Connection refused: Identifier rejected',
    );
  });

  it('acknowledges and drops a denied publish at QoS 0, 1 and 2, and stays connected', async () => {
    const watcher = await mqttClient(teardown, url, logins.admin);
    await watcher.subscribeAsync('tele/#');
    const plug = await mqttClient(teardown, url, logins.plug1);
    const deniedBefore = hub.broker!.counters.deniedPublishes;
    const logsBefore = hub.logs.length;
    const spoof = nothingOn(watcher, (t) => t === 'tele/plug2/SENSOR', 1000);
    plug.publish('tele/plug2/SENSOR', 'qos0', { qos: 0 });
    assert.notEqual(
      await within(plug.publishAsync('tele/plug2/SENSOR', 'qos1', { qos: 1 }), 2000),
      'timeout',
    );
    assert.notEqual(
      await within(plug.publishAsync('tele/plug2/SENSOR', 'qos2', { qos: 2, retain: true }), 2000),
      'timeout',
    );
    assert.equal(await spoof, 'nothing');
    assert.equal(plug.connected, true);
    assert.equal(hub.broker!.counters.deniedPublishes, deniedBefore + 3);
    const denialLogs = hub.logs.slice(logsBefore).filter((l) => l.includes('mqtt publish denied'));
    assert.equal(denialLogs.length, 1, 'logged once a minute per client');
    // Its own topic still works on the same connection.
    const own = nextMessage(watcher, (t) => t === 'tele/plug1/SENSOR');
    await plug.publishAsync('tele/plug1/SENSOR', 'mine', { qos: 1 });
    assert.equal((await own).payload, 'mine');
    // Nothing was retained on the other device's topic.
    const reader = await mqttClient(teardown, url, logins.admin);
    const retained = nothingOn(reader, (t) => t === 'tele/plug2/SENSOR');
    await reader.subscribeAsync('tele/plug2/SENSOR');
    assert.equal(await retained, 'nothing');
  });
});
