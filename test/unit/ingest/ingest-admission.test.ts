import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { admissionProblem, type KnownInputs } from '../../../src/ingest/ingest-admission.js';
import type { NodeReadings } from '../../../src/ingest/readings.js';

const NOW_S = 1_790_000_000;
const RULES = { createInputs: true, maxNodes: 2, maxInputsPerNode: 2, maxFutureS: 86_400 };
// The registry holds node "a" with input "x".
const KNOWN: KnownInputs = {
  has: (node, name) => node === 'a' && name === 'x',
  nodeCount: () => 1,
  inputCount: (node) => (node === 'a' ? 1 : 0),
};
const frame = (node: string, names: string[], timeS = NOW_S): NodeReadings => ({
  node,
  timeS,
  values: names.map((name) => ({ name, value: 1 })),
});

describe('admission of readings', () => {
  const table: [string, NodeReadings[], string | undefined, Partial<typeof RULES>?][] = [
    ['known inputs at a good time', [frame('a', ['x'])], undefined],
    ['a new input and a new node within the caps', [frame('a', ['y']), frame('b', ['z'])], undefined],
    ['a time exactly maxFutureS ahead', [frame('a', ['x'], NOW_S + 86_400)], undefined],
    [
      'a time further ahead',
      [frame('a', ['x'], NOW_S + 86_401)],
      `time ${NOW_S + 86_401} of node a is too far in the future`,
    ],
    ['a negative time', [frame('a', ['x'], -1)], 'time of node a is not a unix time'],
    ['a time that is not a number', [frame('a', ['x'], NaN)], 'time of node a is not a unix time'],
    [
      'a node over the node cap',
      [frame('b', ['z']), frame('c', ['z'])],
      'Reached the maximal allowed number of different NodeIds (2)',
    ],
    [
      'inputs over the per-node cap, counting those the batch adds',
      [frame('a', ['y', 'z'])],
      'Reached the maximal allowed number of inputs for node a (2)',
    ],
    [
      'a new input while creation is off',
      [frame('a', ['x']), frame('a', ['y'])],
      'input a/y does not exist and creating inputs is turned off',
      { createInputs: false },
    ],
    ['known inputs while creation is off', [frame('a', ['x'])], undefined, { createInputs: false }],
  ];
  for (const [name, batch, expected, rules] of table)
    it(name, () => assert.equal(admissionProblem(batch, NOW_S, { ...RULES, ...rules }, KNOWN), expected));
});
