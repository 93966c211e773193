import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'mqtt';
import { startTestHub } from '../../helpers/hub.js';
import { mqttClient, nextMessage } from '../../helpers/mqtt.js';
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
    assert.ok((second.broker?.counters.retainedCount ?? 0) >= 1, 'the retained count is read back at start');
  });
});
