import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { migrate, openDatabase, type Db } from '../../../src/db/database.sqlite.js';
import { PlanRunner, type RunnerSignal } from '../../../src/scheduler/plan-runner.js';
import { schedulerMigrations } from '../../../src/scheduler/migrations.js';
import { SqliteRunMemoryStore } from '../../../src/scheduler/run-memory.sqlite.js';
import type { DeviceScheduleView } from '../../../src/scheduler/schedule-service.js';
import type { Schedule } from '../../../src/scheduler/schedule.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { EventBus } from '../../../src/shared/event-bus.js';
import { silentLog } from '../../../src/shared/logger.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

// The plan runner over a real hub.db, stopped and started again as hubd is on a restart: a block
// that had started is not moved, the run time measured before still counts, a pause by hand still
// holds. And a charger on an energy schedule: the energy is measured from its meter, it is given
// its session's energy limit (it stops by itself), and stopping there is not a switch by hand.
const teardown = useTeardown();
const HOUR = 3600;
const T0 = Date.parse('2026-11-24T17:00:00Z'); // Tuesday 17:00 in London (GMT)
const at = (iso: string) => Date.parse(iso) / 1000;
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** Price per hour from 17:00 Tuesday: dear, except three cheap hours from `cheapFrom` hours on. */
function priceSignal(receivedAtS: number, cheapFrom: number): RunnerSignal {
  const values = Array.from({ length: 24 }, (_, h) => (h >= cheapFrom && h < cheapFrom + 3 ? 5 : 30));
  return {
    startS: T0 / 1000,
    intervalS: HOUR,
    values,
    optimise: 'min',
    unit: 'p/kWh',
    source: 'gateway:gw',
    receivedAtS,
  };
}

const smart = (over: Partial<Extract<Schedule, { mode: 'smart' }>['smart']> = {}): Schedule => ({
  mode: 'smart',
  smart: {
    readyBy: '07:00',
    runMinutes: 180,
    interruptible: false,
    minOnMinutes: 0,
    minGapMinutes: 0,
    repeat: [0, 1, 2, 3, 4, 5, 6],
    onceDate: null,
    energyKWh: null,
    rangeKm: null,
    whPerKm: 170,
    powerW: null,
    ...over,
  },
});

/**
 * A plug, or an OpenEVSE-like charger, drawing `powerW` while on; the runner's world. A charger's
 * energy limit stays until the car is unplugged (it is off while its session is at the limit),
 * and its meter is reported a step late, after its stop (as OpenEVSE sends `status` first).
 */
class World {
  readonly clock = new ManualClock(T0);
  readonly bus = new EventBus(silentLog);
  readonly device = {
    override: false,
    online: true,
    meterKWh: 10,
    sessionKWh: 0,
    limitKWh: null as number | null,
    /** What its last reports said of its meter and session. */
    reported: { meterKWh: 10, sessionKWh: 0 },
  };
  readonly switched: string[] = [];
  signal: RunnerSignal | null = priceSignal(T0 / 1000, 8); // 01:00–04:00 cheapest
  stale: string | null = null;
  readonly db: Db;
  readonly views: DeviceScheduleView[];

  constructor(
    schedule: Schedule,
    readonly powerW = 2000,
    readonly charger = false,
  ) {
    this.views = [{ deviceId: 1, schedule, updatedAtMs: T0 }];
    this.db = openDatabase(join(makeTempDir(teardown), 'hub.db'));
    teardown.add(() => this.db.close());
    migrate(this.db, schedulerMigrations);
  }

  get on(): boolean {
    const d = this.device;
    return d.override && !(d.limitKWh !== null && d.sessionKWh >= d.limitKWh - 1e-9);
  }

  press(on: boolean): void {
    this.device.override = on;
    this.bus.emit('device.state.changed', { deviceId: 1 });
  }

  /** A runner as hubd makes one at start, over the same hub.db. */
  runner(): PlanRunner {
    const d = this.device;
    return new PlanRunner({
      schedules: { all: () => this.views },
      signal: () => this.signal,
      signalStale: () => this.stale,
      memory: new SqliteRunMemoryStore(this.db),
      devices: {
        state: () => ({
          on: this.on,
          powerW: this.on ? this.powerW : 0,
          online: d.online,
          meterKWh: d.reported.meterKWh,
          sessionKWh: d.reported.sessionKWh,
          charger: this.charger,
        }),
        switchTo: async (_id, on, limitKWh) => {
          const limit = limitKWh === undefined ? '' : ` ≤${limitKWh ?? 'none'}`;
          this.switched.push(`${hhmm(this.clock.nowMs())} ${on ? 'on' : 'off'}${limit}`);
          if (limitKWh !== undefined) d.limitKWh = limitKWh;
          this.press(on);
          return { confirmed: true, reason: null };
        },
      },
      bus: this.bus,
      clock: this.clock,
      log: silentLog,
      settings: {
        timeZone: 'Europe/London',
        tickMs: 30_000,
        replanMs: 15 * 60_000,
        defaultPowerW: 1000,
        householdLimitW: null,
      },
    });
  }

  /** Time passes: the meter counts while on (reported a step late); a charger stops at its limit. */
  async advance(ms: number): Promise<void> {
    const d = this.device;
    for (let left = ms; left > 0; left -= 30_000) {
      const stepMs = Math.min(30_000, left);
      const lagging = d.reported.meterKWh !== d.meterKWh;
      d.reported = { meterKWh: d.meterKWh, sessionKWh: d.sessionKWh };
      if (lagging) this.bus.emit('device.state.changed', { deviceId: 1 });
      const wasOn = this.on;
      if (wasOn) {
        const kWh = Math.min(
          (this.powerW * stepMs) / 3_600_000_000,
          d.limitKWh === null ? Infinity : d.limitKWh - d.sessionKWh,
        );
        d.meterKWh += kWh;
        d.sessionKWh += kWh;
        if (!this.on) this.bus.emit('device.state.changed', { deviceId: 1 }); // status: disabled
      }
      this.clock.tick(stepMs);
      await new Promise((r) => setImmediate(r));
    }
  }
}

describe('the plan runner across a restart of the hub', () => {
  it('keeps a block that started before the restart, with the time it had run', async () => {
    const w = new World(smart());
    const first = w.runner();
    await first.start();
    await w.advance(9 * HOUR * 1000); // 02:00: an hour into the 01:00–04:00 block
    assert.equal(w.on, true);
    await first.stop();

    // hubd restarts; meanwhile a new profile makes 03:00–06:00 the cheapest.
    w.signal = priceSignal(T0 / 1000 + 9 * HOUR, 10);
    await w.advance(60_000);
    const second = w.runner();
    await second.start();
    const plan = second.view(1)!.plan!;
    assert.equal(plan.intervals[0]!.startS, at('2026-11-25T02:01:00Z'), 'continues now');
    assert.equal(plan.intervals.at(-1)!.endS, at('2026-11-25T04:00:00Z'), 'and ends when the block was to');
    await w.advance(6 * HOUR * 1000);
    assert.deepEqual(w.switched, ['01:00 on', '04:00 off'], 'one block of 3 h, as started');
    await second.stop();
  });

  it('a pause by hand still holds after the restart', async () => {
    const w = new World(smart());
    const first = w.runner();
    await first.start();
    await w.advance(9 * HOUR * 1000); // 02:00, in the block
    w.press(false); // switched off by hand
    await w.advance(30_000);
    const pausedUntilMs = first.view(1)!.pausedUntilMs;
    assert.equal(pausedUntilMs, Date.parse('2026-11-25T07:00:00Z'));
    await first.stop();

    const second = w.runner();
    await second.start();
    assert.equal(second.view(1)!.pausedUntilMs, pausedUntilMs);
    await w.advance(4 * HOUR * 1000);
    assert.deepEqual(w.switched, ['01:00 on'], 'not switched back on after the restart');
    assert.equal(w.on, false);
    await second.stop();
  });

  it('a device found off after the restart counts as on only until the hub last saw it', async () => {
    const w = new World(smart());
    const first = w.runner();
    await first.start();
    await w.advance(9 * HOUR * 1000); // 02:00, an hour into the 01:00–04:00 block
    await first.stop();
    await w.advance(10 * 60_000);
    w.device.override = false; // 02:10: it went off while the hub was down (a power cut)
    await w.advance(50 * 60_000);
    const second = w.runner();
    await second.start(); // 03:00
    w.bus.emit('device.state.changed', { deviceId: 1 }); // its first report: off
    await w.advance(4 * HOUR * 1000);
    // It had run 1 h as far as the hub knows: 2 h more, in one block, from 03:00.
    assert.deepEqual(w.switched, ['01:00 on', '03:00 on', '05:00 off']);
    await second.stop();
  });
});

describe('what was kept and cannot be read', () => {
  it('is counted in the runner’s status, and that device starts afresh', async () => {
    const w = new World(smart());
    w.db.prepare('INSERT INTO scheduler_runs (device_id, document) VALUES (?, ?)').run(1, '{"onSinceS":');
    const runner = w.runner();
    await runner.start();
    assert.equal(runner.status().detail?.unreadableRuns, 1);
    assert.ok(runner.view(1)!.plan!.intervals.length > 0, 'planned all the same');
    await runner.stop();
  });
});

describe('a charger on an energy schedule', () => {
  it('charges the energy asked for, measured from its meter, and is given its energy limit', async () => {
    // 5 kWh at a measured 2 kW: 2.5 h. The first look has no measured rate (1 kW assumed: 5 h).
    const w = new World(smart({ energyKWh: 5, runMinutes: 60 }), 2000, true);
    const runner = w.runner();
    await runner.start();
    assert.deepEqual(runner.view(1)!.energy, { neededKWh: 5, deliveredKWh: 0 });
    await w.advance(14 * HOUR * 1000 - 60_000); // to 06:59, still this period
    const view = runner.view(1)!;
    assert.ok(Math.abs(view.energy!.deliveredKWh! - 5) < 0.02, `delivered ${view.energy!.deliveredKWh} kWh`);
    assert.equal(w.switched.length, 1, w.switched.join(', '));
    assert.match(w.switched[0]!, /≤5$/, 'its session limit: the whole 5 kWh');
    assert.equal(view.pausedUntilMs, null, 'stopping at its own limit is not a switch by hand');
    assert.equal(w.on, false);
    // Later set to be always on: the limit it reached is cleared, or it would stay off.
    w.views[0]!.schedule = { mode: 'on' };
    w.bus.emit('schedule.changed', { deviceId: 1 });
    await w.advance(60_000);
    assert.equal(w.switched.at(-1)!.slice(6), 'on ≤none');
    assert.equal(w.on, true);
    await runner.stop();
  });

  it('stopping at its limit after a restart is not a switch by hand either', async () => {
    const w = new World(smart({ energyKWh: 5, runMinutes: 60 }), 2000, true);
    const first = w.runner();
    await first.start();
    const onAt = async () => {
      while (!w.on) await w.advance(30_000);
    };
    await onAt();
    await w.advance(HOUR * 1000);
    await first.stop();
    const second = w.runner();
    await second.start();
    await w.advance(3 * HOUR * 1000);
    assert.equal(w.on, false, 'stopped at its limit');
    assert.ok(Math.abs(w.device.sessionKWh - 5) < 1e-6);
    assert.equal(second.view(1)!.pausedUntilMs, null);
    assert.equal(second.status().detail?.overrides, 0);
    await second.stop();
  });

  it('a range is turned into energy at the car’s use per km', async () => {
    const w = new World(smart({ rangeKm: 100, whPerKm: 150, runMinutes: 60 }), 2000, true);
    const runner = w.runner();
    await runner.start();
    assert.deepEqual(runner.view(1)!.energy, { neededKWh: 15, deliveredKWh: 0 });
    await runner.stop();
  });
});

describe('a stale signal', () => {
  it('is planned on all the same and the plan says why it may be wrong', async () => {
    const w = new World(smart());
    w.stale = 'no day-ahead profile since 18:00 yesterday';
    const runner = w.runner();
    await runner.start();
    assert.equal(runner.view(1)!.signalStale, 'no day-ahead profile since 18:00 yesterday');
    assert.ok(runner.view(1)!.plan!.intervals.length > 0);
    w.stale = null;
    w.signal = priceSignal(T0 / 1000 + HOUR, 8);
    await w.advance(30_000);
    assert.equal(runner.view(1)!.signalStale, null);
    await runner.stop();
  });
});
