import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/shared/clock.js';
import { startHubWithAdmin } from '../../helpers/hub.js';
import { useTeardown } from '../../helpers/teardown.js';
import { loginFrom } from './login-from.js';

const CLIENT = '127.0.0.2';
const PROXY = '127.0.0.9';
const WINDOW_S = '900';

const teardown = useTeardown();
const clock = () => new ManualClock(Date.UTC(2026, 10, 24, 12));

/** Six wrong passwords from `from`, each naming a fresh address in X-Forwarded-For; the statuses. */
async function spoofedGuesses(baseUrl: string, from: string, username: string): Promise<string[]> {
  const answers: string[] = [];
  for (let i = 0; i < 6; i++) {
    const xff = { 'x-forwarded-for': `192.168.1.${100 + i}` };
    const res = await loginFrom(baseUrl, from, username, `guess-${i}`, xff);
    answers.push(`${res.status}${res.retryAfter ? ` ${res.retryAfter}` : ''}`);
  }
  return answers;
}

const LOCKED_AFTER_FIVE = ['401', '401', '401', '401', '401', `429 ${WINDOW_S}`];

describe('X-Forwarded-For and the login limits', () => {
  it('with trustProxy off (the default), a spoofed header is ignored: the limits count the socket address', async () => {
    const { hub } = await startHubWithAdmin(teardown, { clock: clock() });
    assert.deepEqual(await spoofedGuesses(hub.baseUrl, CLIENT, 'eve'), LOCKED_AFTER_FIVE);
  });

  it('with a trusted proxy, only that proxy may name the client; a header from anyone else is ignored', async () => {
    const { hub } = await startHubWithAdmin(teardown, {
      clock: clock(),
      config: { http: { trustProxy: [PROXY] } },
    });
    assert.deepEqual(
      await spoofedGuesses(hub.baseUrl, CLIENT, 'eve'),
      LOCKED_AFTER_FIVE,
      'the limiter keys on 127.0.0.2, not on the addresses it made up',
    );

    const viaProxy = (client: string, password: string) =>
      loginFrom(hub.baseUrl, PROXY, 'mal', password, { 'x-forwarded-for': client });
    for (let i = 0; i < 5; i++) assert.equal((await viaProxy('192.168.1.50', `guess-${i}`)).status, 401);
    const locked = await viaProxy('192.168.1.50', 'guess-5');
    assert.deepEqual(
      [locked.status, locked.retryAfter],
      [429, WINDOW_S],
      'the client behind the proxy is locked',
    );
    assert.notEqual(
      (await viaProxy('192.168.1.51', 'guess-6')).retryAfter,
      WINDOW_S,
      'another client behind the same proxy is not',
    );
  });
});
