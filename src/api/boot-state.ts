import type { AuthService } from '../auth/auth-service.js';
import type { Clock } from '../shared/clock.js';
import type { BootState, VersionInfo } from './contract.js';
import type { RequestAuth } from './route-table.js';
import { energyToday, type EnergyRouteDeps } from './routes/energy.js';
import { onboardingStateOf, sessionInfoOf } from './routes/session.js';
import { hubFactsOf } from './routes/system.js';

export interface BootStateDeps extends EnergyRouteDeps {
  auth: AuthService;
  version: VersionInfo;
  timeZone: string;
}

/** How long the shell may wait for its boot state: a phone waits for the HTML before anything else. */
export const BOOT_STATE_BUDGET_MS = 500;

/**
 * What the app would ask for at boot, answered by the same code as its API routes, for a caller
 * signed in with the session cookie; undefined for anyone else (an API key, no one, a user gone)
 * and when it takes longer than the budget (a store that does not answer).
 */
export function bootStateFor(deps: BootStateDeps, auth: RequestAuth): Promise<BootState | undefined> {
  return withinBudget(deps.clock, BOOT_STATE_BUDGET_MS, collect(deps, auth));
}

async function collect(deps: BootStateDeps, auth: RequestAuth): Promise<BootState | undefined> {
  const { principal, csrfToken } = auth;
  if (principal?.via !== 'session') return undefined;
  const session = sessionInfoOf(deps.auth, principal, csrfToken);
  if (!session) return undefined;
  const today = await energyToday(deps, principal);
  const lastValues = await Promise.all(
    Object.values(today.feeds).map(async (feedId: number) => ({
      feedId,
      last: await deps.feeds.lastValue(feedId),
    })),
  );
  return { onboarding: onboardingStateOf(deps.auth), session, hub: hubFactsOf(deps), today, lastValues };
}

/**
 * `work`'s result, or undefined once `budgetMs` has passed: the shell goes out without the state
 * rather than wait on a slow store (the app then asks the API itself).
 */
export function withinBudget<T>(clock: Clock, budgetMs: number, work: Promise<T>): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const cancel = clock.after(budgetMs, () => resolve(undefined));
    work.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (err: unknown) => {
        cancel();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
