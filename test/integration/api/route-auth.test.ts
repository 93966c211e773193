import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../../src/api/app.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { startRedis } from '../../helpers/redis-server.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
let hub: TestHub;
let admin: HttpClient;
let viewer: HttpClient;
let viewerKeys: { readApiKey: string; writeApiKey: string };

/** A concrete path for a route pattern (":username" → an existing user). */
const concrete = (path: string) =>
  path.replace(':username', 'vic').replace(':scope', 'read').replace(':id', '1');

describe('every route is denied by default', () => {
  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    hub = await startTestHub(teardown, { redisUrl: redis.url });
    admin = hub.client();
    assert.equal(
      (
        await admin.request('POST', '/api/v1/onboarding', {
          json: { username: 'ann', password: 'ann-password' },
        })
      ).status,
      201,
    );
    assert.equal(
      (
        await admin.request('POST', '/api/v1/users', {
          json: { username: 'vic', password: 'vic-password', role: 'viewer' },
        })
      ).status,
      201,
    );
    viewer = hub.client();
    assert.equal(
      (
        await viewer.request('POST', '/api/v1/session', {
          json: { username: 'vic', password: 'vic-password' },
        })
      ).status,
      200,
    );
    viewerKeys = (await viewer.request('GET', '/api/v1/me/apikeys')).body as typeof viewerKeys;
  });

  it('walks a route table that has admin-only, user and public routes', () => {
    const { routes } = appRoutes();
    assert.ok(routes.length >= 12, `only ${routes.length} routes`);
    for (const access of ['admin', 'user', 'public'])
      assert.ok(
        routes.some((r) => r.access === access),
        access,
      );
  });

  it('answers 401 to an anonymous caller on every non-public route', async () => {
    const { routes } = appRoutes();
    const checked: string[] = [];
    for (const route of routes.filter((r) => r.access !== 'public')) {
      const res = await hub
        .client()
        .request(route.method.toUpperCase(), concrete(route.path), bodyFor(route.method));
      assert.equal(res.status, 401, `${route.method} ${route.path} answered ${res.status}`);
      assert.equal((res.body as { code: string }).code, 'unauthenticated');
      checked.push(route.path);
    }
    assert.ok(checked.length > 5);
  });

  it('answers 403 to a viewer on every admin-only route', async () => {
    for (const route of appRoutes().routes.filter((r) => r.access === 'admin')) {
      const res = await viewer.request(
        route.method.toUpperCase(),
        concrete(route.path),
        bodyFor(route.method),
      );
      assert.equal(res.status, 403, `${route.method} ${route.path} answered ${res.status}`);
      assert.equal((res.body as { code: string }).code, 'forbidden');
    }
  });

  it('refuses every state-changing route to a read API key', async () => {
    for (const route of appRoutes().routes.filter((r) => r.access !== 'public' && r.method !== 'get')) {
      const res = await hub.client().request(route.method.toUpperCase(), concrete(route.path), {
        json: {},
        headers: { authorization: `Bearer ${viewerKeys.readApiKey}` },
      });
      assert.equal(res.status, 403, `${route.method} ${route.path} answered ${res.status}`);
    }
  });

  it('refuses a cookie session without the CSRF token on every state-changing route', async () => {
    for (const route of appRoutes().routes.filter((r) => r.access !== 'public' && r.method !== 'get')) {
      const res = await admin.request(route.method.toUpperCase(), concrete(route.path), {
        json: {},
        csrf: false,
      });
      assert.equal(res.status, 403, `${route.method} ${route.path} answered ${res.status}`);
      assert.equal((res.body as { code: string }).code, 'csrf');
    }
  });

  it('lets public routes through without credentials', async () => {
    for (const path of ['/healthz', '/readyz', '/api/v1/version', '/api/v1/onboarding']) {
      const res = await hub.client().request('GET', path);
      assert.equal(res.status, 200, `${path} answered ${res.status}`);
    }
  });
});

const bodyFor = (method: string) => (method === 'get' ? {} : { json: {} });

/** The same route table hubd serves: the one the running hub's app was built from. */
function appRoutes() {
  return createApp({ routes: hub.routes, auth: hub.auth, log: quiet, bodyLimitKb: 16, trustProxy: false });
}

const quiet = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return this;
  },
};
