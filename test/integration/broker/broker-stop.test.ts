import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mqttClient } from '../../helpers/mqtt.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';
import { makeBroker } from './broker-fixture.js';

const teardown = useTeardown();
const RETAINED = 300;

describe('stopping the broker', () => {
  it('ends the retained messages still streaming to subscribers that just left, then closes the store', async () => {
    const persistenceDir = join(makeTempDir(teardown), 'mqtt');
    for (let round = 0; round < 5; round++) {
      const broker = makeBroker(teardown, { persistenceDir });
      await broker.start();
      assert.equal(broker.counters.retainedCount, round === 0 ? 0 : RETAINED, 'the store was read back');
      if (round === 0) {
        for (let i = 0; i < RETAINED; i++) await broker.publish(`r/${i}`, 'x'.repeat(100), { retain: true });
      }
      const url = `mqtt://127.0.0.1:${broker.ports().tcp!}`;
      const clients = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          mqttClient(teardown, url, { clientId: `reader-${i}`, username: 'ann', password: 'pw' }),
        ),
      );
      // Each SUBSCRIBE reads every retained message from LevelDB; the clients leave at once.
      await Promise.all(clients.map((c) => c.subscribeAsync('#', { qos: 1 })));
      await Promise.all(clients.map((c) => c.endAsync()));
      // An iterator read after the store closed threw out of the process (the test fails then).
      await broker.stop();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
});
