import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FeedJson, InputJson } from '../../../src/api/contract.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin } from '../../helpers/hub.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const NOW_S = 1_790_000_000;
let admin: HttpClient;
let feedId: number;

describe('typed route inputs', () => {
  before(async () => {
    ({ admin } = await startHubWithAdmin(teardown, { clock: new ManualClock(NOW_S * 1000) }));
    const created = await admin.request('POST', '/api/v1/feeds', { json: { name: 'typed', intervalS: 10 } });
    assert.equal(created.status, 201, created.text);
    feedId = (created.body as FeedJson).id;
  });

  it('applies a template to any node the inputs API takes, spaces included', async () => {
    const posted = await admin.request('POST', '/api/v1/inputs', {
      json: { node: 'garage plug', timeS: NOW_S - 10, values: { power1: 5 } },
    });
    assert.equal(posted.status, 200, posted.text);
    const res = await admin.request('POST', '/api/v1/templates/emonpi-solar-pv-1/apply', {
      json: { node: 'garage plug' },
    });
    assert.equal(res.status, 200, res.text);
    const inputs = (await admin.request('GET', '/api/v1/inputs')).body as InputJson[];
    const power1 = inputs.find((i) => i.node === 'garage plug' && i.name === 'power1')!;
    assert.ok(power1.processList.length > 0, 'the template gave the existing input its process list');
  });

  it('refuses a node the same way, with the same sentence, in both places', async () => {
    const viaInputs = await admin.request('POST', '/api/v1/inputs', {
      json: { node: 'a/b', values: { power1: 1 } },
    });
    const viaTemplate = await admin.request('POST', '/api/v1/templates/emonpi-solar-pv-1/apply', {
      json: { node: 'a/b' },
    });
    assert.equal(viaInputs.status, 400);
    assert.deepEqual(viaTemplate.body, viaInputs.body);
    assert.equal((viaInputs.body as { code: string }).code, 'invalid_node');
  });

  it('counts the points of a batch its schema refuses, as the feed service counts its own refusals', async () => {
    const refused = async () => {
      const report = (await admin.request('GET', '/readyz')).body as {
        components: Record<string, { detail?: { refused?: number } }>;
      };
      return report.components['feed-flusher']?.detail?.refused;
    };
    const post = (points: unknown[]) =>
      admin.request('POST', `/api/v1/feeds/${feedId}/points`, { json: { points } });
    const before = await refused();
    assert.equal(typeof before, 'number');

    const badValue = await post([
      [NOW_S - 20, 1],
      [NOW_S - 10, 'x'],
      [NOW_S, 3],
    ]);
    assert.equal(badValue.status, 400, badValue.text);
    assert.equal(await refused(), before! + 3, 'a value of the wrong type drops the batch of 3');
    const badTime = await post([['yesterday', 1]]);
    assert.equal(
      (badTime.body as { error: string }).error,
      'point 0: time must be unix seconds; nothing was stored',
    );
    assert.equal(await refused(), before! + 4);
    const future = await post([[NOW_S + 10 * 86_400, 1]]); // refused by the service
    assert.equal(future.status, 400, future.text);
    assert.equal(await refused(), before! + 5);
  });

  const cases: {
    name: string;
    method: string;
    path: () => string;
    json?: unknown;
    status: number;
    code: string;
    error: RegExp;
  }[] = [
    {
      name: 'a feed flag that is not true or false (was stored as false)',
      method: 'POST',
      path: () => '/api/v1/feeds',
      json: { name: 'flag', intervalS: 10, public: 'yes' },
      status: 400,
      code: 'invalid_public',
      error: /^public must be true or false$/,
    },
    {
      name: 'a feed id with path characters',
      method: 'GET',
      path: () => '/api/v1/feeds/..%2F1/data?start=1&end=2&interval=10',
      status: 400,
      code: 'invalid_feed_id',
      error: /feed id must be a whole number/,
    },
    {
      name: 'a read without an interval',
      method: 'GET',
      path: () => `/api/v1/feeds/${feedId}/data?start=1&end=2`,
      status: 400,
      code: 'invalid_interval',
      error: /interval must be seconds or daily/,
    },
    {
      name: 'a point whose value is text',
      method: 'POST',
      path: () => `/api/v1/feeds/${feedId}/points`,
      json: {
        points: [
          [NOW_S, 1],
          [NOW_S, 'x'],
        ],
      },
      status: 400,
      code: 'invalid_point',
      error: /^point 1: value must be a number; nothing was stored$/,
    },
    {
      name: 'an input name with a slash',
      method: 'POST',
      path: () => '/api/v1/inputs',
      json: { node: 'n', values: { 'a/b': 1 } },
      status: 400,
      code: 'invalid_name',
      error: /^input name "a\/b" must be 1 to 64 letters/,
    },
    {
      name: 'an input id that is no number',
      method: 'GET',
      path: () => '/api/v1/inputs/abc',
      status: 404,
      code: 'input_not_found',
      error: /^input abc does not exist$/,
    },
    {
      name: 'a tariff without a currency code',
      method: 'PUT',
      path: () => '/api/v1/tariff',
      json: { currency: 'pounds', standingChargeMinorPerDay: 0, vatPercent: 0, bands: [] },
      status: 400,
      code: 'invalid_tariff',
      error: /^tariff currency: an ISO 4217 code/,
    },
    {
      name: 'a month that does not exist',
      method: 'GET',
      path: () => '/api/v1/energy/summary?month=2024-13',
      status: 400,
      code: 'invalid_range',
      error: /month YYYY-MM/,
    },
    {
      name: 'a feedId that is not an id',
      method: 'GET',
      path: () => '/api/v1/energy/today?feedId=x',
      status: 400,
      code: 'invalid_feed_id',
      error: /feedId must be a feed id/,
    },
    {
      name: 'a role that does not exist',
      method: 'POST',
      path: () => '/api/v1/users',
      json: { username: 'bob', password: 'bob-password', role: 'root' },
      status: 400,
      code: 'invalid_role',
      error: /role must be "admin" or "viewer"/,
    },
    {
      name: 'a password that is not text',
      method: 'PUT',
      path: () => '/api/v1/users/ann/password',
      json: { password: 12345678 },
      status: 400,
      code: 'invalid_password',
      error: /^password must be text$/,
    },
    {
      name: 'an API key scope that does not exist',
      method: 'POST',
      path: () => '/api/v1/me/apikeys/admin/regenerate',
      status: 400,
      code: 'invalid_scope',
      error: /scope must be "read" or "write"/,
    },
    {
      name: 'a timezone that is not IANA',
      method: 'PUT',
      path: () => '/api/v1/hub/timezone',
      json: { timeZone: 'Mars/Base' },
      status: 400,
      code: 'invalid_timezone',
      error: /IANA name/,
    },
    {
      name: 'a device kind that does not exist',
      method: 'POST',
      path: () => '/api/v1/devices',
      json: { name: 'toaster', kind: 'toaster' },
      status: 400,
      code: 'invalid_kind',
      error: /^kind must be one of hub, emonhub/,
    },
    {
      name: 'a device id that is no number',
      method: 'DELETE',
      path: () => '/api/v1/devices/x',
      status: 400,
      code: 'invalid_device_id',
      error: /device id must be a whole number/,
    },
  ];
  for (const c of cases) {
    it(`answers ${c.status} ${c.code} to ${c.name}`, async () => {
      const res = await admin.request(c.method, c.path(), c.json === undefined ? {} : { json: c.json });
      assert.equal(res.status, c.status, res.text);
      const body = res.body as { error: string; code: string };
      assert.deepEqual(Object.keys(body).sort(), ['code', 'error']);
      assert.equal(body.code, c.code);
      assert.match(body.error, c.error);
    });
  }

  it('stored nothing for the refused feed', async () => {
    const names = ((await admin.request('GET', '/api/v1/feeds')).body as FeedJson[]).map((f) => f.name);
    assert.ok(names.includes('typed'));
    assert.ok(!names.includes('flag'));
  });

  it('takes an interval and a trim time written as text, as the API did before it had schemas', async () => {
    const created = await admin.request('POST', '/api/v1/feeds', {
      json: { name: 'texty', intervalS: '10' },
    });
    assert.equal(created.status, 201, created.text);
    const feed = created.body as FeedJson;
    assert.equal(feed.intervalS, 10);
    const trimmed = await admin.request('POST', `/api/v1/feeds/${feed.id}/trim`, {
      json: { startTimeS: '1700000000' },
    });
    assert.equal(trimmed.status, 204, trimmed.text);
    const refused = await admin.request('POST', '/api/v1/feeds', {
      json: { name: 'texty2', intervalS: 'ten' },
    });
    assert.equal(refused.status, 400);
    assert.equal((refused.body as { code: string }).code, 'invalid_interval');
  });
});
