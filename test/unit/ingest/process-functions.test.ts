import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PROCESSES, processByKey } from '../../../src/ingest/process-catalog.js';
import type { StepOutcome } from '../../../src/ingest/process-types.js';
import { memoryContext } from '../../helpers/process-context.js';

const run = (
  id: number,
  arg: number | string | undefined,
  timeS: number,
  value: number | null,
  c = memoryContext(),
  initial = value,
): StepOutcome => PROCESSES.get(id)!.run(arg, timeS, value, c.ctx, initial);

const T = 1_790_000_000; // 2026-09-21T21:33:20Z

describe('value processes (value in → value out)', () => {
  const rows: [string, number, number | string | undefined, number | null, number | null][] = [
    ['scale multiplies', 2, 0.001, 1500, 1.5],
    ['scale passes null through', 2, 10, null, null],
    ['offset adds', 3, -5, 20, 15],
    ['allowpositive clamps a negative to 0', 24, undefined, -3, 0],
    ['allowpositive keeps a positive', 24, undefined, 7, 7],
    ['allownegative clamps a positive to 0', 25, undefined, 3, 0],
    ['signed2unsigned wraps a negative 16-bit value', 26, undefined, -1, 65535],
    ['reset2zero', 33, undefined, 42, 0],
    ['reset2null', 36, undefined, 42, null],
    ['max_value_allowed caps', 61, 100, 150, 100],
    ['min_value_allowed floors', 62, 10, 5, 10],
    ['abs_value', 63, undefined, -7.5, 7.5],
  ];
  for (const [name, id, arg, value, want] of rows)
    it(name, () => assert.deepEqual(run(id, arg, T, value), { value: want }));

  it('reset2original returns the input value the list started with', () =>
    assert.deepEqual(run(37, undefined, T, 0, memoryContext(), 230), { value: 230 }));
});

describe('processes reading other inputs', () => {
  const rows: [string, number, number | null, number | null, number | null][] = [
    ['x input', 6, 2, 240, 480],
    ['+ input', 11, 2, 240, 242],
    ['- input', 22, 2, 240, 238],
    ['/ input', 12, 4, 240, 60],
    ['/ input by zero is null', 12, 0, 240, null],
    ['x input with the other input null is null', 6, null, 240, null],
    ['+ input with this value null is null', 11, 5, null, null],
  ];
  for (const [name, id, other, value, want] of rows)
    it(name, () => {
      const c = memoryContext({ inputs: { 9: other } });
      assert.deepEqual(run(id, 9, T, value, c), { value: want });
    });
});

describe('feed processes', () => {
  it('log_to_feed posts the value at the input time and passes it on; log_to_feed_join asks for join', () => {
    const c = memoryContext();
    assert.deepEqual(run(1, 5, T, 230, c), { value: 230 });
    assert.deepEqual(run(65, 6, T, 231, c), { value: 231 });
    assert.deepEqual(c.posts, [
      { feedId: 5, timeS: T, value: 230, join: false, feedTimeS: T },
      { feedId: 6, timeS: T, value: 231, join: true, feedTimeS: T },
    ]);
  });

  it('power_to_kwh: 3600 W for 10 s adds 0.01 kWh, with join, and passes the power on', () => {
    const c = memoryContext({ feeds: { 4: { timeS: T - 10, value: 100 } } });
    assert.deepEqual(run(4, 4, T, 3600, c), { value: 3600 });
    assert.equal(c.posts[0]!.value, 100.01);
    assert.equal(c.posts[0]!.join, true);
  });

  it('power_to_kwh adds nothing over a gap of 2 h or more, or on the first reading', () => {
    const gap = memoryContext({ feeds: { 4: { timeS: T - 7200, value: 100 } } });
    run(4, 4, T, 3600, gap);
    assert.equal(gap.posts[0]!.value, 100);
    const first = memoryContext();
    run(4, 4, T, 3600, first);
    assert.equal(first.posts[0]!.value, 0);
  });

  it('power_to_kwhd accumulates within a local day and restarts after midnight, stored at midnight', () => {
    const zone = 'Europe/London';
    const midnight = Date.UTC(2026, 6, 15, 23, 0, 0) / 1000; // 00:00 BST on 16 July
    const c = memoryContext({ timeZone: zone, feeds: { 5: { timeS: midnight - 20, value: 7 } } });
    run(5, 5, midnight - 10, 3600, c); // same day: 7 + 0.01
    run(5, 5, midnight + 10, 3600, c); // new day: only the 20 s since the last reading
    assert.deepEqual(
      c.posts.map((p) => [p.feedTimeS, Number(p.value!.toFixed(6))]),
      [
        [Date.UTC(2026, 6, 14, 23) / 1000, 7.01],
        [midnight, 0.02],
      ],
    );
  });

  it('power_to_kwhd finds midnight on the 25-hour day when clocks go back', () => {
    const zone = 'Europe/London';
    const t = Date.UTC(2026, 9, 25, 22, 0, 0) / 1000; // 22:00 GMT on Sunday 25 Oct (a 25-hour day)
    const c = memoryContext({ timeZone: zone });
    run(5, 5, t, 100, c);
    assert.equal(c.posts[0]!.feedTimeS, Date.UTC(2026, 9, 24, 23, 0, 0) / 1000); // 00:00 BST
  });

  it('input_ontime counts seconds the input is above zero, per day', () => {
    const c = memoryContext({ feeds: { 7: { timeS: T - 10, value: 50 } } });
    run(7, 7, T, 1, c);
    run(7, 7, T + 10, 0, c);
    assert.deepEqual(
      c.posts.map((p) => p.value),
      [60, 60],
    );
  });

  it('accumulator adds the value to the feed and passes the total on', () => {
    const c = memoryContext({ feeds: { 3: { timeS: T - 10, value: 10 } } });
    assert.deepEqual(run(14, 3, T, 2.5, c), { value: 12.5 });
    assert.equal(c.posts[0]!.join, true);
  });

  it('wh_accumulator: the first call only remembers the counter; then increments add up', () => {
    const c = memoryContext();
    assert.deepEqual(run(34, 8, T, 1000, c), { value: 1000 });
    assert.equal(c.posts.length, 0);
    assert.deepEqual(c.state.get('whacc:8'), { timeS: T, value: 1000 });
    c.feeds.set(8, { timeS: T, value: 0 });
    assert.deepEqual(run(34, 8, T + 10, 1010, c), { value: 10 });
    assert.deepEqual(run(34, 8, T + 20, 1015, c), { value: 15 });
  });

  it('wh_accumulator ignores a counter reset and a spike above 60 kW', () => {
    const c = memoryContext({
      feeds: { 8: { timeS: T, value: 500 } },
      state: { 'whacc:8': { timeS: T, value: 1000 } },
    });
    assert.deepEqual(run(34, 8, T + 10, 3, c), { value: 500 }); // reset to 3
    assert.deepEqual(run(34, 8, T + 20, 1003, c), { value: 500 }); // +1000 Wh in 10 s = 360 kW
    assert.deepEqual(run(34, 8, T + 30, 1004, c), { value: 501 });
  });

  it('kwh_accumulator uses kWh: +0.01 kWh in 10 s (3.6 kW) counts, +1 kWh in 10 s does not', () => {
    const c = memoryContext({
      feeds: { 9: { timeS: T, value: 20 } },
      state: { 'kwhacc:9': { timeS: T, value: 5 } },
    });
    assert.equal(run(64, 9, T + 10, 5.01, c).value!.toFixed(4), '20.0100');
    assert.equal(run(64, 9, T + 20, 6.01, c).value!.toFixed(4), '20.0100');
  });

  it('kwh_to_power: 0.01 kWh in 10 s is 3600 W; the first call gives 0', () => {
    const c = memoryContext();
    assert.deepEqual(run(21, 2, T, 12, c), { value: 0 });
    assert.equal(run(21, 2, T + 10, 12.01, c).value!.toFixed(6), '3600.000000');
    assert.equal(c.posts.length, 1);
  });

  it("max_value / min_value keep the day's extreme at midnight", () => {
    const day = Date.UTC(2026, 0, 5) / 1000;
    const c = memoryContext({ feeds: { 1: { timeS: day + 100, value: 50 } } });
    run(27, 1, day + 200, 40, c); // lower: not posted
    run(27, 1, day + 300, 60, c); // higher: posted at midnight
    run(27, 1, day + 86_400 + 5, 10, c); // a new day starts from its first value
    assert.deepEqual(
      c.posts.map((p) => [p.feedTimeS, p.value]),
      [
        [day, 60],
        [day + 86_400, 10],
      ],
    );
    const m = memoryContext({ feeds: { 1: { timeS: day + 100, value: 50 } } });
    run(28, 1, day + 200, 40, m);
    assert.deepEqual(
      m.posts.map((p) => p.value),
      [40],
    );
  });

  it('publish_to_mqtt queues the value for its topic', () => {
    const c = memoryContext();
    run(35, 'hub/out/power', T, 5, c);
    assert.deepEqual(c.published, [['hub/out/power', 5]]);
  });
});

describe('flow processes', () => {
  const rows: [string, number, number | undefined, number | null, boolean][] = [
    ['if_zero_skip on 0', 42, undefined, 0, true],
    ['if_zero_skip on 1', 42, undefined, 1, false],
    ['if_not_zero_skip on 1', 43, undefined, 1, true],
    ['if_null_skip on null', 44, undefined, null, true],
    ['if_not_null_skip on 0', 45, undefined, 0, true],
    ['if_gt_skip 5 > 4', 46, 4, 5, true],
    ['if_gt_skip 4 > 4', 46, 4, 4, false],
    ['if_gt_equal_skip 4 >= 4', 47, 4, 4, true],
    ['if_lt_skip 3 < 4', 48, 4, 3, true],
    ['if_lt_equal_skip 5 <= 4', 49, 4, 5, false],
    ['if_equal_skip 4 = 4', 50, 4, 4, true],
    ['if_not_equal_skip 4 != 4', 51, 4, 4, false],
  ];
  for (const [name, id, arg, value, skips] of rows)
    it(name, () => assert.equal('skipNext' in run(id, arg, T, value), skips));

  it('the catalogue finds processes by key, name and id', () => {
    assert.equal(processByKey('process__log_to_feed')?.id, 1);
    assert.equal(processByKey('power_to_kwh')?.id, 4);
    assert.equal(processByKey('65')?.name, 'log_to_feed_join');
    assert.equal(processByKey('process__nope'), undefined);
  });
});
