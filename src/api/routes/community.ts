import { z } from 'zod';
import type { CommunityDaysService } from '../../signals/community-days-service.js';
import type { CommunityDaysJson } from '../contract.js';
import { defineRoute, type RouteDef } from '../route-table.js';
import { field } from '../route-schema.js';

export const MAX_COMMUNITY_DAYS = 31;

const daysQuery = z.object({
  days: field(
    z
      .string()
      .regex(/^\d{1,2}$/)
      .transform(Number)
      .pipe(z.number().int().min(1).max(MAX_COMMUNITY_DAYS)),
    { code: 'invalid_days', message: `days must be a whole number from 1 to ${MAX_COMMUNITY_DAYS}` },
  ).optional(),
});

/** The Community page's past days: hydro, community and household kWh per local day (signed-in users). */
export function communityRoutes(deps: { days: CommunityDaysService; timeZone: string }): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/community/days',
      access: 'user',
      query: daysQuery,
      handler: async (_req, res, { query }) => {
        const result = await deps.days.days(query.days ?? 7);
        res.json({ timeZone: deps.timeZone, ...result } satisfies CommunityDaysJson);
      },
    }),
  ];
}
