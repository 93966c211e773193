import type { BrokerCounters } from './broker-stats.js';
import { filterOfflineEnqueue, type OfflineEnqueue } from './aedes-internals.net.js';

/**
 * Caps each offline client's queue (Aedes has no such limit) and counts what is dropped. A count
 * starts again when its client is back online (its queue is then sent).
 */
export class OfflineQueueCap {
  private readonly queued = new Map<string, number>();

  constructor(
    private readonly maxMessages: number,
    private readonly counters: BrokerCounters,
  ) {}

  install(persistence: { outgoingEnqueueCombi: OfflineEnqueue }): void {
    filterOfflineEnqueue(persistence, (subs) =>
      subs.filter(({ clientId }) => {
        const queued = this.queued.get(clientId) ?? 0;
        if (queued >= this.maxMessages) {
          this.counters.droppedOffline++;
          return false;
        }
        this.queued.set(clientId, queued + 1);
        return true;
      }),
    );
  }

  clientOnline(clientId: string): void {
    this.queued.delete(clientId);
  }
}
