import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RunMemory, type KeptRun } from '../../../src/scheduler/run-memory.js';
import { silentLog } from '../../../src/shared/logger.js';

// What the runner keeps: a charger's meter baseline is taken once its period has begun (energy
// before it does not count), a run's peak draw, and what is written for a restart.
describe('RunMemory', () => {
  const monday = { readyByS: 1_000_000, previousS: 1_000_000 - 86_400 };

  it('takes no baseline before the period has begun: what the meter counts before is not this period’s', () => {
    let nowS = monday.previousS - 4 * 86_400; // planned on the Tuesday before
    const memory = new RunMemory(undefined, silentLog, () => nowS);
    assert.deepEqual(memory.baseline(1, monday, 100), { meterKWh: 100, changed: false });
    nowS = monday.previousS - 86_400; // Friday: 5 kWh charged by hand
    assert.deepEqual(memory.baseline(1, monday, 105), { meterKWh: 105, changed: false });
    nowS = monday.previousS + 60; // the period has begun
    assert.deepEqual(memory.baseline(1, monday, 105), { meterKWh: 105, changed: true });
    assert.deepEqual(memory.baseline(1, monday, 108), { meterKWh: 105, changed: false }, 'kept');
    assert.equal(memory.baselineOf(1, monday.readyByS), 105);
  });

  it('keeps the peak draw of the latest run, a new run starting afresh', () => {
    const memory = new RunMemory(undefined, silentLog, () => 0);
    memory.noteRunStart(1);
    for (const w of [2000, 2100, 300]) memory.noteDraw(1, w);
    assert.equal(memory.measured(1), 2100, 'the heating, not the spin');
    memory.noteRunStart(1);
    memory.noteDraw(1, 1500);
    assert.equal(memory.measured(1), 1500);
  });

  it('writes the runs, the control and the time, and reads them back', () => {
    const rows = new Map<number, KeptRun>();
    const store = {
      loadAll: () => new Map(rows),
      save: (id: number, k: KeptRun) => void rows.set(id, k),
      delete: (id: number) => void rows.delete(id),
    };
    const memory = new RunMemory(store, silentLog, () => 5000);
    memory.tracker.note(1, true, 4000);
    memory.save(1, { commanded: true, pausedUntilMs: null, limitKWh: 12.5 });
    assert.deepEqual(rows.get(1), {
      onSinceS: 4000,
      runs: [],
      commanded: true,
      pausedUntilMs: null,
      limitKWh: 12.5,
      measuredW: null,
      baseline: null,
      savedAtS: 5000,
    });
    const after = new RunMemory(store, silentLog, () => 9000);
    assert.deepEqual(after.load().get(1), { commanded: true, pausedUntilMs: null, limitKWh: 12.5 });
    // Found off at 9000: it ran until it was last seen, 5000, not until now.
    after.tracker.note(1, false, 9000);
    assert.equal(after.tracker.ranS(1, 0, 9000), 1000);
    after.forget(1);
    assert.equal(rows.has(1), false);
  });
});
