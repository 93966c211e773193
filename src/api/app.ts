import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { AuthService } from '../auth/auth-service.js';
import type { Logger } from '../shared/logger.js';
import { authenticate } from './authenticate.js';
import type { BootState } from './contract.js';
import { handleErrors, rejectNonJsonBodies } from './http-errors.js';
import { authOf, registerRoutes, type RequestAuth, type RouteDef } from './route-table.js';
import { serveUi } from './static-ui.js';

/** The routes (each module's, from its wire file) and the few settings of the HTTP layer itself. */
export interface AppSettings {
  routes: readonly RouteDef[];
  /** Who a request is (session cookie or API key), before any route's access rule. */
  auth: AuthService;
  log: Logger;
  bodyLimitKb: number;
  /**
   * Whose X-Forwarded-For sets the client address (login limits count by it): false = nobody's,
   * or the proxies' addresses/subnets (never a hop count). Never `true`: a client could name any address.
   */
  trustProxy: false | readonly string[];
  /** The built web app and the boot state inlined in its shell; absent in API-only tests. */
  ui?: { dir: string; stateFor: (auth: RequestAuth) => Promise<BootState | undefined> };
}

const COMPRESSED_BULK = /^(\/emoncms)?\/input\/bulk(\.json)?$/;

export interface HubApp {
  app: Express;
  routes: readonly RouteDef[];
}

/** The Express app (no listen): every route comes from the route table with its access rule. */
export function createApp(settings: AppSettings): HubApp {
  const { routes, log, ui } = settings;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', settings.trustProxy === false ? false : [...settings.trustProxy]);
  app.set('etag', false);
  app.use(securityHeaders);
  app.use(logRequests(log));
  // A route that streams its own body (an update bundle) takes it raw; every other one, JSON only.
  const streamed = new Set(
    routes.filter((r) => r.streamedBody).map((r) => `${r.method.toUpperCase()} ${r.path}`),
  );
  app.use('/api', (req: Request, res: Response, next: NextFunction) =>
    streamed.has(`${req.method} ${req.baseUrl}${req.path}`) ? next() : rejectNonJsonBodies(req, res, next),
  );
  const limit = `${settings.bodyLimitKb}kb`;
  // emonhub's compressed bulk upload (`input/bulk?cb=1`) is a raw zlib body, whatever its type says.
  const rawBody = express.raw({ limit, type: () => true });
  app.use((req, res, next) =>
    req.query.cb !== undefined && COMPRESSED_BULK.test(req.path) ? rawBody(req, res, next) : next(),
  );
  app.use(express.json({ limit, type: ['application/json', 'application/*+json'] }));
  app.use(express.urlencoded({ limit, extended: false }));
  app.use(authenticate(settings.auth));

  registerRoutes(app, routes);

  app.use('/api', (_req: Request, res: Response) => {
    res.status(404).json({ error: 'no such API route', code: 'not_found' });
  });
  if (ui) serveUi(app, ui.dir, { stateFor: (res) => ui.stateFor(authOf(res)), log });
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not found', code: 'not_found' });
  });
  app.use(handleErrors(log));
  return { app, routes };
}

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
    'Content-Security-Policy':
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; frame-ancestors 'none'",
  });
  next();
}

/** One debug line per request: path without the query string, which may carry an API key. */
function logRequests(log: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const startMs = performance.now();
    res.on('finish', () => {
      const ms = Math.round(performance.now() - startMs);
      log.debug({ method: req.method, path: req.path, status: res.statusCode, ms }, 'http');
    });
    next();
  };
}
