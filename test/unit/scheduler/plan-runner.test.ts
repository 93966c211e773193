import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PlanRunner, type RunnerSignal } from '../../../src/scheduler/plan-runner.js';
import type { DeviceScheduleView } from '../../../src/scheduler/schedule-service.js';
import type { Schedule } from '../../../src/scheduler/schedule.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { EventBus } from '../../../src/shared/event-bus.js';
import { silentLog } from '../../../src/shared/logger.js';

// The runner on a ManualClock with a simulated plug: it switches at the planned times, measures
// what ran, never moves a started block, pauses for the day after a switch by hand, flags a
// device that does not confirm, and says when there is no signal.
const HOUR = 3600;
const T0 = Date.parse('2026-11-24T17:00:00Z'); // Tuesday 17:00 in London (GMT)
const at = (iso: string) => Date.parse(iso) / 1000;

/** Price per hour from 17:00 Tuesday: dear evening, cheap 01:00–04:00. */
function priceSignal(receivedAtS = T0 / 1000, cheapFrom = 8): RunnerSignal {
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

function setup(
  schedule: Schedule,
  opts: { confirms?: boolean; signal?: RunnerSignal | null; refuses?: boolean; sliced?: boolean } = {},
) {
  const clock = new ManualClock(T0);
  const bus = new EventBus(silentLog);
  const plug = { on: false as boolean, online: true };
  const switched: string[] = [];
  let signal: RunnerSignal | null = opts.signal === undefined ? priceSignal() : opts.signal;
  const views: DeviceScheduleView[] = [{ deviceId: 1, schedule, updatedAtMs: T0 }];
  const stored: { deviceId: number; plan: { signal: RunnerSignal | null } }[] = [];
  const press = (on: boolean) => {
    plug.on = on;
    bus.emit('device.state.changed', { deviceId: 1 });
  };
  const runner = new PlanRunner({
    schedules: { all: () => views },
    // As the signal service serves it (sliced): from the current slot on, so its start moves.
    signal: () => {
      if (!signal || !opts.sliced) return signal;
      const skip = Math.max(0, Math.floor((clock.nowMs() / 1000 - signal.startS) / signal.intervalS));
      return {
        ...signal,
        startS: signal.startS + skip * signal.intervalS,
        values: signal.values.slice(skip),
      };
    },
    devices: {
      state: () => ({ on: plug.on, powerW: plug.on ? 2000 : 0, online: plug.online }),
      switchTo: async (_id, on) => {
        switched.push(`${new Date(clock.nowMs()).toISOString().slice(11, 16)} ${on ? 'on' : 'off'}`);
        if (opts.refuses) throw new Error('device 1 is offline');
        if (opts.confirms === false) return { confirmed: false, reason: 'no report after 2 tries' };
        press(on);
        return { confirmed: true, reason: null };
      },
    },
    store: {
      save: (deviceId, _madeAtMs, plan) =>
        void stored.push({ deviceId, plan: plan as { signal: RunnerSignal | null } }),
      delete: () => undefined,
    },
    bus,
    clock,
    log: silentLog,
    settings: {
      timeZone: 'Europe/London',
      tickMs: 30_000,
      replanMs: 15 * 60_000,
      defaultPowerW: 2000,
      householdLimitW: null,
    },
  });
  return {
    runner,
    clock,
    plug,
    stored,
    switched,
    press,
    setSignal: (s: RunnerSignal | null) => (signal = s),
    view: () => runner.view(1)!,
    /** Lets the runner's switch promises settle after time moves. */
    advance: async (ms: number) => {
      for (let left = ms; left > 0; left -= 30_000) {
        clock.tick(Math.min(30_000, left));
        await new Promise((r) => setImmediate(r));
      }
    },
  };
}

const READY_BY_7_3H_BLOCK: Schedule = {
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
  },
};

describe('the plan runner', () => {
  it('runs a block in the cheapest hours before its ready-by, measured from the reports', async () => {
    const t = setup(READY_BY_7_3H_BLOCK);
    await t.runner.start();
    assert.deepEqual(t.view().plan?.intervals, [
      { startS: at('2026-11-25T01:00:00Z'), endS: at('2026-11-25T04:00:00Z') },
    ]);
    assert.ok(t.view().plan!.cost < t.view().plan!.runNowCost, 'cheaper than running it now');
    await t.advance(12 * HOUR * 1000);
    assert.deepEqual(t.switched, ['01:00 on', '04:00 off']);
    await t.runner.stop();
  });

  it('never moves a started block when a new signal makes other hours cheaper', async () => {
    const t = setup(READY_BY_7_3H_BLOCK);
    await t.runner.start();
    await t.advance((8 * HOUR + 60 * 60) * 1000); // 02:00: an hour into the block
    assert.equal(t.plug.on, true);
    t.setSignal(priceSignal(T0 / 1000 + 9 * HOUR, 10)); // now 03:00–06:00 is cheapest
    await t.advance(30_000);
    assert.deepEqual(t.view().plan?.intervals, [
      { startS: at('2026-11-25T02:00:30Z'), endS: at('2026-11-25T04:00:00Z') },
    ]);
    await t.advance(5 * HOUR * 1000);
    assert.deepEqual(t.switched, ['01:00 on', '04:00 off'], 'ran 3 h in one block, as started');
    await t.runner.stop();
  });

  it('waits for the next profile when the signal ends before the ready-by and there is time', async () => {
    const evening: RunnerSignal = { ...priceSignal(), values: [30, 30, 30, 4, 30, 30, 30] }; // to 24:00
    const t = setup(READY_BY_7_3H_BLOCK, { signal: evening });
    await t.runner.start();
    assert.match(t.view().problem ?? '', /waits for the next day-ahead profile/);
    assert.ok(
      t.view().plan!.intervals[0]!.startS >= at('2026-11-25T00:00:00Z'),
      'not started in the known evening',
    );
    await t.advance(3 * HOUR * 1000); // 20:00, the cheap evening hour passes by
    assert.deepEqual(t.switched, []);
    t.setSignal(priceSignal(T0 / 1000 + 3 * HOUR)); // the day-ahead profile: 01:00–04:00 cheapest
    await t.advance(30_000);
    assert.equal(t.view().problem, null);
    assert.deepEqual(t.view().plan?.intervals, [
      { startS: at('2026-11-25T01:00:00Z'), endS: at('2026-11-25T04:00:00Z') },
    ]);
    await t.runner.stop();
  });

  it('a block ending at its ready-by stops there: the next period does not continue it', async () => {
    const t = setup(READY_BY_7_3H_BLOCK, { signal: priceSignal(T0 / 1000, 11), sliced: true }); // 04:00–07:00
    await t.runner.start();
    await t.advance(16 * HOUR * 1000); // to 09:00 Wednesday
    assert.deepEqual(t.switched, ['04:00 on', '07:00 off']);
    await t.runner.stop();
  });

  it('a switch refused before it was sent is flagged, not a crash', async () => {
    const t = setup({ mode: 'on' }, { refuses: true });
    await t.runner.start();
    await t.advance(60_000);
    assert.equal(t.view().problem, 'not switched: device 1 is offline');
    assert.equal(t.runner.busy(), false);
    await t.runner.stop();
  });

  it('a device coming back from a power cut as it boots is not a switch by hand', async () => {
    const t = setup({ mode: 'on' });
    await t.runner.start();
    t.plug.online = false;
    t.press(false); // its last will: offline, and it boots with the relay off
    t.plug.online = true;
    t.press(false);
    await t.advance(30_000);
    assert.equal(t.view().pausedUntilMs, null);
    assert.deepEqual(t.switched, ['17:00 on', '17:00 on']);
    await t.runner.stop();
  });

  it('keeps each plan with the signal it used, only when it changed', async () => {
    const t = setup(READY_BY_7_3H_BLOCK);
    await t.runner.start();
    await t.advance(60 * 60_000); // four replans, one plan
    assert.deepEqual(
      t.stored.map((s) => s.plan.signal?.receivedAtS),
      [T0 / 1000],
    );
    t.setSignal(priceSignal(T0 / 1000 + 3600, 6));
    await t.advance(30_000);
    assert.deepEqual(
      t.stored.map((s) => s.plan.signal?.receivedAtS),
      [T0 / 1000, T0 / 1000 + 3600],
    );
    await t.runner.stop();
  });

  it('a switch by hand pauses the schedule until tomorrow, and the app is told', async () => {
    const t = setup({ mode: 'on' });
    await t.runner.start();
    assert.deepEqual(t.switched, ['17:00 on']);
    t.press(false); // the householder turns it off
    await t.advance(60 * 60_000);
    assert.equal(t.plug.on, false, 'left off');
    assert.equal(t.view().pausedUntilMs, Date.parse('2026-11-25T00:00:00Z'));
    assert.match(t.view().problem ?? '', /switched by hand/);
    await t.advance(7 * HOUR * 1000); // past midnight
    assert.deepEqual(t.switched, ['17:00 on', '00:00 on']);
    await t.runner.stop();
  });

  it('flags a device that does not confirm, and tries again', async () => {
    const t = setup({ mode: 'on' }, { confirms: false });
    await t.runner.start();
    await t.advance(60_000);
    assert.match(t.view().problem ?? '', /^not confirmed: no report after 2 tries/);
    assert.ok(t.switched.length >= 2, 'tried again at a later tick');
    await t.runner.stop();
  });

  it('without a signal it says so and runs as soon as it may', async () => {
    const t = setup(READY_BY_7_3H_BLOCK, { signal: null });
    await t.runner.start();
    assert.match(t.view().problem ?? '', /^no price or carbon signal/);
    assert.equal(t.view().signal, null);
    assert.deepEqual(t.switched, ['17:00 on']);
    await t.runner.stop();
  });
});
