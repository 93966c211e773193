import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runProcessList } from '../../../src/ingest/process-executor.js';
import { decodeProcessListParam, encodeProcessList } from '../../../src/ingest/process-list-codec.js';
import { memoryContext } from '../../helpers/process-context.js';

const T = 1_790_000_000;

describe('running a process list', () => {
  it('flows the value through each step: emonPi "use" chain', () => {
    // power1 → log use(1), power_to_kwh use_kwh(2), − input power2(9), allowpositive, log import(3)
    const c = memoryContext({ inputs: { 9: 500 }, feeds: { 2: { timeS: T - 10, value: 1 } } });
    const steps = [{ id: 1, arg: 1 }, { id: 4, arg: 2 }, { id: 22, arg: 9 }, { id: 24 }, { id: 1, arg: 3 }];
    const out = runProcessList(steps, 300, T, c.ctx);
    assert.deepEqual(out, { value: 0, looped: false });
    assert.deepEqual(
      c.posts.map((p) => [p.feedId, Number(p.value!.toFixed(6))]),
      [
        [1, 300],
        [2, 1.000833],
        [3, 0],
      ],
    );
  });

  it('skips the next step when a condition says so', () => {
    const c = memoryContext();
    const steps = [{ id: 42 }, { id: 1, arg: 1 }, { id: 1, arg: 2 }];
    runProcessList(steps, 0, T, c.ctx);
    assert.deepEqual(
      c.posts.map((p) => p.feedId),
      [2],
    );
  });

  it('GOTO n continues at step n (counted from 1), as emoncms', () => {
    const c = memoryContext();
    const steps = [
      { id: 1, arg: 1 },
      { id: 52, arg: 4 },
      { id: 1, arg: 2 },
      { id: 1, arg: 3 },
    ];
    runProcessList(steps, 5, T, c.ctx);
    assert.deepEqual(
      c.posts.map((p) => p.feedId),
      [1, 3],
    );
  });

  it('stops a list that loops and reports it', () => {
    const c = memoryContext();
    const steps = [
      { id: 1, arg: 1 },
      { id: 52, arg: 1 },
    ];
    assert.equal(runProcessList(steps, 5, T, c.ctx).looped, true);
    assert.ok(c.posts.length <= 4);
  });
});

describe('emoncms process list strings', () => {
  it('decodes the set-API JSON and the stored string form, and encodes ids back', () => {
    const fromJson = decodeProcessListParam(
      '[{"fn":"process__log_to_feed","args":["5"]},{"fn":"process__scale","args":["0.001"]},{"fn":"process__allowpositive","args":[]}]',
    );
    assert.deepEqual(fromJson, { ok: true, value: [{ id: 1, arg: 5 }, { id: 2, arg: 0.001 }, { id: 24 }] });
    const fromString = decodeProcessListParam('1:5,2:0.001,process__log_to_feed_join:7,35:emon/out/x');
    assert.deepEqual(fromString, {
      ok: true,
      value: [
        { id: 1, arg: 5 },
        { id: 2, arg: 0.001 },
        { id: 65, arg: 7 },
        { id: 35, arg: 'emon/out/x' },
      ],
    });
    assert.equal(encodeProcessList([{ id: 1, arg: 5 }, { id: 24 }], null), '1:5,24:0');
    assert.equal(encodeProcessList([{ id: 1, arg: 5 }], 'looped'), 'process__error_found:0,1:5');
    assert.deepEqual(decodeProcessListParam(''), { ok: true, value: [] });
  });

  const bad: [string, RegExp][] = [
    ['9999:1', /Process 9999 does not exist/],
    ['1:abc', /not a number/],
    ['1', /missing argument/],
    ['[{"fn":"process__nope","args":[]}]', /does not exist/],
    ['[{"fn":', /Error decoding JSON/],
  ];
  for (const [text, message] of bad)
    it(`refuses ${text}`, () => {
      const result = decodeProcessListParam(text);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.error, message);
    });
});
