import type { Request, Response } from 'express';
import { RateLimitedError, type AuthService, type LoginResult } from '../../auth/auth-service.js';
import type { Principal } from '../../auth/roles.js';
import { UserError } from '../../shared/errors.js';
import { readCookie, SESSION_COOKIE } from '../authenticate.js';
import type { OnboardingState, SessionInfo } from '../contract.js';
import { authOf, principalOf, type RouteDef } from '../route-table.js';

/** Onboarding (the first administrator), login, the current session, logout. */
export function sessionRoutes(auth: AuthService): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/onboarding',
      access: 'public',
      handler: (_req, res) => res.json(onboardingStateOf(auth)),
    },
    {
      method: 'post',
      path: '/api/v1/onboarding',
      access: 'public',
      handler: async (req, res) => {
        const body = bodyOf(req);
        await auth.onboard(body.username, body.password);
        const login = await auth.login(body.username, body.password, req.ip ?? '');
        startSession(req, res, login, 201);
      },
    },
    {
      method: 'post',
      path: '/api/v1/session',
      access: 'public',
      handler: async (req, res) => {
        const body = bodyOf(req);
        try {
          startSession(req, res, await auth.login(body.username, body.password, req.ip ?? ''), 200);
        } catch (err) {
          if (err instanceof RateLimitedError) res.set('Retry-After', String(err.retryAfterS));
          throw err;
        }
      },
    },
    {
      method: 'get',
      path: '/api/v1/session',
      access: 'user',
      handler: (_req, res) => {
        const info = sessionInfoOf(auth, principalOf(res), authOf(res).csrfToken);
        if (!info) throw new UserError('this user no longer exists', 401, 'unauthenticated');
        res.json(info);
      },
    },
    {
      method: 'delete',
      path: '/api/v1/session',
      access: 'user',
      handler: (req, res) => {
        const token = readCookie(req.headers.cookie, SESSION_COOKIE);
        if (token) auth.logout(token);
        res.clearCookie(SESSION_COOKIE, { path: '/' });
        res.status(204).end();
      },
    },
  ];
}

/** GET /api/v1/onboarding's answer (also inlined in the app shell: src/api/boot-state.ts). */
export function onboardingStateOf(auth: AuthService): OnboardingState {
  return { needed: auth.needsOnboarding() };
}

/** GET /api/v1/session's answer; undefined when the signed-in user no longer exists. */
export function sessionInfoOf(
  auth: AuthService,
  principal: Principal,
  csrfToken: string | undefined,
): SessionInfo | undefined {
  const user = auth.user(principal.userId);
  return user && { user, csrfToken };
}

function startSession(req: Request, res: Response, login: LoginResult, status: number): void {
  res.cookie(SESSION_COOKIE, login.token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: req.secure,
    path: '/',
    expires: new Date(login.expiresAtMs),
  });
  const info: SessionInfo = { user: login.user, csrfToken: login.csrfToken, expiresAtMs: login.expiresAtMs };
  res.status(status).json(info);
}

export function bodyOf(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
