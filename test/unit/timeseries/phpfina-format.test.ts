import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  alignToGrid,
  decodeMeta,
  decodeValues,
  encodeMeta,
  encodeValues,
} from '../../../src/timeseries/phpfina-format.js';
import { planWrite } from '../../../src/timeseries/write-plan.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('PHPFina bytes', () => {
  it('writes meta as emoncms pack("I",0,0,interval,start)', () => {
    // 10 = 0a000000; 1700000000 = 0x6553f100 → 00f15365
    assert.equal(
      hex(encodeMeta({ intervalS: 10, startTimeS: 1_700_000_000 })),
      '00000000' + '00000000' + '0a000000' + '00f15365',
    );
  });

  it('reads interval and start time from bytes 8..15, and short files as zeros', () => {
    assert.deepEqual(decodeMeta(Buffer.from('000000000000000078000000' + '80d4a45f', 'hex')), {
      intervalS: 120,
      startTimeS: 1604637824,
    });
    assert.deepEqual(decodeMeta(Buffer.from('0000000000000000', 'hex')), { intervalS: 0, startTimeS: 0 });
  });

  it('writes values as little-endian float32 with NaN as 0000c07f', () => {
    // 1.0 = 3f800000, -2.5 = c0200000, 230.1 ≈ 43661999
    assert.equal(hex(encodeValues([1, -2.5, NaN, 230.1])), '0000803f' + '000020c0' + '0000c07f' + '9a196643');
    const back = decodeValues(encodeValues([1, -2.5, NaN, 230.1]));
    assert.equal(back[0], 1);
    assert.ok(Number.isNaN(back[2]));
    assert.equal(back[3], Math.fround(230.1));
  });

  it('aligns times to the epoch grid', () => {
    assert.equal(alignToGrid(1_700_000_007, 10), 1_700_000_000);
    assert.equal(alignToGrid(1_700_000_059, 60), 1_700_000_040); // 28,333,334 × 60
  });
});

describe('PHPFina write semantics', () => {
  const empty = { intervalS: 10, startTimeS: 0, npoints: 0, lastValue: NaN };
  const scenarios: {
    name: string;
    state?: typeof empty;
    points: [number, number][];
    join?: boolean;
    expect: {
      startTimeS: number;
      overwrites?: [number, number][];
      append: number[];
      before?: number;
      outOfOrder?: number;
    };
  }[] = [
    {
      name: 'the first point sets start_time on the grid',
      points: [[1007, 1.5]],
      expect: { startTimeS: 1000, append: [1.5] },
    },
    {
      name: 'a gap is padded with NaN',
      points: [
        [1000, 1],
        [1030, 4],
      ],
      expect: { startTimeS: 1000, append: [1, NaN, NaN, 4] },
    },
    {
      name: 'a gap in join mode is a straight line',
      points: [
        [1000, 1],
        [1030, 4],
      ],
      join: true,
      expect: { startTimeS: 1000, append: [1, 2, 3, 4] },
    },
    {
      name: 'join mode continues from the last stored value',
      state: { intervalS: 10, startTimeS: 1000, npoints: 2, lastValue: 10 },
      points: [[1040, 16]],
      join: true,
      expect: { startTimeS: 1000, append: [12, 14, 16] },
    },
    {
      name: 'the same slot twice in a batch keeps the later value',
      points: [
        [1000, 1],
        [1005, 2],
      ],
      expect: { startTimeS: 1000, append: [2] },
    },
    {
      name: 'an older point after a newer one in a batch is dropped',
      points: [
        [1000, 1],
        [1020, 3],
        [1010, 2],
      ],
      expect: { startTimeS: 1000, append: [1, NaN, 3], outOfOrder: 1 },
    },
    {
      name: 'points before start_time are dropped',
      state: { intervalS: 10, startTimeS: 1000, npoints: 3, lastValue: 3 },
      points: [[990, 9]],
      expect: { startTimeS: 1000, append: [], before: 1 },
    },
    {
      name: 'a past slot is overwritten in place',
      state: { intervalS: 10, startTimeS: 1000, npoints: 3, lastValue: 3 },
      points: [
        [1010, 7],
        [1030, 4],
      ],
      expect: { startTimeS: 1000, overwrites: [[1, 7]], append: [4] },
    },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      const plan = planWrite(
        s.state ?? empty,
        s.points.map(([tsS, value]) => ({ tsS, value })),
        s.join ?? false,
      );
      assert.equal(plan.startTimeS, s.expect.startTimeS);
      assert.deepEqual(
        plan.overwrites.map((o) => [o.slot, o.value]),
        s.expect.overwrites ?? [],
      );
      assert.deepEqual([...plan.append], s.expect.append);
      assert.equal(plan.droppedBeforeStart, s.expect.before ?? 0);
      assert.equal(plan.droppedOutOfOrder, s.expect.outOfOrder ?? 0);
    });
  }

  it('refuses a gap beyond the padding cap, as emoncms does', () => {
    const state = { intervalS: 1, startTimeS: 1000, npoints: 1, lastValue: 1 };
    assert.throws(
      () => planWrite(state, [{ tsS: 1000 + 15_768_002, value: 1 }], false),
      /exceeds the padding limit/,
    );
  });
});
