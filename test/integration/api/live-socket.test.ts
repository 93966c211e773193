import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import type { InputJson } from '../../../src/api/contract.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { liveClient } from '../../helpers/live.js';
import { mqttClient } from '../../helpers/mqtt.js';
import { until } from '../../helpers/processes.js';
import { startRedis } from '../../helpers/redis-server.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
let hub: TestHub;
let admin: HttpClient;
let viewer: HttpClient;
let publisher: MqttClient;
let wsUrl: string;
let privateFeed: number;
let publicFeed: number;
let inputId: number;

const cookieOf = (c: HttpClient) => ({ cookie: c.cookie!, origin: c.baseUrl });

describe('/ws live updates', () => {
  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    hub = await startTestHub(teardown, { redisUrl: redis.url });
    wsUrl = hub.baseUrl.replace('http', 'ws') + '/ws';
    admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    await admin.request('POST', '/api/v1/users', {
      json: { username: 'vic', password: 'vic-password', role: 'viewer' },
    });
    viewer = hub.client();
    await viewer.request('POST', '/api/v1/session', { json: { username: 'vic', password: 'vic-password' } });
    publisher = await mqttClient(teardown, `mqtt://127.0.0.1:${hub.mqttPort}`, {
      username: 'ann',
      password: 'ann-password',
    });
    const feed = async (name: string, isPublic: boolean) =>
      (
        (await admin.request('POST', '/api/v1/feeds', { json: { name, intervalS: 10, public: isPublic } }))
          .body as {
          id: number;
        }
      ).id;
    privateFeed = await feed('house', false);
    publicFeed = await feed('solar', true);
    await publisher.publishAsync('emon/home/power', '1', { qos: 1 });
    await until(
      async () => ((await admin.request('GET', '/api/v1/inputs')).body as InputJson[]).length === 1,
      3000,
      'input',
    );
    inputId = ((await admin.request('GET', '/api/v1/inputs')).body as InputJson[])[0]!.id;
    const set = await admin.request('PUT', `/api/v1/inputs/${inputId}/process`, {
      json: {
        steps: [
          { id: 1, arg: privateFeed },
          { id: 2, arg: 0.5 },
          { id: 1, arg: publicFeed },
        ],
      },
    });
    assert.equal(set.status, 200, set.text);
  });

  it('delivers subscribed feed and input values as they arrive, with the current value first', async () => {
    const live = await liveClient(teardown, wsUrl, cookieOf(admin));
    live.send({ op: 'subscribe', feeds: [privateFeed], inputs: [inputId] });
    const subscribed = await live.next('subscribed');
    assert.deepEqual(subscribed, {
      type: 'subscribed',
      feeds: [privateFeed],
      inputs: [inputId],
      denied: { feeds: [], inputs: [] },
    });
    const current = await live.next('values');
    assert.equal(current.inputs[0]?.value, 1);
    await publisher.publishAsync('emon/home/power', '640', { qos: 1 });
    const update = await live.next('values', (m) => m.inputs.some((v) => v.value === 640));
    assert.deepEqual(
      update.feeds.map((v) => [v.id, v.value]),
      [[privateFeed, 640]],
      'only the subscribed feed, not the public one',
    );
  });

  it('gives a viewer feeds but not inputs, and an anonymous client public feeds only', async () => {
    const asViewer = await liveClient(teardown, wsUrl, cookieOf(viewer));
    asViewer.send({ op: 'subscribe', feeds: [privateFeed], inputs: [inputId] });
    assert.deepEqual((await asViewer.next('subscribed')).denied, { feeds: [], inputs: [inputId] });

    const anonymous = await liveClient(teardown, wsUrl);
    anonymous.send({ op: 'subscribe', feeds: [privateFeed, publicFeed, 9999] });
    const answer = await anonymous.next('subscribed');
    assert.deepEqual(answer.feeds, [publicFeed]);
    assert.deepEqual(answer.denied.feeds, [privateFeed, 9999]);
    await publisher.publishAsync('emon/home/power', '100', { qos: 1 });
    const update = await anonymous.next('values', (m) => m.feeds.some((v) => v.value === 50));
    assert.deepEqual(
      update.feeds.map((v) => v.id),
      [publicFeed],
    );
    assert.deepEqual(update.inputs, []);
  });

  it('stops sending a feed that becomes private', async () => {
    const anonymous = await liveClient(teardown, wsUrl);
    anonymous.send({ op: 'subscribe', feeds: [publicFeed] });
    await anonymous.next('subscribed');
    const patch = await admin.request('PATCH', `/api/v1/feeds/${publicFeed}`, { json: { public: false } });
    assert.equal(patch.status, 200, patch.text);
    const watcher = await liveClient(teardown, wsUrl, cookieOf(admin));
    watcher.send({ op: 'subscribe', feeds: [publicFeed] });
    await watcher.next('subscribed');
    await publisher.publishAsync('emon/home/power', '300', { qos: 1 });
    await watcher.next('values', (m) => m.feeds.some((v) => v.value === 150));
    assert.equal(
      anonymous.received.filter((m) => m.type === 'values' && m.feeds.some((v) => v.value === 150)).length,
      0,
    );
    await admin.request('PATCH', `/api/v1/feeds/${publicFeed}`, { json: { public: true } });
  });

  it('accepts an API key, refuses a wrong one and a cookie from another site', async () => {
    const keys = (await admin.request('GET', '/api/v1/me/apikeys')).body as { readApiKey: string };
    const byKey = await liveClient(teardown, `${wsUrl}?apikey=${keys.readApiKey}`);
    byKey.send({ op: 'subscribe', inputs: [inputId] });
    assert.deepEqual((await byKey.next('subscribed')).inputs, [inputId]);
    await assert.rejects(liveClient(teardown, `${wsUrl}?apikey=${'0'.repeat(32)}`), /HTTP 403/);
    for (const origin of ['http://evil.example', 'null'])
      await assert.rejects(liveClient(teardown, wsUrl, { cookie: admin.cookie!, origin }), /HTTP 403/);
  });

  it('refuses a session cookie without an Origin; an API key needs none', async () => {
    await assert.rejects(liveClient(teardown, wsUrl, { cookie: admin.cookie! }), /HTTP 403/);
    const keys = (await admin.request('GET', '/api/v1/me/apikeys')).body as { readApiKey: string };
    const byKey = await liveClient(teardown, `${wsUrl}?apikey=${keys.readApiKey}`);
    byKey.send({ op: 'subscribe', inputs: [inputId] });
    assert.deepEqual((await byKey.next('subscribed')).inputs, [inputId], 'signed in as the admin');
  });

  it('answers malformed requests with an error and keeps the connection', async () => {
    const live = await liveClient(teardown, wsUrl, cookieOf(admin));
    live.send('not json');
    assert.match((await live.next('error')).error, /JSON/);
    live.send({ op: 'subscribe', feeds: ['1' as unknown as number] });
    assert.match((await live.next('error')).error, /subscribe/);
    live.send({ op: 'subscribe', feeds: [privateFeed] });
    assert.deepEqual((await live.next('subscribed')).feeds, [privateFeed]);
  });
});
