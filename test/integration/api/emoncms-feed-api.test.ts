import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { startRedis } from '../../helpers/redis-server.js';
import { useTeardown } from '../../helpers/teardown.js';

// The emoncms-compatible feed API against a real hub (facts: docs/emoncms-compat.md).

const teardown = useTeardown();
const NOW_S = 1_790_000_000; // 2026-09-21 13:33:20 UTC
const T0 = NOW_S - 3600; // 13:13:20 UTC = 14:13:20 in London (BST)
const clock = new ManualClock(NOW_S * 1000);
const PREFIXES = ['', '/emoncms'];
const ROUTE_NOT_FOUND = '{"success":false,"message":"406 Not Acceptable. Route not found"}';
const FEED_MISSING = '{"success":false,"message":"Feed does not exist"}';

let hub: TestHub;
let admin: HttpClient;
let keys: { readApiKey: string; writeApiKey: string };
let viewerKeys: { readApiKey: string; writeApiKey: string };
let power: number; // private, with data
let solar: number; // public

interface Hit {
  status: number;
  type: string;
  headers: Headers;
  text: string;
  bytes: Buffer;
  json: unknown;
}

/** One HTTP request: `key` goes in the query, `bearer` in the header, `form` in the body. */
async function hit(
  path: string,
  opts: {
    key?: string;
    bearer?: string;
    form?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): Promise<Hit> {
  const url = new URL(path, hub.baseUrl);
  if (opts.key !== undefined) url.searchParams.set('apikey', opts.key);
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  let body: string | undefined;
  if (opts.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
  }
  const res = await fetch(url, { method: body ? 'POST' : 'GET', headers, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    headers: res.headers,
    text,
    bytes,
    json,
  };
}

const q = (value: unknown) => encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value));
const W = () => ({ key: keys.writeApiKey });
const R = () => ({ key: keys.readApiKey });

function assertJson(res: Hit, body: string, status = 200): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.type, 'application/json');
  assert.equal(res.text, body);
}

describe('emoncms feed API', () => {
  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    hub = await startTestHub(teardown, { redisUrl: redis.url, clock, config: { timezone: 'Europe/London' } });
    admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    keys = (await admin.request('GET', '/api/v1/me/apikeys')).body as typeof keys;
    await admin.request('POST', '/api/v1/users', {
      json: { username: 'vic', password: 'vic-password', role: 'viewer' },
    });
    const viewer = hub.client();
    await viewer.request('POST', '/api/v1/session', { json: { username: 'vic', password: 'vic-password' } });
    viewerKeys = (await viewer.request('GET', '/api/v1/me/apikeys')).body as typeof viewerKeys;
  });

  it('creates feeds with a write key and answers as emoncms', async () => {
    const created = await hit(
      `/feed/create.json?tag=house&name=power&engine=5&options=${q({ interval: 10 })}&unit=W`,
      W(),
    );
    assert.match(created.text, /^\{"success":true,"feedid":\d+,"result":true\}$/);
    power = (created.json as { feedid: number }).feedid;
    const second = await hit(`/emoncms/feed/create.json?tag=roof&name=solar&options=${q({ interval: 10 })}`, {
      bearer: keys.writeApiKey,
    });
    solar = (second.json as { feedid: number }).feedid;
    assert.equal(second.text, `{"success":true,"feedid":${solar},"result":true}`);

    assertJson(
      await hit(`/feed/create.json?tag=house&name=power&engine=5`, W()),
      '{"success":false,"message":"feed already exists"}',
    );
    assertJson(
      await hit(`/feed/create.json?tag=house&name=${q('power.2')}`, W()),
      '{"success":false,"message":"invalid characters in feed name"}',
    );
    assertJson(
      await hit(`/feed/create.json?tag=${q('a/b')}&name=x`, W()),
      '{"success":false,"message":"invalid characters in feed tag"}',
    );
    assertJson(
      await hit(`/feed/create.json?tag=t&name=x&engine=2`, W()),
      '{"success":false,"message":"ABORTED: Engine id 2 is not supported."}',
    );
    const odd = await hit(`/feed/create.json?tag=t&name=x&options=${q({ interval: 17 })}`, W());
    assert.equal((odd.json as { success: boolean }).success, false);
    assert.match((odd.json as { message: string }).message, /interval must be one of/);
  });

  it('refuses to create with a read key, a viewer or nobody, as emoncms falls through', async () => {
    for (const opts of [R(), { key: viewerKeys.writeApiKey }, {}])
      assertJson(await hit(`/feed/create.json?tag=t&name=y&engine=5`, opts), FEED_MISSING);
    assertJson(await hit(`/feed/create.json?tag=t&name=y&id=${power}`, R()), ROUTE_NOT_FOUND, 406);
  });

  it('posts a single point and answers the value', async () => {
    for (const [i, prefix] of PREFIXES.entries()) {
      const res = await hit(
        `${prefix}/feed/post.json?id=${power}&time=${T0 + 10 * i}&value=${230.5 + i / 2}`,
        W(),
      );
      assert.equal(res.status, 200);
      assert.match(res.type, /^application\/json/);
      assert.equal(res.text, String(230.5 + i / 2));
    }
    assert.equal((await hit(`/feed/insert?id=${power}&time=${T0 + 30}&value=232.25`, W())).text, '232.25');
    assert.equal((await hit(`/feed/update.json?id=${solar}&time=${T0}&value=abc`, W())).text, '0');
  });

  it('posts data=[[t,v],…] from the query, the form body, with the key in the form', async () => {
    const data = JSON.stringify([
      [T0 + 10, 100],
      [T0 + 20, 200],
    ]);
    assertJson(await hit(`/feed/post.json?id=${solar}&data=${q(data)}`, W()), '{"success":true}');
    assertJson(
      await hit(`/emoncms/feed/post.json?id=${solar}`, { form: { apikey: keys.writeApiKey, data } }),
      '{"success":true}',
    );
    assertJson(
      await hit(`/feed/post.json?id=${solar}`, W()),
      '{"success":false,"message":"missing data parameter"}',
    );
    for (const bad of ['[[1,2', '[]', '0'])
      assertJson(
        await hit(`/feed/post.json?id=${solar}&data=${q(bad)}`, W()),
        '{"success":false,"message":"error decoding json"}',
      );
    assertJson(await hit(`/feed/post.json?id=999&time=1&value=1`, W()), FEED_MISSING);
  });

  it('refuses writes to a read key, a viewer key and anonymous callers with 406', async () => {
    for (const opts of [R(), { key: viewerKeys.writeApiKey }, { key: viewerKeys.readApiKey }, {}]) {
      for (const prefix of PREFIXES) {
        const res = await hit(`${prefix}/feed/post.json?id=${power}&time=${T0}&value=1`, opts);
        assertJson(res, ROUTE_NOT_FOUND, 406);
      }
    }
    assertJson(await hit(`/feed/delete.json?id=${power}`, R()), ROUTE_NOT_FOUND, 406);
  });

  it('a cookie session writes only with its CSRF token', async () => {
    const without = await admin.request('GET', `/feed/set.json?id=${power}&fields=${q({ unit: 'W' })}`);
    assert.equal(without.status, 406);
    const withToken = await admin.request('GET', `/feed/set.json?id=${power}&fields=${q({ unit: 'W' })}`, {
      headers: { 'x-csrf-token': admin.csrfToken! },
    });
    assert.equal(
      withToken.text,
      `{"success":true,"message":"Field updated","feedid":${power},"fields":{"unit":"W"}}`,
    );
  });

  it('reads data as [[ms, value]] by default, at both prefixes and without extension', async () => {
    const expected = `[[${T0 * 1000},230.5],[${(T0 + 10) * 1000},231],[${(T0 + 20) * 1000},null],[${(T0 + 30) * 1000},232.25]]`;
    for (const prefix of PREFIXES)
      for (const ext of ['.json', ''])
        assertJson(
          await hit(`${prefix}/feed/data${ext}?id=${power}&start=${T0}&end=${T0 + 30}&interval=10`, R()),
          expected,
        );
    // start and end in milliseconds, and the key as a Bearer header
    assertJson(
      await hit(`/feed/data.json?id=${power}&start=${T0 * 1000}&end=${(T0 + 30) * 1000}&interval=10`, {
        bearer: keys.readApiKey,
      }),
      expected,
    );
  });

  it('applies timeformat, skipmissing, average, dp, delta and date strings', async () => {
    const base = `/feed/data.json?id=${power}&start=${T0}&end=${T0 + 30}&interval=10`;
    const get = async (extra: string) => (await hit(base + extra, R())).text;
    assert.equal(
      await get('&timeformat=unix'),
      `[[${T0},230.5],[${T0 + 10},231],[${T0 + 20},null],[${T0 + 30},232.25]]`,
    );
    assert.equal(
      await get('&skipmissing=1&timeformat=unix'),
      `[[${T0},230.5],[${T0 + 10},231],[${T0 + 30},232.25]]`,
    );
    assert.equal(
      await get('&dp=0&timeformat=unix'),
      `[[${T0},231],[${T0 + 10},231],[${T0 + 20},null],[${T0 + 30},232]]`,
    );
    assert.equal(await get('&timeformat=notime'), '[230.5,231,null,232.25]');
    assert.equal(
      await get('&timeformat=excel&skipmissing=1'),
      '[["21\\/09\\/2026 14:13:20",230.5],["21\\/09\\/2026 14:13:30",231],["21\\/09\\/2026 14:13:50",232.25]]',
    );
    assert.equal(
      await get('&timeformat=iso8601&timezone=UTC&skipmissing=1'),
      '[["2026-09-21T13:13:20+00:00",230.5],["2026-09-21T13:13:30+00:00",231],["2026-09-21T13:13:50+00:00",232.25]]',
    );
    assert.equal(
      (
        await hit(
          `/feed/average.json?id=${power}&start=${T0}&end=${T0 + 30}&interval=20&timeformat=unix`,
          R(),
        )
      ).text,
      `[[${T0},230.75],[${T0 + 20},232.25]]`,
    );
    assert.equal(
      (
        await hit(
          `/feed/data.json?id=${power}&start=${T0}&end=${T0 + 10}&interval=10&delta=1&timeformat=unix`,
          R(),
        )
      ).text,
      `[[${T0},0.5],[${T0 + 10},null]]`,
    );
    // PHP date strings, relative to the hub's clock
    assert.equal(
      (
        await hit(
          `/feed/data.json?id=${power}&start=${q('-1 hour')}&end=now&interval=1800&timeformat=unix`,
          R(),
        )
      ).text,
      `[[${T0},230.5],[${T0 + 1800},null],[${T0 + 3600},null]]`,
    );
  });

  it('answers bad data requests with emoncms messages', async () => {
    const data = (query: string) => hit(`/feed/data.json?${query}`, R());
    const missingStart = await data(`id=${power}&end=${T0}`);
    assert.equal(missingStart.status, 200);
    assert.match(missingStart.type, /^text\/plain/);
    assert.equal(missingStart.text, 'missing start parameter');
    assert.equal((await data(`id=${power}&start=${T0}`)).text, 'missing end parameter');
    assertJson(
      await data(`id=${power}&start=${T0 + 30}&end=${T0}`),
      '{"success":false,"message":"Request end time before start time"}',
    );
    assertJson(
      await data(`id=${power}&start=${T0}&end=${T0 + 30}&interval=foo`),
      '{"success":false,"message":"Invalid interval"}',
    );
    assertJson(
      await data(`id=${power}&start=${T0}&end=${T0 + 300}`),
      '{"success":false,"message":"Invalid interval"}',
    );
    assertJson(
      await data(`id=${power}&start=${T0 - 86400}&end=${T0}&interval=1`),
      '{"success":false,"message":"request datapoint limit reached (20000), increase request interval or reduce time range, requested datapoints = 86400"}',
    );
    assertJson(
      await data(`id=${power}&start=${T0}&end=${T0 + 30}&interval=10&timeformat=bogus`),
      '{"success":false,"message":"Invalid time format"}',
    );
    assertJson(
      await data(`id=999&start=${T0}&end=${T0 + 30}`),
      '{"success":false,"message":"feed 999 does not exist","feeds":[999]}',
    );
    assertJson(
      await data(`id=abc&start=${T0}&end=${T0 + 30}`),
      '{"success":false,"message":"feed 0 does not exist","feeds":[0]}',
    );
    assertJson(
      await data(`ids=998,999&start=${T0}&end=${T0 + 30}`),
      '{"success":false,"message":"2 feeds do not exist","feeds":[998,999]}',
    );
    assertJson(await data(`start=${T0}&end=${T0 + 30}`), '{"success":false,"message":"no ids given"}');
    assertJson(
      await data(`id=${power}&start=${T0}&end=${T0 + 30}&timezone=Mars/Base`),
      '{"success":false,"message":"Invalid timezone"}',
    );
  });

  it('reads several feeds with ids=', async () => {
    const res = await hit(
      `/feed/data.json?ids=${power},${solar}&start=${T0}&end=${T0 + 10}&interval=10&timeformat=unix`,
      R(),
    );
    assert.equal(
      res.text,
      `[{"feedid":"${power}","data":[[${T0},230.5],[${T0 + 10},231]]},{"feedid":"${solar}","data":[[${T0},0],[${T0 + 10},100]]}]`,
    );
  });

  it('answers last values: value, timevalue, fetch, value at a time', async () => {
    assert.equal((await hit(`/feed/value.json?id=${power}`, R())).text, '232.25');
    // As emoncms: a single post stamps the last value with its arrival time (now), and the later
    // data= posts to solar (older times) do not replace the "abc" → 0 that arrived now.
    assertJson(
      await hit(`/emoncms/feed/timevalue.json?id=${power}`, R()),
      `{"time":${NOW_S},"value":232.25}`,
    );
    assertJson(await hit(`/feed/value.json?id=${power}&time=${T0 + 12}`, R()), '231');
    assertJson(await hit(`/feed/value.json?id=${power}&time=${T0 + 20}`, R()), 'null');
    assertJson(await hit(`/feed/fetch.json?ids=${power},999,${solar}`, R()), '[232.25,false,0]');
    assertJson(await hit(`/feed/value.json?id=999`, R()), FEED_MISSING);
  });

  it('lists feeds with emoncms field types, with meta after a flush', async () => {
    await hub.flusher.flush();
    const list = (await hit('/feed/list.json', R())).json as Record<string, unknown>[];
    const entry = list.find((f) => f.id === String(power));
    assert.deepEqual(entry, {
      id: String(power),
      userid: '1',
      name: 'power',
      tag: 'house',
      public: '0',
      size: String(16 + 4 * 4),
      engine: '5',
      processList: '',
      unit: 'W',
      time: NOW_S,
      value: 232.25,
    });
    const meta = { start_time: T0, end_time: T0 + 30, interval: 10, npoints: 4 };
    const withMeta = (await hit('/emoncms/feed/list.json?meta=1', R())).json as Record<string, unknown>[];
    assert.deepEqual(
      withMeta.find((f) => f.id === String(power)),
      { ...entry, ...meta },
    );
    const legacy = (await hit('/feed/listwithmeta.json', R())).json as Record<string, unknown>[];
    assert.deepEqual(
      legacy.find((f) => f.id === String(power)),
      { ...entry, ...meta },
    );
    assertJson(
      await hit(`/feed/getmeta.json?id=${power}`, R()),
      `{"id":${power},"interval":10,"start_time":${T0},"npoints":4,"end_time":${T0 + 30}}`,
    );
  });

  it('exports raw PHPFina bytes and CSV as downloads', async () => {
    const all = await hit(`/feed/export.json?id=${power}&start=0`, R());
    assert.equal(all.status, 200);
    assert.equal(all.type, 'application/octet-stream');
    assert.equal(all.headers.get('content-disposition'), `attachment; filename=${power}.dat`);
    assert.equal(all.bytes.length, 16);
    assert.equal(all.bytes.readFloatLE(0), 230.5);
    assert.ok(Number.isNaN(all.bytes.readFloatLE(8)));
    const tail = await hit(`/feed/export.json?id=${power}&start=14`, R()); // floor to 12, minus 4
    assert.equal(tail.bytes.length, 8);

    const csv = await hit(`/feed/csvexport.json?id=${power}&start=${T0}&end=${T0 + 30}&interval=10`, R());
    assert.equal(csv.type, 'application/octet-stream');
    assert.equal(csv.headers.get('content-disposition'), `attachment; filename=${power}.csv`);
    assert.equal(csv.text, `${T0},230.50\n${T0 + 10},231.00\n${T0 + 20},null\n${T0 + 30},232.25\n`);
  });

  it('keeps private feeds from anonymous callers and shows public ones', async () => {
    assertJson(
      await hit(`/feed/set.json?id=${solar}&fields=${q({ public: 1 })}`, W()),
      `{"success":true,"message":"Field updated","feedid":${solar},"fields":{"public":1}}`,
    );
    const range = `start=${T0}&end=${T0 + 10}&interval=10&timeformat=unix`;
    for (const prefix of PREFIXES) {
      assertJson(await hit(`${prefix}/feed/list.json`), 'false');
      assertJson(await hit(`${prefix}/feed/value.json?id=${power}`), ROUTE_NOT_FOUND, 406);
      assertJson(await hit(`${prefix}/feed/data.json?id=${power}&${range}`), '[]');
      assertJson(await hit(`${prefix}/feed/value.json?id=${solar}`), '0');
      assertJson(await hit(`${prefix}/feed/data.json?id=${solar}&${range}`), `[[${T0},0],[${T0 + 10},100]]`);
    }
    assertJson(await hit(`/feed/fetch.json?ids=${power},${solar}`), '[false,0]');
    assertJson(
      await hit(`/feed/data.json?ids=${power},${solar}&${range}`),
      `{"1":{"feedid":"${solar}","data":[[${T0},0],[${T0 + 10},100]]}}`,
    );
    const publicList = (await hit('/feed/list.json?userid=1')).json as { id: string }[];
    assert.deepEqual(
      publicList.map((f) => f.id),
      [String(solar)],
    );
    assertJson(await hit(`/feed/listwithmeta.json`), FEED_MISSING);
  });

  it('sets fields with emoncms checks', async () => {
    const set = (fields: unknown) => hit(`/feed/set.json?id=${power}&fields=${q(fields)}`, W());
    assertJson(await set({ name: 'power' }), '{"success":false,"message":"fields tag:name must be unique"}');
    assertJson(await set({ tag: 'a.b' }), '{"success":false,"message":"invalid characters in feed tag"}');
    assertJson(await set({ unit: 'kilowatthours' }), '{"success":false,"message":"feed unit too long"}');
    assertJson(await set({ unit: '<b>' }), '{"success":false,"message":"invalid characters in feed unit"}');
    assertJson(await set({}), '{"success":false,"message":"Field could not be updated"}');
    assertJson(
      await set({ name: 'use', unit: 'kW' }),
      `{"success":true,"message":"Field updated","feedid":${power},"fields":{"name":"use","unit":"kW"}}`,
    );
    const id = await hit(`/feed/getid.json?tag=house&name=use`, R());
    assert.match(id.type, /^text\/plain/);
    assert.equal(id.text, String(power));
  });

  it('answers unknown actions, routes and formats as emoncms', async () => {
    assertJson(await hit('/feed/nosuch.json', R()), FEED_MISSING);
    assertJson(await hit(`/feed/nosuch.json?id=${power}`, R()), ROUTE_NOT_FOUND, 406);
    assertJson(await hit(`/emoncms/feed/list.text`, R()), ROUTE_NOT_FOUND, 406);
    assertJson(await hit('/emoncms/nothing/here.json'), ROUTE_NOT_FOUND, 406);
  });

  it('answers describe and version as text for every format', async () => {
    for (const prefix of PREFIXES)
      for (const ext of ['', '.json', '.text']) {
        const res = await hit(`${prefix}/describe${ext}`);
        assert.equal(res.status, 200);
        assert.equal(res.type, 'text/plain;charset=UTF-8');
        assert.equal(res.headers.get('access-control-allow-origin'), '*');
        assert.equal(res.text, 'emoncms');
        const version = await hit(`${prefix}/version${ext}`);
        assert.match(version.type, /^text\/plain/);
        assert.equal(version.text, hub.version.version);
      }
  });

  it('answers an unknown API key with emoncms 401 outside /api, and the JSON 401 on /api', async () => {
    const unknown = '0123456789abcdef0123456789abcdef';
    for (const opts of [{ key: unknown }, { bearer: unknown }, { form: { apikey: unknown } }]) {
      for (const prefix of PREFIXES) {
        const res = await hit(`${prefix}/feed/list.json`, opts);
        assert.equal(res.status, 401);
        assert.equal(
          res.headers.get('www-authenticate'),
          'Bearer realm="API KEY", error="invalid_apikey", error_description="Invalid API key"',
        );
        assert.equal(res.text, 'Invalid API key');
        assert.equal(res.type, 'text/html; charset=UTF-8');
      }
    }
    const api = await hit('/api/v1/feeds', { key: unknown });
    assert.equal(api.status, 401);
    assert.equal((api.json as { code: string }).code, 'bad_apikey');
    assertJson(await hit('/feed/list.json', { key: '' }), 'false'); // PHP: an empty key is no key
  });

  it('clears and deletes feeds', async () => {
    assertJson(
      await hit(`/feed/clear.json?id=${solar}`, W()),
      '{"success":true,"message":"Feed cleared successfully"}',
    );
    assertJson(await hit(`/feed/value.json?id=${solar}&time=${T0}`, W()), 'false');
    assertJson(
      await hit(`/feed/delete.json?id=${solar}`, W()),
      '{"success":true,"message":"Feed removed successfully."}',
    );
    assertJson(await hit(`/feed/value.json?id=${solar}`, W()), FEED_MISSING);
  });
});
