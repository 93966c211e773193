import type { Express, NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import type { Access, Principal } from '../auth/roles.js';
import { inputError, type InputPart } from './route-schema.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Every route of the app is declared in a table with who may call it; the app registers only
 * through this table, so a route cannot exist without an access rule (deny by default).
 */
export interface RouteDef {
  method: Method;
  path: string;
  access: Access;
  /** Checked before the handler runs (a 400 naming the field otherwise); absent = not read. */
  params?: z.ZodType;
  query?: z.ZodType;
  /** A body that is not a JSON object is checked as `{}`. */
  body?: z.ZodType;
  /** It answers with secrets (keys, password hashes): not to a read API key, even an admin's. */
  secrets?: true;
  /** The handler reads the body itself, streamed and of any type (the JSON-only check is skipped). */
  streamedBody?: true;
  handler: (req: Request, res: Response, input: RouteInput) => unknown;
}

/** What a route's schemas made of the request. */
export interface RouteInput<P = unknown, Q = unknown, B = unknown> {
  params: P;
  query: Q;
  body: B;
}

type Schema<T> = z.ZodType<T, unknown>;

/** A route whose handler gets its params, query and body typed by the schemas it declares. */
export function defineRoute<P = unknown, Q = unknown, B = unknown>(def: {
  method: Method;
  path: string;
  access: Access;
  params?: Schema<P>;
  query?: Schema<Q>;
  body?: Schema<B>;
  handler: (req: Request, res: Response, input: RouteInput<P, Q, B>) => unknown;
}): RouteDef {
  // Sound: registerRoutes hands the handler only what these schemas parsed.
  return def as RouteDef;
}

/** Parses a request's parts with the route's schemas; throws the UserError for the first problem. */
export function parseRouteInput(route: Pick<RouteDef, InputPart>, req: Pick<Request, InputPart>): RouteInput {
  const body: unknown = req.body;
  const raw = {
    params: req.params,
    query: req.query,
    body: body && typeof body === 'object' && !Array.isArray(body) ? body : {},
  };
  const input: RouteInput = { params: raw.params, query: raw.query, body: raw.body };
  for (const part of ['params', 'query', 'body'] as const) {
    const schema = route[part];
    if (!schema) continue;
    const parsed = schema.safeParse(raw[part]);
    if (!parsed.success) throw inputError(part, parsed.error);
    input[part] = parsed.data;
  }
  return input;
}

/** Registers every route: its access rule, then its input schemas, then its handler. */
export function registerRoutes(app: Express, routes: readonly RouteDef[]): void {
  for (const route of routes) {
    app[route.method](route.path, guard(route.access, route.secrets), (req: Request, res: Response) =>
      route.handler(req, res, parseRouteInput(route, req)),
    );
  }
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
export function guard(access: Access, secrets = false) {
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
    if (secrets && principal.scope === 'read') {
      // A read key sits in dashboard URLs; what this answers would make it an admin's write key.
      res.status(403).json({ error: 'a read API key cannot read secrets', code: 'read_only_key' });
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
