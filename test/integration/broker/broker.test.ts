import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { HttpClient } from '../../helpers/http-client.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { closed, connectError, mqttClient, nextMessage } from '../../helpers/mqtt.js';
import { startRedis } from '../../helpers/redis-server.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const run = promisify(execFile);
const teardown = useTeardown();
let hub: TestHub;
let admin: HttpClient;
let url: string;
let keys: { readApiKey: string; writeApiKey: string };
const devices: Record<string, { mqttUsername: string; secret: string }> = {};

async function addDevice(name: string, kind: string, topicName: string) {
  const res = await admin.request('POST', '/api/v1/devices', { json: { name, kind, topicName } });
  assert.equal(res.status, 201, res.text);
  devices[name] = res.body as { mqttUsername: string; secret: string };
  return devices[name]!;
}

describe('the MQTT broker', () => {
  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    hub = await startTestHub(teardown, {
      redisUrl: redis.url,
      config: {
        mqtt: {
          legacyLogin: { enabled: true, password: 'legacy-secret' },
          limits: { maxPacketBytes: 4096, publishRatePerS: 20, publishBurst: 40 },
        },
      },
    });
    url = `mqtt://127.0.0.1:${hub.mqttPort}`;
    admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    keys = (await admin.request('GET', '/api/v1/me/apikeys')).body as typeof keys;
    await addDevice('plug 1', 'tasmota', 'plug1');
    await addDevice('plug 2', 'tasmota', 'plug2');
    await addDevice('emonTx', 'emonhub', 'emontx4');
  });

  it('connects each kind of principal', async () => {
    await mqttClient(teardown, url, { username: 'ann', password: 'ann-password' });
    await mqttClient(teardown, url, { username: 'ann', password: keys.writeApiKey });
    await mqttClient(teardown, url, {
      username: devices['plug 1']!.mqttUsername,
      password: devices['plug 1']!.secret,
    });
    await mqttClient(teardown, url, { username: 'emonpi', password: 'legacy-secret' });
  });

  it('refuses a wrong secret, an unknown user and anonymous clients alike', async () => {
    const bad = 'Connection refused: Bad username or password';
    assert.equal(
      await connectError(url, { username: devices['plug 1']!.mqttUsername, password: 'guess' }),
      bad,
    );
    assert.equal(await connectError(url, { username: 'nobody', password: 'whatever-pw' }), bad);
    assert.equal(await connectError(url, { username: 'emonpi', password: 'emonpimqtt2016' }), bad);
    assert.equal(await connectError(url, {}), bad);
  });

  it('refuses an empty client id with a persistent session (MQTT-3.1.3-8)', async () => {
    // Neither MQTT.js nor mqtt-packet will build this CONNECT, so it goes as raw bytes.
    const str = (text: string) => {
      const b = Buffer.from(text);
      return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
    };
    const body = Buffer.concat([
      str('MQTT'),
      Buffer.from([4, 0xc0, 0, 30]), // level 4; username + password flags, clean session off; keepalive 30
      str(''),
      str('ann'),
      str(keys.writeApiKey),
    ]);
    const connect = Buffer.concat([Buffer.from([0x10, body.length]), body]);
    const socket = createConnection(hub.mqttPort, '127.0.0.1');
    teardown.add(() => socket.destroy());
    socket.write(connect);
    const [reply] = (await once(socket, 'data')) as [Buffer];
    assert.deepEqual([...reply], [0x20, 0x02, 0x00, 0x02]);
  });

  it("delivers a device publish to a subscriber, and acks, drops and counts one to another device's topic", async () => {
    const watcher = await mqttClient(teardown, url, { username: 'ann', password: keys.writeApiKey });
    await watcher.subscribeAsync('tele/#');
    const plug = await mqttClient(teardown, url, {
      username: devices['plug 1']!.mqttUsername,
      password: devices['plug 1']!.secret,
    });
    const got = nextMessage(watcher, (t) => t === 'tele/plug1/SENSOR');
    await plug.publishAsync('tele/plug1/SENSOR', '{"ENERGY":{"Power":42}}', { qos: 1 });
    assert.equal((await got).payload, '{"ENERGY":{"Power":42}}');

    const deniedBefore = hub.broker!.counters.deniedPublishes;
    const spoof = nextMessage(watcher, (t) => t === 'tele/plug2/SENSOR', 500).then(
      () => 'delivered',
      () => 'not delivered',
    );
    await plug.publishAsync('tele/plug2/SENSOR', 'spoofed', { qos: 1 });
    assert.equal(await spoof, 'not delivered');
    assert.equal(plug.connected, true, 'acknowledged and dropped, not disconnected (as Mosquitto)');
    assert.equal(hub.broker!.counters.deniedPublishes, deniedBefore + 1);
  });

  it('denies # to a device (SUBACK 0x80) and grants its own command topic', async () => {
    const plug = await mqttClient(teardown, url, {
      username: devices['plug 2']!.mqttUsername,
      password: devices['plug 2']!.secret,
    });
    const suback = new Promise<number[]>((resolve) =>
      plug.on('packetreceive', (packet) => {
        if (packet.cmd === 'suback') resolve(packet.granted as number[]);
      }),
    );
    plug.subscribe(['#', 'cmnd/plug2/#', 'cmnd/plug1/#'], () => undefined);
    assert.deepEqual(await suback, [128, 0, 128]);
  });

  it('disconnects a device the moment it is deleted', async () => {
    const temp = await addDevice('temporary', 'hub', 'temp1');
    const listed = (await admin.request('GET', '/api/v1/devices')).body as { id: number; name: string }[];
    const id = listed.find((d) => d.name === 'temporary')!.id;
    const client = await mqttClient(teardown, url, { username: temp.mqttUsername, password: temp.secret });
    assert.equal((await admin.request('DELETE', `/api/v1/devices/${id}`)).status, 204);
    assert.equal(await closed(client), true);
    assert.equal(
      await connectError(url, { username: temp.mqttUsername, password: temp.secret }),
      'Connection refused: Bad username or password',
    );
  });

  it('works with mosquitto_pub and mosquitto_sub', async () => {
    const sub = run('mosquitto_sub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(hub.mqttPort),
      '-u',
      'ann',
      '-P',
      keys.writeApiKey,
      '-t',
      'emon/emontx4/power1',
      '-C',
      '1',
      '-W',
      '5',
    ]);
    await new Promise((r) => setTimeout(r, 300));
    const emontx = devices['emonTx']!;
    await run('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(hub.mqttPort),
      '-u',
      emontx.mqttUsername,
      '-P',
      emontx.secret,
      '-t',
      'emon/emontx4/power1',
      '-m',
      '1234.5',
      '-q',
      '1',
    ]);
    assert.equal((await sub).stdout.trim(), '1234.5');
  });

  it('verifies the hub over TLS with the downloadable CA, and a wrong CA fails', async () => {
    const ca = await admin.request('GET', '/api/v1/mqtt/ca.crt');
    assert.equal(ca.status, 200);
    assert.match(ca.text, /^-----BEGIN CERTIFICATE-----/);
    const dir = makeTempDir(teardown);
    writeFileSync(join(dir, 'hub-ca.crt'), ca.text);
    const args = [
      '-h',
      'localhost',
      '-p',
      String(hub.mqttTlsPort),
      '-u',
      'ann',
      '-P',
      keys.writeApiKey,
      '-t',
      'tls/check',
      '-m',
      'ok',
    ];
    await run('mosquitto_pub', [...args, '--cafile', join(dir, 'hub-ca.crt')]);
    // any other CA: a fresh self-signed one
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=other',
      '-keyout',
      join(dir, 'o.key'),
      '-out',
      join(dir, 'other-ca.crt'),
    ]);
    await assert.rejects(run('mosquitto_pub', [...args, '--cafile', join(dir, 'other-ca.crt')]));
  });

  it('connects over WebSocket at /mqtt from Node', async () => {
    const ws = await mqttClient(teardown, `ws://127.0.0.1:${new URL(hub.baseUrl).port}/mqtt`, {
      username: 'ann',
      password: keys.writeApiKey,
    });
    await ws.subscribeAsync('ws/echo');
    const got = nextMessage(ws, (t) => t === 'ws/echo');
    await ws.publishAsync('ws/echo', 'hello');
    assert.equal((await got).payload, 'hello');
  });

  it('disconnects only the client that sends an oversized packet', async () => {
    const bystander = await mqttClient(teardown, url, { username: 'ann', password: keys.writeApiKey });
    const big = await mqttClient(teardown, url, { username: 'ann', password: keys.writeApiKey });
    const kicked = hub.broker!.counters.kickedClients;
    big.publish('big/one', Buffer.alloc(10_000));
    assert.equal(await closed(big), true);
    assert.equal(hub.broker!.counters.kickedClients, kicked + 1);
    await bystander.subscribeAsync('still/alive');
    const got = nextMessage(bystander, (t) => t === 'still/alive');
    await bystander.publishAsync('still/alive', 'yes');
    assert.equal((await got).payload, 'yes');
  });

  it('disconnects only the client that floods', async () => {
    const bystander = await mqttClient(teardown, url, { username: 'ann', password: keys.writeApiKey });
    const flooder = await mqttClient(teardown, url, { username: 'ann', password: keys.writeApiKey });
    for (let i = 0; i < 200; i++) flooder.publish('flood/x', String(i));
    assert.equal(await closed(flooder), true);
    assert.equal(bystander.connected, true);
    await bystander.publishAsync('calm/x', 'fine', { qos: 1 });
  });

  it('publishes $SYS statistics, readable by admins only', async () => {
    const watcher = await mqttClient(teardown, url, { username: 'ann', password: keys.writeApiKey });
    const got = nextMessage(watcher, (t) => t === '$SYS/broker/clients/connected');
    await watcher.subscribeAsync('$SYS/broker/#');
    assert.match((await got).payload, /^\d+$/);
    const stats = async () =>
      (await admin.request('GET', '/api/v1/mqtt/stats')).body as {
        state: string;
        detail: { deniedPublishes: number };
      };
    const before = await stats();
    assert.equal(before.state, 'ready');
    const plug = await mqttClient(teardown, url, {
      username: devices['plug 1']!.mqttUsername,
      password: devices['plug 1']!.secret,
    });
    // Acknowledged (QoS 1) once the ACL has refused them: both are counted by then.
    await plug.publishAsync('tele/plug2/SENSOR', 'spoofed', { qos: 1 });
    await plug.publishAsync('cmnd/plug2/POWER', 'OFF', { qos: 1 });
    assert.equal((await stats()).detail.deniedPublishes, before.detail.deniedPublishes + 2);
  });
});
