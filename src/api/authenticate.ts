import type { NextFunction, Request, Response } from 'express';
import type { AuthService } from '../auth/auth-service.js';
import type { RequestAuth } from './route-table.js';

export const SESSION_COOKIE = 'hub_session';

/**
 * Finds who is calling: the session cookie, `Authorization: Bearer <apikey>`, or an `apikey`
 * query or form parameter (emoncms's ways). Anonymous requests pass on with no principal;
 * routes decide through their access rule.
 */
export function authenticate(auth: AuthService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const result: RequestAuth = {};
    const apiKey = bearerToken(req) ?? stringParam(req.query.apikey) ?? stringParam(bodyField(req, 'apikey'));
    if (apiKey !== undefined) {
      const principal = auth.principalForApiKey(apiKey);
      if (!principal) {
        res.status(401).json({ error: 'unknown API key', code: 'bad_apikey' });
        return;
      }
      result.principal = principal;
    } else {
      const token = readCookie(req.headers.cookie, SESSION_COOKIE);
      const session = token ? auth.session(token) : undefined;
      if (session) {
        result.principal = session.principal;
        result.csrfToken = session.csrfToken;
      }
    }
    res.locals.auth = result;
    next();
  };
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function bearerToken(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  return match?.[1];
}

function bodyField(req: Request, name: string): unknown {
  const body: unknown = req.body;
  return body && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)[name]
    : undefined;
}

function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
