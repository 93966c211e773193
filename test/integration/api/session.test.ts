import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/shared/clock.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { startRedis } from '../../helpers/redis-server.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const clock = new ManualClock(Date.UTC(2026, 10, 24, 12));
let hub: TestHub;
let redisUrl: string;
const ADMIN = { username: 'ann', password: 'ann-password' };

describe('onboarding, sessions and API keys', () => {
  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    redisUrl = redis.url;
    hub = await startTestHub(teardown, { redisUrl, clock });
  });

  it('asks for an administrator on first visit, once', async () => {
    const first = hub.client();
    assert.deepEqual((await first.request('GET', '/api/v1/onboarding')).body, { needed: true });
    const created = await first.request('POST', '/api/v1/onboarding', { json: ADMIN });
    assert.equal(created.status, 201);
    assert.equal((created.body as { user: { role: string } }).user.role, 'admin');
    assert.deepEqual((await first.request('GET', '/api/v1/onboarding')).body, { needed: false });

    const again = await hub
      .client()
      .request('POST', '/api/v1/onboarding', { json: { username: 'eve', password: 'eve-password' } });
    assert.equal(again.status, 409);
    assert.deepEqual(again.body, {
      error: 'the hub already has an administrator',
      code: 'already_onboarded',
    });
  });

  it('sets an HttpOnly, SameSite=Strict session cookie that expires', async () => {
    const res = await hub.client().request('POST', '/api/v1/session', { json: ADMIN });
    assert.equal(res.status, 200);
    const cookie = res.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^hub_session=[A-Za-z0-9_-]{43}; /);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Expires=/);
    assert.doesNotMatch(cookie, /Secure/, 'plain HTTP: Secure would stop the browser sending it');
  });

  it('cannot tell a wrong password from an unknown user', async () => {
    const wrongPassword = await hub
      .client()
      .request('POST', '/api/v1/session', { json: { username: 'ann', password: 'not-her-password' } });
    const unknownUser = await hub
      .client()
      .request('POST', '/api/v1/session', { json: { username: 'nobody', password: 'not-her-password' } });
    assert.equal(wrongPassword.status, 401);
    assert.equal(unknownUser.status, 401);
    assert.equal(wrongPassword.text, unknownUser.text);
  });

  it('logs out: the old cookie no longer works', async () => {
    const tab = hub.client();
    await tab.request('POST', '/api/v1/session', { json: ADMIN });
    const stolen = tab.cookie;
    assert.equal((await tab.request('GET', '/api/v1/session')).status, 200);
    assert.equal((await tab.request('DELETE', '/api/v1/session')).status, 204);
    const replay = hub.client();
    replay.cookie = stolen;
    assert.equal((await replay.request('GET', '/api/v1/session')).status, 401);
  });

  it('ends a session when it expires', async () => {
    const tab = hub.client();
    await tab.request('POST', '/api/v1/session', { json: ADMIN });
    clock.jump(29 * 24 * 3_600_000); // weeks on a running hub: each timer fires once, not every flush
    assert.equal((await tab.request('GET', '/api/v1/session')).status, 200);
    clock.jump(1 * 24 * 3_600_000);
    assert.equal((await tab.request('GET', '/api/v1/session')).status, 401);
  });

  it('accepts API keys as Bearer header, apikey parameter and form field, and regenerates them', async () => {
    const tab = hub.client();
    await tab.request('POST', '/api/v1/session', { json: ADMIN });
    const keys = (await tab.request('GET', '/api/v1/me/apikeys')).body as {
      readApiKey: string;
      writeApiKey: string;
    };
    assert.match(keys.readApiKey, /^[0-9a-f]{32}$/);
    assert.match(keys.writeApiKey, /^[0-9a-f]{32}$/);
    const anon = hub.client();
    assert.equal((await anon.request('GET', `/api/v1/users?apikey=${keys.readApiKey}`)).status, 200);
    assert.equal(
      (
        await anon.request('GET', '/api/v1/users', {
          headers: { authorization: `Bearer ${keys.readApiKey}` },
        })
      ).status,
      200,
    );
    const viaForm = await anon.request('POST', '/api/v1/users', {
      json: { apikey: keys.writeApiKey, username: 'wes', password: 'wes-password', role: 'viewer' },
    });
    assert.equal(viaForm.status, 201);

    const renewed = (await tab.request('POST', '/api/v1/me/apikeys/read/regenerate')).body as typeof keys;
    assert.notEqual(renewed.readApiKey, keys.readApiKey);
    assert.equal(renewed.writeApiKey, keys.writeApiKey);
    const old = await anon.request('GET', `/api/v1/users?apikey=${keys.readApiKey}`);
    assert.equal(old.status, 401);
    assert.deepEqual(old.body, { error: 'unknown API key', code: 'bad_apikey' });
  });

  it('rate-limits failed logins per user with 429 and Retry-After', async () => {
    const tab = hub.client();
    await tab.request('POST', '/api/v1/onboarding', { json: ADMIN }); // no-op: already onboarded
    await tab.request('POST', '/api/v1/session', { json: ADMIN });
    await tab.request('POST', '/api/v1/users', {
      json: { username: 'rita', password: 'rita-password', role: 'viewer' },
    });
    for (let i = 0; i < 5; i++) {
      const res = await hub
        .client()
        .request('POST', '/api/v1/session', { json: { username: 'rita', password: 'guess-' + i } });
      assert.equal(res.status, 401);
    }
    const blocked = await hub
      .client()
      .request('POST', '/api/v1/session', { json: { username: 'rita', password: 'rita-password' } });
    assert.equal(blocked.status, 429);
    assert.equal(blocked.headers.get('retry-after'), '900');
    clock.tick(900_000);
    const later = await hub
      .client()
      .request('POST', '/api/v1/session', { json: { username: 'rita', password: 'rita-password' } });
    assert.equal(later.status, 200);
  });

  it('rate-limits failed logins per address, whichever names are tried', async () => {
    const limited = await startTestHub(teardown, {
      redisUrl: redisUrl,
      authOverrides: { loginFailuresPerIp: 3 },
    });
    for (const name of ['a1', 'a2', 'a3']) {
      const res = await limited
        .client()
        .request('POST', '/api/v1/session', { json: { username: name, password: 'x'.repeat(8) } });
      assert.equal(res.status, 401);
    }
    const res = await limited
      .client()
      .request('POST', '/api/v1/session', { json: { username: 'a4', password: 'x'.repeat(8) } });
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) > 0);
  });

  it('lets admins manage users but never delete the last admin', async () => {
    const tab = hub.client();
    await tab.request('POST', '/api/v1/session', { json: ADMIN });
    const users = (await tab.request('GET', '/api/v1/users')).body as { username: string; role: string }[];
    assert.ok(users.some((u) => u.username === 'ann' && u.role === 'admin'));
    assert.equal((await tab.request('DELETE', '/api/v1/users/ann')).status, 409);
    assert.equal(
      (await tab.request('PUT', '/api/v1/users/wes/password', { json: { password: 'new-wes-password' } }))
        .status,
      204,
    );
    assert.equal(
      (
        await hub
          .client()
          .request('POST', '/api/v1/session', { json: { username: 'wes', password: 'new-wes-password' } })
      ).status,
      200,
    );
    assert.equal((await tab.request('DELETE', '/api/v1/users/wes')).status, 204);
    assert.equal(
      (
        await hub
          .client()
          .request('POST', '/api/v1/session', { json: { username: 'wes', password: 'new-wes-password' } })
      ).status,
      401,
    );
  });

  it('writes no password, token or API key to the log', async () => {
    const tab = hub.client();
    await tab.request('POST', '/api/v1/session', { json: ADMIN });
    const keys = (await tab.request('GET', '/api/v1/me/apikeys')).body as { readApiKey: string };
    await hub.client().request('GET', `/api/v1/users?apikey=${keys.readApiKey}`);
    const logs = hub.logs.join('');
    assert.ok(logs.includes('"path":"/api/v1/users"'), 'requests are logged');
    for (const secret of [ADMIN.password, keys.readApiKey, tab.csrfToken!, tab.cookie!.split('=')[1]!]) {
      assert.equal(logs.includes(secret), false, `a secret reached the log`);
    }
  });
});
