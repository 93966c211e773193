import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { feedIdsOfNode } from '../../../src/devices/device-views.js';

// Process ids (emoncms): 1 log_to_feed, 2 scale (a value), 4 power_to_kwh (a feed), 11 + input.
describe('a device’s feeds', () => {
  it('are the feeds its node’s inputs write to, once each, in the order first named', () => {
    const inputs = [
      { node: 'plug1', processList: [{ id: 1, arg: 12 }] },
      { node: 'plug2', processList: [{ id: 1, arg: 99 }] },
      {
        node: 'plug1',
        processList: [
          { id: 2, arg: 5 }, // scale by 5: a number, not a feed
          { id: 11, arg: 3 }, // + input 3: an input, not a feed
          { id: 4, arg: 13 },
          { id: 1, arg: 12 },
        ],
      },
    ];
    assert.deepEqual(feedIdsOfNode(inputs, 'plug1'), [12, 13]);
    assert.deepEqual(feedIdsOfNode(inputs, 'nobody'), []);
  });
});
