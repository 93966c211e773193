import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTlsMaterial } from '../../../src/broker/certificates.process.js';
import { ManualClock, systemClock } from '../../../src/shared/clock.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';
import { quietLog } from './broker-fixture.js';

const teardown = useTeardown();
const DAY_MS = 86_400_000;

describe('the MQTT server certificate', () => {
  it('is renewed when the injected clock is within 30 days of its expiry (397 days), not before', () => {
    const dir = join(makeTempDir(teardown), 'tls');
    const clock = new ManualClock(systemClock.nowMs());
    const cert = () => readFileSync(join(dir, 'server.crt'), 'utf8');
    const first = ensureTlsMaterial(dir, quietLog, clock);
    assert.equal(first.certPem, cert());

    clock.tick(366 * DAY_MS); // 31 days left
    ensureTlsMaterial(dir, quietLog, clock);
    assert.equal(cert(), first.certPem, 'kept while more than 30 days are left');

    clock.tick(2 * DAY_MS); // 29 days left
    const renewed = ensureTlsMaterial(dir, quietLog, clock);
    assert.notEqual(renewed.certPem, first.certPem, 'renewed');
    assert.equal(renewed.caCertPem, first.caCertPem, 'by the same CA');
  });
});
