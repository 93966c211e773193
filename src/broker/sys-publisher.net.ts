import type { Aedes } from 'aedes';
import type { CancelTimer, Clock } from '../shared/clock.js';
import type { BrokerCounters } from './broker-stats.js';
import { SysStats } from './sys-stats.js';

/**
 * Publishes Mosquitto's $SYS/broker/... figures every `intervalS` on the injected clock, live only
 * (sys-stats.ts), and hands the current ones to each new subscription as if retained.
 */
export class SysPublisher {
  private readonly stats: SysStats;
  private cancelTimer: CancelTimer | undefined;

  constructor(
    version: string,
    private readonly clock: Clock,
    private readonly intervalS: number,
  ) {
    this.stats = new SysStats(version);
  }

  get rates(): { receivedPerS: number; sentPerS: number } {
    return this.stats.rates;
  }

  start(broker: Aedes, counters: BrokerCounters): void {
    this.stats.start(this.clock.nowMs());
    // $SYS is not retained in the persistence: a new subscriber gets the current values from memory.
    broker.on('subscribe', (subs, client) => {
      for (const sub of subs) {
        if ((sub.qos as number) === 128) continue; // refused (SUBACK 0x80)
        for (const [topic, value] of this.stats.matching(sub.topic)) {
          const packet = { cmd: 'publish' as const, topic, payload: Buffer.from(value), qos: 0 as const };
          client.publish({ ...packet, retain: true, dup: false }, () => undefined);
        }
      }
    });
    this.cancelTimer = this.clock.every(this.intervalS * 1000, () => this.publish(broker, counters));
    this.publish(broker, counters);
  }

  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private publish(broker: Aedes, counters: BrokerCounters): void {
    if (broker.closed) return;
    for (const [topic, value] of this.stats.update(counters, this.clock.nowMs())) {
      broker.publish(
        { cmd: 'publish', topic, payload: Buffer.from(value), qos: 0, retain: false, dup: false },
        () => undefined,
      );
    }
  }
}
