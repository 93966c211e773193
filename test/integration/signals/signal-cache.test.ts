import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../../src/shared/clock.js';
import { silentLog } from '../../../src/shared/logger.js';
import { FileSignalCache } from '../../../src/signals/signal-cache.fs.js';
import { SignalService } from '../../../src/signals/signal-service.js';
import type { Signal } from '../../../src/signals/signal.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

// The on-disk cache of signals (real files in a temp dir) and what the service does when the
// disk or the broker refuses: counted, and the signal still served.
const teardown = useTeardown();
const NOW_MS = Date.UTC(2026, 10, 28, 12);
const signal = (over: Partial<Signal> = {}): Signal => ({
  startS: NOW_MS / 1000,
  intervalS: 1800,
  values: [1, 2, 3],
  unit: 'p/kWh',
  optimise: 'min',
  source: 'gateway:m1',
  receivedAtS: NOW_MS / 1000,
  ...over,
});

const service = (dir: string, publish?: (topic: string, payload: string) => Promise<void>) =>
  new SignalService({
    cache: new FileSignalCache(dir),
    publish,
    targetStore: { get: () => undefined, set: () => undefined },
    clock: new ManualClock(NOW_MS),
    log: silentLog,
    timeZone: 'Europe/London',
    tariff: () => undefined,
  });

describe('signal cache on disk', () => {
  it('writes <name>.json owner-only with no temporary file left, and reads it back', () => {
    const dir = join(makeTempDir(teardown), 'signals');
    const cache = new FileSignalCache(dir);
    cache.save('price', signal());
    cache.save('price', signal({ values: [4, 5, 6] }));
    assert.deepEqual(readdirSync(dir), ['price.json']);
    assert.equal(statSync(join(dir, 'price.json')).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.deepEqual(cache.loadAll(), {
      signals: new Map([['price', signal({ values: [4, 5, 6] })]]),
      problems: [],
    });
  });

  it('skips a corrupt or foreign file with a problem, and ignores a half-written temporary one', () => {
    const dir = makeTempDir(teardown);
    new FileSignalCache(dir).save('carbon', signal());
    writeFileSync(join(dir, 'price.json'), '{"startS": 1'); // cut off
    writeFileSync(join(dir, 'hydro.json'), JSON.stringify({ ...signal(), values: [1, null] }));
    writeFileSync(join(dir, 'community.json.tmp'), '{');
    const { signals, problems } = new FileSignalCache(dir).loadAll();
    assert.deepEqual([...signals.keys()], ['carbon']);
    assert.equal(problems.length, 2);
    assert.match(
      problems.find((p) => p.startsWith('hydro.json'))!,
      /not a signal/,
    );
  });

  it('serves a signal it could neither cache nor publish, and counts both', async () => {
    const parent = makeTempDir(teardown);
    writeFileSync(join(parent, 'signals'), 'a file where the folder should be');
    const s = service(join(parent, 'signals'), () => Promise.reject(new Error('broker down')));
    await s.start();
    await s.accept('price', signal(), 'day-ahead price profile', 3600);
    assert.deepEqual(s.get('price'), signal());
    assert.deepEqual(s.status().detail, {
      accepted: 1,
      rejected: 0,
      cacheWriteFailures: 1,
      publishFailures: 1,
      rejectedBySource: {},
    });
    await s.stop();
  });

  it('loads what was cached at start, so a restart has it', async () => {
    const dir = makeTempDir(teardown);
    const first = service(dir);
    await first.start();
    await first.accept('price', signal(), 'day-ahead price profile', 3600);
    await first.stop();
    const second = service(dir);
    await second.start();
    assert.deepEqual(second.get('price'), signal());
    await second.stop();
  });
});
