import { ratePerS, type BrokerCounters } from './broker-stats.js';
import { sysTopics, topicMatches } from './topics.js';

/**
 * Mosquitto's $SYS/broker/... figures, kept in memory as Mosquitto does: they change on a timer,
 * so they never reach the persistence (SD-card wear). A new subscriber gets the current values
 * from here, as if they were retained.
 */
export class SysStats {
  private values: [string, string][] = [];
  private last = { atMs: 0, received: 0, sent: 0 };
  private startedAtMs = 0;
  rates = { receivedPerS: 0, sentPerS: 0 };

  constructor(private readonly version: string) {}

  start(nowMs: number): void {
    this.startedAtMs = nowMs;
    this.last = { atMs: nowMs, received: 0, sent: 0 };
  }

  /** Takes a new reading of the counters; returns the topics and values to publish. */
  update(c: BrokerCounters, nowMs: number): [string, string][] {
    const windowMs = nowMs - this.last.atMs;
    this.rates = {
      receivedPerS: ratePerS(this.last.received, c.messagesReceived, windowMs),
      sentPerS: ratePerS(this.last.sent, c.messagesSent, windowMs),
    };
    this.last = { atMs: nowMs, received: c.messagesReceived, sent: c.messagesSent };
    const values: [string, string | number][] = [
      [sysTopics.clientsConnected, c.clientsConnected],
      [sysTopics.clientsMaximum, c.clientsMaximum],
      [sysTopics.messagesReceived, c.messagesReceived],
      [sysTopics.messagesSent, c.messagesSent],
      [sysTopics.messagesReceivedPerS, this.rates.receivedPerS],
      [sysTopics.messagesSentPerS, this.rates.sentPerS],
      [sysTopics.retainedCount, c.retainedCount],
      [sysTopics.dropped, c.droppedOffline],
      [sysTopics.uptimeS, `${Math.round((nowMs - this.startedAtMs) / 1000)} seconds`],
      [sysTopics.version, `energy-hub ${this.version}`],
    ];
    this.values = values.map(([topic, value]) => [topic, String(value)]);
    return this.values;
  }

  /** The current values a new subscription to `filter` should get at once. */
  matching(filter: string): [string, string][] {
    return this.values.filter(([topic]) => topicMatches(filter, topic));
  }
}
