import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { User } from '../../../src/auth/ports.js';
import {
  DeviceReadingsRunner,
  readingsOf,
  REPOST_INTERVAL_MS,
} from '../../../src/devices/device-readings-runner.js';
import type { DeviceCapability, DeviceState } from '../../../src/devices/driver.js';
import { UNKNOWN_STATE } from '../../../src/devices/driver.js';
import type { NodeReadings } from '../../../src/ingest/readings.js';
import type { PostOutcome } from '../../../src/ingest/ports.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { EventBus } from '../../../src/shared/event-bus.js';
import { silentLog } from '../../../src/shared/logger.js';
import { FakeDevices, T0 } from './runtime-fixture.js';

const ADMIN: User = { id: 7, username: 'ann', role: 'admin', createdAtMs: 0 };

/** The runner on in-memory ports: what it posted to ingest and which templates it applied. */
function readingsFixture(opts: { users?: User[]; failPosts?: boolean } = {}) {
  const clock = new ManualClock(T0);
  const bus = new EventBus(silentLog);
  const devices = new FakeDevices();
  const states = new Map<number, DeviceState>();
  const caps = new Map<number, DeviceCapability[]>();
  const posts: NodeReadings[][] = [];
  const applied: [string, string, number][] = [];
  const inputNames = new Set<string>();
  const runner = new DeviceReadingsRunner({
    bus,
    devices,
    states: {
      state: (id) => states.get(id) ?? UNKNOWN_STATE,
      capabilities: (id) => caps.get(id) ?? [],
    },
    ingest: {
      post: async (batch): Promise<PostOutcome> => {
        if (opts.failPosts) throw new Error('redis is away');
        posts.push([...batch]);
        return { stored: batch[0]!.values.length, refused: 0 };
      },
    },
    templates: {
      applyTemplate: (templateId, node, ownerId) => {
        applied.push([templateId, node, ownerId]);
        inputNames.add(`${node}/power`);
        return {};
      },
    },
    inputs: { find: (node, name) => (inputNames.has(`${node}/${name}`) ? {} : undefined) },
    users: { listUsers: () => opts.users ?? [{ ...ADMIN, id: 3, role: 'viewer' }, ADMIN] },
    clock,
    log: silentLog,
  });
  /** The device reports: its state changes and the runner says so, as DeviceRunner does. */
  const report = async (id: number, change: Partial<DeviceState>) => {
    states.set(id, { ...(states.get(id) ?? UNKNOWN_STATE), ...change });
    bus.emit('device.state.changed', { deviceId: id });
    await new Promise((resolve) => setImmediate(resolve)); // the post under way settles
  };
  const drive = (id: number, kind: 'tasmota' | 'shelly' | 'openevse' | 'emonesp', topic: string) => {
    devices.add(id, kind, topic);
    caps.set(id, ['switch', 'power', 'energy']);
  };
  return { clock, bus, runner, posts, applied, inputNames, report, drive, devices };
}

describe('DeviceReadingsRunner', () => {
  it('posts power and energy as inputs of node <topicName>, skipping nulls', async () => {
    const f = readingsFixture();
    f.drive(1, 'tasmota', 'plug1');
    await f.runner.start();
    await f.report(1, { powerW: 23.5, energyKWh: null });
    await f.report(1, { powerW: 24, energyKWh: 12.25 });
    assert.deepEqual(f.posts, [
      [{ node: 'plug1', timeS: T0 / 1000, values: [{ name: 'power', value: 23.5 }] }],
      [
        {
          node: 'plug1',
          timeS: T0 / 1000,
          values: [
            { name: 'power', value: 24 },
            { name: 'energy', value: 12.25 },
          ],
        },
      ],
    ]);
    await f.runner.stop();
  });

  it('posts unchanged readings again only after 10 s', async () => {
    const f = readingsFixture();
    f.drive(1, 'shelly', 'shellyplug-1');
    await f.runner.start();
    await f.report(1, { powerW: 100, energyKWh: 1 });
    f.clock.tick(REPOST_INTERVAL_MS - 1);
    await f.report(1, { relays: [true] }); // a relay change: same readings, too soon
    assert.equal(f.posts.length, 1);
    f.clock.tick(1);
    await f.report(1, { lastSeenMs: T0 + REPOST_INTERVAL_MS });
    assert.equal(f.posts.length, 2);
    assert.equal(f.posts[1]![0]!.timeS, (T0 + REPOST_INTERVAL_MS) / 1000);
    await f.report(1, { powerW: 101 }); // a change goes at once
    assert.deepEqual(f.posts[2]![0]!.values[0], { name: 'power', value: 101 });
    await f.runner.stop();
  });

  it('leaves EmonESP, OpenEVSE (ingest reads their own topics) and undriven devices alone', async () => {
    const f = readingsFixture();
    f.drive(1, 'openevse', 'evse1');
    f.drive(2, 'emonesp', 'esp1');
    f.devices.add(3, 'tasmota', 'nodriver'); // no capabilities: not driven
    await f.runner.start();
    for (const id of [1, 2, 3]) f.bus.emit('device.added', { deviceId: id });
    await f.report(1, { powerW: 3680 });
    await f.report(2, { powerW: 5 });
    await f.report(3, { powerW: 5 });
    assert.deepEqual(f.posts, []);
    assert.deepEqual(f.applied, [['tasmota', 'nodriver', 7]]); // added: a Tasmota gets its feeds
    await f.runner.stop();
  });

  it('posts a charger’s session energy when its state has one', () => {
    const ev = {
      evseState: 3,
      vehicleConnected: true,
      charging: true,
      currentLimitA: 16,
      energyLimitKWh: null,
      sessionEnergyKWh: 2.5,
    };
    assert.deepEqual(readingsOf({ ...UNKNOWN_STATE, powerW: 3680, energyKWh: Number.NaN, ev }), [
      { name: 'power', value: 3680 },
      { name: 'session_energy', value: 2.5 },
    ]);
  });

  it('applies the kind’s template, owned by the first admin, when a device is added and once per device', async () => {
    const f = readingsFixture();
    await f.runner.start();
    f.drive(1, 'tasmota', 'plug1');
    f.bus.emit('device.added', { deviceId: 1 });
    await f.report(1, { powerW: 5 });
    await f.report(1, { powerW: 6 });
    assert.deepEqual(f.applied, [['tasmota', 'plug1', 7]]);
    assert.equal(f.runner.status().detail?.templatesApplied, 1);
    await f.runner.stop();
  });

  it('on a first report applies the template only to a node that has no power input yet', async () => {
    const f = readingsFixture();
    f.drive(1, 'shelly', 'sh1');
    f.drive(2, 'tasmota', 'plug2');
    f.inputNames.add('plug2/power'); // configured before a restart; a person may have edited it
    await f.runner.start();
    await f.report(1, { powerW: 5 });
    await f.report(2, { powerW: 5 });
    assert.deepEqual(f.applied, [['shelly', 'sh1', 7]]);
    await f.runner.stop();
  });

  it('without an administrator posts anyway and applies the template at a later report', async () => {
    const users: User[] = [];
    const f = readingsFixture({ users });
    f.drive(1, 'tasmota', 'plug1');
    await f.runner.start();
    await f.report(1, { powerW: 5 });
    assert.deepEqual(f.applied, []);
    users.push(ADMIN);
    await f.report(1, { powerW: 6 });
    assert.deepEqual(f.applied, [['tasmota', 'plug1', 7]]);
    assert.equal(f.posts.length, 2);
    await f.runner.stop();
  });

  it('counts a post that failed and goes on', async () => {
    const f = readingsFixture({ failPosts: true });
    f.drive(1, 'tasmota', 'plug1');
    await f.runner.start();
    await f.report(1, { powerW: 5 });
    await f.report(1, { powerW: 6 });
    assert.deepEqual(f.runner.status().detail, {
      posts: 0,
      postFailures: 2,
      refused: 0,
      templatesApplied: 1,
      templateFailures: 0,
    });
    await f.runner.stop();
    assert.equal(f.runner.status().state, 'stopped');
  });
});
