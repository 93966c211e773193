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

  set(input: unknown): Tariff {
    const parsed = tariffSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new UserError(
        `tariff ${issue.path.join('.') || 'body'}: ${issue.message}`,
        400,
        'invalid_tariff',
      );
    }
    const problems = tariffProblems(parsed.data);
    if (problems.length) throw new UserError(`tariff bands: ${problems[0]}`, 400, 'invalid_tariff');
    this.store.set(parsed.data, this.clock.nowMs());
    return parsed.data;
  }
}
