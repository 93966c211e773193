import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { AuthService } from '../auth/auth-service.js';
import type { Logger } from '../shared/logger.js';
import { authenticate } from './authenticate.js';
import type { ReadinessReport, VersionInfo } from './contract.js';
import { handleErrors, rejectNonJsonBodies } from './http-errors.js';
import { authOf, guard, type RouteDef } from './route-table.js';
import { bootStateFor } from './boot-state.js';
import type { FeedService } from '../timeseries/feed-service.js';
import { feedRoutes } from './routes/feeds.js';
import { mqttRoutes, type MqttRouteDeps } from './routes/mqtt.js';
import { sessionRoutes } from './routes/session.js';
import { systemRoutes } from './routes/system.js';
import { userRoutes } from './routes/users.js';
import { inputRoutes } from './routes/inputs.js';
import { templateRoutes } from './routes/templates.js';
import { vzloggerRoutes } from './routes/vzlogger.js';
import type { IngestService } from '../ingest/ingest-service.js';
import type { TemplateService } from '../ingest/template-service.js';
import type { VzloggerService } from '../ingest/vzlogger-service.js';
import type { Clock } from '../shared/clock.js';
import { serveUi } from './static-ui.js';
import { emoncmsInputRoutes } from './emoncms/input-api.js';
import { energyRoutes } from './routes/energy.js';
import type { TariffService } from '../signals/tariff-service.js';
import { emoncmsFeedRoutes } from './emoncms/feed-api.js';

export interface AppDeps extends MqttRouteDeps {
  auth: AuthService;
  feeds: FeedService;
  ingest: IngestService;
  templates: TemplateService;
  vzlogger: VzloggerService;
  tariff: TariffService;
  clock: Clock;
  /** Readings stamped further ahead than this are refused. */
  maxFutureS: number;
  /** Writes a new timezone to hub.json for the next start. */
  saveTimeZone: (timeZone: string) => void;
  /** MQTT readings arrive under `<ingestBaseTopic>/#` (emoncms's basetopic). */
  ingestBaseTopic: string;
  timeZone: string;
  readiness: () => ReadinessReport;
  version: VersionInfo;
  log: Logger;
  bodyLimitKb: number;
  /**
   * Whose X-Forwarded-For sets the client address (login limits count by it): false = nobody's,
   * or the proxies' addresses/subnets (never a hop count). Never `true`: a client could name any address.
   */
  trustProxy: false | readonly string[];
  /** Directory of the built web app; absent in API-only tests. */
  uiDir?: string;
}

const COMPRESSED_BULK = /^(\/emoncms)?\/input\/bulk(\.json)?$/;

export interface HubApp {
  app: Express;
  routes: readonly RouteDef[];
}

/** The Express app (no listen): every route comes from the route table with its access rule. */
export function createApp(deps: AppDeps): HubApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy === false ? false : [...deps.trustProxy]);
  app.set('etag', false);
  app.use(securityHeaders);
  app.use(logRequests(deps.log));
  app.use('/api', rejectNonJsonBodies);
  const limit = `${deps.bodyLimitKb}kb`;
  // emonhub's compressed bulk upload (`input/bulk?cb=1`) is a raw zlib body, whatever its type says.
  const rawBody = express.raw({ limit, type: () => true });
  app.use((req, res, next) =>
    req.query.cb !== undefined && COMPRESSED_BULK.test(req.path) ? rawBody(req, res, next) : next(),
  );
  app.use(express.json({ limit, type: ['application/json', 'application/*+json'] }));
  app.use(express.urlencoded({ limit, extended: false }));
  app.use(authenticate(deps.auth));

  const routes = [
    ...systemRoutes(deps),
    ...sessionRoutes(deps.auth),
    ...userRoutes(deps.auth),
    ...feedRoutes(deps.feeds, deps.timeZone),
    ...mqttRoutes(deps),
    ...inputRoutes({
      ingest: deps.ingest,
      feedExists: (id) => deps.feeds.exists(id),
      clock: deps.clock,
      ingestBaseTopic: deps.ingestBaseTopic,
    }),
    ...templateRoutes(deps.templates),
    ...vzloggerRoutes(deps.vzlogger, deps.clock),
    ...energyRoutes({ feeds: deps.feeds, tariff: deps.tariff, clock: deps.clock, timeZone: deps.timeZone }),
    ...emoncmsInputRoutes({
      ingest: deps.ingest,
      feedExists: (id) => deps.feeds.exists(id),
      clock: deps.clock,
      maxFutureS: deps.maxFutureS,
      ingestBaseTopic: deps.ingestBaseTopic,
    }),
    ...emoncmsFeedRoutes({
      feeds: deps.feeds,
      feedLast: (id) => deps.ingest.feedLast(id),
      feedMeta: (id) => deps.feeds.meta(id),
      noteFeedValue: (id, last) => deps.ingest.noteFeedValue(id, last),
      timeZone: deps.timeZone,
      version: deps.version,
      clock: deps.clock,
    }),
  ];
  for (const route of routes) app[route.method](route.path, guard(route.access), route.handler);

  app.use('/api', (_req: Request, res: Response) => {
    res.status(404).json({ error: 'no such API route', code: 'not_found' });
  });
  if (deps.uiDir)
    serveUi(app, deps.uiDir, { stateFor: (res) => bootStateFor(deps, authOf(res)), log: deps.log });
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
