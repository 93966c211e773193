import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { connectError, mqttClient } from '../../helpers/mqtt.js';
import { startRedis } from '../../helpers/redis-server.js';
import { useTeardown } from '../../helpers/teardown.js';

// Issue 10: sockets that never log in have their own budget, per address too, apart from
// maxConnections, so that they cannot keep devices out; addresses that logged in before have a
// pool of their own.

const teardown = useTeardown();
let hub: TestHub;
let url: string;
let login: { username: string; password: string };

/** A socket that connects from `localAddress` and never sends CONNECT; resolves with whether the hub closed it. */
async function idleSocket(
  localAddress: string,
): Promise<{ socket: Socket; closedSoon: () => Promise<boolean> }> {
  const socket = createConnection({ host: '127.0.0.1', port: hub.mqttPort, localAddress });
  teardown.add(() => socket.destroy());
  socket.on('error', () => undefined);
  const closedAt = new Promise<boolean>((resolve) => socket.once('close', () => resolve(true)));
  await once(socket, 'connect');
  return {
    socket,
    closedSoon: async () => {
      let timer: NodeJS.Timeout | undefined;
      const stillOpen = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 300)));
      const result = await Promise.race([closedAt, stillOpen]);
      clearTimeout(timer);
      return result;
    },
  };
}

describe('connection budgets', () => {
  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    hub = await startTestHub(teardown, {
      redisUrl: redis.url,
      config: { mqtt: { limits: { maxConnections: 2, maxPreAuthConnections: 3, maxPreAuthPerAddress: 2 } } },
    });
    url = `mqtt://127.0.0.1:${hub.mqttPort}`;
    const admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    const keys = (await admin.request('GET', '/api/v1/me/apikeys')).body as { writeApiKey: string };
    login = { username: 'ann', password: keys.writeApiKey };
  });

  it('closes pre-auth sockets over the per-address budget; other addresses and logins still get in', async () => {
    const first = await idleSocket('127.0.0.2');
    const second = await idleSocket('127.0.0.2');
    const third = await idleSocket('127.0.0.2');
    assert.equal(await third.closedSoon(), true, 'a third idle socket from one address is closed');
    assert.equal(await first.closedSoon(), false);
    assert.equal(await second.closedSoon(), false);
    // Idle sockets do not use up maxConnections (2): two logins still connect.
    const a = await mqttClient(teardown, url, login);
    const b = await mqttClient(teardown, url, login);
    assert.notEqual(await connectError(url, login), undefined, 'the third login is over maxConnections');
    await a.endAsync();
    await b.endAsync();
    first.socket.destroy();
    second.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
  });

  it('closes pre-auth sockets over the total budget, and frees slots when sockets go', async () => {
    const held = [
      await idleSocket('127.0.0.2'),
      await idleSocket('127.0.0.2'),
      await idleSocket('127.0.0.3'),
    ];
    const over = await idleSocket('127.0.0.4');
    assert.equal(await over.closedSoon(), true, 'over the total pre-auth budget');
    for (const s of held) s.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const back = await idleSocket('127.0.0.4');
    assert.equal(await back.closedSoon(), false, 'room again once the idle sockets are gone');
    back.socket.destroy();
  });

  it('lets an address that logged in before in while the open pre-auth budget is full', async () => {
    const known = await mqttClient(teardown, url, login); // from 127.0.0.1
    await known.endAsync();
    const held = [
      await idleSocket('127.0.0.2'),
      await idleSocket('127.0.0.2'),
      await idleSocket('127.0.0.3'),
    ];
    assert.equal(await (await idleSocket('127.0.0.4')).closedSoon(), true, 'a new address is refused');
    const returning = await mqttClient(teardown, url, login);
    assert.equal(returning.connected, true, 'a returning address still gets in');
    await returning.endAsync();
    for (const s of held) s.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
  });
});
