import type { NextFunction, Request, Response } from 'express';
import type { Access, Principal } from '../auth/roles.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Every route of the app is declared in a table with who may call it; the app registers only
 * through this table, so a route cannot exist without an access rule (deny by default).
 */
export interface RouteDef {
  method: Method;
  path: string;
  access: Access;
  handler: (req: Request, res: Response) => unknown;
}

export interface RequestAuth {
  principal?: Principal;
  /** Present when the principal came from the session cookie. */
  csrfToken?: string;
}

export function authOf(res: Response): RequestAuth {
  return (res.locals.auth ?? {}) as RequestAuth;
}

export function principalOf(res: Response): Principal {
  const principal = authOf(res).principal;
  if (!principal) throw new Error('route declared for signed-in users ran without a principal');
  return principal;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Enforces a route's access rule, the read-only scope of read keys, and CSRF for cookie sessions. */
export function guard(access: Access) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (access === 'public') return next();
    const { principal, csrfToken } = authOf(res);
    if (!principal) {
      res.status(401).json({ error: 'sign in or give an API key', code: 'unauthenticated' });
      return;
    }
    if (access === 'admin' && principal.role !== 'admin') {
      res.status(403).json({ error: 'only an administrator may do this', code: 'forbidden' });
      return;
    }
    if (!SAFE_METHODS.has(req.method)) {
      if (principal.scope === 'read') {
        res.status(403).json({ error: 'a read API key cannot change anything', code: 'read_only_key' });
        return;
      }
      if (principal.via === 'session' && req.get('x-csrf-token') !== csrfToken) {
        res.status(403).json({ error: 'missing or wrong X-CSRF-Token header', code: 'csrf' });
        return;
      }
    }
    next();
  };
}
