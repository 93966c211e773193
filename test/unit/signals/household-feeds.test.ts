import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pickHouseholdFeeds } from '../../../src/signals/household-feeds.js';

const feed = (id: number, name: string, unit = 'W') => ({ id, name, unit });

describe('the household feeds naming rule', () => {
  it("picks the emonPi solar template's feeds by role, ignoring kWh feeds", () => {
    const feeds = [
      feed(1, 'use'),
      feed(2, 'use_kwh', 'kWh'),
      feed(3, 'solar'),
      feed(4, 'solar_kwh', 'kWh'),
      feed(5, 'import'),
      feed(6, 'import_kwh', 'kWh'),
      feed(7, 'export'),
      feed(8, 'export_kwh', 'kWh'),
    ];
    const picked = pickHouseholdFeeds(feeds);
    assert.deepEqual(Object.fromEntries(Object.entries(picked).map(([role, f]) => [role, f.id])), {
      house: 1,
      solar: 3,
      import: 5,
      export: 7,
    });
  });

  it('takes names case-insensitively in the order of the rule, and a battery when there is one', () => {
    const picked = pickHouseholdFeeds([
      feed(1, 'Power'),
      feed(2, 'HOUSE'),
      feed(3, 'PV'),
      feed(4, 'Battery'),
    ]);
    assert.deepEqual([picked.house?.id, picked.solar?.id, picked.battery?.id], [2, 3, 4]);
  });

  it('falls back to the first feed in watts as the house when no name matches', () => {
    assert.deepEqual(pickHouseholdFeeds([feed(1, 'temp', '°C'), feed(2, 'ct1'), feed(3, 'ct2')]), {
      house: feed(2, 'ct1'),
    });
    assert.deepEqual(pickHouseholdFeeds([feed(1, 'temp', '°C')]), {});
  });

  it('does not take a house from the fallback when a solar feed names the household', () => {
    assert.deepEqual(pickHouseholdFeeds([feed(1, 'ct1'), feed(2, 'solar')]), { solar: feed(2, 'solar') });
  });
});
