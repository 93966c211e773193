import { emoncmsFeedRoutes } from '../api/emoncms/feed-api.js';
import { emoncmsInputRoutes } from '../api/emoncms/input-api.js';
import { inputRoutes } from '../api/routes/inputs.js';
import { templateRoutes } from '../api/routes/templates.js';
import { vzloggerRoutes } from '../api/routes/vzlogger.js';
import type { AuthPorts } from '../auth/wire.js';
import type { BrokerPorts } from '../broker/wire.js';
import type { DbPorts } from '../db/wire.js';
import type { ModuleContext, WiredModule } from '../module-context.js';
import type { StatePorts } from '../state/wire.js';
import type { TimeseriesPorts } from '../timeseries/wire.js';
import { AutoConfigureRunner } from './auto-configure-runner.js';
import { IngestService } from './ingest-service.js';
import { SqliteInputRepo, SqliteVzChannelRepo } from './input-repo.sqlite.js';
import { RedisLiveState } from './live-state.redis.js';
import { MqttSourceRunner } from './mqtt-source-runner.js';
import { TemplateService } from './template-service.js';
import { VzPushServer } from './vz-push-server.net.js';
import { VzloggerService } from './vzlogger-service.js';

export interface IngestPorts {
  ingest: IngestService;
  templates: TemplateService;
  vzlogger: VzloggerService;
  vzPush: VzPushServer | undefined;
}

type Ctx = ModuleContext & DbPorts & StatePorts & AuthPorts & TimeseriesPorts & BrokerPorts;

/** Sources (MQTT, HTTP, vzlogger) → inputs → process lists → feeds; device templates. */
export function wireIngest(ctx: Ctx): WiredModule<IngestPorts> {
  const { config, db, log, clock, bus, feeds, broker } = ctx;
  const ingest = new IngestService(
    new SqliteInputRepo(db),
    new RedisLiveState(() => ctx.redis.redis, ctx.keys),
    feeds,
    bus,
    clock,
    { ...config.ingest, maxFutureS: config.timeseries.maxFutureS, timeZone: config.timezone },
    log.child({ component: 'ingest' }),
    // A publish the broker cannot take is counted in its failedPublishes (/readyz).
    broker && ((topic, payload) => void broker.publish(topic, payload).catch(() => undefined)),
  );
  const mqttSource =
    broker &&
    new MqttSourceRunner(
      (filter, handler) => broker.subscribe(filter, handler),
      ingest,
      bus,
      clock,
      { baseTopic: config.ingest.mqttBaseTopic },
      log.child({ component: 'mqtt-ingest' }),
    );
  const templates = new TemplateService(feeds, ingest);
  const autoConfigure =
    config.ingest.autoConfigure &&
    new AutoConfigureRunner({ bus, templates, users: ctx.auth, log: log.child({ component: 'templates' }) });
  const vzlogger = new VzloggerService(new SqliteVzChannelRepo(db), ingest, clock);
  const push = config.ingest.vzloggerPush;
  const vzPush = push.enabled
    ? new VzPushServer(vzlogger, push.host, push.port, log.child({ component: 'vzlogger-push' }))
    : undefined;
  const feedExists = (id: number) => feeds.exists(id);
  const baseTopic = config.ingest.mqttBaseTopic;
  const routes = [
    ...inputRoutes({ ingest, feedExists, clock, ingestBaseTopic: baseTopic }),
    ...templateRoutes(templates),
    ...vzloggerRoutes(vzlogger, clock),
    ...emoncmsInputRoutes({
      ingest,
      feedExists,
      clock,
      maxFutureS: config.timeseries.maxFutureS,
      ingestBaseTopic: baseTopic,
    }),
    // The feed API answers with the inputs' last values too; it ends with the /emoncms/* catch-all.
    ...emoncmsFeedRoutes({
      feeds,
      feedLast: (id) => ingest.feedLast(id),
      feedMeta: (id) => feeds.meta(id),
      noteFeedValue: (id, last) => ingest.noteFeedValue(id, last),
      timeZone: config.timezone,
      version: ctx.version,
      clock,
    }),
  ];
  // Auto-configure listens before the MQTT source starts, so no early `describe` goes unseen.
  const components = [ingest, autoConfigure, mqttSource, vzPush].filter((c) => !!c);
  return { components, routes, ports: { ingest, templates, vzlogger, vzPush } };
}

/** For the `hub` command's feed import --remap: process lists follow feeds to their new ids. */
export function wireOfflineIngest(ctx: DbPorts) {
  const inputs = new SqliteInputRepo(ctx.db);
  return {
    processLists: {
      rewriteFeedIds: (newIds: ReadonlyMap<number, number>): { id: number; node: string; name: string }[] =>
        inputs.rewriteFeedArgs(newIds),
    },
  };
}
