// The hub's outgoing MQTT connection (mqtt.js): TLS, a persistent session so a command sent while
// the hub was away is still delivered, a retained `offline` last will, and reconnects with backoff.
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import type { Clock } from '../shared/clock.js';
import type { ConnectUplink, UplinkConnection, UplinkHandlers } from './ports.js';
import { uplinkTopics } from './ports.js';

export interface UplinkClientSettings {
  url: string;
  hubId: string;
  username: string;
  password: string;
  caFile?: string;
  topicPrefix: string;
  /** First reconnect delay; doubles after each failed try up to maxReconnectMs. */
  minReconnectMs?: number;
  maxReconnectMs?: number;
}

/** How long a stopping hub waits for the server to take its `offline`. */
const OFFLINE_ACK_WAIT_MS = 2000;

/** `clock`: a real one (waits on a socket; a test's manual clock would stall the stop). */
export function mqttUplink(settings: UplinkClientSettings, clock: Clock): ConnectUplink {
  return (handlers: UplinkHandlers): UplinkConnection => {
    const topics = uplinkTopics(settings.topicPrefix, settings.hubId);
    const minMs = settings.minReconnectMs ?? 1000;
    const maxMs = settings.maxReconnectMs ?? 60_000;
    const client = mqtt.connect(settings.url, {
      clientId: `hub-${settings.hubId}`,
      username: settings.username,
      password: settings.password,
      clean: false,
      keepalive: 60,
      connectTimeout: 30_000,
      reconnectPeriod: minMs,
      ...(settings.caFile ? { ca: readFileSync(settings.caFile) } : {}),
      rejectUnauthorized: true,
      will: { topic: topics.status, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    client.on('connect', () => {
      client.options.reconnectPeriod = minMs;
      client.publish(topics.status, 'online', { qos: 1, retain: true });
      client.subscribe(topics.command, { qos: 1 });
      handlers.onConnect();
    });
    let lastError: string | undefined;
    client.on('error', (error) => {
      lastError = error.message;
    });
    client.on('close', () => {
      const period = client.options.reconnectPeriod ?? minMs;
      client.options.reconnectPeriod = Math.min(maxMs, period * 2);
      handlers.onClose(lastError);
      lastError = undefined;
    });
    client.on('message', (topic, payload) => handlers.onMessage(topic, payload));
    return {
      publish(topic, payload, opts) {
        client.publish(topic, payload, opts);
      },
      // A clean disconnect suppresses the will, so a stopping hub says offline itself; a server
      // that just went away never acknowledges it, so that wait is short.
      end: async () => {
        if (client.connected) {
          await new Promise<void>((resolve) => {
            const cancel = clock.after(OFFLINE_ACK_WAIT_MS, resolve);
            void client
              .publishAsync(topics.status, 'offline', { qos: 1, retain: true })
              .catch(() => undefined)
              .then(() => {
                cancel();
                resolve();
              });
          });
        }
        await client.endAsync(true);
      },
    };
  };
}
