// Which feeds describe the household: one naming rule, used by the energy API (and through it by
// the web app, which gets the chosen ids in every energy answer). Pure.

export type HouseholdRole = 'house' | 'solar' | 'import' | 'export' | 'battery';

export interface NamedFeed {
  id: number;
  name: string;
  unit: string;
}

/** Feed names for each role, matched case-insensitively among feeds in watts, first listed wins. */
export const HOUSEHOLD_FEED_NAMES: Record<HouseholdRole, readonly string[]> = {
  house: ['use', 'house', 'power', 'consumption'],
  solar: ['solar', 'pv', 'generation'],
  import: ['import', 'grid_import'],
  export: ['export', 'grid_export'],
  // Signed: positive while the battery discharges into the house, negative while it charges.
  battery: ['battery'],
};

export const HOUSEHOLD_ROLES = Object.keys(HOUSEHOLD_FEED_NAMES) as HouseholdRole[];

/**
 * The household's power feeds by role. Every role is optional; when no feed matches any name, the
 * first feed in watts is taken as the house (a hub with one meter still gets its energy and cost).
 */
export function pickHouseholdFeeds<F extends NamedFeed>(
  feeds: readonly F[],
): Partial<Record<HouseholdRole, F>> {
  const watts = feeds.filter((f) => f.unit === 'W');
  const picked: Partial<Record<HouseholdRole, F>> = {};
  for (const role of HOUSEHOLD_ROLES) {
    for (const name of HOUSEHOLD_FEED_NAMES[role]) {
      const found = watts.find((f) => f.name.toLowerCase() === name);
      if (found) {
        picked[role] = found;
        break;
      }
    }
  }
  if (Object.keys(picked).length === 0 && watts[0]) picked.house = watts[0];
  return picked;
}
