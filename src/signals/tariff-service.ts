import type { Clock } from '../shared/clock.js';
import { UserError } from '../shared/errors.js';
import { DEFAULT_TARIFF, tariffProblems, tariffSchema, type Tariff } from './tariff.js';

export interface TariffStore {
  get(): unknown;
  set(document: unknown, updatedAtMs: number): void;
}

/** The household tariff: validated on the way in, the default (free, flat) until one is set. */
export class TariffService {
  constructor(
    private readonly store: TariffStore,
    private readonly clock: Clock,
  ) {}

  get(): Tariff {
    const parsed = tariffSchema.safeParse(this.store.get());
    return parsed.success ? parsed.data : DEFAULT_TARIFF;
  }

  /** `tariff` is parsed by tariffSchema (the route's body schema); the bands' coverage is checked here. */
  set(tariff: Tariff): Tariff {
    const problems = tariffProblems(tariff);
    if (problems.length) throw new UserError(`tariff bands: ${problems[0]}`, 400, 'invalid_tariff');
    const stored = { ...tariff, exportBands: tariff.exportBands ?? [] };
    this.store.set(stored, this.clock.nowMs());
    return stored;
  }
}
