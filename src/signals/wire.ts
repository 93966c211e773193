import { energyRoutes } from '../api/routes/energy.js';
import type { DbPorts } from '../db/wire.js';
import type { ModuleContext, WiredModule } from '../module-context.js';
import type { TimeseriesPorts } from '../timeseries/wire.js';
import { SqliteTariffRepo } from './tariff-repo.sqlite.js';
import { TariffService } from './tariff-service.js';

export interface SignalPorts {
  tariff: TariffService;
}

/** Tariffs, and the energy and cost figures read from the household's feeds. */
export function wireSignals(
  ctx: Pick<ModuleContext, 'config' | 'clock'> & DbPorts & Pick<TimeseriesPorts, 'feeds'>,
): WiredModule<SignalPorts> {
  const tariff = new TariffService(new SqliteTariffRepo(ctx.db), ctx.clock);
  const routes = energyRoutes({ feeds: ctx.feeds, tariff, clock: ctx.clock, timeZone: ctx.config.timezone });
  return { components: [], routes, ports: { tariff } };
}
