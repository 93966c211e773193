import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { startRedis } from '../../helpers/redis-server.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
let hub: TestHub;

describe('bad input gets a short JSON 4xx, never a stack trace', () => {
  before(async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    hub = await startTestHub(teardown, { redisUrl: redis.url, env: {} });
  });

  const cases: {
    name: string;
    method: string;
    path: string;
    body?: string;
    type?: string;
    status: number;
    code: string;
    /** The whole message a person reads: short, and no internals. */
    error: string;
  }[] = [
    {
      name: 'malformed JSON',
      method: 'POST',
      path: '/api/v1/session',
      body: '{"username": "ann",',
      type: 'application/json',
      status: 400,
      code: 'bad_json',
      error: 'the request body is not valid JSON',
    },
    {
      name: 'a body over the limit',
      method: 'POST',
      path: '/api/v1/session',
      body: JSON.stringify({ pad: 'x'.repeat(300 * 1024) }),
      type: 'application/json',
      status: 413,
      code: 'too_large',
      error: 'the request body is too large',
    },
    {
      name: 'a form where JSON is expected',
      method: 'POST',
      path: '/api/v1/session',
      body: 'username=ann&password=x',
      type: 'application/x-www-form-urlencoded',
      status: 415,
      code: 'bad_content_type',
      error: 'send the body as Content-Type: application/json',
    },
    {
      name: 'text where JSON is expected',
      method: 'POST',
      path: '/api/v1/onboarding',
      body: 'hello',
      type: 'text/plain',
      status: 415,
      code: 'bad_content_type',
      error: 'send the body as Content-Type: application/json',
    },
    {
      name: 'an unknown API route',
      method: 'GET',
      path: '/api/v1/nothing-here',
      status: 404,
      code: 'not_found',
      error: 'no such API route',
    },
    {
      name: 'an unknown method on a known route',
      method: 'PATCH',
      path: '/api/v1/session',
      body: '{}',
      type: 'application/json',
      status: 404,
      code: 'not_found',
      error: 'no such API route',
    },
    {
      name: 'a JSON array instead of an object',
      method: 'POST',
      path: '/api/v1/onboarding',
      body: '[1,2]',
      type: 'application/json',
      status: 400,
      code: 'invalid_username',
      error: 'username must be text',
    },
    {
      name: 'a password that is too short',
      method: 'POST',
      path: '/api/v1/onboarding',
      body: '{"username":"ann","password":"short"}',
      type: 'application/json',
      status: 400,
      code: 'invalid_password',
      error: 'password must be 8 to 256 characters',
    },
  ];
  for (const c of cases) {
    it(`answers ${c.status} to ${c.name}`, async () => {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (c.type) headers['content-type'] = c.type;
      const res = await fetch(hub.baseUrl + c.path, { method: c.method, headers, body: c.body });
      const text = await res.text();
      assert.equal(res.status, c.status, text);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      const body = JSON.parse(text) as { error: string; code: string };
      assert.equal(body.code, c.code);
      assert.equal(body.error, c.error);
      assert.doesNotMatch(text, /\bat \S+ \(|node_modules|\.ts:\d+/, 'no stack trace');
    });
  }

  it('still onboards after all that: nothing half-done was stored', async () => {
    const res = await hub
      .client()
      .request('POST', '/api/v1/onboarding', { json: { username: 'ann', password: 'ann-password' } });
    assert.equal(res.status, 201);
  });
});
