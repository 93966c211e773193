import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/shared/clock.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { useTeardown } from '../../helpers/teardown.js';
import { loginFrom, mqttLoginFrom } from './login-from.js';

const HOUSEHOLD = '127.0.0.3';
const GUESSERS = ['127.0.0.21', '127.0.0.22', '127.0.0.23'];
const NEW_PHONE = '127.0.0.30';
/** Another /24 than the guessers': it has its own turn. */
const ELSEWHERE = '127.0.1.30';
const FIRST_GUESSER = '127.0.0.20';

const teardown = useTeardown();
const clock = new ManualClock(Date.UTC(2026, 10, 24, 12));
let hub: TestHub;

describe('a username guessed from many addresses at once', () => {
  before(async () => {
    ({ hub } = await startHubWithAdmin(teardown, { clock }));
  });

  it('gets its passwords checked one per step, while an address that signed in before gets in at once', async () => {
    assert.equal((await loginFrom(hub.baseUrl, HOUSEHOLD, 'ann', 'ann-password')).status, 200);
    for (let i = 0; i < 5; i++)
      assert.equal((await loginFrom(hub.baseUrl, FIRST_GUESSER, 'ann', `warm-up-${i}`)).status, 401);

    // 3 addresses × 4 guesses in parallel; the clock stands still, so one step is open.
    const guesses = GUESSERS.flatMap((address) =>
      [0, 1, 2, 3].map((i) => loginFrom(hub.baseUrl, address, 'ann', `parallel-${address}-${i}`)),
    );
    const answers = await Promise.all(guesses);
    const checked = answers.filter((a) => a.status === 401).length;
    assert.equal(checked, 1, `passwords checked: ${answers.map((a) => a.status).join(' ')}`);
    assert.ok(answers.every((a) => a.status === 401 || (a.status === 429 && a.retryAfter === '1')));

    const household = await loginFrom(hub.baseUrl, HOUSEHOLD, 'ann', 'ann-password');
    assert.equal(household.status, 200, 'the household is not slowed');
    assert.ok(household.ms < 1500, `at once (${Math.round(household.ms)} ms)`);
    assert.equal(
      await mqttLoginFrom(hub.mqttPort, HOUSEHOLD, 'ann', 'ann-password'),
      undefined,
      'over MQTT too',
    );

    const newPhone = await loginFrom(hub.baseUrl, NEW_PHONE, 'ann', 'ann-password');
    assert.equal(newPhone.status, 429, 'an address that never signed in waits its turn');
    assert.equal(
      await mqttLoginFrom(hub.mqttPort, NEW_PHONE, 'ann', 'ann-password'),
      'Connection refused: Server unavailable',
      'an MQTT login waits its turn the same way, told to retry (CONNACK 3), not that its password is wrong',
    );
    const elsewhere = await loginFrom(hub.baseUrl, ELSEWHERE, 'ann', 'ann-password');
    assert.equal(elsewhere.status, 200, "an address in another network does not wait for the guessers' turn");
    clock.tick(1000);
    assert.equal((await loginFrom(hub.baseUrl, NEW_PHONE, 'ann', 'ann-password')).status, 200, 'its turn');
  });
});
