import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/shared/clock.js';
import { mqttClient, nextMessage } from '../../helpers/mqtt.js';
import { useTeardown } from '../../helpers/teardown.js';
import { makeBroker } from './broker-fixture.js';

// $SYS runs on the injected clock (issue 12, item 2): a test moves time instead of waiting 10 s.

const teardown = useTeardown();

describe('$SYS statistics on the manual clock', () => {
  it('publishes every sysIntervalS of clock time, and stops its timer at stop', async () => {
    const clock = new ManualClock(1_790_000_000_000);
    const broker = makeBroker(teardown, { clock });
    await broker.start();
    const reader = await mqttClient(teardown, `mqtt://127.0.0.1:${broker.ports().tcp}`, {
      username: 'ann',
      password: 'pw',
    });
    const atSubscribe = nextMessage(reader, (t) => t === '$SYS/broker/uptime');
    await reader.subscribeAsync('$SYS/broker/#');
    assert.deepEqual(await atSubscribe, { topic: '$SYS/broker/uptime', payload: '0 seconds', retain: true });

    const uptimes: string[] = [];
    reader.on('message', (topic, payload) => {
      if (topic === '$SYS/broker/uptime') uptimes.push(payload.toString());
    });
    await clock.tickAsync(9_999);
    const firstTick = nextMessage(reader, (t) => t === '$SYS/broker/uptime');
    await clock.tickAsync(1);
    assert.equal((await firstTick).payload, '10 seconds');
    const nextTwo = nextMessage(reader, (t) => t === '$SYS/broker/uptime' && uptimes.length === 3);
    await clock.tickAsync(20_000);
    await nextTwo;
    assert.deepEqual(uptimes, ['10 seconds', '20 seconds', '30 seconds']);

    await reader.endAsync();
    await broker.stop();
    assert.equal(clock.pendingTimers(), 0, 'no timer of the broker is left on the clock');
  });
});
