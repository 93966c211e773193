import type { Request, Response } from 'express';
import { z } from 'zod';
import { RateLimitedError } from '../../auth/auth-errors.js';
import type { AuthService, LoginResult } from '../../auth/auth-service.js';
import type { Principal } from '../../auth/roles.js';
import { UserError } from '../../shared/errors.js';
import { readCookie, SESSION_COOKIE } from '../authenticate.js';
import type { OnboardingState, SessionInfo } from '../contract.js';
import { authOf, defineRoute, principalOf, type RouteDef } from '../route-table.js';
import { text } from './common-schemas.js';

const credentials = z.object({ username: text('username'), password: text('password') });

/** A login that is not even text is a wrong login: answered and counted as one (login limits). */
const loginBody = z.object({ username: z.string().catch(''), password: z.string().catch('') });

/** Onboarding (the first administrator), login, the current session, logout. */
export function sessionRoutes(auth: AuthService): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/onboarding',
      access: 'public',
      handler: (_req, res) => res.json(onboardingStateOf(auth)),
    },
    defineRoute({
      method: 'post',
      path: '/api/v1/onboarding',
      access: 'public',
      body: credentials,
      handler: async (req, res, { body }) => {
        await auth.onboard(body.username, body.password);
        const login = await auth.login(body.username, body.password, req.ip ?? '');
        startSession(req, res, login, 201);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/session',
      access: 'public',
      body: loginBody,
      handler: async (req, res, { body }) => {
        try {
          startSession(req, res, await auth.login(body.username, body.password, req.ip ?? ''), 200);
        } catch (err) {
          if (err instanceof RateLimitedError) res.set('Retry-After', String(err.retryAfterS));
          throw err;
        }
      },
    }),
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
