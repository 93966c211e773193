import type { Redis } from 'ioredis';
import type { PairingRequestView } from '../api/contract.js';
import type { Logger } from '../shared/logger.js';
import type { RedisKeys } from '../state/keys.js';
import type { MirroredPairingState, PairingMirror } from './ports.js';

/**
 * Mirrors the pairing state to Redis for other readers: the requests hash (address → request
 * view) and the window with its expiry. Best effort: pairing itself runs from memory, so a write
 * Redis refuses is logged once per outage and counted, never retried.
 */
export class RedisPairingMirror implements PairingMirror {
  failedWrites = 0;
  private failing = false;

  constructor(
    private readonly redis: () => Redis,
    private readonly keys: RedisKeys,
    private readonly log: Logger,
  ) {}

  save(state: MirroredPairingState, nowMs: number): void {
    let multi;
    try {
      multi = this.redis().multi().del(this.keys.pairingRequests());
    } catch (err) {
      this.failed(err); // the client is not started
      return;
    }
    if (state.requests.length > 0) {
      multi.hset(
        this.keys.pairingRequests(),
        Object.fromEntries(state.requests.map((r) => [r.ip, JSON.stringify(r)])),
      );
    }
    if (state.windowOpenUntilMs === null) multi.del(this.keys.pairingWindow());
    else {
      const ttlMs = Math.max(1, state.windowOpenUntilMs - nowMs);
      multi.set(
        this.keys.pairingWindow(),
        JSON.stringify({ openUntilMs: state.windowOpenUntilMs }),
        'PX',
        ttlMs,
      );
    }
    multi.exec().then(
      () => (this.failing = false),
      (err: unknown) => this.failed(err),
    );
  }

  async load(): Promise<PairingRequestView[]> {
    const values = await this.redis().hvals(this.keys.pairingRequests());
    return values.flatMap((text) => {
      try {
        const view = JSON.parse(text) as PairingRequestView;
        return typeof view?.ip === 'string' ? [view] : [];
      } catch {
        return []; // not ours to read: the save after start replaces it
      }
    });
  }

  private failed(err: unknown): void {
    this.failedWrites += 1;
    if (!this.failing) this.log.warn({ err: String(err) }, 'could not mirror the pairing state to Redis');
    this.failing = true;
  }
}
