import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Component, ComponentState } from '../../../src/shared/component.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { Hub } from '../../../src/shared/hub.js';
import { TransientStartError } from '../../../src/shared/start-failure.js';
import type { Logger } from '../../../src/shared/logger.js';

const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => quiet,
};

function fake(
  name: string,
  events: string[],
  opts: { failStop?: boolean; state?: ComponentState } = {},
): Component {
  let started = false;
  return {
    name,
    start: async () => {
      events.push(`start ${name}`);
      started = true;
    },
    stop: async () => {
      events.push(`stop ${name}`);
      if (opts.failStop) throw new Error('boom');
    },
    status: () => ({ state: started ? (opts.state ?? 'ready') : 'stopped' }),
  };
}

describe('Hub lifecycle', () => {
  it('starts in order and stops in reverse, even when one stop fails', async () => {
    const events: string[] = [];
    const hub = new Hub(
      [fake('db', events), fake('redis', events, { failStop: true }), fake('http', events)],
      quiet,
    );
    await hub.start();
    await hub.stop();
    assert.deepEqual(events, ['start db', 'start redis', 'start http', 'stop http', 'stop redis', 'stop db']);
  });

  it('stops only what was started when a fatal component fails to start', async () => {
    const events: string[] = [];
    const broken: Component = {
      ...fake('redis', events),
      onStartFailure: 'fatal',
      start: async () => Promise.reject(new Error('no')),
    };
    const hub = new Hub([fake('db', events), broken, fake('http', events)], quiet);
    await assert.rejects(hub.start(), /no/);
    await hub.stop();
    assert.deepEqual(events, ['start db', 'stop redis', 'stop db']);
  });

  it('is ready only when every component is ready', async () => {
    const hub = new Hub([fake('db', []), fake('redis', [], { state: 'down' })], quiet);
    assert.equal(hub.readiness().ready, false);
    await hub.start();
    const report = hub.readiness();
    assert.equal(report.ready, false);
    assert.deepEqual(report.components, { db: { state: 'ready' }, redis: { state: 'down' } });
  });

  it('stays ready while a component not needed for readiness (the log) is degraded, and shows it', async () => {
    const log = { ...fake('log', [], { state: 'degraded' }), neededForReady: false };
    const hub = new Hub([fake('db', []), log], quiet);
    await hub.start();
    assert.deepEqual(hub.readiness(), {
      ready: true,
      components: { db: { state: 'ready' }, log: { state: 'degraded' } },
    });
    const flusher = fake('feed-flusher', [], { state: 'degraded' });
    const withFlusher = new Hub([fake('db', []), log, flusher], quiet);
    await withFlusher.start();
    assert.equal(withFlusher.readiness().ready, false, 'any other degraded component is not ready');
  });

  it('stops once however often it is asked', async () => {
    const events: string[] = [];
    const hub = new Hub([fake('db', events)], quiet);
    await hub.start();
    await Promise.all([hub.stop(), hub.stop()]);
    assert.deepEqual(events, ['start db', 'stop db']);
  });
});

/** A component whose start throws `failures` times (EADDRINUSE on port 1883), then succeeds. */
function flaky(name: string, events: string[], failures: number): Component & { starts: number } {
  let started = false;
  const component = {
    name,
    onStartFailure: 'retry' as const,
    starts: 0,
    start: async () => {
      component.starts++;
      events.push(`start ${name}`);
      if (component.starts <= failures)
        throw Object.assign(new Error('listen EADDRINUSE: address already in use 0.0.0.0:1883'), {
          code: 'EADDRINUSE',
          syscall: 'listen',
          port: 1883,
        });
      started = true;
    },
    stop: async () => {
      events.push(`stop ${name}`);
      started = false;
    },
    status: (): { state: ComponentState } => ({ state: started ? 'ready' : 'stopped' }),
  };
  return component;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Hub degraded start', () => {
  it('marks a component that cannot start down with the reason, starts the rest, and retries it with backoff', async () => {
    const clock = new ManualClock(0);
    const events: string[] = [];
    const mqtt = flaky('mqtt', events, 2);
    const hub = new Hub([fake('db', events), mqtt, fake('http', events)], quiet, clock, {
      firstMs: 1000,
      maxMs: 60_000,
    });
    await hub.start();
    assert.deepEqual(events, ['start db', 'start mqtt', 'stop mqtt', 'start http']);
    assert.deepEqual(hub.readiness(), {
      ready: false,
      components: {
        db: { state: 'ready' },
        mqtt: {
          state: 'down',
          detail: {
            reason: 'port 1883 is in use by another program',
            retrying: true,
            attempts: 1,
            nextRetryAtMs: 1000,
          },
        },
        http: { state: 'ready' },
      },
    });

    clock.tick(999);
    await settle();
    assert.equal(mqtt.starts, 1, 'no retry before the backoff');
    clock.tick(1);
    await settle();
    assert.equal(mqtt.starts, 2);
    const second = hub.readiness().components.mqtt;
    assert.deepEqual(second?.detail, {
      reason: 'port 1883 is in use by another program',
      retrying: true,
      attempts: 2,
      nextRetryAtMs: 3000,
    });

    clock.tick(2000);
    await settle();
    assert.equal(mqtt.starts, 3);
    assert.deepEqual(hub.readiness(), {
      ready: true,
      components: { db: { state: 'ready' }, mqtt: { state: 'ready' }, http: { state: 'ready' } },
    });
    assert.equal(clock.pendingTimers(), 0);

    events.length = 0;
    await hub.stop();
    assert.deepEqual(events, ['stop http', 'stop mqtt', 'stop db'], 'a retried component stops in its place');
  });

  it('stops cleanly while waiting to retry: the retry is cancelled and never runs', async () => {
    const clock = new ManualClock(0);
    const events: string[] = [];
    const mqtt = flaky('mqtt', events, 5);
    const hub = new Hub([fake('db', events), mqtt], quiet, clock);
    await hub.start();
    assert.equal(clock.pendingTimers(), 1);
    await hub.stop();
    assert.equal(clock.pendingTimers(), 0, 'the retry timer is cancelled');
    clock.tick(120_000);
    await settle();
    assert.equal(mqtt.starts, 1);
    assert.deepEqual(events, ['start db', 'start mqtt', 'stop mqtt', 'stop db']);
  });

  it('waits for a retry under way when asked to stop, then stops what it started', async () => {
    const clock = new ManualClock(0);
    const events: string[] = [];
    let release: () => void = () => undefined;
    let attempts = 0;
    const slow: Component = {
      ...fake('vzlogger-push', events),
      onStartFailure: 'retry',
      start: async () => {
        attempts++;
        events.push('start vzlogger-push');
        if (attempts === 1)
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
        await new Promise<void>((resolve) => (release = resolve));
      },
    };
    const hub = new Hub([slow], quiet, clock);
    await hub.start();
    clock.tick(1000);
    const stopped = hub.stop();
    release();
    await stopped;
    assert.deepEqual(events, [
      'start vzlogger-push',
      'stop vzlogger-push',
      'start vzlogger-push',
      'stop vzlogger-push',
    ]);
  });

  it('does not retry a component that did not ask for it, and caps the backoff', async () => {
    const clock = new ManualClock(0);
    const once: Component = { ...fake('live', []), start: () => Promise.reject(new Error('no socket')) };
    const hub = new Hub([once, flaky('mqtt', [], 100)], quiet, clock, { firstMs: 1000, maxMs: 4000 });
    await hub.start();
    assert.deepEqual(hub.readiness().components.live, {
      state: 'down',
      detail: { reason: 'no socket', retrying: false, attempts: 1 },
    });
    for (let i = 0; i < 5; i++) {
      clock.tick(4000);
      await settle();
    }
    const mqtt = hub.readiness().components.mqtt?.detail as { attempts: number; nextRetryAtMs: number };
    assert.equal(mqtt.nextRetryAtMs - clock.nowMs(), 4000, 'the delay stops growing at maxMs');
    await hub.stop();
  });

  it('does not retry a failure that cannot heal (EACCES on port 80): down, not retrying, with the reason', async () => {
    const clock = new ManualClock(0);
    const events: string[] = [];
    const http: Component = {
      ...fake('http', events),
      onStartFailure: 'retry',
      start: async () => {
        events.push('start http');
        throw Object.assign(new Error('listen EACCES: permission denied 0.0.0.0:80'), {
          code: 'EACCES',
          syscall: 'listen',
          port: 80,
        });
      },
    };
    const hub = new Hub([http, fake('db', events)], quiet, clock);
    await hub.start();
    assert.deepEqual(hub.readiness().components.http, {
      state: 'down',
      detail: { reason: 'no permission to listen on port 80', retrying: false, attempts: 1 },
    });
    assert.equal(clock.pendingTimers(), 0, 'no retry is scheduled');
    clock.tick(120_000);
    await settle();
    await hub.stop();
    assert.deepEqual(events, ['start http', 'stop http', 'start db', 'stop db']);
  });

  for (const [what, failure] of [
    [
      'an address not up yet (EADDRNOTAVAIL)',
      Object.assign(new Error('listen EADDRNOTAVAIL'), { code: 'EADDRNOTAVAIL', syscall: 'listen' }),
    ],
    ['a peer not up yet (ECONNREFUSED)', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })],
    ['a time-out (ETIMEDOUT)', Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })],
    ['a worker that could not load', new TransientStartError(new Error('the worker exited (code 1)'))],
  ] as const) {
    it(`retries a failure that can heal: ${what}`, async () => {
      const clock = new ManualClock(0);
      let starts = 0;
      const component: Component = {
        ...fake('x', []),
        onStartFailure: 'retry',
        start: async () => {
          starts++;
          if (starts === 1) throw failure;
        },
      };
      const hub = new Hub([component], quiet, clock, { firstMs: 1000, maxMs: 60_000 });
      await hub.start();
      assert.equal(hub.readiness().components.x?.detail?.retrying, true);
      clock.tick(1000);
      await settle();
      assert.equal(starts, 2);
      await hub.stop();
    });
  }
});
