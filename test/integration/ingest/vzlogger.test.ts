import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InputJson } from '../../../src/api/contract.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { startRedis } from '../../helpers/redis-server.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const NOW_MS = 1_790_000_000_000;
const clock = new ManualClock(NOW_MS);
const POWER = '0b5a2c34-7e0f-11ee-9a3b-0242ac120002';
const COUNTER = '1c6b3d45-7e0f-11ee-9a3b-0242ac120002';
const UNKNOWN = '2d7c4e56-7e0f-11ee-9a3b-0242ac120002';
let hub: TestHub;
let admin: HttpClient;
let pushUrl: string;

/** As vzlogger's push thread sends it (src/PushData.cpp): JSON, no credentials. */
const push = (body: string) =>
  fetch(pushUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
const inputs = async () => (await admin.request('GET', '/api/v1/inputs')).body as InputJson[];

describe('vzlogger push and middleware upload', () => {
  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    hub = await startTestHub(teardown, { redisUrl: redis.url, clock });
    pushUrl = `http://127.0.0.1:${hub.vzPush!.boundPort()}/`;
    admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    for (const [uuid, name] of [
      [POWER, 'power'],
      [COUNTER, 'energy'],
    ]) {
      const res = await admin.request('PUT', `/api/v1/vzlogger/channels/${uuid}`, {
        json: { node: 'meter', name },
      });
      assert.equal(res.status, 200, res.text);
    }
  });

  it('takes a push of two channels and answers as the push-server does', async () => {
    const body = {
      data: [
        {
          uuid: POWER,
          tuples: [
            [NOW_MS - 2000, 412.5],
            [NOW_MS - 1000, 420],
          ],
        },
        { uuid: COUNTER, tuples: [[NOW_MS - 1000, 12345.6, 1]] },
      ],
    };
    const res = await push(JSON.stringify(body));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      version: '0.3',
      data: [
        {
          uuid: POWER,
          tuples: [
            [NOW_MS - 2000, 412.5, 1],
            [NOW_MS - 1000, 420, 1],
          ],
        },
        { uuid: COUNTER, tuples: [[NOW_MS - 1000, 12345.6, 1]] },
      ],
    });
    const byName = Object.fromEntries((await inputs()).map((i) => [i.name, [i.timeS, i.value]]));
    assert.deepEqual(byName, { power: [NOW_MS / 1000 - 1, 420], energy: [NOW_MS / 1000 - 1, 12345.6] });
  });

  it('refuses a push naming an unknown UUID and stores none of it', async () => {
    const res = await push(
      JSON.stringify({
        data: [
          { uuid: POWER, tuples: [[NOW_MS, 999]] },
          { uuid: UNKNOWN, tuples: [[NOW_MS, 1]] },
        ],
      }),
    );
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      version: '0.3',
      exception: { message: `No entity with UUID '${UNKNOWN}'`, type: 'Exception', code: 0 },
    });
    assert.equal((await inputs()).find((i) => i.name === 'power')?.value, 420);
  });

  it('answers an unknown UUID with the same status and body on the push port and the middleware', async () => {
    const viaPush = await push(JSON.stringify({ data: [{ uuid: UNKNOWN, tuples: [[NOW_MS, 1]] }] }));
    const viaMiddleware = await fetch(`${hub.baseUrl}/middleware.php/data/${UNKNOWN}.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([[NOW_MS, 1]]),
    });
    const answer = async (res: Response) => ({
      status: res.status,
      type: res.headers.get('content-type')?.split(';')[0],
      body: await res.text(),
    });
    const expected = {
      status: 400,
      type: 'application/json',
      body: JSON.stringify({
        version: '0.3',
        exception: { message: `No entity with UUID '${UNKNOWN}'`, type: 'Exception', code: 0 },
      }),
    };
    assert.deepEqual(await answer(viaPush), expected);
    assert.deepEqual(await answer(viaMiddleware), expected);
  });

  it('refuses a malformed push with 400 and body 1', async () => {
    for (const body of [
      'not json',
      '{"nodata":[]}',
      JSON.stringify({ data: [{ uuid: POWER, tuples: [] }] }),
    ]) {
      const res = await push(body);
      assert.equal(res.status, 400, body);
      // lib/Server/HttpReceiver.php sends its `1` as application/json too.
      assert.equal(res.headers.get('content-type'), 'application/json');
      assert.equal(await res.text(), '1');
    }
  });

  it('takes the middleware upload POST /middleware.php/data/<uuid>.json', async () => {
    const res = await fetch(`${hub.baseUrl}/middleware.php/data/${POWER}.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        [NOW_MS, 500],
        [NOW_MS + 1000, 510],
      ]),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { version: '0.3', rows: 2 });
    assert.equal((await inputs()).find((i) => i.name === 'power')?.value, 510);

    const unknown = await fetch(`${hub.baseUrl}/middleware.php/data/${UNKNOWN}.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([[NOW_MS, 1]]),
    });
    assert.equal(unknown.status, 400);
    assert.equal(
      ((await unknown.json()) as { exception: { message: string } }).exception.message,
      `No entity with UUID '${UNKNOWN}'`,
    );
  });

  it('lets only administrators map channels', async () => {
    const anonymous = await hub.client().request('PUT', `/api/v1/vzlogger/channels/${UNKNOWN}`, {
      json: { node: 'x', name: 'y' },
    });
    assert.equal(anonymous.status, 401);
    const bad = await admin.request('PUT', '/api/v1/vzlogger/channels/not-a-uuid', {
      json: { node: 'x', name: 'y' },
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(
      ((await admin.request('GET', '/api/v1/vzlogger/channels')).body as { uuid: string }[]).map(
        (c) => c.uuid,
      ),
      [POWER, COUNTER],
    );
  });
});
