import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect } from 'mqtt';
import type { HubEvents } from '../../../src/shared/event-bus.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { connectError, mqttClient, nextMessage } from '../../helpers/mqtt.js';
import { startRedis } from '../../helpers/redis-server.js';
import { useTeardown } from '../../helpers/teardown.js';

const run = promisify(execFile);
const teardown = useTeardown();
let hub: TestHub;
let url: string;
let login: { username: string; password: string };

describe('broker options and limits', () => {
  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    hub = await startTestHub(teardown, {
      redisUrl: redis.url,
      config: { mqtt: { allowAnonymousLoopback: true, limits: { maxConnections: 4, offlineQueueMax: 3 } } },
    });
    url = `mqtt://127.0.0.1:${hub.mqttPort}`;
    const admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    const keys = (await admin.request('GET', '/api/v1/me/apikeys')).body as { writeApiKey: string };
    login = { username: 'ann', password: keys.writeApiKey };
  });

  it('lets an anonymous loopback client read hub/signals only, when allowed', async () => {
    const anon = await mqttClient(teardown, url, {});
    const suback = new Promise<number[]>((resolve) =>
      anon.on('packetreceive', (p) => {
        if (p.cmd === 'suback') resolve(p.granted as number[]);
      }),
    );
    anon.subscribe(['hub/signals/tariff', 'emon/#'], () => undefined);
    assert.deepEqual(await suback, [0, 128]);
    await anon.endAsync();
  });

  it('speaks MQTT 3.1 as well as 3.1.1', async () => {
    const sub = run('mosquitto_sub', [
      '-V',
      'mqttv31',
      '-h',
      '127.0.0.1',
      '-p',
      String(hub.mqttPort),
      '-u',
      login.username,
      '-P',
      login.password,
      '-t',
      'v31/t',
      '-C',
      '1',
      '-W',
      '5',
    ]);
    await new Promise((r) => setTimeout(r, 300));
    await run('mosquitto_pub', [
      '-V',
      'mqttv31',
      '-h',
      '127.0.0.1',
      '-p',
      String(hub.mqttPort),
      '-u',
      login.username,
      '-P',
      login.password,
      '-t',
      'v31/t',
      '-m',
      'old',
    ]);
    assert.equal((await sub).stdout.trim(), 'old');
  });

  it('queues at most offlineQueueMax messages for an offline session and counts the rest', async () => {
    const sleeper = await mqttClient(teardown, url, { ...login, clientId: 'sleepy', clean: false });
    await sleeper.subscribeAsync('queue/t', { qos: 1 });
    await sleeper.endAsync();
    const pub = await mqttClient(teardown, url, login);
    const droppedBefore = hub.broker!.counters.droppedOffline;
    for (let i = 0; i < 5; i++) await pub.publishAsync('queue/t', `m${i}`, { qos: 1 });
    assert.equal(hub.broker!.counters.droppedOffline, droppedBefore + 2);
    await pub.endAsync();

    const got: string[] = [];
    const woken = connect(url, { ...login, clientId: 'sleepy', clean: false, reconnectPeriod: 0 });
    teardown.add(() => woken.endAsync(true));
    woken.on('message', (_t, payload) => got.push(payload.toString()));
    await new Promise((r) => setTimeout(r, 700));
    assert.deepEqual(got, ['m0', 'm1', 'm2']);
    await woken.endAsync();
  });

  it('refuses connections past maxConnections, and tells the bus who comes and goes', async () => {
    const events: string[] = [];
    const off1 = hub.bus.on('mqtt.connected', (e: HubEvents['mqtt.connected']) =>
      events.push(`+${e.principal}:${e.username}`),
    );
    const off2 = hub.bus.on('mqtt.disconnected', (e: HubEvents['mqtt.disconnected']) =>
      events.push(`-${e.username}`),
    );
    teardown.add(() => (off1(), off2()));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(hub.broker!.counters.clientsConnected, 0, 'the earlier tests closed their clients');
    const open = [];
    for (let i = 0; i < 4; i++) open.push(await mqttClient(teardown, url, login));
    const refusedBefore = hub.broker!.counters.refusedConnections;
    assert.notEqual(await connectError(url, login), undefined, 'the fifth connection is refused');
    assert.equal(hub.broker!.counters.refusedConnections, refusedBefore + 1);
    await open[0]!.endAsync();
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(events.includes('+user:ann'));
    assert.ok(events.includes('-ann'));
    const watcher = open[1]!;
    const got = nextMessage(watcher, (t) => t === 'after/limit');
    await watcher.subscribeAsync('after/limit');
    await open[2]!.publishAsync('after/limit', 'still fine');
    assert.equal((await got).payload, 'still fine');
  });
});
