// The app's hash routes, parsed without the DOM (tested as they are).

export type Route = 'dashboard' | 'energy' | 'history' | 'devices' | 'community' | 'inputs' | 'settings';

/** A page and the one id it may take: `#/devices/7` (a device), `#/history/12` (a feed). */
export interface RouteTarget {
  route: Route;
  id?: number;
}

const ADMIN_ONLY: readonly Route[] = ['inputs', 'settings'];

/** The page a hash opens; an unknown one, or an admin page for a viewer, opens the dashboard. */
export function routeOf(hash: string, isAdmin: boolean): RouteTarget {
  const match = /^#\/([a-z]+)(?:\/(\d{1,9}))?$/.exec(hash);
  const route = match?.[1] as Route | undefined;
  const id = match?.[2] === undefined ? undefined : Number(match[2]);
  const withId: readonly Route[] = ['devices', 'history'];
  if (!route || !['energy', 'history', 'devices', 'community', 'inputs', 'settings'].includes(route))
    return { route: 'dashboard' };
  if (id !== undefined && !withId.includes(route)) return { route: 'dashboard' };
  if (ADMIN_ONLY.includes(route) && !isAdmin) return { route: 'dashboard' };
  return id === undefined ? { route } : { route, id };
}
