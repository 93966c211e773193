import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser } from '../helpers/browser.js';
import { startTestHub } from '../helpers/hub.js';
import { ROOT } from '../helpers/processes.js';
import { startRedis } from '../helpers/redis-server.js';
import { useTeardown } from '../helpers/teardown.js';

const teardown = useTeardown();

describe('MQTT over WebSocket from a browser page', () => {
  it('connects to /mqtt, subscribes and receives its own publish', async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    const hub = await startTestHub(teardown, { redisUrl: redis.url });
    const admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    const { writeApiKey } = (await admin.request('GET', '/api/v1/me/apikeys')).body as {
      writeApiKey: string;
    };

    const browser = await launchBrowser(teardown);
    // The test injects MQTT.js into a hub page; the hub's CSP rightly forbids that script.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(hub.baseUrl);
    await page.addScriptTag({ path: join(ROOT, 'node_modules/mqtt/dist/mqtt.min.js') });
    const wsUrl = hub.baseUrl.replace('http://', 'ws://') + '/mqtt';
    const received = await page.evaluate(
      ({ url, password }) =>
        new Promise<string>((resolve, reject) => {
          type Client = {
            on(event: string, fn: (...args: never[]) => void): void;
            subscribe(topic: string, done: () => void): void;
            publish(topic: string, payload: string): void;
            end(force: boolean): void;
          };
          const mqtt = (globalThis as unknown as { mqtt: { connect: (u: string, o: object) => Client } })
            .mqtt;
          const client = mqtt.connect(url, { username: 'ann', password, reconnectPeriod: 0 });
          client.on('error', (e: Error) => reject(e.message));
          client.on('connect', () => {
            client.subscribe('browser/echo', () => client.publish('browser/echo', 'from chromium'));
          });
          client.on('message', (_t: string, payload: Uint8Array) => {
            client.end(true);
            resolve(new TextDecoder().decode(payload));
          });
          setTimeout(() => reject('timeout'), 5000);
        }),
      { url: wsUrl, password: writeApiKey },
    );
    assert.equal(received, 'from chromium');
    await context.close();
  });
});
