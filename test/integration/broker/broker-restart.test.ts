import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'mqtt';
import { join } from 'node:path';
import { Level } from 'level';
import { startTestHub } from '../../helpers/hub.js';
import { connectError, mqttClient, nextMessage } from '../../helpers/mqtt.js';
import { startRedis } from '../../helpers/redis-server.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();

describe('broker persistence across a restart of hubd', () => {
  it("keeps retained messages and a persistent session's queued QoS 1 message", async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    const dataDir = makeTempDir(teardown);
    const first = await startTestHub(teardown, { redisUrl: redis.url, dataDir });
    const admin = first.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    const { writeApiKey } = (await admin.request('GET', '/api/v1/me/apikeys')).body as {
      writeApiKey: string;
    };
    const login = { username: 'ann', password: writeApiKey };

    // A persistent subscriber goes away; a message for it and a retained one are published.
    const sleeper = await mqttClient(teardown, `mqtt://127.0.0.1:${first.mqttPort}`, {
      ...login,
      clientId: 'sleeper',
      clean: false,
    });
    await sleeper.subscribeAsync('queued/topic', { qos: 1 });
    await sleeper.endAsync();
    const publisher = await mqttClient(teardown, `mqtt://127.0.0.1:${first.mqttPort}`, login);
    await publisher.publishAsync('retained/topic', 'kept', { qos: 1, retain: true });
    await publisher.publishAsync('queued/topic', 'waiting', { qos: 1 });
    await publisher.endAsync();
    await first.hub.stop();

    const second = await startTestHub(teardown, { redisUrl: redis.url, dataDir });
    const url = `mqtt://127.0.0.1:${second.mqttPort}`;
    // Listen before the CONNACK: the queued message follows it at once.
    const woken = connect(url, { ...login, clientId: 'sleeper', clean: false, reconnectPeriod: 0 });
    teardown.add(() => woken.endAsync(true));
    const queued = await nextMessage(woken, (t) => t === 'queued/topic');
    assert.deepEqual(queued, { topic: 'queued/topic', payload: 'waiting', retain: false });

    const reader = await mqttClient(teardown, url, login);
    const retained = nextMessage(reader, (t) => t === 'retained/topic');
    await reader.subscribeAsync('retained/topic');
    assert.deepEqual(await retained, { topic: 'retained/topic', payload: 'kept', retain: true });
    assert.equal(second.broker?.counters.retainedCount, 1, 'the retained count is read back at start');
  });

  it('keeps client ids bound to their principal across a restart', async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    const dataDir = makeTempDir(teardown);
    const first = await startTestHub(teardown, { redisUrl: redis.url, dataDir });
    const admin = first.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    const logins: Record<string, { username: string; password: string }> = {};
    for (const name of ['plug1', 'plug2']) {
      const res = await admin.request('POST', '/api/v1/devices', {
        json: { name, kind: 'tasmota', topicName: name },
      });
      const { mqttUsername, secret } = res.body as { mqttUsername: string; secret: string };
      logins[name] = { username: mqttUsername, password: secret };
    }
    const plug = await mqttClient(teardown, `mqtt://127.0.0.1:${first.mqttPort}`, {
      ...logins.plug1,
      clientId: 'DVES_ABC',
      clean: false,
    });
    await plug.subscribeAsync('cmnd/plug1/#', { qos: 1 });
    await plug.endAsync();
    await first.hub.stop();

    const second = await startTestHub(teardown, { redisUrl: redis.url, dataDir });
    const url = `mqtt://127.0.0.1:${second.mqttPort}`;
    assert.equal(
      await connectError(url, { ...logins.plug2, clientId: 'DVES_ABC', clean: false }),
      'Connection refused: Not authorized',
    );
    const back = connect(url, { ...logins.plug1, clientId: 'DVES_ABC', clean: false, reconnectPeriod: 0 });
    teardown.add(() => back.endAsync(true));
    const connack = await new Promise<{ sessionPresent: boolean }>((r) => back.once('connect', r));
    assert.equal(connack.sessionPresent, true);
    await back.endAsync();
  });

  it('keeps $SYS statistics out of the persistence, yet gives new subscribers the current values', async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    const dataDir = makeTempDir(teardown);
    const hub = await startTestHub(teardown, {
      redisUrl: redis.url,
      dataDir,
      config: { mqtt: { sysIntervalS: 1 } },
    });
    const admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    const { writeApiKey } = (await admin.request('GET', '/api/v1/me/apikeys')).body as {
      writeApiKey: string;
    };
    await new Promise((r) => setTimeout(r, 2500)); // three $SYS intervals
    const sys = await mqttClient(teardown, `mqtt://127.0.0.1:${hub.mqttPort}`, {
      username: 'ann',
      password: writeApiKey,
    });
    const uptime = nextMessage(sys, (t) => t === '$SYS/broker/uptime', 500);
    await sys.subscribeAsync('$SYS/broker/#');
    const got = await uptime;
    assert.equal(got.retain, true);
    assert.match(got.payload, /^[1-9]\d* seconds$/, 'the value of the last interval, not of the start');
    await sys.publishAsync('kept/topic', 'stored', { qos: 1, retain: true });
    await sys.endAsync();
    await hub.hub.stop();

    const db = new Level<string, unknown>(join(dataDir, 'mqtt'));
    const keys = await db.keys().all();
    await db.close();
    assert.ok(keys.includes('retained:kept/topic'), 'retained messages are stored');
    assert.deepEqual(
      keys.filter((k) => k.includes('$SYS')),
      [],
    );
  });
});
