import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { AuthService } from '../auth/auth-service.js';
import type { Logger } from '../shared/logger.js';
import { authenticate } from './authenticate.js';
import type { ReadinessReport, VersionInfo } from './contract.js';
import { handleErrors, rejectNonJsonBodies } from './http-errors.js';
import { guard, type RouteDef } from './route-table.js';
import type { FeedService } from '../timeseries/feed-service.js';
import { feedRoutes } from './routes/feeds.js';
import { mqttRoutes, type MqttRouteDeps } from './routes/mqtt.js';
import { sessionRoutes } from './routes/session.js';
import { systemRoutes } from './routes/system.js';
import { userRoutes } from './routes/users.js';
import { serveUi } from './static-ui.js';

export interface AppDeps extends MqttRouteDeps {
  auth: AuthService;
  feeds: FeedService;
  timeZone: string;
  readiness: () => ReadinessReport;
  version: VersionInfo;
  log: Logger;
  bodyLimitKb: number;
  trustProxy: boolean;
  /** Directory of the built web app; absent in API-only tests. */
  uiDir?: string;
}

export interface HubApp {
  app: Express;
  routes: readonly RouteDef[];
}

/** The Express app (no listen): every route comes from the route table with its access rule. */
export function createApp(deps: AppDeps): HubApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy);
  app.set('etag', false);
  app.use(securityHeaders);
  app.use(logRequests(deps.log));
  app.use('/api', rejectNonJsonBodies);
  const limit = `${deps.bodyLimitKb}kb`;
  app.use(express.json({ limit, type: ['application/json', 'application/*+json'] }));
  app.use(express.urlencoded({ limit, extended: false }));
  app.use(authenticate(deps.auth));

  const routes = [
    ...systemRoutes(deps),
    ...sessionRoutes(deps.auth),
    ...userRoutes(deps.auth),
    ...feedRoutes(deps.feeds, deps.timeZone),
    ...mqttRoutes(deps),
  ];
  for (const route of routes) app[route.method](route.path, guard(route.access), route.handler);

  app.use('/api', (_req: Request, res: Response) => {
    res.status(404).json({ error: 'no such API route', code: 'not_found' });
  });
  if (deps.uiDir) serveUi(app, deps.uiDir);
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not found', code: 'not_found' });
  });
  app.use(handleErrors(deps.log));
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
