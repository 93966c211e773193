import { request } from 'node:http';
import { createConnection } from 'node:net';
import { MqttClient } from 'mqtt';

export interface LoginAnswer {
  status: number;
  retryAfter: string | undefined;
  ms: number;
}

/** POST /api/v1/session from a given loopback source address (all of 127/8 is local on Linux). */
export function loginFrom(
  baseUrl: string,
  localAddress: string,
  username: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<LoginAnswer> {
  const body = JSON.stringify({ username, password });
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}/api/v1/session`,
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', connection: 'close', ...headers },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'],
            ms: performance.now() - t0,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** An MQTT CONNECT from a given source address: undefined when accepted, else MQTT.js's error. */
export function mqttLoginFrom(
  port: number,
  localAddress: string,
  username: string,
  password: string,
  connectTimeoutMs = 10_000,
): Promise<string | undefined> {
  const stream = () => createConnection({ host: '127.0.0.1', port, localAddress });
  const client = new MqttClient(stream, {
    username,
    password,
    reconnectPeriod: 0,
    connectTimeout: connectTimeoutMs,
  });
  return new Promise((resolve) => {
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
