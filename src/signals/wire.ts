import { join } from 'node:path';
import type { UserDirectory } from '../auth/ports.js';
import type { BrokerPorts } from '../broker/wire.js';
import { communityRoutes } from '../api/routes/community.js';
import { energyRoutes } from '../api/routes/energy.js';
import { signalRoutes } from '../api/routes/signals.js';
import type { DbPorts } from '../db/wire.js';
import type { ModuleContext, WiredModule } from '../module-context.js';
import type { Component } from '../shared/component.js';
import type { TimeseriesPorts } from '../timeseries/wire.js';
import { CommunityDaysService } from './community-days-service.js';
import { GatewaySignalRunner } from './gateway-signal-runner.js';
import { httpGetJson } from './http-get.net.js';
import { FileSignalCache } from './signal-cache.fs.js';
import { SignalFeedWriter } from './signal-feed-writer.js';
import { SignalFetchRunner } from './signal-fetch-runner.js';
import { SignalService } from './signal-service.js';
import { tariffSignal } from './tariff-signal.js';
import { SqliteTariffRepo } from './tariff-repo.sqlite.js';
import { TariffService } from './tariff-service.js';
import { SqliteTargetRepo } from './target-repo.sqlite.js';

export interface SignalPorts {
  tariff: TariffService;
  /** Every signal, its freshness and the household's optimisation target (the planner reads it). */
  signals: SignalService;
  signalFetch: SignalFetchRunner;
}

type Ctx = Pick<ModuleContext, 'config' | 'clock' | 'realClock' | 'paths' | 'log'> &
  DbPorts &
  Pick<TimeseriesPorts, 'feeds'> &
  Partial<Pick<BrokerPorts, 'broker'>> & { auth: Pick<UserDirectory, 'listUsers'> };

/** Tariffs and forecast signals, and the energy and cost figures read from the household's feeds. */
export function wireSignals(ctx: Ctx): WiredModule<SignalPorts> {
  const { config, clock } = ctx;
  const tariffRepo = new SqliteTariffRepo(ctx.db);
  const tariff = new TariffService(tariffRepo, clock);
  const log = ctx.log.child({ component: 'signals' });
  const broker = config.mqtt.enabled ? ctx.broker : undefined;
  // hydro and community: the Community page's past days (community-days-service.ts) read them.
  const historyNames = ['price', 'carbon', 'hydro', 'community'];
  for (const s of config.signals.sources) if (s.kind !== 'solcast') historyNames.push(s.name);
  const feedWriter = new SignalFeedWriter({
    feeds: ctx.feeds,
    owner: () => ctx.auth.listUsers().find((u) => u.role === 'admin')?.id,
    names: new Set(historyNames),
    maxFutureS: config.timeseries.maxFutureS,
    clock,
    log,
  });
  const signals = new SignalService({
    cache: new FileSignalCache(join(ctx.paths.dataDir, 'signals')),
    publish: broker && ((topic, payload) => broker.publish(topic, payload, { retain: true, qos: 1 })),
    targetStore: new SqliteTargetRepo(ctx.db),
    clock,
    log,
    timeZone: config.timezone,
    // An unset tariff is the free flat default: not a signal (it would hide a missing one).
    history: (name, signal) => feedWriter.record(name, signal),
    tariff: (nowS) =>
      tariffRepo.get() === undefined ? undefined : tariffSignal(tariff.get(), nowS, config.timezone),
  });
  const components: Component[] = [signals, feedWriter];
  if (broker)
    components.push(new GatewaySignalRunner(broker, signals, clock, config.signals.gatewayTtlHours * 3600));
  const signalFetch = new SignalFetchRunner(
    config.signals.sources,
    httpGetJson(ctx.realClock, config.signals.fetchTimeoutS * 1000),
    signals,
    clock,
    log,
  );
  components.push(signalFetch);
  const routes = [
    ...energyRoutes({ feeds: ctx.feeds, tariff, clock, timeZone: config.timezone }),
    ...signalRoutes(signals),
    ...communityRoutes({
      days: new CommunityDaysService({ feeds: ctx.feeds, signals, clock, timeZone: config.timezone }),
      timeZone: config.timezone,
    }),
  ];
  return { components, routes, ports: { tariff, signals, signalFetch } };
}
