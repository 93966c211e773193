import { connect, type IClientOptions, type MqttClient } from 'mqtt';

/** An MQTT.js client that never reconnects by itself and is force-closed at teardown. */
export async function mqttClient(
  teardown: { add: (c: () => unknown) => void },
  url: string,
  opts: IClientOptions = {},
): Promise<MqttClient> {
  const client = connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
  teardown.add(() => client.endAsync(true));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
  return client;
}

/** The error MQTT.js gives for a refused CONNECT, 'closed' if the socket was just closed, or undefined if it connected. */
export function connectError(url: string, opts: IClientOptions): Promise<string | undefined> {
  return new Promise((resolve) => {
    const client = connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    const finish = (result: string | undefined) => {
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true, () => resolve(result));
    };
    client.once('connect', () => finish(undefined));
    client.once('error', (err) => finish(err.message));
    client.once('close', () => finish('closed'));
  });
}

/** Resolves with the next message on a topic matching `filter`, or rejects after `timeoutMs`. */
export function nextMessage(
  client: MqttClient,
  predicate: (topic: string) => boolean,
  timeoutMs = 3000,
): Promise<{ topic: string; payload: string; retain: boolean }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error('no message in time'));
    }, timeoutMs);
    const onMessage = (topic: string, payload: Buffer, packet: { retain?: boolean }) => {
      if (!predicate(topic)) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve({ topic, payload: payload.toString(), retain: packet.retain === true });
    };
    client.on('message', onMessage);
  });
}

/** Resolves when the client is closed by the other side. */
export function closed(client: MqttClient, timeoutMs = 3000): Promise<boolean> {
  if (!client.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
