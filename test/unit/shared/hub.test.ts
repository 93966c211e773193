import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Component, ComponentState } from '../../../src/shared/component.js';
import { Hub } from '../../../src/shared/hub.js';
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

  it('stops only what was started when a start fails', async () => {
    const events: string[] = [];
    const broken: Component = {
      ...fake('redis', events),
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
