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
  path.replace(':username', 'vic').replace(':scope', 'read').replace(':id', '1').replace(':ip', '192.0.2.9');

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

  it('walks exactly the route table below, in order, each route with its access rule', () => {
    // An added, removed, reordered or re-ruled route must update this list: access is reviewed here.
    assert.deepEqual(appRoutes().routes.map(describeRoute), EXPECTED_ROUTES);
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
      checked.push(describeRoute(route));
    }
    assert.deepEqual(
      checked,
      EXPECTED_ROUTES.filter((r) => !r.endsWith(' public')),
    );
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

const describeRoute = (r: { method: string; path: string; access: string }) =>
  `${r.method.toUpperCase()} ${r.path} ${r.access}`;

/** emoncms-compatible paths: each answers GET and POST, with and without the /emoncms prefix. */
const compat = (paths: readonly string[]) =>
  paths.flatMap((path) => [path, `/emoncms${path}`].flatMap((p) => [`GET ${p} public`, `POST ${p} public`]));

const EMONCMS_FEED_ACTIONS = [
  'list',
  'listwithmeta',
  'getid',
  'create',
  'fetch',
  'data',
  'average',
  'csvexport',
  'timevalue',
  'value',
  'getmeta',
  'aget',
  'get',
  'export',
  'set',
  'post',
  'insert',
  'update',
  'delete',
  'clear',
  ':action',
];

const EXPECTED_ROUTES = [
  'GET /healthz public',
  'GET /readyz public',
  'GET /api/v1/version public',
  'GET /api/v1/hub user',
  'PUT /api/v1/hub/timezone admin',
  'GET /api/v1/onboarding public',
  'POST /api/v1/onboarding public',
  'POST /api/v1/session public',
  'GET /api/v1/session user',
  'DELETE /api/v1/session user',
  'GET /api/v1/users admin',
  'POST /api/v1/users admin',
  'PUT /api/v1/users/:username/password admin',
  'DELETE /api/v1/users/:username admin',
  'PUT /api/v1/me/password user',
  'GET /api/v1/me/apikeys user',
  'POST /api/v1/me/apikeys/:scope/regenerate user',
  'GET /api/v1/feeds user',
  'POST /api/v1/feeds admin',
  'GET /api/v1/feeds/:id user',
  'PATCH /api/v1/feeds/:id admin',
  'DELETE /api/v1/feeds/:id admin',
  'POST /api/v1/feeds/:id/clear admin',
  'POST /api/v1/feeds/:id/points admin',
  'GET /api/v1/feeds/:id/data user',
  'GET /api/v1/feeds/:id/export user',
  'POST /api/v1/feeds/:id/trim admin',
  'GET /api/v1/feeds/:id/value user',
  'GET /api/v1/feeds/:id/last user',
  'GET /api/v1/mqtt/ca.crt public',
  'GET /api/v1/mqtt/stats admin',
  'GET /device/auth/request{.json} public',
  'GET /emoncms/device/auth/request{.json} public',
  'GET /api/v1/pairing admin',
  'POST /api/v1/pairing/window admin',
  'POST /api/v1/pairing/beacon admin',
  'POST /api/v1/pairing/requests/:ip/allow admin',
  'POST /api/v1/pairing/claims/:clientId/allow admin',
  'POST /api/v1/pairing/claims/:clientId/deny admin',
  'GET /api/v1/pairing/claims/:clientId/settings admin',
  'POST /api/v1/pairing/requests/:ip/deny admin',
  'GET /api/v1/inputs admin',
  'POST /api/v1/inputs admin',
  'GET /api/v1/inputs/:id admin',
  'PATCH /api/v1/inputs/:id admin',
  'DELETE /api/v1/inputs/:id admin',
  'PUT /api/v1/inputs/:id/process admin',
  'GET /api/v1/processes admin',
  'GET /api/v1/templates admin',
  'POST /api/v1/templates/:id/apply admin',
  'POST /data/:file public',
  'POST /middleware.php/data/:file public',
  'POST /middleware/data/:file public',
  'GET /api/v1/vzlogger/channels admin',
  'PUT /api/v1/vzlogger/channels/:uuid admin',
  'DELETE /api/v1/vzlogger/channels/:uuid admin',
  ...compat([
    '/input/post{/:node}{.json}',
    '/input/bulk{.json}',
    '/input/get{/:node}{/:name}{.json}',
    ...['list', 'getinputs', 'set', 'delete', 'process/get', 'process/set', 'process/reset'].map(
      (action) => `/input/${action}{.json}`,
    ),
    ...EMONCMS_FEED_ACTIONS.map((action) => `/feed/${action}{.json}`),
    '/describe{.:format}',
    '/version{.:format}',
  ]),
  'GET /emoncms{/*rest} public',
  'POST /emoncms{/*rest} public',
  // Devices after ingest: their readings go to it (src/compose.ts).
  'GET /api/v1/devices user',
  'POST /api/v1/devices admin',
  'GET /api/v1/devices/:id user',
  'PATCH /api/v1/devices/:id admin',
  'PUT /api/v1/devices/:id/state admin',
  'DELETE /api/v1/devices/:id admin',
  'GET /api/v1/tariff user',
  'PUT /api/v1/tariff admin',
  'GET /api/v1/energy/summary user',
  'GET /api/v1/energy/compare user',
  'GET /api/v1/energy/today user',
  'GET /api/v1/signals user',
  'GET /api/v1/signals/target user',
  'PUT /api/v1/signals/target admin',
  'GET /api/v1/community/days user',
  'GET /api/v1/devices/:id/plan user',
  'GET /api/v1/devices/:id/schedule user',
  'PUT /api/v1/devices/:id/schedule admin',
  'DELETE /api/v1/devices/:id/schedule admin',
  'GET /api/v1/backup admin',
  'GET /api/v1/update admin',
  'POST /api/v1/update/bundle admin',
  'GET /api/v1/server admin',
];

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
