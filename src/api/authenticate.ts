import type { NextFunction, Request, Response } from 'express';
import type { AuthService } from '../auth/auth-service.js';
import type { RequestAuth } from './route-table.js';

export const SESSION_COOKIE = 'hub_session';

/**
 * Finds who is calling: the session cookie, `Authorization: Bearer <apikey>`, or an `apikey`
 * query or form parameter (emoncms's ways). Anonymous requests pass on with no principal;
 * routes decide through their access rule.
 *
 * Outside /api/ (the emoncms-compatible surface and everything else) keys are read as emoncms
 * reads them: query, then form, then Bearer; "" and "0" count as no key; an unknown key gets
 * emoncms's 401 (WWW-Authenticate header, text body `Invalid API key`).
 */
export function authenticate(auth: AuthService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const result: RequestAuth = {};
    const emoncms = !isApiPath(req.path);
    const apiKey = emoncms ? emoncmsApiKey(req) : hubApiKey(req);
    if (apiKey !== undefined) {
      const principal = auth.principalForApiKey(apiKey);
      if (!principal) {
        if (emoncms) {
          res
            .status(401)
            .set('WWW-Authenticate', EMONCMS_INVALID_KEY_CHALLENGE)
            .setHeader('Content-Type', 'text/html; charset=UTF-8'); // PHP's default type
          res.send(Buffer.from('Invalid API key'));
        } else {
          res.status(401).json({ error: 'unknown API key', code: 'bad_apikey' });
        }
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

/** emoncms's answer header to a key it does not know (index.php). */
export const EMONCMS_INVALID_KEY_CHALLENGE =
  'Bearer realm="API KEY", error="invalid_apikey", error_description="Invalid API key"';

const isApiPath = (path: string) => path === '/api' || path.startsWith('/api/');

function hubApiKey(req: Request): string | undefined {
  return bearerToken(req) ?? stringParam(req.query.apikey) ?? stringParam(bodyField(req, 'apikey'));
}

/** index.php's order: `$_GET['apikey']`, `$_POST['apikey']`, then the Bearer header; PHP-falsy keys are none. */
function emoncmsApiKey(req: Request): string | undefined {
  const key = lastParam(req.query.apikey) ?? lastParam(formField(req, 'apikey')) ?? bearerToken(req);
  return key === '' || key === '0' ? undefined : key;
}

function formField(req: Request, name: string): unknown {
  return req.is('application/x-www-form-urlencoded') ? bodyField(req, name) : undefined;
}

/** PHP keeps the last of repeated parameters. */
function lastParam(value: unknown): string | undefined {
  return Array.isArray(value) ? lastParam(value[value.length - 1]) : stringParam(value);
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
