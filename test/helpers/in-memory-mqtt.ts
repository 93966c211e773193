import {
  MqttPublishError,
  type MqttMessageHandler,
  type MqttPort,
  type MqttPublishOptions,
  type Unsubscribe,
} from '../../src/broker/ports.js';
import { isValidTopicFilter, isValidTopicName, topicMatches } from '../../src/broker/topics.js';

export interface PublishedMessage {
  topic: string;
  payload: string;
  qos: 0 | 1 | 2;
  retain: boolean;
}

/**
 * The MqttPort without a broker, for service tests: a publish reaches every matching in-process
 * subscription before it resolves, as on the hub's broker (test/contract/mqtt-port.contract.ts
 * holds both to the same rules). Starts running; `stop()`/`start()` mimic a broker restart.
 */
export class InMemoryMqtt implements MqttPort {
  /** Every message taken, in order: what a service published. */
  readonly published: PublishedMessage[] = [];
  private readonly subscriptions = new Set<{ filter: string; handler: MqttMessageHandler }>();
  private running = true;

  async start(): Promise<void> {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  subscribe(filter: string, handler: MqttMessageHandler): Unsubscribe {
    if (!isValidTopicFilter(filter)) throw new Error(`invalid MQTT topic filter: ${JSON.stringify(filter)}`);
    const sub = { filter, handler };
    this.subscriptions.add(sub);
    return () => void this.subscriptions.delete(sub);
  }

  async publish(topic: string, payload: string | Buffer, options: MqttPublishOptions = {}): Promise<void> {
    if (!this.running) throw new MqttPublishError(topic, 'the broker is not running');
    if (!isValidTopicName(topic)) throw new MqttPublishError(topic, 'invalid topic name');
    const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
    this.published.push({
      topic,
      payload: bytes.toString(),
      qos: options.qos ?? 0,
      retain: options.retain ?? false,
    });
    for (const sub of [...this.subscriptions]) {
      if (!this.subscriptions.has(sub) || !topicMatches(sub.filter, topic)) continue;
      try {
        sub.handler(topic, bytes);
      } catch {
        // as the broker: one reader failing does not stop the others
      }
    }
  }
}
