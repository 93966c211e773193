import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { BootState } from '../../../src/api/contract.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
// 12:00 UTC on 5 January 2026 (London is on GMT).
const NOON_S = Date.UTC(2026, 0, 5, 12) / 1000;
const clock = new ManualClock(NOON_S * 1000);
// A band name (≤ 40 characters) that would end the data block and open markup if not escaped.
const EVIL = '</script><!--<img src=x onerror=alert()>';
let hub: TestHub;
let admin: HttpClient;
let viewer: HttpClient;
let feedId: number;

interface Shell {
  status: number;
  cacheControl: string | undefined;
  html: string;
  /** The inlined data block as sent, and its JSON; undefined without one. */
  block?: string;
  state?: BootState;
}

/** The app shell as a browser's page load asks for it (node:http: every header as given). */
function shell(
  path: string,
  opts: { cookie?: string; mode?: string | null; accept?: string } = {},
): Promise<Shell> {
  const headers: Record<string, string> = { accept: opts.accept ?? 'text/html,application/xhtml+xml' };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.mode !== null) headers['sec-fetch-mode'] = opts.mode ?? 'navigate';
  return new Promise((resolve, reject) => {
    const req = request(`${hub.baseUrl}${path}`, { headers }, (res) => {
      let html = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (html += c));
      res.on('end', () => {
        const match = /<script type="application\/json" id="hub-boot">(.*?)<\/script>/s.exec(html);
        resolve({
          status: res.statusCode ?? 0,
          cacheControl: res.headers['cache-control'],
          html,
          block: match?.[0],
          state: match ? (JSON.parse(match[1]!) as BootState) : undefined,
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function signedIn(username: string, password: string): Promise<HttpClient> {
  const client = hub.client();
  const res = await client.request('POST', '/api/v1/session', { json: { username, password } });
  assert.equal(res.status, 200, res.text);
  return client;
}

describe('the app shell with its boot state inlined', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, { clock, config: { timezone: 'Europe/London' } }));
    feedId = (
      (await admin.request('POST', '/api/v1/feeds', { json: { name: 'use', intervalS: 60, unit: 'W' } }))
        .body as { id: number }
    ).id;
    const midnight = NOON_S - 12 * 3600;
    const points = Array.from({ length: 720 }, (_, i) => [midnight + i * 60, i < 450 ? 1000 : 2000]);
    assert.equal(
      (await admin.request('POST', `/api/v1/feeds/${feedId}/points`, { json: { points } })).status,
      200,
    );
    const tariff = {
      currency: 'GBP',
      standingChargeMinorPerDay: 50,
      vatPercent: 5,
      bands: [
        { name: EVIL, start: '00:00', end: '07:30', priceMinorPerKWh: 10 },
        { name: 'Day', start: '07:30', end: '00:00', priceMinorPerKWh: 30 },
      ],
    };
    assert.equal((await admin.request('PUT', '/api/v1/tariff', { json: tariff })).status, 200);
    const user = { username: 'vic', password: 'vic-password', role: 'viewer' };
    assert.equal((await admin.request('POST', '/api/v1/users', { json: user })).status, 201);
    viewer = await signedIn('vic', 'vic-password');
  });

  it('inlines what the API answers for the signed-in user, never to be stored', async () => {
    const page = await shell('/', { cookie: admin.cookie });
    assert.equal(page.status, 200);
    assert.equal(page.cacheControl, 'no-store');
    const api = async (path: string) => (await admin.request('GET', path)).body;
    assert.deepEqual(page.state, {
      onboarding: await api('/api/v1/onboarding'),
      session: await api('/api/v1/session'),
      hub: await api('/api/v1/hub'),
      today: await api('/api/v1/energy/today'),
      lastValues: [{ feedId, last: await api(`/api/v1/feeds/${feedId}/last`) }],
    });
    assert.equal(page.state.session.user.username, 'ann');
    assert.equal(page.state.session.csrfToken, admin.csrfToken);
    assert.deepEqual(page.state.today.feeds, { house: feedId });
    // Client-side routes get the same page; apart from the block it is the plain shell.
    const plain = await shell('/index.html');
    const history = await shell('/history', { cookie: admin.cookie });
    assert.equal(history.state?.session.user.username, 'ann');
    assert.equal(page.html.replace(`${page.block!}\n  `, ''), plain.html);
  });

  it('escapes what it inlines: a stored string cannot end the block or add markup', async () => {
    const page = await shell('/', { cookie: admin.cookie });
    assert.deepEqual(
      page.state?.today.byBand.map((b) => b.name),
      [EVIL, 'Day'],
    );
    assert.ok(!page.html.includes(EVIL), 'the band name went out as markup');
    assert.equal(page.html.match(/<\/script>/g)?.length, page.html.match(/<script\b/g)?.length);
    assert.ok(!page.block!.includes('<!--'));
  });

  it('serves the plain, revalidated shell without a session, to a script, at /index.html and for API keys', async () => {
    const keys = (await admin.request('GET', '/api/v1/me/apikeys')).body as { readApiKey: string };
    const cases: [string, Promise<Shell>][] = [
      ['no session', shell('/')],
      // The service worker caching its shell, or any fetch() from a script.
      ['a fetch', shell('/', { cookie: admin.cookie, mode: 'cors', accept: '*/*' })],
      [
        'no Sec-Fetch-Mode, no HTML in Accept',
        shell('/', { cookie: admin.cookie, mode: null, accept: '*/*' }),
      ],
      ['/index.html', shell('/index.html', { cookie: admin.cookie })],
      ['an API key', shell(`/?apikey=${keys.readApiKey}`)],
    ];
    for (const [name, answer] of cases) {
      const page = await answer;
      assert.equal(page.status, 200, name);
      assert.equal(page.state, undefined, `${name}: inlined ${page.block}`);
      assert.ok(!page.html.includes('hub-boot'), name);
      assert.equal(page.cacheControl, 'no-cache', name);
    }
    // A browser without Sec-Fetch-Mode still gets it for a page load.
    const old = await shell('/', { cookie: admin.cookie, mode: null });
    assert.equal(old.state?.session.user.username, 'ann');
  });

  it("gives each user their own session only: another user's never leaks", async () => {
    const [ann, vic] = [
      await shell('/', { cookie: admin.cookie }),
      await shell('/', { cookie: viewer.cookie }),
    ];
    assert.equal(vic.state?.session.user.username, 'vic');
    assert.equal(vic.state?.session.user.role, 'viewer');
    assert.equal(vic.state?.session.csrfToken, viewer.csrfToken);
    assert.deepEqual(vic.state?.session, (await viewer.request('GET', '/api/v1/session')).body);
    assert.ok(!vic.html.includes(admin.csrfToken!), "ann's CSRF token in vic's page");
    assert.ok(!ann.html.includes(viewer.csrfToken!), "vic's CSRF token in ann's page");
    assert.ok(!vic.html.includes('"ann"'));
  });

  it('serves a revoked session the plain shell', async () => {
    const client = await signedIn('vic', 'vic-password');
    const cookie = client.cookie!;
    assert.equal((await shell('/', { cookie })).state?.session.user.username, 'vic');
    assert.equal((await client.request('DELETE', '/api/v1/session')).status, 204);
    const after = await shell('/', { cookie });
    assert.equal(after.state, undefined);
    assert.ok(!after.html.includes('hub-boot'));
    assert.equal(after.cacheControl, 'no-cache');
  });
});
