import type { Aedes } from 'aedes';
import type { Clock } from '../shared/clock.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { BrokerCounters } from './broker-stats.js';
import {
  MqttPublishError,
  type MqttMessageHandler,
  type MqttPort,
  type MqttPublishOptions,
  type Unsubscribe,
} from './ports.js';
import { isValidTopicFilter, isValidTopicName, topicMatches } from './topics.js';

/** A publish the broker has not taken by then is given up (a persistence that hangs). */
const PUBLISH_TIMEOUT_MS = 30_000;

type Deliver = (packet: { topic: string; payload: unknown }, done: () => void) => void;

interface Subscription {
  filter: string;
  handler: MqttMessageHandler;
  active: boolean;
  /** Its listener on the running broker, to take back. */
  deliver?: Deliver;
}

export interface InProcessDeps {
  clock: Clock;
  log: Logger;
  counters: BrokerCounters;
  noteRetained(topic: string, payloadBytes: number): void;
}

/**
 * The broker's MqttPort: in-process subscriptions (kept across a restart of the broker) and
 * publishes as the hub itself. Server-side publishes do not pass authorizePublish.
 */
export class InProcessMqtt implements MqttPort {
  private broker: Aedes | undefined;
  private readonly subscriptions = new Set<Subscription>();
  /** Publishes the broker has not taken yet: settled with this reason when it stops. */
  private readonly inFlight = new Set<(err: Error) => void>();

  constructor(private readonly deps: InProcessDeps) {}

  /** The broker has started: subscriptions made so far start receiving. */
  attach(broker: Aedes): void {
    this.broker = broker;
    for (const sub of this.subscriptions) this.listen(broker, sub);
  }

  /**
   * The broker is stopping: publishes are refused, those in flight fail now (not at their 30 s
   * time-out); subscriptions wait for the next start.
   */
  detach(): void {
    this.broker = undefined;
    for (const sub of this.subscriptions) sub.deliver = undefined;
    const stopped = new Error('the broker stopped');
    for (const fail of [...this.inFlight]) fail(stopped);
  }

  subscribe(filter: string, handler: MqttMessageHandler): Unsubscribe {
    if (!isValidTopicFilter(filter)) throw new Error(`invalid MQTT topic filter: ${JSON.stringify(filter)}`);
    const sub: Subscription = { filter, handler, active: true };
    this.subscriptions.add(sub);
    if (this.broker) this.listen(this.broker, sub);
    return () => {
      if (!sub.active) return;
      sub.active = false;
      this.subscriptions.delete(sub);
      if (this.broker && sub.deliver) this.broker.unsubscribe(filter, sub.deliver as never, () => undefined);
      sub.deliver = undefined;
    };
  }

  publish(topic: string, payload: string | Buffer, options: MqttPublishOptions = {}): Promise<void> {
    const { qos = 0, retain = false } = options;
    const broker = this.broker;
    const refuse = (why: string) => {
      this.deps.counters.failedPublishes++;
      return Promise.reject(new MqttPublishError(topic, why));
    };
    if (!broker) return refuse('the broker is not running');
    if (!isValidTopicName(topic)) return refuse('invalid topic name');
    const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: Error | null) => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(settle);
        cancelTimeout();
        if (!err) {
          if (retain) this.deps.noteRetained(topic, bytes.length);
          return resolve();
        }
        this.deps.counters.failedPublishes++;
        reject(new MqttPublishError(topic, describeError(err)));
      };
      const cancelTimeout = this.deps.clock.after(PUBLISH_TIMEOUT_MS, () =>
        settle(new Error(`the broker did not take it within ${PUBLISH_TIMEOUT_MS / 1000} s`)),
      );
      this.inFlight.add(settle);
      broker.publish({ cmd: 'publish', topic, payload: bytes, qos, retain, dup: false }, settle);
    });
  }

  private listen(broker: Aedes, sub: Subscription): void {
    const deliver: Deliver = (packet, done) => {
      // Unsubscribed: Aedes takes the listener back on its next turn; nothing more is delivered.
      // MQTT-4.7.2-1 also for in-process readers: '#' and '+/…' do not see $ topics.
      if (!sub.active || (packet.topic.charCodeAt(0) === 36 && !topicMatches(sub.filter, packet.topic)))
        return done();
      try {
        const { payload } = packet;
        sub.handler(packet.topic, Buffer.isBuffer(payload) ? payload : Buffer.from(String(payload)));
      } catch (err) {
        this.deps.log.error(
          { topic: packet.topic, err: describeError(err) },
          'in-process MQTT reader failed',
        );
      }
      done();
    };
    sub.deliver = deliver;
    broker.subscribe(sub.filter, deliver as never, () => undefined);
  }
}
