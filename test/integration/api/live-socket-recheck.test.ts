import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RECHECK_MS } from '../../../src/api/live-socket.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { liveClient, type LiveClient } from '../../helpers/live.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const clock = new ManualClock(Date.UTC(2026, 10, 24, 12));
let hub: TestHub;
let admin: HttpClient;
let wsUrl: string;

/** True once the server answered a subscribe on this connection after the tick. */
async function stillServed(live: LiveClient): Promise<boolean> {
  live.send({ op: 'subscribe', feeds: [] });
  await live.next('subscribed');
  return live.ws.readyState === live.ws.OPEN;
}

/** The close code and reason the server sent, or 'still open' after `waitMs`. */
function closing(live: LiveClient, waitMs = 3000): Promise<string> {
  if (live.ws.readyState === live.ws.CLOSED) return Promise.resolve(closes.get(live.ws) ?? '?');
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('still open'), waitMs);
    live.ws.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve(`${code} ${String(reason)}`);
    });
  });
}

const closes = new WeakMap<LiveClient['ws'], string>();
async function connect(url: string, headers: Record<string, string> = {}): Promise<LiveClient> {
  const live = await liveClient(teardown, url, headers);
  live.ws.on('close', (code, reason) => closes.set(live.ws, `${code} ${String(reason)}`));
  return live;
}

describe('/ws credential re-check on the clock', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, { clock }));
    wsUrl = hub.baseUrl.replace('http', 'ws') + '/ws';
    const made = await admin.request('POST', '/api/v1/users', {
      json: { username: 'vic', password: 'vic-password', role: 'viewer' },
    });
    assert.equal(made.status, 201, made.text);
  });

  it('drops a signed-out session and a regenerated API key at the next re-check, not before', async () => {
    const tab = hub.client();
    assert.equal(
      (await tab.request('POST', '/api/v1/session', { json: { username: 'vic', password: 'vic-password' } }))
        .status,
      200,
    );
    const signedOut = await connect(wsUrl, { cookie: tab.cookie!, origin: tab.baseUrl });
    const staying = await connect(wsUrl, { cookie: admin.cookie!, origin: admin.baseUrl });
    const keys = (await admin.request('GET', '/api/v1/me/apikeys')).body as { readApiKey: string };
    const byOldKey = await connect(`${wsUrl}?apikey=${keys.readApiKey}`);

    assert.equal((await tab.request('DELETE', '/api/v1/session')).status, 204);
    const renewed = await admin.request('POST', '/api/v1/me/apikeys/read/regenerate');
    assert.equal(renewed.status, 200, renewed.text);

    await clock.tickAsync(RECHECK_MS - 1);
    assert.ok(await stillServed(signedOut), 'nothing re-checked yet');
    assert.ok(await stillServed(byOldKey), 'nothing re-checked yet');

    await clock.tickAsync(1);
    assert.equal(await closing(signedOut), '4401 signed out');
    assert.equal(await closing(byOldKey), '4401 signed out');
    assert.ok(await stillServed(staying), 'a session still valid keeps its connection');
  });
});
